/**
 * The one application state: the reducer and the store. Every change (panel, plot gestures, keyboard,
 * scripting API, URL, JSON import, autosave) goes through `reduce`, which checks the whole patch first and
 * either accepts it at once or throws a `StateError` naming the field, leaving the old state untouched.
 * Constructions (fits) are never run by the reducer: the store runs them afterwards through a FitRunner,
 * drops superseded ones, and commits the last one's network.
 */
import { DEFAULT_RIDGE_2D, MAX_LS_UNITS_2D } from '../model/fit2d.ts';
import { messageOf } from '../model/messages.ts';
import { InvalidNetworkError, type Network, type ValidNetwork, validateNetwork, withActivation } from '../model/network.ts';
import { activationOf } from '../model/activation.ts';
import type { Target2DSpec } from '../model/targets2d.ts';
import type { TargetSpec } from '../model/targets.ts';
import { MAX_ABS_OUTPUT, RANGE_TEXT, formatValue, worstCaseOutput } from '../model/limits.ts';
import { dimOf, fitInputsOf, sameFitInputs, sameNetwork, target2DOf, targetOf, view2dForTarget, viewForTarget } from './construction.ts';
import { StateError } from './errors.ts';
import { type FitRunner, defaultFitRunner } from './fitRunner.ts';
import { SCHEMA, describe, expectedUnits, fieldNames, initialOf, setOtherCheck, snapshotOf, unknownField } from './schema.ts';
import type { AppState, FitInputs, Mode, ModeSettings } from './types.ts';

export type { TargetSpec } from '../model/targets.ts';
export type { Target2DSpec } from '../model/targets2d.ts';
export { initialLook } from './schema.ts';
export type { AnyTarget, AppState, BuildMode, Camera3D, FitInputs, Look2D, Mode, ModeSettings, ShowFlags, ViewRange } from './types.ts';
export { StateError } from './errors.ts';
export { construct, samples2DOf, target2DOf, targetOf, view2dForTarget, viewForTarget } from './construction.ts';

/** The fields each mode keeps for itself (switching modes swaps them with `other`). */
export const MODE_FIELDS = ['network', 'target', 'units', 'build', 'placement', 'ridge', 'lr', 'seed', 'show', 'selected', 'activation'] as const;

/** A network with no units of the given dimension: what a mode shows while its first construction runs. */
export function emptyNetwork(dim: 1 | 2): ValidNetwork {
  return validateNetwork({ dim, w: [], b: [], a: [], c: 0 });
}

/** The 2D explorer's first settings: 64 random hinged planes fitted to a Gaussian bump by least squares. */
function initial2D(): ModeSettings {
  return {
    mode: '2d',
    network: emptyNetwork(2),
    target: { kind: 'builtin', id: 'bump' },
    units: 64,
    build: 'least-squares',
    placement: 'uniform',
    ridge: DEFAULT_RIDGE_2D,
    lr: 'auto',
    seed: 1,
    show: { target: true, terms: true, knots: true, error: false },
    selected: -1,
    activation: 'relu',
  };
}

/** The settings of the shown mode. */
export function settingsOf(s: AppState): ModeSettings {
  return { mode: s.mode, network: s.network, target: s.target, units: s.units, build: s.build, placement: s.placement, ridge: s.ridge, lr: s.lr, seed: s.seed, show: s.show, selected: s.selected, activation: s.activation };
}

/** The settings a mode starts with the first time it is shown. */
export function initialSettings(mode: Mode): ModeSettings {
  return mode === '2d' ? initial2D() : settingsOf(initialState());
}

/** The state with `mode` shown: its settings come back from `other` (or start fresh), the shown ones wait there. */
export function switchMode(state: AppState, mode: Mode): AppState {
  if (mode === state.mode) return state;
  const back = state.other?.mode === mode ? state.other : initialSettings(mode);
  const next: AppState = { ...state, ...back, mode, other: settingsOf(state) };
  if (next.network.dim !== dimOf(mode)) next.network = emptyNetwork(dimOf(mode));
  if (state.other?.mode !== mode && mode === '2d') next.view2d = view2dForTarget(next.target as Target2DSpec);
  return next;
}

