import { describe, expect, it } from 'vitest';
import { InProcessFitRunner } from '../../src/state/fitRunner.ts';
import { Store, StateError, initialState, reduce, snapshot } from '../../src/state/state.ts';
import { hashToPatch, stateToHash } from '../../src/state/urlState.ts';

const net2d = { dim: 2, w: [1, 0, 0, 1, 1, -1], b: [0, -0.25, 0.1], a: [1, -0.5, 0.75], c: 0.2 };

describe('modes: 1D and 2D each keep their own settings', () => {
  it('switching to 2D starts from the 2D defaults and switching back restores the 1D state exactly', async () => {
    const store = new Store(initialState(), new InProcessFitRunner());
    store.set({ target: { kind: 'builtin', id: 'abs' }, units: 12, lr: 0.003, selected: 2 });
    await store.settled();
    const oneD = snapshot(store.state);
    store.set({ mode: '2d' });
    await store.settled();
    const s = store.state;
    expect(s.mode).toBe('2d');
    expect(s.network.dim).toBe(2);
    expect(s.network.a.length).toBe(s.units);
    expect(s.target).toEqual({ kind: 'builtin', id: 'bump' });
    expect(s.build).toBe('least-squares');
    expect(s.other?.mode).toBe('1d');
    store.set({ units: 20, seed: 7, look: { colour: 'error' } });
    await store.settled();
    const twoD = snapshot(store.state);
    store.set({ mode: '1d' });
    await store.settled();
    const back = snapshot(store.state);
    // The 2D look (and window) are the 2D explorer's own: they stay as left.
    expect({ ...back, other: null, look: null }).toEqual({ ...oneD, other: null, look: null });
    expect(back.look.colour).toBe('error');
    expect(back.other?.units).toBe(20);
    expect(back.other?.seed).toBe(7);
    store.set({ mode: '2d' });
    await store.settled();
    const again = snapshot(store.state);
    expect({ ...again, other: null }).toEqual({ ...twoD, other: null });
  });

  it('a 2D network switches to 2D and becomes custom; a 1D network switches back', () => {
    const a = reduce(initialState(), { network: net2d });
    expect(a.state.mode).toBe('2d');
    expect(a.state.build).toBe('custom');
    expect(a.state.units).toBe(3);
    expect(a.state.other?.mode).toBe('1d');
    const b = reduce(a.state, { network: { dim: 1, w: [1], b: [0], a: [1], c: 0 } });
    expect(b.state.mode).toBe('1d');
  });

  it('refuses what does not fit the mode, naming the field, and changes nothing', () => {
    const s = initialState();
    expect(() => reduce(s, { mode: '3d' })).toThrow(StateError);
    expect(() => reduce(s, { mode: '1d', network: net2d })).toThrow(/network: is 2D but mode is "1d"/);
    expect(() => reduce(s, { mode: '2d', build: 'interpolate' })).toThrow(/build: exact interpolation is 1D only/);
    expect(() => reduce(s, { mode: '2d', target: { kind: 'builtin', id: 'sin' } })).toThrow(/target/);
    expect(() => reduce(s, { target: { kind: 'builtin', id: 'bump' } })).toThrow(/target/);
    expect(() => reduce(s, { target: { kind: 'expression', source: 'x*y' } })).toThrow(/target/);
    expect(() => reduce(s, { mode: '2d', target: { kind: 'expression', source: 'x*y' } })).not.toThrow();
    expect(() => reduce(s, { mode: '2d', units: 65_536 })).toThrow(/units: 2D least squares builds at most/);
    expect(() => reduce(s, { look: { colour: 'pink' } })).toThrow(/look.colour/);
    expect(() => reduce(s, { look: { camera: { elevation: 120 } } })).toThrow(/look.camera.elevation/);
    expect(() => reduce(s, { look: { constructor: true } })).toThrow(/look.constructor/);
    expect(() => reduce(s, { other: { mode: '1d' } })).toThrow(/other.mode/);
    expect(() => reduce(s, { other: { mode: '2d', units: -1 } })).toThrow(/other.units/);
    expect(() => reduce(s, { other: { mode: '2d', nonsense: 1 } })).toThrow(/other.nonsense/);
    expect(() => reduce(s, { seed: 1.5 })).toThrow(/seed/);
  });

  it('a 2D link round-trips the whole 2D state exactly (the other mode stays out of links)', async () => {
    const store = new Store(initialState(), new InProcessFitRunner());
    store.set({ mode: '2d', target: { kind: 'expression', source: 'sin(3*x)*cos(2*y)' }, units: 30, seed: 5, ridge: 1e-4 });
    store.set({ view2d: { xMin: -1.5, xMax: 0.75, yMin: -1, yMax: 2 }, look: { colour: 'values', contours: true, target: 'translucent', camera: { azimuth: 200, elevation: 60.5, distance: 3.25, panX: 0.1, panY: -0.2 } } });
    await store.settled();
    const hash = stateToHash(store.state);
    expect(hash).not.toContain('other');
    const other = new Store(initialState(), new InProcessFitRunner());
    other.replace(hashToPatch(hash)!);
    await other.settled();
    const a = snapshot(store.state);
    const b = snapshot(other.state);
    expect({ ...b, other: null }).toEqual({ ...a, other: null });

    // A custom 2D network travels exactly too.
    const c = new Store(initialState(), new InProcessFitRunner());
    c.set({ network: net2d, view2d: { xMin: -2, xMax: 2, yMin: -2, yMax: 2 } });
    const d = new Store(initialState(), new InProcessFitRunner());
    d.replace(hashToPatch(stateToHash(c.state))!);
    await d.settled();
    expect(snapshot(d.state).network).toEqual(net2d);
    expect(d.state.mode).toBe('2d');
  });

  it('a full state from getState() with the other mode set back is accepted as it is', async () => {
    const store = new Store(initialState(), new InProcessFitRunner());
    store.set({ mode: '2d', units: 16 });
    await store.settled();
    const snap = snapshot(store.state);
    const fresh = new Store(initialState(), new InProcessFitRunner());
    fresh.replace(structuredClone(snap));
    await fresh.settled();
    expect(snapshot(fresh.state)).toEqual(snap);
  });
});
