/**
 * Training with Adam: live (play/pause), one step, or a given number of steps (the scripting API). The trainer
 * follows the state: an edit elsewhere restarts it from the edited network; WebGPU trains where there is a
 * device. The CPU trainer runs in time slices of ~30 ms (yielding between sample chunks), so no task blocks
 * input, and every call can be cancelled (Pause, Reset, `stopTraining()`, an AbortSignal): a cancelled call
 * commits the steps it completed (unless the state moved on) and rejects with TrainingCancelledError.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { isDeviceLoss, isGpuFault, plainGpuFault } from '../engine/gpu/errors.ts';
import { GpuTrainer1D } from '../engine/gpu/train1d.ts';
import { GpuTrainer2D } from '../engine/gpu/train2d.ts';
import type { Network } from '../model/network.ts';
import { sampleTarget, type TargetSpec } from '../model/targets.ts';
import { type TrainProgress, type TrainState, Trainer1D } from '../model/train1d.ts';
import { Trainer2D } from '../model/train2d.ts';
import { type Samples, defaultLr, mseChunked, randomInit, splitSamples, valueStats, valuesOf } from '../model/trainSetup.ts';
import { type AppState, type BuildMode, StateError, type Store, type Target2DSpec, samples2DOf, target2DOf, targetOf } from '../state/state.ts';
import type { ValidNetwork } from '../model/network.ts';
import { type AutoLrRunner, defaultAutoLrRunner } from '../state/autoLrRunner.ts';
import { fmt } from '../ui/formula.ts';
import { messageOf, type Say } from './dom.ts';
import { whenVisible } from './visibility.ts';

/** The CPU and GPU trainers (1D and 2D) share this shape; the GPU ones answer asynchronously. */
interface Trainer {
  step(k: number): number | Promise<number>;
  /** CPU trainers: the same steps as a generator that yields between sample chunks (time slicing). */
  run?(k: number): Generator<TrainProgress, number, void>;
  network(): Network | Promise<Network>;
  setOptions(opts: { lr: number }): void;
  /** Adam's step count. */
  readonly steps: number;
  /** Adam's moments and step count, to carry across a new trainer for the same network (a device loss). */
  state(): TrainState | Promise<TrainState>;
  restoreState(s: TrainState): void | Promise<void>;
}

/** A background result that arrived after the state moved on: nothing was committed. */
export class SupersededError extends Error {
  override name = 'SupersededError';
}

/**
 * Training steps the GPU could not finish (a lost device, a GPU fault): nothing of the call was committed and
 * Adam's state of the last commit is kept, so training again goes on from there. The message is plain.
 */
export class TrainingGpuError extends Error {
  override name = 'TrainingGpuError';
  constructor(
    /** True when the device was lost (a recovery follows; live training goes on by itself). */
    readonly lost: boolean,
    cause: unknown,
  ) {
    super(
      lost
        ? "the GPU was lost during training (a driver reset or a GPU-process crash); nothing from these steps was applied and the optimizer's state is kept: train again to continue"
        : `training on the GPU failed (${plainGpuFault(cause)}); nothing from these steps was applied`,
      { cause },
    );
  }
}


/** A training call that was cancelled: `steps` completed steps were committed (0: nothing was). */
export class TrainingCancelledError extends Error {
  override name = 'TrainingCancelledError';
  constructor(
    readonly steps: number,
    readonly of: number,
  ) {
    super(steps > 0 ? `training was cancelled after ${steps} of ${of} steps; those ${steps} steps were kept` : `training was cancelled before its first step; nothing changed`);
  }
}

/** The loss over time of the current run (since it started from `origin`): one point per committed call. */
export interface LossHistory {
  steps: number[];
  train: number[];
  /** Test loss at the same steps (null where there is no test set). */
  test: Array<number | null>;
}

