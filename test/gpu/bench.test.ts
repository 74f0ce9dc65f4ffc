import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodeDevice } from './dawn.ts';
import { GPU_LOST_NOTE, runBenchmark, quickConfig, type BenchConfig } from '../../src/bench/runner.ts';
import { UnitKernelHarness, pointsPerThread } from '../../src/bench/unitHarness.ts';
import eval2dCode from '../../shaders/eval2d.compute.wgsl?raw';
import { randomNetwork } from '../../src/model/network.ts';
import { gridPoints2D, relativeL2 } from '../../src/model/grid.ts';
import { evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { CSV_COLUMNS, toCSV } from '../../src/bench/format.ts';
import { EVAL2D_VARIANTS, Eval2DVariantKernel, type Eval2DVariantSpec } from '../../src/engine/gpu/eval2dVariant.ts';
import { RESEARCH_VARIANTS } from '../../src/bench/researchVariants.ts';
import { UnitBuffer } from '../../src/engine/gpu/units.ts';
import { seededRandom } from '../../src/model/network.ts';
import { GpuTimer } from '../../src/engine/gpu/timer.ts';

// Kept referenced for the whole file: Dawn tears its instance down when the GPU object is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice(['timestamp-query', 'subgroups']));
});
afterAll(() => device?.destroy());

