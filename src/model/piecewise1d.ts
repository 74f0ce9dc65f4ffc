import { InvalidNetworkError, type Network, type ValidNetwork, isValidNetwork } from './network.ts';
import { argsortFloat64 } from './argsort.ts';
import { act, activationOf, plSlope } from './activation.ts';

/**
 * The exact piecewise-linear form of a 1D sum of ReLU, leaky-ReLU or linear units (not sigmoid: no pieces).
 * Piece j covers [knots[j−1], knots[j]] (piece 0 runs to −∞, piece K to +∞) where
 * f(x) = slopes[j]·x + intercepts[j]. Knots are sorted and distinct; each is where the slope changes
 * (units with equal knots are merged, and knots whose slope change cancels to exactly 0 are kept,
 * so `knots.length` ≤ N).
 */
export interface PiecewiseLinear {
  knots: Float64Array;
  slopes: Float64Array;
  intercepts: Float64Array;
}

/**
 * Builds the piecewise-linear form in O(N log N).
 * With φ(z) = α·z left of the knot and z right of it (α = 0 for ReLU, 0.01 leaky, 1 linear): left of every knot
 * units with w < 0 are on their slope-1 side and units with w > 0 on their α side; crossing a knot changes the
 * piece by ±(1 − α)·(a·w, a·b). Linear units (α = 1) change nothing, so a linear sum is one piece, no knots.
 * Prefix sums use Neumaier compensation so the reference stays accurate with thousands of units.
 * Throws InvalidNetworkError for sigmoid networks (no knots; evaluate them by brute force).
 */
export function piecewise1D(net: Network): PiecewiseLinear {
  if (net.dim !== 1) throw new InvalidNetworkError('dim', `piecewise1D needs a 1D network, got a ${net.dim}D one`);
  const activation = activationOf(net);
  if (activation === 'sigmoid') throw new InvalidNetworkError('activation', 'a sigmoid sum is not piecewise linear (no knots)');
  const alpha = plSlope(activation);
  const jump = 1 - alpha;
  const n = net.a.length;
  const { w: W, a: A, b: B } = net;
  // Neumaier sums of the slope (s, sComp) and the intercept (c, cComp), written out: a Neumaier object per sum, the
  // knots' order in a plain array and the pieces pushed onto arrays made this 10× slower, and it runs in the fit
  // worker between the N slider's last input and the picture (at 65,536 units). Same steps, same result.
  let s = 0;
  let sComp = 0;
  let c = 0;
  let cComp = 0;
  let sum = 0;
  let x = net.c;
  sum = c + x;
  cComp += Math.abs(c) >= Math.abs(x) ? c - sum + x : x - sum + c;
  c = sum;
  const unitOf = new Int32Array(n);
  const knotOf = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const w = W[i];
    const a = A[i];
    const b = B[i];
    if (w === 0) {
      // A flat unit: constant a·φ(b) everywhere.
      x = a * act(activation, b);
      sum = c + x;
      cComp += Math.abs(c) >= Math.abs(x) ? c - sum + x : x - sum + c;
      c = sum;
      continue;
    }
    const side = w < 0 ? 1 : alpha;
    if (side !== 0) {
      x = side * a * w;
      sum = s + x;
      sComp += Math.abs(s) >= Math.abs(x) ? s - sum + x : x - sum + s;
      s = sum;
      x = side * a * b;
      sum = c + x;
      cComp += Math.abs(c) >= Math.abs(x) ? c - sum + x : x - sum + c;
      c = sum;
    }
    // A linear unit never bends: no knot.
    if (jump === 0) continue;
    knotOf[m] = -b / w;
    unitOf[m] = i;
    m++;
  }
  // A radix argsort: a comparator sort of 65,536 knots was the longest main-thread task when a big network landed.
  const byKnot = argsortFloat64(knotOf.subarray(0, m));
  const knots = new Float64Array(m);
  const slopes = new Float64Array(m + 1);
  const intercepts = new Float64Array(m + 1);
  slopes[0] = s + sComp;
  intercepts[0] = c + cComp;
  let pieces = 0;
  for (let k = 0; k < m; ) {
    const at = knotOf[byKnot[k]];
    while (k < m && knotOf[byKnot[k]] === at) {
      const i = unitOf[byKnot[k]];
      // w > 0 turns to its slope-1 side at its knot, w < 0 to its α side: the piece changes by ±(1 − α)·(a·w, a·b).
      const sign = W[i] > 0 ? jump : -jump;
      x = sign * A[i] * W[i];
      sum = s + x;
      sComp += Math.abs(s) >= Math.abs(x) ? s - sum + x : x - sum + s;
      s = sum;
      x = sign * A[i] * B[i];
      sum = c + x;
      cComp += Math.abs(c) >= Math.abs(x) ? c - sum + x : x - sum + c;
      c = sum;
      k++;
    }
    knots[pieces] = at;
    pieces++;
    slopes[pieces] = s + sComp;
    intercepts[pieces] = c + cComp;
  }
  // Units sharing a knot made fewer pieces than knots: trim.
  if (pieces === m) return { knots, slopes, intercepts };
  return { knots: knots.slice(0, pieces), slopes: slopes.slice(0, pieces + 1), intercepts: intercepts.slice(0, pieces + 1) };
}

