/**
 * Building a 1D ReLU sum from a target in closed form: interpolation through knots, and ridge least
 * squares with fixed knots. All units are w = 1, b = −knot, so unit i bends the sum at its knot and
 * a_i is the change of slope there.
 */
import { MAX_UNITS, type Network } from './network.ts';
import { type Activation, LEAKY_SLOPE, act } from './activation.ts';
import { solveRidge } from './fit2d.ts';

/** A fit that cannot be made (bad arguments, a target undefined everywhere). */
export class FitError extends Error {
  override name = 'FitError';
}

export type KnotPlacement = 'uniform' | 'curvature';

function checkDomain(domain: [number, number]): [number, number] {
  if (!Array.isArray(domain) || domain.length !== 2) throw new FitError('domain must be [lo, hi]');
  const [lo, hi] = domain;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new FitError(`domain must be finite with lo < hi, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

function checkUnits(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_UNITS) throw new FitError(`unit count must be an integer from 1 to ${MAX_UNITS}, got ${n}`);
}

/** Knots and end point: t_0 = lo < t_1 < … < t_{n−1} < t_n = hi, evenly spaced. */
export function uniformNodes(n: number, domain: [number, number]): Float64Array {
  const [lo, hi] = checkDomain(domain);
  const t = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) t[i] = lo + ((hi - lo) * i) / n;
  t[n] = hi;
  return t;
}

/**
 * Nodes t_0 = lo < … < t_n = hi equidistributing the density |f''|^(1/2) (the optimal knot density for
 * piecewise-linear interpolation in the max norm: the error on a piece of width h is ≈ h²·|f''|/8).
 * f'' is estimated by central differences on a dense grid of max(4097, 8n + 1) points (at most 2^20 + 1);
 * a tenth of the mean density is added everywhere so flat stretches still get knots, and a linear target
 * gets uniform nodes. Points where f is undefined count as flat.
 */
export function curvatureNodes(f: (x: number) => number, n: number, domain: [number, number]): Float64Array {
  const [lo, hi] = checkDomain(domain);
  const m = Math.min((1 << 20) + 1, Math.max(4097, 8 * n + 1));
  const h = (hi - lo) / (m - 1);
  const fx = new Float64Array(m);
  for (let j = 0; j < m; j++) fx[j] = f(j === m - 1 ? hi : lo + j * h);
  const rho = new Float64Array(m);
  let mean = 0;
  for (let j = 1; j < m - 1; j++) {
    const d2 = (fx[j + 1] - 2 * fx[j] + fx[j - 1]) / (h * h);
    rho[j] = Number.isFinite(d2) ? Math.sqrt(Math.abs(d2)) : 0;
  }
  rho[0] = rho[1];
  rho[m - 1] = rho[m - 2];
  for (let j = 0; j < m; j++) mean += rho[j];
  mean /= m;
  const floor = mean > 0 && Number.isFinite(mean) ? 0.1 * mean : 1;
  // Cumulative integral (trapezoids) of the density.
  const cum = new Float64Array(m);
  for (let j = 1; j < m; j++) cum[j] = cum[j - 1] + 0.5 * h * (rho[j - 1] + rho[j] + 2 * floor);
  const total = cum[m - 1];
  const t = new Float64Array(n + 1);
  t[0] = lo;
  t[n] = hi;
  let j = 0;
  for (let i = 1; i < n; i++) {
    const level = (total * i) / n;
    while (j < m - 2 && cum[j + 1] < level) j++;
    const span = cum[j + 1] - cum[j];
    const frac = span > 0 ? (level - cum[j]) / span : 0;
    t[i] = lo + (j + Math.min(1, Math.max(0, frac))) * h;
  }
  return t;
}

/**
 * The network whose sum is the piecewise-linear interpolant through the given points (sorted, distinct x):
 * c = y_0, one unit per point except the last, at knot x_i with a_i = change of slope at x_i. Left of
 * x_0 the sum is constant y_0; right of the last point it continues the last piece. With n points this
 * is n − 1 units: "one unit per sample" makes the fit exact at every sample.
 */
export function interpolatePoints(xs: ArrayLike<number>, ys: ArrayLike<number>): Network {
  const n = xs.length;
  if (n < 1 || ys.length !== n) throw new FitError('interpolatePoints needs as many ys as xs, at least one');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) throw new FitError(`point ${i} is not finite`);
    if (i > 0 && !(xs[i] > xs[i - 1])) throw new FitError(`xs must be strictly increasing (at index ${i})`);
  }
  if (n - 1 > MAX_UNITS) throw new FitError(`at most ${MAX_UNITS + 1} points`);
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  let prev = 0;
  for (let i = 0; i < n - 1; i++) {
    const s = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
    w.push(1);
    b.push(-xs[i]);
    a.push(s - prev);
    prev = s;
  }
  return { dim: 1, w, b, a, c: ys[0] };
}

/**
 * n units that interpolate f exactly at their n knots and at hi: knots t_0 = lo < … < t_{n−1}, pieces
 * [t_i, t_{i+1}] with t_n = hi, so n units give n linear pieces over [lo, hi]. c = f(lo) and unit 0 carries
 * the first slope; a_i (i ≥ 1) is the change of slope at t_i. Left of lo the sum is constant, right of hi
 * it continues the last piece. Nodes where f is undefined take the value interpolated from their defined
 * neighbours (so the unit count stays n); a target undefined at every node is a FitError. O(n) after
 * the nodes (curvature placement adds O(max(4097, 8n)) target evaluations).
 */
export function interpolateNetwork(
  f: (x: number) => number,
  n: number,
  domain: [number, number],
  placement: KnotPlacement = 'uniform',
): Network {
  checkUnits(n);
  const t = placement === 'curvature' ? curvatureNodes(f, n, domain) : uniformNodes(n, domain);
  if (placement !== 'uniform' && placement !== 'curvature') throw new FitError(`unknown placement '${placement}'`);
  const v = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) v[i] = f(t[i]);
  fillUndefined(t, v);
  const w = new Array<number>(n).fill(1);
  const b = new Array<number>(n);
  const a = new Array<number>(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const h = t[i + 1] - t[i];
    // Coincident nodes (possible only under extreme curvature placement) keep the previous slope.
    const s = h > 0 ? (v[i + 1] - v[i]) / h : prev;
    b[i] = -t[i];
    a[i] = s - prev;
    prev = s;
  }
  return { dim: 1, w, b, a, c: v[0] };
}

/** Replaces non-finite v[i] by linear interpolation between the nearest finite neighbours (constant at the ends). */
function fillUndefined(t: Float64Array, v: Float64Array): void {
  const n = v.length;
  let firstGood = -1;
  for (let i = 0; i < n; i++) if (Number.isFinite(v[i])) { firstGood = i; break; }
  if (firstGood < 0) throw new FitError('the target is undefined at every knot of the domain');
  for (let i = 0; i < firstGood; i++) v[i] = v[firstGood];
  let last = firstGood;
  for (let i = firstGood + 1; i < n; i++) {
    if (!Number.isFinite(v[i])) continue;
    for (let k = last + 1; k < i; k++) v[k] = v[last] + ((v[i] - v[last]) * (t[k] - t[last])) / (t[i] - t[last]);
    last = i;
  }
  for (let k = last + 1; k < n; k++) v[k] = v[last];
}

export interface LeastSquaresOptions {
  /**
   * Weight λ of the penalty (λ/N)·Σ (a_i·h_i)² added to the mean squared error, h_i the spacing around unit i's
   * knot (`knotSpacing`): λ is relative (a change of value per unit against the squared error), so the same λ
   * means the same for any domain and knot packing; ≥ 0, default 1e-10.
   */
  ridge?: number;
  /** Evenly spaced samples of [lo, hi] (inclusive) fitted against; default max(2049, 4·knots + 1). */
  samples?: number;
}

/** Largest sample grid leastSquaresNetwork accepts. */
export const MAX_LS_SAMPLES = 1 << 24;

/**
 * Fixed knots (units w = 1, b = −knot, in the given order), output weights a and bias c minimising
 *   (1/M)·Σ_m (c + Σ_i a_i·ReLU(x_m − k_i) − f(x_m))² + (ridge/N)·Σ_i (a_i·h_i)²
 * over M evenly spaced samples of [lo, hi] where f is defined.
 *
 * How: the same space of functions is spanned by hat functions on the sorted distinct knots (values v_j
 * at the knots plus the final slope), where the normal equations are banded (half-bandwidth 2, the
 * ridge term included since a is a second difference of v). A banded Cholesky in float64 then costs
 * O(M + N log N) time and O(N) memory, and is far better conditioned than the ReLU-basis normal
 * equations. Units sharing a knot share its weight equally (the minimum-norm split). N up to 65,536
 * with M up to a few million is fine (e.g. N = 65,536, M = 262,145 in well under a second); a tiny
 * relative diagonal shift (1e-13) keeps knots with no samples nearby (or outside [lo, hi]) solvable
 * when ridge = 0.
 */
export function leastSquaresNetwork(
  f: (x: number) => number,
  knots: ArrayLike<number>,
  domain: [number, number],
  opts: LeastSquaresOptions = {},
): Network {
  const [lo, hi] = checkDomain(domain);
  const ridge = opts.ridge ?? 1e-10;
  if (!Number.isFinite(ridge) || ridge < 0) throw new FitError(`ridge must be a finite number ≥ 0, got ${ridge}`);
  const nUnits = knots.length;
  if (nUnits > MAX_UNITS) throw new FitError(`at most ${MAX_UNITS} knots, got ${nUnits}`);
  for (let i = 0; i < nUnits; i++) if (!Number.isFinite(knots[i])) throw new FitError(`knot ${i} is not finite`);
  const m = opts.samples ?? Math.max(2049, 4 * nUnits + 1);
  if (!Number.isInteger(m) || m < 1 || m > MAX_LS_SAMPLES) throw new FitError(`samples must be an integer from 1 to ${MAX_LS_SAMPLES}, got ${m}`);

  // Typed arrays and no per-knot objects throughout: at 65,536 units (262,145 samples) the fit runs between the
  // N slider's last input and the picture, and boxed arrays, a comparator sort and a Map per knot took most of it.
  // The arithmetic (and its order) is unchanged, so the result is the same to the last bit.
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  let mm = 0;
  for (let j = 0; j < m; j++) {
    const x = m === 1 ? 0.5 * (lo + hi) : j === m - 1 ? hi : lo + ((hi - lo) * j) / (m - 1);
    const y = f(x);
    if (Number.isFinite(y)) {
      xs[mm] = x;
      ys[mm] = y;
      mm++;
    }
  }
  if (mm === 0) throw new FitError('the target is undefined at every sample of the domain');

  if (nUnits === 0) {
    let s = 0;
    for (let j = 0; j < mm; j++) s += ys[j];
    return { dim: 1, w: [], b: [], a: [], c: s / mm };
  }

  // Distinct sorted knots K_j with multiplicities (constructions give their knots sorted: no sort then).
  let sorted = true;
  for (let i = 1; i < nUnits && sorted; i++) sorted = knots[i] >= knots[i - 1];
  const order = sorted ? null : Array.from({ length: nUnits }, (_, i) => i).sort((p, q) => knots[p] - knots[q]);
  const K = new Float64Array(nUnits);
  const mult = new Int32Array(nUnits);
  const group = new Int32Array(nUnits);
  let d = 0;
  for (let t = 0; t < nUnits; t++) {
    const i = order ? order[t] : t;
    if (d === 0 || knots[i] !== K[d - 1]) {
      K[d] = knots[i];
      d++;
    }
    mult[d - 1]++;
    group[i] = d - 1;
  }
  const p = d + 1; // parameters: v_0 … v_{d−1}, final slope s
  // Banded symmetric matrix: band[k][i] = H[i][i + k], k = 0, 1, 2.
  const band = [new Float64Array(p), new Float64Array(p), new Float64Array(p)];
  const [band0, band1] = band;
  const rhs = new Float64Array(p);
  // Data term: each sample row has at most two non-zeros at consecutive indices.
  const inv = 1 / mm;
  let seg = 0;
  for (let s = 0; s < mm; s++) {
    const x = xs[s];
    const y = ys[s];
    let i0: number;
    let c0: number;
    let c1: number;
    if (x <= K[0]) {
      i0 = 0;
      c0 = 1;
      c1 = 0;
    } else if (x >= K[d - 1]) {
      i0 = d - 1;
      c0 = 1;
      c1 = x - K[d - 1];
    } else {
      while (K[seg + 1] < x) seg++;
      i0 = seg;
      const tt = (x - K[seg]) / (K[seg + 1] - K[seg]);
      c0 = 1 - tt;
      c1 = tt;
    }
    band0[i0] += inv * c0 * c0;
    band1[i0] += inv * c0 * c1;
    band0[i0 + 1] += inv * c1 * c1;
    rhs[i0] += inv * c0 * y;
    rhs[i0 + 1] += inv * c1 * y;
  }
  // Ridge term: A_j (group weight) is a second difference of φ; penalty (ridge/N)·h_j²·A_j²/mult_j. A_j's row
  // in the parameters is the slope after knot j minus the slope before it: non-zero at the consecutive indices
  // from `base` (at most three), where slope j is (φ_{j+1} − φ_j)/(K_{j+1} − K_j) and the last one is s itself.
  if (ridge > 0) {
    const spacing = knotSpacing(K.subarray(0, d), lo, hi);
    const v = new Float64Array(3);
    for (let j = 0; j < d; j++) {
      let base: number;
      let len: number;
      if (j === 0) {
        if (d > 1) {
          const h = K[1] - K[0];
          base = 0;
          len = 2;
          v[0] = -1 / h;
          v[1] = 1 / h;
        } else {
          base = 1;
          len = 1;
          v[0] = 1;
        }
      } else if (j < d - 1) {
        const h = K[j + 1] - K[j];
        const hp = K[j] - K[j - 1];
        base = j - 1;
        len = 3;
        v[0] = 0 - -1 / hp;
        v[1] = 0 + -1 / h - 1 / hp;
        v[2] = 0 + 1 / h;
      } else {
        const hp = K[j] - K[j - 1];
        base = j - 1;
        len = 3;
        v[0] = 0 - -1 / hp;
        v[1] = 0 - 1 / hp;
        v[2] = 0 + 1;
      }
      const scale = (ridge * spacing[j] * spacing[j]) / (mult[j] * nUnits);
      // The outer product's upper band, in the order the entries were always summed (r, then q ≥ r).
      for (let r = 0; r < len; r++) for (let q = r; q < len; q++) band[q - r][base + r] += scale * v[r] * v[q];
    }
  }
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, band0[i]);
  for (let i = 0; i < p; i++) band0[i] += 1e-13 * maxDiag;

  const phi = solveBanded2(band, rhs);
  // Weights as differences of slopes (not as rows of second-difference coefficients) so that they
  // telescope: rounding in those coefficients would add a systematic slope drift of ~N·eps/h.
  const slopes = new Float64Array(d);
  for (let j = 0; j < d - 1; j++) slopes[j] = (phi[j + 1] - phi[j]) / (K[j + 1] - K[j]);
  slopes[d - 1] = phi[d];
  const groupA = new Float64Array(d);
  for (let j = 0; j < d; j++) groupA[j] = j === 0 ? slopes[j] : slopes[j] - slopes[j - 1];
  const a = new Array<number>(nUnits);
  const b = new Array<number>(nUnits);
  const w = new Array<number>(nUnits);
  for (let i = 0; i < nUnits; i++) {
    a[i] = groupA[group[i]] / mult[group[i]];
    b[i] = -knots[i];
    w[i] = 1;
  }
  return { dim: 1, w, b, a, c: phi[0] };
}

/**
 * The length over which each distinct knot's slope change acts: the smaller of its gaps to the neighbouring
 * knots (the domain's end beyond the last knot; the domain's width when there is no positive gap). A slope
 * change a over that length moves the sum by a·h, a value in the target's units, which is what the ridge
 * weighs: penalising a itself would charge a step built from closely packed knots ~1/h² more than a
 * smooth curve, and λ = 1e-6 flattened "where it bends" on the step target into a line.
 */
export function knotSpacing(K: ArrayLike<number>, lo: number, hi: number): Float64Array {
  const d = K.length;
  const h = new Float64Array(d);
  const width = hi - lo;
  for (let j = 0; j < d; j++) {
    const left = j > 0 ? K[j] - K[j - 1] : 0;
    const right = j < d - 1 ? K[j + 1] - K[j] : hi - K[j];
    h[j] = left > 0 && right > 0 ? Math.min(left, right) : left > 0 ? left : right > 0 ? right : width;
  }
  return h;
}

/**
 * Solves H·x = r for a symmetric positive definite H of half-bandwidth 2, stored as diagonals
 * band[k][i] = H[i][i+k], by Cholesky (L·Lᵀ) in O(n). Throws FitError if H is not positive definite.
 */
export function solveBanded2(band: Float64Array[], r: Float64Array): Float64Array {
  const n = r.length;
  // L stored as diagonals: l0[i] = L[i][i], l1[i] = L[i+1][i], l2[i] = L[i+2][i].
  const l0 = new Float64Array(n);
  const l1 = new Float64Array(n);
  const l2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let dii = band[0][i];
    if (i >= 1) dii -= l1[i - 1] * l1[i - 1];
    if (i >= 2) dii -= l2[i - 2] * l2[i - 2];
    if (!(dii > 0)) throw new FitError('least-squares system is not positive definite (add ridge)');
    l0[i] = Math.sqrt(dii);
    if (i + 1 < n) {
      let v = band[1][i];
      if (i >= 1) v -= l1[i - 1] * l2[i - 1];
      l1[i] = v / l0[i];
    }
    if (i + 2 < n) l2[i] = band[2][i] / l0[i];
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = r[i];
    if (i >= 1) v -= l1[i - 1] * y[i - 1];
    if (i >= 2) v -= l2[i - 2] * y[i - 2];
    y[i] = v / l0[i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i];
    if (i + 1 < n) v -= l1[i] * x[i + 1];
    if (i + 2 < n) v -= l2[i] * x[i + 2];
    x[i] = v / l0[i];
  }
  return x;
}

/** Most units of a 1D sigmoid least-squares fit: its normal equations are dense, M·N²/2 work. */
export const MAX_LS_UNITS_1D_SIGMOID = 512;

/** Steepness of the sigmoid steps of `activationConstruction1D`'s interpolation: σ(±10) is within 5e-5 of 0 and 1. */
const STEP_STEEPNESS = 20;

/**
 * A 1D construction for another activation, from the ReLU construction `relu` (units w = 1, b = −knot, as
 * `interpolateNetwork` and `leastSquaresNetwork` build them) over `domain`:
 *  - 'leaky-relu': the same function on the domain, re-expressed in leaky units with the same knots (exact: ReLU(z) =
 *    (φ(z) − 0.01·z)/0.99, and the leftover line is carried by the leftmost unit, which is linear right of its knot,
 *    and c), so interpolation stays exact at every node and least squares keeps its optimum.
 *  - 'linear': interpolation keeps the ReLU weights (the control experiment: the same sum without the bend, a
 *    straight line); least squares (`samples` given) gives the best line through the samples, carried by the same
 *    units (equal shares of the slope).
 *  - 'sigmoid': interpolation is Nielsen's construction: a steep step σ(w·(x − m_i)) at the midpoint m_i of each
 *    piece, of height the change of the interpolant between its nodes (knots t_0 < … < t_{N−1} and hi, read
 *    off the ReLU interpolant); least squares takes those
 *    steps, softened to the knot spacing, and solves the dense ridge normal equations (at most MAX_LS_UNITS_1D_SIGMOID).
 */
export function activationConstruction1D(
  relu: Network,
  activation: Activation,
  domain: [number, number],
  how: { kind: 'interpolate' } | { kind: 'least-squares'; f: (x: number) => number; ridge: number },
): Network {
  if (activation === 'relu') return relu;
  const [lo, hi] = checkDomain(domain);
  const n = relu.a.length;
  const knots = relu.b.map((b, i) => -b / relu.w[i]);
  if (activation === 'leaky-relu') {
    const beta = 1 - LEAKY_SLOPE;
    const k = LEAKY_SLOPE / beta;
    let anchor = 0;
    for (let i = 1; i < n; i++) if (knots[i] < knots[anchor]) anchor = i;
    const a = relu.a.map((v) => v / beta);
    let slope = 0;
    let moment = 0;
    for (let i = 0; i < n; i++) {
      slope += relu.a[i] * relu.w[i];
      moment += relu.a[i] * relu.b[i];
    }
    // g − Σ a'_i·φ_i = −k·(slope·x + moment) = −k·slope·(x − x_a) − k·(slope·x_a + moment); x − x_a = φ_a/w_a right of x_a.
    const xa = knots[anchor];
    a[anchor] -= (k * slope) / relu.w[anchor];
    return { ...relu, a, c: relu.c - k * (slope * xa + moment), activation };
  }
  if (activation === 'linear') {
    if (how.kind === 'interpolate') return { ...relu, activation };
    const m = Math.max(2049, 4 * n + 1);
    let sx = 0, sy = 0, sxx = 0, sxy = 0, cnt = 0;
    for (let j = 0; j < m; j++) {
      const x = j === m - 1 ? hi : lo + ((hi - lo) * j) / (m - 1);
      const y = how.f(x);
      if (!Number.isFinite(y)) continue;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      cnt++;
    }
    if (cnt === 0) throw new FitError('the target is undefined at every sample of the domain');
    const varx = sxx - (sx * sx) / cnt;
    const p = varx > 0 ? (sxy - (sx * sy) / cnt) / varx : 0;
    const q = (sy - p * sx) / cnt;
    // Σ (p/N)·(w_i·x + b_i) = p·x·mean(w)… with w = 1: p·x + (p/N)·Σ b_i.
    const share = p / n;
    let bSum = 0;
    for (let i = 0; i < n; i++) bSum += relu.b[i];
    return { dim: 1, w: relu.w.slice(), b: relu.b.slice(), a: new Array<number>(n).fill(share), c: q - share * bSum, activation };
  }
  // Sigmoid.
  if (how.kind === 'interpolate') {
    // The ReLU interpolant's nodes (its knots, then hi) and its values there.
    const nodes = [...knots, hi];
    const values = [relu.c];
    let slope = 0;
    for (let i = 0; i < n; i++) {
      slope += relu.a[i] * relu.w[i];
      values.push(values[i] + slope * (nodes[i + 1] - nodes[i]));
    }
    const w: number[] = [];
    const b: number[] = [];
    const a: number[] = [];
    for (let i = 0; i < n; i++) {
      const h = nodes[i + 1] - nodes[i];
      const mid = 0.5 * (nodes[i] + nodes[i + 1]);
      const wi = h > 0 ? STEP_STEEPNESS / h : 1;
      w.push(wi);
      b.push(-wi * mid);
      a.push(h > 0 ? values[i + 1] - values[i] : 0);
    }
    return { dim: 1, w, b, a, c: values[0], activation };
  }
  if (n > MAX_LS_UNITS_1D_SIGMOID) throw new FitError(`least squares with sigmoid units builds at most ${MAX_LS_UNITS_1D_SIGMOID} units (dense normal equations); interpolate (Nielsen's steps) or train for more`);
  const sorted = Float64Array.from(knots).sort();
  const m = Math.max(2049, 4 * n + 1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < m; j++) {
    const x = j === m - 1 ? hi : lo + ((hi - lo) * j) / (m - 1);
    const y = how.f(x);
    if (Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  }
  if (xs.length === 0) throw new FitError('the target is undefined at every sample of the domain');
  const w: number[] = [];
  const b: number[] = [];
  const spacing = (hi - lo) / n;
  for (let i = 0; i < n; i++) {
    // Each unit's step centred half a spacing right of its knot, as wide as the spacing.
    const mid = sorted[i] + 0.5 * spacing;
    const wi = 4 / spacing;
    w.push(wi);
    b.push(-wi * mid);
  }
  const k = n + 1;
  const mm = xs.length;
  const h = new Float64Array(k * mm);
  for (let i = 0; i < n; i++) for (let s = 0; s < mm; s++) h[i * mm + s] = act('sigmoid', w[i] * xs[s] + b[i]);
  h.fill(1, n * mm, k * mm);
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let s = 0; s < mm; s++) acc += h[i * mm + s] * h[j * mm + s];
      gram[i * k + j] = acc;
      gram[j * k + i] = acc;
    }
    let r = 0;
    for (let s = 0; s < mm; s++) r += h[i * mm + s] * ys[s];
    rhs[i] = r;
  }
  // Sigmoid steps are nearly dependent: a floor on λ keeps the solve well posed.
  const theta = solveRidge(gram, rhs, n, Math.max(how.ridge, 1e-10));
  return { dim: 1, w, b, a: Array.from(theta.subarray(0, n)), c: theta[n], activation };
}
