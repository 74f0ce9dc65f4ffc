/**
 * Property test of the state layer under concurrency (issue 11): random interleavings of user actions (patches,
 * imports, mode switches, network edits) and background completions (fits finishing in any order, superseded
 * ones included; training results committed through `setIf` as src/app/training.ts does) end in exactly the
 * state the same user actions reach when every background result lands at once. So a result that finishes
 * late never overwrites a later user change, and none that should land is lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Network, randomNetwork } from '../../src/model/network.ts';
import { construct } from '../../src/state/construction.ts';
import type { FitRunner } from '../../src/state/fitRunner.ts';
import { type AppState, StateError, Store, initialState, snapshot } from '../../src/state/state.ts';
import type { FitInputs } from '../../src/state/types.ts';

/** Fits that finish only when the test says so, in any order; a superseded one may still deliver a network. */
class ManualRunner implements FitRunner {
  readonly open: Array<{ inputs: FitInputs; signal: AbortSignal; resolve(n: Network): void; reject(e: unknown): void }> = [];

  fit(inputs: FitInputs, signal: AbortSignal): Promise<Network> {
    return new Promise((resolve, reject) => this.open.push({ inputs, signal, resolve, reject }));
  }

  /** Finishes the open fit at `pick` (modulo the count); `late`: an aborted one delivers its network anyway. */
  finish(pick: number, late: boolean): void {
    if (this.open.length === 0) return;
    const [job] = this.open.splice(pick % this.open.length, 1);
    if (job.signal.aborted && !late) return job.reject(job.signal.reason);
    try {
      job.resolve(construct(job.inputs, job.inputs.build));
    } catch (e) {
      job.reject(e);
    }
  }
}

/** Fits at once (a resolved promise): the reference, where every background result lands before the next action. */
const atOnce: FitRunner = { fit: async (inputs) => construct(inputs, inputs.build) };

/** Lets promise callbacks (the store's fit completions) run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What training makes of a network: a deterministic, valid step (the real trainer's result is just as opaque). */
function trained(net: Network): Network {
  return { dim: net.dim, w: net.w.slice(), b: net.b.map((b) => b + 0.125), a: net.a.map((a) => a * 0.5), c: net.c - 0.25 };
}

type Action =
  | { kind: 'set'; patch: Record<string, unknown> }
  | { kind: 'replace'; full: Record<string, unknown> }
  | { kind: 'reimport' }
  | { kind: 'fitDone'; pick: number; late: boolean }
  | { kind: 'trainStart' }
  | { kind: 'trainDone'; pick: number };

const T1 = ['sin', 'abs', 'square', 'step', 'wiggle', 'noisy'];
const T2 = ['plane', 'cone', 'bump', 'saddle'];

const userPatch: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((units) => ({ units })),
  fc.record({ units: fc.integer({ min: 4, max: 12 }), build: fc.constantFrom('interpolate', 'least-squares') }),
  fc.constantFrom(...T1, ...T2).map((id) => ({ target: { kind: 'builtin', id } })),
  fc.record({ dim: fc.constantFrom(1 as const, 2 as const), n: fc.integer({ min: 0, max: 6 }), seed: fc.nat(1000) }).map(({ dim, n, seed }) => ({ network: randomNetwork(dim, n, seed) })),
  fc.constantFrom('1d', '2d').map((mode) => ({ mode })),
  fc.constantFrom('uniform', 'curvature').map((placement) => ({ placement })),
  fc.constantFrom(1e-6, 1e-3, 0.1).map((ridge) => ({ ridge })),
  fc.nat(50).map((seed) => ({ seed })),
  fc.boolean().map((terms) => ({ show: { terms } })),
  fc.integer({ min: 1, max: 20 }).map((k) => ({ view: { xMin: -k, xMax: k } })),
  fc.integer({ min: -1, max: 3 }).map((selected) => ({ selected })),
);

const importPayload: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ units: fc.integer({ min: 1, max: 12 }), target: fc.constantFrom(...T1).map((id) => ({ kind: 'builtin', id })) }),
  fc.record({ mode: fc.constant('2d'), units: fc.integer({ min: 4, max: 12 }), target: fc.constantFrom(...T2).map((id) => ({ kind: 'builtin', id })) }),
  fc.nat(1000).map((seed) => ({ network: randomNetwork(2, 5, seed) })),
  fc.nat(1000).map((seed) => ({ network: randomNetwork(1, 4, seed), target: { kind: 'builtin', id: 'abs' } })),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: userPatch.map((patch) => ({ kind: 'set' as const, patch })), weight: 5 },
  { arbitrary: importPayload.map((full) => ({ kind: 'replace' as const, full })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reimport' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fitDone' as const), pick: fc.nat(10), late: fc.boolean() }), weight: 5 },
  { arbitrary: fc.constant({ kind: 'trainStart' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('trainDone' as const), pick: fc.nat(10) }), weight: 3 },
);

