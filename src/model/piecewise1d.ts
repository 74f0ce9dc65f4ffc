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
  const slope0 = new Neumaier();
  const icpt0 = new Neumaier();
  icpt0.add(net.c);
  const order: number[] = [];
  const knotAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = net.w[i];
    const a = net.a[i];
    const b = net.b[i];
    if (w === 0) {
      // A flat unit: constant a·φ(b) everywhere.
      icpt0.add(a * act(activation, b));
      continue;
    }
    const side = w < 0 ? 1 : alpha;
    if (side !== 0) {
      slope0.add(side * a * w);
      icpt0.add(side * a * b);
    }
    // A linear unit never bends: no knot.
    if (jump === 0) continue;
    knotAt[i] = -b / w;
    order.push(i);
  }
  {
    // A radix argsort: a comparator sort of 65,536 knots was the longest main-thread task when a big network landed.
    const keys = new Float64Array(order.length);
    for (let k = 0; k < order.length; k++) keys[k] = knotAt[order[k]];
    const byKnot = argsortFloat64(keys);
    const unsorted = order.slice();
    for (let k = 0; k < order.length; k++) order[k] = unsorted[byKnot[k]];
  }

  const knots: number[] = [];
  const slopes: number[] = [slope0.value()];
  const intercepts: number[] = [icpt0.value()];
  for (let k = 0; k < order.length; ) {
    const x = knotAt[order[k]];
    while (k < order.length && knotAt[order[k]] === x) {
      const i = order[k];
      // w > 0 turns to its slope-1 side at its knot, w < 0 to its α side: the piece changes by ±(1 − α)·(a·w, a·b).
      const sign = net.w[i] > 0 ? jump : -jump;
      slope0.add(sign * net.a[i] * net.w[i]);
      icpt0.add(sign * net.a[i] * net.b[i]);
      k++;
    }
    knots.push(x);
    slopes.push(slope0.value());
    intercepts.push(icpt0.value());
  }
  return {
    knots: Float64Array.from(knots),
    slopes: Float64Array.from(slopes),
    intercepts: Float64Array.from(intercepts),
  };
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
 */
export function evaluatePiecewise(pl: PiecewiseLinear, xs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(xs.length);
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
