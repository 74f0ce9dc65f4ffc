import type { Network } from '../../model/network.ts';
import { type Grid2D, gridStep } from '../../model/grid.ts';
import { type Regions, unitHash } from '../../model/regions.ts';
import { act, activationOf, plSlope } from '../../model/activation.ts';
import { grown, outputArray } from './buffers.ts';

/**
 * The exact 2D row sweep on the CPU: O(R·(N + C)) for R rows of C columns instead of the brute force's O(N·R·C).
 *
 * On row y, unit i is the 1D ReLU max(0, w1ᵢ·x + (w2ᵢ·y + bᵢ)) with its knot at kᵢ = −(w2ᵢ·y + bᵢ)/w1ᵢ.
 * Left of every knot only the units with w1 < 0 are active; moving right across a knot switches a unit with
 * w1 > 0 on and one with w1 < 0 off, so along the row f = c + S·x + I with a running slope S and intercept I,
 * and the active count and activation-pattern id (XOR of unitHash, order-free) change at knots only.
 * The grid samples are sorted already, so instead of sorting knots each one is dropped into the bucket of
 * the first column where its unit has switched (a division, then exact comparisons against the column's x);
 * a prefix sum over the columns then gives S, I, count and id at every sample. Units with w1 = 0 are
 * constant along the row.
 *
 * Leaky and linear units (φ = α·z left of the knot) work the same way: left of every knot a unit with w1 > 0 adds
 * α·a·z, and each knot changes S and I by ±(1 − α)·(a·w1, a·off); α = 1 (linear) never changes them. The regions
 * count the slope-1 side as active (for linear units the evaluator answers one region without sweeping).
 *
 * Activity follows the brute force's `z > 0`: a unit with w1 > 0 is on at columns strictly right of its knot,
 * one with w1 < 0 is off at columns at or right of it. Points within rounding of a crease may still differ
 * from the brute force there (the knot and z round differently); values agree since f is continuous.
 */
export interface Sweep2DResult {
  values: Float64Array | null;
  active: Uint32Array | null;
  pattern: Uint32Array | null;
}

/** Which outputs to compute; the benchmark times values alone. */
export interface Sweep2DOptions {
  values?: boolean;
  regions?: boolean;
  /**
   * Arrays to write the outputs into instead of new ones (each at least nx·ny entries; the result is a view of
   * the first nx·ny, every one overwritten, see outputArray).
   */
  out?: { values?: Float64Array; active?: Uint32Array; pattern?: Uint32Array };
}

/** Row-major values of a 2D network on a grid by the row sweep (float64, agrees with `evaluate2DBrute`). */
export function evaluate2DSweep(net: Network, grid: Grid2D, out?: Float64Array): Float64Array {
  return sweep2D(net, grid, { values: true, regions: false, out: { values: out } }).values!;
}

/** Active counts and pattern ids on a grid by the row sweep (agrees with `regions2DBrute` off creases). */
export function regions2DSweep(net: Network, grid: Grid2D, out?: Regions): Regions {
  const r = sweep2D(net, grid, { values: false, regions: true, out });
  return { active: r.active!, pattern: r.pattern! };
}

/**
 * The sweep's working arrays, kept per thread (module state: each worker has its own) and grown only when a call
 * needs more. At 65,536 units the per-unit constants alone were 3.5 MiB allocated per call, and fresh pages cost
 * about 6 ms per 2 MiB on the bench's VM (bench/NOTES.md). The sweep is synchronous, so no two calls share them.
 */
const scratch = {
  bend: new Int32Array(0),
  flat: new Int32Array(0),
  w1: new Float64Array(0),
  w2: new Float64Array(0),
  bb: new Float64Array(0),
  aa: new Float64Array(0),
  hash: new Uint32Array(0),
  flatHash: new Uint32Array(0),
  negInv: new Float64Array(0),
  aw1: new Float64Array(0),
  xs: new Float64Array(0),
  dSlope: new Float64Array(0),
  dIcpt: new Float64Array(0),
  dCount: new Int32Array(0),
  dId: new Uint32Array(0),
};

