import { describe, expect, it } from 'vitest';
import { CALIBRATION_VERSION, CANDIDATES_2D, LADDER, Picker2D, type Sample2D, candidateById, predictMs } from '../../src/engine/calibrate2d.ts';
import { formatPicked, pickedPoints, predictedPoints } from '../../src/bench/picked.ts';
import { METHOD_IDS } from '../../src/bench/methods.ts';
import type { BenchResult, BenchRow } from '../../src/bench/runner.ts';

describe('each candidate names its bench method', () => {
  const bench = (id: string, n: number, side: number, auto: 'tiled' | 'cache8' | 'cache8sg', output: 'values' | 'regions' = 'values') =>
    candidateById(id)!.benchMethod(output, n, side, side, auto);
  it('the method that times what it runs at that size', () => {
    expect(bench('cpu', 0, 128, 'cache8sg')).toBe('cpu-brute');
    expect(bench('cpu', 1, 128, 'cache8sg')).toBe('cpu-sweep');
    expect(bench('cpu', 64, 128, 'cache8sg')).toBe('cpu-sweep');
    expect(bench('gpu-cache8sg', 64, 512, 'cache8sg')).toBe('gpu-brute');
    expect(bench('gpu-cache8', 64, 512, 'cache8sg')).toBe('gpu-v-cache8');
    // 'tiled' runs eval2d_tiled8 under 2^20 points: gpu-v-tiled8 on CPU-like adapters.
    // On hardware ('tiled') the evaluator splits the unit range automatically: the bench's gpu-v-split.
    expect(bench('gpu-tiled', 4096, 256, 'tiled')).toBe('gpu-v-split');
    expect(bench('gpu-tiled', 64, 512, 'tiled')).toBe('gpu-brute');
    expect(bench('gpu-tiled', 64, 512, 'cache8')).toBe('gpu-v-tiled8');
    expect(bench('gpu-tiled', 64, 1024, 'cache8')).toBeNull();
    expect(bench('gpu-tiles', 64, 1024, 'tiled')).toBe('gpu-tiles');
    expect(bench('gpu-tiles', 64, 1024, 'tiled', 'regions')).toBe('gpu-tiles-regions');
    expect(bench('gpu-regions', 64, 1024, 'cache8sg', 'regions')).toBe('gpu-regions');
    expect(bench('gpu-regions', 4096, 256, 'tiled', 'regions')).toBe('gpu-regions-split');
    // Every candidate names a method the bench knows (or none).
    for (const c of CANDIDATES_2D) for (const o of c.outputs) for (const auto of ['tiled', 'cache8sg'] as const) {
      const m = c.benchMethod(o, 4096, 256, 256, auto);
      if (m !== null) expect(METHOD_IDS).toContain(m);
    }
  });
});

function row(method: string, n: number, side: number, ms: number): BenchRow {
  return {
    dim: 2, method, backend: method.startsWith('cpu') ? 'cpu' : 'gpu', output: 'values', exact: method === 'cpu-sweep', n, grid: `${side}x${side}`, points: side * side,
    measuredPoints: side * side, medianMs: ms, minMs: ms, maxMs: ms, repeats: 1, setupMs: 0, unitEvalsPerS: 0, flopPerUnitEval: 5, flopPerS: 0, peakPct: null,
    errorKind: 'relL2', error: 0, errorSample: 1, timing: 'cpu-clock', note: '',
  };
}

