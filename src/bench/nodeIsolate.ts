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
import { type BenchEnv, type BenchRow, type CpuSeriesJob, type CpuSeriesResult, benchNetwork, makeGrid, runBenchmark, seriesNotes } from './runner.ts';
import { type Contender, type ContenderJob, prepareContender } from './headToHead.ts';
import { METHODS } from './methods.ts';

const ROLE = 'relu-bench-cpu-series';
const CONTENDER_ROLE = 'relu-bench-contender';

interface SeriesData {
  role: typeof ROLE;
  job: CpuSeriesJob;
}

/** Messages from a series worker. */
type FromWorker = { kind: 'progress'; message: string; row?: BenchRow } | { kind: 'done'; result: CpuSeriesResult };

/** A CPU contender's worker data (see serveContender). */
interface ContenderData {
  role: typeof CONTENDER_ROLE;
  job: ContenderJob;
}

/** Messages from a contender worker. */
type FromContender = { kind: 'ready' } | { kind: 'time'; ms: number } | { kind: 'error'; message: string };

/** Whether this thread's workerData makes it a CPU contender worker (see serveContender). */
export function isContenderWorker(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === CONTENDER_ROLE;
}

/**
 * A CPU method prepared for alternating turns (src/bench/headToHead.ts) in a fresh worker thread, as its series
 * was measured: `time()` asks the worker for one measurement. Rejects when the worker fails.
 */
export function workerContender(entry: URL, job: ContenderJob): Promise<Contender> {
  return new Promise<Contender>((resolve, reject) => {
    const worker = startWorker(entry, { role: CONTENDER_ROLE, job });
    let waiting: { resolve: (ms: number) => void; reject: (e: unknown) => void } | null = null;
    let failed: Error | null = null;
    const fail = (e: Error) => {
      failed ??= e;
      waiting?.reject(e);
      waiting = null;
      reject(e);
    };
    worker.on('message', (m: FromContender) => {
      if (m.kind === 'ready') {
        resolve({
          time: () =>
            failed
              ? Promise.reject(failed)
              : new Promise<number>((res, rej) => {
                  waiting = { resolve: res, reject: rej };
                  worker.postMessage('time');
                }),
          destroy: () => void worker.terminate(),
        });
      } else if (m.kind === 'time') {
        const w = waiting;
        waiting = null;
        w?.resolve(m.ms);
      } else fail(new Error(m.message));
    });
    worker.once('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.once('exit', (code) => fail(new Error(`the contender worker exited (code ${code})`)));
  });
}

/** The contender worker's side: prepares the method in workerData, then answers each 'time' with one measurement. */
export async function serveContender(): Promise<void> {
  const port = parentPort;
  if (!port || !isContenderWorker(threadData)) throw new Error('serveContender() runs in a contender worker only');
  const { job } = threadData as ContenderData;
  try {
    const spec = METHODS.find((m) => m.id === job.method && m.dim === job.dim && m.backend === 'cpu');
    if (!spec) throw new Error(`no CPU method ${job.method} (${job.dim}D)`);
    const c = await prepareContender(spec, { now: () => performance.now(), device: null }, benchNetwork(job.dim, job.n, job.seed), makeGrid(job.dim, job.grid));
    port.on('message', (m) => {
      if (m !== 'time') return;
      c.time().then(
        (ms) => port.postMessage({ kind: 'time', ms } satisfies FromContender),
        (e: unknown) => port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromContender),
      );
    });
    port.postMessage({ kind: 'ready' } satisfies FromContender);
  } catch (e) {
    port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromContender);
    port.close();
  }
}

/** Whether this thread's workerData makes it a CPU series worker (see serveCpuSeries). */
export function isCpuSeriesWorker(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === ROLE;
}

/**
 * A new worker thread running `entry` with `data`. Under tsx (a .ts entry) the worker registers tsx's loader
 * first: tsx registers it in the main thread only (Node 20), while the `?raw` loader comes with the inherited
 * execArgv (`--import ./scripts/register-raw.mjs`).
 */
function startWorker(entry: URL, data: SeriesData | ContenderData): Worker {
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
