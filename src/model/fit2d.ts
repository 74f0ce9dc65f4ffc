/**
 * Building a 2D ReLU sum by ridge least squares: random hidden units (w, b fixed), then output weights a and
 * output bias c from the normal equations (HᵀH + λ·s·D)·[a; c] = Hᵀz, solved by a float64 Cholesky.
 *
 * The Gram matrix is the expensive part (M·K²/2 multiply-adds for K = N + 1 features over M samples); the
 * GPU computes it in src/engine/gpu/gram2d.ts and hands it to `leastSquares2D`, and `gram2D` below is its
 * float64 CPU twin. The solve (K³/6 multiply-adds) always runs here, in float64.
 */
import { type Activation, act, plSlope } from './activation.ts';
import { MAX_PARAM, MAX_UNITS, type Network, seededRandom } from './network.ts';
import { FitError } from './fit1d.ts';
import type { Rect } from './lines2d.ts';

export { FitError };

/** Samples of a 2D target: points (xs[k], ys[k]) with values zs[k]. */
export interface Samples2D {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  zs: ArrayLike<number>;
}

/** The same, as float64 arrays (what `ridgeSamples2D` returns). */
export interface Samples2DF64 {
  xs: Float64Array;
  ys: Float64Array;
  zs: Float64Array;
}

/** A Gram matrix HᵀH ((N+1)², row-major, symmetric, both triangles filled) and the right-hand side Hᵀz (N+1). */
export interface Gram2D {
  gram: Float64Array;
  rhs: Float64Array;
  /**
   * The smallest λ the Gram's rounding error allows (absent: exact enough for any λ, as gram2D's float64 sums are).
   * A Gram summed in float32 (the GPU's) is off by ~1e-7 of √(G_ii·G_jj) per entry, which can make the smallest
   * eigenvalues negative; `leastSquares2D` solves with max(λ, ridgeFloor).
   */
  ridgeFloor?: number;
}

/**
 * Largest N `leastSquares2D` accepts. The cost is the Gram (`gram2D`: about (M/64)·N²·2 flops plus the cut units'
 * dot products, M ≥ 2N samples) and the Cholesky ((N+1)³/6 multiply-adds, memory-bound at this size). Measured on
 * this 2-core machine with the Gaussian bump at 4,096 samples (`npx tsx` of a timing loop, other jobs running,
 * load 2–7): N = 256 in 0.04–0.07 s, N = 1,024 in 0.8–0.9 s, N = 2,048 in 3–5 s (Gram 0.8–1.4 s, Cholesky 2–4 s):
 * a few seconds in a worker. N = 4,096 would need 8,192 samples and 8× the Cholesky (20–30 s) and a 134 MB
 * float64 matrix, too long even off the main thread.
 */
export const MAX_LS_UNITS_2D = 2048;

/** Most samples a 2D fit accepts. */
export const MAX_LS_SAMPLES_2D = 1 << 22;

/** Default λ: relative to the mean feature energy (see `solveRidge`), small enough to leave good fits alone. */
export const DEFAULT_RIDGE_2D = 1e-10;

