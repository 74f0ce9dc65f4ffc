import { describe, expect, it } from 'vitest';
import { drain, Trainer1D } from '../../src/model/train1d.ts';
import { Trainer2D } from '../../src/model/train2d.ts';
import { randomNetwork, validateNetwork } from '../../src/model/network.ts';
import { sampleTarget } from '../../src/model/targets.ts';
import { defaultLr, mseChunked, randomInit, splitSamples } from '../../src/model/trainSetup.ts';
import { evaluate1DBrute } from '../../src/engine/cpu/evaluator.ts';

const SIN = sampleTarget(Math.sin, [-3, 3], 301);

function relClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - b[i]), `entry ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(a[i]), Math.abs(b[i])));
  }
}

const flat = (n: ReturnType<typeof randomNetwork>) => [...n.w, ...n.b, ...n.a, n.c];

describe('defaultLr: stable for N (N·lr ≤ 0.5)', () => {
  it('is 0.01 up to N = 50 and 0.5/N beyond', () => {
    expect(defaultLr(1)).toBe(0.01);
    expect(defaultLr(50)).toBe(0.01);
    expect(defaultLr(100)).toBe(0.005);
    expect(defaultLr(65_536)).toBe(0.5 / 65_536);
    for (const n of [1, 7, 51, 812, 4096, 65_536]) expect(n * defaultLr(n)).toBeLessThanOrEqual(0.5);
  });
});

describe('randomInit (seeded, He-style, knots inside the domain)', () => {
  it('is reproducible for a seed and differs for another', () => {
    const a = randomInit(1, 64, 7, [-2, 5]);
    expect(randomInit(1, 64, 7, [-2, 5])).toEqual(a);
    expect(flat(randomInit(1, 64, 8, [-2, 5]))).not.toEqual(flat(a));
    expect(() => validateNetwork(a)).not.toThrow();
  });

  it('puts every 1D knot inside the domain and every 2D crease through it; no zero weight', () => {
    const net = randomInit(1, 500, 3, [-2, 5], 0.5, 2);
    for (let i = 0; i < 500; i++) {
      expect(net.w[i]).not.toBe(0);
      const knot = -net.b[i] / net.w[i];
      expect(knot).toBeGreaterThanOrEqual(-2 - 1e-9);
      expect(knot).toBeLessThanOrEqual(5 + 1e-9);
    }
    expect(net.c).toBe(0.5);
    const d2 = { xMin: -1, xMax: 3, yMin: 0, yMax: 2 };
    const n2 = randomInit(2, 300, 5, d2);
    expect(randomInit(2, 300, 5, d2)).toEqual(n2);
    for (let i = 0; i < 300; i++) {
      // The crease w·p + b = 0 meets the rectangle: the plane takes both signs (or zero) on its corners.
      const at = (x: number, y: number) => n2.w[2 * i] * x + n2.w[2 * i + 1] * y + n2.b[i];
      const v = [at(-1, 0), at(3, 0), at(-1, 2), at(3, 2)];
      expect(Math.min(...v)).toBeLessThanOrEqual(1e-9);
      expect(Math.max(...v)).toBeGreaterThanOrEqual(-1e-9);
    }
  });
});

describe('splitSamples (seeded noise and train/test split)', () => {
  const all = { xs: Float64Array.from(SIN.xs), ys: Float64Array.from(SIN.ys) };

  it('is deterministic, disjoint and complete, in the original order', () => {
    const a = splitSamples(all, { noise: 0.1, holdout: 0.25, seed: 11 });
    const b = splitSamples(all, { noise: 0.1, holdout: 0.25, seed: 11 });
    expect(a).toEqual(b);
    expect(a.test!.xs.length).toBe(Math.round(0.25 * 301));
    expect(a.train.xs.length + a.test!.xs.length).toBe(301);
    const xs = [...a.train.xs, ...a.test!.xs].sort((p, q) => p - q);
    expect(xs).toEqual([...all.xs]);
    for (const part of [a.train.xs, a.test!.xs]) for (let i = 1; i < part.length; i++) expect(part[i]).toBeGreaterThan(part[i - 1]);
    const c = splitSamples(all, { noise: 0.1, holdout: 0.25, seed: 12 });
    expect([...c.test!.xs]).not.toEqual([...a.test!.xs]);
  });

  it('adds noise of about σ, and none at σ = 0; the split does not depend on the noise', () => {
    const clean = splitSamples(all, { noise: 0, holdout: 0, seed: 3 });
    expect(clean.test).toBeNull();
    expect([...clean.train.ys]).toEqual([...all.ys]);
    const noisy = splitSamples(all, { noise: 0.2, holdout: 0, seed: 3 });
    let ss = 0;
    for (let i = 0; i < 301; i++) ss += (noisy.train.ys[i] - all.ys[i]) ** 2;
    const sd = Math.sqrt(ss / 301);
    expect(sd).toBeGreaterThan(0.15);
    expect(sd).toBeLessThan(0.25);
    const s1 = splitSamples(all, { noise: 0, holdout: 0.3, seed: 9 });
    const s2 = splitSamples(all, { noise: 0.5, holdout: 0.3, seed: 9 });
    expect([...s2.test!.xs]).toEqual([...s1.test!.xs]);
  });

  it('splits 2D samples and refuses bad options', () => {
    const s2 = { xs: Float64Array.of(0, 1, 2, 3), ys: Float64Array.of(4, 5, 6, 7), zs: Float64Array.of(8, 9, 10, 11) };
    const r = splitSamples(s2, { noise: 0, holdout: 0.5, seed: 1 });
    expect(r.test!.xs.length).toBe(2);
    for (let k = 0; k < 2; k++) expect(r.test!.zs![k]).toBe(r.test!.xs[k] + 8);
    expect(() => splitSamples(s2, { noise: -1, holdout: 0, seed: 1 })).toThrow(/noise/);
    expect(() => splitSamples(s2, { noise: 0, holdout: 0.95, seed: 1 })).toThrow(/holdout/);
  });
});

describe('chunked training (time slicing) equals whole steps', () => {
  it('1D: run(k) in chunks of a few samples matches step(k) to 1e-12, and yields between chunks', () => {
    const net = randomNetwork(1, 37, 5, [-3, 3]);
    const whole = new Trainer1D(net, SIN, { lr: 0.01 });
    const chunked = new Trainer1D(net, SIN, { lr: 0.01 });
    const lw = whole.step(20);
    const gen = chunked.run(20, 37 * 7);
    let yields = 0;
    let r = gen.next();
    while (!r.done) {
      yields++;
      r = gen.next();
    }
    expect(yields).toBeGreaterThan(20 * 2 * Math.floor(301 / 7) - 1);
    expect(Math.abs(r.value - lw)).toBeLessThanOrEqual(1e-12 * lw);
    relClose(flat(chunked.network()), flat(whole.network()), 1e-12);
    relClose(chunked.state().m, whole.state().m, 1e-12);
    relClose(chunked.state().v, whole.state().v, 1e-12);
  });

  it('2D: the same', () => {
    const net = randomNetwork(2, 19, 4, [-1, 1]);
    const pts = { xs: [] as number[], ys: [] as number[], zs: [] as number[] };
    for (let i = 0; i < 200; i++) {
      const x = Math.cos(i * 1.3);
      const y = Math.sin(i * 0.7);
      pts.xs.push(x);
      pts.ys.push(y);
      pts.zs.push(Math.exp(-(x * x + y * y)));
    }
    const whole = new Trainer2D(net, pts, { lr: 0.01 });
    const chunked = new Trainer2D(net, pts, { lr: 0.01 });
    const lw = whole.step(15);
    const lc = drain(chunked.run(15, 19 * 3));
    expect(Math.abs(lc - lw)).toBeLessThanOrEqual(1e-12 * lw);
    relClose(flat(chunked.network()), flat(whole.network()), 1e-12);
  });

  it('a call stopped half-way keeps the steps it completed, and the next call goes on from there', () => {
    const net = randomNetwork(1, 12, 9, [-3, 3]);
    const ref = new Trainer1D(net, SIN, { lr: 0.01 });
    const t = new Trainer1D(net, SIN, { lr: 0.01 });
    const gen = t.run(10, 12 * 50);
    let r = gen.next();
    while (!r.done && r.value.done < 4) r = gen.next();
    // Stopped inside step 5 (or its final forward): 4 or 5 steps are done, consistently.
    gen.return(0);
    const done = t.steps;
    expect(done === 4 || done === 5).toBe(true);
    ref.step(done);
    relClose(flat(t.network()), flat(ref.network()), 1e-12);
    expect(Math.abs(t.loss() - ref.loss())).toBeLessThanOrEqual(1e-12);
    const l = t.step(3);
    expect(Math.abs(l - ref.step(3))).toBeLessThanOrEqual(1e-12 * l);
  });

  it('mseChunked gives the MSE whatever the chunk size', () => {
    const net = randomNetwork(1, 25, 2, [-3, 3]);
    const v = evaluate1DBrute(net, SIN.xs);
    let ss = 0;
    for (let i = 0; i < SIN.xs.length; i++) ss += (v[i] - SIN.ys[i]) ** 2;
    const s = { xs: Float64Array.from(SIN.xs), ys: Float64Array.from(SIN.ys) };
    expect(drain(mseChunked(net, s, 25 * 4))).toBeCloseTo(ss / SIN.xs.length, 12);
    expect(drain(mseChunked(net, s, Infinity))).toBeCloseTo(ss / SIN.xs.length, 12);
  });
});

describe('state: lr "auto", noise and holdout', async () => {
  const { Store, initialState } = await import('../../src/state/state.ts');
  const { lrOf } = await import('../../src/app/training.ts').catch(() => ({ lrOf: null }));

  it('lr starts as "auto", takes numbers back and forth, and refuses other strings', () => {
    const store = new Store(initialState());
    expect(store.state.lr).toBe('auto');
    store.set({ lr: 0.002 });
    expect(store.state.lr).toBe(0.002);
    store.set({ lr: 'auto' });
    expect(store.state.lr).toBe('auto');
    expect(() => store.set({ lr: 'fast' })).toThrow(/lr: must be "auto" or a number/);
    expect(store.state.lr).toBe('auto');
    if (lrOf) expect(lrOf({ lr: 'auto', network: { ...store.state.network, a: new Array(400).fill(1) } })).toBe(0.5 / 400);
  });

  it("noise and holdout are checked", () => {
    const store = new Store(initialState());
    expect(store.state.noise).toBe(0);
    expect(store.state.holdout).toBe(0);
    store.set({ noise: 0.1, holdout: 0.2 });
    expect(store.state.noise).toBe(0.1);
    expect(() => store.set({ holdout: 0.95 })).toThrow(/holdout/);
    expect(() => store.set({ noise: -1 })).toThrow(/noise/);
    expect(store.state.holdout).toBe(0.2);
  });
});
