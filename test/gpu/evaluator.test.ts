import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEvaluators, nodeStartup } from './dawn.ts';
import { GpuEvaluator, SMALL_GRID_POINTS, autoKernel2D, gridKernel2D, isCpuLikeAdapter } from '../../src/engine/gpu/context.ts';
import { randomNetwork, seededRandom, type Network } from '../../src/model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs, relativeL2 } from '../../src/model/grid.ts';
import { evaluate1DBrute, evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { AutoEvaluator } from '../../src/engine/backend.ts';
import { InvalidNetworkError } from '../../src/model/network.ts';
import { GpuDeviceLostError } from '../../src/engine/gpu/errors.ts';
import { planPasses } from '../../src/engine/gpu/unitKernel.ts';
import { DimensionMismatchError } from '../../src/engine/evaluator.ts';
import { validateNetwork } from '../../src/model/network.ts';
import type { GpuValues } from '../../src/engine/gpu/valueKernel.ts';
import type { Kernel2DChoice } from '../../src/engine/gpu/context.ts';

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
  ({ gpu, ev, brute } = await nodeEvaluators());
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
    const startup = await nodeStartup(gpu);
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
    const startup = await nodeStartup(gpu);
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
    expect(auto.status.notice).toMatch(/^The GPU was reset; redrawn on WebGPU/);
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

/** The values a GpuValues handle points at, copied out through a mappable buffer. */
async function readHandle(v: GpuValues): Promise<Float32Array> {
  const bytes = 4 * v.count;
  const staging = v.device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = v.device.createCommandEncoder();
  enc.copyBufferToBuffer(v.buffer, v.offset, staging, 0, bytes);
  v.device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0, bytes));
  staging.destroy();
  return out;
}

