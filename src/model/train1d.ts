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

/**
 * What the CPU trainers share: the packed parameters θ, Adam's moments and step count, the update, the
 * k-step call with its divergence rollback, and the state export. A subclass supplies the model: `forward`
 * (residuals and the loss at θ) and `backward` (∂L/∂θ into `grad` from the current residuals), then calls `start`.
 */
export abstract class AdamTrainer {
  protected readonly theta: Float64Array;
  protected readonly m1: Float64Array;
  protected readonly m2: Float64Array;
  protected readonly grad: Float64Array;
  protected opts: Required<TrainOptions>;
  private t = 0;
  private lastLoss = Number.NaN;

  protected constructor(theta: Float64Array, opts: TrainOptions) {
    this.opts = checkTrainOptions(opts);
    this.theta = theta;
    this.m1 = new Float64Array(theta.length);
    this.m2 = new Float64Array(theta.length);
    this.grad = new Float64Array(theta.length);
  }

  /** Residuals at the current parameters; returns the mean squared error. */
  protected abstract forward(): number;

  /** Gradient of the MSE into `grad`, at the parameters the residuals were computed for. */
  protected abstract backward(): void;

  /** Computes the initial loss: called by the subclass constructor once its samples are in place. */
  protected start(): void {
    this.lastLoss = this.forward();
  }

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

  /** ∂L/∂θ at the current parameters, packed like the parameters; a fresh copy. */
  gradient(): Float64Array {
    this.backward();
    return this.grad.slice();
  }

  /**
   * Takes k ≥ 0 full-batch Adam steps; returns the loss at the parameters after the last one.
   * If the loss turns non-finite (a learning rate far too large), everything is put back as it was
   * before this call and a TrainError says so.
   */
  step(k = 1): number {
    if (!Number.isInteger(k) || k < 0) throw new TrainError(`step count must be an integer ≥ 0, got ${k}`);
    const saved = { theta: this.theta.slice(), m1: this.m1.slice(), m2: this.m2.slice(), t: this.t, loss: this.lastLoss };
    for (let s = 0; s < k; s++) {
      // The residuals are current: computed by start() or by the previous step's final forward.
      this.backward();
      this.adam();
      this.lastLoss = this.forward();
    }
    if (!Number.isFinite(this.lastLoss)) {
      this.theta.set(saved.theta);
      this.m1.set(saved.m1);
      this.m2.set(saved.m2);
      this.t = saved.t;
      this.lastLoss = this.forward();
      throw new TrainError(divergedMessage(this.opts.lr));
    }
    return this.lastLoss;
  }

  /** Mean squared error at the current parameters. */
  loss(): number {
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
    this.start();
  }

  /** Residuals r_m = f(x_m) − y_m into this.r; returns the mean squared error. */
  protected forward(): number {
    const { xs, ys, r, theta, n, activation } = this;
    const c = theta[3 * n];
    let loss = 0;
    for (let m = 0; m < xs.length; m++) {
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
    return loss / xs.length;
  }

  /** Gradient of the MSE at the parameters the residuals were computed for. */
  protected backward(): void {
    const { xs, r, theta, n, grad } = this;
    const scale = 2 / xs.length;
    let gc = 0;
    for (let m = 0; m < xs.length; m++) gc += r[m];
    grad[3 * n] = scale * gc;
    for (let i = 0; i < n; i++) {
      const w = theta[i];
      const b = theta[n + i];
      const a = theta[2 * n + i];
      let gw = 0;
      let gb = 0;
      let ga = 0;
      if (this.activation === 'relu') {
        for (let m = 0; m < xs.length; m++) {
          const z = w * xs[m] + b;
          if (z > 0) {
            ga += r[m] * z;
            gw += r[m] * xs[m];
            gb += r[m];
          }
        }
      } else {
        for (let m = 0; m < xs.length; m++) {
          const z = w * xs[m] + b;
          const d = r[m] * actDeriv(this.activation, z);
          ga += r[m] * act(this.activation, z);
          gw += d * xs[m];
          gb += d;
        }
      }
      grad[i] = scale * a * gw;
      grad[n + i] = scale * a * gb;
      grad[2 * n + i] = scale * ga;
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