/** The known fields of a patch, in the schema's order. */
export const STATE_KEYS: ReadonlyArray<keyof AppState> = fieldNames(SCHEMA);

/** The state the page starts in: 8 units interpolating sin on [−π, π]. */
export function initialState(): AppState {
  return initialOf(SCHEMA);
}

/** A deep, JSON-serialisable copy of the state. */
export function snapshot(state: AppState): AppState {
  return snapshotOf(SCHEMA, state);
}

/** What the reducer accepted: the new state, and the construction it still needs, if any. */
export interface Accepted {
  /** The new state; while `fit` runs, its network is still the previous one (or `given`). */
  state: AppState;
  /** The construction to run, or null when the network is final. */
  fit: FitInputs | null;
  /** A network that came with its construction (a full state): the fit must rebuild it, else the patch is refused. */
  given: Network | null;
}

const CONSTRUCTION_FIELDS = ['units', 'build', 'target', 'placement', 'ridge', 'seed'] as const;

function notBuiltBy(build: string): StateError {
  return new StateError('network', `is not what the ${describe(build)} construction builds from this target and unit count; give build: "custom" to keep a network as it is`);
}

/**
 * Validates `patch` against `state` and returns what it leads to (the old state is never mutated); no fit
 * runs here. Rules: unknown fields are rejected; a `network` makes the build `custom` (its unit count
 * becomes `units` when it has any) unless the patch also names a construction, which must then rebuild
 * that very network (checked by the fit); changing target, units, placement, ridge or build in a
 * construction mode asks for a rebuild; moving `units` of a custom network switches to interpolation; a 2D
 * network refuses any rebuild (constructions are 1D); a new target resets the view unless the patch gives
 * one; `selected` must name a unit of the network the patch leads to (it resets to −1 when units vanish).
 */