function checkRect(domain: Rect): Rect {
  if (typeof domain !== 'object' || domain === null) throw new FitError('domain must be { xMin, xMax, yMin, yMax }');
  const { xMin, xMax, yMin, yMax } = domain;
  for (const [k, v] of [['xMin', xMin], ['xMax', xMax], ['yMin', yMin], ['yMax', yMax]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new FitError(`domain.${k} must be a finite number, got ${v}`);
  }
  if (!(xMin < xMax) || !(yMin < yMax)) throw new FitError(`domain must have xMin < xMax and yMin < yMax, got x [${xMin}, ${xMax}], y [${yMin}, ${yMax}]`);
  return domain;
}

function checkUnitCount(n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new FitError(`unit count must be an integer from 0 to ${max}, got ${n}`);
}

/**
 * n random hidden units w·p + b whose creases (lines w·p + b = 0) pass through uniformly random points of
 * `domain` with uniformly random directions, so the creases spread over the whole view and every unit is
 * active on part of it (about half). The direction angle is uniform on [0, 2π), so units face every way and
 * the sum can bend up or down in any direction. For n ≥ 4, units 1 and 3 mirror units 0 and 2 (same crease,
 * opposite direction; unit 2 at right angles to unit 0): a mirrored pair adds up to an affine function, so with
 * the output bias the fit holds every plane exactly (without them it cannot: each other unit is flat on part of
 * the domain). Weights are scaled per axis by 2/width and 2/height: each
 * unit rises by O(1) across the domain whatever its size, which keeps the Gram matrix well scaled.
 * Deterministic for a given seed. O(n).
 */
export function randomHiddenUnits2D(n: number, domain: Rect, seed: number): { w: Float64Array; b: Float64Array } {
  checkUnitCount(n, MAX_UNITS);
  const { xMin, xMax, yMin, yMax } = checkRect(domain);
  const rnd = seededRandom(seed);
  const sx = 2 / (xMax - xMin);
  const sy = 2 / (yMax - yMin);
  const w = new Float64Array(2 * n);
  const b = new Float64Array(n);
  let first = 0;
  for (let i = 0; i < n; i++) {
    if (n >= 4 && (i === 1 || i === 3)) {
      // Mirror of the unit before: same crease, facing the other way, so a·relu(u) − a·relu(−u) = a·u.
      w[2 * i] = -w[2 * i - 2];
      w[2 * i + 1] = -w[2 * i - 1];
      b[i] = -b[i - 1];
      continue;
    }
    const px = xMin + (xMax - xMin) * rnd();
    const py = yMin + (yMax - yMin) * rnd();
    let angle = 2 * Math.PI * rnd();
    if (i === 0) first = angle;
    // The second mirrored pair stands at right angles to the first, so the two pairs span every plane.
    if (n >= 4 && i === 2) angle = first + Math.PI / 2;
    const w1 = Math.cos(angle) * sx;
    const w2 = Math.sin(angle) * sy;
    w[2 * i] = w1;
    w[2 * i + 1] = w2;
    b[i] = -(w1 * px + w2 * py);
  }
  return { w, b };
}

function isSamples(t: unknown): t is Samples2D {
  return typeof t === 'object' && t !== null && 'xs' in t && 'ys' in t && 'zs' in t;
}

/**
 * The samples a ridge fit is made against.
 *  - A function f(x, y): a g × g grid over the closed domain with g = ⌈√max(4096, 2·units)⌉ (at least twice as
 *    many samples as units, so the system is overdetermined); points where f is not finite are skipped.
 *  - Data {xs, ys, zs}: copied to float64; points with a non-finite z are skipped, non-finite coordinates are a
 *    FitError.
 * A FitError when no sample is left or more than MAX_LS_SAMPLES_2D are given.
 */
export function ridgeSamples2D(target: ((x: number, y: number) => number) | Samples2D, domain: Rect, units: number): Samples2DF64 {
  checkUnitCount(units, MAX_UNITS);
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  if (typeof target === 'function') {
    const { xMin, xMax, yMin, yMax } = checkRect(domain);
    const g = Math.ceil(Math.sqrt(Math.max(4096, 2 * units)));
    for (let r = 0; r < g; r++) {
      const y = r === g - 1 ? yMax : yMin + ((yMax - yMin) * r) / (g - 1);
      for (let q = 0; q < g; q++) {
        const x = q === g - 1 ? xMax : xMin + ((xMax - xMin) * q) / (g - 1);
        const z = target(x, y);
        if (typeof z === 'number' && Number.isFinite(z)) {
          xs.push(x);
          ys.push(y);
          zs.push(z);
        }
      }
    }
    if (zs.length === 0) throw new FitError('the target is undefined at every sample of the domain');
  } else if (isSamples(target)) {
    const m = target.xs?.length;
    if (typeof m !== 'number' || target.ys?.length !== m || target.zs?.length !== m) {
      throw new FitError(`samples need as many ys and zs as xs (got ${m}, ${target.ys?.length}, ${target.zs?.length})`);
    }
    if (m > MAX_LS_SAMPLES_2D) throw new FitError(`at most ${MAX_LS_SAMPLES_2D} samples, got ${m}`);
    for (let k = 0; k < m; k++) {
      const x = target.xs[k];
      const y = target.ys[k];
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new FitError(`sample ${k}: x and y must be finite, got (${x}, ${y})`);
      const z = target.zs[k];
      if (!Number.isFinite(z)) continue;
      xs.push(x);
      ys.push(y);
      zs.push(z);
    }
    if (zs.length === 0) throw new FitError('no sample has a finite value');
  } else {
    throw new FitError('the target must be a function f(x, y) or samples { xs, ys, zs }');
  }
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys), zs: Float64Array.from(zs) };
}

