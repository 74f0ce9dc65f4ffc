/**
 * The one application state: the reducer and the store. Every change (panel, plot gestures, keyboard,
 * scripting API, URL, JSON import, autosave) goes through `reduce`, which checks the whole patch first and
 * either accepts it at once or throws a `StateError` naming the field, leaving the old state untouched.
 * Constructions (fits) are never run by the reducer: the store runs them afterwards through a FitRunner,
 * drops superseded ones, and commits the last one's network.
 */
import { type Network, validateNetwork } from '../model/network.ts';
import { fitInputsOf, sameFitInputs, sameNetwork, viewForTarget } from './construction.ts';
import { StateError } from './errors.ts';
import { type FitRunner, defaultFitRunner } from './fitRunner.ts';
import { SCHEMA, describe, expectedUnits, fieldNames, initialOf, snapshotOf, unknownField } from './schema.ts';
import type { AppState, FitInputs } from './types.ts';

export type { TargetSpec } from '../model/targets.ts';
export type { AppState, BuildMode, FitInputs, ShowFlags, ViewRange } from './types.ts';
export { StateError } from './errors.ts';
export { construct, targetOf, viewForTarget } from './construction.ts';

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

const CONSTRUCTION_FIELDS = ['units', 'build', 'target', 'placement', 'ridge'] as const;

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
export function reduce(state: AppState, patch: unknown): Accepted {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new StateError('patch', `must be an object, got ${describe(patch)}`);
  // Own names only: "constructor" or "toString" are not fields.
  for (const k of Object.keys(patch)) if (!Object.hasOwn(SCHEMA, k)) throw unknownField(SCHEMA, k);
  const p = patch as Partial<Record<keyof AppState, unknown>>;
  const next: AppState = { ...state };
  const take = <K extends keyof AppState>(k: K, base: AppState[K]) => {
    next[k] = SCHEMA[k].check(p[k], base, next);
  };
  for (const k of STATE_KEYS) if (p[k] !== undefined && !SCHEMA[k].late) take(k, state[k]);

  let fit: FitInputs | null = null;
  let given: Network | null = null;
  if (p.network !== undefined) {
    if (p.build !== undefined && p.build !== 'custom') {
      // A full state (getState, export) carries both: accept it when the network is what that construction
      // builds, so states round-trip; anything else must say build: "custom".
      if (next.network.dim !== 1) throw new StateError('build', `the network is 2D; 2D constructions are not available yet — give build: "custom"`);
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
    // Moving the unit count of a custom network means "build me N units": back to interpolation.
    if (p.units !== undefined && next.build === 'custom' && p.build === undefined) next.build = 'interpolate';
    if (next.build !== 'custom' && !sameFitInputs(fitInputsOf(state), fitInputsOf(next))) {
      // A constructed state is always 1D (its network may still be the previous one while a fit runs).
      if (state.build === 'custom' && state.network.dim !== 1) {
        const field = CONSTRUCTION_FIELDS.find((k) => p[k] !== undefined)!;
        throw new StateError(field, 'the network is 2D; 2D constructions are not available yet — set a 1D network first');
      }
      fit = fitInputsOf(next);
    }
  }

  const targetChanged = p.target !== undefined && JSON.stringify(next.target) !== JSON.stringify(state.target);
  const baseView = targetChanged ? viewForTarget(next.target) : state.view;
  next.view = baseView;
  if (p.view !== undefined) take('view', baseView);
  if (p.selected !== undefined) take('selected', state.selected);
  else if (next.selected >= expectedUnits(next)) next.selected = -1;
  return { state: next, fit, given };
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
    // A new whole state keeps drawing the network on screen until its own is built.
    if (whole && a.fit && !a.given) next.network = this.current.network;
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
    return next;
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
    if (net === null) error = failure instanceof StateError ? failure : new StateError('network', `could not be built: ${failure instanceof Error ? failure.message : String(failure)}`);
    else if (job.given && !sameNetwork(net, job.given)) error = notBuiltBy(job.inputs.build);
    if (error) {
      // Waiters from the change that started this fit (or earlier) learn that it failed; later ones, whose own
      // changes were accepted meanwhile, resolve with the state after the revert.
      const failed = this.waiters.filter((w) => w.version <= job.version);
      this.waiters = this.waiters.filter((w) => w.version > job.version);
      this.change(this.ver === job.version ? this.good : this.revertConstruction(), error);
      for (const w of failed) w.reject(error);
      return;
    }
    // A fitted network (from the worker, too) is validated once here, so every consumer gets a ValidNetwork.
    this.change({ ...this.current, network: validateNetwork(net) });
  }

  /** The current state with the construction (and its network) of the last good state: other edits stay. */
  private revertConstruction(): AppState {
    const next: AppState = { ...this.current, network: this.good.network };
    for (const k of CONSTRUCTION_FIELDS) (next as unknown as Record<string, unknown>)[k] = this.good[k];
    if (next.selected >= next.network.a.length) next.selected = -1;
    return next;
  }

  private change(next: AppState, error?: StateError): void {
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
