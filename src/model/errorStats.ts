/**
 * Error measures of a fitted sum against its target, and the error-against-N study: how fast the error
 * falls as units are added (piecewise-linear interpolation of a smooth target: error ∝ N^−2).
 */
import { evaluatePiecewise, piecewise1D } from './piecewise1d.ts';
import { FitError, interpolateNetwork, leastSquaresNetwork, uniformNodes } from './fit1d.ts';
import type { Network } from './network.ts';

export interface ErrorStats {
  /** Root mean square of values − targets. */
  rms: number;
  /** Largest |values − targets|. */
  max: number;
  /** Points counted: those where both are finite (NaN targets are undefined points, skipped). */
  count: number;
}

/** RMS and max error over the points where value and target are both finite; NaN for both when none are. */
export function errorStats(values: ArrayLike<number>, targets: ArrayLike<number>): ErrorStats {
  if (values.length !== targets.length) throw new RangeError(`length mismatch: ${values.length} values, ${targets.length} targets`);
  let sum = 0;
  let max = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - targets[i];
    if (!Number.isFinite(d)) continue;
    sum += d * d;
    if (Math.abs(d) > max) max = Math.abs(d);
    count++;
  }
  return count === 0 ? { rms: Number.NaN, max: Number.NaN, count } : { rms: Math.sqrt(sum / count), max, count };
}

export type Construction = 'interpolate-uniform' | 'interpolate-curvature' | 'least-squares';

export interface ErrorVsN {
  ns: number[];
  rms: number[];
  max: number[];
  /** Least-squares slope of log(rms) against log(N) over the points with non-zero, finite error (NaN if < 2). */
  slopeRms: number;
  slopeMax: number;
  /** Grid size actually used for each N (see errorVsN). */
  gridSizes: number[];
}

/** 1, 2, 4, … up to `max` (inclusive when a power of two): the default N axis of the error chart. */
export function powersOfTwo(max = 65_536): number[] {
  const out: number[] = [];
  for (let n = 1; n <= max; n *= 2) out.push(n);
  return out;
}

/** Least-squares slope of log y against log x over the pairs with x > 0 and finite y > 0. */
export function logLogSlope(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] > 0) || !(ys[i] > 0) || !Number.isFinite(ys[i])) continue;
    const lx = Math.log(xs[i]);
    const ly = Math.log(ys[i]);
    n++;
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  const den = n * sxx - sx * sx;
  return n >= 2 && den > 0 ? (n * sxy - sx * sy) / den : Number.NaN;
}

/** Builds the network of `construction` with n units (least squares: the uniform knots of interpolation). */
export function constructNetwork(
  f: (x: number) => number,
  n: number,
  domain: [number, number],
  construction: Construction,
  samples?: number,
): Network {
  switch (construction) {
    case 'interpolate-uniform':
      return interpolateNetwork(f, n, domain, 'uniform');
    case 'interpolate-curvature':
      return interpolateNetwork(f, n, domain, 'curvature');
    case 'least-squares':
      return leastSquaresNetwork(f, uniformNodes(n, domain).subarray(0, n), domain, { samples, ridge: 0 });
    default:
      throw new FitError(`unknown construction '${construction as string}'`);
  }
}

/**
 * RMS and max error of the `construction` against f on [lo, hi] for each N in `ns`, evaluated with the
 * exact piecewise form (O((N + G) log N) per N, so N = 65,536 takes a fraction of a second).
 * Errors are measured on an evenly spaced grid of max(gridSize, 8N + 1) points — at least 8 samples per
 * piece, so a grid coarser than the knots cannot hide the error (with G ≤ N the samples could all fall
 * on knots, where interpolation is exact). Least squares is fitted on that same grid, with no ridge.
 */
export function errorVsN(
  f: (x: number) => number,
  domain: [number, number],
  ns: number[],
  construction: Construction,
  gridSize = 4097,
): ErrorVsN {
  if (!Number.isInteger(gridSize) || gridSize < 2) throw new FitError(`gridSize must be an integer ≥ 2, got ${gridSize}`);
  const [lo, hi] = domain;
  const targetCache = new Map<number, { xs: Float64Array; ys: Float64Array }>();
  const gridFor = (g: number) => {
    let hit = targetCache.get(g);
    if (!hit) {
      const xs = new Float64Array(g);
      const ys = new Float64Array(g);
      for (let i = 0; i < g; i++) {
        xs[i] = i === g - 1 ? hi : lo + ((hi - lo) * i) / (g - 1);
        ys[i] = f(xs[i]);
      }
      hit = { xs, ys };
      targetCache.set(g, hit);
    }
    return hit;
  };
  const rms: number[] = [];
  const max: number[] = [];
  const gridSizes: number[] = [];
  for (const n of ns) {
    const g = Math.max(gridSize, 8 * n + 1);
    const { xs, ys } = gridFor(g);
    const net = constructNetwork(f, n, domain, construction, g);
    const stats = errorStats(evaluatePiecewise(piecewise1D(net), xs), ys);
    rms.push(stats.rms);
    max.push(stats.max);
    gridSizes.push(g);
  }
  return { ns: ns.slice(), rms, max, slopeRms: logLogSlope(ns, rms), slopeMax: logLogSlope(ns, max), gridSizes };
}
