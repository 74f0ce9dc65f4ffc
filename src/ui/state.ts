/**
 * The one application state and its validation. Every change (panel, scripting API, URL, import) goes
 * through `applyPatch`, which checks the whole patch first and either returns a complete new state or
 * throws a `StateError` naming the field, leaving the old state untouched.
 */
import { type Network, InvalidNetworkError, MAX_UNITS, cloneNetwork, validateNetwork } from '../model/network.ts';
import { BASIC_TARGETS, basicTarget, interpolateUniform } from './basicTargets.ts';

/** A target chosen from the built-in library. */
export interface TargetSpec {
  kind: 'builtin';
  id: string;
}

/** A rectangle of the plane shown on screen. */
export interface ViewRange {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * How the network was made: `interpolate` rebuilds it from (target, units) whenever either changes;
 * `custom` keeps the network exactly as it was given (scripting API, import).
 */
export type BuildMode = 'interpolate' | 'custom';

export interface AppState {
  network: Network;
  target: TargetSpec;
  /** The unit count used by the `interpolate` construction (1 … 65,536). */
  units: number;
  build: BuildMode;
  /** The 1D plot's window. */
  view: ViewRange;
  /** The window of the 2D heat map (shown when the network is 2D). */
  view2d: ViewRange;
}

/** Thrown for any bad state patch; `field` names the offending field, e.g. `"units"` or `"network.w[3]"`. */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid state: ${field}: ${message}`);
  }
}

const KEYS = ['network', 'target', 'units', 'build', 'view', 'view2d'] as const;
const LIMIT = 1e12;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

function checkTarget(v: unknown): TargetSpec {
  if (!isPlainObject(v)) throw new StateError('target', `must be an object like {"kind":"builtin","id":"sin"}, got ${show(v)}`);
  for (const k of Object.keys(v)) if (k !== 'kind' && k !== 'id') throw new StateError(`target.${k}`, 'is not a known field');
  if (v.kind !== 'builtin') throw new StateError('target.kind', `must be "builtin", got ${show(v.kind)}`);
  if (typeof v.id !== 'string' || !basicTarget(v.id)) {
    throw new StateError('target.id', `must be one of ${BASIC_TARGETS.map((t) => t.id).join(', ')}; got ${show(v.id)}`);
  }
  return { kind: 'builtin', id: v.id };
}

function checkUnits(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_UNITS) {
    throw new StateError('units', `must be an integer from 1 to ${MAX_UNITS}, got ${show(v)}`);
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

/** The window that shows a target over its domain with a margin above and below. */
export function viewForTarget(target: TargetSpec): ViewRange {
  const t = basicTarget(target.id)!;
  const [lo, hi] = t.domain;
  let yLo = Infinity;
  let yHi = -Infinity;
  for (let i = 0; i <= 400; i++) {
    const y = t.f(lo + ((hi - lo) * i) / 400);
    yLo = Math.min(yLo, y);
    yHi = Math.max(yHi, y);
  }
  const pad = Math.max(0.25 * (yHi - yLo), 0.1);
  const mx = 0.05 * (hi - lo);
  return { xMin: lo - mx, xMax: hi + mx, yMin: yLo - pad, yMax: yHi + pad };
}

function buildNetwork(target: TargetSpec, units: number): Network {
  const t = basicTarget(target.id)!;
  return interpolateUniform(t.f, units, t.domain);
}

/** The state the page starts in: 8 units interpolating sin on [−π, π]. */
export function initialState(): AppState {
  const target: TargetSpec = { kind: 'builtin', id: 'sin' };
  const units = 8;
  return {
    network: buildNetwork(target, units),
    target,
    units,
    build: 'interpolate',
    view: viewForTarget(target),
    view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 },
  };
}

/**
 * Validates `patch` against `state` and returns the new state (the old one is never mutated).
 * Rules: unknown fields are rejected; a `network` makes the build `custom` (its unit count becomes
 * `units` when it has any); changing target, units or build in `interpolate` mode rebuilds the network;
 * a new target resets the view unless the patch gives one.
 */
export function applyPatch(state: AppState, patch: unknown): AppState {
  if (!isPlainObject(patch)) throw new StateError('patch', `must be an object, got ${show(patch)}`);
  for (const k of Object.keys(patch)) {
    if (!(KEYS as readonly string[]).includes(k)) throw new StateError(k, `is not a known field (known: ${KEYS.join(', ')})`);
  }
  const next: AppState = { ...state };
  if (patch.target !== undefined) next.target = checkTarget(patch.target);
  if (patch.units !== undefined) next.units = checkUnits(patch.units);
  if (patch.build !== undefined) {
    if (patch.build !== 'interpolate' && patch.build !== 'custom') {
      throw new StateError('build', `must be "interpolate" or "custom", got ${show(patch.build)}`);
    }
    next.build = patch.build;
  }
  if (patch.network !== undefined) {
    let net: Network;
    try {
      net = validateNetwork(patch.network);
    } catch (e) {
      if (e instanceof InvalidNetworkError) throw new StateError(`network.${e.field}`, e.message.replace(/^Invalid network: [^:]*: /, ''));
      throw e;
    }
    if (patch.build === 'interpolate') {
      throw new StateError('build', 'cannot be "interpolate" when a network is given (the network would be replaced)');
    }
    next.network = net;
    next.build = 'custom';
    if (net.a.length > 0 && patch.units === undefined) next.units = net.a.length;
  } else if (
    next.build === 'interpolate' &&
    (patch.target !== undefined || patch.units !== undefined || patch.build !== undefined || state.build !== 'interpolate')
  ) {
    next.network = buildNetwork(next.target, next.units);
  } else if (patch.units !== undefined && next.build === 'custom' && patch.build === undefined) {
    // Moving the unit count of a custom network means "build me N units": switch back to interpolation.
    next.build = 'interpolate';
    next.network = buildNetwork(next.target, next.units);
  }
  const targetChanged = patch.target !== undefined && next.target.id !== state.target.id;
  const baseView = targetChanged ? viewForTarget(next.target) : state.view;
  next.view = patch.view !== undefined ? checkView('view', patch.view, baseView) : baseView;
  if (patch.view2d !== undefined) next.view2d = checkView('view2d', patch.view2d, state.view2d);
  return next;
}

/** A deep, JSON-serialisable copy of the state. */
export function snapshot(state: AppState): AppState {
  return {
    network: cloneNetwork(state.network),
    target: { ...state.target },
    units: state.units,
    build: state.build,
    view: { ...state.view },
    view2d: { ...state.view2d },
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

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
