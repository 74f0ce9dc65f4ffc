/**
 * The messages between the store and the fit worker, and the worker's handler as a plain function (so Node
 * tests run exactly what the worker runs). Only JSON-like data and typed arrays cross: the worker resolves the
 * target spec itself, and sends the network's arrays as Float64Arrays (transferred, not copied) with its sorted
 * 1D forms (model/prepared1d.ts), so a 65,536-unit network lands without sorting or a slow clone on the main thread.
 */
import { type Network, type ValidNetwork, validateNetwork } from '../model/network.ts';
import { type Prepared1D, adoptPrepared1D, prepare1D } from '../model/prepared1d.ts';
import { construct } from './construction.ts';
import { StateError } from './errors.ts';
import type { FitInputs } from './types.ts';

/** One fit job for the worker. */
export interface FitRequest {
  id: number;
  inputs: FitInputs;
  /** 2D least squares: the Gram matrix of these inputs, accumulated on the GPU (the worker then only solves). */
  gram?: { gram: Float64Array; rhs: Float64Array; ridgeFloor?: number };
}

/** A network with its arrays as Float64Arrays (cheap to transfer between threads). */
export interface PackedNetwork extends Omit<Network, 'w' | 'b' | 'a'> {
  w: Float64Array;
  b: Float64Array;
  a: Float64Array;
}

/** The worker's answer: the network (and its sorted 1D forms), or the StateError it raised (`field` null for an unexpected error). */
export type FitReply =
  | { id: number; ok: true; network: PackedNetwork; prepared: Prepared1D | null }
  | { id: number; ok: false; field: string | null; message: string };

/** Runs one fit request; never throws (every failure becomes a reply). */
export function handleFitMessage(req: FitRequest): FitReply {
  try {
    const net = construct(req.inputs, req.inputs.build, req.gram);
    const packed: PackedNetwork = { ...net, w: Float64Array.from(net.w), b: Float64Array.from(net.b), a: Float64Array.from(net.a) };
    return { id: req.id, ok: true, network: packed, prepared: prepare1D(net) };
  } catch (e) {
    if (e instanceof StateError) return { id: req.id, ok: false, field: e.field, message: e.detail };
    return { id: req.id, ok: false, field: null, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The buffers a reply can hand over instead of copying (every typed array in it). */
export function transferablesOf(reply: FitReply): ArrayBuffer[] {
  if (!reply.ok) return [];
  const arrays: ArrayBufferView[] = [reply.network.w, reply.network.b, reply.network.a];
  const p = reply.prepared;
  if (p) {
    arrays.push(p.slopes.pos, p.slopes.neg);
    if (p.pieces) arrays.push(p.pieces.knots, p.pieces.slopes, p.pieces.intercepts);
  }
  // Distinct buffers only (a transfer list may not name one twice).
  return [...new Set(arrays.map((x) => x.buffer as ArrayBuffer))];
}

/**
 * The network of a reply, or the error it carries (a StateError when the fit itself failed). A network that
 * validates comes back validated, with its sorted forms adopted (so the first frame does not sort again); one
 * that does not comes back as plain arrays, for the store to report.
 */
export function decodeFitReply(reply: FitReply): Network | ValidNetwork {
  if (!reply.ok) {
    if (reply.field !== null) throw new StateError(reply.field, reply.message);
    throw new Error(`The fit worker failed: ${reply.message}`);
  }
  const packed = reply.network;
  let valid: ValidNetwork;
  try {
    valid = validateNetwork(packed);
  } catch {
    return { ...packed, w: Array.from(packed.w), b: Array.from(packed.b), a: Array.from(packed.a) };
  }
  if (reply.prepared) adoptPrepared1D(valid, reply.prepared);
  return valid;
}
