/**
 * The auto learning rate (model/trainSetup.ts `autoLr`) off the main thread: at 65,536 units its sorted sweeps
 * took over 100 ms on the main thread when a training run started. A worker of its own (not the fit worker, whose
 * queue keeps only the newest request and would drop this one behind a fit); in-process where Worker is missing
 * or fails to load. The message handler is a plain function, so Node tests run exactly what the worker runs.
 */
import type { Network } from '../model/network.ts';
import { autoLr } from '../model/trainSetup.ts';
import { type QueueWorker, WorkerQueue } from './workerQueue.ts';

/** One request: the network and the training samples, as typed arrays (transferred, not copied). */
export interface AutoLrRequest {
  id: number;
  network: { dim: Network['dim']; w: Float64Array; b: Float64Array; a: Float64Array; c: number; activation?: Network['activation'] };
  xs: Float64Array;
  ys: Float64Array;
}

/** The worker's answer: the rate, or why it could not be computed. */
export type AutoLrReply = { id: number; ok: true; lr: number } | { id: number; ok: false; message: string };

/** Runs one request; never throws. */
export function handleAutoLrMessage(req: AutoLrRequest): AutoLrReply {
  try {
    return { id: req.id, ok: true, lr: autoLr(req.network as unknown as Network, { xs: req.xs, ys: req.ys }) };
  } catch (e) {
    return { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The buffers a request hands over (copies made for it, so the caller's arrays stay as they are). */
export function transferablesOfAutoLr(req: AutoLrRequest): ArrayBuffer[] {
  return [...new Set([req.network.w, req.network.b, req.network.a, req.xs, req.ys].map((x) => x.buffer as ArrayBuffer))];
}

function decode(reply: AutoLrReply): number {
  if (!reply.ok) throw new Error(`The learning-rate worker failed: ${reply.message}`);
  return reply.lr;
}

/** The part of a Worker the runner uses; `postMessage` may take a transfer list. */
export type AutoLrWorker = QueueWorker<AutoLrRequest, AutoLrReply>;

/** `autoLr` in a worker (one request at a time; a newer one replaces one still waiting, which then stays pending until cancelled). */
export class AutoLrRunner {
  private readonly queue: WorkerQueue<AutoLrRequest, AutoLrReply, number> | null;
  private inProcess = false;

  /** `spawn` null: computed in-process, a macrotask after the call. */
  constructor(spawn: (() => AutoLrWorker) | null) {
    this.queue = spawn
      ? new WorkerQueue(spawn, decode, (pending) => {
          this.inProcess = true;
          for (const job of pending) {
            const r = handleAutoLrMessage(job.request);
            r.ok ? job.resolve(r.lr) : job.reject(new Error(r.message));
          }
        })
      : null;
  }

  /** The auto learning rate of `net` on these samples (see `autoLr`); a cancelled request rejects with the signal's reason. */
  lr(net: Network, samples: { xs: ArrayLike<number>; ys: ArrayLike<number> }, signal?: AbortSignal): Promise<number> {
    const request = (id: number): AutoLrRequest => ({
      id,
      network: { dim: net.dim, w: Float64Array.from(net.w), b: Float64Array.from(net.b), a: Float64Array.from(net.a), c: net.c, ...(net.activation ? { activation: net.activation } : {}) },
      xs: Float64Array.from(samples.xs),
      ys: Float64Array.from(samples.ys),
    });
    if (!this.queue || this.inProcess) return inProcess(net, samples);
    let job: { id: number; result: Promise<number> };
    try {
      job = this.queue.submit(request);
    } catch {
      this.inProcess = true;
      return inProcess(net, samples);
    }
    signal?.addEventListener('abort', () => this.queue!.cancel(job.id, signal.reason), { once: true });
    return job.result;
  }
}

function inProcess(net: Network, samples: { xs: ArrayLike<number>; ys: ArrayLike<number> }): Promise<number> {
  return new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(autoLr(net, samples));
      } catch (e) {
        reject(e);
      }
    }, 0),
  );
}

/** The runner for this environment: a module worker where Worker exists, else in-process. */
export function defaultAutoLrRunner(): AutoLrRunner {
  if (typeof Worker !== 'function') return new AutoLrRunner(null);
  return new AutoLrRunner(() => {
    const w = new Worker(new URL('./autoLr.worker.ts', import.meta.url), { type: 'module' });
    // The queue posts plain requests: hand their fresh buffers over instead of copying them.
    const post = w.postMessage.bind(w);
    return Object.assign(w, { postMessage: (req: AutoLrRequest) => post(req, transferablesOfAutoLr(req)) }) as unknown as AutoLrWorker;
  });
}
