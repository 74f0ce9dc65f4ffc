import { describe, expect, it } from 'vitest';
import {
  FitError,
  MAX_LS_UNITS_2D,
  gram2D,
  leastSquares2D,
  randomHiddenUnits2D,
  ridgeSamples2D,
  solveRidge,
} from '../../src/model/fit2d.ts';
import { seededRandom, validateNetwork, type Network } from '../../src/model/network.ts';
import { clipLine } from '../../src/model/lines2d.ts';

const DOM = { xMin: -2, xMax: 2, yMin: -1, yMax: 3 };

function value(net: Network, x: number, y: number): number {
  let v = net.c;
  for (let i = 0; i < net.a.length; i++) v += net.a[i] * Math.max(0, net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i]);
  return v;
}

/** Scattered random samples with a smooth target. */
function scattered(m: number, seed: number): { xs: Float64Array; ys: Float64Array; zs: Float64Array } {
  const rnd = seededRandom(seed);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const zs = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    xs[k] = DOM.xMin + (DOM.xMax - DOM.xMin) * rnd();
    ys[k] = DOM.yMin + (DOM.yMax - DOM.yMin) * rnd();
    zs[k] = Math.sin(xs[k]) * Math.cos(ys[k]) + 0.1 * rnd();
  }
  return { xs, ys, zs };
}

function naiveGram(w: ArrayLike<number>, b: ArrayLike<number>, xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>) {
  const n = b.length;
  const k = n + 1;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const h = new Float64Array(k);
  for (let s = 0; s < xs.length; s++) {
    for (let i = 0; i < n; i++) h[i] = Math.max(0, w[2 * i] * xs[s] + w[2 * i + 1] * ys[s] + b[i]);
    h[n] = 1;
    for (let i = 0; i < k; i++) {
      rhs[i] += h[i] * zs[s];
      for (let j = 0; j < k; j++) gram[i * k + j] += h[i] * h[j];
    }
  }
  return { gram, rhs };
}

/** Independent solve: QR (modified Gram–Schmidt) of the stacked least-squares system [H; √(λs)·D]·θ ≈ [z; 0]. */
function qrRidge(H: Float64Array[], z: Float64Array, n: number, lambdaS: number): Float64Array {
  const k = n + 1;
  const rows = H.length + n;
  const A: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const col = new Float64Array(rows);
    for (let r = 0; r < H.length; r++) col[r] = H[r][j];
    if (j < n) col[H.length + j] = Math.sqrt(lambdaS);
    A.push(col);
  }
  const rhs = new Float64Array(rows);
  rhs.set(z);
  const R = new Float64Array(k * k);
  const qtb = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let r = 0; r < rows; r++) d += A[i][r] * A[j][r];
      R[i * k + j] = d;
      for (let r = 0; r < rows; r++) A[j][r] -= d * A[i][r];
    }
    let nn = 0;
    for (let r = 0; r < rows; r++) nn += A[j][r] * A[j][r];
    R[j * k + j] = Math.sqrt(nn);
    for (let r = 0; r < rows; r++) A[j][r] /= R[j * k + j];
    let d = 0;
    for (let r = 0; r < rows; r++) d += A[j][r] * rhs[r];
    qtb[j] = d;
    for (let r = 0; r < rows; r++) rhs[r] -= d * A[j][r];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let v = qtb[i];
    for (let j = i + 1; j < k; j++) v -= R[i * k + j] * x[j];
    x[i] = v / R[i * k + i];
  }
  return x;
}

describe('randomHiddenUnits2D', () => {
  it('puts every crease through the domain, facing every way, deterministically', () => {
    const { w, b } = randomHiddenUnits2D(400, DOM, 7);
    // Units 1 and 3 mirror 0 and 2; the two pairs stand at right angles.
    for (const i of [1, 3]) {
      expect([w[2 * i], w[2 * i + 1], b[i]]).toEqual([-w[2 * i - 2], -w[2 * i - 1], -b[i - 1]]);
    }
    expect(Math.abs(w[0] * w[4] * 16 + w[1] * w[5] * 16)).toBeLessThan(1e-12);
    expect(w.length).toBe(800);
    expect(b.length).toBe(400);
    const quadrants = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      expect(clipLine(w[2 * i], w[2 * i + 1], b[i], DOM), `unit ${i}`).not.toBeNull();
      quadrants[(w[2 * i] > 0 ? 1 : 0) + (w[2 * i + 1] > 0 ? 2 : 0)]++;
      // Weights scaled to the domain: the unit's rise across it is O(1).
      expect(Math.hypot(w[2 * i] * 4, w[2 * i + 1] * 4)).toBeLessThanOrEqual(2 + 1e-12);
    }
    for (const q of quadrants) expect(q).toBeGreaterThan(60);
    expect(randomHiddenUnits2D(400, DOM, 7)).toEqual({ w, b });
    expect(randomHiddenUnits2D(400, DOM, 8).w).not.toEqual(w);
    expect(() => randomHiddenUnits2D(3, { xMin: 1, xMax: 1, yMin: 0, yMax: 1 }, 1)).toThrow(FitError);
    expect(() => randomHiddenUnits2D(-1, DOM, 1)).toThrow(/unit count/);
  });
});

