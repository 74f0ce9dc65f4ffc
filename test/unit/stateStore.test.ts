import { describe, expect, it } from 'vitest';
import { type AppState, StateError, Store, construct, initialState, reduce, snapshot } from '../../src/state/state.ts';
import { type FitRunner, type FitWorker, InProcessFitRunner, WorkerFitRunner } from '../../src/state/fitRunner.ts';
import { type FitReply, type FitRequest, decodeFitReply, handleFitMessage } from '../../src/state/fitProtocol.ts';
import type { FitInputs } from '../../src/state/types.ts';
import { type Network, randomNetwork } from '../../src/model/network.ts';

const runner = () => new InProcessFitRunner();
const UNDEFINED_EVERYWHERE = { kind: 'expression', source: 'sqrt(-1 - x^2)' } as const;

describe('state patches', () => {
  it('rejects bad input with the field named and leaves the state untouched', () => {
    const s = initialState();
    const before = JSON.stringify(snapshot(s));
    const bad: Array<[unknown, RegExp]> = [
      [null, /patch/],
      [{ units: 0 }, /units/],
      [{ units: 65537 }, /units/],
      [{ units: 2.5 }, /units/],
      [{ ridge: NaN }, /ridge/],
      [{ lr: Infinity }, /lr/],
      [{ lr: 0 }, /lr: must be greater than 0/],
      [{ build: 'fast' }, /build: must be "interpolate", "least-squares" or "custom", got "fast"/],
      [{ placement: 1 }, /placement: must be "uniform" or "curvature"/],
      [{ view: { xMin: 1, xMax: 0 } }, /view\.xMax/],
      [{ show: { grid: true } }, /show\.grid: is not a known field/],
      [{ selected: 8 }, /selected: must be an integer from -1 to 7/],
      [{ network: { dim: 1, w: [1, NaN], b: [0, 0], a: [1, 1], c: 0 } }, /network\.w\[1\]/],
      [{ target: { kind: 'expression', source: 'sin(3*x' } }, /target/],
      [{ target: { kind: 'expression', source: 'foo(x)' } }, /target/],
      [{ zoom: 2 }, /zoom/],
      // Inherited names are not fields, at the top level or in show.
      [{ constructor: 1 }, /constructor: is not a known field/],
      [{ toString: 'x' }, /toString: is not a known field/],
      [{ show: { constructor: true } }, /show\.constructor: is not a known field/],
      [{ network: { dim: 1, w: [1], b: [0], a: [1e39], c: 0 } }, /network\.a\[0\]: 1e39 is outside ±1e15 \(what float32 holds with headroom\)/],
    ];
    for (const [patch, field] of bad) {
      expect(() => reduce(s, patch)).toThrow(StateError);
      expect(() => reduce(s, patch)).toThrow(field);
      expect(JSON.stringify(snapshot(s))).toBe(before);
    }
  });

  it('keeps the syntax error position of an expression target', () => {
    try {
      reduce(initialState(), { target: { kind: 'expression', source: 'sin(3*x' } });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(StateError);
      expect(typeof (e as StateError).position).toBe('number');
    }
  });

  it('accepts a construction patch at once without fitting, and validates selected against the coming network', () => {
    const s = initialState();
    const a = reduce(s, { units: 40, selected: 33 });
    expect(a.state.network).toBe(s.network);
    expect(a.fit).toEqual({ mode: '1d', seed: 0, target: s.target, units: 40, placement: 'uniform', ridge: s.ridge, build: 'interpolate' });
    expect(a.state.selected).toBe(33);
    expect(reduce(a.state, { units: 20 }).state.selected).toBe(-1);
    // Nothing to rebuild when the inputs do not change.
    expect(reduce(s, { units: 8, build: 'interpolate', view: { yMax: 3 } }).fit).toBeNull();
  });
});