export function reduce(current: AppState, patch: unknown): Accepted {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new StateError('patch', `must be an object, got ${describe(patch)}`);
  // Own names only: "constructor" or "toString" are not fields.
  for (const k of Object.keys(patch)) if (!Object.hasOwn(SCHEMA, k)) throw unknownField(SCHEMA, k);
  // Its own fields only, in an object with no prototype: nothing inherited is read as a field below.
  const p = Object.assign(Object.create(null) as object, patch) as Partial<Record<keyof AppState, unknown>>;
  // The mode first: a network of the other dimension switches to its mode, unless the patch names one.
  let mode = current.mode;
  if (p.mode !== undefined) mode = SCHEMA.mode.check(p.mode, current.mode, current);
  else {
    const dim = typeof p.network === 'object' && p.network !== null ? (p.network as { dim?: unknown }).dim : undefined;
    if (dim === 1 || dim === 2) mode = dim === 2 ? '2d' : '1d';
  }
  // Every rule below compares with the state as it stands in the mode the patch leads to.
  const state = switchMode(current, mode);
  const next: AppState = { ...state };
  const take = <K extends keyof AppState>(k: K, base: AppState[K]) => {
    next[k] = SCHEMA[k].check(p[k], base, next);
  };
  for (const k of STATE_KEYS) if (k !== 'mode' && p[k] !== undefined && !SCHEMA[k].late) take(k, state[k]);
  // The network and the activation agree: a network given alone brings its activation, an activation given
  // (alone or with a network) is applied to the network (custom ones too; constructions rebuild with it).
  if (p.network !== undefined && p.activation === undefined) next.activation = activationOf(next.network);
  next.network = withActivation(next.network, next.activation);
  if (p.network !== undefined && next.network.dim !== dimOf(mode)) {
    throw new StateError('network', `is ${next.network.dim}D but mode is "${mode}"; give a ${dimOf(mode)}D network or mode "${next.network.dim}d"`);
  }
  if (mode === '2d' && next.build === 'interpolate') {
    throw new StateError('build', 'exact interpolation is 1D only; in 2D build by "least-squares" (random hinged planes) or "custom"');
  }
  if (mode === '2d' && next.build === 'least-squares' && next.units > MAX_LS_UNITS_2D && (p.units !== undefined || p.build !== undefined || state.build !== 'least-squares')) {
    throw new StateError('units', `2D least squares builds at most ${MAX_LS_UNITS_2D.toLocaleString('en-US')} units (its Gram matrix grows as N²); train, or set a network, for more`);
  }

  let fit: FitInputs | null = null;
  let given: Network | null = null;
  if (p.network !== undefined) {
    if (p.build !== undefined && p.build !== 'custom') {
      // A full state (getState, export) carries both: accept it when the network is what that construction
      // builds, so states round-trip; anything else must say build: "custom".
      // The one exception: the state as it stands while its fit runs (getState() set back), network still on screen.
      const asItStands = sameNetwork(next.network, state.network) && sameFitInputs(fitInputsOf(state), fitInputsOf(next));
      if (next.network.a.length !== next.units && !asItStands) throw notBuiltBy(next.build);
      given = next.network;
      fit = fitInputsOf(next);
    } else {
      next.build = 'custom';
      if (next.network.a.length > 0 && p.units === undefined) next.units = next.network.a.length;
    }
  } else {
    // Moving the unit count of a custom network means "build me N units": back to the mode's construction.
    if (p.units !== undefined && next.build === 'custom' && p.build === undefined) {
      next.build = mode === '2d' ? 'least-squares' : 'interpolate';
      if (mode === '2d' && next.units > MAX_LS_UNITS_2D) {
        throw new StateError('units', `2D least squares builds at most ${MAX_LS_UNITS_2D.toLocaleString('en-US')} units (its Gram matrix grows as N²); train, or set a network, for more`);
      }
    }
    // A mode shown again rebuilds its construction (same inputs, same network; the one it left shows meanwhile).
    if (next.build !== 'custom' && (!sameFitInputs(fitInputsOf(current), fitInputsOf(next)) || current.mode !== mode)) fit = fitInputsOf(next);
  }

  const targetChanged = p.target !== undefined && JSON.stringify(next.target) !== JSON.stringify(state.target);
  if (mode === '1d') {
    const baseView = targetChanged ? viewForTarget(next.target as TargetSpec) : state.view;
    next.view = baseView;
    if (p.view !== undefined) take('view', baseView);
    if (p.view2d !== undefined) take('view2d', state.view2d);
  } else {
    const baseView = targetChanged ? view2dForTarget(next.target as Target2DSpec) : state.view2d;
    next.view2d = baseView;
    if (p.view2d !== undefined) take('view2d', baseView);
    if (p.view !== undefined) take('view', state.view);
  }
  if (p.selected !== undefined) take('selected', state.selected);
  else if (next.selected >= expectedUnits(next)) next.selected = -1;
  if (p.network !== undefined || p.view !== undefined || p.view2d !== undefined || p.target !== undefined || mode !== current.mode) {
    const why = outputOverflow(next.network, next);
    if (why) throw new StateError(p.network !== undefined || (p.view === undefined && p.view2d === undefined) ? 'network' : mode === '2d' ? 'view2d' : 'view', why);
  }
  return { state: next, fit, given };
}

/** The farthest |x| and |y| of a 2D data target, once per target object (a zoom must not rescan 100,000 points). */
const dataReaches = new WeakMap<object, [number, number]>();
function dataReach(t: { xs: readonly number[]; ys: readonly number[] }): [number, number] {
  let r = dataReaches.get(t);
  if (!r) {
    let fy = 0;
    for (let i = 0; i < t.ys.length; i++) fy = Math.max(fy, Math.abs(t.ys[i]));
    // x is sorted (then y): its ends are its extremes.
    r = [Math.max(Math.abs(t.xs[0] ?? 0), Math.abs(t.xs[t.xs.length - 1] ?? 0)), fy];
    dataReaches.set(t, r);
  }
  return r;
}