describe('ridgeSamples2D', () => {
  it('samples a function on a grid of at least max(4096, 2N) points, skipping undefined ones', () => {
    const s = ridgeSamples2D((x, y) => x + y, DOM, 10);
    expect(s.xs.length).toBe(64 * 64);
    expect(Math.min(...s.xs)).toBe(-2);
    expect(Math.max(...s.ys)).toBe(3);
    expect(ridgeSamples2D(() => 1, DOM, 3000).xs.length).toBeGreaterThanOrEqual(6000);
    const half = ridgeSamples2D((x) => (x < 0 ? Number.NaN : 1), DOM, 1);
    expect(half.xs.length).toBeGreaterThan(1800);
    expect(half.xs.length).toBeLessThan(2300);
    expect(() => ridgeSamples2D(() => Number.NaN, DOM, 1)).toThrow(/undefined at every sample/);
  });

  it('takes data samples, skipping non-finite values and refusing non-finite points', () => {
    const s = ridgeSamples2D({ xs: [0, 1, 2], ys: [0, 1, 2], zs: [1, Number.NaN, 3] }, DOM, 4);
    expect(Array.from(s.zs)).toEqual([1, 3]);
    expect(() => ridgeSamples2D({ xs: [0, Number.NaN], ys: [0, 1], zs: [1, 2] }, DOM, 1)).toThrow(/sample 1/);
    expect(() => ridgeSamples2D({ xs: [0], ys: [0, 1], zs: [1] }, DOM, 1)).toThrow(/as many/);
    expect(() => ridgeSamples2D({ xs: [0], ys: [0], zs: [Number.NaN] }, DOM, 1)).toThrow(/no sample/);
  });
});

describe('gram2D (the float64 twin of the GPU Gram)', () => {
  for (const [n, m] of [[0, 5], [1, 1], [3, 200], [63, 1000], [65, 4097]] as const) {
    it(`matches a naive loop: N = ${n}, M = ${m} (scattered samples)`, () => {
      const { w, b } = randomHiddenUnits2D(n, DOM, 100 + n);
      const s = scattered(m, 3 + m);
      const got = gram2D(w, b, s.xs, s.ys, s.zs);
      const want = naiveGram(w, b, s.xs, s.ys, s.zs);
      const k = n + 1;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const scale = Math.sqrt(want.gram[i * k + i] * want.gram[j * k + j]) + 1e-300;
          expect(Math.abs(got.gram[i * k + j] - want.gram[i * k + j]) / scale, `(${i}, ${j})`).toBeLessThan(1e-12);
        }
        expect(got.gram[i * k + i]).toBeGreaterThanOrEqual(0);
      }
      let zz = 0;
      for (const z of s.zs) zz += z * z;
      for (let i = 0; i < k; i++) {
        const scale = Math.sqrt(want.gram[i * k + i] * zz) + 1e-300;
        expect(Math.abs(got.rhs[i] - want.rhs[i]) / scale, `rhs ${i}`).toBeLessThan(1e-12);
      }
      expect(got.gram[k * k - 1]).toBe(m);
    });
  }

  it('matches a naive loop on grid samples (many units fully on or off per block)', () => {
    const { w, b } = randomHiddenUnits2D(50, DOM, 5);
    const s = ridgeSamples2D((x, y) => Math.exp(-x * x - y * y), DOM, 50);
    const got = gram2D(w, b, s.xs, s.ys, s.zs);
    const want = naiveGram(w, b, s.xs, s.ys, s.zs);
    for (let i = 0; i < want.gram.length; i++) expect(Math.abs(got.gram[i] - want.gram[i])).toBeLessThan(1e-10 * Math.max(1, Math.abs(want.gram[i])) + 1e-9);
    for (let i = 0; i < want.rhs.length; i++) expect(got.rhs[i]).toBeCloseTo(want.rhs[i], 8);
  });

  it('rejects mismatched arrays', () => {
    expect(() => gram2D([1], [0], [0], [0], [0])).toThrow(/2 weights per unit/);
    expect(() => gram2D([1, 1], [0], [0], [0, 1], [0])).toThrow(/as many ys and zs/);
  });
});

