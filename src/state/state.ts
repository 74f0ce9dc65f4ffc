/**
 * The one application state and its validation. Every change (panel, plot gestures, keyboard, scripting
 * API, URL, JSON import, autosave) goes through `applyPatch`, which checks the whole patch first and
 * either returns a complete new state or throws a `StateError` naming the field, leaving the old state
 * untouched.
 */
import { type Network, InvalidNetworkError, MAX_UNITS, cloneNetwork, validateNetwork } from '../model/network.ts';
import { FitError, type KnotPlacement, curvatureNodes, interpolateNetwork, leastSquaresNetwork, uniformNodes } from '../model/fit1d.ts';
import { InvalidTargetError, type ResolvedTarget, type TargetSpec, resolveTarget, validateTargetSpec } from '../model/targets.ts';

export type { TargetSpec } from '../model/targets.ts';

/** A rectangle of the plane shown on screen. */
export interface ViewRange {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * How the network is made: `interpolate` and `least-squares` rebuild it from (target, units, placement,
 * ridge) whenever any of those change; `custom` keeps the network exactly as it is (built by hand, trained,
 * imported or set by a script).
 */
export type BuildMode = 'interpolate' | 'least-squares' | 'custom';

/** Which layers the 1D plot draws. */
export interface ShowFlags {
  target: boolean;
  /** Each unit's own term a_i·ReLU(w_i·x + b_i), faint. */
  terms: boolean;
  /** Knot marks on the x axis. */
  knots: boolean;
  /** The error f − target as a second trace. */
  error: boolean;
}

export interface AppState {
  network: Network;
  target: TargetSpec;
  /** The unit count of the constructions (1 … 65,536). */
  units: number;
  build: BuildMode;
  /** Where the constructions put their knots. */
  placement: KnotPlacement;
  /** Ridge weight λ of the least-squares construction. */
  ridge: number;
  /** Adam's learning rate for training. */
  lr: number;
  /** The 1D plot's window. */
  view: ViewRange;
  /** The window of the 2D heat map (shown when the network is 2D). */
  view2d: ViewRange;
  show: ShowFlags;
  /** The selected unit (inspector, keyboard, highlight), or −1 for none. */
  selected: number;
}

/** Thrown for any bad state patch; `field` names the offending field, e.g. `"units"` or `"network.w[3]"`. */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    readonly field: string,
    message: string,
    /** For expression targets: the character position of a syntax error. */
    readonly position?: number,
  ) {
    super(`Invalid state: ${field}: ${message}`);
  }
}

export const STATE_KEYS = ['network', 'target', 'units', 'build', 'placement', 'ridge', 'lr', 'view', 'view2d', 'show', 'selected'] as const;
const LIMIT = 1e12;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

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

function checkTarget(v: unknown): TargetSpec {
  try {
    return validateTargetSpec(v);
  } catch (e) {
    if (e instanceof InvalidTargetError) {
      const field = e.field === 'target' ? 'target' : `target.${e.field}`;
      throw new StateError(field, e.message.replace(/^Invalid target: [^:]*: /, ''), e.position);
    }
    throw e;
  }
}

function checkInt(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new StateError(field, `must be an integer from ${lo} to ${hi}, got ${show(v)}`);
  }
  return v;
}

function checkNumber(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new StateError(field, `must be a number from ${lo} to ${hi}, got ${show(v)}`);
  }
  return v;
}

