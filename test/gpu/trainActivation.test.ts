import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { GpuTrainer1D } from '../../src/engine/gpu/train1d.ts';
import { GpuTrainer2D } from '../../src/engine/gpu/train2d.ts';
import { Trainer1D } from '../../src/model/train1d.ts';
import { Trainer2D } from '../../src/model/train2d.ts';
import { type Network, randomNetwork, seededRandom } from '../../src/model/network.ts';
import type { Activation } from '../../src/model/activation.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
});
afterAll(() => device?.destroy());

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-6);
}

function samples(m: number, seed: number) {
  const rnd = seededRandom(seed);
  const xs = Float64Array.from({ length: m }, () => -2 + 4 * rnd());
  const ys = Float64Array.from({ length: m }, () => -2 + 4 * rnd());
  const zs = xs.map((x, i) => Math.sin(2 * x) + 0.3 * Math.abs(ys[i]) + 0.01);
  return { xs, ys, zs };
}

const ACTS: Activation[] = ['relu', 'leaky-relu', 'linear', 'sigmoid'];
// Unit and sample counts around the 256-wide tiles, as in train1d.test.ts.
const CASES: Array<[number, number]> = [[1, 63], [63, 65], [65, 257], [300, 4097]];

describe('GPU trainers against the CPU twin for every activation', () => {
  for (const activation of ACTS) {
    for (const [n, m] of CASES) {
      it(`${activation}, N = ${n}, M = ${m}: 1D and 2D losses match over 5 steps`, async () => {
        const s = samples(m, n + m);
        const opts = { lr: Math.min(0.01, 0.1 / n) };
        const n1: Network = { ...randomNetwork(1, n, 50 + n, [-2, 2]), activation };
        const n2: Network = { ...randomNetwork(2, n, 60 + n, [-2, 2]), activation };
        device.pushErrorScope('validation');
        const g1 = await GpuTrainer1D.create(device, n1, { xs: s.xs, ys: s.zs }, opts);
        const c1 = new Trainer1D(n1, { xs: s.xs, ys: s.zs }, opts);
        const g2 = await GpuTrainer2D.create(device, n2, s, opts);
        const c2 = new Trainer2D(n2, s, opts);
        expect(relErr(g1.loss(), c1.loss())).toBeLessThan(1e-4);
        expect(relErr(g2.loss(), c2.loss())).toBeLessThan(1e-4);
        for (let k = 0; k < 5; k++) {
          expect(relErr(await g1.step(1), c1.step(1)), `1D loss at step ${k + 1}`).toBeLessThan(2e-4);
          expect(relErr(await g2.step(1), c2.step(1)), `2D loss at step ${k + 1}`).toBeLessThan(2e-4);
        }
        expect((await g1.network()).activation).toBe(activation === 'relu' ? undefined : activation);
        expect((await g2.network()).activation).toBe(activation === 'relu' ? undefined : activation);
        g1.destroy();
        g2.destroy();
        expect(await device.popErrorScope()).toBeNull();
      });
    }
  }
});