/**
 * How far from 0 the inputs of a state's network go: the view and the target's domain (training samples and
 * data points lie there), per input dimension.
 */
export function inputReach(s: Pick<AppState, 'mode' | 'target' | 'view' | 'view2d'>): number[] {
  const far = (...v: number[]) => Math.max(...v.map(Math.abs));
  const t = s.target;
  if (s.mode === '2d') {
    const v = s.view2d;
    if (t.kind === 'data' && 'zs' in t) {
      const [fx, fy] = dataReach(t);
      return [far(v.xMin, v.xMax, fx), far(v.yMin, v.yMax, fy)];
    }
    const d = target2DOf(t as Target2DSpec).domain;
    return [far(v.xMin, v.xMax, d.xMin, d.xMax), far(v.yMin, v.yMax, d.yMin, d.yMax)];
  }
  // Data x are sorted: the ends are the extremes.
  if (t.kind === 'data') return [far(s.view.xMin, s.view.xMax, t.xs[0] ?? 0, t.xs[t.xs.length - 1] ?? 0)];
  const [lo, hi] = targetOf(t as TargetSpec).domain;
  return [far(s.view.xMin, s.view.xMax, lo, hi)];
}

/**
 * Why `net` could overflow float32 (the GPU's precision) over the inputs of state `s`, or null when it cannot:
 * every value is within ±1e15, but a sum of products of them can still exceed 3.4e38, so the worst case over
 * the view and the target's domain must stay within MAX_ABS_OUTPUT (1e30).
 */
export function outputOverflow(net: Network, s: Pick<AppState, 'mode' | 'target' | 'view' | 'view2d'>): string | null {
  if (net.a.length === 0 || net.dim !== dimOf(s.mode)) return null;
  const reach = inputReach(s);
  const bound = worstCaseOutput(net, reach);
  if (bound <= MAX_ABS_OUTPUT) return null;
  const where = reach.length === 2 ? `|x| ≤ ${formatValue(reach[0])}, |y| ≤ ${formatValue(reach[1])}` : `|x| ≤ ${formatValue(reach[0])}`;
  return `the network's sum can reach ${formatValue(bound)} where ${where} (the view and the target's domain), beyond 1e30, and float32 on the GPU overflows at 3.4e38; use smaller weights or a narrower view`;
}

/** Called after every change; `error` is set when a fit failed and the state went back to the last good one. */
export type StoreListener = (state: AppState, previous: AppState, error?: StateError) => void;

interface FitJob {
  inputs: FitInputs;
  given: Network | null;
  controller: AbortController;
  /** The version of the change that started it. */
  version: number;
}

/**
 * Holds the current state; nothing else mutates it. `set`/`replace` validate and accept a patch at once and
 * start the fit it needs (if any) through the FitRunner; only the latest fit may commit, and only while the
 * state still asks for exactly that construction. `version` grows with every change, for `setIf`.
 */
export class Store {
  private current: AppState;
  private ver = 0;
  /** The last state with no fit pending: where a failed fit goes back to. */
  private good: AppState;
  private job: FitJob | null = null;
  /** `settled()` callers, with the version they asked at (a failed fit rejects those it was started for). */
  private waiters: Array<{ version: number; resolve(s: AppState): void; reject(e: StateError): void }> = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(
    initial: AppState = initialState(),
    private readonly runner: FitRunner = defaultFitRunner(),
  ) {
    this.current = initial;
    this.good = initial;
  }

  /** The current state; while a fit is pending its network is still the previous one. */
  get state(): AppState {
    return this.current;
  }

  /** Grows by one with every change of the state (patches, replaced states, committed or failed fits). */
  get version(): number {
    return this.ver;
  }

  /** Whether a construction is still running (the state's network is not yet the one its fields ask for). */
  get pending(): boolean {
    return this.job !== null;
  }

