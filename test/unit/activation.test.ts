import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, act, actDeriv, absSplit, sigmoid } from '../../src/model/activation.ts';
import { CpuEvaluator, RegionsUndefinedError, evaluate1DBrute, evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { evaluate2DSweep, regions2DSweep } from '../../src/engine/cpu/sweep2d.ts';
import { evaluatePiecewise, piecewise1D } from '../../src/model/piecewise1d.ts';
import { InvalidNetworkError, type Network, cloneNetwork, randomNetwork, validateNetwork, withActivation } from '../../src/model/network.ts';
import { gridPoints2D, gridXs } from '../../src/model/grid.ts';

const PL: Activation[] = ['relu', 'leaky-relu', 'linear'];
const withAct = (net: Network, activation: Activation): Network => ({ ...net, activation });

describe('activation functions', () => {
  it('take the values of their definitions', () => {
    for (const z of [-3, -0.5, 0, 0.25, 2]) {
      expect(act('relu', z)).toBe(Math.max(0, z));
      expect(act('leaky-relu', z)).toBe(z > 0 ? z : 0.01 * z);
      expect(act('linear', z)).toBe(z);
      expect(act('sigmoid', z)).toBeCloseTo(1 / (1 + Math.exp(-z)), 15);
    }
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });

  it('have derivatives that match central differences away from the knot', () => {
    for (const a of ACTIVATIONS) {
      for (const z of [-2.3, -0.4, 0.7, 1.9]) {
        const h = 1e-6;
        expect(actDeriv(a, z)).toBeCloseTo((act(a, z + h) - act(a, z - h)) / (2 * h), 6);
      }
    }
  });

  it('split into lin·z + abs·|z| for the piecewise-linear ones', () => {
    for (const a of PL) {
      const { lin, abs } = absSplit(a);
      for (const z of [-2, -0.1, 0, 0.3, 5]) expect(lin * z + abs * Math.abs(z)).toBeCloseTo(act(a, z), 15);
    }
    expect(() => absSplit('sigmoid')).toThrow();
  });
});

describe('networks carry their activation', () => {
  it('leave ReLU implicit, so ReLU JSON is unchanged', () => {
    const plain = { dim: 1, w: [1], b: [0], a: [2], c: 0.5 };
    expect(JSON.stringify(validateNetwork(plain))).toBe(JSON.stringify(plain));
    expect(JSON.stringify(validateNetwork({ ...plain, activation: 'relu' }))).toBe(JSON.stringify(plain));
    expect(validateNetwork({ ...plain, activation: 'sigmoid' }).activation).toBe('sigmoid');
    expect(cloneNetwork(validateNetwork({ ...plain, activation: 'linear' })).activation).toBe('linear');
  });

  it('reject unknown activations naming the field', () => {
    expect(() => validateNetwork({ dim: 1, w: [1], b: [0], a: [2], c: 0, activation: 'tanh' })).toThrow(InvalidNetworkError);
    expect(() => validateNetwork({ dim: 1, w: [1], b: [0], a: [2], c: 0, activation: 'tanh' })).toThrow(/activation/);
  });

  it('withActivation swaps the activation and keeps the parameters', () => {
    const net = validateNetwork(randomNetwork(1, 5, 3));
    const lin = withActivation(net, 'linear');
    expect(lin.activation).toBe('linear');
    expect(lin.w).toEqual(net.w);
    expect(withActivation(lin, 'relu')).not.toHaveProperty('activation');
    expect(withActivation(net, 'relu')).toBe(net);
  });
});

describe('CPU twin for each activation', () => {
  it('brute force matches the definition in 1D and 2D', () => {
    for (const a of ACTIVATIONS) {
      const n1 = withAct(randomNetwork(1, 7, 11), a);
      for (const x of [-1.7, -0.2, 0.4, 1.3]) {
        let want = n1.c;
        for (let i = 0; i < 7; i++) want += n1.a[i] * act(a, n1.w[i] * x + n1.b[i]);
        expect(evaluate1DBrute(n1, [x])[0]).toBeCloseTo(want, 13);
      }
      const n2 = withAct(randomNetwork(2, 7, 12), a);
      for (const [x, y] of [[-1, 0.3], [0.5, -0.8]]) {
        let want = n2.c;
        for (let i = 0; i < 7; i++) want += n2.a[i] * act(a, n2.w[2 * i] * x + n2.w[2 * i + 1] * y + n2.b[i]);
        expect(evaluate2DBrute(n2, [x, y])[0]).toBeCloseTo(want, 13);
      }
    }
  });

  for (const a of PL) {
    for (const n of [1, 63, 65, 4097]) {
      it(`the exact 1D piecewise form agrees with brute force (${a}, N = ${n})`, () => {
        const net = withAct(randomNetwork(1, n, n + 5, [-2, 2]), a);
        const xs = gridXs({ xMin: -3, xMax: 3, nx: 1001 });
        const want = evaluate1DBrute(net, xs);
        const got = evaluatePiecewise(piecewise1D(net), xs);
        const scale = Math.max(1, ...Array.from(want, Math.abs));
        for (let i = 0; i < xs.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12 * scale * Math.sqrt(n));
      });
    }
  }

  it('a linear sum is one affine piece with no knots; a leaky one has the ReLU knots', () => {
    const net = randomNetwork(1, 50, 2);
    expect(piecewise1D(withAct(net, 'linear')).knots.length).toBe(0);
    expect(Array.from(piecewise1D(withAct(net, 'leaky-relu')).knots)).toEqual(Array.from(piecewise1D(net).knots));
    // The leaky slope change at a knot is (1 − 0.01)·a·w.
    const one = { dim: 1 as const, w: [2], b: [-1], a: [3], c: 0, activation: 'leaky-relu' as const };
    const pl = piecewise1D(one);
    expect(pl.slopes[0]).toBeCloseTo(0.01 * 6, 15);
    expect(pl.slopes[1]).toBeCloseTo(6, 14);
    expect(() => piecewise1D(withAct(net, 'sigmoid'))).toThrow(InvalidNetworkError);
  });

  for (const a of ['leaky-relu', 'linear'] as const) {
    it(`the 2D row sweep agrees with brute force (${a})`, () => {
      const net = withAct(randomNetwork(2, 300, 9), a);
      const grid = { xMin: -1.2, xMax: 1.1, yMin: -0.9, yMax: 1.3, nx: 97, ny: 65 };
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      const got = evaluate2DSweep(net, grid);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-11 * Math.max(1, Math.abs(want[i])));
    });
  }

  it('leaky regions are the ReLU regions; linear is one region; sigmoid has none', async () => {
    const net = randomNetwork(2, 40, 4);
    const grid = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 33, ny: 31 };
    const relu = regions2DSweep(net, grid);
    const leaky = regions2DSweep(withAct(net, 'leaky-relu'), grid);
    expect(Array.from(leaky.pattern)).toEqual(Array.from(relu.pattern));
    const cpu = new CpuEvaluator();
    const lin = await cpu.regions2D(validateNetwork(withAct(net, 'linear')), grid);
    expect(new Set(lin.pattern).size).toBe(1);
    expect(lin.active[0]).toBe(40);
    expect(new Set(regions2DBrute(withAct(net, 'linear'), gridPoints2D(grid)).pattern).size).toBe(1);
    await expect(cpu.regions2D(validateNetwork(withAct(net, 'sigmoid')), grid)).rejects.toThrow(RegionsUndefinedError);
  });

  it('the CPU evaluator takes brute force for sigmoid and the exact paths for the rest', async () => {
    const cpu = new CpuEvaluator();
    for (const a of ACTIVATIONS) {
      const n1 = validateNetwork(withAct(randomNetwork(1, 70, 5), a));
      const g1 = { xMin: -2, xMax: 2, nx: 257 };
      const v1 = await cpu.evaluateGrid1D(n1, g1);
      const w1 = evaluate1DBrute(n1, gridXs(g1));
      for (let i = 0; i < w1.length; i++) expect(v1[i]).toBeCloseTo(w1[i], 11);
      const n2 = validateNetwork(withAct(randomNetwork(2, 40, 6), a));
      const g2 = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 20, ny: 17 };
      const v2 = await cpu.evaluateGrid2D(n2, g2);
      const w2 = evaluate2DBrute(n2, gridPoints2D(g2));
      for (let i = 0; i < w2.length; i++) expect(v2[i]).toBeCloseTo(w2[i], 11);
    }
  });
});
