/**
 * The CPU evaluator behind a worker: the same answers as CpuEvaluator (the worker runs its code), but the 2D grids,
 * point lists and error readouts are computed off the main thread, so a 2D frame or an `evaluate()` of 65,536
 * points at N = 65,536 never freezes the page. Inputs are validated here, before posting, so every input error is
 * thrown with its own type where the call was made.
 *
 * One job runs at a time. Waiting jobs go by priority (the frame's grid before readouts), and a job posted on a
 * lane drops the one still waiting on that lane (rejected with SupersededError): a drag that outruns the readouts
 * measures where it stopped, not every step it passed. Where Worker is missing (Node) or the worker cannot start,
 * the jobs run in-process, a macrotask later.
 */
import type { Network, ValidNetwork } from '../../model/network.ts';
import { validateNetwork } from '../../model/network.ts';
import { type Grid1D, type Grid2D, validateGrid2D } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { type Target2DSpec, validateTarget2D } from '../../model/targets2d.ts';
import { type Evaluator, type Values, checkPoints, requireDim } from '../evaluator.ts';
import { CpuEvaluator, regionsWithoutCreases } from './evaluator.ts';
import type { MapImageSpec } from '../../model/mapImage.ts';
import { type Grid2DResult, type Grid2DWants, type GridImage, type GridReply, type GridRequest, KEPT_NETWORKS, NetCache, type NetRef, handleGridMessage } from './gridProtocol.ts';

/** The part of a Worker this evaluator uses (a real Worker, or a stand-in in tests). */
export interface GridWorker {
  onmessage: ((e: MessageEvent<GridReply>) => void) | null;
  onerror: ((e: Event) => void) | null;
  postMessage(req: GridRequest, transfer?: Transferable[]): void;
  terminate(): void;
}

/** Rejects a waiting job that a newer job on the same lane replaced. */
export class SupersededError extends Error {
  override name = 'SupersededError';
  constructor(lane: string) {
    super(`superseded by a newer ${lane} job`);
  }
}

/** Where a job goes in the queue: lower priority numbers run first; a lane keeps only its newest waiting job. */
export interface JobOptions {
  priority?: number;
  lane?: string;
}

