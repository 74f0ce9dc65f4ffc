import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice, nodeGpu } from './dawn.ts';
import { GpuEvaluator, requestGpu, splitSlices2D } from '../../src/engine/gpu/context.ts';
import { Eval2DSplitKernel, MAX_AUTO_SLICES, SPLIT_TARGET_WORKGROUPS, autoSlices, gridBlocks, slicesFor } from '../../src/engine/gpu/eval2dSplit.ts';
import { UnitBuffer } from '../../src/engine/gpu/units.ts';
import { planPasses } from '../../src/engine/gpu/unitKernel.ts';
import { type Network, randomNetwork, seededRandom, validateNetwork } from '../../src/model/network.ts';
import { type Grid2D, gridPoints2D, relativeL2 } from '../../src/model/grid.ts';
import { evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { Regions2DKernel } from '../../src/engine/gpu/regions2d.ts';
import { Regions2DSplitKernel } from '../../src/engine/gpu/regions2dSplit.ts';
import type { Activation } from '../../src/model/activation.ts';
import { type BenchConfig, quickConfig, runBenchmark } from '../../src/bench/runner.ts';

/** float32 sums against the float64 twin, as in evaluator.test.ts. */
const BOUND = 1e-5;
const SLICES = [1, 3, 8, 'auto'] as const;

let device: GPUDevice;
let keep: GPU;
let kernel: Eval2DSplitKernel;
let sigmoidKernel: Eval2DSplitKernel;
let units: UnitBuffer;

beforeAll(async () => {
  const d = await nodeDevice();
  keep = d.gpu;
  device = d.device;
  kernel = new Eval2DSplitKernel(device);
  sigmoidKernel = new Eval2DSplitKernel(device, 'eval2d_split sigmoid', { sigmoid: true });
  units = new UnitBuffer(device);
});

afterAll(() => {
  kernel?.destroy();
  kernel?.destroy(); // safe twice
  sigmoidKernel?.destroy();
  units?.destroy();
  device?.destroy();
  void keep;
});

function net(n: number, seed: number, activation: Activation = 'relu'): Network {
  // Sigmoid units saturate outside |z| ≳ 10: steeper weights exercise both tails (as activation.test.ts).
  const base = randomNetwork(2, n, seed);
  const w = activation === 'sigmoid' ? base.w.map((v) => 4 * v) : base.w;
  return validateNetwork({ ...base, w, activation });
}

function randomPoints(count: number, seed: number, lo = -1.5, hi = 1.5): Float64Array {
  const rnd = seededRandom(seed);
  return Float64Array.from({ length: count }, () => lo + (hi - lo) * rnd());
}

/** Grids per unit count: every N gets 1×1, 63×65 and an off-centre view; 256² where the float64 reference stays quick. */
function gridsFor(n: number): Grid2D[] {
  const grids: Grid2D[] = [
    { xMin: -0.7, xMax: 0.7, yMin: -0.2, yMax: 0.3, nx: 1, ny: 1 },
    { xMin: -1.2, xMax: 1.4, yMin: -0.9, yMax: 1.3, nx: n >= 65536 ? 23 : 63, ny: n >= 65536 ? 25 : 65 },
    { xMin: 38, xMax: 42.5, yMin: -3.5, yMax: -1, nx: 31, ny: 17 },
  ];
  if (n <= 257) grids.push({ xMin: -1.1, xMax: 1.2, yMin: -1, yMax: 1.05, nx: 256, ny: 256 });
  return grids;
}

describe('eval2d_split (split-K) vs float64 reference', () => {
  for (const n of [1, 63, 65, 257, 4097, 65536]) {
    it(`N = ${n}: grids and a point list at S = 1, 3, 8 and auto`, async () => {
      const nw = net(n, 500 + n);
      units.upload(nw);
      for (const grid of gridsFor(n)) {
        const want = evaluate2DBrute(nw, gridPoints2D(grid));
        for (const s of SLICES) {
          const got = await kernel.evaluateGrid(units, grid, s);
          expect(got.length).toBe(grid.nx * grid.ny);
          expect(relativeL2(got, want), `${grid.nx}×${grid.ny} at S = ${s} (${kernel.lastSlices})`).toBeLessThan(BOUND);
        }
      }
      const xy = randomPoints(2 * (n >= 65536 ? 77 : 301), n + 3);
      const wantXy = evaluate2DBrute(nw, xy);
      for (const s of SLICES) expect(relativeL2(await kernel.evaluatePoints(units, xy, s), wantXy), `points at S = ${s}`).toBeLessThan(BOUND);
    });
  }

  for (const activation of ['leaky-relu', 'linear', 'sigmoid'] as const) {
    it(`${activation} units (N = 4097, 63 × 65 and points) at S = 1, 3, 8 and auto`, async () => {
      const nw = net(4097, 41, activation);
      units.upload(nw);
      const k = activation === 'sigmoid' ? sigmoidKernel : kernel;
      const grid: Grid2D = { xMin: -1.3, xMax: 0.9, yMin: -0.8, yMax: 1.5, nx: 63, ny: 65 };
      const want = evaluate2DBrute(nw, gridPoints2D(grid));
      const xy = randomPoints(2 * 129, 17);
      const wantXy = evaluate2DBrute(nw, xy);
      for (const s of SLICES) {
        expect(relativeL2(await k.evaluateGrid(units, grid, s), want), `grid at S = ${s}`).toBeLessThan(BOUND);
        expect(relativeL2(await k.evaluatePoints(units, xy, s), wantXy), `points at S = ${s}`).toBeLessThan(BOUND);
      }
    });
  }

  it('8 points per invocation (PPT = 8): N = 63 and 4097, grids and a point list at S = 1, 3, 8 and auto', async () => {
    const k8 = new Eval2DSplitKernel(device, 'eval2d_split p8', { pointsPerThread: 8 });
    try {
      expect(k8.pointsPerThread).toBe(8);
      expect(slicesFor('auto', 256, 256, 4096, 8)).toBe(8);
      for (const n of [63, 4097]) {
        const nw = net(n, 900 + n);
        units.upload(nw);
        for (const grid of gridsFor(n).slice(0, 3)) {
          const want = evaluate2DBrute(nw, gridPoints2D(grid));
          for (const s of SLICES) expect(relativeL2(await k8.evaluateGrid(units, grid, s), want), `N = ${n}, ${grid.nx}×${grid.ny} at S = ${s}`).toBeLessThan(BOUND);
        }
        const xy = randomPoints(2 * 37, n + 5);
        const wantXy = evaluate2DBrute(nw, xy);
        for (const s of SLICES) expect(relativeL2(await k8.evaluatePoints(units, xy, s), wantXy), `N = ${n}, points at S = ${s}`).toBeLessThan(BOUND);
      }
    } finally {
      k8.destroy();
    }
    expect(() => new Eval2DSplitKernel(device, 'bad', { pointsPerThread: 4 as 8 })).toThrow(RangeError);
  });

  it('accumulates the slice partials over passes (N = 65,536 on 96 × 96: two passes) and is deterministic', async () => {
    expect(planPasses(65536, 96 * 96).length).toBe(2);
    const nw = net(65536, 77);
    units.upload(nw);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 96, ny: 96 };
    const want = evaluate2DBrute(nw, gridPoints2D(grid));
    const first = await kernel.evaluateGrid(units, grid, 'auto');
    expect(kernel.passes).toBe(3); // two split passes and the reduction
    expect(kernel.lastSlices).toBeGreaterThan(1);
    expect(relativeL2(first, want)).toBeLessThan(BOUND);
    expect(Array.from(await kernel.evaluateGrid(units, grid, 'auto'))).toEqual(Array.from(first));
  });

  it('splits a grid whose partials exceed one binding into jobs of whole rows', async () => {
    // A 64 KiB binding cap: 8 slices of 4-byte partials fit 2,048 points per job, so 63 × 65 takes two jobs.
    const small = new Eval2DSplitKernel(device, 'eval2d_split small', { maxBindingBytes: 1 << 16 });
    const nw = net(3000, 5);
    units.upload(nw);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 63, ny: 65 };
    const got = await small.evaluateGrid(units, grid, 8);
    expect(small.passes).toBe(4); // per job one split pass and its reduction
    expect(relativeL2(got, evaluate2DBrute(nw, gridPoints2D(grid)))).toBeLessThan(BOUND);
    const xy = randomPoints(2 * 3000, 4);
    expect(relativeL2(await small.evaluatePoints(units, xy, 8), evaluate2DBrute(nw, xy))).toBeLessThan(BOUND);
    small.destroy();
  });

  it('leaves values on the GPU (gridValues) equal to the read-back ones', async () => {
    const nw = net(1000, 6);
    units.upload(nw);
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 40, ny: 30 };
    const read = await kernel.evaluateGrid(units, grid, 3);
    const v = kernel.gridValues(units, grid, 3);
    expect(v.count).toBe(1200);
    expect(v.buffer).toBe(kernel.gridValues(units, grid, 3).buffer);
    expect(Array.from(await kernel.readOutput(1200, 'values'))).toEqual(Array.from(read));
  });

  it('rejects a bad slice count with a RangeError', async () => {
    units.upload(net(10, 1));
    const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 4, ny: 4 };
    for (const bad of [0, -1, 2.5, NaN, 1025]) await expect(kernel.evaluateGrid(units, grid, bad)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('slice choice', () => {
  it('autoSlices fills SPLIT_TARGET_WORKGROUPS, one slice per 256-unit tile at most', () => {
    expect(gridBlocks(256, 256)).toBe(16);
    expect(gridBlocks(1024, 1024)).toBe(256);
    expect(gridBlocks(1, 1)).toBe(1);
    expect(autoSlices(16, 4096)).toBe(16); // 256², N = 4,096: one tile per slice
    expect(autoSlices(16, 1 << 20)).toBe(Math.min(MAX_AUTO_SLICES, SPLIT_TARGET_WORKGROUPS / 16));
    expect(autoSlices(64, 65536)).toBe(SPLIT_TARGET_WORKGROUPS / 64); // 512²
    expect(autoSlices(256, 65536)).toBe(1); // 1024²: the grid alone fills the target
    expect(autoSlices(4096, 65536)).toBe(1);
    expect(autoSlices(16, 511)).toBe(1);
    expect(slicesFor('auto', 256, 256, 4096)).toBe(16);
    expect(slicesFor('auto', 2048, 2048, 65536)).toBe(1);
    expect(slicesFor(5, 2048, 2048, 300)).toBe(5);
    expect(slicesFor(5, 2048, 2048, 3)).toBe(3); // at least one unit per slice
    expect(() => slicesFor(0, 1, 1, 1)).toThrow(RangeError);
  });

  it('GpuEvaluator splits automatically on hardware adapters only, and takes an explicit count anywhere', async () => {
    expect(splitSlices2D(undefined, true, 256, 256, 4096)).toBe(1);
    expect(splitSlices2D('auto', false, 256, 256, 4096)).toBe(16);
    expect(splitSlices2D(4, true, 256, 256, 4096)).toBe(4);
    const startup = await requestGpu(nodeGpu());
    if (startup.kind !== 'ok') throw new Error(startup.kind);
    await expect(GpuEvaluator.create(startup, { slices2D: 0 })).rejects.toBeInstanceOf(RangeError);
    const forced = await GpuEvaluator.create(startup, { slices2D: 3 });
    const auto = await GpuEvaluator.create(startup);
    for (const activation of ['relu', 'leaky-relu', 'linear', 'sigmoid'] as const) {
      const nw = net(700, 9, activation);
      const grid: Grid2D = { xMin: -1, xMax: 1.2, yMin: -1.1, yMax: 1, nx: 33, ny: 31 };
      const want = evaluate2DBrute(nw, gridPoints2D(grid));
      const xy = randomPoints(2 * 50, 8);
      for (const e of [forced, auto]) {
        expect(relativeL2(await e.evaluateGrid2D(nw, grid), want), activation).toBeLessThan(BOUND);
        expect(relativeL2(await e.evaluatePoints(nw, xy), evaluate2DBrute(nw, xy)), activation).toBeLessThan(BOUND);
        const v = await e.gridValues2D(nw, grid);
        expect(v.count).toBe(33 * 31);
      }
    }
    forced.destroy();
    auto.destroy();
    startup.device.destroy();
  });
});

describe('benchmark methods gpu-v-split and gpu-v-split<S>', () => {
  it('time the split passes and the reduction, check accuracy and name S in the note', async () => {
    const cfg: BenchConfig = { ...quickConfig(), dims: [2], methods: ['gpu-v-split', 'gpu-v-split4', 'gpu-regions-split'], sizes: [700], grids2D: [24], repeats: 1, runBudgetMs: 2000, accuracy: null };
    const res = await runBenchmark({ now: () => performance.now(), device, adapter: { name: 'test adapter' }, platform: 'vitest' }, cfg);
    expect(res.rows.map((r) => r.method)).toEqual(['gpu-v-split', 'gpu-v-split4', 'gpu-regions-split']);
    expect(res.rows[0].note).toMatch(/S = 2/); // 700 units: at most two 256-unit slices
    expect(res.rows[1].note).toMatch(/S = 4/);
    expect(res.rows[2].note).toMatch(/S = 2/);
    for (const r of res.rows) expect(r.error).toBeLessThan(r.method === 'gpu-regions-split' ? 0.002 : BOUND);
  });
});

describe('regions2d_split vs regions2d and the float64 reference', () => {
  for (const n of [1, 63, 65, 257, 4097]) {
    it(`N = ${n}: the same counts and ids as the unsplit kernel at S = 1, 3, 8 and auto`, async () => {
      const nw = net(n, 700 + n);
      units.upload(nw);
      const plain = new Regions2DKernel(device);
      const split = new Regions2DSplitKernel(device);
      for (const grid of gridsFor(n)) {
        const want = await plain.evaluateGrid(units, grid);
        const ref = regions2DBrute(nw, gridPoints2D(grid));
        let off = 0;
        for (let i = 0; i < ref.active.length; i++) if (ref.active[i] !== want.active[i] || ref.pattern[i] !== want.pattern[i]) off++;
        // Points within float32 rounding of a crease may flip one unit (as evaluator.test.ts allows).
        expect(off / ref.active.length).toBeLessThan(0.002);
        for (const s of SLICES) {
          const got = await split.evaluateGrid(units, grid, s);
          expect(Array.from(got.active), `${grid.nx}×${grid.ny} S = ${s}`).toEqual(Array.from(want.active));
          expect(Array.from(got.pattern), `${grid.nx}×${grid.ny} S = ${s}`).toEqual(Array.from(want.pattern));
        }
      }
      plain.destroy();
      split.destroy();
      split.destroy();
    });
  }

  it('GpuEvaluator.regions2D with slices2D forced equals the default', async () => {
    const startup = await requestGpu(nodeGpu());
    if (startup.kind !== 'ok') throw new Error(startup.kind);
    const forced = await GpuEvaluator.create(startup, { slices2D: 5 });
    const plain = await GpuEvaluator.create(startup, { slices2D: 1 });
    const nw = net(2000, 12, 'leaky-relu');
    const grid: Grid2D = { xMin: -1, xMax: 1.2, yMin: -1.1, yMax: 1, nx: 47, ny: 29 };
    const a = await forced.regions2D(nw, grid);
    const b = await plain.regions2D(nw, grid);
    expect(Array.from(a.active)).toEqual(Array.from(b.active));
    expect(Array.from(a.pattern)).toEqual(Array.from(b.pattern));
    forced.destroy();
    plain.destroy();
    startup.device.destroy();
  });
});