/** The sweep itself; callers pick the outputs. The network and grid are trusted (validate at the boundary). */
export function sweep2D(net: Network, grid: Grid2D, opts: Sweep2DOptions = {}): Sweep2DResult {
  if (net.dim !== 2) throw new Error('sweep2D needs a 2D network');
  const activation = activationOf(net);
  // plSlope throws for sigmoid: the sweep serves piecewise-linear sums only.
  const alpha = plSlope(activation);
  const wantValues = opts.values ?? true;
  const wantRegions = opts.regions ?? true;
  const n = net.a.length;
  const { nx, ny } = grid;
  const values = wantValues ? outputArray(opts.out?.values, nx * ny, Float64Array) : null;
  const active = wantRegions ? outputArray(opts.out?.active, nx * ny, Uint32Array) : null;
  const pattern = wantRegions ? outputArray(opts.out?.pattern, nx * ny, Uint32Array) : null;

  // Units that bend along rows (w1 ≠ 0) are swept; the others are constant on each row.
  const bend = (scratch.bend = grown(scratch.bend, n, Int32Array));
  const flat = (scratch.flat = grown(scratch.flat, n, Int32Array));
  let m = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    if (net.w[2 * i] !== 0) bend[m++] = i;
    else flat[f++] = i;
  }
  const w1 = (scratch.w1 = grown(scratch.w1, m, Float64Array));
  const w2 = (scratch.w2 = grown(scratch.w2, m, Float64Array));
  const bb = (scratch.bb = grown(scratch.bb, m, Float64Array));
  const aa = (scratch.aa = grown(scratch.aa, m, Float64Array));
  // Per-unit constants hoisted out of the row loop: −1/w1 (a multiply instead of a division per row) and a·w1.
  const negInv = (scratch.negInv = grown(scratch.negInv, m, Float64Array));
  const aw1 = (scratch.aw1 = grown(scratch.aw1, m, Float64Array));
  for (let k = 0; k < m; k++) {
    const i = bend[k];
    w1[k] = net.w[2 * i];
    w2[k] = net.w[2 * i + 1];
    bb[k] = net.b[i];
    aa[k] = net.a[i];
    negInv[k] = -1 / w1[k];
    aw1[k] = aa[k] * w1[k];
  }
  const dx = gridStep(grid.xMin, grid.xMax, nx);
  const xs = (scratch.xs = grown(scratch.xs, nx, Float64Array));
  for (let c = 0; c < nx; c++) xs[c] = grid.xMin + c * dx;
  // Per-column changes, cleared on every row; index nx collects knots right of the grid (ignored).
  scratch.dSlope = grown(scratch.dSlope, nx + 1, Float64Array);
  scratch.dIcpt = grown(scratch.dIcpt, nx + 1, Float64Array);
  const units: SweepUnits = { m, flat, flatCount: f, w1, w2, bb, aa, negInv, aw1, xs };
  if (!wantRegions) {
    if (values) sweepValues(net, grid, alpha, units, values);
    return { values, active, pattern };
  }
  const hash = (scratch.hash = grown(scratch.hash, m, Uint32Array));
  for (let k = 0; k < m; k++) hash[k] = unitHash(bend[k]);
  const flatHash = (scratch.flatHash = grown(scratch.flatHash, f, Uint32Array));
  for (let q = 0; q < f; q++) flatHash[q] = unitHash(flat[q]);
  scratch.dCount = grown(scratch.dCount, nx + 1, Int32Array);
  scratch.dId = grown(scratch.dId, nx + 1, Uint32Array);
  sweepAll(net, grid, alpha, units, hash, flatHash, values, active!, pattern!);
  return { values, active, pattern };
}

/** The per-call unit constants of a sweep (views into the scratch arrays; `m` bending units, `flatCount` flat). */
interface SweepUnits {
  m: number;
  flat: Int32Array;
  flatCount: number;
  w1: Float64Array;
  w2: Float64Array;
  bb: Float64Array;
  aa: Float64Array;
  negInv: Float64Array;
  aw1: Float64Array;
  xs: Float64Array;
}

/**
 * First column where unit k has switched on row offset `off`'s knot: a guess from the division, made exact by
 * comparisons (strictly right of the knot for w1 > 0, at or right of it for w1 < 0); nx when right of the grid.
 */
function switchColumn(knot: number, neg: boolean, xMin: number, invDx: number, xs: Float64Array, nx: number): number {
  const t = Math.ceil((knot - xMin) * invDx);
  let c = t > 0 ? (t < nx ? t : nx) : 0;
  if (neg) {
    while (c > 0 && !(xs[c - 1] < knot)) c--;
    while (c < nx && xs[c] < knot) c++;
  } else {
    while (c > 0 && xs[c - 1] > knot) c--;
    while (c < nx && !(xs[c] > knot)) c++;
  }
  return c;
}

/**
 * The values-only pass (what the frame's surface and the bench's cpu-sweep need): the same arithmetic, in the same
 * order, as sweepAll's values, without the active count and pattern id.
 */