/** Samples per block of the CPU Gram: balances the O(N²) per-block moment products against the cut units' dot products. */
const BLOCK = 64;

/**
 * HᵀH and Hᵀz for the features h_i(p) = max(0, w_i·p + b_i) (i < N) and h_N = 1 (the output bias) over the
 * samples: gram[i·(N+1) + j] = Σ_k h_i(p_k)·h_j(p_k), rhs[i] = Σ_k h_i(p_k)·z_k. Plain sums (not means), float64.
 * The float64 twin of the GPU kernel (src/engine/gpu/gram2d.ts). Blocks of 128 samples are transposed into
 * contiguous feature rows, and for each pair of units only the samples where both are active are... visited
 * as a dense dot product of the block's rows (cheaper in JS than skipping zeros). O(M·(N+1)²/2).
 */
export function gram2D(w: ArrayLike<number>, b: ArrayLike<number>, xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>): Gram2D {
  const n = b.length;
  if (w.length !== 2 * n) throw new FitError(`w must hold 2 weights per unit (${2 * n}), got ${w.length}`);
  const m = xs.length;
  if (ys.length !== m || zs.length !== m) throw new FitError(`samples need as many ys and zs as xs (got ${m}, ${ys.length}, ${zs.length})`);
  const k = n + 1;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const order = spatialOrder(xs, ys, BLOCK);
  const dx = new Float64Array(BLOCK);
  const dy = new Float64Array(BLOCK);
  const zb = new Float64Array(BLOCK);
  // Units on the whole block: index and (w1, w2, value at the block's centre); the bias is one of them, (0, 0, 1).
  const full = new Int32Array(k);
  const ft = new Float64Array(3 * k);
  // Units with a crease through the block: index, feature row, and Σ h·(dx, dy, 1).
  const part = new Int32Array(n);
  const h = new Float64Array(n * BLOCK);
  const pv = new Float64Array(3 * n);
  for (let s0 = 0; s0 < m; s0 += BLOCK) {
    const len = Math.min(BLOCK, m - s0);
    let cx = 0;
    let cy = 0;
    for (let s = 0; s < len; s++) {
      cx += xs[order[s0 + s]];
      cy += ys[order[s0 + s]];
    }
    cx /= len;
    cy /= len;
    // Moments Q = Σ p̃p̃ᵀ and q = Σ p̃·z of the centred points p̃ = (x − cx, y − cy, 1).
    let qxx = 0, qxy = 0, qx = 0, qyy = 0, qy = 0, rx = 0, ry = 0, r1 = 0;
    for (let s = 0; s < len; s++) {
      const p = order[s0 + s];
      const u = xs[p] - cx;
      const v = ys[p] - cy;
      const z = zs[p];
      dx[s] = u;
      dy[s] = v;
      zb[s] = z;
      qxx += u * u;
      qxy += u * v;
      qx += u;
      qyy += v * v;
      qy += v;
      rx += u * z;
      ry += v * z;
      r1 += z;
    }
    const q11 = len;
    let nFull = 0;
    let nPart = 0;
    for (let i = 0; i < n; i++) {
      const w1 = w[2 * i];
      const w2 = w[2 * i + 1];
      const bc = w1 * cx + w2 * cy + b[i];
      let lo = Infinity;
      let hi = -Infinity;
      for (let s = 0; s < len; s++) {
        const z = w1 * dx[s] + w2 * dy[s] + bc;
        if (z < lo) lo = z;
        if (z > hi) hi = z;
      }
      if (hi <= 0) continue;
      if (lo > 0) {
        full[nFull] = i;
        ft[3 * nFull] = w1;
        ft[3 * nFull + 1] = w2;
        ft[3 * nFull + 2] = bc;
        nFull++;
        continue;
      }
      const o = nPart * BLOCK;
      let vx = 0, vy = 0, v1 = 0, vz = 0;
      for (let s = 0; s < len; s++) {
        const z = w1 * dx[s] + w2 * dy[s] + bc;
        const hv = z > 0 ? z : 0;
        h[o + s] = hv;
        vx += hv * dx[s];
        vy += hv * dy[s];
        v1 += hv;
        vz += hv * zb[s];
      }
      pv[3 * nPart] = vx;
      pv[3 * nPart + 1] = vy;
      pv[3 * nPart + 2] = v1;
      rhs[i] += vz;
      part[nPart++] = i;
    }
    full[nFull] = n;
    ft[3 * nFull] = 0;
    ft[3 * nFull + 1] = 0;
    ft[3 * nFull + 2] = 1;
    nFull++;
    // Full × full: Σ (θ_i·p̃)(θ_j·p̃) = θ_jᵀ·(Q·θ_i), whatever the block's length.
    for (let p = 0; p < nFull; p++) {
      const a1 = ft[3 * p];
      const a2 = ft[3 * p + 1];
      const a3 = ft[3 * p + 2];
      const u1 = qxx * a1 + qxy * a2 + qx * a3;
      const u2 = qxy * a1 + qyy * a2 + qy * a3;
      const u3 = qx * a1 + qy * a2 + q11 * a3;
      const row = full[p] * k;
      rhs[full[p]] += rx * a1 + ry * a2 + r1 * a3;
      for (let q = p; q < nFull; q++) gram[row + full[q]] += ft[3 * q] * u1 + ft[3 * q + 1] * u2 + ft[3 * q + 2] * u3;
    }
    for (let p = 0; p < nPart; p++) {
      const row = part[p] * k;
      const o = p * BLOCK;
      // Partial × full: Σ h_i·(θ_j·p̃) = θ_j·(Σ h_i·p̃).
      const vx = pv[3 * p];
      const vy = pv[3 * p + 1];
      const v1 = pv[3 * p + 2];
      for (let q = 0; q < nFull; q++) gram[row + full[q]] += ft[3 * q] * vx + ft[3 * q + 1] * vy + ft[3 * q + 2] * v1;
      // Partial × partial: a dot product of the two feature rows.
      for (let q = p; q < nPart; q++) {
        const oq = q * BLOCK;
        let acc = 0;
        for (let s = 0; s < len; s++) acc += h[o + s] * h[oq + s];
        gram[row + part[q]] += acc;
      }
    }
  }
  // Each pair was added once, to (i, j) or (j, i): fold into the upper triangle, then mirror.
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      gram[i * k + j] += gram[j * k + i];
    }
  }
  mirrorUpper(gram, k);
  return { gram, rhs };
}

