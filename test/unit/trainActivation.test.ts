import { describe, expect, it } from 'vitest';
import { Trainer1D } from '../../src/model/train1d.ts';
import { Trainer2D } from '../../src/model/train2d.ts';
import { type Network, randomNetwork } from '../../src/model/network.ts';
import { evaluate1DBrute, evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';

const xs = Float64Array.from({ length: 37 }, (_, i) => -2 + (4 * i) / 36 + 0.013);
const ys = xs.map((x) => Math.sin(2 * x));
const loss1 = (net: Network) => {
  const f = evaluate1DBrute(net, xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (f[i] - ys[i]) ** 2;
  return s / xs.length;
};

describe('CPU trainers follow the activation', () => {
  for (const activation of ['leaky-relu', 'linear', 'sigmoid'] as const) {
    it(`1D ${activation}: loss is the MSE of that sum and the gradient matches central differences`, () => {
      const net: Network = { ...randomNetwork(1, 6, 3, [-2, 2]), activation };
      const t = new Trainer1D(net, { xs, ys }, { lr: 0.01 });
      expect(t.loss()).toBeCloseTo(loss1(net), 12);
      const g = t.gradient();
      const h = 1e-6;
      const fields = ['w', 'b', 'a'] as const;
      fields.forEach((field, f) => {
        for (let i = 0; i < 6; i++) {
          const up = { ...net, [field]: net[field].map((v, k) => (k === i ? v + h : v)) };
          const dn = { ...net, [field]: net[field].map((v, k) => (k === i ? v - h : v)) };
          expect(g[f * 6 + i]).toBeCloseTo((loss1(up) - loss1(dn)) / (2 * h), 5);
        }
      });
      t.step(3);
      expect(t.network().activation).toBe(activation);
    });

    it(`2D ${activation}: loss and one gradient entry per parameter kind match`, () => {
      const px = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7));
      const py = Float64Array.from({ length: 50 }, (_, i) => Math.cos(i * 0.9));
      const pz = px.map((x, i) => x * py[i]);
      const loss2 = (n: Network) => {
        const xy = new Float64Array(100);
        for (let i = 0; i < 50; i++) {
          xy[2 * i] = px[i];
          xy[2 * i + 1] = py[i];
        }
        const f = evaluate2DBrute(n, xy);
        let s = 0;
        for (let i = 0; i < 50; i++) s += (f[i] - pz[i]) ** 2;
        return s / 50;
      };
      const net: Network = { ...randomNetwork(2, 5, 4), activation };
      const t = new Trainer2D(net, { xs: px, ys: py, zs: pz }, { lr: 0.01 });
      expect(t.loss()).toBeCloseTo(loss2(net), 12);
      const g = t.gradient();
      const h = 1e-6;
      // Packed [w1, w2 (interleaved)…, b…, a…, c]: check w[1] (w1 of unit 0), b[2], a[3].
      const probes: Array<[keyof Network & ('w' | 'b' | 'a'), number, number]> = [['w', 1, 1], ['b', 2, 10 + 2], ['a', 3, 15 + 3]];
      for (const [field, i, k] of probes) {
        const up = { ...net, [field]: net[field].map((v, j) => (j === i ? v + h : v)) };
        const dn = { ...net, [field]: net[field].map((v, j) => (j === i ? v - h : v)) };
        expect(g[k]).toBeCloseTo((loss2(up) - loss2(dn)) / (2 * h), 5);
      }
      expect(t.network().activation).toBe(activation);
    });
  }
});