describe('pickedPoints and formatPicked', () => {
  // The CPU is cheap at small sizes, the GPU kernel at big ones.
  const cpu = (n: number, s: number) => 0.01 + 1e-6 * s * s + 1e-7 * s * n;
  const gpu = (n: number, s: number) => 0.5 + 1e-11 * n * s * s;
  const samples: Sample2D[] = LADDER.flatMap(({ n, side }) => [
    { id: 'cpu', output: 'values' as const, n, nx: side, ny: side, ms: cpu(n, side) },
    { id: 'gpu-tiled', output: 'values' as const, n, nx: side, ny: side, ms: gpu(n, side) },
  ]);
  const picker = new Picker2D({ version: CALIBRATION_VERSION, key: 'k', adapter: 'a', measuredAt: 't', durationMs: 1500, candidates: ['cpu', 'gpu-tiled'], samples });

  it('sets each 2D value point’s pick beside the fastest method there, and judges the ratio', () => {
    const result = {
      rows: [row('cpu-sweep', 64, 128, 0.1), row('gpu-brute', 64, 128, 0.6), row('cpu-sweep', 65536, 512, 900), row('gpu-brute', 65536, 512, 3.2), row('gpu-v-split', 65536, 512, 3), row('cpu-brute', 65536, 512, 1e5)],
    } as unknown as BenchResult;
    const pts = pickedPoints(result, picker, 'tiled');
    expect(pts).toEqual([
      { n: 64, grid: '128x128', pick: 'cpu', method: 'cpu-sweep', pickedMs: 0.1, best: { method: 'cpu-sweep', ms: 0.1 }, ratio: 1, minRatio: 1, skipped: false },
      { n: 65536, grid: '512x512', pick: 'gpu-tiled', method: 'gpu-v-split', pickedMs: 3, best: { method: 'gpu-v-split', ms: 3 }, ratio: 1, minRatio: 1, skipped: false },
    ]);
    const text = formatPicked(pts, picker);
    expect(text).toMatch(new RegExp(`calibrated in 1\\.5 s, ${2 * LADDER.length} timings`));
    expect(text).toMatch(/Picked within 10 % of the best at 2 of 2 2D value points \(worst ratio 1\.00/);
    expect(text).toMatch(/By each method's fastest repeat: within 10 % at 2 of 2 \(worst ratio 1\.00/);
  });

  it('says when the pick was skipped for the run’s budget', () => {
    const result = {
      rows: [row('cpu-sweep', 64, 128, 0.1)],
      skipped: [{ dim: 2, method: 'cpu-sweep', n: 64, grid: '128x128', reason: 'predicted 2 s' }],
    } as unknown as BenchResult;
    const rows = { ...result, rows: [row('gpu-brute', 64, 128, 0.6)] } as unknown as BenchResult;
    const pts = pickedPoints(rows, picker, 'tiled');
    expect(pts[0]).toMatchObject({ pick: 'cpu', method: 'cpu-sweep', pickedMs: null, skipped: true });
    expect(formatPicked(pts, picker)).toMatch(/picked cpu \(cpu-sweep skipped for the run's budget \(raise --budget to include\)\)/);
  });

  it('names a pick whose method was not in the run, with the flag that adds it', () => {
    const result = { rows: [row('cpu-sweep', 65536, 512, 900)] } as unknown as BenchResult;
    const pts = pickedPoints(result, picker, 'cache8');
    expect(pts[0].pickedMs).toBeNull();
    expect(formatPicked(pts, picker)).toMatch(/not measured in this run \(add --methods gpu-v-tiled8\)[\s\S]*at 0 of 0 .*; 1 point\(s\) whose pick was not measured\./);
  });

  it('sets every candidate’s prediction beside the run’s median for its method (predictedPoints)', () => {
    const result = { rows: [row('cpu-sweep', 64, 128, 0.1), row('gpu-brute', 64, 128, 0.6)] } as unknown as BenchResult;
    const pts = predictedPoints(result, picker, 'tiled');
    expect(pts.map((p) => [p.id, p.method, p.measuredMs])).toEqual([
      ['cpu', 'cpu-sweep', 0.1],
      ['gpu-tiled', 'gpu-brute', 0.6],
    ]);
    expect(pts[0].predictedMs).toBeCloseTo(predictMs(picker.model('cpu', 'values')!, 64, 128, 128), 12);
    // A method the run did not time: no measurement.
    expect(predictedPoints(result, picker, 'cache8')[1]).toMatchObject({ id: 'gpu-tiled', method: 'gpu-v-tiled8', measuredMs: null });
  });
});
