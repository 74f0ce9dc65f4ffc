/**
 * Level of detail for the 1D plot's unit terms. Past a few hundred units the faint terms merge into a dark
 * area that says nothing, and drawing 65,536 of them costs seconds a frame; instead the plot draws the K terms
 * that reach furthest from zero in the view (and the selected unit), a band from the lowest to the highest
 * value the other terms take at each x, and the knots as a density strip. The sum is never approximated.
 * Pure functions on the network (no DOM): O(N) per view for the selection, O(N) plus the sample count for the
 * band (one sort by slope per network, cached), O(N) for the knot histogram. Linear units have no knots; sigmoid
 * units get no band (see termBand).
 */
import type { Network } from '../../model/network.ts';
import { act, activationOf, isPiecewiseLinear, plSlope } from '../../model/activation.ts';
import { slopeOrderOf } from '../../model/prepared1d.ts';

/** Above this many units the plot switches from every term to the level-of-detail picture. */
export const LOD_MIN_UNITS = 256;
/** How many terms the level-of-detail picture draws (besides the selected unit). */
export const LOD_TERMS = 64;

/**
 * The largest |a·φ(w·x + b)| over [x0, x1]: |φ(z)| of every activation here is monotone on each side of z = 0
 * (ReLU, leaky and linear are linear there, sigmoid is monotone), so an end of the view holds it.
 */
export function termPeak(net: Network, i: number, x0: number, x1: number): number {
  const w = net.w[i];
  const b = net.b[i];
  const a = Math.abs(net.a[i]);
  const activation = activationOf(net);
  if (activation === 'relu') return a * Math.max(0, w * x0 + b, w * x1 + b);
  return a * Math.max(Math.abs(act(activation, w * x0 + b)), Math.abs(act(activation, w * x1 + b)));
}

/**
 * The indices of the `k` terms with the largest peak |term| over [x0, x1] (see termPeak), largest first (ties: the
 * lower index first), with `selected` appended when it is a unit and not among them. O(N): the k-th largest peak
 * is found by selection, then only the k chosen are sorted (a heap of k cost O(N log k) and was slow when the peaks
 * grow with the index, as those of a least-squares fit do).
 */
export function largestTerms(net: Network, x0: number, x1: number, k: number, selected = -1): number[] {
  const n = net.a.length;
  k = Math.max(0, Math.min(k, n));
  const peak = new Float64Array(n);
  if (activationOf(net) === 'relu') {
    // termPeak's ReLU case written out (the same numbers): a call per unit was most of this at 65,536 units.
    const { w, b, a } = net;
    for (let i = 0; i < n; i++) peak[i] = Math.abs(a[i]) * Math.max(0, w[i] * x0 + b[i], w[i] * x1 + b[i]);
  } else for (let i = 0; i < n; i++) peak[i] = termPeak(net, i, x0, x1);
  const out: number[] = [];
  if (k > 0) {
    // The k-th largest peak: every term above it is in, and terms equal to it fill up by index.
    const kth = k === n ? -Infinity : kthLargest(peak.slice(), k);
    let above = 0;
    for (let i = 0; i < n; i++) if (peak[i] > kth) above++;
    let ties = k - above;
    for (let i = 0; i < n && out.length < k; i++) {
      if (peak[i] > kth) out.push(i);
      else if (peak[i] === kth && ties > 0) {
        out.push(i);
        ties--;
      }
    }
    out.sort((p, q) => peak[q] - peak[p] || p - q);
  }
  if (selected >= 0 && selected < n && !out.includes(selected)) out.push(selected);
  return out;
}

