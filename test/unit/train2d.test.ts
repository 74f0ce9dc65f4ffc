import { describe, expect, it } from 'vitest';
import { Trainer2D, packParams2D, unpackParams2D } from '../../src/model/train2d.ts';
import { TrainError, Trainer1D } from '../../src/model/train1d.ts';
import { randomNetwork, seededRandom, type Network } from '../../src/model/network.ts';

function bump(m: number, seed: number): { xs: number[]; ys: number[]; zs: number[] } {
  const rnd = seededRandom(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  for (let k = 0; k < m; k++) {
    const x = -2 + 4 * rnd();
    const y = -2 + 4 * rnd();
    xs.push(x);
    ys.push(y);
    zs.push(Math.exp(-(x * x + y * y)));
  }
  return { xs, ys, zs };
}

function mse(net: Network, s: { xs: number[]; ys: number[]; zs: number[] }): number {
  let e = 0;
  for (let k = 0; k < s.xs.length; k++) {
    let v = net.c;
    for (let i = 0; i < net.a.length; i++) v += net.a[i] * Math.max(0, net.w[2 * i] * s.xs[k] + net.w[2 * i + 1] * s.ys[k] + net.b[i]);
    e += (v - s.zs[k]) ** 2;
  }
  return e / s.xs.length;
}

const DATA = bump(400, 1);

describe('Trainer2D (full-batch Adam, CPU float64)', () => {
  it('packs and unpacks the 4N + 1 parameters', () => {
    const net = randomNetwork(2, 5, 3, [-2, 2]);
    const p = packParams2D(net);
    expect(p.length).toBe(21);
    expect(unpackParams2D(p, 5)).toEqual(net);
  });

  it('computes the exact gradient (central finite differences)', () => {
    const net = randomNetwork(2, 6, 4, [-2, 2]);
    const s = bump(9, 5);
    const g = new Trainer2D(net, s, { lr: 0.01 }).gradient();
    const theta = packParams2D(net);
    const h = 1e-6;
    for (let k = 0; k < theta.length; k++) {
      const p = theta.slice();
      const m = theta.slice();
      p[k] += h;
      m[k] -= h;
      const fd = (mse(unpackParams2D(p, 6), s) - mse(unpackParams2D(m, 6), s)) / (2 * h);
      expect(g[k], `θ[${k}]`).toBeCloseTo(fd, 6);
    }
  });

  it('lowers the loss on the Gaussian bump (N = 24, 400 samples, lr = 0.01), and reports the loss of its network', () => {
    const t = new Trainer2D(randomNetwork(2, 24, 3, [-2, 2]), DATA, { lr: 0.01 });
    const curve = [t.loss()];
    for (let k = 0; k < 6; k++) curve.push(t.step(50));
    console.log(`train2d CPU loss every 50 steps: ${curve.map((l) => l.toExponential(3)).join(' ')}`);
    expect(curve[6]).toBeLessThan(0.1 * curve[0]);
    for (let k = 1; k < curve.length; k++) expect(curve[k]).toBeLessThan(curve[k - 1]);
    expect(t.steps).toBe(300);
    expect(mse(t.network(), DATA)).toBeCloseTo(curve[6], 12);
  });

  it('the first Adam step moves every parameter with a non-zero gradient by lr, against the gradient', () => {
    const net = randomNetwork(2, 5, 6, [-1, 1]);
    const t = new Trainer2D(net, DATA, { lr: 0.01 });
    const g = t.gradient();
    t.step();
    const before = packParams2D(net);
    const after = packParams2D(t.network());
    for (let k = 0; k < before.length; k++) {
      if (g[k] === 0) expect(after[k]).toBe(before[k]);
      else expect(after[k] - before[k]).toBeCloseTo(-0.01 * Math.sign(g[k]), 6);
    }
  });

  it('state() and restoreState() carry Adam on: a fresh trainer continues exactly where the old one was', () => {
    const net = randomNetwork(2, 8, 7, [-2, 2]);
    const a = new Trainer2D(net, DATA, { lr: 0.01 });
    a.step(20);
    const st = a.state();
    expect(st.t).toBe(20);
    expect(st.m.length).toBe(33);
    const b = new Trainer2D(a.network(), DATA, { lr: 0.01 });
    b.restoreState(st);
    expect(b.steps).toBe(20);
    expect(b.step(10)).toBe(a.step(10));
    expect(b.network()).toEqual(a.network());
    // A fresh optimizer (no restore) takes a different path.
    const c = new Trainer2D(net, DATA, { lr: 0.01 });
    c.step(20);
    const d = new Trainer2D(c.network(), DATA, { lr: 0.01 });
    expect(d.step(10)).not.toBe(c.step(10));
    // The state is a copy, and bad states are refused.
    st.m[0] = 123;
    expect(a.state().m[0]).not.toBe(123);
    expect(() => b.restoreState({ m: new Float64Array(3), v: new Float64Array(3), t: 1 })).toThrow(/33 entries/);
    expect(() => b.restoreState({ ...a.state(), t: -1 })).toThrow(/state.t/);
    const neg = a.state();
    neg.v[2] = -1;
    expect(() => b.restoreState(neg)).toThrow(/state.v\[2\]/);
  });

  it('Trainer1D has the same state export', () => {
    const net = randomNetwork(1, 6, 2, [-2, 2]);
    const s = { xs: [-1, 0, 0.5, 1.5], ys: [1, 0, 2, -1] };
    const a = new Trainer1D(net, s, { lr: 0.01 });
    a.step(5);
    const b = new Trainer1D(a.network(), s, { lr: 0.01 });
    b.restoreState(a.state());
    expect(b.step(3)).toBe(a.step(3));
  });

  it('a call whose loss turns non-finite throws and changes nothing', () => {
    const t = new Trainer2D(randomNetwork(2, 4, 2, [-2, 2]), DATA, { lr: 0.01 });
    t.step(2);
    const net = t.network();
    const loss = t.loss();
    t.setOptions({ lr: 1e200 });
    expect(() => t.step(3)).toThrow(/diverged.*restored/);
    expect(t.network()).toEqual(net);
    expect(t.loss()).toBe(loss);
    expect(t.steps).toBe(2);
  });

  it('rejects bad input with clear messages', () => {
    const net = randomNetwork(2, 3, 1);
    expect(() => new Trainer2D(net, { xs: [], ys: [], zs: [] }, { lr: 0.1 })).toThrow(/need 1 to/);
    expect(() => new Trainer2D(net, { xs: [1, 2], ys: [1, 2], zs: [1] }, { lr: 0.1 })).toThrow(/2 xs but 2 ys and 1 zs/);
    expect(() => new Trainer2D(net, { xs: [0], ys: [Number.NaN], zs: [1] }, { lr: 0.1 })).toThrow(/point 0 is not finite/);
    expect(() => new Trainer2D(net, { xs: [0], ys: [0] } as never, { lr: 0.1 })).toThrow(/\{ xs, ys, zs \}/);
    expect(() => new Trainer2D(net, DATA, { lr: 0 })).toThrow(TrainError);
    expect(() => new Trainer2D(randomNetwork(1, 3, 1), DATA, { lr: 0.1 })).toThrow(/2D networks only/);
    expect(() => new Trainer2D({ ...net, w: [1, 2, 3] }, DATA, { lr: 0.1 })).toThrow(/w/);
    expect(() => new Trainer2D(net, DATA, { lr: 0.1 }).step(-1)).toThrow(/integer/);
  });
});
