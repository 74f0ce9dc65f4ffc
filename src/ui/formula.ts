/** The live formula legend: c + Σ aᵢ·φ(wᵢ·x + bᵢ) with the current numbers of the first few units. */
import type { Network } from '../model/network.ts';
import { type Activation, activationOf } from '../model/activation.ts';

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

/** A compact number for the legend: 3 significant digits, no float noise. */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function signed(v: number, first: boolean): string {
  if (first) return v < 0 ? `−${fmt(-v)}` : fmt(v);
  return v < 0 ? ` − ${fmt(-v)}` : ` + ${fmt(v)}`;
}

/** One unit's term as text, e.g. "1.27·ReLU(x + 3.14)", "1.27·σ(x + 3.14)" or, for a linear unit, "1.27·(x + 3.14)". */
export function termText(w: number, b: number, a: number, act: Activation = 'relu'): string {
  const wx = w === 1 ? 'x' : w === -1 ? '−x' : `${fmt(w)}·x`;
  const bias = b === 0 ? '' : b < 0 ? ` − ${fmt(-b)}` : ` + ${fmt(b)}`;
  const [open, close] = PHI[act];
  return `${fmt(a)}·${open}${wx}${bias}${close}`;
}

/** The symbolic form and the instantiated form with the first `shown` units. */
export function formulaLines(net: Network, shown = 4): { symbolic: string; numeric: string } {
  const n = net.a.length;
  const act = activationOf(net);
  const [open, close] = PHI[act];
  const name = phiName(act);
  if (net.dim !== 1) {
    let s = `f(x, y) = ${signed(net.c, true)}`;
    for (let i = 0; i < Math.min(n, shown); i++) {
      const a = net.a[i];
      const w1 = net.w[2 * i];
      const w2 = net.w[2 * i + 1];
      const b = net.b[i];
      const inner = `${fmt(w1)}·x ${w2 < 0 ? '−' : '+'} ${fmt(Math.abs(w2))}·y${b === 0 ? '' : b < 0 ? ` − ${fmt(-b)}` : ` + ${fmt(b)}`}`;
      const body = `${fmt(Math.abs(a))}·${open}${inner}${close}`;
      s += a < 0 ? ` − ${body}` : ` + ${body}`;
    }
    if (n > shown) s += ` + … (${n - shown} more unit${n - shown === 1 ? '' : 's'})`;
    return { symbolic: `f(x, y) = c + Σᵢ aᵢ·${name}(w₁ᵢ·x + w₂ᵢ·y + bᵢ),  i = 1 … ${n}${linearNote(act)}`, numeric: s };
  }
  let s = `f(x) = ${signed(net.c, true)}`;
  for (let i = 0; i < Math.min(n, shown); i++) {
    const a = net.a[i];
    const body = termText(net.w[i], net.b[i], Math.abs(a), act);
    s += a < 0 ? ` − ${body}` : ` + ${body}`;
  }
  if (n > shown) s += ` + … (${n - shown} more unit${n - shown === 1 ? '' : 's'})`;
  return { symbolic: `f(x) = c + Σᵢ aᵢ·${name}(wᵢ·x + bᵢ),  i = 1 … ${n}${linearNote(act)}`, numeric: s };
}

/** Linear units say what their sum is: affine, whatever N is. */
function linearNote(act: Activation): string {
  return act === 'linear' ? '  (linear units: the sum is affine)' : '';
}
