import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from './dawn.ts';
import { GpuEvaluator, SMALL_GRID_POINTS, autoKernel2D, gridKernel2D, isCpuLikeAdapter, requestGpu } from '../../src/engine/gpu/context.ts';
import { randomNetwork, seededRandom, type Network } from '../../src/model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs, relativeL2 } from '../../src/model/grid.ts';
import { evaluate1DBrute, evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { AutoEvaluator } from '../../src/engine/backend.ts';
import { InvalidNetworkError } from '../../src/model/network.ts';
import { GpuDeviceLostError } from '../../src/engine/gpu/errors.ts';
import { planPasses } from '../../src/engine/gpu/unitKernel.ts';

const BOUND = 1e-5;
const SIZES = [0, 1, 63, 65, 4097, 65536];

let gpu: GPU;
let ev: GpuEvaluator;
/**
 * `ev` takes the 1D search path from N = 256 and the 2D kernel 'auto' picks (cache8sg on SwiftShader, which has subgroups); `brute` uses the brute-force eval1d and
 * the tiled eval2d kernel everywhere, so every kernel is tested at every size whatever the adapter.
 */
let brute: GpuEvaluator;

beforeAll(async () => {
  gpu = nodeGpu();
  const startup = await requestGpu(gpu);
  if (startup.kind !== 'ok') throw new Error(`WebGPU startup failed in Node: ${startup.kind}`);
  ev = await GpuEvaluator.create(startup);
  brute = await GpuEvaluator.create(startup, { search1D: false, kernel2D: 'tiled' });
});

afterAll(() => {
  brute?.destroy();
  ev?.destroy();
  ev?.destroy(); // destroy() must be safe twice
});

function randomPoints(count: number, seed: number, lo = -1.5, hi = 1.5): Float64Array {
  const rnd = seededRandom(seed);
  return Float64Array.from({ length: count }, () => lo + (hi - lo) * rnd());
}

/** Grid sizes shrink as N grows so brute-force references stay quick on two cores. */
function gridSideFor(n: number): number {
  return n >= 65536 ? 37 : n >= 4097 ? 67 : 131;
}

describe('1D on the GPU vs float64 reference (brute-force kernel, and the default with its search path)', () => {
  for (const n of SIZES) {
    it(`N = ${n}: grid and point list`, async () => {
      const net = randomNetwork(1, n, 100 + n);
      const grid: Grid1D = { xMin: -1.3, xMax: 1.1, nx: n >= 65536 ? 257 : 1031 };
      const want = evaluate1DBrute(net, gridXs(grid));
      const xs = randomPoints(n >= 65536 ? 129 : 1025, n + 7);
      const wantXs = evaluate1DBrute(net, xs);
      for (const e of [brute, ev]) {
        expect(relativeL2(await e.evaluateGrid1D(net, grid), want)).toBeLessThan(BOUND);
        const got = await e.evaluatePoints(net, xs);
        expect(got).toBeInstanceOf(Float32Array);
        expect(relativeL2(got, wantXs)).toBeLessThan(BOUND);
      }
    });
  }

  it('a single sample and a long grid that needs several workgroup rows', async () => {
    const net = randomNetwork(1, 300, 9);
    for (const nx of [1, 2, 3, 5, 1023, 262_147]) {
      const grid: Grid1D = { xMin: -2, xMax: 2, nx };
      const want = evaluate1DBrute(net, gridXs(grid));
      expect(relativeL2(await brute.evaluateGrid1D(net, grid), want)).toBeLessThan(BOUND);
      expect(relativeL2(await ev.evaluateGrid1D(net, grid), want)).toBeLessThan(BOUND);
    }
  });
});

describe('eval2d kernel vs float64 reference', () => {
  for (const n of SIZES) {
    it(`N = ${n}: grid and point list`, async () => {
      const net = randomNetwork(2, n, 200 + n);
      const side = gridSideFor(n);
      const grid: Grid2D = { xMin: -1.2, xMax: 1.4, yMin: -0.9, yMax: 1.3, nx: side, ny: side + 2 };
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      const xy = randomPoints(2 * (side * 3 + 1), n + 11);
      const wantXy = evaluate2DBrute(net, xy);
      for (const e of [brute, ev]) {
        expect(relativeL2(await e.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
        expect(relativeL2(await e.evaluatePoints(net, xy), wantXy)).toBeLessThan(BOUND);
      }
    });
  }

  it('grid widths that are not multiples of 4 or of the workgroup size', async () => {
    const net = randomNetwork(2, 65, 5);
    for (const [nx, ny] of [[1, 1], [1, 7], [3, 2], [63, 5], [65, 3], [257, 9]]) {
      const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -2, yMax: 0.5, nx, ny };
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      for (const e of [brute, ev]) expect(relativeL2(await e.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
    }
  });

  it('splits large products into accumulating passes (N = 65,536 on a 96 × 96 grid)', async () => {
    // 65,536 × 9,216 ≈ 6.0e8 unit-evaluations > PASS_BUDGET, so this takes two passes.
    expect(planPasses(65536, 96 * 96).length).toBe(2);
    const net = randomNetwork(2, 65536, 77);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 96, ny: 96 };
    const want = evaluate2DBrute(net, gridPoints2D(grid));
    for (const e of [brute, ev]) expect(relativeL2(await e.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
  });

  it('evaluates a 2048 × 2048 grid (4.2 M points) with few units', async () => {
    const net = randomNetwork(2, 3, 8);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 2048, ny: 2048 };
    const want = evaluate2DBrute(net, gridPoints2D(grid));
    for (const e of [brute, ev]) {
      const got = await e.evaluateGrid2D(net, grid);
      expect(got.length).toBe(2048 * 2048);
      expect(relativeL2(got, want)).toBeLessThan(BOUND);
    }
  });
});

describe('regions2d kernel vs float64 reference', () => {
  for (const n of [1, 63, 65, 4097]) {
    it(`N = ${n}: active counts and pattern ids`, async () => {
      const net = randomNetwork(2, n, 300 + n);
      const side = n > 4000 ? 45 : 97;
      const grid: Grid2D = { xMin: -1.1, xMax: 1.2, yMin: -1, yMax: 1, nx: side, ny: side - 2 };
      const got = await ev.regions2D(net, grid);
      const want = regions2DBrute(net, gridPoints2D(grid));
      // Points within float32 rounding of a crease may flip one unit; allow a tiny fraction.
      let countMismatch = 0;
      let idMismatch = 0;
      for (let i = 0; i < want.active.length; i++) {
        if (got.active[i] !== want.active[i]) countMismatch++;
        if (got.pattern[i] !== want.pattern[i]) idMismatch++;
      }
      expect(countMismatch / want.active.length).toBeLessThan(0.002);
      expect(idMismatch / want.active.length).toBeLessThan(0.002);
    });
  }
});

describe('GpuEvaluator contract', () => {
  it('picks a cache kernel on CPU-like adapters (cache8sg with subgroups) and the tiled one on GPUs', async () => {
    const startup = await requestGpu(gpu);
    if (startup.kind !== 'ok') throw new Error(startup.kind);
    const auto = await GpuEvaluator.create(startup);
    const net = randomNetwork(2, 300, 21);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 129, ny: 7 };
    expect(relativeL2(await auto.evaluateGrid2D(net, grid), evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(BOUND);
    const name = `${startup.adapter.info.vendor} ${startup.adapter.info.architecture} ${startup.adapter.info.description}`.toLowerCase();
    expect(isCpuLikeAdapter(startup.adapter)).toBe(name.includes('swiftshader') || Boolean((startup.adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter));
    const subgroups = startup.device.features.has('subgroups');
    expect(auto.kernel2D).toBe(isCpuLikeAdapter(startup.adapter) ? (subgroups ? 'cache8sg' : 'cache8') : 'tiled');
    expect(autoKernel2D(startup.adapter, startup.device)).toBe(auto.kernel2D);
    // On GPUs, grids under 2^20 points take the 8-point tiled kernel (more invocations); the cache kernels never switch.
    expect(gridKernel2D('tiled', 512 * 512)).toBe('tiled8');
    expect(gridKernel2D('tiled', SMALL_GRID_POINTS)).toBe('tiled');
    expect(gridKernel2D('cache8sg', 64)).toBe('cache8sg');
    auto.destroy();
  });

  it('rejects bad input with typed errors before touching the GPU', async () => {
    await expect(ev.evaluatePoints({ dim: 1, w: [NaN], b: [0], a: [1], c: 0 } as Network, [0])).rejects.toBeInstanceOf(
      InvalidNetworkError,
    );
    await expect(ev.evaluatePoints(randomNetwork(1, 3), [0, Infinity])).rejects.toThrow(/finite/);
    await expect(ev.evaluatePoints(randomNetwork(2, 3), [0, 1, 2])).rejects.toThrow(/odd length/);
    await expect(ev.evaluateGrid2D(randomNetwork(2, 3), { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 0, ny: 4 })).rejects.toThrow(/nx/);
    // Still healthy afterwards.
    const net = randomNetwork(1, 10, 3);
    expect(relativeL2(await ev.evaluatePoints(net, [0.5]), evaluate1DBrute(net, [0.5]))).toBeLessThan(BOUND);
  });

  it('serialises concurrent calls that share buffers', async () => {
    const nets = [1, 2, 3, 4].map((s) => randomNetwork(2, 100 * s, s));
    const xy = randomPoints(202, 4);
    const results = await Promise.all(nets.map((net) => ev.evaluatePoints(net, xy)));
    results.forEach((got, k) => expect(relativeL2(got, evaluate2DBrute(nets[k], xy))).toBeLessThan(BOUND));
  });

  it('turns a lost device into GpuDeviceLostError, and AutoEvaluator recovers on a new device', async () => {
    const startup = await requestGpu(gpu);
    if (startup.kind !== 'ok') throw new Error(startup.kind);
    const own = await GpuEvaluator.create(startup);
    startup.device.destroy(); // simulates loss: not through own.destroy()
    await new Promise((r) => setTimeout(r, 50));
    await expect(own.evaluatePoints(randomNetwork(1, 4), [0])).rejects.toBeInstanceOf(GpuDeviceLostError);
    own.destroy();

    const changes: string[] = [];
    const auto = await AutoEvaluator.create({ gpu, onChange: (s) => changes.push(s.label) });
    expect(auto.kind).toBe('webgpu');
    auto.device!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const net = randomNetwork(1, 50, 12);
    const got = await auto.evaluatePoints(net, [0.1, 0.2]);
    expect(relativeL2(got, evaluate1DBrute(net, [0.1, 0.2]))).toBeLessThan(BOUND);
    expect(auto.kind).toBe('webgpu');
    expect(auto.status.notice).toMatch(/recovered/);
    expect(changes.length).toBe(1);
    auto.destroy();
  });

  it('AutoEvaluator falls back to the CPU when there is no WebGPU, and honours prefer: cpu', async () => {
    const none = await AutoEvaluator.create({ gpu: null });
    expect(none.kind).toBe('cpu');
    expect(none.description).toMatch(/^CPU fallback — /);
    const forced = await AutoEvaluator.create({ gpu, prefer: 'cpu' });
    expect(forced.kind).toBe('cpu');
    expect(forced.description).toMatch(/forced/);
  });
});