/** Most units of a 2D sigmoid least-squares fit: its Gram is dense (no unit is off on a block), M·N²/2 work. */
export const MAX_LS_UNITS_2D_SIGMOID = 512;

/**
 * `gram2D` for the features h_i = φ(w_i·p + b_i) of any activation (model/activation.ts).
 * Piecewise-linear φ = α·z + (1 − α)·ReLU(z): with z_i = θ_i·p̃ (θ_i = (w1, w2, b), p̃ = (x, y, 1)), P = Σ p̃p̃ᵀ and
 * V_j = Σ p̃·ReLU(z_j), Σ φ_iφ_j = α²·θ_iᵀPθ_j + α(1 − α)·(θ_i·V_j + θ_j·V_i) + (1 − α)²·G_ij, from the ReLU Gram G
 * (skipped for linear units) plus O(M·N) moments: exact, and as fast as ReLU's. Sigmoid features are dense: a
 * plain O(M·(N+1)²/2) product, for at most MAX_LS_UNITS_2D_SIGMOID units.
 */
export function gramActivation2D(activation: Activation, w: ArrayLike<number>, b: ArrayLike<number>, xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>): Gram2D {
  if (activation === 'relu') return gram2D(w, b, xs, ys, zs);
  const n = b.length;
  const k = n + 1;
  const m = xs.length;
  if (w.length !== 2 * n) throw new FitError(`w must hold 2 weights per unit (${2 * n}), got ${w.length}`);
  if (ys.length !== m || zs.length !== m) throw new FitError(`samples need as many ys and zs as xs (got ${m}, ${ys.length}, ${zs.length})`);
  if (activation === 'sigmoid') {
    if (n > MAX_LS_UNITS_2D_SIGMOID) throw new FitError(`least squares with sigmoid units builds at most ${MAX_LS_UNITS_2D_SIGMOID} units in 2D (their Gram matrix is dense); train, or use fewer units`);
    const h = new Float64Array(k * m);
    for (let i = 0; i < n; i++) for (let s = 0; s < m; s++) h[i * m + s] = act('sigmoid', w[2 * i] * xs[s] + w[2 * i + 1] * ys[s] + b[i]);
    h.fill(1, n * m, k * m);
    const gram = new Float64Array(k * k);
    const rhs = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) gram[i * k + j] = dotRows(h, i * m, j * m, m);
      let r = 0;
      for (let s = 0; s < m; s++) r += h[i * m + s] * zs[s];
      rhs[i] = r;
    }
    mirrorUpper(gram, k);
    return { gram, rhs };
  }
  const alpha = plSlope(activation);
  const beta = 1 - alpha;
  const relu = beta !== 0 ? gram2D(w, b, xs, ys, zs) : { gram: new Float64Array(k * k), rhs: new Float64Array(k) };
  // P = Σ p̃p̃ᵀ, R = Σ p̃·z, and V_i = Σ p̃·ReLU(z_i) (V_N = Σ p̃ for the bias feature, whose "z" is 1).
  const P = new Float64Array(9);
  const R = new Float64Array(3);
  const V = new Float64Array(3 * k);
  for (let s = 0; s < m; s++) {
    const p = [xs[s], ys[s], 1];
    for (let r = 0; r < 3; r++) {
      R[r] += p[r] * zs[s];
      for (let c = 0; c < 3; c++) P[3 * r + c] += p[r] * p[c];
    }
  }
  if (beta !== 0) {
    for (let i = 0; i < n; i++) {
      let vx = 0, vy = 0, v1 = 0;
      for (let s = 0; s < m; s++) {
        const z = w[2 * i] * xs[s] + w[2 * i + 1] * ys[s] + b[i];
        if (z > 0) {
          vx += xs[s] * z;
          vy += ys[s] * z;
          v1 += z;
        }
      }
      V[3 * i] = vx;
      V[3 * i + 1] = vy;
      V[3 * i + 2] = v1;
    }
  }
  // In θ terms the bias feature is "z = 1" with no ReLU part: θ_N = (0, 0, 1) and the feature is 1 (not α·1).
  const theta = (i: number): [number, number, number] => (i < n ? [w[2 * i], w[2 * i + 1], b[i]] : [0, 0, 1]);
  const Pt = (t: [number, number, number]): [number, number, number] => [
    P[0] * t[0] + P[1] * t[1] + P[2] * t[2],
    P[3] * t[0] + P[4] * t[1] + P[5] * t[2],
    P[6] * t[0] + P[7] * t[1] + P[8] * t[2],
  ];
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const ti = theta(i);
    const ai = i < n ? alpha : 1;
    const bi = i < n ? beta : 0;
    const pti = Pt(ti);
    rhs[i] = ai * (ti[0] * R[0] + ti[1] * R[1] + ti[2] * R[2]) + bi * relu.rhs[i];
    for (let j = i; j < k; j++) {
      const tj = theta(j);
      const aj = j < n ? alpha : 1;
      const bj = j < n ? beta : 0;
      const lin = tj[0] * pti[0] + tj[1] * pti[1] + tj[2] * pti[2];
      const cross = ai * bj * (ti[0] * V[3 * j] + ti[1] * V[3 * j + 1] + ti[2] * V[3 * j + 2]) + aj * bi * (tj[0] * V[3 * i] + tj[1] * V[3 * i + 1] + tj[2] * V[3 * i + 2]);
      gram[i * k + j] = ai * aj * lin + cross + bi * bj * relu.gram[i * k + j];
    }
  }
  mirrorUpper(gram, k);
  return { gram, rhs };
}

