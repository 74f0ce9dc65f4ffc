/**
 * Node-only (the bench CLI, scripts/bench.ts): each CPU series of a run measured in a fresh worker thread
 * (BenchEnv.cpuSeries). After the 1D series the same 2D CPU code ran 1.2–1.4× slower (CPU time) in the thread that
 * had run them, a forced GC did not undo it, and a fresh worker did not show it (bench/NOTES.md); the calibration
 * runs first in a fresh process and the app's grid worker evaluates 2D grids in a thread of its own, so fresh
 * threads are what the picks are about. Never imported by the app.
 *
 * The worker runs the CLI's own entry module (`entry`, scripts/bench.ts under tsx or the bundled bench.mjs), which
 * calls serveCpuSeries() when isCpuSeriesWorker(workerData) holds.
 */
import { Worker, parentPort, workerData as threadData } from 'node:worker_threads';
import { type BenchEnv, type BenchRow, type CpuSeriesJob, type CpuSeriesResult, runBenchmark, seriesNotes } from './runner.ts';

const ROLE = 'relu-bench-cpu-series';

interface SeriesData {
  role: typeof ROLE;
  job: CpuSeriesJob;
}

/** Messages from a series worker. */
type FromWorker = { kind: 'progress'; message: string; row?: BenchRow } | { kind: 'done'; result: CpuSeriesResult };

/** Whether this thread's workerData makes it a CPU series worker (see serveCpuSeries). */
export function isCpuSeriesWorker(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === ROLE;
}

/**
 * A new worker thread running `entry` with `data`. Under tsx (a .ts entry) the worker registers tsx's loader
 * first: tsx registers it in the main thread only (Node 20), while the `?raw` loader comes with the inherited
 * execArgv (`--import ./scripts/register-raw.mjs`).
 */
function startWorker(entry: URL, data: SeriesData): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** BenchEnv.cpuSeries for Node: each series in a worker of its own, started from `entry` and ended with it. */
export function workerCpuSeries(entry: URL): NonNullable<BenchEnv['cpuSeries']> {
  return (job, onProgress, signal) =>
    new Promise<CpuSeriesResult>((resolve, reject) => {
      // The config's accuracy target holds a function, which cannot be posted; a series never runs the study.
      const worker = startWorker(entry, { role: ROLE, job: { config: { ...job.config, accuracy: null } } });
      let settled = false;
      const cancel = () => worker.postMessage('cancel');
      signal?.addEventListener('abort', cancel, { once: true });
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', cancel);
        f();
        void worker.terminate();
      };
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'progress') onProgress(m.message, m.row);
        else finish(() => resolve(m.result));
      });
      worker.once('error', (e) => finish(() => reject(e)));
      worker.once('exit', (code) => finish(() => reject(new Error(`the CPU series worker exited (code ${code}) before it finished`))));
      if (signal?.aborted) cancel();
    });
}

/** The worker's side: runs the series in workerData on the CPU, posts progress and the result, then returns. */
export async function serveCpuSeries(): Promise<void> {
  const port = parentPort;
  if (!port || !isCpuSeriesWorker(threadData)) throw new Error('serveCpuSeries() runs in a CPU series worker only');
  const { job } = threadData as SeriesData;
  const controller = new AbortController();
  port.on('message', (m) => {
    if (m === 'cancel') controller.abort();
  });
  const result = await runBenchmark(
    { now: () => performance.now(), device: null, adapter: null, noGpuReason: 'CPU series worker', platform: 'worker thread' },
    job.config,
    {
      signal: controller.signal,
      // The points' messages and rows; the worker's closing message ('done') would read as the whole run's.
      onProgress: (p) => {
        if (p.row || p.done < p.total) port.postMessage({ kind: 'progress', message: p.message, row: p.row } satisfies FromWorker);
      },
    },
  );
  const out: CpuSeriesResult = { rows: result.rows, skipped: result.skipped, notes: seriesNotes(result), cancelled: result.cancelled };
  port.postMessage({ kind: 'done', result: out } satisfies FromWorker);
  port.close();
}
