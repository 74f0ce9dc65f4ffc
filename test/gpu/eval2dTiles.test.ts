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
let kernel: Eval2DTilesKernel;
/** A kernel with tiny lists, so most tiles take the overflow path. */
let small: Eval2DTilesKernel;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  units = new UnitBuffer(device);
  kernel = new Eval2DTilesKernel(device);
  small = new Eval2DTilesKernel(device, 'eval2d_tiles small', 3);
});

afterAll(() => {
  kernel?.destroy();
  kernel?.destroy();
  small?.destroy();
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

function expectRegions(net: Network, grid: Grid2D, got: Regions): void {
  const xy = gridPoints2D(grid);
  const want = regions2DBrute(net, xy);
  let off = 0;
  for (let p = 0; p < want.active.length; p++) {
    if (got.active[p] !== want.active[p] || got.pattern[p] !== want.pattern[p]) {
      if (!nearCrease(net, xy[2 * p], xy[2 * p + 1])) off++;
    }
  }
  expect(off).toBe(0);
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
      const want = evaluate2DBrute(net, gridPoints2D(grid));
      expect(relativeL2(await values(kernel, net, grid), want)).toBeLessThan(BOUND);
      expectRegions(net, grid, await regions(kernel, net, grid));
    });
  }
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
