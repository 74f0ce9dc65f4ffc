/**
 * Full-batch gradient descent with Adam on every parameter (w, b, a, c) of a 1D ReLU sum, against
 * samples {xs, ys} with the mean squared error L = (1/M)·Σ_m (f(x_m) − y_m)².
 * The float64 twin of the WGSL trainer (src/engine/gpu/train1d.ts): same gradients, same update, same order.
 *
 * Gradients (r_m = f(x_m) − y_m, z = w_i·x_m + b_i, a unit is active where z > 0, so ReLU'(0) = 0):
 *   ∂L/∂c = (2/M)·Σ r_m       ∂L/∂a_i = (2/M)·Σ r_m·max(0, z)
 *   ∂L/∂w_i = (2/M)·Σ_{z>0} r_m·a_i·x_m      ∂L/∂b_i = (2/M)·Σ_{z>0} r_m·a_i
 * Adam (Kingma & Ba), step t = 1, 2, …:
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  θ ← θ − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
 * Cost per step O(N·M).
 */
import { type Activation, act, actDeriv, activationOf } from './activation.ts';
import { type Network, validateNetwork } from './network.ts';

export interface TrainOptions {
  /** Learning rate, > 0. */
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
}

export interface TrainSamples {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

/** Most samples a trainer accepts (CPU and GPU alike). */
export const MAX_TRAIN_SAMPLES = 1 << 22;

/** Bad trainer input: samples, options or network. */
export class TrainError extends Error {
  override name = 'TrainError';
}

/** Checks and fills in Adam options; throws TrainError with the offending field. */
export function checkTrainOptions(opts: TrainOptions): Required<TrainOptions> {
  if (typeof opts !== 'object' || opts === null) throw new TrainError('options must be an object with lr');
  const o = { lr: opts.lr, beta1: opts.beta1 ?? 0.9, beta2: opts.beta2 ?? 0.999, eps: opts.eps ?? 1e-8 };
  if (typeof o.lr !== 'number' || !Number.isFinite(o.lr) || o.lr <= 0) throw new TrainError(`lr must be a finite number > 0, got ${o.lr}`);
  for (const k of ['beta1', 'beta2'] as const) {
    if (typeof o[k] !== 'number' || !(o[k] >= 0 && o[k] < 1)) throw new TrainError(`${k} must be in [0, 1), got ${o[k]}`);
  }
  if (typeof o.eps !== 'number' || !Number.isFinite(o.eps) || o.eps <= 0) throw new TrainError(`eps must be a finite number > 0, got ${o.eps}`);
  return o;
}

/** Checks samples (equal lengths, 1 … MAX_TRAIN_SAMPLES, all finite) and copies them to float64. */
export function checkTrainSamples(samples: TrainSamples): { xs: Float64Array; ys: Float64Array } {
  if (typeof samples !== 'object' || samples === null || !samples.xs || !samples.ys) {
    throw new TrainError('samples must be { xs, ys }');
  }
  const n = samples.xs.length;
  if (samples.ys.length !== n) throw new TrainError(`samples: ${n} xs but ${samples.ys.length} ys`);
  if (n < 1 || n > MAX_TRAIN_SAMPLES) throw new TrainError(`samples: need 1 to ${MAX_TRAIN_SAMPLES} points, got ${n}`);
  const xs = Float64Array.from(samples.xs);
  const ys = Float64Array.from(samples.ys);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) throw new TrainError(`samples: point ${i} is not finite`);
  }
  return { xs, ys };
}

/** Adam's bias corrections 1 − β^t for step t (shared with the GPU trainer, which gets them as uniforms). */
export function adamCorrections(beta1: number, beta2: number, t: number): [number, number] {
  return [1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t)];
}

/** Adam's moments and step count: what a trainer needs to continue where another left off (e.g. after a device loss). */
export interface TrainState {
  /** First moments, packed like the parameters. */
  m: Float64Array;
  /** Second moments, packed like the parameters (≥ 0). */
  v: Float64Array;
  /** Steps taken (Adam's t). */
  t: number;
}

