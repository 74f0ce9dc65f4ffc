// The frame-timing script's pure helpers: its command line and its summaries (the browser part is run by hand).
import { describe, expect, it } from 'vitest';
import { UsageError, cpuPerFrame, parseArgs, summarize, table2d, targets, type Row, type Row2D } from '../../scripts/frame-timing.ts';

describe('frame-timing command line', () => {
  it('keeps the 1D run as the default and leaves 2D out', () => {
    const o = parseArgs([]);
    expect(o.oneD).toBe(true);
    expect(o.twoD).toBe(false);
    expect(o.dists).toEqual([{ dir: 'dist', label: 'dist' }]);
    expect(o.sizes2d).toEqual([64, 4096]);
    expect(o.grids).toEqual([1024]);
    expect(o.colours).toEqual(['values', 'regions']);
  });

  it('reads the 2D switches and lists among valued flags', () => {
    const o = parseArgs(['--mode2d', '--no1d', '--sizes2d', '64,4096,65536', '--grids', '512,1024', '--colours', 'error', '--repeats', '3', '--settle', '0', '--dist', 'a=before', '--look', '{"creases":false}']);
    expect(o).toMatchObject({ oneD: false, twoD: true, sizes2d: [64, 4096, 65536], grids: [512, 1024], colours: ['error'], repeats: 3, settleMs: 0, look: { creases: false } });
    expect(o.dists).toEqual([{ dir: 'a', label: 'before' }]);
  });

  it('rejects what it cannot measure with a clear message', () => {
    expect(() => parseArgs(['--grids', '4096'])).toThrow(new UsageError('--grids: 4096 is not an integer from 16 to 2048'));
    expect(() => parseArgs(['--sizes2d', '64,'])).toThrow(UsageError);
    expect(() => parseArgs(['--colours', 'heat'])).toThrow('--colours: heat is not values, error or regions');
    expect(() => parseArgs(['--no1d'])).toThrow('--no1d without --mode2d leaves nothing to measure');
    expect(() => parseArgs(['--repeats'])).toThrow('--repeats needs a value');
    expect(() => parseArgs(['--fast', '1'])).toThrow('unknown flag --fast');
    expect(() => parseArgs(['--look', '[1]'])).toThrow('--look: [1] is not a JSON object');
    expect(() => parseArgs(['--look', '{creases'])).toThrow('--look: {creases is not JSON');
  });
});

describe('frame-timing summaries', () => {
  it('gives the median (upper of an even count) and the best', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, best: 1 });
    expect(summarize([4, 2, 8, 6])).toEqual({ median: 6, best: 2 });
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('prints one table row per 2D case with the GPU work beside the times', () => {
    const zero = { compute: 0, render: 0, submit: 0, mapAsync: 0, writeBytes: 0 };
    const row: Row2D = {
      build: 'dist',
      backend: 'webgpu',
      backendLabel: 'WebGPU',
      grid: 1024,
      n: 4096,
      colour: 'values',
      case: 'camera',
      samples: 3,
      medianMs: 123.4,
      bestMs: 7.891,
      medianResolvedMs: 20,
      longestTaskMs: 0,
      longestTrailingTaskMs: 51,
      gpu: { ...zero, render: 1 },
      gpuAfter: zero,
      plot: 'cpu',
      surface: 'webgpu',
      raw: [],
    };
    const lines = table2d([row]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('| dist | webgpu | 1024² | 4096 | values | (c) camera turn (draw only) | 3 | 123 | 7.89 | 20 | 0.00 | 51 | 0 / 1 / 0 | 0 / 0 / 0 | cpu / webgpu |');
  });
});

describe('frame-timing targets (issue 10)', () => {
  const row = (backend: 'webgpu' | 'webgpu-sw' | 'cpu', c: string, medianMs: number, longestTaskMs: number | null = null): Row => ({ build: 'b', backend, backendLabel: '', case: c, medianMs, longestTaskMs });
  it('says for each target whether the figures meet it, and skips what was not measured', () => {
    const rows: Row[] = [
      row('cpu', 'first frame after navigation', 600),
      row('cpu', '1D pan, N = 8', 30),
      row('cpu', '1D pan, N = 65536', 121),
      row('webgpu', 'first frame after navigation', 1200),
      row('webgpu', '1D pan, N = 65536', 100),
      row('webgpu', 'N slider dragged 1 → 65,536 (least squares), last input → on screen', 300, 120),
      row('webgpu-sw', '1D pan, N = 65536', 130),
    ];
    const t = targets(rows);
    const met = Object.fromEntries(t.map((x) => [x.target, x.met]));
    expect(met['pan at N = 65,536 on the CPU fallback ≤ 4× the pan at N = 8']).toBe(false);
    expect(met['pan at N = 65,536 on WebGPU never slower than on the CPU fallback']).toBe(true);
    expect(met['pan at N = 65,536 on WebGPU, page composited in software, never slower than on the CPU fallback']).toBe(false);
    expect(met['webgpu: N slider 1 → 65,536 on screen ≤ 500 ms after the last input, no task over 100 ms']).toBe(false);
    expect(met['webgpu: first frame ≤ 1 s after navigation']).toBe(false);
    expect(met['cpu: first frame ≤ 1 s after navigation']).toBe(true);
    expect(t.some((x) => x.target.startsWith('cpu: N slider'))).toBe(false);
    expect(t.find((x) => x.target.startsWith('pan at N = 65,536 on the CPU'))!.figures).toBe('121 ms vs 30 ms (4.0×)');
  });
});

describe('frame-timing CPU split', () => {
  it('gives per frame the renderer, the GPU process and all processes, or null without both readings', () => {
    const before = { browser: 100, renderer: 1000, 'gpu-process': 500 };
    const after = { browser: 130, renderer: 1300, 'gpu-process': 560, utility: 0 };
    expect(cpuPerFrame(before, after, 3)).toEqual({ page: 100, gpuProcess: 20, all: 130 });
    expect(cpuPerFrame(null, after, 3)).toBeNull();
    expect(cpuPerFrame(before, after, 0)).toBeNull();
  });
});
