import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEvaluators } from './dawn.ts';
import type { GpuEvaluator } from '../../src/engine/gpu/context.ts';
import { type Network, randomNetwork, seededRandom, validateNetwork } from '../../src/model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs, relativeL2 } from '../../src/model/grid.ts';
import { RegionsUndefinedError, evaluate1DBrute, evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { ACTIVATIONS, type Activation } from '../../src/model/activation.ts';

/** float32 sums against the float64 twin, as in evaluator.test.ts. */
const BOUND = 1e-5;
const SIZES = [1, 63, 65, 4097];

let gpu: GPU;
/** The default evaluator (1D search path from N = 256, the adapter's 2D kernel) and the brute-force one. */
let ev: GpuEvaluator;
let brute: GpuEvaluator;

beforeAll(async () => {
  ({ gpu, ev, brute } = await nodeEvaluators());
});

afterAll(() => {
  brute?.destroy();
  ev?.destroy();
});

function net(dim: 1 | 2, n: number, seed: number, activation: Activation): Network {
  // Sigmoid units saturate outside |z| ≳ 10: steeper weights exercise both tails.
  const base = randomNetwork(dim, n, seed);
  const w = activation === 'sigmoid' ? base.w.map((v) => 4 * v) : base.w;
  return validateNetwork({ ...base, w, activation });
}

function randomPoints(count: number, seed: number): Float64Array {
  const rnd = seededRandom(seed);
  return Float64Array.from({ length: count }, () => -1.5 + 3 * rnd());
}

describe('every activation on the GPU vs the float64 twin', () => {
  for (const activation of ACTIVATIONS) {
    for (const n of SIZES) {
      it(`${activation}, N = ${n}: 1D grid and points, 2D grid and points`, async () => {
        const n1 = net(1, n, 300 + n, activation);
        const g1: Grid1D = { xMin: -1.3, xMax: 1.1, nx: 1031 };
        const want1 = evaluate1DBrute(n1, gridXs(g1));
        const xs = randomPoints(517, n);
        const wantXs = evaluate1DBrute(n1, xs);
        const n2 = net(2, n, 400 + n, activation);
        const g2: Grid2D = { xMin: -1.2, xMax: 1.3, yMin: -1.1, yMax: 0.9, nx: n >= 4097 ? 67 : 131, ny: n >= 4097 ? 61 : 129 };
        const want2 = evaluate2DBrute(n2, gridPoints2D(g2));
        const xy = randomPoints(2 * 333, n + 1);
        const wantXy = evaluate2DBrute(n2, xy);
        for (const e of [ev, brute]) {
          expect(relativeL2(await e.evaluateGrid1D(n1, g1), want1)).toBeLessThan(BOUND);
          expect(relativeL2(await e.evaluatePoints(n1, xs), wantXs)).toBeLessThan(BOUND);
          expect(relativeL2(await e.evaluateGrid2D(n2, g2), want2)).toBeLessThan(BOUND);
          expect(relativeL2(await e.evaluatePoints(n2, xy), wantXy)).toBeLessThan(BOUND);
          const drawn = await e.gridValues1D(n1, g1);
          expect(drawn.count).toBe(g1.nx);
        }
      });
    }
  }

  it('switching activations on the same parameters re-uploads (no stale units)', async () => {
    const g: Grid1D = { xMin: -1, xMax: 1, nx: 300 };
    for (const activation of ['relu', 'sigmoid', 'linear', 'leaky-relu', 'relu'] as const) {
      const n = net(1, 65, 9, activation);
      expect(relativeL2(await ev.evaluateGrid1D(n, g), evaluate1DBrute(n, gridXs(g)))).toBeLessThan(BOUND);
    }
  });

  it('regions: leaky as ReLU, linear one region, sigmoid undefined', async () => {
    const g: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 64, ny: 64 };
    const relu = await ev.regions2D(net(2, 65, 5, 'relu'), g);
    const leaky = await ev.regions2D(net(2, 65, 5, 'leaky-relu'), g);
    expect(Array.from(leaky.pattern)).toEqual(Array.from(relu.pattern));
    const lin = await ev.regions2D(net(2, 65, 5, 'linear'), g);
    expect(new Set(lin.pattern).size).toBe(1);
    await expect(ev.regions2D(net(2, 65, 5, 'sigmoid'), g)).rejects.toThrow(RegionsUndefinedError);
  });
});