describe('2D networks', () => {
  const net2 = randomNetwork(2, 9, 5);
  it('a 2D network shows in the 2D mode; 1D constructions are refused there, state unchanged', () => {
    const store = new Store(initialState(), runner());
    store.set({ network: net2 });
    expect(store.state.mode).toBe('2d');
    const before = JSON.stringify(snapshot(store.state));
    for (const [patch, field] of [
      [{ build: 'interpolate' }, 'build'],
      [{ target: { kind: 'builtin', id: 'abs' } }, 'target.id'],
      [{ units: 4096 }, 'units'],
    ] as Array<[Record<string, unknown>, string]>) {
      expect(() => store.set(patch)).toThrow(new RegExp(`^Invalid state: ${field.replace('.', '\\.')}:`));
      expect(JSON.stringify(snapshot(store.state))).toBe(before);
    }
    expect(store.pending).toBe(false);
    expect(() => store.replace({ network: net2, build: 'interpolate', units: 9 })).toThrow(/build: exact interpolation is 1D only/);
    // Units with an explicit custom build rebuild nothing: accepted as a plain setting.
    expect(store.set({ units: 9, build: 'custom' }).network).toEqual(net2);
  });

  it('take a 2D target, placement or ridge without a rebuild while custom; units ask for the 2D construction', async () => {
    const store = new Store(initialState(), runner());
    store.set({ network: net2 });
    store.set({ target: { kind: 'builtin', id: 'saddle' }, placement: 'curvature', ridge: 0.25 });
    expect(store.pending).toBe(false);
    expect(store.state.network).toEqual(net2);
    expect(store.state.build).toBe('custom');
    store.set({ units: 32 });
    expect(store.state.build).toBe('least-squares');
    const s = await store.settled();
    expect(s.network.dim).toBe(2);
    expect(s.network.a.length).toBe(32);
  });
});

/** A runner whose fits finish only when the test says so, in any order, ignoring aborts. */
class ManualRunner implements FitRunner {
  readonly jobs: Array<{ inputs: FitInputs; finish(): void }> = [];
  fit(inputs: FitInputs): Promise<Network> {
    return new Promise((resolve, reject) => {
      this.jobs.push({
        inputs,
        finish() {
          try {
            resolve(construct(inputs, inputs.build));
          } catch (e) {
            reject(e);
          }
        },
      });
    });
  }
}