/** Checks a TrainState for `count` parameters (TrainError naming the field) and returns float64 copies. */
export function checkTrainState(state: TrainState, count: number): TrainState {
  if (typeof state !== 'object' || state === null) throw new TrainError('state must be { m, v, t }');
  const { m, v, t } = state;
  if (!m || m.length !== count) throw new TrainError(`state.m must have ${count} entries (one per parameter), got ${m?.length}`);
  if (!v || v.length !== count) throw new TrainError(`state.v must have ${count} entries (one per parameter), got ${v?.length}`);
  if (!Number.isInteger(t) || t < 0) throw new TrainError(`state.t must be an integer ≥ 0, got ${t}`);
  for (let k = 0; k < count; k++) {
    if (!Number.isFinite(m[k])) throw new TrainError(`state.m[${k}] must be finite, got ${m[k]}`);
    if (!Number.isFinite(v[k]) || v[k] < 0) throw new TrainError(`state.v[${k}] must be finite and ≥ 0, got ${v[k]}`);
  }
  return { m: Float64Array.from(m), v: Float64Array.from(v), t };
}

/** Work (unit × sample products) between two yields of `AdamTrainer.run`: a few milliseconds on one core. */
export const DEFAULT_CHUNK_OPS = 1 << 20;

/** Where a chunked training call is: steps completed of those asked for. */
export interface TrainProgress {
  done: number;
  of: number;
}

/**
 * What the CPU trainers share: the packed parameters θ, Adam's moments and step count, the update, the
 * k-step call (whole, or in sample chunks that yield between them) with its divergence rollback, and the state
 * export. A subclass supplies the model over a range of samples: `forwardRange` (residuals and their squared
 * sum) and `backwardRange` (raw gradient sums added into `grad`), and `finishGradient` (scales the sums).
 */
export abstract class AdamTrainer {
  protected readonly theta: Float64Array;
  protected readonly m1: Float64Array;
  protected readonly m2: Float64Array;
  protected readonly grad: Float64Array;
  protected opts: Required<TrainOptions>;
  private t = 0;
  private lastLoss = Number.NaN;
  /** Whether the residuals (and lastLoss) belong to the current θ; false until the first forward pass. */
  private current = false;

  protected constructor(theta: Float64Array, opts: TrainOptions) {
    this.opts = checkTrainOptions(opts);
    this.theta = theta;
    this.m1 = new Float64Array(theta.length);
    this.m2 = new Float64Array(theta.length);
    this.grad = new Float64Array(theta.length);
  }

  /** Unit count N (the cost of one sample is about N products). */
  protected abstract get unitCount(): number;
  /** Sample count M. */
  protected abstract get sampleCount(): number;

  /** Residuals of samples [m0, m1) at the current parameters; returns the sum of their squares. */
  protected abstract forwardRange(m0: number, m1: number): number;

  /** Adds the raw gradient sums of samples [m0, m1) (from the current residuals) into `grad`. */
  protected abstract backwardRange(m0: number, m1: number): void;

  /** Turns the raw sums in `grad` (all samples added) into ∂L/∂θ. */
  protected abstract finishGradient(): void;

  /** Steps taken so far (Adam's t). */
  get steps(): number {
    return this.t;
  }

  /** Changes lr (or the other Adam constants) between steps; moments are kept. */
  setOptions(opts: Partial<TrainOptions>): void {
    this.opts = checkTrainOptions({ ...this.opts, ...opts });
  }

  private adam(): void {
    this.t++;
    const { lr, beta1, beta2, eps } = this.opts;
    const [bc1, bc2] = adamCorrections(beta1, beta2, this.t);
    const { theta, m1, m2, grad } = this;
    for (let k = 0; k < theta.length; k++) {
      const g = grad[k];
      m1[k] = beta1 * m1[k] + (1 - beta1) * g;
      m2[k] = beta2 * m2[k] + (1 - beta2) * g * g;
      theta[k] -= (lr * (m1[k] / bc1)) / (Math.sqrt(m2[k] / bc2) + eps);
    }
  }

  /** Samples per chunk for a budget of `chunkOps` products (at least one sample; all of them for Infinity). */
  private chunkOf(chunkOps: number): number {
    return Math.max(1, Math.floor(chunkOps / Math.max(1, this.unitCount)));
  }

  /** The forward pass in chunks; leaves the residuals and the loss current. */
  private *forwardChunks(per: number, progress: TrainProgress): Generator<TrainProgress, void, void> {
    const m = this.sampleCount;
    let sum = 0;
    for (let m0 = 0; m0 < m; m0 += per) {
      sum += this.forwardRange(m0, Math.min(m, m0 + per));
      // After every chunk, the last one too: a step smaller than a chunk still lets the caller look at the clock.
      yield progress;
    }
    this.lastLoss = sum / m;
    this.current = true;
  }

