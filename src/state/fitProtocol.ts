/**
 * The messages between the store and the fit worker, and the worker's handler as a plain function (so Node
 * tests run exactly what the worker runs). Only JSON-like data crosses: the worker resolves the target
 * spec itself.
 */
import type { Network } from '../model/network.ts';
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

/** The worker's answer: the network, or the StateError it raised (`field` null for an unexpected error). */
export type FitReply =
  | { id: number; ok: true; network: Network }
  | { id: number; ok: false; field: string | null; message: string };

/** Runs one fit request; never throws (every failure becomes a reply). */
export function handleFitMessage(req: FitRequest): FitReply {
  try {
    return { id: req.id, ok: true, network: construct(req.inputs, req.inputs.build, req.gram) };
  } catch (e) {
    if (e instanceof StateError) return { id: req.id, ok: false, field: e.field, message: e.detail };
    return { id: req.id, ok: false, field: null, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The network of a reply, or the error it carries (a StateError when the fit itself failed). */
export function decodeFitReply(reply: FitReply): Network {
  if (reply.ok) return reply.network;
  if (reply.field !== null) throw new StateError(reply.field, reply.message);
  throw new Error(`The fit worker failed: ${reply.message}`);
}
