/**
 * The messages between the app and the arrangement worker, and the worker's handler as a plain function (so Node
 * tests run exactly what the worker runs). The cells travel packed in typed arrays whose buffers are transferred,
 * not copied: 1,000 lines make about 270,000 cells, which as objects would take the main thread a few hundred
 * milliseconds to receive.
 */
import { InvalidViewError, type PackedArrangement2D, arrangement2DPacked } from '../model/arrangement2d.ts';
import type { Rect } from '../model/lines2d.ts';
import { InvalidNetworkError, type Network, isValidNetwork } from '../model/network.ts';

/**
 * A network as it crosses to the worker: its arrays as Float64Array, which a structured clone copies whole (three
 * plain arrays of 65,536 numbers took the main thread about 270 ms, element by element). Validation takes typed
 * arrays as it takes plain ones.
 */
export type PackedNetwork = Omit<Network, 'w' | 'b' | 'a'> & { w: Float64Array; b: Float64Array; a: Float64Array };

/**
 * Packed copies per network object: validated networks are never written (see validateNetwork), and every pan or
 * zoom asks for the same network's arrangement again (packing 65,536 units took the main thread 20–80 ms each time).
 */
const packedOf = new WeakMap<object, PackedNetwork>();

/** A network with typed arrays (a packed one is passed through; the packing of a frozen, validated network is kept). */
export function packNetwork(net: Network | PackedNetwork): PackedNetwork {
  if (net.w instanceof Float64Array && net.b instanceof Float64Array && net.a instanceof Float64Array) return net as PackedNetwork;
  // Only a validated network is known not to change after it was packed.
  const cacheable = isValidNetwork(net);
  const known = cacheable ? packedOf.get(net) : undefined;
  if (known) return known;
  const packed: PackedNetwork = { dim: net.dim, w: Float64Array.from(net.w), b: Float64Array.from(net.b), a: Float64Array.from(net.a), c: net.c };
  if (net.activation !== undefined) packed.activation = net.activation;
  if (cacheable) packedOf.set(net, packed);
  return packed;
}

/** One arrangement job for the worker. */
export interface ArrangementRequest {
  id: number;
  network: PackedNetwork;
  view: Rect;
  /** Compute the cells' polygons (only for N ≤ MAX_EXACT_UNITS). */
  polygons: boolean;
}

/** The worker's answer: the arrangement, or the error it raised (`kind` says which typed error, `field` its field). */
export type ArrangementReply =
  | { id: number; ok: true; result: PackedArrangement2D }
  | { id: number; ok: false; kind: 'network' | 'view' | 'other'; field: string | null; message: string };

/** Runs one request; never throws (every failure becomes a reply). */
export function handleArrangementMessage(req: ArrangementRequest): ArrangementReply {
  try {
    // Validation copies the typed arrays into a network of its own (see PackedNetwork).
    return { id: req.id, ok: true, result: arrangement2DPacked(req.network as unknown as Network, req.view, { polygons: req.polygons }) };
  } catch (e) {
    if (e instanceof InvalidNetworkError) return { id: req.id, ok: false, kind: 'network', field: e.field, message: e.detail };
    if (e instanceof InvalidViewError) return { id: req.id, ok: false, kind: 'view', field: e.field, message: e.message.slice(`Invalid view: ${e.field}: `.length) };
    return { id: req.id, ok: false, kind: 'other', field: null, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The buffers a reply can hand over without copying (the packed cells'). */
export function replyTransfer(reply: ArrangementReply): ArrayBuffer[] {
  const r = reply.ok ? reply.result.regions : undefined;
  if (!r) return [];
  return [r.offsets.buffer, r.vertices.buffer, r.pattern.buffer, r.active.buffer, r.planes.buffer] as ArrayBuffer[];
}

/** The arrangement of a reply, or the typed error it carries. */
export function decodeArrangementReply(reply: ArrangementReply): PackedArrangement2D {
  if (reply.ok) return reply.result;
  if (reply.kind === 'network') throw new InvalidNetworkError(reply.field ?? 'network', reply.message);
  if (reply.kind === 'view') throw new InvalidViewError(reply.field ?? 'view', reply.message);
  throw new Error(`The arrangement worker failed: ${reply.message}`);
}