  /** The gradient at the current parameters into `grad`, in chunks. */
  private *backwardChunks(per: number, progress: TrainProgress): Generator<TrainProgress, void, void> {
    if (!this.current) yield* this.forwardChunks(per, progress);
    this.grad.fill(0);
    const m = this.sampleCount;
    for (let m0 = 0; m0 < m; m0 += per) {
      this.backwardRange(m0, Math.min(m, m0 + per));
      yield progress;
    }
    this.finishGradient();
  }

  /** ∂L/∂θ at the current parameters, packed like the parameters; a fresh copy. */
  gradient(): Float64Array {
    drain(this.backwardChunks(Infinity, { done: 0, of: 0 }));
    return this.grad.slice();
  }

  /**
   * Takes k ≥ 0 full-batch Adam steps, yielding between sample chunks of about `chunkOps` products each (the
   * caller decides when to go on: time slicing on a page); returns the loss at the parameters after the last
   * step. Chunking changes only the order of additions (results agree to rounding). A caller that stops
   * iterating leaves the trainer consistent: the parameters are those after the last completed step (`steps`
   * tells how many), and the next call goes on from there. If the loss turns non-finite (a learning rate far
   * too large), everything is put back as it was before this call and a TrainError says so.
   */
  *run(k = 1, chunkOps = DEFAULT_CHUNK_OPS): Generator<TrainProgress, number, void> {
    if (!Number.isInteger(k) || k < 0) throw new TrainError(`step count must be an integer ≥ 0, got ${k}`);
    if (!(chunkOps > 0)) throw new TrainError(`chunkOps must be > 0, got ${chunkOps}`);
    const per = this.chunkOf(chunkOps);
    const progress: TrainProgress = { done: 0, of: k };
    if (!this.current) yield* this.forwardChunks(per, progress);
    const saved = { theta: this.theta.slice(), m1: this.m1.slice(), m2: this.m2.slice(), t: this.t, loss: this.lastLoss };
    for (let s = 0; s < k; s++) {
      // The residuals are current: computed by the first forward or by the previous step's final forward.
      yield* this.backwardChunks(per, progress);
      this.adam();
      this.current = false;
      progress.done = s + 1;
      yield* this.forwardChunks(per, progress);
      if (!Number.isFinite(this.lastLoss)) break;
    }
    if (!Number.isFinite(this.lastLoss)) {
      this.theta.set(saved.theta);
      this.m1.set(saved.m1);
      this.m2.set(saved.m2);
      this.t = saved.t;
      this.lastLoss = saved.loss;
      this.current = false;
      throw new TrainError(divergedMessage(this.opts.lr));
    }
    return this.lastLoss;
  }

  /** Takes k ≥ 0 full-batch Adam steps at once (see `run`); returns the loss after the last one. */
  step(k = 1): number {
    return drain(this.run(k, Infinity));
  }

  /** Mean squared error at the current parameters (computed now if a cancelled call left it stale). */
  loss(): number {
    if (!this.current) drain(this.forwardChunks(Infinity, { done: 0, of: 0 }));
    return this.lastLoss;
  }

  /** A copy of Adam's moments and step count (packed like the parameters), for `restoreState` here or on the GPU twin. */
  state(): TrainState {
    return { m: this.m1.slice(), v: this.m2.slice(), t: this.t };
  }

  /**
   * Continues from an exported state (same network size): the next step is step t + 1 with these moments.
   * The parameters stay those of the network the trainer was made with. TrainError for a state that does not fit.
   */
  restoreState(state: TrainState): void {
    const s = checkTrainState(state, this.theta.length);
    this.m1.set(s.m);
    this.m2.set(s.v);
    this.t = s.t;
  }
}