describe('constructions after the patch', () => {
  it('many rapid unit changes end with the last one, and superseded fits never commit', async () => {
    const manual = new ManualRunner();
    const store = new Store(initialState(), manual);
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.network.a.length));
    const counts = [3, 17, 250, 4097, 61, 33, 1000, 129];
    for (const units of counts) {
      const s = store.set({ units, build: 'least-squares', ridge: 1e-4 });
      expect(s.units).toBe(units);
      expect(s.network.a.length).toBe(8);
      expect(store.pending).toBe(true);
    }
    const done = store.settled();
    // Finish them newest-first: only the last request may commit.
    for (const job of [...manual.jobs].reverse()) job.finish();
    const s = await done;
    expect(s.network).toEqual(construct({ ...s, units: 129 }, 'least-squares'));
    expect(seen).toEqual([...counts.map(() => 8), 129]);
    expect(store.pending).toBe(false);
  });

  it('the in-process runner skips superseded fits entirely', async () => {
    const fitted: number[] = [];
    const inner = runner();
    const counting: FitRunner = {
      fit: (inputs, signal) =>
        inner.fit(inputs, signal).then((net) => {
          fitted.push(inputs.units);
          return net;
        }),
    };
    const store = new Store(initialState(), counting);
    for (let units = 100; units <= 3000; units += 97) store.set({ units, placement: 'curvature' });
    const s = await store.settled();
    expect(fitted).toEqual([s.units]);
    expect(s.network).toEqual(construct(s, 'interpolate'));
  });

  it('a fit that fails reverts to the last good state, rejects settled() and tells listeners', async () => {
    const store = new Store(initialState(), runner());
    store.set({ view: { yMax: 2.5 }, selected: 3 });
    const good = snapshot(store.state);
    const errors: StateError[] = [];
    store.subscribe((_s, _p, e) => e && errors.push(e));
    const accepted = store.set({ target: UNDEFINED_EVERYWHERE, units: 12 });
    expect(accepted.target).toEqual(UNDEFINED_EVERYWHERE);
    const v = store.version;
    await expect(store.settled()).rejects.toThrow(/target: cannot build the network: the target is undefined at every knot/);
    expect(snapshot(store.state)).toEqual(good);
    expect(store.version).toBe(v + 1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StateError);
    await expect(store.settled()).resolves.toBe(store.state);
  });

  it('a failed fit reverts only its construction: edits made while it ran stay, and their waiters resolve', async () => {
    const manual = new ManualRunner();
    const store = new Store(initialState(), manual);
    const good = snapshot(store.state);
    store.set({ target: UNDEFINED_EVERYWHERE, units: 12 });
    const first = store.settled();
    store.set({ show: { terms: false }, view: { yMax: 4 } });
    const second = store.settled();
    manual.jobs[0].finish();
    await expect(first).rejects.toThrow(/cannot build the network/);
    const s = await second;
    expect(s.show.terms).toBe(false);
    expect(s.view.yMax).toBe(4);
    expect(s.target).toEqual(good.target);
    expect(s.units).toBe(good.units);
    expect(s.network).toEqual(good.network);
  });

  it('getState() taken while a fit runs, set back, keeps that fit instead of refusing its network', async () => {
    const store = new Store(initialState(), runner());
    store.set({ units: 50 });
    const mid = snapshot(store.state);
    expect(mid.network.a.length).toBe(8);
    mid.lr = 0.02;
    store.set(mid);
    const s = await store.settled();
    expect(s.units).toBe(50);
    expect(s.lr).toBe(0.02);
    expect(s.network.a.length).toBe(50);
  });

  it('a runner that throws at once fails the fit (settled() rejects, never hangs) and the state reverts', async () => {
    const throwing: FitRunner = {
      fit: () => {
        throw new Error('no worker here');
      },
    };
    const store = new Store(initialState(), throwing);
    const good = snapshot(store.state);
    store.set({ units: 20 });
    await expect(store.settled()).rejects.toThrow(/could not be built: no worker here/);
    expect(snapshot(store.state)).toEqual(good);
    expect(store.pending).toBe(false);
  });

  it('a full state whose network its construction builds is taken as is; one it does not is reverted', async () => {
    const a = new Store(initialState(), runner());
    a.set({ target: { kind: 'builtin', id: 'wiggle' }, build: 'least-squares', units: 23, placement: 'curvature' });
    const full = snapshot(await a.settled());

    const b = new Store(initialState(), runner());
    b.replace(full);
    expect(b.state.network).toEqual(full.network);
    expect(snapshot(await b.settled())).toEqual(full);
    // getState → setState on the same page: nothing to rebuild.
    b.set(full);
    expect(b.pending).toBe(false);

    const tampered = snapshot(full);
    tampered.network.a[5] += 1e-3;
    const c = new Store(initialState(), runner());
    const start = snapshot(c.state);
    c.replace(tampered);
    await expect(c.settled()).rejects.toThrow(/network: is not what the "least-squares" construction builds/);
    expect(snapshot(c.state)).toEqual(start);
    expect(() => c.replace({ ...full, units: 22 })).toThrow(/network: is not what/);
  });

  it('a custom network set while a fit runs drops the fit', async () => {
    const manual = new ManualRunner();
    const store = new Store(initialState(), manual);
    store.set({ units: 300 });
    const net = randomNetwork(1, 7, 9);
    store.set({ network: net });
    expect(store.pending).toBe(false);
    manual.jobs[0].finish();
    await Promise.resolve();
    expect(store.state.network).toEqual(net);
    expect(store.state.build).toBe('custom');
  });

  it('setIf applies only on an unchanged basis', async () => {
    const store = new Store(initialState(), runner());
    const basis = store.version;
    store.set({ lr: 0.2 });
    expect(store.setIf(basis, { network: randomNetwork(1, 4, 1) })).toBe(false);
    expect(store.state.build).toBe('interpolate');
    expect(store.state.lr).toBe(0.2);
    const fresh = store.version;
    expect(() => store.setIf(fresh, { units: -1 })).toThrow(/units/);
    expect(store.version).toBe(fresh);
    expect(store.setIf(fresh, { lr: 0.3 })).toBe(true);
    // A fit landing moves the version too: a result computed on the old network is refused.
    store.set({ units: 50 });
    const during = store.version;
    await store.settled();
    expect(store.setIf(during, { lr: 0.4 })).toBe(false);
    expect(store.state.lr).toBe(0.3);
  });
});

