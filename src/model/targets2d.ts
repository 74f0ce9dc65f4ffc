/**
 * Target functions of the 2D explorer: a built-in library, user expressions in `x` and `y`, and user data
 * (x, y, z) rows. The 2D twin of targets.ts: a target resolves to a float64 function `f(x, y)` (NaN where
 * undefined, see model/expression.ts), for expressions its WGSL form, a default domain, and for data targets
 * the samples themselves with an interpolant to draw them.
 */
import { ownFields } from './ownFields.ts';
import { type CompiledExpression2D, ExpressionSyntaxError, compileExpression } from './expression.ts';
import { normalizePoints3 } from './csv.ts';
import { type Grid2D, gridStep, validateGrid2D } from './grid.ts';
import type { Rect } from './lines2d.ts';
import { MAX_ABS_VALUE, describeValue } from './limits.ts';
import { seededRandom } from './network.ts';
import { InvalidTargetError, finiteNumbers } from './targets.ts';

export type Target2DSpec =
  | { kind: 'builtin'; id: string }
  | { kind: 'expression'; source: string }
  | { kind: 'data'; xs: number[]; ys: number[]; zs: number[] };

/** One entry of the 2D library: defined by an expression of x and y or by a fixed sample set. */
export interface BuiltinTarget2D {
  id: string;
  label: string;
  /** Default view/fit domain. */
  domain: Rect;
  expression?: string;
  samples?: { xs: number[]; ys: number[]; zs: number[] };
}

/** The square [−1, 1]²: the library's domain and the default one for user expressions. */
export const UNIT_SQUARE: Readonly<Rect> = Object.freeze({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });

/** Default domain for user expressions in x and y. */
export const EXPRESSION_DOMAIN_2D: Readonly<Rect> = UNIT_SQUARE;

/** The id of the default 2D target (the Gaussian bump). */
export const DEFAULT_TARGET_2D_ID = 'bump';

/** The smooth function behind 'noisy2d': a hill and a smaller dip. */
function hillAndDip(x: number, y: number): number {
  return Math.exp(-((x - 0.3) ** 2 + (y + 0.2) ** 2) / 0.3) - 0.6 * Math.exp(-((x + 0.4) ** 2 + (y - 0.45) ** 2) / 0.15);
}

/** 196 noisy samples of `hillAndDip` on [−1, 1]² (jittered 14 × 14 grid, Gaussian noise σ = 0.05), fixed seed. */
function noisySamples2D(): { xs: number[]; ys: number[]; zs: number[] } {
  const rnd = seededRandom(20_250_209);
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  const side = 14;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      // Jittered grid: irregular but even coverage, and no two points share (x, y).
      const x = -1 + (2 * (i + 0.1 + 0.8 * rnd())) / side;
      const y = -1 + (2 * (j + 0.1 + 0.8 * rnd())) / side;
      // Box–Muller normal noise.
      const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      xs.push(x);
      ys.push(y);
      zs.push(hillAndDip(x, y) + 0.05 * g);
    }
  }
  return { xs, ys, zs };
}

const square = (): Rect => ({ ...UNIT_SQUARE });

/** The built-in 2D library, in menu order. */
export const TARGETS_2D: ReadonlyArray<BuiltinTarget2D> = [
  { id: 'plane', label: 'plane 0.5x − 0.3y + 0.2', domain: square(), expression: '0.5*x - 0.3*y + 0.2' },
  { id: 'cone', label: 'cone 1 − √(x² + y²)', domain: square(), expression: '1 - sqrt(x^2 + y^2)' },
  { id: 'bump', label: 'Gaussian bump', domain: square(), expression: 'exp(-(x^2 + y^2) / (2*0.35^2))' },
  { id: 'saddle', label: 'saddle x² − y²', domain: square(), expression: 'x^2 - y^2' },
  // Three crests from the centre to the corners: sin(3πr), r = √(x² + y²) ≤ √2.
  { id: 'ripple', label: 'ripple sin(3πr)', domain: square(), expression: 'sin(3*pi*sqrt(x^2 + y^2))' },
  // ±1 on a 4 × 4 board of half-unit squares; floor, not sign(sin·sin), so no zero lines on the board edges.
  { id: 'checker', label: 'checkerboard', domain: square(), expression: '1 - 2*mod(floor(2*x) + floor(2*y), 2)' },
  { id: 'noisy2d', label: 'noisy samples', domain: square(), samples: noisySamples2D() },
];

/**
 * Checks an untrusted value (URL state, JSON import, the scripting API) and returns a clean Target2DSpec.
 * Expressions are compiled in x and y to check them; data is sorted by x then y with repeated (x, y) merged
 * (z averaged). Throws InvalidTargetError (with `position` for expression errors).
 */
