/**
 * Target functions the network is fitted to: a built-in library, user expressions and user data.
 * A target resolves to a float64 function `f` (NaN where undefined, see model/expression.ts),
 * optionally its WGSL form, a default domain, and for data targets the samples themselves.
 */
import { ownFields } from './ownFields.ts';
import { type CompiledExpression, ExpressionSyntaxError, compileExpression } from './expression.ts';
import { MAX_CSV_POINTS, normalizePoints } from './csv.ts';
import { describeValue, outsideRange } from './limits.ts';
import { MAX_PARAM, seededRandom } from './network.ts';

export type TargetSpec =
  | { kind: 'builtin'; id: string }
  | { kind: 'expression'; source: string }
  | { kind: 'data'; xs: number[]; ys: number[] };

/** One entry of the built-in library: defined by an expression or by a fixed sample set. */
export interface BuiltinTarget {
  id: string;
  label: string;
  /** Default view/fit domain. */
  domain: [number, number];
  expression?: string;
  samples?: { xs: number[]; ys: number[] };
}

/** Default domain for user expressions. */
export const EXPRESSION_DOMAIN: [number, number] = [-Math.PI, Math.PI];

/** 40 noisy samples of sin(3x)/(1 + x²) on [−2, 2] with Gaussian noise σ = 0.08, from a fixed seed. */
function noisySamples(): { xs: number[]; ys: number[] } {
  const rnd = seededRandom(20_240_611);
  const xs: number[] = [];
  const ys: number[] = [];
  const n = 40;
  for (let i = 0; i < n; i++) {
    // Jittered grid: irregular spacing, never two equal x.
    const x = -2 + (4 * (i + 0.15 + 0.7 * rnd())) / n;
    // Box–Muller normal noise.
    const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    xs.push(x);
    ys.push(Math.sin(3 * x) / (1 + x * x) + 0.08 * g);
  }
  return { xs, ys };
}

/** The built-in library, in menu order. */
export const TARGETS: ReadonlyArray<BuiltinTarget> = [
  { id: 'sin', label: 'sin(x)', domain: [-Math.PI, Math.PI], expression: 'sin(x)' },
  { id: 'abs', label: '|x|', domain: [-1, 1], expression: 'abs(x)' },
  { id: 'square', label: 'x²', domain: [-1, 1], expression: 'x^2' },
  { id: 'step', label: 'step', domain: [-1, 1], expression: 'step(x)' },
  { id: 'sawtooth', label: 'sawtooth', domain: [-2, 2], expression: '2*(x - floor(x + 0.5))' },
  { id: 'gaussian', label: 'Gaussian bump', domain: [-1, 1], expression: 'exp(-(x/0.3)^2)' },
  { id: 'wiggle', label: 'sin(3x) + 0.3|x|', domain: [-Math.PI, Math.PI], expression: 'sin(3*x) + 0.3*abs(x)' },
  { id: 'noisy', label: 'noisy samples', domain: [-2, 2], samples: noisySamples() },
];

/** A target spec that failed validation; `position` is set for expression syntax errors. */
export class InvalidTargetError extends Error {
  override name = 'InvalidTargetError';
  constructor(
    readonly field: string,
    /** What is wrong with the field, without the prefix. */
    readonly detail: string,
    readonly position?: number,
  ) {
    super(`Invalid target: ${field}: ${detail}`);
  }
}

/**
 * The finite numbers of an untrusted array (or typed array) of at most MAX_CSV_POINTS values, each within ±MAX_PARAM;
 * else an InvalidTargetError naming `field` (or `field[i]`). Shared by the 1D and 2D target checks.
 */
export function finiteNumbers(field: string, v: unknown): number[] {
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    throw new InvalidTargetError(field, 'must be an array of numbers');
  }
  const arr = v as ArrayLike<unknown>;
  // Before any per-point work, so an oversized array is refused at once.
  if (arr.length > MAX_CSV_POINTS) throw new InvalidTargetError(field, `at most ${MAX_CSV_POINTS} points, got ${arr.length}`);
  const out: number[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidTargetError(`${field}[${i}]`, `must be a finite number, got ${describeValue(x)}`);
    }
    if (Math.abs(x) > MAX_PARAM) throw new InvalidTargetError(`${field}[${i}]`, outsideRange(x));
    out[i] = x;
  }
  return out;
}

/**
 * Checks an untrusted value (URL state, JSON import) and returns a clean TargetSpec.
 * Expressions are compiled to check them; data is sorted by x with repeated x averaged.
 * Throws InvalidTargetError (with `position` for expression errors).
 */
