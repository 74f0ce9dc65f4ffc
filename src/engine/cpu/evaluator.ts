import type { Network } from '../../model/network.ts';
import { validateNetwork } from '../../model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs, validateGrid1D, validateGrid2D } from '../../model/grid.ts';
import { type Regions, unitHash } from '../../model/regions.ts';
import { act, activationOf, isPiecewiseLinear } from '../../model/activation.ts';
import { evaluatePiecewise, piecewise1D, piecewiseOf } from '../../model/piecewise1d.ts';
import { type Evaluator, type Values, InvalidInputError, checkPoints, requireDim } from '../evaluator.ts';
import { evaluate2DSweep, regions2DSweep } from './sweep2d.ts';
import { outputArray } from './buffers.ts';

/**
 * From this many units on, 2D grids use the exact row sweep (O(R·(N + C))) instead of brute force (O(N·R·C)). The
 * bench measured the sweep 2–22× faster already at N = 2–8 (512²: 1.6 ms against 20–36 ms). At N = 1 the two
 * were within 30 % of each other in either order between runs (the allocation of the output was most of both);
 * with the sweep's values-only pass and reused outputs they are close, and one method at every N ≥ 1 gives the
 * calibration one CPU model instead of a brute-force size it cannot pick between (bench/NOTES.md).
 */
export const SWEEP_2D_MIN_UNITS = 1;

/**
 * Brute-force 1D evaluation in float64, O(N·G): the plain definition, kept as the reference
 * that every faster path (knot sweep, GPU kernels) is tested against. Writes into `out` when given (at least
 * `xs.length` entries; the result is its first `xs.length`, see outputArray), else into a new array.
 */
export function evaluate1DBrute(net: Network, xs: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = net.a.length;
  out = outputArray(out, xs.length, Float64Array);
  const activation = activationOf(net);
  for (let p = 0; p < xs.length; p++) {
    const x = xs[p];
    let s = 0;
    if (activation === 'relu') {
      for (let i = 0; i < n; i++) {
        const z = net.w[i] * x + net.b[i];
        if (z > 0) s += net.a[i] * z;
      }
    } else {
      for (let i = 0; i < n; i++) s += net.a[i] * act(activation, net.w[i] * x + net.b[i]);
    }
    out[p] = net.c + s;
  }
  return out;
}

/** Brute-force 2D evaluation in float64 over interleaved (x, y) pairs, O(N·G); into `out` as evaluate1DBrute. */
export function evaluate2DBrute(net: Network, xy: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = net.a.length;
  const g = xy.length >> 1;
  out = outputArray(out, g, Float64Array);
  const w = net.w;
  const activation = activationOf(net);
  for (let p = 0; p < g; p++) {
    const x = xy[2 * p];
    const y = xy[2 * p + 1];
    let s = 0;
    if (activation === 'relu') {
      for (let i = 0; i < n; i++) {
        const z = w[2 * i] * x + w[2 * i + 1] * y + net.b[i];
        if (z > 0) s += net.a[i] * z;
      }
    } else {
      for (let i = 0; i < n; i++) s += net.a[i] * act(activation, w[2 * i] * x + w[2 * i + 1] * y + net.b[i]);
    }
    out[p] = net.c + s;
  }
  return out;
}

/**
 * Active-unit count and activation-pattern id per (x, y) point; a unit is active where z > 0 (its ReLU or leaky
 * side of slope 1). Linear units never bend: every unit counts as active and the pattern is one id everywhere,
 * so the plane is one region. Sigmoid units have no creases: RegionsUndefinedError.
 */
export function regions2DBrute(net: Network, xy: ArrayLike<number>, out?: Regions): Regions {
  const special = regionsWithoutCreases(net, xy.length >> 1, out);
  if (special) return special;
  const n = net.a.length;
  const g = xy.length >> 1;
  const active = outputArray(out?.active, g, Uint32Array);
  const pattern = outputArray(out?.pattern, g, Uint32Array);
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) hashes[i] = unitHash(i);
  for (let p = 0; p < g; p++) {
    const x = xy[2 * p];
    const y = xy[2 * p + 1];
    let count = 0;
    let id = 0;
    for (let i = 0; i < n; i++) {
      if (net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i] > 0) {
        count++;
        id ^= hashes[i];
      }
    }
    active[p] = count;
    pattern[p] = id >>> 0;
  }
  return { active, pattern };
}

