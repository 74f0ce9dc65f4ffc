/**
 * Training with Adam: live (play/pause) or a given number of steps (the scripting API). The trainer follows
 * the state: an edit elsewhere restarts it from the edited network; WebGPU trains where there is a device.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { isDeviceLoss, isGpuFault, plainGpuFault } from '../engine/gpu/errors.ts';
import { GpuTrainer1D } from '../engine/gpu/train1d.ts';
import { GpuTrainer2D } from '../engine/gpu/train2d.ts';
import type { Network } from '../model/network.ts';
import { sampleTarget, type TargetSpec } from '../model/targets.ts';
import { type TrainState, Trainer1D } from '../model/train1d.ts';
import { Trainer2D } from '../model/train2d.ts';
import { type AppState, StateError, type Store, type Target2DSpec, samples2DOf, targetOf } from '../state/state.ts';
import { fmt } from '../ui/formula.ts';
import { messageOf, type Say } from './dom.ts';
import { whenVisible } from './visibility.ts';

/** The CPU and GPU trainers (1D and 2D) share this shape; the GPU ones answer asynchronously. */
interface Trainer {
  step(k: number): number | Promise<number>;
  network(): Network | Promise<Network>;
  setOptions(opts: { lr: number }): void;
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

export interface TrainingStatus {
  training: boolean;
  steps: number;
  loss: number;
}

/** GPU root module key of the trainer. */
const TRAINER = 'trainer';
/** Samples a 2D target is trained on when it is a function (a grid over its domain); data trains on its points. */
const TRAIN_SAMPLES_2D = 4096;

export class TrainingController {
  private trainer: Trainer | null = null;
  private trainerNet: Network | null = null;
  private trainerTarget: AppState['target'] | null = null;
  /** The GPU root generation (device) the trainer was built on; −1 for the CPU. */
  private trainerGeneration = -1;
  /** Adam's state after the last committed steps, and the network it belongs to (kept across a device loss). */
  private saved: { net: Network; state: TrainState } | null = null;
  /** Where the last steps ran. */
  kind: 'webgpu' | 'cpu' = 'cpu';
  private running = false;
  private steps = 0;
  private loss = Number.NaN;
  private stepsPerFrame = 1;
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
    return { training: this.running, steps: this.steps, loss: this.loss };
  }

  private report(): void {
    this.onStatus(this.status);
  }

  /** The trainer for this state: reused while the state is the one it trained, else built afresh. */
  private async trainerFor(s: AppState): Promise<Trainer> {
    const root = this.evaluator.root;
    const generation = root?.device ? root.generation : -1;
    if (!this.trainer || this.trainerNet !== s.network || this.trainerTarget !== s.target || this.trainerGeneration !== generation) {
      this.trainer = null;
      const two = s.network.dim === 2;
      const samples1 = two ? null : (() => {
        const t = targetOf(s.target as TargetSpec);
        return t.samples ?? sampleTarget(t.f, t.domain, 512);
      })();
      const samples2 = two ? samples2DOf(s.target as Target2DSpec, TRAIN_SAMPLES_2D / 2) : null;
      // 2D on CPU-like adapters (SwiftShader): 200 steps at N = 32 on 4,096 samples took 25.6 s there against
      // 1.35 s on the CPU trainer (.notes/train2d.mts), so the CPU trains; `?train=gpu|cpu` overrides.
      const forced = new URLSearchParams(location.search).get('train');
      const cpuLike = root?.startup ? isCpuLikeAdapter(root.startup.adapter) : true;
      const useGpu = forced === 'gpu' || (forced !== 'cpu' && !(two && cpuLike));
      if (root?.device && useGpu) {
        try {
          // A module of the GPU root: destroyed with the device, so a loss never leaves a trainer on a dead one.
          root.drop(TRAINER);
          this.trainer = await root.module(TRAINER, (device) =>
            samples2 ? GpuTrainer2D.create(device, s.network, samples2, { lr: s.lr }) : GpuTrainer1D.create(device, s.network, samples1!, { lr: s.lr }),
          );
          this.kind = 'webgpu';
        } catch (e) {
          // A device lost meanwhile is being replaced: the caller tries again on the new one, not on the CPU.
          if (isDeviceLoss(e)) throw new TrainingGpuError(true, e);
          this.say(`Training on the GPU failed to start (${plainGpuFault(e)}); training on the CPU.`, 'info');
        }
      }
      if (!this.trainer) {
        this.trainer = samples2 ? new Trainer2D(s.network, samples2, { lr: s.lr }) : new Trainer1D(s.network, samples1!, { lr: s.lr });
        this.kind = 'cpu';
      }
      // A new trainer for the very network the last one left (a lost device, a backend change) goes on with its
      // optimizer state: fresh moments made the next step of a converged fit 109× worse.
      if (this.saved && this.saved.net === s.network && this.trainerTarget === s.target) {
        try {
          await this.trainer!.restoreState(this.saved.state);
        } catch {
          // A state of another shape (the network was edited meanwhile): start fresh.
        }
      }
      this.trainerNet = s.network;
      this.trainerTarget = s.target;
      this.trainerGeneration = generation;
    }
    return this.trainer!;
  }

