/**
 * The messages between the app and the arrangement worker, and the worker's handler as a plain function (so Node
 * tests run exactly what the worker runs). The cells travel packed in typed arrays whose buffers are transferred,
 * not copied: 1,000 lines make about 270,000 cells, which as objects would take the main thread a few hundred
 * milliseconds to receive.
 */
import { InvalidViewError, type PackedArrangement2D, arrangement2DPacked } from '../model/arrangement2d.ts';
import type { Rect } from '../model/lines2d.ts';
import { InvalidNetworkError, type Network } from '../model/network.ts';

/** One arrangement job for the worker. */
export interface ArrangementRequest {
  id: number;
  network: Network;
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
    return { id: req.id, ok: true, result: arrangement2DPacked(req.network, req.view, { polygons: req.polygons }) };
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
