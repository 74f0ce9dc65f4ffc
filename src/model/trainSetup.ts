/**
 * What a training run starts from: a learning rate that is stable for N units, a seeded random network
 * (He-style, its knots or creases inside the target's domain), the training samples with seeded noise and a
 * seeded train/test split, and the mean squared error of a network on held-out samples (in chunks).
 */
import type { Rect } from './lines2d.ts';
import { act, actDeriv, activationOf, plSlope } from './activation.ts';
import { argsortFloat64 } from './argsort.ts';
import { MAX_UNITS, type Network, seededRandom } from './network.ts';
import { evaluateNetwork1D } from './piecewise1d.ts';

/**
 * The learning rate used while the state says `lr: 'auto'`: min(0.01, 0.5/N). Adam moves every parameter by
 * about lr per step whatever its gradient, so N units can move the sum by about N·lr at once; keeping
 * N·lr ≤ 0.5 keeps a fit from being thrown off by far (0.01 up to N = 50). Near a good fit a 1D run starts
 * lower still: see autoLr.
 */
export function defaultLr(n: number): number {
  return Math.min(0.01, 0.5 / Math.max(1, n));
}

/**
 * The learning rate for `lr: 'auto'` given the network and its training samples: defaultLr(N), lowered where
 * that would make Adam's first step raise the loss. Adam's first step moves parameter p by lr·g_p/(|g_p| + ε)
 * whatever the size of its gradient g_p, so near a good fit (an interpolation at N = 65,536 has residuals of
 * 1e-9) even lr = 0.5/N threw the loss from 1e-19 to 0.5. Along that step the sum changes by −lr·u(x), with
 * u = Σ_p d_p ∂f/∂θ_p, so the mean squared error is smallest at lr* = Σ r·u / Σ u² (r the residuals): the auto
 * rate is min(defaultLr(N), lr* · ½), whose first step lowers the loss (to second order: by 3/4 of the most a step
 * of this direction can). Scale-aware: it follows the residuals, the domain, N and the sizes of the weights.
 * O((N + M) log(N + M)) for the piecewise-linear activations (sorted sweeps), O(N·M) for sigmoid.
 */