/** The k-th largest value of `v` (1 ≤ k ≤ v.length), reordering `v`: Hoare's selection, O(length) on average. */
function kthLargest(v: Float64Array, k: number): number {
  // The k-th largest is the (length − k)-th smallest.
  const target = v.length - k;
  let lo = 0;
  let hi = v.length - 1;
  while (lo < hi) {
    const pivot = v[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return v[target];
  }
  return v[target];
}

/** The band of the terms not drawn: at each x, the lowest (`lo`) and the highest (`hi`) value any of them takes. */
export interface TermBand {
  lo: Float64Array;
  hi: Float64Array;
  /** How many terms the band holds. */
  count: number;
}

/** An envelope of lines as its pieces' lines, by slope (ascending as x grows): m[j]·x + c[j], times `sign`. */
interface Hull {
  m: Float64Array;
  c: Float64Array;
  sign: 1 | -1;
}

/**
 * The upper envelope max over the kept units of the line a·(w·x + b) (the convex-hull trick on lines sorted by
 * slope; `sign` −1 gives the lower envelope, as −max of the negated lines), or null when no unit is kept. O(units).
 */
function hullOf(net: Network, order: Int32Array, skip: Uint8Array, sign: 1 | -1): Hull | null {
  // Stacks in typed arrays (one slot per unit at most): plain arrays' push and pop were most of the band's first frame.
  const len = order.length;
  const m = new Float64Array(len);
  const c = new Float64Array(len);
  let top = 0;
  // Negated lines, sorted by slope ascending, are the originals read backwards.
  for (let t = 0; t < len; t++) {
    const i = order[sign === 1 ? t : len - 1 - t];
    if (skip[i]) continue;
    const mi = sign * net.a[i] * net.w[i];
    const ci = sign * net.a[i] * net.b[i];
    if (top > 0 && m[top - 1] === mi) {
      // Same slope: only the higher line can be on the envelope.
      if (c[top - 1] >= ci) continue;
      top--;
    }
    // The last line is off the envelope when the new one overtakes the one before it no later than it does.
    while (top >= 2) {
      const j = top - 1;
      const xNewPrev = (c[j - 1] - ci) * (m[j] - m[j - 1]);
      const xLastPrev = (c[j - 1] - c[j]) * (mi - m[j - 1]);
      if (xNewPrev <= xLastPrev) top--;
      else break;
    }
    m[top] = mi;
    c[top] = ci;
    top++;
  }
  return top === 0 ? null : { m: m.slice(0, top), c: c.slice(0, top), sign };
}

/** The envelope at ascending xs. O(hull + xs). */
function evaluateHull(h: Hull, xs: ArrayLike<number>): Float64Array {
  const { m, c, sign } = h;
  const out = new Float64Array(xs.length);
  let j = 0;
  for (let s = 0; s < xs.length; s++) {
    const x = xs[s];
    while (j + 1 < m.length && m[j + 1] * x + c[j + 1] >= m[j] * x + c[j]) j++;
    out[s] = sign * (m[j] * x + c[j]);
  }
  return out;
}

/**
 * What a band needs that depends on the network and the drawn terms only (not the view): kept for the next frame.
 * With L = a·(w·x + b), a piecewise-linear term is φ(L) for a > 0 and ψ(L) for a < 0, where φ(t) = t above 0 and
 * α·t below, ψ(t) = t below 0 and α·t above (α = 0 ReLU, 0.01 leaky, 1 linear). Both are increasing, so the
 * highest term with a > 0 is φ(upper envelope of their lines), and so on: four envelopes give the band exactly.
 */
interface BandHulls {
  key: string;
  count: number;
  alpha: number;
  /** Upper and lower envelopes of the lines of the kept units with a > 0 (`pos`) and with a < 0 (`neg`). */
  posUp: Hull | null;
  posDown: Hull | null;
  negUp: Hull | null;
  negDown: Hull | null;
  /** Whether a kept unit has a = 0 (its term is 0 everywhere). */
  zero: boolean;
}

const lastHulls = new WeakMap<Network, BandHulls>();

function bandHulls(net: Network, drawn: readonly number[]): BandHulls | null {
  const n = net.a.length;
  const inRange = drawn.filter((i) => i >= 0 && i < n);
  const key = [...new Set(inRange)].sort((p, q) => p - q).join(',');
  const cached = lastHulls.get(net);
  if (cached && cached.key === key) return cached.count === 0 ? null : cached;
  const skip = new Uint8Array(n);
  for (const i of inRange) skip[i] = 1;
  // Sorted once per network: by the fit worker for a fitted one (model/prepared1d.ts), else on first use.
  const { pos, neg } = slopeOrderOf(net);
  let zero = 0;
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) {
    if (skip[i]) continue;
    if (net.a[i] > 0) nPos++;
    else if (net.a[i] < 0) nNeg++;
    else zero++;
  }
  const count = nPos + nNeg + zero;
  const h: BandHulls = {
    key,
    count,
    alpha: plSlope(activationOf(net)),
    posUp: nPos > 0 ? hullOf(net, pos, skip, 1) : null,
    posDown: nPos > 0 ? hullOf(net, pos, skip, -1) : null,
    negUp: nNeg > 0 ? hullOf(net, neg, skip, 1) : null,
    negDown: nNeg > 0 ? hullOf(net, neg, skip, -1) : null,
    zero: zero > 0,
  };
  lastHulls.set(net, h);
  return count === 0 ? null : h;
}