/** Runs a generator to its end and returns its value. */
export function drain<T>(gen: Generator<unknown, T, void>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/** The CPU trainer. Deterministic: the same network, samples and options give the same numbers. */
export class Trainer1D extends AdamTrainer {
  private readonly n: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly r: Float64Array;
  /** The units' activation: φ in the forward pass, φ' in the gradient (model/activation.ts). */
  private readonly activation: Activation;

  constructor(net: Network, samples: TrainSamples, opts: TrainOptions) {
    const v = validateNetwork(net);
    if (v.dim !== 1) throw new TrainError('Trainer1D trains 1D networks only');
    super(packParams(v), opts);
    this.activation = activationOf(v);
    const s = checkTrainSamples(samples);
    this.xs = s.xs;
    this.ys = s.ys;
    this.n = v.a.length;
    this.r = new Float64Array(this.xs.length);
  }

  protected get unitCount(): number {
    return this.n;
  }

  protected get sampleCount(): number {
    return this.xs.length;
  }

  /** Residuals r_m = f(x_m) − y_m for m in [m0, m1); returns Σ r_m². */
  protected forwardRange(m0: number, m1: number): number {
    const { xs, ys, r, theta, n, activation } = this;
    const c = theta[3 * n];
    let loss = 0;
    for (let m = m0; m < m1; m++) {
      const x = xs[m];
      let f = c;
      if (activation === 'relu') {
        for (let i = 0; i < n; i++) {
          const z = theta[i] * x + theta[n + i];
          if (z > 0) f += theta[2 * n + i] * z;
        }
      } else {
        for (let i = 0; i < n; i++) f += theta[2 * n + i] * act(activation, theta[i] * x + theta[n + i]);
      }
      const d = f - ys[m];
      r[m] = d;
      loss += d * d;
    }
    return loss;
  }

  /** Raw sums Σ r·x, Σ r, Σ r·z over the active samples in [m0, m1) into grad's w, b, a slots; Σ r into c's. */
  protected backwardRange(m0: number, m1: number): void {
    const { xs, r, theta, n, grad } = this;
    let gc = 0;
    for (let m = m0; m < m1; m++) gc += r[m];
    grad[3 * n] += gc;
    for (let i = 0; i < n; i++) {
      const w = theta[i];
      const b = theta[n + i];
      let gw = 0;
      let gb = 0;
      let ga = 0;
      if (this.activation === 'relu') {
        for (let m = m0; m < m1; m++) {
          const z = w * xs[m] + b;
          if (z > 0) {
            ga += r[m] * z;
            gw += r[m] * xs[m];
            gb += r[m];
          }
        }
      } else {
        for (let m = m0; m < m1; m++) {
          const z = w * xs[m] + b;
          const d = r[m] * actDeriv(this.activation, z);
          ga += r[m] * act(this.activation, z);
          gw += d * xs[m];
          gb += d;
        }
      }
      grad[i] += gw;
      grad[n + i] += gb;
      grad[2 * n + i] += ga;
    }
  }

  protected finishGradient(): void {
    const { theta, n, grad } = this;
    const scale = 2 / this.xs.length;
    grad[3 * n] = scale * grad[3 * n];
    for (let i = 0; i < n; i++) {
      const a = theta[2 * n + i];
      grad[i] = scale * a * grad[i];
      grad[n + i] = scale * a * grad[n + i];
      grad[2 * n + i] = scale * grad[2 * n + i];
    }
  }

  /** A copy of the current network. */
  network(): Network {
    const net = unpackParams(this.theta, this.n);
    if (this.activation !== 'relu') net.activation = this.activation;
    return net;
  }
}

/** The message of a diverged training call (shared with the GPU trainer). */
export function divergedMessage(lr: number): string {
  return `training diverged (the loss became non-finite) at learning rate ${lr}; the parameters were restored — lower the learning rate`;
}

/** Packs a 1D network as [w…, b…, a…, c] (N·3 + 1 values), the layout both trainers use. */
export function packParams(net: Network): Float64Array {
  const n = net.a.length;
  const out = new Float64Array(3 * n + 1);
  for (let i = 0; i < n; i++) {
    out[i] = net.w[i];
    out[n + i] = net.b[i];
    out[2 * n + i] = net.a[i];
  }
  out[3 * n] = net.c;
  return out;
}

/** Inverse of packParams. */
export function unpackParams(theta: ArrayLike<number>, n: number): Network {
  const w = new Array<number>(n);
  const b = new Array<number>(n);
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    w[i] = theta[i];
    b[i] = theta[n + i];
    a[i] = theta[2 * n + i];
  }
  return { dim: 1, w, b, a, c: theta[3 * n] };
}
