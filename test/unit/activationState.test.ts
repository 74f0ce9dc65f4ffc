import { describe, expect, it } from 'vitest';
import { Store, initialState, reduce, snapshot } from '../../src/state/state.ts';
import { InProcessFitRunner } from '../../src/state/fitRunner.ts';
import { hashToPatch, stateToHash } from '../../src/state/urlState.ts';
import { evaluate1DBrute, evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { activationConstruction1D, interpolateNetwork, leastSquaresNetwork, uniformNodes } from '../../src/model/fit1d.ts';
import { gram2D, gramActivation2D, leastSquares2D, randomHiddenUnits2D } from '../../src/model/fit2d.ts';
import { act } from '../../src/model/activation.ts';
import { randomNetwork, validateNetwork } from '../../src/model/network.ts';

const store = () => new Store(initialState(), new InProcessFitRunner());

describe('activation in the state', () => {
  it('starts as relu, and the network carries the state activation after every change', async () => {
    const s = store();
    expect(s.state.activation).toBe('relu');
    expect(s.state.network.activation).toBeUndefined();
    s.set({ activation: 'sigmoid' });
    expect(s.state.network.activation).toBe('sigmoid');
    const done = await s.settled();
    expect(done.activation).toBe('sigmoid');
    expect(done.network.activation).toBe('sigmoid');
  });

  it('re-applies to a custom network, keeping its parameters', async () => {
    const s = store();
    const net = randomNetwork(1, 5, 2);
    s.set({ network: net });
    s.set({ activation: 'linear' });
    await s.settled();
    expect(s.state.build).toBe('custom');
    expect(s.state.network.activation).toBe('linear');
    expect(s.state.network.w).toEqual(net.w);
  });

  it('a network given alone brings its activation; one given with an activation takes that one', () => {
    const r1 = reduce(initialState(), { network: { ...randomNetwork(1, 3, 1), activation: 'leaky-relu' } });
    expect(r1.state.activation).toBe('leaky-relu');
    const r2 = reduce(initialState(), { network: { ...randomNetwork(1, 3, 1), activation: 'leaky-relu' }, activation: 'sigmoid' });
    expect(r2.state.network.activation).toBe('sigmoid');
  });

  it('rejects unknown activations naming the field, state unchanged', () => {
    const s = store();
    expect(() => s.set({ activation: 'tanh' })).toThrow(/activation: must be "relu", "leaky-relu", "linear" or "sigmoid", got "tanh"/);
    expect(s.state.activation).toBe('relu');
  });

  it('is kept per mode', async () => {
    const s = store();
    s.set({ activation: 'linear' });
    s.set({ mode: '2d' });
    expect(s.state.activation).toBe('relu');
    await s.settled();
    s.set({ mode: '1d' });
    expect(s.state.activation).toBe('linear');
    await s.settled();
  });
});

describe('activation in links', () => {
  it('leaves relu links as they were and round-trips the others', () => {
    const relu = stateToHash(initialState());
    expect(relu).not.toContain('act=');
    for (const a of ['leaky-relu', 'linear', 'sigmoid'] as const) {
      const st = reduce(initialState(), { activation: a }).state;
      const hash = stateToHash(st);
      expect(hash).toContain(`act=${a}`);
      expect(hashToPatch(hash)?.activation).toBe(a);
    }
    expect(() => hashToPatch('v=2&act=tanh')).toThrow(/act/);
  });

  it('snapshots carry the activation (getState)', () => {
    expect(snapshot(reduce(initialState(), { activation: 'sigmoid' }).state).activation).toBe('sigmoid');
  });
});

describe('constructions follow the activation', () => {
  const f = Math.sin;
  const domain: [number, number] = [-Math.PI, Math.PI];

  it('leaky interpolation is exact at every node, as ReLU is', () => {
    const relu = interpolateNetwork(f, 16, domain);
    const leaky = activationConstruction1D(relu, 'leaky-relu', domain, { kind: 'interpolate' });
    const nodes = uniformNodes(16, domain);
    const got = evaluate1DBrute(leaky, nodes);
    for (let i = 0; i < nodes.length; i++) expect(got[i]).toBeCloseTo(f(nodes[i]), 12);
  });

  it('leaky least squares is the ReLU least-squares function on the domain', () => {
    const knots = uniformNodes(12, domain).slice(0, 12);
    const relu = leastSquaresNetwork(f, knots, domain, { ridge: 0 });
    const leaky = activationConstruction1D(relu, 'leaky-relu', domain, { kind: 'least-squares', f, ridge: 0 });
    const xs = Float64Array.from({ length: 101 }, (_, i) => domain[0] + ((domain[1] - domain[0]) * i) / 100);
    const a = evaluate1DBrute(relu, xs);
    const b = evaluate1DBrute(leaky, xs);
    for (let i = 0; i < xs.length; i++) expect(b[i]).toBeCloseTo(a[i], 10);
  });

  it('linear units: interpolation keeps the ReLU weights (a straight line), least squares the best line', () => {
    const relu = interpolateNetwork(f, 8, domain);
    const lin = activationConstruction1D(relu, 'linear', domain, { kind: 'interpolate' });
    expect(lin.a).toEqual(relu.a);
    const ls = activationConstruction1D(relu, 'linear', domain, { kind: 'least-squares', f: (x) => 2 * x + 1, ridge: 0 });
    const v = evaluate1DBrute(ls, [-1, 0, 2]);
    expect(v[0]).toBeCloseTo(-1, 10);
    expect(v[1]).toBeCloseTo(1, 10);
    expect(v[2]).toBeCloseTo(5, 10);
  });

  it("sigmoid interpolation is Nielsen's staircase: close to the target at the nodes", () => {
    const relu = interpolateNetwork(f, 64, domain);
    const sig = activationConstruction1D(relu, 'sigmoid', domain, { kind: 'interpolate' });
    const nodes = uniformNodes(64, domain);
    const got = evaluate1DBrute(sig, nodes);
    for (let i = 0; i < nodes.length; i++) expect(Math.abs(got[i] - f(nodes[i]))).toBeLessThan(1e-3);
  });

  it('sigmoid least squares fits a smooth target', () => {
    const knots = uniformNodes(24, domain).slice(0, 24);
    const relu = leastSquaresNetwork(f, knots, domain);
    const sig = activationConstruction1D(relu, 'sigmoid', domain, { kind: 'least-squares', f, ridge: 1e-10 });
    const xs = Float64Array.from({ length: 50 }, (_, i) => -3 + (6 * i) / 49);
    const got = evaluate1DBrute(sig, xs);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(got[i] - f(xs[i]))).toBeLessThan(1e-2);
  });

  it('the 2D Gram of leaky and linear features equals the dense product', () => {
    const { w, b } = randomHiddenUnits2D(20, { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, 3);
    const m = 300;
    const xs = Float64Array.from({ length: m }, (_, i) => Math.sin(i * 1.3));
    const ys = Float64Array.from({ length: m }, (_, i) => Math.cos(i * 0.7));
    const zs = Float64Array.from({ length: m }, (_, i) => Math.sin(i));
    for (const a of ['leaky-relu', 'linear', 'sigmoid'] as const) {
      const g = gramActivation2D(a, w, b, xs, ys, zs);
      const k = 21;
      const h = (i: number, s: number) => (i < 20 ? act(a, w[2 * i] * xs[s] + w[2 * i + 1] * ys[s] + b[i]) : 1);
      for (const [i, j] of [[0, 0], [3, 7], [5, 20], [20, 20], [19, 2]]) {
        let want = 0;
        for (let s = 0; s < m; s++) want += h(i, s) * h(j, s);
        expect(g.gram[i * k + j]).toBeCloseTo(want, 8);
      }
      let r = 0;
      for (let s = 0; s < m; s++) r += h(4, s) * zs[s];
      expect(g.rhs[4]).toBeCloseTo(r, 8);
    }
    expect(Array.from(gramActivation2D('relu', w, b, xs, ys, zs).gram)).toEqual(Array.from(gram2D(w, b, xs, ys, zs).gram));
  });

  it('2D least squares builds with each activation', () => {
    const samples = { xs: [] as number[], ys: [] as number[], zs: [] as number[] };
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) {
      const x = -1 + i / 19.5;
      const y = -1 + j / 19.5;
      samples.xs.push(x);
      samples.ys.push(y);
      samples.zs.push(Math.exp(-3 * (x * x + y * y)));
    }
    for (const a of ['leaky-relu', 'linear', 'sigmoid'] as const) {
      const net = validateNetwork(leastSquares2D(samples, { units: 32, seed: 1, domain: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, activation: a }));
      expect(net.activation).toBe(a);
      const v = evaluate2DBrute(net, [0, 0]);
      expect(Number.isFinite(v[0])).toBe(true);
    }
  });
});
