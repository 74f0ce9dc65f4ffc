/**
 * Where constructions run: a FitRunner takes the construction inputs and an AbortSignal and resolves with
 * the network. In the browser a Web Worker runs them (the main thread never blocks on a fit); in Node and
 * wherever Worker is missing they run in-process, a macrotask later.
 */
import type { Network } from '../model/network.ts';
import { construct } from './construction.ts';
import { type FitReply, type FitRequest, decodeFitReply } from './fitProtocol.ts';
import type { FitInputs } from './types.ts';

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
export interface FitWorker {
  onmessage: ((e: MessageEvent<FitReply>) => void) | null;
  onerror: ((e: Event) => void) | null;
  postMessage(req: FitRequest): void;
  terminate(): void;
}

interface Job {
  inputs: FitInputs;
  gram?: GivenGram;
  resolve(net: Network): void;
  reject(e: unknown): void;
}

/**
 * Fits in a worker, one fit at a time: while one runs, only the newest request waits (a drag of the N slider
 * posts the fit of where it stopped, not of every step it passed); an aborted fit's result is ignored when it
 * arrives. Terminating the worker on every abort was slower: a module worker takes longer to start than most
 * fits take. If the worker cannot start (no module workers, blocked script), it falls back to in-process
 * fitting for good.
 */
export class WorkerFitRunner implements FitRunner {
  private worker: FitWorker | null = null;
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();
  private fallback: InProcessFitRunner | null = null;
  /** The fit the worker is running, and the newest one waiting for it. */
  private posted: number | null = null;
  private waiting: number | null = null;

  constructor(private readonly spawn: () => FitWorker) {}

  fit(inputs: FitInputs, signal: AbortSignal, gram?: GivenGram): Promise<Network> {
    if (this.fallback) return this.fallback.fit(inputs, signal, gram);
    if (signal.aborted) return Promise.reject(signal.reason);
    let worker: FitWorker;
    try {
      worker = this.worker ??= this.start();
    } catch {
      // No worker here (blocked by the origin or a policy): fit in-process from now on.
      this.fallback = new InProcessFitRunner();
      return this.fallback.fit(inputs, signal, gram);
    }
    const id = this.nextId++;
    return new Promise<Network>((resolve, reject) => {
      this.jobs.set(id, { inputs, gram, resolve, reject });
      signal.addEventListener(
        'abort',
        () => {
          if (!this.jobs.delete(id)) return;
          if (this.waiting === id) this.waiting = null;
          reject(signal.reason);
        },
        { once: true },
      );
      if (this.posted === null) this.post(worker, id);
      else this.waiting = id;
    });
  }

  private post(worker: FitWorker, id: number): void {
    this.posted = id;
    const job = this.jobs.get(id)!;
    worker.postMessage(job.gram ? { id, inputs: job.inputs, gram: job.gram } : { id, inputs: job.inputs });
  }

  private start(): FitWorker {
    const w = this.spawn();
    w.onmessage = (e) => {
      if (e.data.id === this.posted) this.posted = null;
      const job = this.jobs.get(e.data.id);
      if (job) {
        this.jobs.delete(e.data.id);
        try {
          job.resolve(decodeFitReply(e.data));
        } catch (err) {
          job.reject(err);
        }
      }
      const next = this.waiting;
      if (this.posted === null && next !== null && this.jobs.has(next)) {
        this.waiting = null;
        this.post(w, next);
      }
    };
    w.onerror = (e) => {
      // Only a worker that failed to load gets here: the handler turns every fit error into a reply.
      e.preventDefault();
      this.stop();
      this.fallback = new InProcessFitRunner();
      const pending = [...this.jobs.values()];
      this.jobs.clear();
      const never = new AbortController().signal;
      for (const job of pending) this.fallback.fit(job.inputs, never, job.gram).then(job.resolve, job.reject);
    };
    return w;
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.posted = null;
    this.waiting = null;
  }
}

/** The runner for this environment: a module worker where Worker exists, else in-process. */
export function defaultFitRunner(): FitRunner {
  if (typeof Worker !== 'function') return new InProcessFitRunner();
  return new WorkerFitRunner(() => new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' }) as unknown as FitWorker);
}
