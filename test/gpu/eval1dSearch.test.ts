import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from './dawn.ts';
import { Eval1DSearchKernel, packKnots } from '../../src/engine/gpu/eval1dSearch.ts';
import { randomNetwork, seededRandom, type Network } from '../../src/model/network.ts';
import { gridXs, relativeL2, type Grid1D } from '../../src/model/grid.ts';
import { evaluate1DBrute } from '../../src/engine/cpu/evaluator.ts';
import { evaluatePiecewise, piecewise1D } from '../../src/model/piecewise1d.ts';
import { evaluate1DSweep } from '../../src/engine/cpu/evaluator.ts';

// Kept referenced for the whole file: Dawn tears its instance down when the GPU object is collected.
let gpu: GPU;
let device: GPUDevice;
let kernel: Eval1DSearchKernel;

beforeAll(async () => {
  gpu = nodeGpu();
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (install chromium for SwiftShader and set VK_ICD_FILENAMES)');
  device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
  });
  kernel = new Eval1DSearchKernel(device);
});
afterAll(() => {
  kernel?.destroy();
  kernel?.destroy();
  device?.destroy();
});

async function scoped<T>(work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  const r = await work();
  expect(await device.popErrorScope()).toBeNull();
  return r;
}

describe('packKnots (the CPU twin of the shader’s per-piece form)', () => {
  it('re-evaluates like the float64 piecewise form', () => {
    const net = randomNetwork(1, 500, 3);
    const { packed, slope0, knotCount } = packKnots(piecewise1D(net));
    const xs = gridXs({ xMin: -1.5, xMax: 1.5, nx: 1001 });
    const got = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      let j = 0;
      while (j < knotCount && packed[4 * j] <= x) j++;
      got[i] = j === 0 ? packed[1] + slope0 * (x - packed[0]) : packed[4 * (j - 1) + 1] + packed[4 * (j - 1) + 2] * (x - packed[4 * (j - 1)]);
    }
    expect(relativeL2(got, evaluatePiecewise(piecewise1D(net), xs))).toBeLessThan(1e-6);
  });
});

describe('eval1d_search kernel vs the float64 reference', () => {
  for (const n of [0, 1, 63, 65, 4097, 65536]) {
    it(`grid, N = ${n}`, async () => {
      const net = randomNetwork(1, n, 1000 + n);
      const grid: Grid1D = { xMin: -1.3, xMax: 1.7, nx: 1000 + (n % 257) + 3 };
      const got = await scoped(async () => {
        kernel.upload(net);
        return kernel.evaluateGrid(grid);
      });
      const want = evaluate1DBrute(net, gridXs(grid));
      expect(got.length).toBe(want.length);
      expect(relativeL2(got, want)).toBeLessThan(1e-5);
    });
  }

  it('large grid (2^20 samples, folded into a 2D dispatch where needed) at N = 4097', async () => {
    const net = randomNetwork(1, 4097, 9);
    const grid: Grid1D = { xMin: -2, xMax: 2, nx: (1 << 20) + 3 };
    const got = await scoped(async () => {
      kernel.upload(net);
      return kernel.evaluateGrid(grid);
    });
    expect(relativeL2(got, evaluate1DSweep(net, gridXs(grid)))).toBeLessThan(1e-5);
  });

  it('point lists, unsorted, with points outside the knot range and w = 0 units', async () => {
    const net: Network = randomNetwork(1, 777, 5);
    for (let i = 0; i < 777; i += 10) net.w[i] = 0;
    const rnd = seededRandom(4);
    const xs = Float64Array.from({ length: 3001 }, () => -6 + 12 * rnd());
    const got = await scoped(async () => {
      kernel.upload(net);
      return kernel.evaluatePoints(xs);
    });
    expect(relativeL2(got, evaluate1DBrute(net, Float32Array.from(xs)))).toBeLessThan(1e-5);
    expect(await kernel.evaluatePoints([])).toHaveLength(0);
  });

  it('keeps float32 error bounded when prefix intercepts cancel (knots far from 0, steep slopes)', async () => {
    // Knots near x = 1000 with large slopes: slope·x and the intercept cancel to an O(1) result.
    const n = 2000;
    const rnd = seededRandom(77);
    const net: Network = { dim: 1, w: [], b: [], a: [], c: 0.5 };
    for (let i = 0; i < n; i++) {
      const w = (rnd() < 0.5 ? -1 : 1) * (0.5 + rnd());
      const knot = 1000 + 2 * rnd();
      net.w.push(w);
      net.b.push(-w * knot);
      net.a.push((rnd() - 0.5) * 0.05);
    }
    // Float32 sample positions, so the reference sees exactly the x the kernel sees.
    const xs32 = Float32Array.from(gridXs({ xMin: 999.5, xMax: 1002.5, nx: 4099 }));
    const got = await scoped(async () => {
      kernel.upload(net);
      return kernel.evaluatePoints(xs32);
    });
    const want = evaluate1DBrute(net, xs32);
    expect(relativeL2(got, want)).toBeLessThan(1e-5);
    // The plain slope·x + intercept form in float32 loses far more here: the reason for the per-piece form.
    const pl = piecewise1D(net);
    const naive = Float32Array.from(xs32, (x) => {
      let j = 0;
      while (j < pl.knots.length && pl.knots[j] <= x) j++;
      return Math.fround(Math.fround(Math.fround(pl.slopes[j]) * x) + Math.fround(pl.intercepts[j]));
    });
    expect(relativeL2(naive, want)).toBeGreaterThan(10 * relativeL2(got, want));
  });

  it('rejects use before upload is impossible to miss and use after destroy', async () => {
    const k = new Eval1DSearchKernel(device);
    await expect(k.evaluateGrid({ xMin: 0, xMax: 1, nx: 4 })).rejects.toThrow(/upload a network first/);
    k.destroy();
    expect(() => k.upload(randomNetwork(1, 3))).toThrow(/after destroy/);
  });
});