export interface TrainingStatus {
  /** The live loop is on. */
  training: boolean;
  /** A training call is running (live, Step or the API). */
  busy: boolean;
  /** Steps since the run started (Random init, Reset, or an edit start a new run). */
  steps: number;
  /** steps × batch / samples: full-batch Adam, so one step is one epoch. */
  epochs: number;
  /** Training loss (MSE on the training samples). */
  loss: number;
  /** Test loss (MSE on the held-out samples), NaN without a test set. */
  testLoss: number;
  /** Training and test sample counts of the current run (0 before it starts). */
  samples: number;
  testSamples: number;
  /** The learning rate in use, and whether it follows N ('auto'). */
  lr: number;
  lrAuto: boolean;
  /** Steps per second of the live loop (NaN when idle). */
  stepsPerSecond: number;
  /** Where a running call is (null when none). */
  progress: TrainProgress | null;
  history: LossHistory;
  /** The live loop's sizing: measured milliseconds per step of the trainer call alone, the rest of a tick, and the steps per tick they give. */
  timing: { msPerStep: number; overheadMs: number; stepsPerTick: number };
}

export interface RunOptions {
  /** Cancels the call: it commits the steps completed so far and rejects with TrainingCancelledError. */
  signal?: AbortSignal;
  /** Called while a long call runs (about every 100 ms and at the end). */
  onProgress?: (p: TrainProgress) => void;
  /** GPU: training time per trainer call (cancel and progress are checked between calls); default API_CHUNK_MS. */
  chunkMs?: number;
}

/** GPU root module key of the trainer. */
const TRAINER = 'trainer';
/** Samples a 2D target is trained on when it is a function (a grid over its domain); data trains on its points. */
const TRAIN_SAMPLES_2D = 4096;
/** Samples of a 1D function target. */
const TRAIN_SAMPLES_1D = 512;
/** Longest main-thread task of the CPU trainer before it yields to input and drawing. */
const SLICE_MS = 30;
/** Training time per live tick at least; more when the rest of the tick (commit, redraw) takes longer. */
const TICK_MIN_MS = 30;
/** Training time per live tick at most (GPU calls and CPU slices leave input free, but the picture should move). */
const TICK_MAX_MS = 4000;
/** Training time per API chunk on the GPU (cancel and progress are checked between chunks; each costs a read-back). */
const API_CHUNK_MS = 300;

/** The learning rate a state trains with: its own, or for 'auto' the stable default for its N. */
export function lrOf(s: Pick<AppState, 'lr' | 'network'>): number {
  return s.lr === 'auto' ? defaultLr(s.network.a.length) : s.lr;
}

/** The training and test samples of a state (its target sampled or its data, with its noise and split). */
export function trainingSets(s: Pick<AppState, 'target' | 'noise' | 'holdout' | 'seed' | 'network'>): { train: Samples; test: Samples | null } {
  let all: Samples;
  if (s.network.dim === 2) {
    const t = samples2DOf(s.target as Target2DSpec, TRAIN_SAMPLES_2D / 2);
    all = { xs: Float64Array.from(t.xs), ys: Float64Array.from(t.ys), zs: Float64Array.from(t.zs) };
  } else {
    const t = targetOf(s.target as TargetSpec);
    const raw = t.samples ?? sampleTarget(t.f, t.domain, TRAIN_SAMPLES_1D);
    all = { xs: Float64Array.from(raw.xs), ys: Float64Array.from(raw.ys) };
  }
  return splitSamples(all, { noise: s.noise, holdout: s.holdout, seed: s.seed });
}

/**
 * Resolves after the event loop has had a turn (input, drawing, timers). A timer, not a MessageChannel message:
 * Chromium ran a chain of channel messages ahead of every timer, so a page's own setTimeout (the autosave, a
 * script's abort) never fired while the CPU trained; the ≥ 4 ms clamp costs ~10 % of a 30 ms slice.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Drives a generator in time slices of at most SLICE_MS, each in a task of its own; stops early (returns null) when
 * `cancelled()` turns true. `onYield` sees each yielded value. The first slice waits for a task too: a caller's
 * synchronous work, or the last slice of another generator, may have just run in this one (at 65,536 units two
 * slices and a commit chained in one task took 98 ms of CPU).
 */
