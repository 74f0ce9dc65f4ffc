import { InvalidNetworkError, type Network } from '../model/network.ts';
import { type Grid1D, type Grid2D, InvalidGridError } from '../model/grid.ts';
import { TrainError } from '../model/train1d.ts';
import type { Regions } from '../model/regions.ts';

export type BackendKind = 'webgpu' | 'cpu';

/** Values computed by a backend: float64 on the CPU (the reference), float32 on the GPU. */
export type Values = Float32Array | Float64Array;

/**
 * The one interface both backends implement. Every call validates its inputs and evaluates the
 * network passed to it; the GPU backend caches uploaded units and reuses its buffers between calls.
 */
export interface Evaluator {
  readonly kind: BackendKind;
  /** Human-readable backend description, e.g. "WebGPU — SwiftShader Device" or "CPU fallback — no adapter". */
  readonly description: string;
  /** 1D: one x per value; 2D: interleaved (x, y) pairs. */
  evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values>;
  evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values>;
  /** Row-major values (index j·nx + i). */
  evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values>;
  /** Number of active units and activation-pattern id per grid point (see model/regions.ts). */
  regions2D(net: Network, grid: Grid2D): Promise<Regions>;
  destroy(): void;
}

/** Thrown when evaluation inputs (points) are malformed. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Thrown when a call needs a network of the other dimension (e.g. `evaluateGrid1D` given a 2D network). */
export class DimensionMismatchError extends InvalidInputError {
  override name = 'DimensionMismatchError';
  constructor(
    readonly call: string,
    readonly expected: 1 | 2,
    readonly got: number,
  ) {
    super(`${call} needs a ${expected}D network, got a ${got}D one`);
  }
}

/** Throws DimensionMismatchError unless `net` has dimension `dim`. */
export function requireDim(call: string, net: Network, dim: 1 | 2): void {
  if (net.dim !== dim) throw new DimensionMismatchError(call, dim, net.dim);
}

/**
 * True for a caller's mistake (bad network, grid, points, dimension, training input): such errors are rethrown
 * as they are and never taken for a GPU fault (no recovery, no fallback).
 */
export function isInputError(e: unknown): boolean {
  return e instanceof InvalidNetworkError || e instanceof InvalidGridError || e instanceof InvalidInputError || e instanceof TrainError;
}

/** Checks a point list for a network of dimension `dim`: finite numbers, whole (x, y) pairs in 2D. */
export function checkPoints(points: ArrayLike<number>, dim: 1 | 2): void {
  if (points === null || typeof points !== 'object' || typeof points.length !== 'number') {
    throw new InvalidInputError('inputs must be an array or a Float32Array/Float64Array of numbers');
  }
  if (dim === 2 && points.length % 2 !== 0) {
    throw new InvalidInputError(`2D inputs are interleaved (x, y) pairs: got an odd length ${points.length}`);
  }
  for (let i = 0; i < points.length; i++) {
    const v = points[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidInputError(`inputs[${i}] must be a finite number, got ${String(v)}`);
    }
  }
}