  /**
   * Validates and applies a patch (throws StateError and changes nothing on bad input), notifies listeners,
   * and starts the fit it needs, superseding any pending one. Await `settled()` for the built network.
   */
  set(patch: unknown): AppState {
    return this.accept(reduce(this.current, patch), false);
  }

  /**
   * Replaces the whole state (import, URL, autosave, preset): validated as a patch over the initial state.
   * Until its fit lands the previous network stays on screen.
   */
  replace(full: unknown): AppState {
    return this.accept(reduce(initialState(), full), true);
  }

  /**
   * Compare-and-set for asynchronous results (training, background work): applies `patch` only if the state
   * has not changed since `basis` (a `version` read when the work started). Returns whether it applied;
   * throws StateError for a bad patch when it would apply.
   */
  setIf(basis: number | ((current: AppState) => boolean), patch: unknown): boolean {
    if (typeof basis === 'number' ? basis !== this.ver : !basis(this.current)) return false;
    this.set(patch);
    return true;
  }

  /**
   * Resolves with the state once no fit is pending (at once when none is). Rejects with the fit's
   * StateError when the pending construction fails; the state is then back at the last good one.
   */
  settled(): Promise<AppState> {
    if (!this.job) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => this.waiters.push({ version: this.ver, resolve, reject }));
  }

  /** Calls `listener` after every change (with the StateError when a fit failed); returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private accept(a: Accepted, whole: boolean): AppState {
    const next = a.state;
    // A new whole state keeps drawing the network on screen until its own is built (if it is of its mode).
    if (whole && a.fit && !a.given && this.current.network.dim === next.network.dim) next.network = this.current.network;
    const asOnScreen = a.fit && a.given && sameNetwork(a.given, this.current.network);
    if (asOnScreen && !this.job && sameFitInputs(a.fit!, fitInputsOf(this.current))) {
      // The state as it is (getState → setState): its network was built from these very inputs.
      next.network = this.current.network;
    } else if (asOnScreen && this.job && sameFitInputs(a.fit!, this.job.inputs)) {
      // getState() taken while this very fit runs gives its inputs with the network still on screen: keep the fit.
      next.network = this.current.network;
    } else if (a.fit) this.start(a.fit, a.given);
    else if (this.job && !sameFitInputs(this.job.inputs, fitInputsOf(next))) this.drop();
    this.change(next);
    return this.current;
  }

  private start(inputs: FitInputs, given: Network | null): void {
    this.job?.controller.abort();
    // The change that starts the job is the next version (accept() commits it right after).
    const job: FitJob = { inputs, given, controller: new AbortController(), version: this.ver + 1 };
    this.job = job;
    let fitted: Promise<Network>;
    try {
      fitted = this.runner.fit(inputs, job.controller.signal);
    } catch (e) {
      // A runner that throws at once fails this fit like any other failure, never leaving it pending.
      fitted = Promise.reject(e);
    }
    fitted.then(
      (net) => this.finish(job, net, null),
      (e: unknown) => this.finish(job, null, e),
    );
  }

  private drop(): void {
    this.job?.controller.abort();
    this.job = null;
  }

  private finish(job: FitJob, net: Network | null, failure: unknown): void {
    if (this.job !== job) return;
    this.job = null;
    let error: StateError | null = null;
    let valid: ValidNetwork | null = null;
    if (net === null) error = failure instanceof StateError ? failure : new StateError('network', `could not be built: ${messageOf(failure)}`);
    else if (job.given && !sameNetwork(net, job.given)) error = notBuiltBy(job.inputs.build);
    else {
      // A fitted network (from the worker, too) is validated once here, so every consumer gets a ValidNetwork;
      // one the GPU could not hold fails the fit like any other failure, never as an unhandled rejection.
      try {
        valid = validateNetwork(net);
      } catch (e) {
        // Every network value stays within ±1e15, constructed ones too (a view at the edge of that range can round a
        // knot's bias just past it): validation refuses it, in the same pass that copies the arrays.
        if (!(e instanceof InvalidNetworkError)) error = new StateError('network', `could not be built: ${messageOf(e)}`);
        else if (e.detail.endsWith(`is outside ${RANGE_TEXT}`)) {
          error = new StateError('network', `the ${job.inputs.build} construction built a network with ${e.field} = ${e.detail.replace(/ is outside .*$/, '')}, outside ${RANGE_TEXT}: narrow the view`);
        } else error = new StateError('network', `the ${job.inputs.build} construction built an unusable network (${e.field}: ${e.detail})`);
      }
      const why = valid && outputOverflow(valid, this.current);
      if (why) error = new StateError('network', `the ${job.inputs.build} construction built a network whose ${why.replace(/^the network's /, '')}`);
    }
    if (error) {
      // Waiters from the change that started this fit (or earlier) learn that it failed; later ones, whose own
      // changes were accepted meanwhile, resolve with the state after the revert.
      const failed = this.waiters.filter((w) => w.version <= job.version);
      this.waiters = this.waiters.filter((w) => w.version > job.version);
      this.change(this.ver === job.version ? this.good : this.revertConstruction(), error);
      for (const w of failed) w.reject(error);
      return;
    }
    this.change({ ...this.current, network: valid! });
  }

  /** The current state with the construction (and its network) of the last good state: other edits stay. */
  private revertConstruction(): AppState {
    // A failed fit of a mode shown since the last good state: back to that state as a whole.
    if (this.good.mode !== this.current.mode) return this.good;
    const next: AppState = { ...this.current, network: this.good.network };
    for (const k of CONSTRUCTION_FIELDS) (next as unknown as Record<string, unknown>)[k] = this.good[k];
    if (next.selected >= next.network.a.length) next.selected = -1;
    return next;
  }

  private change(next: AppState, error?: StateError): void {
    // A network kept on screen while a fit runs (or restored) shows the state's activation too.
    if (activationOf(next.network) !== next.activation) next = { ...next, network: withActivation(next.network, next.activation) };
    const previous = this.current;
    this.current = next;
    this.ver++;
    if (!this.job) this.good = next;
    try {
      for (const l of this.listeners) l(next, previous, error);
    } finally {
      // A listener that throws must not leave settled() pending.
      if (!this.job && this.waiters.length > 0) for (const w of this.waiters.splice(0)) w.resolve(this.current);
    }
  }
}