async function sliced<Y, R>(gen: Generator<Y, R, void>, cancelled: () => boolean, onYield?: (y: Y) => void): Promise<{ value: R } | null> {
  for (;;) {
    await yieldToEventLoop();
    if (cancelled()) {
      gen.return(undefined as R);
      return null;
    }
    const t0 = performance.now();
    do {
      const r = gen.next();
      if (r.done) return { value: r.value };
      onYield?.(r.value);
    } while (performance.now() - t0 < SLICE_MS);
  }
}

function emptyHistory(): LossHistory {
  return { steps: [], train: [], test: [] };
}

/** Most points the loss chart keeps: beyond it every other point is dropped (the curve keeps its shape). */
const MAX_HISTORY = 4000;

export class TrainingController {
  private trainer: Trainer | null = null;
  private trainerNet: Network | null = null;
  private trainerTarget: AppState['target'] | null = null;
  /** The samples' key (noise, split, seed) the trainer was built for. */
  private trainerSamplesKey = '';
  /** The GPU root generation (device) the trainer was built on; −1 for the CPU. */
  private trainerGeneration = -1;
  private sets: { train: Samples; test: Samples | null } | null = null;
  /** Adam's state after the last committed steps, and the network it belongs to (kept across a device loss). */
  private saved: { net: Network; state: TrainState } | null = null;
  /** Where the last steps ran. */
  kind: 'webgpu' | 'cpu' = 'cpu';
  private running = false;
  private inFlight = 0;
  private steps = 0;
  private loss = Number.NaN;
  private testLoss = Number.NaN;
  private history: LossHistory = emptyHistory();
  private progress: TrainProgress | null = null;
  /** What the current run started from (Reset goes back to it), and the network its last call committed. */
  private origin: { network: ValidNetwork; build: BuildMode } | null = null;
  /** The auto learning rate of the current run (autoLr of the network it started from), or null before a run. */
  private runAutoLr: number | null = null;
  /** Computes the auto rate in a worker (started with the first run): at 65,536 units it took over 100 ms here. */
  private autoLrs: AutoLrRunner | null = null;
  private lastCommitted: Network | null = null;
  /** Measured: milliseconds per step of the trainer call alone, and of everything else in a live tick. */
  private msPerStep = Number.NaN;
  private overheadMs = 0;
  /** Recent live ticks: steps asked and milliseconds of the training call alone (for the step-time model). */
  private tickSamples: Array<{ k: number; ms: number }> = [];
  private stepsPerTick = 1;
  /** Milliseconds of the last call's training part (trainer calls only). */
  private callMs = Number.NaN;
  private stepsPerSecond = Number.NaN;
  /** Aborted by `cancel()` (Pause, Reset, stopTraining): every call started or queued before it stops. */
  private cancelAll = new AbortController();
  /** Runs one at a time (the live loop and the API share one trainer). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly evaluator: AutoEvaluator,
    private readonly say: Say,
    /** Resolves once the newest state is on screen (the live loop waits for it between ticks). */
    private readonly whenDrawn: () => Promise<void>,
    private readonly onStatus: (st: TrainingStatus) => void,
  ) {}

  get training(): boolean {
    return this.running;
  }
  /** Whether a trainer has run (for `info()`). */
  get started(): boolean {
    return this.trainer !== null;
  }

  get status(): TrainingStatus {
    const s = this.store.state;
    const samples = this.sets?.train.xs.length ?? 0;
    return {
      training: this.running,
      busy: this.inFlight > 0,
      steps: this.steps,
      // epochs = steps × batch / samples, and full-batch Adam's batch is every sample: one step is one epoch.
      epochs: this.steps,
      loss: this.loss,
      testLoss: this.testLoss,
      samples,
      testSamples: this.sets?.test?.xs.length ?? 0,
      lr: this.lrFor(s),
      lrAuto: s.lr === 'auto',
      stepsPerSecond: this.running ? this.stepsPerSecond : Number.NaN,
      progress: this.progress,
      history: this.history,
      timing: { msPerStep: this.msPerStep, overheadMs: this.overheadMs, stepsPerTick: this.stepsPerTick },
    };
  }

  private report(): void {
    this.onStatus(this.status);
  }

  /** The trainer for this state: reused while the state is the one it trained, else built afresh. */
  private async trainerFor(s: AppState): Promise<Trainer> {
    const root = this.evaluator.root;
    const generation = root?.device ? root.generation : -1;
    const samplesKey = `${s.noise}|${s.holdout}|${s.seed}`;
    if (
      !this.trainer ||
      this.trainerNet !== s.network ||
      this.trainerTarget !== s.target ||
      this.trainerSamplesKey !== samplesKey ||
      this.trainerGeneration !== generation
    ) {
      this.trainer = null;
      const two = s.network.dim === 2;
      if (this.trainerTarget !== s.target || this.trainerSamplesKey !== samplesKey || !this.sets) this.sets = trainingSets(s);
      const train = this.sets.train;
      // 2D on CPU-like adapters (SwiftShader): 200 steps at N = 32 on 4,096 samples took 25.6 s there against
      // 1.35 s on the CPU trainer (.notes/train2d.mts), so the CPU trains; `?train=gpu|cpu` overrides.
      const forced = new URLSearchParams(location.search).get('train');
      const cpuLike = root?.startup ? isCpuLikeAdapter(root.startup.adapter) : true;
      const useGpu = forced === 'gpu' || (forced !== 'cpu' && !(two && cpuLike));
      const opts = { lr: this.lrFor(s) };
      if (root?.device && useGpu) {
        try {
          // A module of the GPU root: destroyed with the device, so a loss never leaves a trainer on a dead one.
          root.drop(TRAINER);
          this.trainer = await root.module(TRAINER, (device) =>
            two ? GpuTrainer2D.create(device, s.network, { xs: train.xs, ys: train.ys, zs: train.zs! }, opts) : GpuTrainer1D.create(device, s.network, train, opts),
          );
          this.kind = 'webgpu';
        } catch (e) {
          // A device lost meanwhile is being replaced: the caller tries again on the new one, not on the CPU.
          if (isDeviceLoss(e)) throw new TrainingGpuError(true, e);
          this.say(`Training on the GPU failed to start (${plainGpuFault(e)}); training on the CPU.`, 'info');
        }
      }
      if (!this.trainer) {
        this.trainer = two ? new Trainer2D(s.network, { xs: train.xs, ys: train.ys, zs: train.zs! }, opts) : new Trainer1D(s.network, train, opts);
        this.kind = 'cpu';
      }
      // A new trainer for the very network the last one left (a lost device, a backend change) goes on with its
      // optimizer state: fresh moments made the next step of a converged fit 109× worse.
      if (this.saved && this.saved.net === s.network && this.trainerTarget === s.target && this.trainerSamplesKey === samplesKey) {
        try {
          await this.trainer!.restoreState(this.saved.state);
        } catch {
          // A state of another shape (the network was edited meanwhile): start fresh.
        }
      }
      this.trainerNet = s.network;
      this.trainerTarget = s.target;
      this.trainerSamplesKey = samplesKey;
      this.trainerGeneration = generation;
    }
    return this.trainer!;
  }

  /**
   * Runs k Adam steps from the current state and commits the trained network, unless its network or target
   * changed meanwhile (an edit, an import, a fit): then the result is dropped and SupersededError says so.
   * Panning, zooming or another learning rate do not drop it. Calls run one after another. Cancelled (its
   * signal, or `cancel()`), it commits the steps completed so far and rejects with TrainingCancelledError.
   */
  run(k: number, opts: RunOptions = {}): Promise<number> {
    const all = this.cancelAll.signal;
    const cancelled = () => all.aborted || (opts.signal?.aborted ?? false);
    const next = this.queue.then(() => this.runNow(k, cancelled, opts.onProgress, opts.chunkMs ?? API_CHUNK_MS));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops everything: the live loop, the running call and those queued (each commits what it completed). */
  cancel(): void {
    this.running = false;
    this.cancelAll.abort();
    this.cancelAll = new AbortController();
    this.report();
  }

  /** A new run starts when the network is not the one training last committed (an edit, an import, a reset). */
  /** The learning rate this state trains with now: its own, or for 'auto' the run's (see startRunIfNew). */
  private lrFor(s: AppState): number {
    return s.lr === 'auto' ? (this.runAutoLr ?? lrOf(s)) : s.lr;
  }

  private async startRunIfNew(s: AppState): Promise<void> {
    if (this.lastCommitted === s.network && this.origin) return;
    this.origin = { network: s.network, build: s.build };
    this.runAutoLr = null;
    this.steps = 0;
    this.loss = Number.NaN;
    this.testLoss = Number.NaN;
    this.history = emptyHistory();
    this.stepsPerSecond = Number.NaN;
    // 'auto' for this run: lowered where Adam's first step from this network would raise the loss (autoLr), computed
    // in a worker. A run on a fixed rate does not wait for it; the status shows it once it is known.
    if (this.sets) {
      const run = this.origin;
      const known = (this.autoLrs ??= defaultAutoLrRunner()).lr(s.network, this.sets.train).then(
        (lr) => {
          if (this.origin === run) this.runAutoLr = lr;
        },
        // Without it 'auto' is min(0.01, 0.5/N), as before a run: still a rate that trains.
        () => undefined,
      );
      if (s.lr === 'auto') await known;
    }
  }

  private pushHistory(): void {
    const h = this.history;
    if (h.steps.length > 0 && h.steps[h.steps.length - 1] === this.steps) {
      h.train[h.train.length - 1] = this.loss;
      h.test[h.test.length - 1] = Number.isFinite(this.testLoss) ? this.testLoss : null;
      return;
    }
    h.steps.push(this.steps);
    h.train.push(this.loss);
    h.test.push(Number.isFinite(this.testLoss) ? this.testLoss : null);
    if (h.steps.length > MAX_HISTORY) {
      // Keep the first point (the start) and every other one after it.
      const keep = (a: unknown[]) => a.filter((_, i) => i === 0 || i % 2 === 0 || i === a.length - 1);
      this.history = { steps: keep(h.steps) as number[], train: keep(h.train) as number[], test: keep(h.test) as Array<number | null> };
    }
  }

  /** Test loss of a network on the held-out samples (time-sliced); NaN without a test set or when cancelled. */
  private async testLossOf(net: Network, cancelled: () => boolean): Promise<number> {
    const test = this.sets?.test;
    if (!test) return Number.NaN;
    const r = await sliced(mseChunked(net, test), cancelled);
    return r ? r.value : Number.NaN;
  }

  private async runNow(k: number, cancelled: () => boolean, onProgress: ((p: TrainProgress) => void) | undefined, chunkMs: number): Promise<number> {
    if (cancelled()) throw new TrainingCancelledError(0, k);
    await this.store.settled();
    const s = this.store.state;
    if (s.network.a.length === 0) throw new Error('add a unit before training');
    this.inFlight++;
    try {
      const tr = await this.trainerFor(s);
      await this.startRunIfNew(s);
      tr.setOptions({ lr: this.lrFor(s) });
      // The run's first point: the loss of the network it starts from (once per run; chunked on the CPU).
      if (this.history.steps.length === 0) {
        const first = tr.run ? await sliced(tr.run(0), cancelled) : { value: await tr.step(0) };
        if (first) {
          this.loss = first.value;
          this.testLoss = await this.testLossOf(s.network, cancelled);
          this.pushHistory();
        }
      }
      const t0Steps = tr.steps;
      let loss = Number.NaN;
      let trainMs = 0;
      let lastReport = performance.now();
      const progress = (done: number) => {
        this.progress = { done, of: k };
        const now = performance.now();
        if (now - lastReport > 100) {
          lastReport = now;
          onProgress?.(this.progress);
          this.report();
        }
      };
      while (tr.steps - t0Steps < k && !cancelled()) {
        const left = k - (tr.steps - t0Steps);
        const t0 = performance.now();
        if (tr.run) {
          const base = tr.steps - t0Steps;
          const r = await sliced(tr.run(left), cancelled, (p) => progress(base + p.done));
          if (r) loss = r.value;
        } else {
          // The GPU call is asynchronous (the page stays responsive); chunks let cancel and progress through.
          const chunk = Number.isFinite(this.msPerStep) ? Math.max(1, Math.min(left, Math.round(chunkMs / Math.max(1e-3, this.msPerStep)))) : Math.min(left, 16);
          try {
            loss = await tr.step(chunk);
          } catch (e) {
            throw this.gpuFault(e);
          }
          progress(tr.steps - t0Steps);
        }
        const dt = performance.now() - t0;
        trainMs += dt;
        const took = tr.steps - t0Steps;
        // Time per step of the training call alone (not the commit or the redraw), smoothed.
        if (took > 0) this.msPerStep = Number.isFinite(this.msPerStep) ? 0.5 * this.msPerStep + (0.5 * trainMs) / took : trainMs / took;
      }
      const done = tr.steps - t0Steps;
      this.callMs = trainMs;
      this.progress = null;
      if (done === 0) throw new TrainingCancelledError(0, k);
      // A call cancelled inside a CPU step has the parameters of its last completed step but no loss for them
      // yet (NaN): the network is committed, the loss readout and chart wait for the next call.
      let net: Network;
      let state: TrainState | null = null;
      // The CPU trainer's copies and the commit's validation are tens of ms each at 65,536 units on a slow CPU: a
      // task each, after the last slice's (the GPU trainer's read-backs are asynchronous anyway).
      const ownTask = tr.run ? yieldToEventLoop : async () => undefined;
      try {
        await ownTask();
        net = await tr.network();
        await ownTask();
        // Read before the commit: if the device goes now, nothing is committed and the last commit's state stays valid.
        state = await tr.state();
      } catch (e) {
        if (this.kind === 'webgpu') throw this.gpuFault(e);
        throw e;
      }
      const unchanged = (c: AppState) => c.network === s.network && c.target === s.target && c.noise === s.noise && c.holdout === s.holdout && c.seed === s.seed && !this.store.pending;
      let committed: boolean;
      await ownTask();
      try {
        committed = this.store.setIf(unchanged, { network: net, selected: s.selected < net.a.length ? s.selected : -1 });
      } catch (e) {
        // The trained network itself was refused (a value past the one range of every number): training cannot go
        // on from it, so this stops the live loop with the reason instead of retrying it every frame.
        throw new Error(`the trained network was refused (${messageOf(e)}); lower the learning rate or reset`);
      }
      if (!committed) throw new SupersededError('the state changed while training ran, so its result was dropped');
      this.trainerNet = this.store.state.network;
      this.lastCommitted = this.store.state.network;
      this.saved = state ? { net: this.trainerNet, state } : null;
      this.steps += done;
      if (Number.isFinite(loss)) {
        this.loss = loss;
        if (done < k) {
          // Cancelled: answer now; the held-out loss (time-sliced) follows into the readout and the chart.
          const at = this.steps;
          this.testLoss = Number.NaN;
          this.pushHistory();
          void this.testLossOf(net, () => this.steps !== at).then((t) => {
            // Unless training went on meanwhile (then its own point has its own test loss).
            if (this.steps !== at || !Number.isFinite(t)) return;
            this.testLoss = t;
            this.pushHistory();
            this.report();
          }, () => undefined);
        } else {
          this.testLoss = await this.testLossOf(net, () => false);
          this.pushHistory();
        }
      }
      onProgress?.({ done, of: k });
      if (done < k) throw new TrainingCancelledError(done, k);
      return loss;
    } finally {
      this.inFlight--;
      this.progress = null;
      this.report();
    }
  }

  /** A GPU fault of a training call as the error the caller sees; a fault on a live device costs that device. */
  private gpuFault(e: unknown): unknown {
    if (this.kind !== 'webgpu' || !isGpuFault(e)) return e;
    // A loss is being handled already; another fault makes the root replace the device.
    void this.evaluator.root?.reportFault(e, this.trainerGeneration);
    this.trainer = null;
    return new TrainingGpuError(isDeviceLoss(e), e);
  }

  /**
   * The training call's time as latency + k × per-step cost, fitted to recent ticks (least squares over their
   * k and time). A GPU call has a fixed latency (submit, the queue behind the last frame, the read-back) that
   * a per-call average would count as step time, keeping the live loop at one step per frame.
   */
  private stepModel(): { perStep: number; latency: number; varied: boolean } {
    const xs = this.tickSamples;
    const n = xs.length;
    const mk = xs.reduce((a, p) => a + p.k, 0) / n;
    const mt = xs.reduce((a, p) => a + p.ms, 0) / n;
    let vk = 0;
    let ckt = 0;
    for (const p of xs) {
      vk += (p.k - mk) ** 2;
      ckt += (p.k - mk) * (p.ms - mt);
    }
    const perStep = vk > 0 ? ckt / vk : Number.NaN;
    if (vk > 0 && perStep > 1e-3) return { perStep, latency: Math.max(0, mt - perStep * mk), varied: true };
    // One k seen (or timing noise): count the whole call as step time, which never overestimates the steps.
    return { perStep: Math.max(1e-3, Math.min(...xs.map((p) => p.ms / p.k))), latency: 0, varied: vk > 0 };
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    // A hidden tab trains nothing: the loop waits until the page is shown again (and goes on only if still running).
    if (document.hidden) {
      await whenVisible();
      if (!this.running) return;
    }
    const t0 = performance.now();
    try {
      const k = this.stepsPerTick;
      this.callMs = Number.NaN;
      // One trainer call per tick: each GPU call has a fixed latency, and the tick is already sized in time.
      await this.run(k, { chunkMs: Infinity });
      const trainMs = this.callMs;
      await this.whenDrawn();
      const total = performance.now() - t0;
      this.stepsPerSecond = Number.isFinite(this.stepsPerSecond) ? 0.7 * this.stepsPerSecond + (0.3 * 1000 * k) / total : (1000 * k) / total;
      if (Number.isFinite(trainMs) && trainMs > 0) {
        // What is not training (commit, read-backs, redraw, the frame wait), smoothed.
        this.overheadMs = this.tickSamples.length === 0 ? Math.max(0, total - trainMs) : 0.7 * this.overheadMs + 0.3 * Math.max(0, total - trainMs);
        this.tickSamples.push({ k, ms: trainMs });
        if (this.tickSamples.length > 8) this.tickSamples.shift();
        // Steps per tick from the measured step time (the training call alone, never the redraw): training gets
        // twice the time of the call's latency and the rest of the tick together, so the live loop reaches about
        // two thirds of the trainer's own rate; within TICK_MIN_MS … TICK_MAX_MS of training and at most 4× growth per tick.
        const m = this.stepModel();
        const budget = Math.min(TICK_MAX_MS, Math.max(TICK_MIN_MS, 2 * (m.latency + this.overheadMs)));
        let next = Math.max(1, Math.min(100_000, 4 * k, Math.round(budget / m.perStep)));
        // Only one k seen: try twice as many once, so the fit can tell latency from per-step cost.
        if (!m.varied && next <= k && k * m.perStep < TICK_MAX_MS / 2) next = 2 * k;
        this.stepsPerTick = next;
      }
    } catch (e) {
      // An edit during the step wins, a failed fit was reported where it failed, a lost device is being replaced,
      // and Pause cancels: the next tick trains from the state as it is then. Anything else stops training.
      if (e instanceof TrainingCancelledError) return;
      const lost = isDeviceLoss(e) || (e instanceof TrainingGpuError && e.lost);
      if (!(e instanceof SupersededError) && !(e instanceof StateError) && !lost) {
        this.running = false;
        this.report();
        this.say(`Training stopped: ${messageOf(e)}`);
        return;
      }
    }
    requestAnimationFrame(() => void this.tick());
  }

  toggle(): void {
    if (this.running) {
      this.cancel();
      return;
    }
    this.running = true;
    this.tickSamples = [];
    this.stepsPerTick = 1;
    const s = this.store.state;
    const n = s.network.a.length;
    const lr = this.lrFor(s);
    // Adam moves every parameter by about lr per step whatever its gradient, so N units can move the sum
    // by about N·lr at once: warn before a fine fit is thrown off.
    if (n * lr > 1) {
      this.say(`With ${n} units, each Adam step can move the sum by about N·lr = ${fmt(n * lr)}; if the fit jumps, lower the learning rate (e.g. ${fmt(defaultLr(n))}, or "auto").`, 'info');
    }
    void this.tick();
    this.report();
  }

  stop(): void {
    if (!this.running) return;
    this.cancel();
  }

  /** One Adam step (the panel's Step); errors are said, a cancel or a superseded step is quiet. */
  async stepOnce(): Promise<void> {
    try {
      await this.run(1);
    } catch (e) {
      if (e instanceof TrainingCancelledError || e instanceof SupersededError) return;
      this.say(`Training step failed: ${messageOf(e)}`);
    }
  }

  /**
   * Back to where the run started: the construction it started from (rebuilt), or the network (random or
   * custom) it started from. Stops training first; the loss history starts over.
   */
  reset(): void {
    const origin = this.origin;
    this.cancel();
    if (!origin) {
      this.say('Nothing to reset: training has not started from this network yet.', 'info');
      return;
    }
    try {
      this.store.set(origin.build === 'custom' ? { build: 'custom', network: origin.network } : { build: origin.build });
    } catch (e) {
      this.say(messageOf(e));
      return;
    }
    this.forgetRun();
  }

  /** A network of the current N with seeded random weights (the state's `seed`), knots inside the target's domain. */
  randomInit(): void {
    const s = this.store.state;
    try {
      const sets = trainingSets(s);
      const dim = s.network.dim;
      const domain = dim === 2 ? target2DOf(s.target as Target2DSpec).domain : targetOf(s.target as TargetSpec).domain;
      const stats = valueStats(valuesOf(sets.train));
      const net = randomInit(dim, s.units, s.seed, domain, stats.mean, stats.std);
      this.store.set({ build: 'custom', network: net, selected: -1 });
    } catch (e) {
      this.say(messageOf(e));
      return;
    }
    // A live loop goes on from the new network (its in-flight step is dropped as superseded).
    this.forgetRun();
  }

  private forgetRun(): void {
    this.origin = null;
    this.lastCommitted = null;
    this.saved = null;
    this.steps = 0;
    this.loss = Number.NaN;
    this.testLoss = Number.NaN;
    this.history = emptyHistory();
    this.report();
  }
}
