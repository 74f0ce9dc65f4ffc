/**
 * Where exact arrangements are computed: in the browser a Web Worker (1,000 lines take about a second, which the
 * main thread must not spend); in Node and wherever Worker is missing, in-process, a macrotask later. Only the
 * newest request matters: each `compute` supersedes the ones before it, which reject with an AbortError
 * DOMException (what the fit runner rejects with once its signal aborts), so callers ignore them the same way.
 */
import type { PackedArrangement2D } from '../model/arrangement2d.ts';
import type { Rect } from '../model/lines2d.ts';
import type { Network } from '../model/network.ts';
import { type ArrangementReply, type ArrangementRequest, type PackedNetwork, decodeArrangementReply, handleArrangementMessage, packNetwork } from './arrangementProtocol.ts';
import { type PendingJob, type QueueWorker, WorkerQueue } from './workerQueue.ts';

/** Options of one request. */
export interface ArrangementRequestOptions {
  /** Compute the cells' polygons (default true; only for N ≤ MAX_EXACT_UNITS). */
  polygons?: boolean;
}

/**
 * Computes arrangements, newest request only. `compute` resolves with the arrangement (cells packed: see
 * `unpackRegions` for objects), rejects with InvalidNetworkError or InvalidViewError for bad input, and with an
 * AbortError DOMException once a newer request or `cancel()` supersedes it.
 */
export interface ArrangementRunner {
  compute(net: Network, view: Rect, opts?: ArrangementRequestOptions): Promise<PackedArrangement2D>;
  /** Rejects every pending request (AbortError); a computation already running finishes unseen. */
  cancel(): void;
  /** Cancels and releases the worker; safe twice. A later `compute` starts a fresh worker. */
  destroy(): void;
}

/** The error a superseded or cancelled request rejects with; `isAbort` recognises it. */
export function abortError(why: string): DOMException {
  return new DOMException(why, 'AbortError');
}

/** True for the rejection of a superseded or cancelled request (and for an aborted fit's). */
export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

const SUPERSEDED = 'superseded by a newer arrangement request';
const CANCELLED = 'arrangement request cancelled';

type Job = PendingJob<ArrangementRequest, PackedArrangement2D>;

function request(id: number, net: Network | PackedNetwork, view: Rect, opts: ArrangementRequestOptions): ArrangementRequest {
  return { id, network: packNetwork(net), view: { xMin: view.xMin, xMax: view.xMax, yMin: view.yMin, yMax: view.yMax }, polygons: opts.polygons ?? true };
}

/** Computes on the calling thread a macrotask after the call, so a burst of superseded requests never runs. */
export class InProcessArrangementRunner implements ArrangementRunner {
  private pending: Job | null = null;
  private nextId = 1;

  compute(net: Network | PackedNetwork, view: Rect, opts: ArrangementRequestOptions = {}): Promise<PackedArrangement2D> {
    this.pending?.reject(abortError(SUPERSEDED));
    return new Promise((resolve, reject) => {
      const job: Job = { request: request(this.nextId++, net, view, opts), resolve, reject };
      this.pending = job;
      setTimeout(() => {
        if (this.pending !== job) return;
        this.pending = null;
        try {
          resolve(decodeArrangementReply(handleArrangementMessage(job.request)));
        } catch (e) {
          reject(e);
        }
      }, 0);
    });
  }

  cancel(): void {
    this.pending?.reject(abortError(CANCELLED));
    this.pending = null;
  }

  destroy(): void {
    this.cancel();
  }
}

/** The part of a Worker the runner uses (a real Worker, or a stand-in in tests). */
export type ArrangementWorker = QueueWorker<ArrangementRequest, ArrangementReply>;

/**
 * Computes in a worker, one request at a time: while one runs, only the newest request waits, and every older
 * one is rejected at once (the running one's result is dropped when it arrives). The worker is not terminated
 * on supersede: a module worker starts slower than most arrangements take. If it cannot start, computing falls
 * back to in-process for good.
 */
export class WorkerArrangementRunner implements ArrangementRunner {
  private readonly queue: WorkerQueue<ArrangementRequest, ArrangementReply, PackedArrangement2D>;
  private fallback: InProcessArrangementRunner | null = null;

  constructor(spawn: () => ArrangementWorker) {
    this.queue = new WorkerQueue(spawn, decodeArrangementReply, (pending) => {
      const fallback = (this.fallback = new InProcessArrangementRunner());
      // Only the newest pending request still matters (the others were rejected when it came).
      for (const job of pending) {
        const { network, view, polygons } = job.request;
        fallback.compute(network, view, { polygons }).then(job.resolve, job.reject);
      }
    });
  }

  compute(net: Network, view: Rect, opts: ArrangementRequestOptions = {}): Promise<PackedArrangement2D> {
    if (this.fallback) return this.fallback.compute(net, view, opts);
    this.queue.cancelAll(() => abortError(SUPERSEDED));
    try {
      return this.queue.submit((id) => request(id, net, view, opts)).result;
    } catch {
      // No worker here (blocked by the origin or a policy): compute in-process from now on.
      this.fallback = new InProcessArrangementRunner();
      return this.fallback.compute(net, view, opts);
    }
  }

  cancel(): void {
    this.fallback?.cancel();
    this.queue.cancelAll(() => abortError(CANCELLED));
  }

  destroy(): void {
    this.cancel();
    this.queue.terminate();
  }
}

/** The runner for this environment: a module worker where Worker exists, else in-process. */
export function defaultArrangementRunner(): ArrangementRunner {
  if (typeof Worker !== 'function') return new InProcessArrangementRunner();
  return new WorkerArrangementRunner(
    () => new Worker(new URL('./arrangement.worker.ts', import.meta.url), { type: 'module' }) as unknown as ArrangementWorker,
  );
}