/**
 * The samples' indices ordered cell by cell of a coarse grid over their bounding box (about `block` samples per
 * cell), so each block of consecutive samples covers a small patch of the plane, where most units are either off
 * everywhere or on everywhere, and few are cut by their crease. Counting sort, O(M).
 */
function spatialOrder(xs: ArrayLike<number>, ys: ArrayLike<number>, block: number): Int32Array {
  const m = xs.length;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let s = 0; s < m; s++) {
    x0 = Math.min(x0, xs[s]);
    x1 = Math.max(x1, xs[s]);
    y0 = Math.min(y0, ys[s]);
    y1 = Math.max(y1, ys[s]);
  }
  const side = Math.max(1, Math.round(Math.sqrt(m / block)));
  const fx = x1 > x0 ? side / (x1 - x0) : 0;
  const fy = y1 > y0 ? side / (y1 - y0) : 0;
  const cell = new Int32Array(m);
  const start = new Int32Array(side * side + 1);
  for (let s = 0; s < m; s++) {
    const cx = Math.min(side - 1, Math.floor((xs[s] - x0) * fx));
    const cy = Math.min(side - 1, Math.floor((ys[s] - y0) * fy));
    cell[s] = cy * side + cx;
    start[cell[s] + 1]++;
  }
  for (let c = 0; c < side * side; c++) start[c + 1] += start[c];
  const order = new Int32Array(m);
  for (let s = 0; s < m; s++) order[start[cell[s]]++] = s;
  return order;
}