describe('fit runners', () => {
  const cases: FitInputs[] = [
    { mode: '1d', seed: 0, target: { kind: 'builtin', id: 'sin' }, units: 8, placement: 'uniform', ridge: 1e-6, build: 'interpolate' },
    { mode: '1d', seed: 0, target: { kind: 'expression', source: 'exp(-x^2) * cos(4*x)' }, units: 777, placement: 'curvature', ridge: 0.003, build: 'least-squares' },
    { mode: '1d', seed: 0, target: { kind: 'data', xs: [-2, -0.5, 0.3, 1.7, 2.2], ys: [1, -1, 0.5, 3e-5, -7] }, units: 13, placement: 'uniform', ridge: 0, build: 'least-squares' },
    { mode: '1d', seed: 0, target: { kind: 'builtin', id: 'noisy' }, units: 4099, placement: 'curvature', ridge: 1e-6, build: 'interpolate' },
    { mode: '2d', seed: 3, target: { kind: 'builtin', id: 'saddle' }, units: 65, placement: 'uniform', ridge: 1e-6, build: 'least-squares' },
    { mode: '2d', seed: 9, target: { kind: 'data', xs: [-1, 0, 1, 0.5], ys: [0, 1, -1, 0.25], zs: [1, 2, 3, -1] }, units: 3, placement: 'uniform', ridge: 1e-3, build: 'least-squares' },
  ];

  it('in-process and the worker message path build identical networks', async () => {
    for (const inputs of cases) {
      const local = await runner().fit(inputs, new AbortController().signal);
      const reply = structuredClone(handleFitMessage(structuredClone({ id: 1, inputs })));
      expect(decodeFitReply(reply)).toEqual(local);
    }
    const failed = handleFitMessage({ id: 2, inputs: { ...cases[0], target: UNDEFINED_EVERYWHERE } });
    expect(failed).toMatchObject({ id: 2, ok: false, field: 'target' });
    expect(() => decodeFitReply(failed)).toThrow(StateError);
  });

  /** A stand-in Worker that answers through the real message handler, a macrotask later. */
  function fakeWorker(log: string[], broken = false): FitWorker {
    const w: FitWorker = {
      onmessage: null,
      onerror: null,
      postMessage(req: FitRequest) {
        log.push(`post ${req.inputs.units}`);
        const copy = structuredClone(req);
        setTimeout(() => {
          if (broken) w.onerror?.(new Event('error'));
          else w.onmessage?.({ data: structuredClone(handleFitMessage(copy)) } as MessageEvent<FitReply>);
        }, 0);
      },
      terminate() {
        log.push('terminate');
      },
    };
    return w;
  }

  it('the worker runner resolves, runs one fit at a time with only the newest waiting, and falls back when the worker cannot start', async () => {
    const log: string[] = [];
    const workers = new WorkerFitRunner(() => fakeWorker(log));
    const store = new Store(initialState(), workers);
    store.set({ units: 21 });
    store.set({ units: 34 });
    store.set({ units: 55 });
    store.set({ units: 89 });
    const s: AppState = await store.settled();
    expect(s.network).toEqual(construct(s, 'interpolate'));
    // 21 was running; 34 and 55 were superseded while they waited, so only 89 followed it.
    expect(log).toEqual(['post 21', 'post 89']);

    const broken = new WorkerFitRunner(() => fakeWorker([], true));
    const net = await broken.fit(cases[1], new AbortController().signal);
    expect(net).toEqual(construct(cases[1], 'least-squares'));
  });
});
