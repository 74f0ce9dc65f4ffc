import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from './dawn.ts';
import { CANDIDATES_2D, Picker2D, calibrate2D, calibrationKey, candidateOutput } from '../../src/engine/calibrate2d.ts';
import { AutoEvaluator } from '../../src/engine/backend.ts';
import { CpuEvaluator, evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { GpuEvaluator, type GpuStartup, requestGpu } from '../../src/engine/gpu/context.ts';
import { type Grid2D, gridPoints2D, relativeL2 } from '../../src/model/grid.ts';
import { randomNetwork } from '../../src/model/network.ts';
import type { Regions } from '../../src/model/regions.ts';

const BOUND = 1e-5;

let gpu: GPU;
let startup: Extract<GpuStartup, { kind: 'ok' }>;
const cpu = new CpuEvaluator();

beforeAll(async () => {
  gpu = nodeGpu();
  const s = await requestGpu(gpu);
  if (s.kind !== 'ok') throw new Error(`WebGPU startup failed in Node: ${s.kind}`);
  startup = s;
});

afterAll(() => startup?.device.destroy());

describe('every 2D candidate agrees with the float64 twin', () => {
  const cases: Array<{ n: number; grid: Grid2D }> = [
    { n: 1, grid: { xMin: -1.2, xMax: 1.1, yMin: -1, yMax: 0.9, nx: 63, ny: 65 } },
    { n: 65, grid: { xMin: -1.2, xMax: 1.1, yMin: -1, yMax: 0.9, nx: 65, ny: 63 } },
    { n: 4097, grid: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5, nx: 33, ny: 31 } },
  ];
  for (const c of CANDIDATES_2D) {
    for (const output of c.outputs) {
      it(`${c.id} (${output})`, async () => {
        if (!c.available(startup.device)) {
          // Unavailable here (a feature this adapter lacks): the picker never offers it, nothing to compare.
          expect(c.backend).toBe('gpu');
          return;
        }
        const gpuEval = c.backend === 'gpu' ? await GpuEvaluator.onSharedDevice(startup, c.gpuOptions) : null;
        try {
          for (const { n, grid } of cases) {
            const net = randomNetwork(2, n, 900 + n);
            const xy = gridPoints2D(grid);
            const got = await candidateOutput(c, output, net, grid, cpu, gpuEval);
            if (output === 'values') {
              expect(relativeL2(got as ArrayLike<number>, evaluate2DBrute(net, xy))).toBeLessThan(BOUND);
            } else {
              const r = got as Regions;
              const want = regions2DBrute(net, xy);
              let bad = 0;
              for (let i = 0; i < want.active.length; i++) if (r.active[i] !== want.active[i] || r.pattern[i] !== want.pattern[i]) bad++;
              // Points within float32 rounding of a crease may flip one unit; allow a tiny fraction.
              expect(bad / want.active.length).toBeLessThan(0.002);
            }
          }
        } finally {
          gpuEval?.destroy();
        }
      });
    }
  }
});

describe('calibration on this adapter', () => {
  it('times the available candidates and picks one of them; the evaluator then routes 2D grids to it', async () => {
    const auto = await AutoEvaluator.create({ gpu });
    try {
      expect(auto.kind).toBe('webgpu');
      const device = auto.device!;
      const available = CANDIDATES_2D.filter((c) => c.available(device)).map((c) => c.id);
      const cal = await calibrate2D({
        device,
        run: auto.runCandidate2D,
        now: () => performance.now(),
        key: calibrationKey(startup.adapter.info, 'test', available),
        adapter: startup.adapterName,
        // Small sizes only: this checks the machinery, not the figures.
        ladder: [
          { n: 16, side: 32 },
          { n: 64, side: 64 },
        ],
      });
      expect(cal.candidates).toEqual(available);
      for (const id of available) expect(cal.samples.some((s) => s.id === id)).toBe(true);
      const picker = new Picker2D(cal);
      const values = picker.pick('values', 256, 128, 128)!;
      const regions = picker.pick('regions', 256, 128, 128)!;
      expect(available).toContain(values.id);
      expect(available).toContain(regions.id);
      auto.picker = picker;
      const net = randomNetwork(2, 256, 5);
      const grid: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 128, ny: 128 };
      expect(auto.picked(net, grid, 'values')?.id).toBe(values.id);
      expect(auto.picked(net, grid, 'values', true)?.backend).toBe('gpu');
      expect(relativeL2(await auto.evaluateGrid2D(net, grid), evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(BOUND);
      const v = await auto.gridValues2D(net, grid);
      expect(v?.count).toBe(128 * 128);
      // Malformed inputs get no pick, and the evaluator reports them as before.
      expect(auto.picked(net, { ...grid, nx: 0 }, 'values')).toBeNull();
      await expect(auto.evaluateGrid2D(net, { ...grid, nx: 0 })).rejects.toThrow();
    } finally {
      auto.destroy();
    }
  });
});