export function autoLr(net: Network, samples: { xs: ArrayLike<number>; ys: ArrayLike<number> }, eps = 1e-8): number {
  const n = net.a.length;
  const base = defaultLr(n);
  const m = samples.xs.length;
  if (net.dim !== 1 || n === 0 || m === 0) return base;
  const activation = activationOf(net);
  const xs = Float64Array.from(samples.xs);
  const r = evaluateNetwork1D(net, xs);
  for (let j = 0; j < m; j++) r[j] -= samples.ys[j];
  const scale = 2 / m;
  // Adam's first step direction d_p = g_p / (|g_p| + ε) (bias-corrected moments are g and g²).
  const dir = (g: number) => g / (Math.abs(g) + eps);
  let rTotal = 0;
  for (let j = 0; j < m; j++) rTotal += r[j];
  const dc = dir(scale * rTotal);
  // Per unit, the line u_i(x) = P_i·x + Q_i that the step moves its term by where the unit is active (ψ = 1;
  // α·u_i elsewhere for piecewise-linear φ): d_a·(w·x + b) + a·(d_b + d_w·x).
  const P = new Float64Array(n);
  const Q = new Float64Array(n);
  const u = new Float64Array(m).fill(dc);
  if (activation === 'sigmoid') {
    for (let i = 0; i < n; i++) {
      const { w, b, a } = { w: net.w[i], b: net.b[i], a: net.a[i] };
      let ga = 0;
      let gb = 0;
      let gw = 0;
      for (let j = 0; j < m; j++) {
        const z = w * xs[j] + b;
        const d = actDeriv(activation, z);
        ga += r[j] * act(activation, z);
        gb += r[j] * a * d;
        gw += r[j] * a * d * xs[j];
      }
      const da = dir(scale * ga);
      const db = dir(scale * gb);
      const dw = dir(scale * gw);
      for (let j = 0; j < m; j++) {
        const z = w * xs[j] + b;
        u[j] += da * act(activation, z) + a * actDeriv(activation, z) * (db + dw * xs[j]);
      }
    }
  } else {
    const alpha = plSlope(activation);
    // Samples by x, with prefix sums of r and r·x: a unit's active samples are a prefix or a suffix of them.
    const order = argsortFloat64(xs);
    const sx = new Float64Array(m);
    const R = new Float64Array(m + 1);
    const RX = new Float64Array(m + 1);
    for (let k = 0; k < m; k++) {
      const j = order[k];
      sx[k] = xs[j];
      R[k + 1] = R[k] + r[j];
      RX[k + 1] = RX[k] + r[j] * xs[j];
    }
    const below = (t: number, strict: boolean) => {
      // How many sorted samples are < t (strict) or ≤ t.
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (strict ? sx[mid] < t : sx[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    for (let i = 0; i < n; i++) {
      const w = net.w[i];
      const b = net.b[i];
      const a = net.a[i];
      // Active samples (w·x + b > 0): x > k for w > 0, x < k for w < 0, all or none for w = 0.
      let from = 0;
      let to = 0;
      if (w > 0) [from, to] = [below(-b / w, false), m];
      else if (w < 0) [from, to] = [0, below(-b / w, true)];
      else if (b > 0) [from, to] = [0, m];
      const rAct = R[to] - R[from];
      const rxAct = RX[to] - RX[from];
      // Σ r·φ'(z) and Σ r·φ'(z)·x: weight 1 on active samples, α on the others.
      const rD = rAct + alpha * (R[m] - rAct);
      const rxD = rxAct + alpha * (RX[m] - rxAct);
      const da = dir(scale * (w * rxD + b * rD));
      const db = dir(scale * a * rD);
      const dw = dir(scale * a * rxD);
      P[i] = da * w + a * dw;
      Q[i] = da * b + a * db;
    }
    // u(x) = d_c + α·Σ_i u_i(x) + (1 − α)·Σ_{i active at x} u_i(x): the active sum by a sweep over sorted knots.
    let pAll = 0;
    let qAll = 0;
    for (let i = 0; i < n; i++) {
      pAll += P[i];
      qAll += Q[i];
    }
    const up: number[] = [];
    const down: number[] = [];
    let pConst = 0;
    let qConst = 0;
    for (let i = 0; i < n; i++) {
      if (net.w[i] > 0) up.push(i);
      else if (net.w[i] < 0) down.push(i);
      else if (net.b[i] > 0) {
        pConst += P[i];
        qConst += Q[i];
      }
    }
    const byKnot = (units: number[]) => {
      const o = argsortFloat64(units.map((i) => -net.b[i] / net.w[i]));
      return Int32Array.from(o, (k) => units[k]);
    };
    const ups = byKnot(up);
    const downs = byKnot(down);
    let pDown = 0;
    let qDown = 0;
    for (const i of downs) {
      pDown += P[i];
      qDown += Q[i];
    }
    // Sweep x upwards: w > 0 units join once their knot is below x; w < 0 units leave once their knot is ≤ x.
    let ju = 0;
    let jd = 0;
    let pUp = 0;
    let qUp = 0;
    for (let k = 0; k < m; k++) {
      const x = sx[k];
      while (ju < ups.length && -net.b[ups[ju]] / net.w[ups[ju]] < x) {
        pUp += P[ups[ju]];
        qUp += Q[ups[ju]];
        ju++;
      }
      while (jd < downs.length && -net.b[downs[jd]] / net.w[downs[jd]] <= x) {
        pDown -= P[downs[jd]];
        qDown -= Q[downs[jd]];
        jd++;
      }
      const pAct = pUp + pDown + pConst;
      const qAct = qUp + qDown + qConst;
      u[order[k]] += alpha * (pAll * x + qAll) + (1 - alpha) * (pAct * x + qAct);
    }
  }
  let ru = 0;
  let uu = 0;
  for (let j = 0; j < m; j++) {
    ru += r[j] * u[j];
    uu += u[j] * u[j];
  }
  const best = ru / uu;
  return Number.isFinite(best) && best > 0 ? Math.min(base, best / 2) : base;
}

/** A standard normal sample from a uniform generator (Box–Muller). */
export function gaussian(rnd: () => number): number {
  const u = 1 - rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** The domain of a random initialisation: 1D [lo, hi], or a 2D rectangle. */
export type InitDomain = [number, number] | Rect;

/**
 * A network of n units with seeded random parameters, for training from scratch (He-style): input weights
 * w ~ N(0, 2) in coordinates where the domain spans [−1, 1] (so w ~ N(0, 2)/half-width), each unit's knot (1D)
 * or crease (2D) through a uniform random point of the domain, output weights a ~ N(0, 1/n)·yScale, and the
 * output bias c = yMean. Deterministic for a seed; no parameter is zero.
 */
export function randomInit(dim: 1 | 2, n: number, seed: number, domain: InitDomain, yMean = 0, yScale = 1): Network {
  if (!Number.isInteger(n) || n < 1 || n > MAX_UNITS) throw new RangeError(`units must be an integer from 1 to ${MAX_UNITS}, got ${n}`);
  const rnd = seededRandom(seed);
  const rect: Rect = Array.isArray(domain) ? { xMin: domain[0], xMax: domain[1], yMin: 0, yMax: 0 } : domain;
  const hx = (rect.xMax - rect.xMin) / 2;
  const hy = (rect.yMax - rect.yMin) / 2;
  // A weight never rounds to zero: |w| ≥ 0.05 in domain-scaled units (a unit with w = 0 has no knot).
  const weight = (half: number) => {
    const g = gaussian(rnd) * Math.SQRT2;
    return (Math.abs(g) < 0.05 ? (g < 0 ? -0.05 : 0.05) : g) / half;
  };
  const scale = (Number.isFinite(yScale) && yScale > 0 ? yScale : 1) / Math.sqrt(n);
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    const px = rect.xMin + 2 * hx * rnd();
    let dot: number;
    if (dim === 1) {
      const wi = weight(hx);
      w.push(wi);
      dot = wi * px;
    } else {
      const py = rect.yMin + 2 * hy * rnd();
      const w1 = weight(hx);
      const w2 = weight(hy);
      w.push(w1, w2);
      dot = w1 * px + w2 * py;
    }
    const bias = -dot;
    b.push(bias === 0 ? 1e-9 : bias);
    const ai = gaussian(rnd) * scale;
    a.push(ai === 0 ? scale * 1e-3 : ai);
  }
  return { dim, w, b, a, c: Number.isFinite(yMean) ? yMean : 0 };
}

/** Training samples of either dimension: 1D {xs, ys}, 2D {xs, ys, zs} (the value is the last array). */
export interface Samples {
  xs: Float64Array;
  ys: Float64Array;
  zs?: Float64Array;
}

/** How the training samples are made from the target's: noise σ added to the values, a fraction held out. */
export interface SplitOptions {
  /** Standard deviation of the Gaussian noise added to each value (0: none). */
  noise: number;
  /** Fraction of the samples held out as the test set, 0 … 0.9 (0: no test set). */
  holdout: number;
  seed: number;
}

/** Largest fraction `holdout` may take (some samples must stay to train on). */
export const MAX_HOLDOUT = 0.9;

/** The values of a sample set: ys in 1D, zs in 2D. */
export function valuesOf(s: Samples): Float64Array {
  return s.zs ?? s.ys;
}

function pick(s: Samples, idx: ArrayLike<number>, values: Float64Array): Samples {
  const take = (src: Float64Array) => Float64Array.from({ length: idx.length }, (_, k) => src[idx[k]]);
  if (s.zs) return { xs: take(s.xs), ys: take(s.ys), zs: take(values) };
  return { xs: take(s.xs), ys: take(values) };
}

/**
 * Adds seeded Gaussian noise (σ = `noise`) to every value, then holds out round(holdout·M) samples chosen at
 * random (seeded; at least one when holdout > 0 and M ≥ 2, and at least one sample stays to train on). Both sets
 * keep the samples' original order. The same inputs always give the same sets; the noise and the split draw
 * from separate streams, so changing one leaves the other as it was.
 */
export function splitSamples(s: Samples, opts: SplitOptions): { train: Samples; test: Samples | null } {
  const { noise, holdout, seed } = opts;
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`noise must be a finite number ≥ 0, got ${noise}`);
  if (!(holdout >= 0 && holdout <= MAX_HOLDOUT)) throw new RangeError(`holdout must be from 0 to ${MAX_HOLDOUT}, got ${holdout}`);
  const m = s.xs.length;
  let values = valuesOf(s);
  if (noise > 0) {
    const rnd = seededRandom((seed ^ 0x5bd1e995) >>> 0);
    values = Float64Array.from(values, (v) => v + noise * gaussian(rnd));
  }
  let testCount = holdout > 0 && m >= 2 ? Math.max(1, Math.round(holdout * m)) : 0;
  testCount = Math.min(testCount, m - 1);
  const all = Int32Array.from({ length: m }, (_, i) => i);
  if (testCount === 0) return { train: pick(s, all, values), test: null };
  // A partial Fisher–Yates shuffle picks the test set; sorting keeps the original order inside each set.
  const rnd = seededRandom((seed ^ 0x27d4eb2f) >>> 0);
  const order = all.slice();
  for (let k = 0; k < testCount; k++) {
    const j = k + Math.floor(rnd() * (m - k));
    const t = order[k];
    order[k] = order[j];
    order[j] = t;
  }
  const test = order.slice(0, testCount).sort();
  const train = order.slice(testCount).sort();
  return { train: pick(s, train, values), test: pick(s, test, values) };
}

/**
 * The mean squared error of a network on samples, yielding after chunks of about `chunkOps` unit × sample
 * products (so a page can time-slice it); returns the MSE.
 */
export function* mseChunked(net: Network, s: Samples, chunkOps = 1 << 20): Generator<void, number, void> {
  const n = net.a.length;
  const m = s.xs.length;
  const per = Math.max(1, Math.floor(chunkOps / Math.max(1, n)));
  const values = valuesOf(s);
  const { w, b, a, c } = net;
  let sum = 0;
  for (let m0 = 0; m0 < m; m0 += per) {
    const m1 = Math.min(m, m0 + per);
    for (let k = m0; k < m1; k++) {
      const x = s.xs[k];
      let f = c;
      if (net.dim === 1) {
        for (let i = 0; i < n; i++) {
          const z = w[i] * x + b[i];
          if (z > 0) f += a[i] * z;
        }
      } else {
        const y = s.ys[k];
        for (let i = 0; i < n; i++) {
          const u = w[2 * i] * x + w[2 * i + 1] * y + b[i];
          if (u > 0) f += a[i] * u;
        }
      }
      const d = f - values[k];
      sum += d * d;
    }
    yield;
  }
  return m > 0 ? sum / m : Number.NaN;
}

/** Mean and standard deviation of the values (std 1 when they are all equal), for `randomInit`'s output scale. */
export function valueStats(values: ArrayLike<number>): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= Math.max(1, values.length);
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  const std = Math.sqrt(v / Math.max(1, values.length));
  return { mean, std: std > 0 ? std : 1 };
}