export function validateTarget2D(value: unknown): Target2DSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTargetError('target', 'must be an object');
  }
  // Own fields only: a `kind` or `source` inherited from a prototype is not the target's.
  const v = ownFields(value, ['kind', 'id', 'source', 'xs', 'ys', 'zs']);
  switch (v.kind) {
    case 'builtin': {
      if (typeof v.id !== 'string') throw new InvalidTargetError('id', 'must be a string');
      if (!TARGETS_2D.some((t) => t.id === v.id)) {
        throw new InvalidTargetError('id', `unknown built-in 2D target '${v.id}' (known: ${TARGETS_2D.map((t) => t.id).join(', ')})`);
      }
      return { kind: 'builtin', id: v.id };
    }
    case 'expression': {
      if (typeof v.source !== 'string') throw new InvalidTargetError('source', 'must be a string');
      try {
        compileExpression(v.source, 2);
      } catch (e) {
        if (e instanceof ExpressionSyntaxError) throw new InvalidTargetError('source', e.message, e.position);
        throw e;
      }
      return { kind: 'expression', source: v.source };
    }
    case 'data': {
      const xs = finiteNumbers('xs', v.xs);
      const ys = finiteNumbers('ys', v.ys);
      const zs = finiteNumbers('zs', v.zs);
      if (ys.length !== xs.length) throw new InvalidTargetError('ys', `must have as many entries as xs (${xs.length}), got ${ys.length}`);
      if (zs.length !== xs.length) throw new InvalidTargetError('zs', `must have as many entries as xs (${xs.length}), got ${zs.length}`);
      if (xs.length === 0) throw new InvalidTargetError('xs', 'need at least 1 point');
      const norm = normalizePoints3(xs, ys, zs);
      return { kind: 'data', xs: norm.xs, ys: norm.ys, zs: norm.zs };
    }
    default:
      throw new InvalidTargetError('kind', `must be 'builtin', 'expression' or 'data', got ${describeValue(v.kind)}`);
  }
}

/** A 2D target ready to sample. */
export interface ResolvedTarget2D {
  /** The validated spec it was resolved from. */
  spec: Target2DSpec;
  label: string;
  /** float64 value at (x, y); NaN where the target is undefined. */
  f(x: number, y: number): number;
  /** WGSL f32 expression of `x` and `y` (expression targets only; needs WGSL_EXPRESSION_PRELUDE). */
  wgsl?: string;
  /** The compiled expression, for expression targets: what GpuTarget2D evaluates (gives `wgslFunction`). */
  expression?: CompiledExpression2D;
  /** Default view/fit domain; for data, the samples' bounding box padded by 5 % of its larger side. */
  domain: Rect;
  /** Data targets: the sorted, merged samples. */
  samples?: { xs: Float64Array; ys: Float64Array; zs: Float64Array };
}

/** Neighbours blended by `interpolateSamples2D`. */
export const INTERPOLATION_NEIGHBOURS_2D = 8;
/** Points per leaf of the k-d tree: scanning a few beats descending further. */
const LEAF = 8;
/** (1 + ε)² for the approximate neighbour search of `interpolateSamples2D`, ε = 0.25. */
const APPROX2 = 1.25 * 1.25;

/** Puts the k-th smallest key of idx[lo, hi) at position k, smaller-or-equal keys before it, greater-or-equal after. */
function selectKth(idx: Int32Array, key: Float64Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 1) {
    const a = key[idx[lo]];
    const b = key[idx[(lo + hi) >>> 1]];
    const c = key[idx[hi - 1]];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Three-way partition: data on a lattice repeats coordinates a lot, which a two-way one handles badly.
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i < gt) {
      const v = key[idx[i]];
      if (v < pivot) {
        const t = idx[lt];
        idx[lt++] = idx[i];
        idx[i++] = t;
      } else if (v > pivot) {
        const t = idx[--gt];
        idx[gt] = idx[i];
        idx[i] = t;
      } else i++;
    }
    if (k < lt) hi = lt;
    else if (k >= gt) lo = gt;
    else return;
  }
}

/**
 * A function of (x, y) through scattered samples, for drawing data targets: inverse-distance weighting
 * (power 2) of the `INTERPOLATION_NEIGHBOURS_2D` nearest samples, exact at the samples, constant-ish far
 * away. Distances are measured with each axis scaled to the samples' bounding box, so data whose x and y
 * have different units still blend both. Neighbours come from an implicit k-d tree with tight node boxes, searched (1 + ε)-approximately
 * (ε = 0.25: each blended neighbour is within 1.25× the true k-th distance), which keeps a call near O(log n)
 * even for tight clusters seen from afar. Samples must be finite, of equal length, non-empty; NaN in, NaN out.
 */