/** Applies a user action; a refusal must be a StateError (both stores then refuse it alike). */
function user(store: Store, act: (s: Store) => unknown): boolean {
  try {
    act(store);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(StateError);
    return false;
  }
}

/**
 * The state as JSON, less what is derived: the constructed network of the mode not shown (in `other`) is rebuilt
 * whenever that mode is shown again (the reducer asks for its fit), so a fit dropped when the user left the
 * mode loses nothing; the user's fields there (units, target, a custom network …) are compared.
 */
function comparable(s: AppState): string {
  const snap = snapshot(s);
  if (snap.other && snap.other.build !== 'custom') snap.other = { ...snap.other, network: null as unknown as typeof snap.other.network };
  return JSON.stringify(snap);
}

/** A training run as the app's TrainingController does it: the state it started from, and its guard. */
interface Run {
  from: AppState;
  commit(store: Store): boolean;
}

function startRun(store: Store): Run | null {
  const s = store.state;
  if (s.network.a.length === 0) return null;
  const net = trained(s.network);
  // training.ts: the result lands only while the network and target are the ones it trained and no fit is pending.
  const unchanged = (c: AppState) => c.network === s.network && c.target === s.target && !store.pending;
  return { from: s, commit: (st) => st.setIf(unchanged, { network: net, selected: s.selected < net.a.length ? s.selected : -1 }) };
}

describe('concurrency: the last user action wins', () => {
  it('any interleaving of user actions and background results ends where the same actions end with instant background work', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(10), { maxLength: 30 }), async (actions, lastOrder) => {
        const manual = new ManualRunner();
        const real = new Store(initialState(), manual);
        const ref = new Store(initialState(), atOnce);
        const runs: Array<{ real: Run; ref: Run }> = [];
        const settleRef = () => ref.settled().then(() => undefined, (e: unknown) => expect(e).toBeInstanceOf(StateError));
        const failures: unknown[] = [];
        // A fit failure rejects settled(); the real store's waiters are not the point here, its state is.
        real.subscribe((_s, _p, error) => error && failures.push(error));

        for (const a of actions) {
          if (a.kind === 'set' || a.kind === 'replace' || a.kind === 'reimport') {
            const payload = a.kind === 'set' ? a.patch : a.kind === 'replace' ? a.full : (snapshot(ref.state) as unknown as Record<string, unknown>);
            const apply = (s: Store) => (a.kind === 'set' ? s.set(payload) : s.replace(payload));
            const okRef = user(ref, apply);
            const okReal = user(real, apply);
            expect(okReal, JSON.stringify(payload)).toBe(okRef);
            await settleRef();
          } else if (a.kind === 'fitDone') {
            manual.finish(a.pick, a.late);
            await tick();
          } else if (a.kind === 'trainStart') {
            // The trainer waits for the pending fit before it starts (training.ts: await store.settled()).
            while (manual.open.length > 0) {
              manual.finish(0, false);
              await tick();
            }
            const r = startRun(real);
            const f = startRun(ref);
            expect(r === null).toBe(f === null);
            if (r && f) runs.push({ real: r, ref: f });
          } else if (runs.length > 0) {
            const [run] = runs.splice(a.pick % runs.length, 1);
            const committedRef = run.ref.commit(ref);
            const committedReal = run.real.commit(real);
            expect(committedReal).toBe(committedRef);
          }
        }
        // Every background fit still open finishes, in a random order (late deliveries of aborted ones included).
        for (const pick of lastOrder) manual.finish(pick, pick % 2 === 0);
        while (manual.open.length > 0) manual.finish(0, true);
        await tick();
        await tick();
        expect(real.pending).toBe(false);
        expect(comparable(real.state)).toBe(comparable(ref.state));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  }, 120_000);

  it('a training result that finishes after an import is dropped (defect 1 of issue 11, in the state layer)', async () => {
    const store = new Store(initialState(), atOnce);
    store.set({ network: randomNetwork(1, 16, 3) });
    const run = startRun(store)!;
    store.replace({ network: randomNetwork(2, 5, 9) });
    await store.settled();
    const imported = store.state;
    expect(run.commit(store)).toBe(false);
    expect(store.state).toBe(imported);
    expect(store.state.mode).toBe('2d');
  });
});
