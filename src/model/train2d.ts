/**
 * Full-batch gradient descent with Adam on every parameter (w1, w2, b, a, c) of a 2D ReLU sum, against samples
 * {xs, ys, zs} with the mean squared error L = (1/M)·Σ_m (f(x_m, y_m) − z_m)².
 * The float64 twin of the WGSL trainer (src/engine/gpu/train2d.ts): same gradients, same update, same layout.
 *
 * Gradients (r_m = f(p_m) − z_m, u = w1_i·x_m + w2_i·y_m + b_i, a unit is active where u > 0, so ReLU'(0) = 0):
 *   ∂L/∂c = (2/M)·Σ r_m                 ∂L/∂a_i = (2/M)·Σ r_m·max(0, u)
 *   ∂L/∂w1_i = (2/M)·a_i·Σ_{u>0} r_m·x_m   ∂L/∂w2_i = (2/M)·a_i·Σ_{u>0} r_m·y_m   ∂L/∂b_i = (2/M)·a_i·Σ_{u>0} r_m
 * Adam as in train1d.ts (the shared AdamTrainer). Cost per step O(N·M).
 */
import { type Activation, act, actDeriv, activationOf } from './activation.ts';
import { type Network, validateNetwork } from './network.ts';
import { AdamTrainer, MAX_TRAIN_SAMPLES, type TrainOptions, TrainError } from './train1d.ts';

/** Training samples of a 2D target: points (xs[m], ys[m]) with values zs[m]. */
export interface TrainSamples2D {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  zs: ArrayLike<number>;
}

/** Checks 2D samples (equal lengths, 1 … MAX_TRAIN_SAMPLES, all finite) and copies them to float64. */
export function checkTrainSamples2D(samples: TrainSamples2D): { xs: Float64Array; ys: Float64Array; zs: Float64Array } {
  if (typeof samples !== 'object' || samples === null || !samples.xs || !samples.ys || !samples.zs) {
    throw new TrainError('samples must be { xs, ys, zs }');
  }
  const n = samples.xs.length;
  if (samples.ys.length !== n || samples.zs.length !== n) {
    throw new TrainError(`samples: ${n} xs but ${samples.ys.length} ys and ${samples.zs.length} zs`);
  }
  if (n < 1 || n > MAX_TRAIN_SAMPLES) throw new TrainError(`samples: need 1 to ${MAX_TRAIN_SAMPLES} points, got ${n}`);
  const xs = Float64Array.from(samples.xs);
  const ys = Float64Array.from(samples.ys);
  const zs = Float64Array.from(samples.zs);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i]) || !Number.isFinite(zs[i])) throw new TrainError(`samples: point ${i} is not finite`);
  }
  return { xs, ys, zs };
}

/** Packs a 2D network as [w (N×2 row-major: w1_0, w2_0, w1_1, …), b…, a…, c] (4N + 1 values), the layout both 2D trainers use. */
export function packParams2D(net: Network): Float64Array {
  const n = net.a.length;
  const out = new Float64Array(4 * n + 1);
  for (let i = 0; i < 2 * n; i++) out[i] = net.w[i];
  for (let i = 0; i < n; i++) {
    out[2 * n + i] = net.b[i];
    out[3 * n + i] = net.a[i];
  }
  out[4 * n] = net.c;
  return out;
}

/** Inverse of packParams2D. */
export function unpackParams2D(theta: ArrayLike<number>, n: number): Network {
  const w = new Array<number>(2 * n);
  const b = new Array<number>(n);
  const a = new Array<number>(n);
  for (let i = 0; i < 2 * n; i++) w[i] = theta[i];
  for (let i = 0; i < n; i++) {
    b[i] = theta[2 * n + i];
    a[i] = theta[3 * n + i];
  }
  return { dim: 2, w, b, a, c: theta[4 * n] };
}

/** The CPU trainer for 2D networks. Deterministic: the same network, samples and options give the same numbers. */
export class Trainer2D extends AdamTrainer {
  private readonly n: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly zs: Float64Array;
  private readonly r: Float64Array;
  /** The units' activation: φ in the forward pass, φ' in the gradient (model/activation.ts). */
  private readonly activation: Activation;

