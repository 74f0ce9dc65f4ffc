/**
 * The one range for every number a user gives the sandbox (weights, biases, output weights, the output bias,
 * view coordinates, data points and target values), checked identically at every entrance: panel, link, JSON
 * import, CSV, scripting API, 1D and 2D.
 *
 * Why 1e15: the GPU computes in float32, which holds magnitudes up to 3.4e38. A single value within ±1e15 is
 * stored finite (to float32's ~7 digits), and a product of two such values (w·x, a·b) stays below 1e30.
 * A whole network can still add up to more than float32 holds (a = w = 1e15 at x = 1e15 gives 1e45), so the
 * state also bounds what the network can compute over the box it is shown and trained on: see
 * `MAX_ABS_OUTPUT` and `worstCaseOutput`.
 */

/** Largest magnitude of any number the user gives (what float32 holds with headroom). */
export const MAX_ABS_VALUE = 1e15;

/**
 * Largest worst-case |f(x)| over the shown box: 1e30 keeps every partial sum of the GPU's float32 evaluation
 * finite with eight orders of magnitude to spare (float32 overflows at 3.4e38).
 */
export const MAX_ABS_OUTPUT = 1e30;

/** The text of the range, as messages say it. */
export const RANGE_TEXT = '±1e15 (what float32 holds with headroom)';

/** True when `v` is a finite number within ±MAX_ABS_VALUE. */
export function inRange(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_ABS_VALUE;
}

/** A number as messages write it: big ones as powers of ten (2e15, -1e39), the rest as JavaScript does. */
export function formatValue(v: number): string {
  return Number.isFinite(v) && Math.abs(v) >= 1e15 ? v.toExponential().replace('e+', 'e') : String(v);
}

/** The message for a number outside the range, e.g. "1e39 is outside ±1e15 (what float32 holds with headroom)". */
export function outsideRange(v: number): string {
  return `${formatValue(v)} is outside ${RANGE_TEXT}`;
}

/** Per-network terms of the bound, cached for networks that cannot change (frozen: validated ones). */
const boundTerms = new WeakMap<object, { base: number; perDim: number[] }>();

function termsOf(net: { dim: number; w: ArrayLike<number>; b: ArrayLike<number>; a: ArrayLike<number>; c: number }): { base: number; perDim: number[] } {
  const cached = boundTerms.get(net);
  if (cached) return cached;
  const dim = net.dim;
  const n = net.a.length;
  let base = Math.abs(net.c);
  const perDim = new Array<number>(dim).fill(0);
  for (let i = 0; i < n; i++) {
    const a = Math.abs(net.a[i]);
    base += a * Math.abs(net.b[i]);
    for (let d = 0; d < dim; d++) perDim[d] += a * Math.abs(net.w[i * dim + d]);
  }
  const terms = { base, perDim };
  if (Object.isFrozen(net)) boundTerms.set(net, terms);
  return terms;
}

/**
 * An upper bound of |f(x)| = |c + Σ a_i·max(0, w_i·x + b_i)| for every x with |x_d| ≤ reach[d], and of every
 * partial sum on the way, whatever the order of summation: |c| + Σ |a_i|·(Σ_d |w_id|·reach[d] + |b_i|).
 * Linear in `reach`, so its per-network terms are computed once (O(N·dim)) and a new view costs O(dim).
 */
export function worstCaseOutput(net: { dim: number; w: ArrayLike<number>; b: ArrayLike<number>; a: ArrayLike<number>; c: number }, reach: readonly number[]): number {
  const { base, perDim } = termsOf(net);
  let sum = base;
  for (let d = 0; d < perDim.length; d++) sum += perDim[d] * reach[d];
  return sum;
}

/** A short description of any value for messages (never throws: BigInt, symbols and cyclic objects included). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
