/**
 * What a training run starts from: a learning rate that is stable for N units, a seeded random network
 * (He-style, its knots or creases inside the target's domain), the training samples with seeded noise and a
 * seeded train/test split, and the mean squared error of a network on held-out samples (in chunks).
 */
import type { Rect } from './lines2d.ts';
import { MAX_UNITS, type Network, seededRandom } from './network.ts';

/**
 * The learning rate used while the state says `lr: 'auto'`: min(0.01, 0.5/N). Adam moves every parameter by
 * about lr per step whatever its gradient, so N units can move the sum by about N·lr at once; keeping
 * N·lr ≤ 0.5 keeps a good fit from being thrown off (0.01 up to N = 50).
 */
export function defaultLr(n: number): number {
  return Math.min(0.01, 0.5 / Math.max(1, n));
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