/** Piecewise forms of validated networks, built once each (validated networks are frozen, so they never go stale). */
const pieces = new WeakMap<ValidNetwork, PiecewiseLinear>();

/**
 * `piecewise1D(net)`, built once per validated network and shared: the O(N log N) sort runs once, not per frame.
 * The result is shared by every caller: read it, never write to it.
 */
export function piecewiseOf(net: ValidNetwork): PiecewiseLinear {
  let pl = pieces.get(net);
  if (!pl) {
    pl = piecewise1D(net);
    pieces.set(net, pl);
  }
  return pl;
}

/** Index of the piece containing x: the number of knots ≤ x (binary search, O(log K)). */
export function pieceIndex(pl: PiecewiseLinear, x: number): number {
  const k = pl.knots;
  let lo = 0;
  let hi = k.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (k[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Evaluates at arbitrary points: a binary search per point, O(G log K).
 * When the points are sorted ascending a linear merge is used instead, O(G + K).
 * Writes into `out` when given (at least `xs.length` entries; the result is a view of its first `xs.length`,
 * every one overwritten), else into a new array.
 */
export function evaluatePiecewise(pl: PiecewiseLinear, xs: ArrayLike<number>, into?: Float64Array): Float64Array {
  if (into && into.length < xs.length) throw new RangeError(`an output array of ${into.length} entries cannot hold ${xs.length}`);
  const out = !into ? new Float64Array(xs.length) : into.length === xs.length ? into : into.subarray(0, xs.length);
  const { knots, slopes, intercepts } = pl;
  let sorted = true;
  for (let i = 1; i < xs.length && sorted; i++) sorted = xs[i - 1] <= xs[i];
  if (sorted) {
    let j = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      while (j < knots.length && knots[j] <= x) j++;
      out[i] = slopes[j] * x + intercepts[j];
    }
  } else {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const j = pieceIndex(pl, x);
      out[i] = slopes[j] * x + intercepts[j];
    }
  }
  return out;
}

/** Number of linear pieces that intersect [xMin, xMax] (distinct slopes, so cancelled knots are not counted). */
export function piecesInRange(pl: PiecewiseLinear, xMin: number, xMax: number): number {
  let count = 1;
  for (let j = 0; j < pl.knots.length; j++) {
    const x = pl.knots[j];
    if (x > xMin && x < xMax && pl.slopes[j + 1] !== pl.slopes[j]) count++;
  }
  return count;
}

/** Neumaier's compensated summation: exact to about one rounding for long sums of mixed signs. */
export class Neumaier {
  private sum = 0;
  private comp = 0;
  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
  }
  value(): number {
    return this.sum + this.comp;
  }
}

/**
 * f at the points xs of any 1D network: from the exact piecewise form (cached per validated network) for the
 * piecewise-linear activations, by the plain sum for sigmoid units (which have no pieces).
 */
export function evaluateNetwork1D(net: Network, xs: ArrayLike<number>): Float64Array {
  const activation = activationOf(net);
  if (activation !== 'sigmoid') return evaluatePiecewise(isValidNetwork(net) ? piecewiseOf(net) : piecewise1D(net), xs);
  const out = new Float64Array(xs.length);
  for (let p = 0; p < xs.length; p++) {
    let s = net.c;
    for (let i = 0; i < net.a.length; i++) s += net.a[i] * act(activation, net.w[i] * xs[p] + net.b[i]);
    out[p] = s;
  }
  return out;
}

/** The piecewise form of a validated 1D network, or null for a sigmoid one (no pieces). */
export function piecewiseOrNull(net: ValidNetwork): PiecewiseLinear | null {
  return activationOf(net) === 'sigmoid' ? null : piecewiseOf(net);
}

/**
 * Makes `piecewiseOf(net)` return `pl`, computed elsewhere (the fit worker) by `piecewise1D` from the same numbers
 * and activation, so the O(N log N) sort is not done again on the main thread. A form already cached stays.
 */
export function adoptPiecewise(net: ValidNetwork, pl: PiecewiseLinear): void {
  if (!pieces.has(net)) pieces.set(net, pl);
}