describe('solveRidge', () => {
  for (const [n, m, lambda] of [[1, 3, 0], [5, 40, 0], [12, 30, 1e-3], [20, 15, 1e-2], [30, 200, 1e-8]] as const) {
    it(`agrees with a QR solve of the stacked system: N = ${n}, M = ${m}, λ = ${lambda}`, () => {
      const rnd = seededRandom(n * 31 + m);
      const H: Float64Array[] = [];
      const z = new Float64Array(m);
      const dom = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
      const { w, b } = randomHiddenUnits2D(n, dom, n + 2);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let r = 0; r < m; r++) {
        const x = 2 * rnd() - 1;
        const y = 2 * rnd() - 1;
        xs.push(x);
        ys.push(y);
        const row = new Float64Array(n + 1);
        for (let i = 0; i < n; i++) row[i] = Math.max(0, w[2 * i] * x + w[2 * i + 1] * y + b[i]);
        row[n] = 1;
        H.push(row);
        z[r] = Math.cos(3 * x) + y * y + rnd() - 0.5;
      }
      const { gram, rhs } = gram2D(w, b, xs, ys, z);
      let s = 0;
      for (let i = 0; i < n; i++) s += gram[i * (n + 1) + i];
      s /= n;
      let theta: Float64Array;
      try {
        theta = solveRidge(gram, rhs, n, lambda);
      } catch (e) {
        // With λ = 0 a unit dead on every sample makes the system singular: that must be the documented error.
        expect(lambda).toBe(0);
        expect(e).toBeInstanceOf(FitError);
        return;
      }
      const want = qrRidge(H, z, n, lambda * s);
      // Compare residual norms (the objective) and the coefficients, relative to their size.
      const obj = (t: ArrayLike<number>) => {
        let e = 0;
        for (let r = 0; r < m; r++) {
          let v = 0;
          for (let i = 0; i <= n; i++) v += H[r][i] * t[i];
          e += (v - z[r]) ** 2;
        }
        for (let i = 0; i < n; i++) e += lambda * s * t[i] * t[i];
        return e;
      };
      expect(Math.abs(obj(theta) - obj(want)) / obj(want)).toBeLessThan(1e-9);
      const norm = Math.hypot(...want);
      for (let i = 0; i <= n; i++) expect(Math.abs(theta[i] - want[i]) / norm, `θ[${i}]`).toBeLessThan(1e-6);
    });
  }

  it('does not penalise the output bias: a constant target gives a = 0, c = the constant, even with a large λ', () => {
    const s = ridgeSamples2D(() => 5, DOM, 10);
    const { w, b } = randomHiddenUnits2D(10, DOM, 1);
    const g = gram2D(w, b, s.xs, s.ys, s.zs);
    const t = solveRidge(g.gram, g.rhs, 10, 10);
    for (let i = 0; i < 10; i++) expect(Math.abs(t[i])).toBeLessThan(1e-12);
    expect(t[10]).toBeCloseTo(5, 12);
  });

  it('the same λ gives the same fit whatever the sample count (the penalty scales with the Gram)', () => {
    const { w, b } = randomHiddenUnits2D(8, DOM, 3);
    const fit = (k: number) => {
      // The same points repeated k times: the Gram is k times larger, the least-squares problem the same.
      const base = scattered(100, 9);
      const rep = (a: Float64Array) => Float64Array.from({ length: a.length * k }, (_, i) => a[i % a.length]);
      const g = gram2D(w, b, rep(base.xs), rep(base.ys), rep(base.zs));
      return solveRidge(g.gram, g.rhs, 8, 1e-2);
    };
    const one = fit(1);
    const four = fit(4);
    for (let i = 0; i < one.length; i++) expect(four[i]).toBeCloseTo(one[i], 10);
  });

  it('says clearly when the system is singular, and checks its arguments', () => {
    // Two identical units: dependent features; λ = 0 cannot separate them, λ > 0 splits the weight evenly.
    const s = scattered(300, 2);
    const w = [0.5, 0.25, 0.5, 0.25];
    const b = [0.1, 0.1];
    const g = gram2D(w, b, s.xs, s.ys, s.zs);
    expect(() => solveRidge(g.gram, g.rhs, 2, 0)).toThrow(/not positive definite at unit 1.*increase ridge/);
    const t = solveRidge(g.gram, g.rhs, 2, 1e-6);
    expect(t[0]).toBeCloseTo(t[1], 8);
    expect(() => solveRidge(g.gram, g.rhs, 3, 0)).toThrow(/4×4/);
    expect(() => solveRidge(g.gram, [1], 2, 0)).toThrow(/3 entries/);
    expect(() => solveRidge(g.gram, g.rhs, 2, -1)).toThrow(/ridge must be/);
    expect(() => solveRidge(g.gram, g.rhs, 2, Number.NaN)).toThrow(/ridge must be/);
  });
});

