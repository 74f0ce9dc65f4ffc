import { describe, expect, it } from 'vitest';
import { Trainer1D, TrainError, packParams, unpackParams } from '../../src/model/train1d.ts';
import { evaluate1DBrute } from '../../src/engine/cpu/evaluator.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { sampleTarget } from '../../src/model/targets.ts';

const SIN = sampleTarget(Math.sin, [-Math.PI, Math.PI], 257);

function mse(net: ReturnType<typeof unpackParams>, xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const v = evaluate1DBrute(net, xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (v[i] - ys[i]) ** 2;
  return s / xs.length;
}

describe('Trainer1D (full-batch Adam, CPU float64)', () => {
  it('the loss falls on a fixed seed: sin on [−π, π], N = 32, 257 samples, lr = 0.01', () => {
    const t = new Trainer1D(randomNetwork(1, 32, 3, [-Math.PI, Math.PI]), SIN, { lr: 0.01 });
    const curve = [t.loss()];
    for (let k = 0; k < 10; k++) curve.push(t.step(50));
    console.log(`train1d CPU loss every 50 steps: ${curve.map((l) => l.toExponential(3)).join(' ')}`);
    expect(curve[10]).toBeLessThan(0.01 * curve[0]);
    // Adam is not monotone step by step, but over 50-step windows it is here.
    for (let k = 1; k < curve.length; k++) expect(curve[k]).toBeLessThan(curve[k - 1]);
    expect(t.steps).toBe(500);
  });

  it('is deterministic, and step(k) equals k calls of step(1)', () => {
    const net = randomNetwork(1, 20, 8, [-2, 2]);
    const a = new Trainer1D(net, SIN, { lr: 0.005 });
    const b = new Trainer1D(net, SIN, { lr: 0.005 });
    const la = a.step(30);
    let lb = 0;
    for (let k = 0; k < 30; k++) lb = b.step();
    expect(la).toBe(lb);
    expect(a.network()).toEqual(b.network());
    expect(a.step(0)).toBe(la);
  });

  it('reports the loss of the network it returns', () => {
    const t = new Trainer1D(randomNetwork(1, 10, 2, [-2, 2]), SIN, { lr: 0.01 });
    const l = t.step(7);
    expect(mse(t.network(), SIN.xs, SIN.ys)).toBeCloseTo(l, 12);
  });

  it('computes the exact gradient (central finite differences)', () => {
    const net = randomNetwork(1, 6, 4, [-2, 2]);
    const xs = [-1.7, -0.9, -0.2, 0.33, 0.8, 1.4, 2.1];
    const ys = xs.map((x) => Math.cos(2 * x));
    const g = new Trainer1D(net, { xs, ys }, { lr: 0.01 }).gradient();
    const theta = packParams(net);
    const h = 1e-6;
    for (let k = 0; k < theta.length; k++) {
      const p = theta.slice();
      const m = theta.slice();
      p[k] += h;
      m[k] -= h;
      const fd = (mse(unpackParams(p, 6), xs, ys) - mse(unpackParams(m, 6), xs, ys)) / (2 * h);
      expect(g[k], `θ[${k}]`).toBeCloseTo(fd, 6);
    }
  });

  it('the first Adam step moves every parameter with a non-zero gradient by lr, against the gradient', () => {
    const net = randomNetwork(1, 5, 6, [-1, 1]);
    const t = new Trainer1D(net, SIN, { lr: 0.01 });
    const g = t.gradient();
    t.step();
    const before = packParams(net);
    const after = packParams(t.network());
    for (let k = 0; k < before.length; k++) {
      if (g[k] === 0) expect(after[k]).toBe(before[k]);
      else expect(after[k] - before[k]).toBeCloseTo(-0.01 * Math.sign(g[k]), 6);
    }
  });

  it('setOptions changes the learning rate between steps', () => {
    const net = randomNetwork(1, 3, 1);
    const t = new Trainer1D(net, SIN, { lr: 0.01 });
    t.setOptions({ lr: 0.1 });
    t.step();
    const d = Math.abs(t.network().c - net.c);
    expect(d).toBeCloseTo(0.1, 6);
    expect(() => t.setOptions({ lr: 0 })).toThrow(/lr must be/);
  });

  it('a call whose loss turns non-finite throws and changes nothing', () => {
    const t = new Trainer1D(randomNetwork(1, 4, 2, [-2, 2]), SIN, { lr: 0.01 });
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
    const net = randomNetwork(1, 3, 1);
    expect(() => new Trainer1D(net, { xs: [], ys: [] }, { lr: 0.1 })).toThrow(/need 1 to/);
    expect(() => new Trainer1D(net, { xs: [1, 2], ys: [1] }, { lr: 0.1 })).toThrow(/2 xs but 1 ys/);
    expect(() => new Trainer1D(net, { xs: [Number.POSITIVE_INFINITY], ys: [1] }, { lr: 0.1 })).toThrow(/point 0 is not finite/);
    expect(() => new Trainer1D(net, SIN, { lr: Number.NaN })).toThrow(TrainError);
    expect(() => new Trainer1D(net, SIN, { lr: 0.1, beta1: 1 })).toThrow(/beta1 must be in \[0, 1\)/);
    expect(() => new Trainer1D(net, SIN, { lr: 0.1, eps: 0 })).toThrow(/eps/);
    expect(() => new Trainer1D(randomNetwork(2, 3, 1), SIN, { lr: 0.1 })).toThrow(/1D networks only/);
    expect(() => new Trainer1D({ ...net, a: [1, Number.NaN, 2] }, SIN, { lr: 0.1 })).toThrow(/a\[1\]/);
    expect(() => new Trainer1D(net, SIN, { lr: 0.1 }).step(1.5)).toThrow(/integer/);
  });
});
