/**
 * From a target spec to what the state derives from it: the resolved target (cached), its default window,
 * the construction's knots and the constructed network. Pure and DOM-free, so the fit worker runs it too.
 */
import { type Network, type ValidNetwork, validateNetwork } from '../model/network.ts';
import { FitError, curvatureNodes, interpolateNetwork, leastSquaresNetwork, uniformNodes } from '../model/fit1d.ts';
import { type ResolvedTarget, type TargetSpec, resolveTarget } from '../model/targets.ts';
import { StateError } from './errors.ts';
import type { AppState, FitInputs, ViewRange } from './types.ts';

// Resolving compiles expressions and sorts data: keep the last few results.
const resolved = new Map<string, ResolvedTarget>();
/** The target of a (valid) spec, cached by its JSON form. */
export function targetOf(spec: TargetSpec): ResolvedTarget {
  const key = JSON.stringify(spec);
  let t = resolved.get(key);
  if (!t) {
    t = resolveTarget(spec);
    if (resolved.size > 16) resolved.delete(resolved.keys().next().value as string);
    resolved.set(key, t);
  }
  return t;
}

/** The window that shows a target over its domain with a margin above and below. */
export function viewForTarget(spec: TargetSpec): ViewRange {
  const t = targetOf(spec);
  const [lo, hi] = t.domain;
  let yLo = Infinity;
  let yHi = -Infinity;
  for (let i = 0; i <= 400; i++) {
    const y = t.f(lo + ((hi - lo) * i) / 400);
    if (!Number.isFinite(y)) continue;
    yLo = Math.min(yLo, y);
    yHi = Math.max(yHi, y);
  }
  if (!(yHi >= yLo)) {
    yLo = -1;
    yHi = 1;
  }
  const pad = Math.max(0.25 * (yHi - yLo), 0.1);
  const mx = 0.05 * (hi - lo);
  return { xMin: lo - mx, xMax: hi + mx, yMin: yLo - pad, yMax: yHi + pad };
}

/** The knots of the least-squares construction: the first N nodes of the placement. */
export function constructionKnots(s: Pick<AppState, 'target' | 'units' | 'placement'>): Float64Array {
  const t = targetOf(s.target);
  const nodes = s.placement === 'curvature' ? curvatureNodes(t.f, s.units, t.domain) : uniformNodes(s.units, t.domain);
  return nodes.slice(0, s.units);
}

/**
 * Builds the network of a construction mode from the target, units, placement and ridge (synchronously:
 * up to a few hundred ms at 65,536 units; the store runs it through a FitRunner instead).
 * Throws StateError('target', 'cannot build the network: …') when the fit fails.
 */
export function construct(s: Pick<AppState, 'target' | 'units' | 'placement' | 'ridge'>, mode: 'interpolate' | 'least-squares'): ValidNetwork {
  const t = targetOf(s.target);
  try {
    if (mode === 'interpolate') return validateNetwork(interpolateNetwork(t.f, s.units, t.domain, s.placement));
    return validateNetwork(leastSquaresNetwork(t.f, constructionKnots(s), t.domain, { ridge: s.ridge }));
  } catch (e) {
    if (e instanceof FitError) throw new StateError('target', `cannot build the network: ${e.message}`);
    throw e;
  }
}

/** The construction inputs of a state, or null when its network is custom. */
export function fitInputsOf(s: AppState): FitInputs | null {
  if (s.build === 'custom') return null;
  return { target: s.target, units: s.units, placement: s.placement, ridge: s.ridge, build: s.build };
}

/** Whether two constructions build the same network (targets compared by their JSON form). */
export function sameFitInputs(p: FitInputs | null, q: FitInputs | null): boolean {
  if (p === null || q === null) return p === q;
  return (
    p.build === q.build && p.units === q.units && p.placement === q.placement && p.ridge === q.ridge && (p.target === q.target || JSON.stringify(p.target) === JSON.stringify(q.target))
  );
}

/** Whether two networks agree to 1e-9 relative (what a construction rebuilt elsewhere may differ by). */
export function sameNetwork(p: Network, q: Network): boolean {
  if (p.dim !== q.dim || p.a.length !== q.a.length) return false;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  if (!close(p.c, q.c)) return false;
  for (let i = 0; i < p.a.length; i++) if (!close(p.a[i], q.a[i]) || !close(p.b[i], q.b[i])) return false;
  for (let i = 0; i < p.w.length; i++) if (!close(p.w[i], q.w[i])) return false;
  return true;
}