describe('leastSquares2D', () => {
  it('fits a plane (near) exactly: the two mirrored pairs and the bias span it', () => {
    const f = (x: number, y: number) => 0.7 * x - 1.3 * y + 0.4;
    for (const [n, ridge, bound] of [[4, 0, 1e-10], [40, 0, 1e-9], [300, 0, 1e-8], [300, undefined, 1e-5]] as const) {
      const s = ridgeSamples2D(f, DOM, n);
      const net = leastSquares2D(s, { units: n, seed: 2, domain: DOM, ridge });
      validateNetwork(net);
      expect(net.dim).toBe(2);
      expect(net.a.length).toBe(n);
      let worst = 0;
      for (let k = 0; k < s.xs.length; k += 7) worst = Math.max(worst, Math.abs(value(net, s.xs[k], s.ys[k]) - s.zs[k]));
      expect(worst, `N = ${n}, ridge ${ridge}`).toBeLessThan(bound);
    }
  });

  it('on the Gaussian bump the error falls with N (16, 64, 256)', () => {
    const f = (x: number, y: number) => Math.exp(-(x * x + (y - 1) ** 2));
    const errs: number[] = [];
    for (const n of [16, 64, 256]) {
      const s = ridgeSamples2D(f, DOM, n);
      const net = leastSquares2D(s, { units: n, seed: 11, domain: DOM });
      let e = 0;
      for (let k = 0; k < s.xs.length; k++) e += (value(net, s.xs[k], s.ys[k]) - s.zs[k]) ** 2;
      errs.push(Math.sqrt(e / s.xs.length));
    }
    console.log(`leastSquares2D bump RMS error at N = 16, 64, 256: ${errs.map((e) => e.toExponential(2)).join(', ')}`);
    expect(errs[1]).toBeLessThan(0.6 * errs[0]);
    expect(errs[2]).toBeLessThan(0.6 * errs[1]);
    expect(errs[2]).toBeLessThan(0.01);
  });

  it('takes a precomputed Gram (what the GPU hands over) and gives the same network', () => {
    const s = scattered(500, 4);
    const { w, b } = randomHiddenUnits2D(12, DOM, 5);
    const g = gram2D(w, b, s.xs, s.ys, s.zs);
    const a = leastSquares2D(s, { units: 12, seed: 5, domain: DOM }, g);
    const c = leastSquares2D(s, { units: 12, seed: 5, domain: DOM });
    expect(a).toEqual(c);
    expect(leastSquares2D(s, { units: 0, seed: 5, domain: DOM }).c).toBeCloseTo(s.zs.reduce((p, q) => p + q, 0) / 500, 12);
  });

  it('rejects bad input with FitError', () => {
    const s = scattered(10, 1);
    expect(() => leastSquares2D(s, { units: MAX_LS_UNITS_2D + 1, seed: 1, domain: DOM })).toThrow(/unit count/);
    expect(() => leastSquares2D(s, { units: 2.5, seed: 1, domain: DOM })).toThrow(FitError);
    expect(() => leastSquares2D({ xs: [], ys: [], zs: [] }, { units: 2, seed: 1, domain: DOM })).toThrow(/need 1 to/);
    expect(() => leastSquares2D({ xs: [0], ys: [0], zs: [Number.NaN] }, { units: 2, seed: 1, domain: DOM })).toThrow(/sample 0/);
    expect(() => leastSquares2D(s, { units: 2, seed: 1, domain: DOM, ridge: -1 })).toThrow(/ridge/);
    expect(() => leastSquares2D(s, { units: 2, seed: 1, domain: DOM }, { gram: new Float64Array(4), rhs: new Float64Array(3) })).toThrow(/3×3/);
  });
});
