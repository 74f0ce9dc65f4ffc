import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { Eval2DTilesKernel, TILE_PARAMS_LAYOUT, TILE_PARAMS_SIZE } from '../../src/engine/gpu/eval2dTiles.ts';
import { UnitBuffer } from '../../src/engine/gpu/units.ts';
import { withErrorScopes } from '../../src/engine/gpu/errors.ts';
import { type Network, randomNetwork, seededRandom, validateNetwork } from '../../src/model/network.ts';
import { type Grid2D, gridPoints2D, relativeL2 } from '../../src/model/grid.ts';
import { evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { TilesNotApplicableError, evaluate2DTiles, regions2DTiles } from '../../src/model/tiles2d.ts';
import type { Regions } from '../../src/model/regions.ts';
import { GpuEvaluator, requestGpu } from '../../src/engine/gpu/context.ts';

// The bound the brute-force eval2d is held to in test/gpu/evaluator.test.ts.
const BOUND = 1e-5;

let gpu: GPU;
let device: GPUDevice;
let units: UnitBuffer;
/** Both evaluation shapes, each with the default lists and with tiny ones (most tiles then take the overflow path). */
let kernels: Array<[string, Eval2DTilesKernel]> = [];

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  units = new UnitBuffer(device);
  kernels = (['workgroup', 'rows'] as const).flatMap((shape): Array<[string, Eval2DTilesKernel]> => [
    [shape, new Eval2DTilesKernel(device, `eval2d_tiles ${shape}`, shape)],
    [`${shape}, capacity 3`, new Eval2DTilesKernel(device, `eval2d_tiles ${shape} small`, shape, 3)],
  ]);
});

afterAll(() => {
  for (const [, k] of kernels) {
    k.destroy();
    k.destroy(); // safe twice
  }
  units?.destroy();
  device?.destroy();
  void gpu;
});

async function values(k: Eval2DTilesKernel, net: Network, grid: Grid2D): Promise<Float32Array> {
  return withErrorScopes(device, () => {
    units.upload(validateNetwork(net));
    return k.evaluateGrid(units, grid);
  });
}

async function regions(k: Eval2DTilesKernel, net: Network, grid: Grid2D): Promise<Regions> {
  return withErrorScopes(device, () => {
    units.upload(validateNetwork(net));
    return k.regionsGrid(units, grid);
  });
}

/**
 * Points where the GPU's ids may differ from the float64 reference: a unit with |z| within float32 rounding of 0
 * there (the brute-force regions2d test allows a small fraction for the same reason; here they are named).
 */
function nearCrease(net: Network, x: number, y: number): boolean {
  for (let i = 0; i < net.a.length; i++) {
    const w1 = net.w[2 * i];
    const w2 = net.w[2 * i + 1];
    const z = w1 * x + w2 * y + net.b[i];
    const mag = Math.abs(w1 * x) + Math.abs(w2 * y) + Math.abs(net.b[i]);
    if (Math.abs(z) <= 1e-5 * mag) return true;
  }
  return false;
}

function expectRegions(net: Network, grid: Grid2D, got: Regions, want = regions2DBrute(net, gridPoints2D(grid)), name = ''): void {
  const xy = gridPoints2D(grid);
  let off = 0;
  for (let p = 0; p < want.active.length; p++) {
    if (got.active[p] !== want.active[p] || got.pattern[p] !== want.pattern[p]) {
      if (!nearCrease(net, xy[2 * p], xy[2 * p + 1])) off++;
    }
  }
  expect(off, name).toBe(0);
}

/** Values and regions of every kernel (both shapes, both capacities) against the float64 references. */
async function expectAll(net: Network, grid: Grid2D): Promise<void> {
  const xy = gridPoints2D(grid);
  const want = evaluate2DBrute(net, xy);
  const wantRegions = regions2DBrute(net, xy);
  // Tiny lists send every tile through the overflow path, which re-tests all units per tile: kept to N < 65,536.
  for (const [name, k] of kernels.filter(([n]) => net.a.length < 65536 || !n.includes('capacity'))) {
    const err = relativeL2(await values(k, net, grid), want);
    expect(err, name).toBeLessThan(BOUND);
    expectRegions(net, grid, await regions(k, net, grid), wantRegions, name);
  }
}

