/**
 * The worker plumbing the fit and arrangement runners share: start the worker on first use, number the requests,
 * run one at a time with only the newest waiting, drop results nobody waits for, and, if the worker fails to
 * load, hand every pending request back so the runner can finish it in-process.
 */

/** The part of a Worker a WorkerQueue uses (a real Worker, or a stand-in in tests). */
export interface QueueWorker<Req, Reply> {
  onmessage: ((e: MessageEvent<Reply>) => void) | null;
  onerror: ((e: Event) => void) | null;
  postMessage(req: Req): void;
  terminate(): void;
}

/** A request still waiting for its result. */
export interface PendingJob<Req, Result> {
  request: Req;
  resolve(r: Result): void;
  reject(e: unknown): void;
}

/**
 * Requests to one lazily started worker. While one runs, only the newest request waits to be posted (an older
 * waiting one stays pending, never posted, until cancelled); a reply for a cancelled request is ignored. The
 * worker is not terminated on cancel: a module worker starts slower than most jobs take.
 */
export class WorkerQueue<Req extends { id: number }, Reply extends { id: number }, Result> {
  private worker: QueueWorker<Req, Reply> | null = null;
  private nextId = 1;
  private readonly jobs = new Map<number, PendingJob<Req, Result>>();
  /** The request the worker is running, and the newest one waiting for it. */
  private posted: number | null = null;
  private waiting: number | null = null;

  /**
   * @param spawn starts a worker (may throw where none can start)
   * @param decode a reply's result, or throws the error it carries
   * @param onLoadFailed gets every pending request once the worker failed to load (it is terminated by then)
   */
  constructor(
    private readonly spawn: () => QueueWorker<Req, Reply>,
    private readonly decode: (reply: Reply) => Result,
    private readonly onLoadFailed: (pending: Array<PendingJob<Req, Result>>) => void,
  ) {}

  /**
   * Queues `make(id)` under a new id: posted at once when the worker is idle, else it becomes the one waiting.
   * Throws what `spawn` throws when no worker can start (nothing is queued then).
   */
  submit(make: (id: number) => Req): { id: number; result: Promise<Result> } {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    const result = new Promise<Result>((resolve, reject) => {
      this.jobs.set(id, { request: make(id), resolve, reject });
      if (this.posted === null) this.post(worker, id);
      else this.waiting = id;
    });
    return { id, result };
  }

  /** Rejects request `id` with `reason` if it is still pending; its result, if it comes, is ignored. */
  cancel(id: number, reason: unknown): void {
    const job = this.jobs.get(id);
    if (!job) return;
    this.jobs.delete(id);
    if (this.waiting === id) this.waiting = null;
    job.reject(reason);
  }

  /** Rejects every pending request with `reason(…)` (one error each); a running one finishes unseen. */
  cancelAll(reason: () => unknown): void {
    const pending = [...this.jobs.values()];
    this.jobs.clear();
    this.waiting = null;
    for (const job of pending) job.reject(reason());
  }

  /** Terminates the worker (pending requests stay pending: cancel them first); a later `submit` starts a fresh one. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.posted = null;
    this.waiting = null;
  }

  private post(worker: QueueWorker<Req, Reply>, id: number): void {
    this.posted = id;
    worker.postMessage(this.jobs.get(id)!.request);
  }

  private start(): QueueWorker<Req, Reply> {
    const w = this.spawn();
    w.onmessage = (e) => {
      if (this.worker !== w) return;
      if (e.data.id === this.posted) this.posted = null;
      const job = this.jobs.get(e.data.id);
      if (job) {
        this.jobs.delete(e.data.id);
        try {
          job.resolve(this.decode(e.data));
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
      // Only a worker that failed to load gets here: the handlers turn every job failure into a reply.
      e.preventDefault();
      w.terminate();
      this.worker = null;
      this.posted = null;
      this.waiting = null;
      const pending = [...this.jobs.values()];
      this.jobs.clear();
      this.onLoadFailed(pending);
    };
    return w;
  }
}
