/**
 * The messages between the main thread and the CPU grid worker, and the worker's handler as a plain function (so
 * Node tests run exactly what the worker runs). The main thread validates every input before posting (so input
 * errors keep their types and are thrown where the call was made); the worker trusts what it is given.
 */
import type { ValidNetwork } from '../../model/network.ts';
import type { Grid2D } from '../../model/grid.ts';
import { gridPoints2D } from '../../model/grid.ts';
import { errorStats } from '../../model/errorStats.ts';
import { type ResolvedTarget2D, type Target2DSpec, resolveTarget2D, sampleTarget2D } from '../../model/targets2d.ts';
import { activationOf, isPiecewiseLinear } from '../../model/activation.ts';
import { SWEEP_2D_MIN_UNITS, evaluate1DBrute, evaluate2DBrute, regions2DBrute, regionsWithoutCreases } from './evaluator.ts';
import { evaluatePiecewise, piecewiseOf } from '../../model/piecewise1d.ts';
import { sweep2D } from './sweep2d.ts';
import { ReusedF64, outputArray } from './buffers.ts';
import { type MapImage, type MapImageSpec, colourMapImage, finiteRange } from '../../model/mapImage.ts';

/** What one grid job computes over one 2D grid (any subset). */
export interface Grid2DWants {
  values?: boolean;
  regions?: boolean;
  /** The target sampled over the grid (NaN where it is not finite), as `sampleTarget2D` does. */
  target?: Target2DSpec;
  /**
   * The map coloured from them (values are then computed; regions mode needs `regions`, error mode `target`):
   * colouring a 2048² map took the main thread hundreds of milliseconds.
   */
  image?: MapImageSpec;
}

/**
 * A coloured map as it comes back: from a worker that can make one, an ImageBitmap (drawn without a
 * putImageData on the main thread) and no bytes; else the bytes.
 */
export type GridImage = Omit<MapImage, 'rgba'> & { rgba: Uint8ClampedArray | null; bitmap: ImageBitmap | null };

/** The answer of a grid job: the arrays asked for, row-major. */
export interface Grid2DResult {
  values: Float64Array | null;
  active: Uint32Array | null;
  pattern: Uint32Array | null;
  target: Float64Array | null;
  /** The lowest and highest finite value (null without values, or none finite): the surface's height range. */
  range: [number, number] | null;
  /** The map, when `wants.image` asked for it. */
  image: GridImage | null;
}

/**
 * A network as it crosses: its arrays as Float64Array (a structured clone of three plain arrays of 65,536 numbers
 * took 100–350 ms of main thread; typed arrays are copied whole), under a number the worker keeps it by, so later
 * jobs on the same network send only that number (`net` omitted).
 */
export interface NetRef {
  netId: number;
  net?: { dim: 1 | 2; w: Float64Array; b: Float64Array; a: Float64Array; c: number; activation?: string };
}

/** One job for the worker. */
export type GridRequest = NetRef &
  (
    | { id: number; op: 'grid2d'; grid: Grid2D; wants: Grid2DWants }
    | { id: number; op: 'points'; points: Float64Array }
    | { id: number; op: 'errors2d'; grid: Grid2D; target: Target2DSpec }
    | { id: number; op: 'colour'; values: Float64Array | Float32Array; target: Float64Array | null; pattern: Uint32Array | null; nx: number; ny: number; spec: MapImageSpec }
  );

/** Networks the worker keeps (the same rule on both sides: the newest sent, first in first out). */
export const KEPT_NETWORKS = 4;

/** The networks a handler has been sent, by number (one per worker, or per in-process evaluator). */
export class NetCache {
  private readonly nets = new Map<number, ValidNetwork>();

  /** The request's network: the one it carries (kept from now on), else the one kept under its number. */
  resolve(ref: NetRef): ValidNetwork {
    if (ref.net) {
      // The arrays are Float64Arrays: every loop here only reads them by index.
      const net = ref.net as unknown as ValidNetwork;
      this.nets.set(ref.netId, net);
      while (this.nets.size > KEPT_NETWORKS) this.nets.delete(this.nets.keys().next().value as number);
      return net;
    }
    const net = this.nets.get(ref.netId);
    if (!net) throw new Error(`network ${ref.netId} is not kept here`);
    return net;
  }
}

/** The worker's answer (`result` by op), or the message of an unexpected failure. */
export type GridReply =
  | { id: number; ok: true; grid?: Grid2DResult; values?: Float64Array; errors?: { max: number; rms: number }; image?: GridImage }
  | { id: number; ok: false; message: string };

const resolved = new Map<string, ResolvedTarget2D>();

/** A target spec resolved once (a data target builds its interpolant): the last few are kept. */
function resolvedTarget(spec: Target2DSpec): ResolvedTarget2D {
  const key = JSON.stringify(spec);
  let t = resolved.get(key);
  if (!t) {
    t = resolveTarget2D(spec);
    if (resolved.size >= 4) resolved.delete(resolved.keys().next().value as string);
    resolved.set(key, t);
  }
  return t;
}

/**
 * Values, regions and target of a (validated) 2D network over a (validated) grid: the CPU evaluator's methods.
 * `valuesOut`, when given (at least nx·ny entries), receives the values (for a caller that keeps no result: the
 * reply's arrays are transferred, so a reply's result is always a new array).
 */
