import type { Network } from '../../model/network.ts';
import { type Grid2D, gridStep } from '../../model/grid.ts';
import { type Regions, unitHash } from '../../model/regions.ts';
import { act, activationOf, plSlope } from '../../model/activation.ts';

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
}

/** Row-major values of a 2D network on a grid by the row sweep (float64, agrees with `evaluate2DBrute`). */
export function evaluate2DSweep(net: Network, grid: Grid2D): Float64Array {
  return sweep2D(net, grid, { values: true, regions: false }).values!;
}

/** Active counts and pattern ids on a grid by the row sweep (agrees with `regions2DBrute` off creases). */
export function regions2DSweep(net: Network, grid: Grid2D): Regions {
  const r = sweep2D(net, grid, { values: false, regions: true });
  return { active: r.active!, pattern: r.pattern! };
}

/** The sweep itself; callers pick the outputs. The network and grid are trusted (validate at the boundary). */
export function sweep2D(net: Network, grid: Grid2D, opts: Sweep2DOptions = {}): Sweep2DResult {
  if (net.dim !== 2) throw new Error('sweep2D needs a 2D network');
  const activation = activationOf(net);
  // plSlope throws for sigmoid: the sweep serves piecewise-linear sums only.
  const alpha = plSlope(activation);
  const jump = 1 - alpha;
  const wantValues = opts.values ?? true;
  const wantRegions = opts.regions ?? true;
  const n = net.a.length;
  const { nx, ny } = grid;
  const dx = gridStep(grid.xMin, grid.xMax, nx);
  const dy = gridStep(grid.yMin, grid.yMax, ny);
  const values = wantValues ? new Float64Array(nx * ny) : null;
  const active = wantRegions ? new Uint32Array(nx * ny) : null;
  const pattern = wantRegions ? new Uint32Array(nx * ny) : null;

  // Units that bend along rows (w1 ≠ 0) are swept; the others are constant on each row.
  const bend: number[] = [];
  const flat: number[] = [];
  for (let i = 0; i < n; i++) (net.w[2 * i] !== 0 ? bend : flat).push(i);
  const m = bend.length;
  const w1 = new Float64Array(m);
  const w2 = new Float64Array(m);
  const bb = new Float64Array(m);
  const aa = new Float64Array(m);
  const hash = new Uint32Array(m);
  // Per-unit constants hoisted out of the row loop: −1/w1 (a multiply instead of a division per row) and a·w1.
  const negInv = new Float64Array(m);
  const aw1 = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = bend[k];
    w1[k] = net.w[2 * i];
    w2[k] = net.w[2 * i + 1];
    bb[k] = net.b[i];
    aa[k] = net.a[i];
    hash[k] = unitHash(i);
    negInv[k] = -1 / w1[k];
    aw1[k] = aa[k] * w1[k];
  }
  const flatHash = Uint32Array.from(flat, unitHash);

  const xs = new Float64Array(nx);
  for (let c = 0; c < nx; c++) xs[c] = grid.xMin + c * dx;
  // Per-column changes, cleared on every row; index nx collects knots right of the grid (ignored).
  const dSlope = new Float64Array(nx + 1);
  const dIcpt = new Float64Array(nx + 1);
  const dCount = new Int32Array(nx + 1);
  const dId = new Uint32Array(nx + 1);
  const invDx = dx > 0 ? 1 / dx : 0;

  for (let r = 0; r < ny; r++) {
    const y = grid.yMin + r * dy;
    // Start left of every knot: units with w1 < 0 are active there, plus the active flat units.
    let slope = 0;
    let icpt = net.c;
    let count = 0;
    let id = 0;
    for (let q = 0; q < flat.length; q++) {
      const i = flat[q];
      const z = net.w[2 * i + 1] * y + net.b[i];
      if (z > 0) {
        icpt += net.a[i] * z;
        count++;
        id ^= flatHash[q];
      } else if (alpha !== 0) icpt += net.a[i] * act(activation, z);
    }
    dSlope.fill(0);
    dIcpt.fill(0);
    if (wantRegions) {
      dCount.fill(0);
      dId.fill(0);
    }
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
      // First column where the unit has switched: a guess from the division, made exact by comparisons.
      const t = Math.ceil((knot - grid.xMin) * invDx);
      let c = t > 0 ? (t < nx ? t : nx) : 0;
      if (neg) {
        while (c > 0 && !(xs[c - 1] < knot)) c--;
        while (c < nx && xs[c] < knot) c++;
      } else {
        while (c > 0 && xs[c - 1] > knot) c--;
        while (c < nx && !(xs[c] > knot)) c++;
      }
      if (c === nx) continue;
      const s = neg ? -1 : 1;
      dSlope[c] += s * jump * aw1[k];
      dIcpt[c] += s * jump * aa[k] * off;
      if (wantRegions) {
        dCount[c] += s;
        dId[c] ^= hash[k];
      }
    }

    const base = r * nx;
    for (let c = 0; c < nx; c++) {
      slope += dSlope[c];
      icpt += dIcpt[c];
      count += dCount[c];
      id ^= dId[c];
      if (values) values[base + c] = slope * xs[c] + icpt;
      if (active) {
        active[base + c] = count;
        pattern![base + c] = id >>> 0;
      }
    }
  }
  return { values, active, pattern };
}