  /**
   * Runs k Adam steps from the current state and commits the trained network, unless its network or target
   * changed meanwhile (an edit, an import, a fit): then the result is dropped and SupersededError says so.
   * Panning, zooming or another learning rate do not drop it. Calls run one after another.
   */
  run(k: number): Promise<number> {
    const next = this.queue.then(() => this.runNow(k));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(k: number): Promise<number> {
    await this.store.settled();
    const s = this.store.state;
    if (s.network.a.length === 0) throw new Error('add a unit before training');
    const tr = await this.trainerFor(s);
    tr.setOptions({ lr: s.lr });
    let loss: number;
    let net: Network;
    let state: TrainState;
    try {
      loss = await tr.step(k);
      net = await tr.network();
      // Read before the commit: if the device goes now, nothing is committed and the last commit's state stays valid.
      state = await tr.state();
    } catch (e) {
      if (this.kind !== 'webgpu' || !isGpuFault(e)) throw e;
      // A fault on a live device costs that device (the root replaces it); a loss is being handled already.
      void this.evaluator.root?.reportFault(e, this.trainerGeneration);
      this.trainer = null;
      throw new TrainingGpuError(isDeviceLoss(e), e);
    }
    const unchanged = (c: AppState) => c.network === s.network && c.target === s.target && !this.store.pending;
    if (!this.store.setIf(unchanged, { network: net, selected: s.selected < net.a.length ? s.selected : -1 })) {
      throw new SupersededError('the state changed while training ran, so its result was dropped');
    }
    this.trainerNet = this.store.state.network;
    this.saved = { net: this.trainerNet, state };
    this.steps += k;
    this.loss = loss;
    this.report();
    return loss;
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
      await this.run(this.stepsPerFrame);
      // Aim at ~20 ms of training per frame so the plot stays fluid.
      const dt = performance.now() - t0;
      this.stepsPerFrame = Math.max(1, Math.min(500, Math.round(this.stepsPerFrame * (dt > 0 ? Math.min(2, 20 / dt) : 2))));
      await this.whenDrawn();
    } catch (e) {
      // An edit during the step wins, a failed fit was reported where it failed, and a lost device is being
      // replaced: the next tick trains from the state as it is then. Anything else stops training and says why.
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
    this.running = !this.running;
    if (this.running) {
      const s = this.store.state;
      const n = s.network.a.length;
      // Adam moves every parameter by about lr per step whatever its gradient, so N units can move the sum
      // by about N·lr at once: warn before a fine fit is thrown off.
      if (n * s.lr > 1) {
        this.say(`With ${n} units, each Adam step can move the sum by about N·lr = ${fmt(n * s.lr)}; if the fit jumps, lower the learning rate (e.g. ${fmt(0.5 / n)}).`, 'info');
      }
      void this.tick();
    }
    this.report();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.report();
  }
}