describe('benchmark harness', () => {
  it('reads points per invocation from the shader and drives eval2d like the app (several passes too)', async () => {
    expect(pointsPerThread('const PPT: u32 = 16u;')).toBe(16);
    expect(pointsPerThread('override PPT: u32 = 8u;')).toBe(8);
    expect(pointsPerThread('// no PPT here')).toBe(4);
    const h = new UnitKernelHarness(device, 'eval2d', eval2dCode, 'values');
    // 300 × 301 points × 1537 units: 1.4e8 unit-evaluations, more than one pass of 2^27.
    const grid = { xMin: -1, xMax: 1.2, yMin: -0.9, yMax: 1, nx: 300, ny: 301 };
    const net = randomNetwork(2, 1537, 4);
    device.pushErrorScope('validation');
    h.prepare(net, grid);
    const enc = device.createCommandEncoder();
    h.encode(enc);
    device.queue.submit([enc.finish()]);
    const got = await h.readValues();
    expect(await device.popErrorScope()).toBeNull();
    expect(relativeL2(got, evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(1e-5);
    h.destroy();
    h.destroy();
  });

  it('GpuTimer times back-to-back repetitions in one submission, sleeps through expected work, and the output stays right', async () => {
    const h = new UnitKernelHarness(device, 'eval2d', eval2dCode, 'values');
    const grid = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 65, ny: 63 };
    const net = randomNetwork(2, 300, 9);
    h.prepare(net, grid);
    for (const noTimestamps of [false, true]) {
      const timer = new GpuTimer(device, () => performance.now(), !noTimestamps && device.features.has('timestamp-query'));
      for (const [reps, expectMs] of [[1, 0], [2, 0], [7, 0], [1, 20], [3, 30]]) {
        const ms = await timer.time(h.passes, (e, ts) => h.encode(e, ts), reps, expectMs);
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
      }
      await expect(timer.time(h.passes, (e, ts) => h.encode(e, ts), 0)).rejects.toThrow(RangeError);
      timer.destroy();
    }
    expect(relativeL2(await h.readValues(), evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(1e-5);
    h.destroy();
  });
});

describe('eval2d tuning variants vs the float64 CPU twin', () => {
  it('the test device has subgroups, so the subgroup variant is tested too', () => {
    expect(device.features.has('subgroups')).toBe(true);
  });

  it('a variant that needs a feature the device lacks is refused with a clear message, and skipped by the runner', async () => {
    const plain = await nodeDevice();
    try {
      expect(plain.device.features.has('subgroups')).toBe(false);
      expect(() => new Eval2DVariantKernel(plain.device, 'cache8sg')).toThrow(/'subgroups'/);
      const cfg: BenchConfig = { ...quickConfig(), dims: [2], methods: ['gpu-v-cache8sg', 'gpu-v-cache8'], sizes: [3], grids2D: [20], repeats: 1, runBudgetMs: 2000, accuracy: null };
      const res = await runBenchmark({ now: () => performance.now(), device: plain.device, adapter: { name: 'test adapter' }, platform: 'vitest' }, cfg);
      expect(res.rows.map((r) => r.method)).toEqual(['gpu-v-cache8']);
      expect(res.skipped).toEqual([expect.objectContaining({ method: 'gpu-v-cache8sg', reason: expect.stringMatching(/subgroups/) })]);
    } finally {
      plain.device.destroy();
    }
  });

  const variants: Record<string, Eval2DVariantSpec> = { ...EVAL2D_VARIANTS, ...RESEARCH_VARIANTS };
  for (const [name, spec] of Object.entries(variants)) {
    it(`${name}: grids and point lists at awkward sizes, relative L2 < 1e-5`, async () => {
      const units = new UnitBuffer(device);
      const k = new Eval2DVariantKernel(device, name, spec);
      device.pushErrorScope('validation');
      for (const [n, nx, ny] of [
        [0, 5, 3],
        [1, 1, 1],
        [63, 67, 13],
        [65, 129, 2],
        [4097, 70, 33],
        [65536, 37, 29],
      ]) {
        const net = randomNetwork(2, n, 300 + n);
        units.upload(net);
        // An off-centre grid (x near 40): stepping z along rows must keep its error small there too.
        const grid = n === 4097 ? { xMin: 39.5, xMax: 40.7, yMin: -0.8, yMax: 1.3, nx, ny } : { xMin: -1.1, xMax: 0.9, yMin: -0.8, yMax: 1.3, nx, ny };
        const got = await k.evaluateGrid(units, grid);
        const want = evaluate2DBrute(net, gridPoints2D(grid));
        expect(relativeL2(got, want), `grid N=${n} ${nx}×${ny}`).toBeLessThan(1e-5);
        const rnd = seededRandom(n + 1);
        const xy = Float32Array.from({ length: 2 * 211 }, () => -1.5 + 3 * rnd());
        const gotP = await k.evaluatePoints(units, xy);
        expect(relativeL2(gotP, evaluate2DBrute(net, xy)), `points N=${n}`).toBeLessThan(1e-5);
      }
      expect(await device.popErrorScope()).toBeNull();
      k.destroy();
      k.destroy();
      units.destroy();
      await expect(k.evaluateGrid(units, { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 2, ny: 2 })).rejects.toThrow(/after destroy/);
    });
  }
});

describe('benchmark runner on the GPU (Dawn)', () => {
  it('reports every method with a timing method, % of peak and a small error', async () => {
    // A generous budget: no point may be skipped or cut, however busy the machine is.
    const cfg: BenchConfig = { ...quickConfig(), sizes: [1, 65], grids1D: [1000], grids2D: [33], repeats: 2, runBudgetMs: 2000, errorSample: 64 };
    const res = await runBenchmark(
      { now: () => performance.now(), device, adapter: { name: 'test adapter' }, platform: 'vitest' },
      cfg,
    );
    expect(res.peak).not.toBeNull();
    expect(res.peak!.flops).toBeGreaterThan(0);
    const timing = device.features.has('timestamp-query') ? 'timestamp-query' : 'onSubmittedWorkDone';
    expect(res.gpuTiming).toBe(timing);
    const methods = new Set(res.rows.map((r) => `${r.dim}:${r.method}`));
    expect([...methods].sort()).toEqual(
      ['1:cpu-brute', '1:cpu-sweep', '1:gpu-brute', '1:gpu-search', '2:cpu-brute', '2:cpu-sweep', '2:gpu-brute', '2:gpu-regions', '2:gpu-tiles'].sort(),
    );
    for (const r of res.rows) {
      // Dawn's default timestamps are quantised to 65.5 µs here: short GPU work is timed in batches, never 0.
      expect(r.medianMs).toBeGreaterThan(0);
      expect(Number.isFinite(r.unitEvalsPerS)).toBe(true);
      if (r.backend === 'gpu') {
        expect(r.timing).toBe(timing);
        expect(r.peakPct).not.toBeNull();
        expect(r.peakPct!).toBeGreaterThan(0);
      }
      if (r.errorKind === 'relL2') expect(r.error).toBeLessThan(1e-5);
      else expect(r.error).toBeLessThan(0.05);
    }
    expect(res.skipped).toHaveLength(0);
  });

  it('times the 2D kernel the sandbox picks for the adapter, and names it in each row', async () => {
    const cfg: BenchConfig = { ...quickConfig(), dims: [2], methods: ['gpu-brute'], sizes: [70], grids2D: [33], repeats: 1, runBudgetMs: 2000, accuracy: null };
    const run = (adapter: { name: string; vendor?: string; architecture?: string }, kernel2D?: 'tiled' | 'cache8') =>
      runBenchmark({ now: () => performance.now(), device, adapter, platform: 'vitest', kernel2D }, cfg);
    const swift = await run({ name: 'SwiftShader', vendor: 'google', architecture: 'swiftshader' });
    expect(swift.rows[0].note).toMatch(/kernel eval2d_cache8sg/);
    const gpu = await run({ name: 'some GPU', vendor: 'nvidia', architecture: 'hopper' });
    expect(gpu.rows[0].note).toMatch(/kernel eval2d_tiled8/); // 33² is under 2^20 points
    const big = await runBenchmark(
      { now: () => performance.now(), device, adapter: { name: 'some GPU', vendor: 'nvidia', architecture: 'hopper' }, platform: 'vitest' },
      { ...cfg, sizes: [3], grids2D: [1024] },
    );
    expect(big.rows[0].note).toMatch(/kernel eval2d(;|$)/);
    expect(big.rows[0].error).toBeLessThan(1e-5);
    const forced = await run({ name: 'SwiftShader', vendor: 'google', architecture: 'swiftshader' }, 'cache8');
    expect(forced.rows[0].note).toMatch(/kernel eval2d_cache8(;|$)/);
    for (const r of [swift, gpu, forced]) expect(r.rows[0].error).toBeLessThan(1e-5);
  });

  it('times with onSubmittedWorkDone when asked (or when the device lacks timestamp-query), and says so', async () => {
    const cfg: BenchConfig = { ...quickConfig(), dims: [2], methods: ['gpu-brute', 'gpu-v-step'], sizes: [3], grids2D: [20], repeats: 1, runBudgetMs: 2000, noTimestamps: true, accuracy: null };
    const res = await runBenchmark({ now: () => performance.now(), device, adapter: { name: 'test adapter' }, platform: 'vitest' }, cfg);
    expect(res.gpuTiming).toBe('onSubmittedWorkDone');
    expect(res.peak!.timing).toBe('onSubmittedWorkDone');
    expect(res.rows.map((r) => r.timing)).toEqual(['onSubmittedWorkDone', 'onSubmittedWorkDone']);
    for (const r of res.rows) expect(r.error).toBeLessThan(1e-5);
    expect(res.notes.join(' ')).toMatch(/onSubmittedWorkDone/);
  });
});

describe('benchmark runner and a lost device', () => {
  it('a device lost mid-run ends the run with the rows measured before it, a plain note, and no throw', async () => {
    // A device of its own: this test loses it.
    const own = await nodeDevice(['timestamp-query']);
    const cfg: BenchConfig = { ...quickConfig(), dims: [1], methods: ['gpu-brute', 'cpu-brute'], sizes: [1, 8, 64, 512], grids1D: [1000], repeats: 1, runBudgetMs: 2000, accuracy: null };
    let rowsSeen = 0;
    const res = await runBenchmark({ now: () => performance.now(), device: own.device, adapter: { name: 'test adapter' }, platform: 'vitest' }, cfg, {
      onProgress: (p) => {
        if (p.row && ++rowsSeen === 2) own.device.destroy();
      },
    });
    expect(res.gpuLost).toBe(GPU_LOST_NOTE);
    expect(res.cancelled).toBe(false);
    expect(res.rows).toHaveLength(2);
    expect(res.notes.join(' ')).toContain(GPU_LOST_NOTE);
    for (const r of res.rows) expect(r.error).toBeLessThan(1e-5);
    // What was measured can still be written out.
    expect(toCSV(res).trimEnd().split('\n')).toHaveLength(3);
    expect(own.gpu).toBeDefined();
  });
});

describe('npm run bench (CLI smoke test)', () => {
  const run = promisify(execFile);
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relu-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--quick --out DIR writes valid results.json and results.csv and names the adapter', async () => {
    const { stdout } = await run('npx', ['tsx', 'scripts/bench.ts', '--quick', '--quiet', '--out', dir], { timeout: 200_000, env: process.env });
    expect(stdout).toMatch(/Adapter: /);
    expect(stdout).toMatch(/median ms/);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.version).toBe(1);
    expect(json.adapter?.name ?? json.noGpuReason).toBeTruthy();
    expect(json.rows.length).toBeGreaterThan(0);
    for (const r of json.rows) if (r.errorKind === 'relL2') expect(r.error).toBeLessThan(1e-5);
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv.length).toBe(1 + json.rows.length + json.accuracy.length);
  });

  it('exits non-zero with a clear message on a bad flag', async () => {
    const err = await run('npx', ['tsx', 'scripts/bench.ts', '--sizes', 'lots'], { timeout: 60_000 }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(String(err.stderr)).toMatch(/bench: --sizes: 'lots' is not a whole number/);
  });
});
