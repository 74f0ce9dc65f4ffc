import { describe, expect, it } from 'vitest';
import { type BenchConfig, type BenchEnv, quickConfig, runBenchmark, seriesConfig, seriesNotes } from '../../src/bench/runner.ts';
import { workerCpuSeries } from '../../src/bench/nodeIsolate.ts';
import { parseArgs } from '../../src/bench/cli.ts';

const env: BenchEnv = { now: () => performance.now(), device: null, adapter: null, noGpuReason: 'test: CPU only', platform: 'vitest' };

function tiny(): BenchConfig {
  return { ...quickConfig(), sizes: [1, 7, 64], grids1D: [300], grids2D: [17, 9], repeats: 2, runBudgetMs: 5, errorSample: 32, accuracy: null };
}

const key = (r: { dim: number; method: string; n: number; grid: string }) => `${r.dim}|${r.method}|${r.n}|${r.grid}`;

describe('CPU series run elsewhere (BenchEnv.cpuSeries)', () => {
  it('hands each CPU series over once, with its own config, and keeps the rows, order and progress of a run in one thread', async () => {
    const jobs: BenchConfig[] = [];
    const isolated: BenchEnv = {
      ...env,
      // In this thread, as the CLI's worker does it: a run of the series' config alone.
      cpuSeries: async (job, onProgress, signal) => {
        jobs.push(job.config);
        const r = await runBenchmark(env, job.config, { signal, onProgress: (p) => (p.row || p.done < p.total) && onProgress(p.message, p.row) });
        return { rows: r.rows, skipped: r.skipped, notes: seriesNotes(r), cancelled: r.cancelled };
      },
    };
    const rowsSeen: string[] = [];
    const done: number[] = [];
    const res = await runBenchmark(isolated, tiny(), {
      onProgress: (p) => {
        done.push(p.done);
        if (p.row) rowsSeen.push(key(p.row));
      },
    });
    const plain = await runBenchmark(env, tiny());
    expect(res.rows.map(key)).toEqual(plain.rows.map(key));
    expect(rowsSeen).toEqual(res.rows.map(key));
    // 2 dims × 2 CPU methods × 2 grids (1D has one).
    expect(jobs.map((c) => `${c.dims}|${c.methods}|${c.dims[0] === 1 ? c.grids1D : c.grids2D}`)).toEqual([
      '1|cpu-brute|300',
      '1|cpu-sweep|300',
      '2|cpu-brute|17',
      '2|cpu-brute|9',
      '2|cpu-sweep|17',
      '2|cpu-sweep|9',
    ]);
    expect(jobs.every((c) => c.accuracy === null)).toBe(true);
    expect(res.skipped.map((s) => `${s.dim}${s.method}`).sort()).toEqual(['1gpu-brute', '1gpu-search', '2gpu-brute', '2gpu-regions', '2gpu-tiles']);
    expect(res.notes.filter((n) => n.startsWith('CPU-only run'))).toHaveLength(1);
    expect(res.notes.filter((n) => /fresh thread/.test(n))).toHaveLength(1);
    expect(plain.notes.some((n) => /fresh thread/.test(n))).toBe(false);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
  });

  it('series config: one method, one grid, no accuracy study', () => {
    const c = seriesConfig({ ...tiny(), accuracy: quickConfig().accuracy }, 2, 'cpu-sweep', 9);
    expect(c.dims).toEqual([2]);
    expect(c.methods).toEqual(['cpu-sweep']);
    expect(c.grids2D).toEqual([9]);
    expect(c.accuracy).toBeNull();
  });

  it('in a worker thread started from the bench CLI module: the rows come back, and a cancel ends the series', async () => {
    const run = workerCpuSeries(new URL('../../scripts/bench.ts', import.meta.url));
    const config = seriesConfig(tiny(), 2, 'cpu-sweep', 17);
    const messages: string[] = [];
    const r = await run({ config }, (m) => messages.push(m));
    expect(r.cancelled).toBe(false);
    expect(r.rows.map((x) => x.n)).toEqual([1, 7, 64]);
    for (const row of r.rows) {
      expect(row.method).toBe('cpu-sweep');
      expect(row.grid).toBe('17x17');
      expect(row.error).toBeLessThan(1e-12);
      expect(row.medianMs).toBeGreaterThan(0);
    }
    expect(messages.some((m) => /cpu-sweep N=64/.test(m))).toBe(true);
    expect(messages).not.toContain('done');

    const ctrl = new AbortController();
    ctrl.abort();
    const c = await run({ config }, () => undefined, ctrl.signal);
    expect(c.cancelled).toBe(true);
    expect(c.rows.length).toBeLessThan(3);
  }, 60_000);

  it('the CLI isolates by default; --no-isolate keeps every series in the main thread', () => {
    expect(parseArgs([]).isolate).toBe(true);
    expect(parseArgs(['--no-isolate']).isolate).toBe(false);
  });
});
