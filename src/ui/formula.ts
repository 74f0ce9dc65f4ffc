/** The live formula legend: c + Σ aᵢ·φ(wᵢ·x + bᵢ) with the current numbers of the first few units. */
import { type Network, isValidNetwork } from '../model/network.ts';
import { type Activation, activationOf } from '../model/activation.ts';
import { piecewiseOf } from '../model/piecewise1d.ts';

/** How φ is written: ReLU(…), LeakyReLU(…), σ(…); linear units write their affine term bare, in brackets. */
const PHI: Readonly<Record<Activation, [string, string]>> = {
  relu: ['ReLU(', ')'],
  'leaky-relu': ['LeakyReLU(', ')'],
  linear: ['(', ')'],
  sigmoid: ['σ(', ')'],
};

/** The symbolic name of φ for the first line. */
function phiName(act: Activation): string {
  return act === 'linear' ? '' : PHI[act][0].slice(0, -1);
}

/** A compact number for the legend: `digits` significant digits (3 by default), no float noise. */
export function fmt(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(v.toPrecision(digits)));
}

/** Below this fraction of the largest magnitude in its group a coefficient is rounding noise and prints as 0. */
export const NOISE = 1e-12;

/** `v` with values below NOISE × `scale` set to 0 (so −1.22e-16 reads 0). */
export function clean(v: number, scale: number): number {
  return Math.abs(v) < NOISE * scale ? 0 : v;
}

function maxAbs(xs: ArrayLike<number>, extra = 0): number {
  let m = Math.abs(extra);
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
}

function signed(v: number, first: boolean, digits = 3): string {
  if (first) return v < 0 ? `−${fmt(-v, digits)}` : fmt(v, digits);
  return v < 0 ? ` − ${fmt(-v, digits)}` : ` + ${fmt(v, digits)}`;
}

/**
 * One unit's term as text, e.g. "1.27·ReLU(x + 3.14)", "1.27·σ(x + 3.14)" or, for a linear unit, "1.27·(x + 3.14)";
 * `digits` for the inner numbers.
 */
export function termText(w: number, b: number, a: number, digits = 3, act: Activation = 'relu'): string {
  const wx = w === 1 ? 'x' : w === -1 ? '−x' : `${fmt(w, digits)}·x`;
  const bias = b === 0 ? '' : b < 0 ? ` − ${fmt(-b, digits)}` : ` + ${fmt(b, digits)}`;
  const [open, close] = PHI[act];
  return `${fmt(a)}·${open}${wx}${bias}${close}`;
}

/** Above this many terms the numeric line summarises the knots instead of listing terms that look alike. */
export const SUMMARY_ABOVE = 8;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The symbolic form and the instantiated form. Coefficients below NOISE of the largest print as 0 and
 * terms with a zero output weight leave the sum (they contribute nothing). With more than SUMMARY_ABOVE
 * terms (1D) the numeric line says how many terms there are and where their knots lie, then shows the first
 * `shown` terms with enough digits to tell their knots apart.
 */