const SETTINGS_KEYS: ReadonlyArray<string> = MODE_FIELDS;

/**
 * `other` is checked as a patch over the defaults of its mode (which must be the mode not shown): null, or
 * `{mode, target, units, …}` with the fields of `MODE_FIELDS`. A constructed network it carries is shown when
 * its mode comes back, until the rebuild lands.
 */
function checkOther(v: unknown, _base: ModeSettings | null, next: Readonly<AppState>): ModeSettings | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new StateError('other', `must be null or the other mode's settings {mode, target, units, …}, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  const want: Mode = next.mode === '2d' ? '1d' : '2d';
  if (!Object.hasOwn(o, 'mode') || o.mode !== want) throw new StateError('other.mode', `must be "${want}" (the mode not shown), got ${describe(o.mode)}`);
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (k === 'mode') continue;
    if (!SETTINGS_KEYS.includes(k)) throw new StateError(`other.${k}`, `is not a mode setting (known: mode, ${SETTINGS_KEYS.join(', ')})`);
    fields[k] = o[k];
  }
  // A constructed network waiting in `other` is rebuilt from its inputs whenever its mode is shown again, so it is
  // not checked against them: it may be the one from before a fit that a mode switch (or a newer edit) overtook.
  if (fields.build !== undefined && fields.build !== 'custom') delete fields.network;
  let accepted: Accepted;
  try {
    accepted = reduce(switchMode(initialState(), want), fields);
  } catch (e) {
    if (e instanceof StateError) throw new StateError(`other.${e.field}`, e.detail, e.position);
    throw e;
  }
  return settingsOf(accepted.state);
}
setOtherCheck(checkOther);