  /** Validates the network (dim 2), samples and options (InvalidNetworkError / TrainError); the first loss is computed lazily. */
  constructor(net: Network, samples: TrainSamples2D, opts: TrainOptions) {
    const v = validateNetwork(net);
    if (v.dim !== 2) throw new TrainError('Trainer2D trains 2D networks only');
    super(packParams2D(v), opts);
    this.activation = activationOf(v);
    const s = checkTrainSamples2D(samples);
    this.xs = s.xs;
    this.ys = s.ys;
    this.zs = s.zs;
    this.n = v.a.length;
    this.r = new Float64Array(this.xs.length);
  }

  protected get unitCount(): number {
    return this.n;
  }

  protected get sampleCount(): number {
    return this.xs.length;
  }

  /** Residuals r_m = f(p_m) − z_m for m in [m0, m1); returns Σ r_m². */
  protected forwardRange(m0: number, m1: number): number {
    const { xs, ys, zs, r, theta, n, activation } = this;
    const c = theta[4 * n];
    let loss = 0;
    for (let m = m0; m < m1; m++) {
      const x = xs[m];
      const y = ys[m];
      let f = c;
      if (activation === 'relu') {
        for (let i = 0; i < n; i++) {
          const u = theta[2 * i] * x + theta[2 * i + 1] * y + theta[2 * n + i];
          if (u > 0) f += theta[3 * n + i] * u;
        }
      } else {
        for (let i = 0; i < n; i++) f += theta[3 * n + i] * act(activation, theta[2 * i] * x + theta[2 * i + 1] * y + theta[2 * n + i]);
      }
      const d = f - zs[m];
      r[m] = d;
      loss += d * d;
    }
    return loss;
  }

  /** Raw sums over the active samples in [m0, m1) into grad (see finishGradient). */
  protected backwardRange(m0: number, m1: number): void {
    const { xs, ys, r, theta, n, grad } = this;
    let gc = 0;
    for (let m = m0; m < m1; m++) gc += r[m];
    grad[4 * n] += gc;
    for (let i = 0; i < n; i++) {
      const w1 = theta[2 * i];
      const w2 = theta[2 * i + 1];
      const b = theta[2 * n + i];
      let gx = 0;
      let gy = 0;
      let gb = 0;
      let ga = 0;
      if (this.activation === 'relu') {
        for (let m = m0; m < m1; m++) {
          const u = w1 * xs[m] + w2 * ys[m] + b;
          if (u > 0) {
            const rm = r[m];
            ga += rm * u;
            gx += rm * xs[m];
            gy += rm * ys[m];
            gb += rm;
          }
        }
      } else {
        for (let m = m0; m < m1; m++) {
          const u = w1 * xs[m] + w2 * ys[m] + b;
          const d = r[m] * actDeriv(this.activation, u);
          ga += r[m] * act(this.activation, u);
          gx += d * xs[m];
          gy += d * ys[m];
          gb += d;
        }
      }
      grad[2 * i] += gx;
      grad[2 * i + 1] += gy;
      grad[2 * n + i] += gb;
      grad[3 * n + i] += ga;
    }
  }

  protected finishGradient(): void {
    const { theta, n, grad } = this;
    const scale = 2 / this.xs.length;
    grad[4 * n] = scale * grad[4 * n];
    for (let i = 0; i < n; i++) {
      const a = theta[3 * n + i];
      grad[2 * i] = scale * a * grad[2 * i];
      grad[2 * i + 1] = scale * a * grad[2 * i + 1];
      grad[2 * n + i] = scale * a * grad[2 * n + i];
      grad[3 * n + i] = scale * grad[3 * n + i];
    }
  }

  /** A copy of the current network. */
  network(): Network {
    const net = unpackParams2D(this.theta, this.n);
    if (this.activation !== 'relu') net.activation = this.activation;
    return net;
  }
}