export function formulaLines(net: Network, shown = 4): { symbolic: string; numeric: string } {
  const n = net.a.length;
  const aScale = maxAbs(net.a, net.c);
  const c = clean(net.c, aScale);
  // The live terms: their count, and the first few (the only ones written out).
  const keep = Math.max(shown, SUMMARY_ABOVE);
  const firstLive: number[] = [];
  let liveCount = 0;
  for (let i = 0; i < n; i++) {
    if (clean(net.a[i], aScale) === 0) continue;
    if (firstLive.length < keep) firstLive.push(i);
    liveCount++;
  }
  const dropped = n - liveCount;
  const droppedNote = dropped > 0 ? ` (${count(dropped)} zero term${dropped === 1 ? '' : 's'} left out)` : '';
  const act = activationOf(net);
  const [open, close] = PHI[act];
  const name = phiName(act);
  if (net.dim !== 1) {
    const wScale = maxAbs(net.w, maxAbs(net.b));
    let s = `f(x, y) = ${signed(c, true)}`;
    for (const i of firstLive.slice(0, shown)) {
      const a = net.a[i];
      const w1 = clean(net.w[2 * i], wScale);
      const w2 = clean(net.w[2 * i + 1], wScale);
      const b = clean(net.b[i], wScale);
      const inner = `${fmt(w1)}·x ${w2 < 0 ? '−' : '+'} ${fmt(Math.abs(w2))}·y${b === 0 ? '' : b < 0 ? ` − ${fmt(-b)}` : ` + ${fmt(b)}`}`;
      const body = `${fmt(Math.abs(a))}·${open}${inner}${close}`;
      s += a < 0 ? ` − ${body}` : ` + ${body}`;
    }
    if (liveCount > shown) s += ` + … (${count(liveCount - shown)} more unit${liveCount - shown === 1 ? '' : 's'})`;
    return { symbolic: `f(x, y) = c + Σᵢ aᵢ·${name}(w₁ᵢ·x + w₂ᵢ·y + bᵢ),  i = 1 … ${count(n)}${linearNote(act)}`, numeric: s + droppedNote };
  }
  const wScale = maxAbs(net.w, maxAbs(net.b));
  const symbolic = `f(x) = c + Σᵢ aᵢ·${name}(wᵢ·x + bᵢ),  i = 1 … ${count(n)}${linearNote(act)}`;
  const term = (i: number, digits: number) => {
    const a = net.a[i];
    const body = termText(clean(net.w[i], wScale), clean(net.b[i], wScale), Math.abs(a), digits, act);
    return a < 0 ? ` − ${body}` : ` + ${body}`;
  };
  if (liveCount <= SUMMARY_ABOVE) {
    let s = `f(x) = ${signed(c, true)}`;
    for (const i of firstLive) s += term(i, 3);
    return { symbolic, numeric: s + droppedNote };
  }
  // Knots (where wᵢ·x + bᵢ = 0) of the live terms: their range and closest spacing decide the digits shown.
  const knots = liveKnots(net, aScale, dropped === 0 && act !== 'linear' && act !== 'sigmoid');
  let gap = Infinity;
  for (let j = 1; j < knots.length; j++) if (knots[j] > knots[j - 1]) gap = Math.min(gap, knots[j] - knots[j - 1]);
  const span = knots.length > 0 ? Math.max(Math.abs(knots[0]), Math.abs(knots[knots.length - 1])) : 1;
  const digits = Number.isFinite(gap) && span > 0 ? Math.min(7, Math.max(3, Math.ceil(Math.log10(span / gap)) + 1)) : 3;
  // Linear units never bend: −b/w is no knot of theirs, so the summary names none.
  const where = knots.length > 0 && act !== 'linear' ? `, knots from ${signed(knots[0], true)} to ${signed(knots[knots.length - 1], true)}` : '';
  let s = `${count(liveCount)} terms${where}; f(x) = ${signed(c, true)}`;
  for (const i of firstLive.slice(0, shown)) s += term(i, digits);
  s += ` + … (${count(liveCount - shown)} more)`;
  return { symbolic, numeric: s + droppedNote };
}

/**
 * The knots −b/w of the live units (output weight not rounding noise against `aScale`) with w ≠ 0, ascending. When
 * every unit is live, a validated network's exact piecewise form has them sorted already (the fit worker sends it):
 * its knots are the same values with equal ones merged, which leaves the range and the closest distinct spacing as
 * they were. Otherwise they are sorted, unless they come in ascending order already, as the constructions give
 * them (a sort of 65,536 knots took 20–50 ms when a least-squares fit with a zero term landed).
 */
function liveKnots(net: Network, aScale: number, allLive: boolean): Float64Array {
  if (allLive && net.dim === 1 && isValidNetwork(net)) return piecewiseOf(net).knots;
  const n = net.a.length;
  const all = new Float64Array(n);
  let nk = 0;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    if (net.w[i] === 0 || clean(net.a[i], aScale) === 0) continue;
    const k = -net.b[i] / net.w[i];
    if (nk > 0 && k < all[nk - 1]) ascending = false;
    all[nk++] = k;
  }
  const knots = all.subarray(0, nk);
  return ascending ? knots : knots.sort();
}

/** Linear units say what their sum is: affine, whatever N is. */
function linearNote(act: Activation): string {
  return act === 'linear' ? '  (linear units: the sum is affine)' : '';
}