function sweepValues(net: Network, grid: Grid2D, alpha: number, u: SweepUnits, values: Float64Array): void {
  const activation = activationOf(net);
  const jump = 1 - alpha;
  const { nx, ny } = grid;
  const dx = gridStep(grid.xMin, grid.xMax, nx);
  const dy = gridStep(grid.yMin, grid.yMax, ny);
  const invDx = dx > 0 ? 1 / dx : 0;
  const { m, flat, flatCount, w1, w2, bb, aa, negInv, aw1, xs } = u;
  const dSlope = scratch.dSlope;
  const dIcpt = scratch.dIcpt;
  for (let r = 0; r < ny; r++) {
    const y = grid.yMin + r * dy;
    // Start left of every knot: units with w1 < 0 are active there, plus the active flat units.
    let slope = 0;
    let icpt = net.c;
    for (let q = 0; q < flatCount; q++) {
      const i = flat[q];
      const z = net.w[2 * i + 1] * y + net.b[i];
      if (z > 0) icpt += net.a[i] * z;
      else if (alpha !== 0) icpt += net.a[i] * act(activation, z);
    }
    dSlope.fill(0, 0, nx + 1);
    dIcpt.fill(0, 0, nx + 1);
    for (let k = 0; k < m; k++) {
      const off = w2[k] * y + bb[k];
      const knot = off * negInv[k];
      const neg = w1[k] < 0;
      if (neg) {
        slope += aw1[k];
        icpt += aa[k] * off;
      } else if (alpha !== 0) {
        slope += alpha * aw1[k];
        icpt += alpha * aa[k] * off;
      }
      const c = switchColumn(knot, neg, grid.xMin, invDx, xs, nx);
      if (c === nx) continue;
      const s = neg ? -1 : 1;
      dSlope[c] += s * jump * aw1[k];
      dIcpt[c] += s * jump * aa[k] * off;
    }
    const base = r * nx;
    for (let c = 0; c < nx; c++) {
      slope += dSlope[c];
      icpt += dIcpt[c];
      values[base + c] = slope * xs[c] + icpt;
    }
  }
}

/** The full pass: active counts and pattern ids, and the values too when `values` is given. */
function sweepAll(
  net: Network,
  grid: Grid2D,
  alpha: number,
  u: SweepUnits,
  hash: Uint32Array,
  flatHash: Uint32Array,
  values: Float64Array | null,
  active: Uint32Array,
  pattern: Uint32Array,
): void {
  const activation = activationOf(net);
  const jump = 1 - alpha;
  const { nx, ny } = grid;
  const dx = gridStep(grid.xMin, grid.xMax, nx);
  const dy = gridStep(grid.yMin, grid.yMax, ny);
  const invDx = dx > 0 ? 1 / dx : 0;
  const { m, flat, flatCount, w1, w2, bb, aa, negInv, aw1, xs } = u;
  const { dSlope, dIcpt, dCount, dId } = scratch;
  for (let r = 0; r < ny; r++) {
    const y = grid.yMin + r * dy;
    // Start left of every knot: units with w1 < 0 are active there, plus the active flat units.
    let slope = 0;
    let icpt = net.c;
    let count = 0;
    let id = 0;
    for (let q = 0; q < flatCount; q++) {
      const i = flat[q];
      const z = net.w[2 * i + 1] * y + net.b[i];
      if (z > 0) {
        icpt += net.a[i] * z;
        count++;
        id ^= flatHash[q];
      } else if (alpha !== 0) icpt += net.a[i] * act(activation, z);
    }
    dSlope.fill(0, 0, nx + 1);
    dIcpt.fill(0, 0, nx + 1);
    dCount.fill(0, 0, nx + 1);
    dId.fill(0, 0, nx + 1);
    for (let k = 0; k < m; k++) {
      const off = w2[k] * y + bb[k];
      const knot = off * negInv[k];
      const neg = w1[k] < 0;
      if (neg) {
        slope += aw1[k];
        icpt += aa[k] * off;
        count++;
        id ^= hash[k];
      } else if (alpha !== 0) {
        slope += alpha * aw1[k];
        icpt += alpha * aa[k] * off;
      }
      const c = switchColumn(knot, neg, grid.xMin, invDx, xs, nx);
      if (c === nx) continue;
      const s = neg ? -1 : 1;
      dSlope[c] += s * jump * aw1[k];
      dIcpt[c] += s * jump * aa[k] * off;
      dCount[c] += s;
      dId[c] ^= hash[k];
    }
    const base = r * nx;
    for (let c = 0; c < nx; c++) {
      slope += dSlope[c];
      icpt += dIcpt[c];
      count += dCount[c];
      id ^= dId[c];
      if (values) values[base + c] = slope * xs[c] + icpt;
      active[base + c] = count;
      pattern[base + c] = id >>> 0;
    }
  }
}