/** Thrown by regions2D for activations without linear regions (sigmoid): the map and readouts say so. */
export class RegionsUndefinedError extends InvalidInputError {
  override name = 'RegionsUndefinedError';
  constructor(readonly activation: string) {
    super(`linear regions are not defined for ${activation} units: a smooth activation has no creases (choose a piecewise-linear activation to see regions)`);
  }
}

/**
 * The regions of activations that have no knots, for `points` grid points: linear (one region, every unit active)
 * or sigmoid (throws RegionsUndefinedError); null for the others, whose regions follow z > 0. Linear regions are
 * written into `out`'s arrays when given (see outputArray).
 */
export function regionsWithoutCreases(net: Network, points: number, out?: Regions): Regions | null {
  const activation = activationOf(net);
  if (activation === 'sigmoid') throw new RegionsUndefinedError('sigmoid');
  if (activation !== 'linear') return null;
  return { active: outputArray(out?.active, points, Uint32Array).fill(net.a.length), pattern: outputArray(out?.pattern, points, Uint32Array).fill(0) };
}

/**
 * 1D evaluation by the exact knot sweep, O((N + G) log N); the default 1D CPU path.
 * Agrees with `evaluate1DBrute` to float64 rounding.
 */
export function evaluate1DSweep(net: Network, xs: ArrayLike<number>, out?: Float64Array): Float64Array {
  return evaluatePiecewise(piecewise1D(net), xs, out);
}

/**
 * The CPU backend: the float64 reference, and the app's fallback where WebGPU is missing.
 * It takes the exact sweeps where they beat brute force: the knot sweep in 1D, the row sweep on 2D grids.
 */
export class CpuEvaluator implements Evaluator {
  readonly kind = 'cpu' as const;
  constructor(readonly description = 'CPU') {}

  async evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values> {
    const valid = validateNetwork(net);
    checkPoints(points, valid.dim);
    if (valid.dim === 2) return evaluate2DBrute(valid, points);
    return isPiecewiseLinear(activationOf(valid)) ? evaluatePiecewise(piecewiseOf(valid), points) : evaluate1DBrute(valid, points);
  }

  async evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    const valid = validateNetwork(net);
    requireDim('evaluateGrid1D', valid, 1);
    const xs = gridXs(validateGrid1D(grid));
    // Sigmoid sums have no knots: the brute force is the exact method there.
    return isPiecewiseLinear(activationOf(valid)) ? evaluatePiecewise(piecewiseOf(valid), xs) : evaluate1DBrute(valid, xs);
  }

  /**
   * `out`, when given (at least nx·ny entries), receives the values and the result is its first nx·ny entries
   * (see outputArray): for callers that evaluate again and again and keep no result (the calibration's timings).
   */
  async evaluateGrid2D(net: Network, grid: Grid2D, out?: Float64Array): Promise<Values> {
    const valid = validateNetwork(net);
    requireDim('evaluateGrid2D', valid, 2);
    const g = validateGrid2D(grid);
    const sweeps = valid.a.length >= SWEEP_2D_MIN_UNITS && isPiecewiseLinear(activationOf(valid));
    return sweeps ? evaluate2DSweep(valid, g, out) : evaluate2DBrute(valid, gridPoints2D(g), out);
  }

  /** `out`, when given, receives the active counts and pattern ids as evaluateGrid2D's `out` the values. */
  async regions2D(net: Network, grid: Grid2D, out?: Regions): Promise<Regions> {
    const valid = validateNetwork(net);
    requireDim('regions2D', valid, 2);
    const g = validateGrid2D(grid);
    const special = regionsWithoutCreases(valid, g.nx * g.ny, out);
    if (special) return special;
    return valid.a.length >= SWEEP_2D_MIN_UNITS ? regions2DSweep(valid, g, out) : regions2DBrute(valid, gridPoints2D(g), out);
  }

  destroy(): void {}
}