export function validateTargetSpec(value: unknown): TargetSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTargetError('target', 'must be an object');
  }
  // Own fields only: a `kind` or `source` inherited from a prototype is not the target's.
  const v = ownFields(value, ['kind', 'id', 'source', 'xs', 'ys', 'zs']);
  switch (v.kind) {
    case 'builtin': {
      if (typeof v.id !== 'string') throw new InvalidTargetError('id', 'must be a string');
      if (!TARGETS.some((t) => t.id === v.id)) {
        throw new InvalidTargetError('id', `unknown built-in target '${v.id}' (known: ${TARGETS.map((t) => t.id).join(', ')})`);
      }
      return { kind: 'builtin', id: v.id };
    }
    case 'expression': {
      if (typeof v.source !== 'string') throw new InvalidTargetError('source', 'must be a string');
      try {
        compileExpression(v.source);
      } catch (e) {
        if (e instanceof ExpressionSyntaxError) throw new InvalidTargetError('source', e.message, e.position);
        throw e;
      }
      return { kind: 'expression', source: v.source };
    }
    case 'data': {
      const xs = finiteNumbers('xs', v.xs);
      const ys = finiteNumbers('ys', v.ys);
      if (xs.length !== ys.length) throw new InvalidTargetError('ys', `must have as many entries as xs (${xs.length}), got ${ys.length}`);
      if (xs.length > MAX_CSV_POINTS) throw new InvalidTargetError('xs', `at most ${MAX_CSV_POINTS} points, got ${xs.length}`);
      const norm = normalizePoints(xs, ys);
      if (norm.xs.length < 2) throw new InvalidTargetError('xs', 'need at least 2 points with different x');
      return { kind: 'data', xs: norm.xs, ys: norm.ys };
    }
    default:
      throw new InvalidTargetError('kind', `must be 'builtin', 'expression' or 'data', got ${describeValue(v.kind)}`);
  }
}

/** A target ready to sample. */
export interface ResolvedTarget {
  /** float64 value at x; NaN where the target is undefined. */
  f(x: number): number;
  /** WGSL f32 expression of `x` (expression targets only; needs WGSL_EXPRESSION_PRELUDE). */
  wgsl?: string;
  /** The compiled expression, for expression targets (gives `wgslFunction`). */
  expression?: CompiledExpression;
  domain: [number, number];
  /** Data targets: the sorted, merged samples. */
  samples?: { xs: number[]; ys: number[] };
  label: string;
}

/**
 * Piecewise-linear interpolation of sorted samples with distinct x, constant beyond the ends.
 * O(log n) per call (binary search).
 */
export function interpolateSamples(xs: ArrayLike<number>, ys: ArrayLike<number>): (x: number) => number {
  const n = xs.length;
  if (n === 0 || ys.length !== n) throw new Error('interpolateSamples needs equal, non-empty xs and ys');
  return (x: number) => {
    if (x !== x) return Number.NaN;
    if (x <= xs[0]) return ys[0];
    if (x >= xs[n - 1]) return ys[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid;
    }
    const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
    return ys[lo] + t * (ys[hi] - ys[lo]);
  };
}

function resolveData(xs: number[], ys: number[], label: string, domain?: [number, number]): ResolvedTarget {
  return {
    f: interpolateSamples(xs, ys),
    domain: domain ?? [xs[0], xs[xs.length - 1]],
    samples: { xs, ys },
    label,
  };
}

function resolveExpression(source: string, label: string, domain: [number, number]): ResolvedTarget {
  const expression = compileExpression(source);
  return { f: expression.evaluate, wgsl: expression.wgsl, expression, domain, label };
}

/** Resolves a spec (validated here too, so untrusted specs are safe) to a target. */
export function resolveTarget(spec: TargetSpec): ResolvedTarget {
  const s = validateTargetSpec(spec);
  switch (s.kind) {
    case 'builtin': {
      const t = TARGETS.find((q) => q.id === s.id)!;
      if (t.samples) return resolveData(t.samples.xs, t.samples.ys, t.label, t.domain);
      return resolveExpression(t.expression!, t.label, t.domain);
    }
    case 'expression':
      return resolveExpression(s.source, s.source, EXPRESSION_DOMAIN);
    case 'data':
      return resolveData(s.xs, s.ys, `data (${s.xs.length} points)`);
  }
}

/**
 * Samples a target on `count` evenly spaced points of [lo, hi] (inclusive), keeping only the points
 * where it is defined (finite). The usual input to least squares and training.
 */
export function sampleTarget(
  f: (x: number) => number,
  domain: [number, number],
  count: number,
): { xs: Float64Array; ys: Float64Array } {
  const [lo, hi] = domain;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`invalid domain [${lo}, ${hi}]`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`sample count must be a positive integer, got ${count}`);
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const x = count === 1 ? 0.5 * (lo + hi) : lo + ((hi - lo) * i) / (count - 1);
    const y = f(x);
    if (Number.isFinite(y)) {
      xs[k] = x;
      ys[k] = y;
      k++;
    }
  }
  return { xs: xs.slice(0, k), ys: ys.slice(0, k) };
}