function checkView(field: string, v: unknown, current: ViewRange): ViewRange {
  if (!isPlainObject(v)) throw new StateError(field, `must be an object {xMin, xMax, yMin, yMax}, got ${show(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (k !== 'xMin' && k !== 'xMax' && k !== 'yMin' && k !== 'yMax') throw new StateError(`${field}.${k}`, 'is not a known field');
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > LIMIT) {
      throw new StateError(`${field}.${k}`, `must be a finite number within ±1e12, got ${show(value)}`);
    }
    out[k] = value;
  }
  for (const [lo, hi] of [
    ['xMin', 'xMax'],
    ['yMin', 'yMax'],
  ] as const) {
    const span = out[hi] - out[lo];
    if (!(span > 0)) throw new StateError(`${field}.${hi}`, `must be greater than ${lo} (${out[lo]}), got ${out[hi]}`);
    if (span < 1e-9 * Math.max(1, Math.abs(out[lo]), Math.abs(out[hi]))) {
      throw new StateError(`${field}.${hi}`, `the range ${lo}…${hi} is too narrow to draw`);
    }
  }
  return out;
}

function checkShow(v: unknown, current: ShowFlags): ShowFlags {
  if (!isPlainObject(v)) throw new StateError('show', `must be an object like {"terms": true}, got ${show(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (!(k in current)) throw new StateError(`show.${k}`, `is not a known field (known: ${Object.keys(current).join(', ')})`);
    if (typeof value !== 'boolean') throw new StateError(`show.${k}`, `must be true or false, got ${show(value)}`);
    out[k as keyof ShowFlags] = value;
  }
  return out;
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

/** Builds the network of a construction mode from the state's target, units, placement and ridge. */
export function construct(s: Pick<AppState, 'target' | 'units' | 'placement' | 'ridge'>, mode: 'interpolate' | 'least-squares'): Network {
  const t = targetOf(s.target);
  try {
    if (mode === 'interpolate') return interpolateNetwork(t.f, s.units, t.domain, s.placement);
    return leastSquaresNetwork(t.f, constructionKnots(s), t.domain, { ridge: s.ridge });
  } catch (e) {
    if (e instanceof FitError) throw new StateError('target', `cannot build the network: ${e.message}`);
    throw e;
  }
}

/** The state the page starts in: 8 units interpolating sin on [−π, π]. */
export function initialState(): AppState {
  const target: TargetSpec = { kind: 'builtin', id: 'sin' };
  const base = { target, units: 8, placement: 'uniform' as KnotPlacement, ridge: 1e-6 };
  return {
    ...base,
    network: construct(base, 'interpolate'),
    build: 'interpolate',
    lr: 0.01,
    view: viewForTarget(target),
    view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 },
    show: { target: true, terms: true, knots: true, error: false },
    selected: -1,
  };
}

/**
 * Validates `patch` against `state` and returns the new state (the old one is never mutated).
 * Rules: unknown fields are rejected; a `network` makes the build `custom` (its unit count becomes `units`
 * when it has any); changing target, units, placement, ridge or build in a construction mode rebuilds the
 * network; moving `units` of a custom network switches to interpolation; a new target resets the view
 * unless the patch gives one; `selected` must name an existing unit (it resets to −1 when units vanish).
 */
export function applyPatch(state: AppState, patch: unknown): AppState {
  if (!isPlainObject(patch)) throw new StateError('patch', `must be an object, got ${show(patch)}`);
  for (const k of Object.keys(patch)) {
    if (!(STATE_KEYS as readonly string[]).includes(k)) throw new StateError(k, `is not a known field (known: ${STATE_KEYS.join(', ')})`);
  }
  const p = patch as Partial<Record<(typeof STATE_KEYS)[number], unknown>>;
  const next: AppState = { ...state };
  if (p.target !== undefined) next.target = checkTarget(p.target);
  if (p.units !== undefined) next.units = checkInt('units', p.units, 1, MAX_UNITS);
  if (p.build !== undefined) {
    if (p.build !== 'interpolate' && p.build !== 'least-squares' && p.build !== 'custom') {
      throw new StateError('build', `must be "interpolate", "least-squares" or "custom", got ${show(p.build)}`);
    }
    next.build = p.build;
  }
  if (p.placement !== undefined) {
    if (p.placement !== 'uniform' && p.placement !== 'curvature') {
      throw new StateError('placement', `must be "uniform" or "curvature", got ${show(p.placement)}`);
    }
    next.placement = p.placement;
  }
  if (p.ridge !== undefined) next.ridge = checkNumber('ridge', p.ridge, 0, 1e3);
  if (p.lr !== undefined) {
    next.lr = checkNumber('lr', p.lr, 0, 10);
    if (next.lr === 0) throw new StateError('lr', 'must be greater than 0');
  }
  if (p.show !== undefined) next.show = checkShow(p.show, state.show);

  if (p.network !== undefined) {
    let net: Network;
    try {
      net = validateNetwork(p.network);
    } catch (e) {
      if (e instanceof InvalidNetworkError) throw new StateError(`network.${e.field}`, e.message.replace(/^Invalid network: [^:]*: /, ''));
      throw e;
    }
    if (p.build !== undefined && p.build !== 'custom') {
      // A full state (getState, export, autosave) carries both: accept it when the network is what that
      // construction builds, so states round-trip; anything else must say build: "custom".
      const built = construct(next, p.build as 'interpolate' | 'least-squares');
      if (!sameNetwork(built, net)) {
        throw new StateError('network', `is not what the ${show(p.build)} construction builds from this target and unit count; give build: "custom" to keep a network as it is`);
      }
      next.network = built;
    } else {
      next.network = net;
      next.build = 'custom';
      if (net.a.length > 0 && p.units === undefined) next.units = net.a.length;
    }
  } else {
    if (p.units !== undefined && next.build === 'custom' && p.build === undefined) {
      // Moving the unit count of a custom network means "build me N units": back to interpolation.
      next.build = 'interpolate';
    }
    const inputsChanged =
      p.target !== undefined || p.units !== undefined || p.placement !== undefined || p.ridge !== undefined || next.build !== state.build;
    if (next.build !== 'custom' && inputsChanged) next.network = construct(next, next.build);
  }

  const targetChanged = p.target !== undefined && JSON.stringify(next.target) !== JSON.stringify(state.target);
  const baseView = targetChanged ? viewForTarget(next.target) : state.view;
  next.view = p.view !== undefined ? checkView('view', p.view, baseView) : baseView;
  if (p.view2d !== undefined) next.view2d = checkView('view2d', p.view2d, state.view2d);

  const n = next.network.a.length;
  if (p.selected !== undefined) next.selected = checkInt('selected', p.selected, -1, n - 1);
  else if (next.selected >= n) next.selected = -1;
  return next;
}

function sameNetwork(p: Network, q: Network): boolean {
  if (p.dim !== q.dim || p.a.length !== q.a.length) return false;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  if (!close(p.c, q.c)) return false;
  for (let i = 0; i < p.a.length; i++) if (!close(p.a[i], q.a[i]) || !close(p.b[i], q.b[i])) return false;
  for (let i = 0; i < p.w.length; i++) if (!close(p.w[i], q.w[i])) return false;
  return true;
}

/** A deep, JSON-serialisable copy of the state. */
export function snapshot(state: AppState): AppState {
  const target: TargetSpec = state.target.kind === 'data' ? { kind: 'data', xs: state.target.xs.slice(), ys: state.target.ys.slice() } : { ...state.target };
  return {
    network: cloneNetwork(state.network),
    target,
    units: state.units,
    build: state.build,
    placement: state.placement,
    ridge: state.ridge,
    lr: state.lr,
    view: { ...state.view },
    view2d: { ...state.view2d },
    show: { ...state.show },
    selected: state.selected,
  };
}

type Listener = (state: AppState, previous: AppState) => void;

/** Holds the current state; `set` validates, swaps and notifies; nothing else mutates it. */
export class Store {
  private current: AppState;
  private readonly listeners = new Set<Listener>();

  constructor(initial: AppState = initialState()) {
    this.current = initial;
  }

  get state(): AppState {
    return this.current;
  }

  /** Applies a patch (throws StateError and changes nothing on bad input) and notifies listeners. */
  set(patch: unknown): AppState {
    const previous = this.current;
    this.current = applyPatch(previous, patch);
    for (const l of this.listeners) l(this.current, previous);
    return this.current;
  }

  /** Replaces the whole state (import, URL, autosave): validated as a patch over the initial state. */
  replace(full: unknown): AppState {
    const previous = this.current;
    const base = initialState();
    this.current = applyPatch(base, full);
    for (const l of this.listeners) l(this.current, previous);
    return this.current;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