describe('eval2d_tiles vs the float64 reference', () => {
  const cases: Array<[number, Grid2D]> = [
    [1, { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 1, ny: 1 }],
    [63, { xMin: -1.2, xMax: 1.4, yMin: -0.9, yMax: 1.3, nx: 63, ny: 65 }],
    [65, { xMin: -1.1, xMax: 0.7, yMin: -1.3, yMax: 1, nx: 257, ny: 129 }],
    [4097, { xMin: 0.3, xMax: 2.9, yMin: -3.1, yMax: -0.4, nx: 63, ny: 65 }],
    [4097, { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 257, ny: 129 }],
    [65536, { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 63, ny: 65 }],
  ];
  for (const [n, grid] of cases) {
    it(`N = ${n} on ${grid.nx} × ${grid.ny}: values and regions`, async () => {
      const net = randomNetwork(2, n, 500 + n);
      await expectAll(net, grid);
      // The float64 twin (same classification, float64 arithmetic) agrees with the definition.
      expect(relativeL2(evaluate2DTiles(net, grid), evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(1e-12);
      expect(regions2DTiles(net, grid)).toEqual(regions2DBrute(net, gridPoints2D(grid)));
    });
  }
});

/** A network of n units whose lines all pass through (px, py), in random directions. */
function throughPoint(n: number, px: number, py: number, seed: number): Network {
  const net = randomNetwork(2, n, seed);
  const b = net.b.map((_, i) => -(net.w[2 * i] * px + net.w[2 * i + 1] * py));
  return { ...net, b };
}

describe('eval2d_tiles on adversarial networks', () => {
  const view: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 63, ny: 65 };
  it('all lines through one tile (65,536 units: that tile overflows its list)', async () => {
    await expectAll(throughPoint(65536, 0.013, -0.021, 1), view);
  });

  it('all lines through one grid point', async () => {
    const g: Grid2D = { xMin: 0, xMax: 62, yMin: 0, yMax: 64, nx: 63, ny: 65 };
    await expectAll(throughPoint(300, 20, 17, 2), g);
  });

  it('all lines missing the view', async () => {
    const rnd = seededRandom(3);
    const net = randomNetwork(2, 500, 3);
    const w = net.w.map((_, k) => (k % 2 === 0 ? (k % 4 === 0 ? 1 : 0) : k % 4 === 1 ? 0 : 1));
    const b = net.b.map((_, i) => (i % 2 === 0 ? -(1.5 + 3 * rnd()) : 1.2 + 3 * rnd()));
    await expectAll({ ...net, w, b }, view);
  });

  it('parallel lines', async () => {
    const net = randomNetwork(2, 400, 4);
    const w = net.w.map(() => 0.7);
    const b = net.b.map((_, i) => -1.4 + (2.8 * i) / 400);
    await expectAll({ ...net, w, b }, view);
  });

  it('lines exactly on tile borders and through grid points', async () => {
    const g: Grid2D = { xMin: 0, xMax: 62, yMin: 0, yMax: 64, nx: 63, ny: 65 };
    const w: number[] = [];
    const b: number[] = [];
    for (let k = 0; k <= 64; k++) {
      w.push(1, 0, 0, 1, 1, 1, 1, -1);
      b.push(-k, -k, -k, 32 - k);
    }
    const rnd = seededRandom(5);
    await expectAll({ dim: 2, w, b, a: b.map(() => 0.5 - rnd()), c: 0.3 }, g);
  });

  it('huge and tiny weights', async () => {
    const net = randomNetwork(2, 999, 6);
    const scale = (i: number) => (i % 3 === 0 ? 1e6 : i % 3 === 1 ? 1e-6 : 1);
    await expectAll({ ...net, w: net.w.map((v, k) => v * scale(k >> 1)), b: net.b.map((v, i) => v * scale(i)) }, view);
  });

  it('leaky and linear activations', async () => {
    const net = randomNetwork(2, 777, 7);
    const g: Grid2D = { xMin: -0.7, xMax: 1.9, yMin: -1.2, yMax: 0.3, nx: 65, ny: 63 };
    await expectAll({ ...net, activation: 'leaky-relu' }, g);
    const linear: Network = { ...net, activation: 'linear' };
    const want = evaluate2DBrute(linear, gridPoints2D(g));
    for (const [name, k] of kernels) expect(relativeL2(await values(k, linear, g), want), name).toBeLessThan(BOUND);
  });

  it('declines sigmoid networks with a typed error', async () => {
    const net: Network = { ...randomNetwork(2, 9, 8), activation: 'sigmoid' };
    await expect(values(kernels[0][1], net, view)).rejects.toThrow(TilesNotApplicableError);
  });
});

describe('eval2d_tiles on large grids (several jobs)', () => {
  it('1024 × 1024 with 4,097 units (a sample of points checked), its regions with 5, and 2048 × 2048 with 3', async () => {
    const big: Grid2D = { xMin: -1.5, xMax: 0.5, yMin: -0.5, yMax: 1.5, nx: 1024, ny: 1024 };
    const net = randomNetwork(2, 4097, 9);
    const all = gridPoints2D(big);
    const idx = Array.from({ length: 4001 }, (_, k) => (k * 262_147) % (1024 * 1024));
    const xy = idx.flatMap((p) => [all[2 * p], all[2 * p + 1]]);
    const want = evaluate2DBrute(net, xy);
    for (const [name, k] of kernels.filter(([n]) => !n.includes('capacity'))) {
      const got = await values(k, net, big);
      expect(relativeL2(idx.map((p) => got[p]), want), name).toBeLessThan(BOUND);
    }
    const few5 = randomNetwork(2, 5, 11);
    const wantRegions = regions2DBrute(few5, gridPoints2D(big));
    for (const [name, k] of kernels.filter(([n]) => !n.includes('capacity'))) {
      expectRegions(few5, big, await regions(k, few5, big), wantRegions, name);
    }
    const huge: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 2048, ny: 2048 };
    const few = randomNetwork(2, 3, 10);
    const wantHuge = evaluate2DBrute(few, gridPoints2D(huge));
    for (const [name, k] of kernels.filter(([n]) => !n.includes('capacity'))) {
      const got = await values(k, few, huge);
      expect(got.length).toBe(2048 * 2048);
      expect(relativeL2(got, wantHuge), name).toBeLessThan(BOUND);
    }
  });
});

describe('GpuEvaluator with exact2D: tiles', () => {
  it('evaluates grids, values left on the GPU and regions on the tile kernel; sigmoid takes brute force', async () => {
    const startup = await requestGpu(gpu);
    if (startup.kind !== 'ok') throw new Error(startup.kind);
    const ev = await GpuEvaluator.create(startup, { exact2D: 'tiles' });
    try {
      const net = randomNetwork(2, 700, 31);
      const grid: Grid2D = { xMin: -1.3, xMax: 0.9, yMin: -1, yMax: 1.2, nx: 70, ny: 33 };
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      expect(relativeL2(await ev.evaluateGrid2D(net, grid), want)).toBeLessThan(BOUND);
      const v = await ev.gridValues2D(net, grid);
      expect(v.count).toBe(grid.nx * grid.ny);
      expectRegions(net, grid, await ev.regions2D(net, grid));
      const sig: Network = { ...net, activation: 'sigmoid' };
      expect(relativeL2(await ev.evaluateGrid2D(sig, grid), evaluate2DBrute(sig, gridPoints2D(grid)))).toBeLessThan(BOUND);
    } finally {
      ev.destroy();
    }
  });
});