/** Copies the upper triangle of a k × k row-major matrix into its lower triangle. */
export function mirrorUpper(gram: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) gram[j * k + i] = gram[i * k + j];
}

/**
 * Solves the ridge normal equations for [a_0 … a_{N−1}, c]:
 *   (HᵀH + λ·s·D)·θ = Hᵀz,   s = (1/N)·Σ_{i<N} (HᵀH)_ii,   D = diag(1, …, 1, 0)
 * i.e. minimises ‖Hθ − z‖² + λ·s·‖a‖². The penalty is scaled by s, the mean energy of a unit's feature column,
 * so the same λ means the same thing for any sample count M (s grows with M like HᵀH does) and any N (s is per
 * unit): λ = 1e-6 damps directions whose energy is below a millionth of a typical unit's. The output bias c is
 * not penalised (shifting the target must shift c, nothing else). With all units dead on every sample s = 0 and
 * s = 1 is used instead. Float64 Cholesky (L·Lᵀ, row-major, (N+1)³/6 multiply-adds); a FitError when the matrix
 * is not positive definite (dependent features with λ = 0, or λ too small for them) or the weights come out
 * beyond ±1e15. `gram` is row-major (N+1)², only its lower triangle is read; it is not modified.
 */
export function solveRidge(gram: ArrayLike<number>, rhs: ArrayLike<number>, n: number, ridge: number): Float64Array {
  const k = n + 1;
  if (gram.length !== k * k) throw new FitError(`the Gram matrix must be ${k}×${k} (${k * k} entries), got ${gram.length}`);
  if (rhs.length !== k) throw new FitError(`the right-hand side must have ${k} entries, got ${rhs.length}`);
  if (typeof ridge !== 'number' || !Number.isFinite(ridge) || ridge < 0) throw new FitError(`ridge must be a finite number ≥ 0, got ${ridge}`);
  let s = 0;
  for (let i = 0; i < n; i++) s += gram[i * k + i];
  s = n > 0 && s > 0 ? s / n : 1;
  const L = Float64Array.from(gram as ArrayLike<number>);
  for (let i = 0; i < n; i++) L[i * k + i] += ridge * s;
  for (let i = 0; i < k; i++) {
    const ri = i * k;
    for (let j = 0; j <= i; j++) {
      const rj = j * k;
      const v = L[ri + j] - dotRows(L, ri, rj, j);
      if (j < i) {
        L[ri + j] = v / L[rj + j];
      } else {
        // A pivot that is not positive (or has lost all but rounding noise of its diagonal) means dependent features.
        if (!(v > 1e-14 * Math.abs(L[ri + i]))) {
          throw new FitError(
            `the least-squares system is not positive definite at ${i < n ? `unit ${i}` : 'the output bias'}: its feature depends on the others (or is zero on every sample); increase ridge (λ > 0, e.g. 1e-8)`,
          );
        }
        L[ri + i] = Math.sqrt(v);
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let v = rhs[i];
    for (let t = 0; t < i; t++) v -= L[i * k + t] * y[t];
    y[i] = v / L[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let v = y[i];
    for (let t = i + 1; t < k; t++) v -= L[t * k + i] * x[t];
    x[i] = v / L[i * k + i];
  }
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(x[i]) || Math.abs(x[i]) > MAX_PARAM) {
      throw new FitError(`the least-squares weights come out beyond ±1e15 (${i < n ? `a[${i}]` : 'c'} = ${x[i]}): the features are nearly dependent; increase ridge`);
    }
  }
  return x;
}

/** Σ_{t<len} A[i0 + t]·A[j0 + t], with four accumulators (independent chains: about twice as fast in V8). */
function dotRows(A: Float64Array, i0: number, j0: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < len; t += 4) {
    s0 += A[i0 + t] * A[j0 + t];
    s1 += A[i0 + t + 1] * A[j0 + t + 1];
    s2 += A[i0 + t + 2] * A[j0 + t + 2];
    s3 += A[i0 + t + 3] * A[j0 + t + 3];
  }
  for (; t < len; t++) s0 += A[i0 + t] * A[j0 + t];
  return s0 + s1 + (s2 + s3);
}

