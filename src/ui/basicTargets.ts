/**
 * The first page's built-in targets and the closed-form interpolating network.
 * Pure functions (no DOM), so the state module can rebuild the network from (target, N) anywhere.
 */
import type { Network } from '../model/network.ts';

export interface BasicTarget {
  id: string;
  label: string;
  f: (x: number) => number;
  domain: [number, number];
}

/** Built-in targets of the first page, each with the x range it is shown on. */
export const BASIC_TARGETS: readonly BasicTarget[] = [
  { id: 'sin', label: 'sin(x)', f: Math.sin, domain: [-Math.PI, Math.PI] },
  { id: 'abs', label: '|x|', f: Math.abs, domain: [-1, 1] },
  { id: 'square', label: 'x²', f: (x) => x * x, domain: [-1, 1] },
  { id: 'step', label: 'step', f: (x) => (x < 0 ? 0 : 1), domain: [-1, 1] },
  { id: 'sawtooth', label: 'sawtooth', f: (x) => x - Math.floor(x), domain: [-2, 2] },
  { id: 'gaussian', label: 'Gaussian bump', f: (x) => Math.exp(-x * x * 8), domain: [-1, 1] },
];

export function basicTarget(id: string): BasicTarget | undefined {
  return BASIC_TARGETS.find((t) => t.id === id);
}

/**
 * N units with knots t_i = lo + i·h (h = (hi − lo)/N) and w = 1, so unit i bends at t_i; the output
 * weights are the changes of slope between neighbouring chords, which makes the sum interpolate f at
 * the N + 1 nodes lo, lo + h, …, hi.
 */
export function interpolateUniform(f: (x: number) => number, n: number, [lo, hi]: [number, number]): Network {
  const h = (hi - lo) / n;
  const node = (i: number) => (i === n ? hi : lo + i * h);
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  let prevSlope = 0;
  let fPrev = f(node(0));
  for (let i = 0; i < n; i++) {
    const fNext = f(node(i + 1));
    const slope = (fNext - fPrev) / h;
    w.push(1);
    b.push(-node(i));
    a.push(slope - prevSlope);
    prevSlope = slope;
    fPrev = fNext;
  }
  return { dim: 1, w, b, a, c: f(lo) };
}