/**
 * The band of every term except those in `drawn`, at ascending xs: lo[s] = min and hi[s] = max over those terms of
 * a·φ(w·x + b) at xs[s], exact for the piecewise-linear activations (see BandHulls). Null when no term is left for
 * it, and for sigmoid units (no envelope gives their band; the plot then draws the largest terms alone). The
 * envelopes are kept for the network's next call with the same drawn terms (a pan), which then costs
 * O(envelope + xs).
 */
export function termBand(net: Network, drawn: readonly number[], xs: ArrayLike<number>): TermBand | null {
  if (!isPiecewiseLinear(activationOf(net))) return null;
  const h = bandHulls(net, drawn);
  if (!h) return null;
  const g = xs.length;
  const alpha = h.alpha;
  const at = (hull: Hull | null) => (hull ? evaluateHull(hull, xs) : null);
  const [posUp, posDown, negUp, negDown] = [at(h.posUp), at(h.posDown), at(h.negUp), at(h.negDown)];
  const phi = (t: number) => (t > 0 ? t : alpha * t);
  const psi = (t: number) => (t < 0 ? t : alpha * t);
  const hi = new Float64Array(g);
  const lo = new Float64Array(g);
  for (let s = 0; s < g; s++) {
    let top = h.zero ? 0 : -Infinity;
    let bottom = h.zero ? 0 : Infinity;
    if (posUp) top = Math.max(top, phi(posUp[s]));
    if (negUp) top = Math.max(top, psi(negUp[s]));
    if (posDown) bottom = Math.min(bottom, phi(posDown[s]));
    if (negDown) bottom = Math.min(bottom, psi(negDown[s]));
    hi[s] = top;
    lo[s] = bottom;
  }
  return { lo, hi, count: h.count };
}

/**
 * How many units have their knot −b/w in each of `bins` equal columns of [x0, x1] (units with w = 0 have none,
 * nor do linear units; knots outside are not counted). O(N).
 */
export function knotHistogram(net: Network, x0: number, x1: number, bins: number): Uint32Array {
  const counts = new Uint32Array(Math.max(0, bins));
  // Linear units never bend: −b/w is where the term crosses zero, not a knot.
  if (bins <= 0 || !(x1 > x0) || activationOf(net) === 'linear') return counts;
  const scale = bins / (x1 - x0);
  for (let i = 0; i < net.a.length; i++) {
    const w = net.w[i];
    if (w === 0) continue;
    const k = -net.b[i] / w;
    if (!(k >= x0 && k <= x1)) continue;
    counts[Math.min(bins - 1, Math.floor((k - x0) * scale))]++;
  }
  return counts;
}

/**
 * The on-plot sentence of the level-of-detail picture, e.g. "showing the 64 largest terms of 65,536; the band holds
 * the rest" (`band` false: sigmoid units, whose other terms are not drawn).
 */
export function lodNote(shown: number, total: number, band = true): string {
  return `showing the ${shown.toLocaleString('en-US')} largest terms of ${total.toLocaleString('en-US')}; ${band ? 'the band holds the rest' : 'the rest are not drawn'}`;
}
