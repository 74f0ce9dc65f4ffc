/**
 * What the error-against-N chart says in words: which N are exact (an error at rounding level has no place on a
 * log axis and no slope), the fitted slopes of the rest, and a caption that fits the target's regularity
 * (smooth, a kink, a jump): only a smooth target's error falls like N^−2 in the max norm.
 */
import { logLogSlope } from '../../model/errorStats.ts';

/** How regular a target is on its domain, as far as piecewise-linear approximation cares. */
export type Regularity = 'smooth' | 'kink' | 'jump';

function samples(f: (x: number) => number, [lo, hi]: [number, number], m: number): Float64Array {
  const v = new Float64Array(m);
  for (let i = 0; i < m; i++) v[i] = f(i === m - 1 ? hi : lo + ((hi - lo) * i) / (m - 1));
  return v;
}

/** Largest |Δf| (first differences) and |Δ²f|/h² over defined neighbours. */
function differences(v: Float64Array, h: number): { d1: number; d2: number } {
  let d1 = 0;
  let d2 = 0;
  for (let i = 1; i < v.length; i++) {
    const a = Math.abs(v[i] - v[i - 1]);
    if (Number.isFinite(a)) d1 = Math.max(d1, a);
    if (i + 1 < v.length) {
      const b = Math.abs(v[i + 1] - 2 * v[i] + v[i - 1]) / (h * h);
      if (Number.isFinite(b)) d2 = Math.max(d2, b);
    }
  }
  return { d1, d2 };
}

/**
 * Classifies f on the domain by refining a grid 16-fold: a jump keeps its largest step (|Δf| does not shrink
 * with h), a kink's largest second difference grows like 1/h, a smooth target's stays put.
 */
export function regularityOf(f: (x: number) => number, domain: [number, number]): Regularity {
  const [lo, hi] = domain;
  const coarse = 4097;
  const fine = 16 * (coarse - 1) + 1;
  const c = differences(samples(f, domain, coarse), (hi - lo) / (coarse - 1));
  const d = differences(samples(f, domain, fine), (hi - lo) / (fine - 1));
  if (c.d1 > 0 && d.d1 > 0.5 * c.d1) return 'jump';
  if (d.d2 > 4 * Math.max(c.d2, 1e-300)) return 'kink';
  return 'smooth';
}

/** An error at or below this fraction of the target's largest |value| counts as exact (rounding level). */
export const EXACT_TOL = 1e-11;

export interface ErrorSummary {
  /** Per N: whether that fit is exact (both errors at rounding level). */
  exact: boolean[];
  /** The smallest N from which every fit is exact, or null. */
  exactFrom: number | null;
  /** Slopes fitted to the non-exact points only; null when fewer than two are left. */
  slopeRms: number | null;
  slopeMax: number | null;
  /** The words under the chart. */
  caption: string;
}

const fmtSlope = (v: number | null) => (v === null ? 'exact' : String(Number(v.toPrecision(3))).replace('-', '−'));

/** Summarises a 1D error study for its chart. `scale` is the target's largest |value| on the domain. */
export function summarizeErrors(
  study: { ns: number[]; rms: number[]; max: number[] },
  regularity: Regularity,
  scale: number,
): ErrorSummary {
  const tol = EXACT_TOL * Math.max(scale, 1e-300);
  const exact = study.ns.map((_, i) => study.max[i] <= tol && study.rms[i] <= tol);
  let exactFrom: number | null = null;
  for (let i = study.ns.length - 1; i >= 0 && exact[i]; i--) exactFrom = study.ns[i];
  const keep = study.ns.map((_, i) => !exact[i]);
  const pick = (ys: number[]) => ys.filter((_, i) => keep[i]);
  const ns = study.ns.filter((_, i) => keep[i]);
  const slope = (ys: number[]) => {
    const s = ns.length >= 2 ? logLogSlope(ns, pick(ys)) : Number.NaN;
    return Number.isFinite(s) ? s : null;
  };
  const slopeRms = slope(study.rms);
  const slopeMax = slope(study.max);
  const parts: string[] = [];
  if (exactFrom !== null) {
    parts.push(
      `Exact from N = ${exactFrom.toLocaleString('en-US')}: the error is at rounding level (not drawn on the log scale), since the target is itself a sum of ReLUs with its corners on the knots.`,
    );
  }
  if (slopeRms !== null || slopeMax !== null) parts.push(`Fitted log-log slope${exactFrom !== null ? ' before that' : ''}: RMS ${fmtSlope(slopeRms)}, max ${fmtSlope(slopeMax)}.`);
  else if (exactFrom === null) parts.push('Too few inexact points to fit a slope.');
  if (regularity === 'smooth') {
    parts.push('For a smooth target a piecewise-linear fit with N pieces errs by about h²·|f″|/8 with h ∝ 1/N: a slope near −2.');
  } else if (regularity === 'kink') {
    parts.push(
      'The target has a corner (a kink): the piece across it errs by about h·(change of slope), so the max error falls only like N^−1 (RMS like N^−1.5), unless a knot lands on the corner, which makes it as good as a smooth target.',
    );
  } else {
    parts.push(
      'The target jumps: a sum of ReLUs is continuous, so next to the jump the max error stays between half and all of the jump whatever N (a slope near 0, not N^−2); the RMS error still falls, about like N^−1/2, as the ramp across the jump narrows.',
    );
  }
  return { exact, exactFrom, slopeRms, slopeMax, caption: parts.join(' ') };
}