export interface LeastSquares2DOptions {
  /** Hidden units N, 0 … MAX_LS_UNITS_2D. */
  units: number;
  /** λ of `solveRidge` (relative to the mean feature energy), ≥ 0; default DEFAULT_RIDGE_2D. */
  ridge?: number;
  /** Seed of `randomHiddenUnits2D`. */
  seed: number;
  /** Where the units' creases are placed (normally the view). */
  domain: Rect;
  /** The units' activation (default relu): the features follow it (gramActivation2D). */
  activation?: Activation;
}

/**
 * A 2D network with N random hidden units (`randomHiddenUnits2D(units, domain, seed)`) and the output weights and
 * bias that minimise ‖Hθ − z‖² + λ·s·‖a‖² over the samples (see `solveRidge`). Pass `gram` when it was computed
 * elsewhere (the GPU: compute it for `randomHiddenUnits2D(units, domain, seed)` and these samples; its
 * `ridgeFloor`, if any, raises λ); otherwise `gram2D` computes it here. Throws FitError for bad arguments or a singular system.
 */
export function leastSquares2D(samples: Samples2D, opts: LeastSquares2DOptions, gram?: Gram2D): Network {
  if (typeof opts !== 'object' || opts === null) throw new FitError('options must be { units, seed, domain, ridge? }');
  const n = opts.units;
  checkUnitCount(n, MAX_LS_UNITS_2D);
  if (!Number.isFinite(opts.seed)) throw new FitError(`seed must be a finite number, got ${opts.seed}`);
  const ridge = opts.ridge ?? DEFAULT_RIDGE_2D;
  const m = samples?.xs?.length;
  if (typeof m !== 'number' || samples.ys?.length !== m || samples.zs?.length !== m) throw new FitError('samples must be { xs, ys, zs } of equal lengths');
  if (m < 1 || m > MAX_LS_SAMPLES_2D) throw new FitError(`samples: need 1 to ${MAX_LS_SAMPLES_2D} points, got ${m}`);
  for (let k = 0; k < m; k++) {
    if (!Number.isFinite(samples.xs[k]) || !Number.isFinite(samples.ys[k]) || !Number.isFinite(samples.zs[k])) throw new FitError(`sample ${k} is not finite`);
  }
  const { w, b } = randomHiddenUnits2D(n, opts.domain, opts.seed);
  const activation = opts.activation ?? 'relu';
  const g = gram ?? gramActivation2D(activation, w, b, samples.xs, samples.ys, samples.zs);
  const theta = solveRidge(g.gram, g.rhs, n, Math.max(ridge, g.ridgeFloor ?? 0));
  const net: Network = { dim: 2, w: Array.from(w), b: Array.from(b), a: Array.from(theta.subarray(0, n)), c: theta[n] };
  if (activation !== 'relu') net.activation = activation;
  return net;
}
