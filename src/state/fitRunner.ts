/**
 * Where constructions run: a FitRunner takes the construction inputs and an AbortSignal and resolves with
 * the network. In the browser a Web Worker runs them (the main thread never blocks on a fit); in Node and
 * wherever Worker is missing they run in-process, a macrotask later.
 */
import type { Network } from '../model/network.ts';
import { construct } from './construction.ts';
import { type FitReply, type FitRequest, decodeFitReply } from './fitProtocol.ts';
import type { FitInputs } from './types.ts';
import { type QueueWorker, WorkerQueue } from './workerQueue.ts';

/** A Gram matrix computed elsewhere (the GPU) for a 2D least-squares fit: HᵀH and Hᵀz. */
export interface GivenGram {
  gram: Float64Array;
  rhs: Float64Array;
  /** The smallest λ its rounding allows (a float32 GPU sum); the fit uses max(ridge, ridgeFloor). */
  ridgeFloor?: number;
}

/**
 * Runs constructions. Rejects with a StateError when the fit fails, with `signal.reason` once aborted.
 * `gram`, for 2D least squares, is the Gram matrix of exactly these inputs' hidden units and samples.
 */
export interface FitRunner {
  fit(inputs: FitInputs, signal: AbortSignal, gram?: GivenGram): Promise<Network>;
}

/** Fits on the calling thread, a macrotask after the call, so a burst of superseded requests never runs. */
export class InProcessFitRunner implements FitRunner {
  fit(inputs: FitInputs, signal: AbortSignal, gram?: GivenGram): Promise<Network> {
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        if (signal.aborted) return reject(signal.reason);
        try {
          resolve(construct(inputs, inputs.build, gram));
        } catch (e) {
          reject(e);
        }
      }, 0);
    });
  }
}

/** The part of a Worker the runner uses (a real Worker, or a stand-in in tests). */
export type FitWorker = QueueWorker<FitRequest, FitReply>;

/**
 * Fits in a worker, one fit at a time: while one runs, only the newest request waits (a drag of the N slider
 * posts the fit of where it stopped, not of every step it passed); an aborted fit's result is ignored when it
 * arrives. Terminating the worker on every abort was slower: a module worker takes longer to start than most
 * fits take. If the worker cannot start (no module workers, blocked script), it falls back to in-process
 * fitting for good.
 */
export class WorkerFitRunner implements FitRunner {
  private readonly queue: WorkerQueue<FitRequest, FitReply, Network>;
  private fallback: InProcessFitRunner | null = null;

  constructor(spawn: () => FitWorker) {
    this.queue = new WorkerQueue(spawn, decodeFitReply, (pending) => {
      const fallback = (this.fallback = new InProcessFitRunner());
      const never = new AbortController().signal;
      for (const job of pending) fallback.fit(job.request.inputs, never, job.request.gram).then(job.resolve, job.reject);
    });
  }

  fit(inputs: FitInputs, signal: AbortSignal, gram?: GivenGram): Promise<Network> {
    if (this.fallback) return this.fallback.fit(inputs, signal, gram);
    if (signal.aborted) return Promise.reject(signal.reason);
    let job: { id: number; result: Promise<Network> };
    try {
      job = this.queue.submit((id) => (gram ? { id, inputs, gram } : { id, inputs }));
    } catch {
      // No worker here (blocked by the origin or a policy): fit in-process from now on.
      this.fallback = new InProcessFitRunner();
      return this.fallback.fit(inputs, signal, gram);
    }
    signal.addEventListener('abort', () => this.queue.cancel(job.id, signal.reason), { once: true });
    return job.result;
  }
}

/** The runner for this environment: a module worker where Worker exists, else in-process. */
export function defaultFitRunner(): FitRunner {
  if (typeof Worker !== 'function') return new InProcessFitRunner();
  return new WorkerFitRunner(() => new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' }) as unknown as FitWorker);
}