export function interpolateSamples2D(xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>): (x: number, y: number) => number {
  const n = xs.length;
  if (n === 0 || ys.length !== n || zs.length !== n) throw new Error('interpolateSamples2D needs equal, non-empty xs, ys and zs');
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, xs[i]);
    x1 = Math.max(x1, xs[i]);
    y0 = Math.min(y0, ys[i]);
    y1 = Math.max(y1, ys[i]);
  }
  const sx = x1 > x0 ? x1 - x0 : 1;
  const sy = y1 > y0 ? y1 - y0 : 1;
  const u0 = new Float64Array(n);
  const v0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u0[i] = (xs[i] - x0) / sx;
    v0[i] = (ys[i] - y0) / sy;
  }
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Tight bounding box of each internal node's points, stored at the node's split index (unique per node).
  const bu0 = new Float64Array(n);
  const bu1 = new Float64Array(n);
  const bv0 = new Float64Array(n);
  const bv1 = new Float64Array(n);
  const build = (lo: number, hi: number, depth: number): void => {
    if (hi - lo <= LEAF) return;
    const mid = (lo + hi) >>> 1;
    selectKth(idx, depth & 1 ? v0 : u0, lo, hi, mid);
    build(lo, mid, depth + 1);
    build(mid + 1, hi, depth + 1);
    let a = Infinity;
    let b = -Infinity;
    let c = Infinity;
    let d = -Infinity;
    for (let i = lo; i < hi; i++) {
      const u = u0[idx[i]];
      const v = v0[idx[i]];
      if (u < a) a = u;
      if (u > b) b = u;
      if (v < c) c = v;
      if (v > d) d = v;
    }
    bu0[mid] = a;
    bu1[mid] = b;
    bv0[mid] = c;
    bv1[mid] = d;
  };
  build(0, n, 0);
  // Points in tree order, so a leaf is a contiguous scan.
  const U = new Float64Array(n);
  const V = new Float64Array(n);
  const Z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    U[i] = u0[idx[i]];
    V[i] = v0[idx[i]];
    Z[i] = zs[idx[i]];
  }
  const k = Math.min(INTERPOLATION_NEIGHBOURS_2D, n);
  // The k best so far, sorted by squared distance (reused across calls: the function is not re-entrant anyway).
  const bestD = new Float64Array(k);
  const bestZ = new Float64Array(k);
  let found = 0;
  let qu = 0;
  let qv = 0;
  const consider = (i: number): void => {
    const du = U[i] - qu;
    const dv = V[i] - qv;
    const d = du * du + dv * dv;
    if (found === k && d >= bestD[k - 1]) return;
    let p = found < k ? found++ : k - 1;
    while (p > 0 && bestD[p - 1] > d) {
      bestD[p] = bestD[p - 1];
      bestZ[p] = bestZ[p - 1];
      p--;
    }
    bestD[p] = d;
    bestZ[p] = Z[i];
  };
  // A node is skipped once (1 + ε)·(distance to its bounding box) reaches the k-th best distance: with
  // ties (a tight cluster seen from afar) an exact search would visit every point, and blending neighbours
  // within a factor 1.25 of the true k-th distance looks the same. A box holding the query is at distance 0
  // and never skipped, so samples are still hit exactly.
  const search = (lo: number, hi: number, depth: number): void => {
    if (hi - lo <= LEAF) {
      for (let i = lo; i < hi; i++) consider(i);
      return;
    }
    const mid = (lo + hi) >>> 1;
    if (found === k) {
      const gu = qu < bu0[mid] ? bu0[mid] - qu : qu > bu1[mid] ? qu - bu1[mid] : 0;
      const gv = qv < bv0[mid] ? bv0[mid] - qv : qv > bv1[mid] ? qv - bv1[mid] : 0;
      if ((gu * gu + gv * gv) * APPROX2 >= bestD[k - 1]) return;
    }
    const diff = depth & 1 ? qv - V[mid] : qu - U[mid];
    if (diff < 0) {
      search(lo, mid, depth + 1);
      consider(mid);
      search(mid + 1, hi, depth + 1);
    } else {
      search(mid + 1, hi, depth + 1);
      consider(mid);
      search(lo, mid, depth + 1);
    }
  };
  return (x: number, y: number): number => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return Number.NaN;
    qu = (x - x0) / sx;
    qv = (y - y0) / sy;
    found = 0;
    search(0, n, 0);
    const dMin = bestD[0];
    if (dMin === 0) return bestZ[0];
    // Weights dMin/d ≤ 1 (rather than 1/d) cannot overflow however close the nearest sample is.
    let sw = 0;
    let sz = 0;
    for (let p = 0; p < found; p++) {
      const w = dMin / bestD[p];
      sw += w;
      sz += w * bestZ[p];
    }
    return sz / sw;
  };
}

