/**
 * From a target spec to what the state derives from it: the resolved target (cached), its default window,
 * the construction's knots and the constructed network. Pure and DOM-free, so the fit worker runs it too.
 */
import { type Network, type ValidNetwork, validateNetwork } from '../model/network.ts';
import { activationOf } from '../model/activation.ts';
import { FitError, activationConstruction1D, curvatureNodes, interpolateNetwork, leastSquaresNetwork, uniformNodes } from '../model/fit1d.ts';
import { type ResolvedTarget, type TargetSpec, resolveTarget } from '../model/targets.ts';
import { type ResolvedTarget2D, type Target2DSpec, resolveTarget2D } from '../model/targets2d.ts';
import { ridgeSamples2D, leastSquares2D } from '../model/fit2d.ts';
import { StateError } from './errors.ts';
import { MAX_ABS_VALUE } from '../model/limits.ts';
import type { AppState, FitInputs, Mode, ViewRange } from './types.ts';

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

const resolved2D = new Map<string, ResolvedTarget2D>();
/** The 2D target of a (valid) 2D spec, cached by its JSON form. */
export function target2DOf(spec: Target2DSpec): ResolvedTarget2D {
  const key = JSON.stringify(spec);
  let t = resolved2D.get(key);
  if (!t) {
    t = resolveTarget2D(spec);
    if (resolved2D.size > 16) resolved2D.delete(resolved2D.keys().next().value as string);
    resolved2D.set(key, t);
  }
  return t;
}

/** The 2D window of a 2D target: its domain. */
export function view2dForTarget(spec: Target2DSpec): ViewRange {
  return { ...target2DOf(spec).domain };
}

/** The network dimension of a mode. */
export function dimOf(mode: Mode): 1 | 2 {
  return mode === '2d' ? 2 : 1;
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
  // The margins stay inside ±1e15, the range of every view bound (a target may reach its edge).
  const clamp = (v: number) => Math.max(-MAX_ABS_VALUE, Math.min(MAX_ABS_VALUE, v));
  return { xMin: clamp(lo - mx), xMax: clamp(hi + mx), yMin: clamp(yLo - pad), yMax: clamp(yHi + pad) };
}

/** The knots of the least-squares construction: the first N nodes of the placement. */
export function constructionKnots(s: { target: TargetSpec; units: number; placement: AppState['placement'] }): Float64Array {
  const t = targetOf(s.target);
  const nodes = s.placement === 'curvature' ? curvatureNodes(t.f, s.units, t.domain) : uniformNodes(s.units, t.domain);
  return nodes.slice(0, s.units);
}

/** What a construction reads: 1D by default (the mode and seed matter in 2D only). */
export type ConstructionInputs = Pick<FitInputs, 'target' | 'units' | 'placement' | 'ridge'> & Partial<Pick<FitInputs, 'mode' | 'seed' | 'activation'>>;

/**
 * Builds the network of a construction mode from the target, units, placement and ridge (synchronously:
 * up to a few hundred ms at 65,536 units in 1D, seconds for 2D least squares at its largest N; the store runs
 * it through a FitRunner instead). In 2D the hidden units are random lines (from `seed`) and least squares
 * gives the output weights; `gram` is the Gram matrix when the GPU accumulated it.
 * Throws StateError('target', 'cannot build the network: …') when the fit fails.
 */
export function construct(s: ConstructionInputs, mode: 'interpolate' | 'least-squares', gram?: { gram: Float64Array; rhs: Float64Array; ridgeFloor?: number }): ValidNetwork {
  if (s.mode === '2d') return construct2D(s, gram);
  const t = targetOf(s.target as TargetSpec);
  try {
    const activation = s.activation ?? 'relu';
    if (mode === 'interpolate') {
      const relu = interpolateNetwork(t.f, s.units, t.domain, s.placement);
      return validateNetwork(activationConstruction1D(relu, activation, t.domain, { kind: 'interpolate' }));
    }
    const relu = leastSquaresNetwork(t.f, constructionKnots(s as { target: TargetSpec; units: number; placement: AppState['placement'] }), t.domain, { ridge: s.ridge });
    return validateNetwork(activationConstruction1D(relu, activation, t.domain, { kind: 'least-squares', f: t.f, ridge: s.ridge }));
  } catch (e) {
    if (e instanceof FitError) throw new StateError('target', `cannot build the network: ${e.message}`);
    throw e;
  }
}

/** The samples a 2D least-squares fit uses for a target. */
export function samples2DOf(spec: Target2DSpec, units: number) {
  const t = target2DOf(spec);
  return ridgeSamples2D(t.samples ?? t.f, t.domain, units);
}

function construct2D(s: ConstructionInputs, gram?: { gram: Float64Array; rhs: Float64Array; ridgeFloor?: number }): ValidNetwork {
  const t = target2DOf(s.target as Target2DSpec);
  try {
    return validateNetwork(leastSquares2D(samples2DOf(s.target as Target2DSpec, s.units), { units: s.units, ridge: s.ridge, seed: s.seed ?? 1, domain: t.domain, activation: s.activation ?? 'relu' }, gram));
  } catch (e) {
    if (e instanceof FitError) throw new StateError('target', `cannot build the network: ${e.message}`);
    throw e;
  }
}

/** The construction inputs of a state, or null when its network is custom. */
export function fitInputsOf(s: AppState): FitInputs | null {
  if (s.build === 'custom') return null;
  // The seed moves only 2D constructions (1D knots are not random).
  const inputs: FitInputs = { mode: s.mode, target: s.target, units: s.units, placement: s.placement, ridge: s.ridge, seed: s.mode === '2d' ? s.seed : 0, build: s.build };
  // ReLU stays implicit, so inputs (and the worker's messages) are what they were.
  if (s.activation !== 'relu') inputs.activation = s.activation;
  return inputs;
}

/** Whether two constructions build the same network (targets compared by their JSON form). */
export function sameFitInputs(p: FitInputs | null, q: FitInputs | null): boolean {
  if (p === null || q === null) return p === q;
  return (
    (p.activation ?? 'relu') === (q.activation ?? 'relu') && p.mode === q.mode && p.seed === q.seed && p.build === q.build && p.units === q.units && p.placement === q.placement && p.ridge === q.ridge && (p.target === q.target || JSON.stringify(p.target) === JSON.stringify(q.target))
  );
}

/** Whether two networks agree to 1e-9 relative (what a construction rebuilt elsewhere may differ by). */
export function sameNetwork(p: Network, q: Network): boolean {
  if (p.dim !== q.dim || p.a.length !== q.a.length || activationOf(p) !== activationOf(q)) return false;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  if (!close(p.c, q.c)) return false;
  for (let i = 0; i < p.a.length; i++) if (!close(p.a[i], q.a[i]) || !close(p.b[i], q.b[i])) return false;
  for (let i = 0; i < p.w.length; i++) if (!close(p.w[i], q.w[i])) return false;
  return true;
}
