import { describe, expect, it } from 'vitest';
import { runBenchmark, quickConfig, defaultConfig, validateConfig, accuracyPoint, SIN_TARGET, batchSize, MAX_BATCH, type BenchConfig } from '../../src/bench/runner.ts';
import type { MethodInstance } from '../../src/bench/methods.ts';
import { toCSV, formatReport, CSV_COLUMNS } from '../../src/bench/format.ts';
import { parseArgs, parseSizes, CliError } from '../../src/bench/cli.ts';

const env = { now: () => performance.now(), device: null, adapter: null, noGpuReason: 'test: CPU only', platform: 'vitest' };

function tiny(): BenchConfig {
  return { ...quickConfig(), sizes: [1, 7, 64], grids1D: [300], grids2D: [17], repeats: 2, runBudgetMs: 5, errorSample: 32 };
}

/** A minimal CSV reader for the test (quoted cells, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

describe('benchmark runner (CPU methods, no GPU)', () => {
  it('produces complete, correct rows and says the GPU methods were skipped', async () => {
    const progress: number[] = [];
    const res = await runBenchmark(env, tiny(), { onProgress: (p) => progress.push(p.done) });
    expect(res.cancelled).toBe(false);
    expect(res.peak).toBeNull();
    expect(res.gpuTiming).toBeNull();
    expect(res.noGpuReason).toBe('test: CPU only');
    // 2 dims × 2 CPU methods × 1 grid × 3 sizes.
    expect(res.rows).toHaveLength(12);
    for (const r of res.rows) {
      expect(r.backend).toBe('cpu');
      expect(r.timing).toBe('cpu-clock');
      expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
      expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
      expect(r.unitEvalsPerS).toBeGreaterThan(0);
      expect(r.flopPerS).toBeCloseTo(r.unitEvalsPerS * r.flopPerUnitEval, -3);
      expect(r.flopPerUnitEval).toBe(r.dim === 1 ? 5 : 7);
      expect(r.peakPct).toBeNull();
      expect(r.errorKind).toBe('relL2');
      expect(r.error).toBeLessThan(1e-12);
      expect(r.errorSample).toBeGreaterThan(0);
      expect(r.points).toBe(r.dim === 1 ? 300 : 17 * 17);
    }
    expect(res.skipped.map((s) => `${s.dim}${s.method}`).sort()).toEqual(['1gpu-brute', '1gpu-search', '2gpu-brute', '2gpu-regions', '2gpu-tiles']);
    expect(res.accuracy.map((a) => a.n)).toEqual([1, 7, 64]);
    expect(progress.at(-1)).toBe(progress.length > 0 ? Math.max(...progress) : 0);
  });

  it('cuts slow brute-force points to part of the grid, scales them, and says so', async () => {
    const cfg: BenchConfig = { ...tiny(), dims: [2], methods: ['cpu-brute'], sizes: [1, 2048, 8192], grids2D: [256], runBudgetMs: 5, repeats: 1, accuracy: null };
    const res = await runBenchmark(env, cfg);
    const big = res.rows.find((r) => r.n === 8192)!;
    expect(big.measuredPoints).toBeLessThan(big.points);
    expect(big.note).toMatch(/cut: timed on \d+ of 65536 points, scaled/);
    expect(res.notes.join(' ')).toMatch(/scaled/);
    expect(big.error).toBeLessThan(1e-12);
  });

  it('returns a partial result when cancelled', async () => {
    const ctrl = new AbortController();
    const res = await runBenchmark(env, tiny(), {
      signal: ctrl.signal,
      onProgress: (p) => {
        if (p.row) ctrl.abort();
      },
    });
    expect(res.cancelled).toBe(true);
    expect(res.rows).toHaveLength(1);
    expect(res.notes.join(' ')).toMatch(/Cancelled/);
  });

  it('rejects bad configs before measuring', async () => {
    await expect(runBenchmark(env, { ...tiny(), sizes: [0] })).rejects.toThrow(/sizes/);
    await expect(runBenchmark(env, { ...tiny(), methods: ['nope'] })).rejects.toThrow(/unknown method 'nope'/);
    expect(() => validateConfig({ ...tiny(), grids2D: [4096] })).toThrow(/grids2D/);
    expect(() => validateConfig({ ...tiny(), repeats: 0 })).toThrow(/repeats/);
    expect(() => validateConfig(defaultConfig())).not.toThrow();
  });

  it('writes CSV with one header, one line per row, and a report naming the adapter', async () => {
    const res = await runBenchmark(env, tiny());
    const csv = parseCsv(toCSV(res));
    expect(csv[0]).toEqual([...CSV_COLUMNS]);
    expect(csv).toHaveLength(1 + res.rows.length + res.accuracy.length);
    for (const line of csv) expect(line).toHaveLength(CSV_COLUMNS.length);
    const n = CSV_COLUMNS.indexOf('median_ms');
    expect(Number(csv[1][n])).toBeCloseTo(res.rows[0].medianMs, 9);
    const text = formatReport(res);
    expect(text).toMatch(/Adapter: none \(test: CPU only\)/);
    expect(text).toMatch(/Accuracy vs N/);
    expect(JSON.parse(JSON.stringify(res)).rows).toHaveLength(res.rows.length);
  });
});

describe('timing short work on a quantised clock', () => {
  // A fake method whose true run time is `trueMs` on a clock that reads in steps of `quantum` (as GPU
  // timestamps do in browsers and in Dawn by default).
  const fake = (trueMs: number, quantum: number): MethodInstance => ({
    prepare() {},
    async run(reps = 1) {
      return (Math.floor((reps * trueMs) / quantum) * quantum) / reps;
    },
    async output() {
      return { kind: 'values', values: [] };
    },
    destroy() {},
  });

  it('grows the batch until one measurement spans the minimum, so a run that reads 0 still gets a rate', async () => {
    for (const [trueMs, quantum] of [[0.003, 0.1], [0.04, 0.0655], [0.9, 0.1], [0.0007, 0.1]] as const) {
      const b = await batchSize(fake(trueMs, quantum), 2, 0);
      expect(b.reps * b.perRun).toBeGreaterThanOrEqual(2);
      expect(b.reps).toBeLessThanOrEqual(MAX_BATCH);
      expect(Math.abs(b.perRun - trueMs) / trueMs).toBeLessThan(0.06);
    }
  });

  it('leaves long runs alone and caps the batch', async () => {
    expect(await batchSize(fake(5, 0.1), 2, 5)).toEqual({ reps: 1, perRun: 5 });
    const tiny = await batchSize(fake(1e-7, 0.1), 2, 0);
    expect(tiny.reps).toBe(MAX_BATCH);
    expect(tiny.perRun).toBe(0);
  });
});

describe('accuracy vs N', () => {
  it('a target that cannot be fitted stops the study with a note, not the run', async () => {
    const res = await runBenchmark(env, { ...tiny(), dims: [1], methods: ['cpu-sweep'], accuracy: { label: 'nowhere', f: () => Number.NaN, domain: [0, 1] } });
    expect(res.rows.length).toBeGreaterThan(0);
    expect(res.accuracy).toHaveLength(0);
    expect(res.notes.join(' ')).toMatch(/Accuracy study stopped at N=1/);
  });

  it('uniform interpolation of sin converges like N^-2', () => {
    const a = accuracyPoint(SIN_TARGET, 64, () => 0);
    const b = accuracyPoint(SIN_TARGET, 128, () => 0);
    expect(a.maxErr / b.maxErr).toBeGreaterThan(3.5);
    expect(a.maxErr / b.maxErr).toBeLessThan(4.5);
    expect(a.rmsErr).toBeLessThan(a.maxErr);
  });
});

describe('CLI flags', () => {
  it('parses sizes, dims, methods, repeats and --quick', () => {
    expect(parseSizes('--sizes', '1..16,3', 65536)).toEqual([1, 2, 3, 4, 8, 16]);
    const o = parseArgs(['--quick', '--dims', '2', '--methods=cpu-sweep,gpu-brute', '--repeats', '5', '--out', 'x']);
    expect(o.config.dims).toEqual([2]);
    expect(o.config.methods).toEqual(['cpu-sweep', 'gpu-brute']);
    expect(o.config.repeats).toBe(5);
    expect(o.config.sizes).toEqual(quickConfig().sizes);
    expect(o.out).toBe('x');
    expect(parseArgs(['--help']).help).toBe(true);
  });

  it('rejects bad flags with a message naming the flag', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--sizes', '0'], /--sizes/],
      [['--sizes', '70000'], /--sizes/],
      [['--sizes', '8..2'], /backwards/],
      [['--sizes'], /needs a value/],
      [['--dims', '3'], /--dims/],
      [['--methods', 'fast'], /unknown method 'fast'/],
      [['--repeats', '-1'], /--repeats/],
      [['--repeats', 'x'], /--repeats/],
      [['--frobnicate'], /unknown flag/],
      [['--cpu', '--methods', 'gpu-brute'], /no method/],
    ];
    for (const [argv, msg] of bad) {
      expect(() => parseArgs(argv)).toThrow(CliError);
      expect(() => parseArgs(argv)).toThrow(msg);
    }
  });
});