/** The bounding box of the samples padded by 5 % of its larger side (a degenerate side gets the other's size, or 2). */
function paddedBounds(xs: ArrayLike<number>, ys: ArrayLike<number>): Rect {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    x0 = Math.min(x0, xs[i]);
    x1 = Math.max(x1, xs[i]);
    y0 = Math.min(y0, ys[i]);
    y1 = Math.max(y1, ys[i]);
  }
  const span = Math.max(x1 - x0, y1 - y0) || 2;
  const pad = 0.05 * span;
  const side = (lo: number, hi: number): [number, number] => {
    const half = hi > lo ? 0.5 * (hi - lo) : 0.5 * span;
    const mid = 0.5 * (lo + hi);
    let a = mid - half - pad;
    let b = mid + half + pad;
    // A side much thinner than its distance from 0 (x all 1e15, y within 1e-6) may round to one value.
    if (!(a < b)) {
      a = mid - Math.max(1, Math.abs(mid) * 1e-12);
      b = mid + Math.max(1, Math.abs(mid) * 1e-12);
    }
    // The padding stays inside ±1e15, the range of every view bound (data may reach its edge).
    return [Math.max(-MAX_ABS_VALUE, a), Math.min(MAX_ABS_VALUE, b)];
  };
  const [xMin, xMax] = side(x0, x1);
  const [yMin, yMax] = side(y0, y1);
  return { xMin, xMax, yMin, yMax };
}

function resolveData(spec: Target2DSpec, xs: number[], ys: number[], zs: number[], label: string, domain?: Rect): ResolvedTarget2D {
  return {
    spec,
    label,
    f: interpolateSamples2D(xs, ys, zs),
    domain: domain ? { ...domain } : paddedBounds(xs, ys),
    samples: { xs: Float64Array.from(xs), ys: Float64Array.from(ys), zs: Float64Array.from(zs) },
  };
}

function resolveExpression(spec: Target2DSpec, source: string, label: string, domain: Rect): ResolvedTarget2D {
  const expression = compileExpression(source, 2);
  return { spec, label, f: expression.evaluate, wgsl: expression.wgsl, expression, domain: { ...domain } };
}

/** Resolves a spec (validated here too, so untrusted specs are safe) to a 2D target. */
export function resolveTarget2D(spec: Target2DSpec): ResolvedTarget2D {
  const s = validateTarget2D(spec);
  switch (s.kind) {
    case 'builtin': {
      const t = TARGETS_2D.find((q) => q.id === s.id)!;
      if (t.samples) {
        // Merged and sorted like user data, so a saved 'data' copy of it resolves the same.
        const norm = normalizePoints3(t.samples.xs, t.samples.ys, t.samples.zs);
        return resolveData(s, norm.xs, norm.ys, norm.zs, t.label, t.domain);
      }
      return resolveExpression(s, t.expression!, t.label, t.domain);
    }
    case 'expression':
      return resolveExpression(s, s.source, s.source, EXPRESSION_DOMAIN_2D);
    case 'data':
      return resolveData(s, s.xs, s.ys, s.zs, `data (${s.xs.length} points)`);
  }
}

/**
 * A target's values on a 2D grid, row-major like `gridPoints2D` and the 2D evaluator: index j·nx + i holds
 * (x_i, y_j) with x_i = xMin + i·dx, y_j = yMin + j·dy (inclusive ends). NaN where the target is undefined.
 * Throws InvalidGridError on a bad grid.
 */
export function sampleTarget2D(t: Pick<ResolvedTarget2D, 'f'>, grid: Grid2D): Float64Array {
  const g = validateGrid2D(grid);
  const dx = gridStep(g.xMin, g.xMax, g.nx);
  const dy = gridStep(g.yMin, g.yMax, g.ny);
  const out = new Float64Array(g.nx * g.ny);
  let k = 0;
  for (let j = 0; j < g.ny; j++) {
    const y = g.yMin + j * dy;
    for (let i = 0; i < g.nx; i++) {
      const v = t.f(g.xMin + i * dx, y);
      out[k++] = Number.isFinite(v) ? v : Number.NaN;
    }
  }
  return out;
}