/** A job as queued: its request less the numbering, and its network (none for colouring). */
type Body = (GridRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id' | 'netId' | 'net'> : never) : never) & { network: ValidNetwork | null };
type Ok = Extract<GridReply, { ok: true }>;

interface Job {
  body: Body;
  priority: number;
  lane: string | null;
  resolve(reply: Ok): void;
  reject(e: unknown): void;
}

/** The worker's jobs as the Evaluator interface (2D grids, points); 1D grids stay on the calling thread. */
export class WorkerEvaluator implements Evaluator {
  readonly kind = 'cpu' as const;
  private readonly local = new CpuEvaluator('CPU');
  private worker: GridWorker | null = null;
  private inProcess: boolean;
  private readonly waiting: Job[] = [];
  private running: { id: number; job: Job } | null = null;
  private nextId = 1;
  /** Numbers of the networks sent, and those the worker keeps (mirrored: see KEPT_NETWORKS); the in-process cache. */
  private readonly netIds = new WeakMap<ValidNetwork, number>();
  private nextNetId = 1;
  private readonly workerKeeps: number[] = [];
  private readonly localCache = new NetCache();

  /** `spawn` starts the worker; null runs every job in-process (a macrotask after the call). */
  constructor(
    private readonly spawn: (() => GridWorker) | null,
    readonly description = 'CPU',
  ) {
    this.inProcess = spawn === null;
  }

  async evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values> {
    const valid = validateNetwork(net);
    checkPoints(points, valid.dim);
    // A copy the worker can own (the caller's array is never detached).
    const copy = Float64Array.from(points);
    return (await this.post({ op: 'points', network: valid, points: copy }, {})).values!;
  }

  evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    // The 1D grid is the knot sweep, O((N + G) log N): the 1D frame's own business, kept where it was.
    return this.local.evaluateGrid1D(net, grid);
  }

  async evaluateGrid2D(net: Network, grid: Grid2D, opts: JobOptions = {}): Promise<Values> {
    return (await this.grid2D(net, grid, { values: true }, opts)).values!;
  }

  async regions2D(net: Network, grid: Grid2D, opts: JobOptions = {}): Promise<Regions> {
    const r = await this.grid2D(net, grid, { regions: true }, opts);
    return { active: r.active!, pattern: r.pattern! };
  }

  /**
   * Values, regions and the target over one grid in one job (what a 2D frame needs). Throws the CPU evaluator's
   * input errors (RegionsUndefinedError for sigmoid regions) before posting anything.
   */
  async grid2D(net: Network, grid: Grid2D, wants: Grid2DWants, opts: JobOptions = {}): Promise<Grid2DResult> {
    const valid = validateNetwork(net);
    requireDim(wants.regions ? 'regions2D' : 'evaluateGrid2D', valid, 2);
    const g = validateGrid2D(grid);
    if (wants.regions) regionsWithoutCreases(valid, 0);
    const target = wants.target ? validateTarget2D(wants.target) : undefined;
    const image = wants.image ? imageSpec(wants.image, !!wants.regions, !!target) : undefined;
    const body: Body = { op: 'grid2d', network: valid, grid: plainGrid(g), wants: { values: !!wants.values, regions: !!wants.regions, ...(target ? { target } : {}), ...(image ? { image } : {}) } };
    return (await this.post(body, opts)).grid!;
  }

  /**
   * The map coloured off the main thread from arrays the caller has (copied: the caller keeps its own).
   * Throws a RangeError before posting when the mode's array is missing or an array is short.
   */
  async colour(values: ArrayLike<number>, target: ArrayLike<number> | null, pattern: ArrayLike<number> | null, nx: number, ny: number, spec: MapImageSpec, opts: JobOptions = {}): Promise<GridImage> {
    const n = nx * ny;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a map needs a grid of at least 1×1, got ${nx}×${ny}`);
    if (values.length < n) throw new RangeError(`a ${nx}×${ny} map needs ${n} values, got ${values.length}`);
    const s = imageSpec(spec, !!pattern && pattern.length >= n, !!target && target.length >= n);
    const body: Body = {
      op: 'colour',
      network: null,
      values: values instanceof Float32Array ? values.slice(0, n) : copyOf(Float64Array, values, n),
      target: s.mode === 'error' ? copyOf(Float64Array, target!, n) : null,
      pattern: s.mode === 'regions' ? copyOf(Uint32Array, pattern!, n) : null,
      nx,
      ny,
      spec: s,
    };
    return (await this.post(body, opts)).image!;
  }

  /** Max and RMS error of a 2D network against a target over a grid. */
  async errors2D(net: Network, grid: Grid2D, target: Target2DSpec, opts: JobOptions = {}): Promise<{ max: number; rms: number }> {
    const valid = validateNetwork(net);
    requireDim('errors2D', valid, 2);
    const g = validateGrid2D(grid);
    return (await this.post({ op: 'errors2d', network: valid, grid: plainGrid(g), target: validateTarget2D(target) }, opts)).errors!;
  }

  /** This evaluator with every 2D grid job placed by `opts` (e.g. a readout lane that drops superseded jobs). */
  withOptions(opts: JobOptions): Evaluator {
    return {
      kind: this.kind,
      description: this.description,
      evaluatePoints: (net, points) => this.evaluatePoints(net, points),
      evaluateGrid1D: (net, grid) => this.evaluateGrid1D(net, grid),
      evaluateGrid2D: (net, grid) => this.evaluateGrid2D(net, grid, opts),
      regions2D: (net, grid) => this.regions2D(net, grid, opts),
      destroy: () => undefined,
    };
  }

  /** Jobs waiting or running (for tests and the API's info). */
  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
    const jobs = [...this.waiting, ...(this.running ? [this.running.job] : [])];
    this.waiting.length = 0;
    this.running = null;
    for (const j of jobs) j.reject(new Error('the CPU grid worker was stopped'));
  }

  private post(body: Body, opts: JobOptions): Promise<Ok> {
    return new Promise<Ok>((resolve, reject) => {
      const lane = opts.lane ?? null;
      if (lane !== null) {
        for (let i = this.waiting.length - 1; i >= 0; i--) {
          if (this.waiting[i].lane === lane) this.waiting.splice(i, 1)[0].reject(new SupersededError(lane));
        }
      }
      const job: Job = { body, priority: opts.priority ?? 0, lane, resolve, reject };
      // Stable by priority: after every waiting job of the same or a lower number.
      let at = this.waiting.length;
      while (at > 0 && this.waiting[at - 1].priority > job.priority) at--;
      this.waiting.splice(at, 0, job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.waiting.length === 0) return;
    const job = this.waiting.shift()!;
    const id = this.nextId++;
    this.running = { id, job };
    if (!this.inProcess) {
      try {
        const w = (this.worker ??= this.start());
        const req = this.request(job.body, id, true);
        const transfer: ArrayBuffer[] = req.op === 'points' ? [req.points.buffer as ArrayBuffer] : [];
        if (req.op === 'colour') for (const a of [req.values, req.target, req.pattern]) if (a) transfer.push(a.buffer as ArrayBuffer);
        if (req.net) transfer.push(req.net.w.buffer as ArrayBuffer, req.net.b.buffer as ArrayBuffer, req.net.a.buffer as ArrayBuffer);
        w.postMessage(req, transfer);
        return;
      } catch {
        // No worker here (blocked by the origin or a policy): in-process from now on.
        this.inProcess = true;
        this.worker = null;
      }
    }
    this.runHere(job.body, id);
  }

  /** The job's request; `toWorker` sends the network only when the worker does not keep it (and notes that it will). */
  private request(body: Body, id: number, toWorker: boolean): GridRequest {
    const { network, ...rest } = body;
    if (network === null) return { ...rest, netId: 0, id } as GridRequest;
    let netId = this.netIds.get(network);
    if (netId === undefined) this.netIds.set(network, (netId = this.nextNetId++));
    const ref: NetRef = { netId };
    if (!toWorker || !this.workerKeeps.includes(netId)) {
      ref.net = {
        dim: network.dim,
        w: Float64Array.from(network.w),
        b: Float64Array.from(network.b),
        a: Float64Array.from(network.a),
        c: network.c,
        ...(network.activation ? { activation: network.activation } : {}),
      };
      if (toWorker) {
        this.workerKeeps.push(netId);
        while (this.workerKeeps.length > KEPT_NETWORKS) this.workerKeeps.shift();
      }
    }
    return { ...rest, ...ref, id } as GridRequest;
  }

  /** Runs a job on this thread, a macrotask later. */
  private runHere(body: Body, id: number): void {
    setTimeout(() => this.settle(handleGridMessage(this.request(body, id, false), this.localCache)), 0);
  }

  private settle(reply: GridReply): void {
    const r = this.running;
    if (!r || r.id !== reply.id) return;
    this.running = null;
    if (reply.ok) r.job.resolve(reply);
    else r.job.reject(new Error(`The CPU grid worker failed: ${reply.message}`));
    this.pump();
  }

  private start(): GridWorker {
    const w = this.spawn!();
    w.onmessage = (e) => this.settle(e.data);
    w.onerror = (e) => {
      // Only a worker that failed to load gets here (the handler turns every failure into a reply): the running
      // job and every later one run in-process.
      e.preventDefault();
      w.terminate();
      this.worker = null;
      this.inProcess = true;
      const r = this.running;
      if (r) this.runHere(r.job.body, r.id);
    };
    return w;
  }
}

/** The first n entries of `a` in a new typed array (a block copy from a typed array). */
function copyOf<T extends Float64Array | Uint32Array>(C: new (n: number) => T, a: ArrayLike<number>, n: number): T {
  const out = new C(n);
  out.set(ArrayBuffer.isView(a) ? (a as unknown as Float64Array).subarray(0, n) : Array.prototype.slice.call(a, 0, n));
  return out;
}

/** A map's spec as plain data, once its mode's array is known to be there. */
function imageSpec(spec: MapImageSpec, hasPattern: boolean, hasTarget: boolean): MapImageSpec {
  if (spec.mode === 'regions' && !hasPattern) throw new RangeError('the region map needs the pattern ids (ask for regions)');
  if (spec.mode === 'error' && !hasTarget) throw new RangeError('the error map needs the target (ask for it)');
  return { mode: spec.mode, contours: spec.contours === true };
}

/** A grid as plain numbers (what crosses to the worker). */
function plainGrid(g: Grid2D): Grid2D {
  return { xMin: g.xMin, xMax: g.xMax, yMin: g.yMin, yMax: g.yMax, nx: g.nx, ny: g.ny };
}

/** The CPU evaluator for this environment: a module worker where Worker exists, else in-process. */
export function defaultWorkerEvaluator(description = 'CPU'): WorkerEvaluator {
  if (typeof Worker !== 'function') return new WorkerEvaluator(null, description);
  return new WorkerEvaluator(() => new Worker(new URL('./grid.worker.ts', import.meta.url), { type: 'module' }) as unknown as GridWorker, description);
}
