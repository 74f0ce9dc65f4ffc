import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { PeakKernel, PEAK_FLOP_PER_TRIP, PEAK_FORMS } from '../../src/engine/gpu/peak.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice(['timestamp-query']));
});
afterAll(() => device?.destroy());

describe('FMA peak microbenchmark', () => {
  it('reports a positive, finite FLOP/s for both forms without GPU errors, by either timing method', async () => {
    for (const useTimestamps of [true, false]) {
      if (useTimestamps && !device.features.has('timestamp-query')) continue;
      device.pushErrorScope('validation');
      const peak = new PeakKernel(device, () => performance.now(), useTimestamps);
      const r = await peak.measure({ minMs: 5, repeats: 1, invocations: 4096, maxTrips: 256 });
      peak.destroy();
      peak.destroy();
      expect(await device.popErrorScope()).toBeNull();
      expect(r.timing).toBe(useTimestamps ? 'timestamp-query' : 'onSubmittedWorkDone');
      expect(Object.keys(r.byForm).sort()).toEqual([...PEAK_FORMS].sort());
      for (const v of [r.flops, ...Object.values(r.byForm)]) {
        expect(Number.isFinite(v) && v > 0).toBe(true);
      }
      expect(r.flops).toBe(Math.max(...Object.values(r.byForm)));
      expect(r.byForm[r.form]).toBe(r.flops);
      expect(r.flops).toBeCloseTo((r.invocations * r.trips * PEAK_FLOP_PER_TRIP) / (r.timeMs / 1e3), -3);
    }
  });
});