/** Index of the first value whose bits differ (-1 when none), after checking the lengths. */
function firstDifference(got: Float32Array, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(Float32Array.from(want).buffer);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function checkHandle(h: GpuValues, count: number, device: GPUDevice): void {
  expect(h.count).toBe(count);
  expect(h.device).toBe(device);
  expect(h.offset % 4).toBe(0);
  // Bindable as read-only storage by a render pipeline, and copyable.
  expect(h.buffer.usage & GPUBufferUsage.STORAGE).toBe(GPUBufferUsage.STORAGE);
  expect(h.buffer.usage & GPUBufferUsage.COPY_SRC).toBe(GPUBufferUsage.COPY_SRC);
  expect(h.buffer.size).toBeGreaterThanOrEqual(h.offset + 4 * count);
}

describe('grid values left on the GPU equal the read-back values exactly', () => {
  it('1D: brute-force and search kernels at awkward unit counts and grid sizes', async () => {
    for (const n of [1, 63, 65, 4097]) {
      const net = validateNetwork(randomNetwork(1, n, 500 + n));
      for (const nx of [1, 63, 65, 4097]) {
        const grid: Grid1D = { xMin: -1.3, xMax: 1.1, nx };
        for (const e of [brute, ev]) {
          const want = await e.evaluateGrid1D(net, grid);
          const h = await e.gridValues1D(net, grid);
          checkHandle(h, nx, e.device);
          expect(firstDifference(await readHandle(h), want), `N=${n} nx=${nx}`).toBe(-1);
        }
      }
    }
  });

  it('1D: a grid of several jobs lands in one contiguous buffer', async () => {
    const net = validateNetwork(randomNetwork(1, 5, 17));
    const grid: Grid1D = { xMin: -2, xMax: 2, nx: (1 << 22) + 4099 };
    const want = await brute.evaluateGrid1D(net, grid);
    expect(relativeL2(want, evaluate1DBrute(net, gridXs(grid)))).toBeLessThan(BOUND);
    const h = await brute.gridValues1D(net, grid);
    checkHandle(h, grid.nx, brute.device);
    expect(firstDifference(await readHandle(h), want)).toBe(-1);
  });

  const CHOICES: Array<Exclude<Kernel2DChoice, 'auto'>> = ['tiled', 'cache8', 'cache8sg'];
  for (const kernel2D of CHOICES) {
    it(`2D, kernel '${kernel2D}': awkward unit counts and grids, and values that outlive other calls`, async () => {
      const startup = await nodeStartup(gpu);
      const e = await GpuEvaluator.onSharedDevice(startup, { kernel2D });
      try {
        expect(e.kernel2D).toBe(kernel2D);
        for (const [n, nx, ny] of [
          [1, 1, 1],
          [1, 512, 512],
          [63, 63, 65],
          [65, 512, 512],
          [4097, 63, 65],
          [4097, 1, 1],
        ]) {
          const net = validateNetwork(randomNetwork(2, n, 600 + n));
          const grid: Grid2D = { xMin: -1.2, xMax: 0.9, yMin: -1, yMax: 1.3, nx, ny };
          const want = await e.evaluateGrid2D(net, grid);
          const h = await e.gridValues2D(net, grid);
          checkHandle(h, nx * ny, startup.device);
          // Read-back calls in between use their own buffers: the handle still holds this grid's values.
          await e.evaluatePoints(randomNetwork(2, 9, n), [0.1, 0.2]);
          await e.evaluateGrid2D(randomNetwork(2, 9, n), { ...grid, nx: 7, ny: 3 });
          expect(firstDifference(await readHandle(h), want), `N=${n} ${nx}×${ny}`).toBe(-1);
        }
        if (kernel2D === 'tiled' || kernel2D === 'cache8sg') {
          // More than 2^22 points: several jobs, whose slices must join up in one buffer.
          const net = validateNetwork(randomNetwork(2, 3, 33));
          const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 4096, ny: 1027 };
          const want = await e.evaluateGrid2D(net, grid);
          expect(relativeL2(want, evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(BOUND);
          const h = await e.gridValues2D(net, grid);
          checkHandle(h, grid.nx * grid.ny, startup.device);
          expect(firstDifference(await readHandle(h), want)).toBe(-1);
        }
      } finally {
        e.destroy();
        e.destroy();
        startup.device.destroy();
      }
    });
  }
});

describe('validated networks on the GPU', () => {
  it('a validated network is uploaded once however many calls use it; others every call', async () => {
    const startup = await nodeStartup(gpu);
    const e = await GpuEvaluator.create(startup, { kernel2D: 'cache8' });
    const queue = startup.device.queue;
    const write = queue.writeBuffer.bind(queue);
    const writes: string[] = [];
    queue.writeBuffer = ((buffer: GPUBuffer, ...rest: unknown[]) => {
      writes.push(buffer.label);
      return (write as (...a: unknown[]) => undefined)(buffer, ...rest);
    }) as GPUQueue['writeBuffer'];
    const count = (label: string) => writes.filter((l) => l === label).length;
    try {
      const raw = randomNetwork(2, 70, 41);
      const net = validateNetwork(raw);
      const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 33, ny: 17 };
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      for (let k = 0; k < 3; k++) expect(relativeL2(await e.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
      await e.gridValues2D(net, grid);
      expect(count('units')).toBe(1);
      for (let k = 0; k < 2; k++) expect(relativeL2(await e.evaluateGrid2D(raw, grid), want)).toBeLessThan(BOUND);
      expect(count('units')).toBe(3);
      // Another validated network replaces it, and the first one then goes up again.
      const other = validateNetwork(randomNetwork(2, 70, 42));
      expect(relativeL2(await e.evaluateGrid2D(other, grid), evaluate2DBrute(other, gridPoints2D(grid)))).toBeLessThan(BOUND);
      expect(relativeL2(await e.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
      expect(count('units')).toBe(5);
      // The 1D search path keeps its sorted knots the same way.
      const net1 = validateNetwork(randomNetwork(1, 300, 43));
      const g1: Grid1D = { xMin: -1, xMax: 1, nx: 101 };
      for (let k = 0; k < 3; k++) expect(relativeL2(await e.evaluateGrid1D(net1, g1), evaluate1DBrute(net1, gridXs(g1)))).toBeLessThan(BOUND);
      expect(count('eval1d_search knots')).toBe(1);
    } finally {
      queue.writeBuffer = write;
      e.destroy();
    }
  });
});

describe('AutoEvaluator and input mistakes', () => {
  it('a dimension mistake rejects with a typed input error; no recovery, same device, still webgpu', async () => {
    const changes: string[] = [];
    const auto = await AutoEvaluator.create({ gpu, onChange: (s) => changes.push(s.label) });
    expect(auto.kind).toBe('webgpu');
    const device = auto.device;
    const root = auto.root!;
    const generation = root.generation;
    const net1 = randomNetwork(1, 5, 1);
    const net2 = randomNetwork(2, 5, 2);
    const g1: Grid1D = { xMin: -1, xMax: 1, nx: 9 };
    const g2: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 5, ny: 4 };
    await expect(auto.evaluateGrid1D(net2, g1)).rejects.toThrow(new DimensionMismatchError('evaluateGrid1D', 1, 2));
    await expect(auto.evaluateGrid1D(net2, g1)).rejects.toThrow('evaluateGrid1D needs a 1D network, got a 2D one');
    for (const p of [auto.evaluateGrid2D(net1, g2), auto.regions2D(net1, g2), auto.gridValues1D(net2, g1), auto.gridValues2D(net1, g2)]) {
      await expect(p).rejects.toBeInstanceOf(DimensionMismatchError);
    }
    expect(auto.kind).toBe('webgpu');
    expect(auto.device).toBe(device);
    expect(auto.root).toBe(root);
    expect(root.generation).toBe(generation);
    expect(auto.status.notice).toBeUndefined();
    expect(changes).toEqual([]);
    expect(relativeL2(await auto.evaluateGrid1D(net1, g1), evaluate1DBrute(net1, gridXs(g1)))).toBeLessThan(BOUND);
    auto.destroy();
    auto.destroy();
  });

  it('on the CPU backend gridValues resolve to null and check their inputs the same', async () => {
    const cpu = await AutoEvaluator.create({ gpu, prefer: 'cpu' });
    expect(cpu.root).toBeNull();
    expect(cpu.device).toBeNull();
    const g2: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 5, ny: 4 };
    expect(await cpu.gridValues2D(randomNetwork(2, 3), g2)).toBeNull();
    expect(await cpu.gridValues1D(randomNetwork(1, 3), { xMin: 0, xMax: 1, nx: 3 })).toBeNull();
    await expect(cpu.gridValues2D(randomNetwork(1, 3), g2)).rejects.toBeInstanceOf(DimensionMismatchError);
    await expect(cpu.gridValues1D(randomNetwork(1, 3), { xMin: 0, xMax: 1, nx: 0 })).rejects.toThrow(/nx/);
  });
});