export function computeGrid2D(net: ValidNetwork, grid: Grid2D, wants: Grid2DWants, valuesOut?: Float64Array): Grid2DResult {
  const n = net.a.length;
  const points = grid.nx * grid.ny;
  const pl = isPiecewiseLinear(activationOf(net));
  const sweeps = n >= SWEEP_2D_MIN_UNITS && pl;
  let values: Float64Array | null = null;
  let active: Uint32Array | null = null;
  let pattern: Uint32Array | null = null;
  const special = wants.regions ? regionsWithoutCreases(net, points) : null;
  if (special) {
    active = special.active;
    pattern = special.pattern;
  }
  const sweepRegions = !!wants.regions && !special && sweeps;
  const sweepValues = !!(wants.values || wants.image) && sweeps;
  if (sweepRegions || sweepValues) {
    // One sweep gives both when both are wanted (the knots are placed once per row).
    const r = sweep2D(net, grid, { values: sweepValues, regions: sweepRegions, out: { values: valuesOut } });
    if (sweepValues) values = r.values;
    if (sweepRegions) {
      active = r.active;
      pattern = r.pattern;
    }
  }
  if (((wants.values || wants.image) && !values) || (wants.regions && !active)) {
    const xy = gridPoints2D(grid);
    if ((wants.values || wants.image) && !values) values = n === 0 ? outputArray(valuesOut, points, Float64Array).fill(net.c) : evaluate2DBrute(net, xy, valuesOut);
    if (wants.regions && !active) ({ active, pattern } = regions2DBrute(net, xy));
  }
  const target = wants.target ? sampleTarget2D(resolvedTarget(wants.target), grid) : null;
  const image = wants.image ? { ...colourMapImage(values!, target, pattern, grid.nx, grid.ny, wants.image), bitmap: null } : null;
  return { values, active, pattern, target, range: values ? finiteRange(values) : null, image };
}

/** Values at points (1D: x per value; 2D: interleaved pairs), as CpuEvaluator.evaluatePoints computes them. */
export function computePoints(net: ValidNetwork, points: Float64Array): Float64Array {
  if (net.dim === 2) return evaluate2DBrute(net, points);
  return isPiecewiseLinear(activationOf(net)) ? evaluatePiecewise(piecewiseOf(net), points) : evaluate1DBrute(net, points);
}

/** The values of error readouts, kept per thread (only the two numbers leave computeErrors2D). */
const errorValues = new ReusedF64();

/** Max and RMS error of a 2D network against a target over a grid (the 2D explorer's error readouts). */
export function computeErrors2D(net: ValidNetwork, grid: Grid2D, target: Target2DSpec): { max: number; rms: number } {
  const r = computeGrid2D(net, grid, { values: true, target }, errorValues.get(grid.nx * grid.ny));
  const st = errorStats(r.values!, r.target!);
  return { max: st.max, rms: st.rms };
}

/** Runs one request against the networks in `cache`; never throws (every failure becomes a reply). */
export function handleGridMessage(req: GridRequest, cache: NetCache): GridReply {
  try {
    if (req.op === 'colour') return { id: req.id, ok: true, image: { ...colourMapImage(req.values, req.target, req.pattern, req.nx, req.ny, req.spec), bitmap: null } };
    const net = cache.resolve(req);
    switch (req.op) {
      case 'grid2d':
        return { id: req.id, ok: true, grid: computeGrid2D(net, req.grid, req.wants) };
      case 'points':
        return { id: req.id, ok: true, values: computePoints(net, req.points) };
      case 'errors2d':
        return { id: req.id, ok: true, errors: computeErrors2D(net, req.grid, req.target) };
    }
  } catch (e) {
    return { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The buffers a reply can hand over without copying. */
export function transferablesOf(reply: GridReply): ArrayBuffer[] {
  if (!reply.ok) return [];
  const out: ArrayBuffer[] = [];
  const g = reply.grid;
  for (const a of [g?.values, g?.active, g?.pattern, g?.target, g?.image?.rgba, g?.image?.contours, reply.values, reply.image?.rgba, reply.image?.contours]) if (a) out.push(a.buffer as ArrayBuffer);
  // The same buffer twice is refused by postMessage (linear regions share nothing, but be safe).
  return [...new Set(out)];
}

/** The transferables of a reply: its buffers and its map's bitmap. */
export function transferListOf(reply: GridReply): Transferable[] {
  const image = reply.ok ? (reply.grid?.image ?? reply.image) : undefined;
  return [...transferablesOf(reply), ...(image?.bitmap ? [image.bitmap] : [])];
}

/**
 * Turns a reply's map bytes into an ImageBitmap where the scope can make one (a worker in the browser), so the
 * main thread only draws it; elsewhere, or if that fails, the reply keeps its bytes.
 */
export async function withBitmap(reply: GridReply): Promise<GridReply> {
  const image = reply.ok ? (reply.grid?.image ?? reply.image) : undefined;
  if (!image?.rgba || typeof createImageBitmap !== 'function' || typeof ImageData !== 'function') return reply;
  try {
    image.bitmap = await createImageBitmap(new ImageData(image.rgba as Uint8ClampedArray<ArrayBuffer>, image.nx, image.ny));
    image.rgba = null;
  } catch {
    // The bytes still draw (with a putImageData).
  }
  return reply;
}
