import { describe, expect, it } from 'vitest';
import {
  FitError,
  curvatureNodes,
  interpolateNetwork,
  interpolatePoints,
  leastSquaresNetwork,
  knotSpacing,
  solveBanded2,
  uniformNodes,
} from '../../src/model/fit1d.ts';
import { evaluate1DBrute } from '../../src/engine/cpu/evaluator.ts';
import { seededRandom, validateNetwork } from '../../src/model/network.ts';
import { errorStats } from '../../src/model/errorStats.ts';

const gauss = (x: number) => Math.exp(-((x / 0.3) ** 2));
const TARGETS: Array<[string, (x: number) => number, [number, number]]> = [
  ['sin', Math.sin, [-Math.PI, Math.PI]],
  ['gaussian', gauss, [-1, 1]],
  ['abs', Math.abs, [-1, 1]],
  ['cubic', (x) => x * x * x - x, [-2, 3]],
];

/** Dense float64 Gaussian elimination with partial pivoting: the independent reference solve. */
function denseSolve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j <= n; j++) M[i][j] -= f * M[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * x[j];
    x[i] = s / M[i][i];
  }
  return x;
}

/**
 * The least-squares problem written directly in the ReLU basis: columns 1 and ReLU(x − k_i) over the
 * same samples, normal equations (1/M)·AᵀA + (ridge/N)·diag(0, h_1², …, h_N²), solved densely.
 */
function referenceLeastSquares(f: (x: number) => number, knots: number[], [lo, hi]: [number, number], ridge: number, m: number) {
  const n = knots.length;
  const G = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  const r = new Array<number>(n + 1).fill(0);
  for (let s = 0; s < m; s++) {
    const x = s === m - 1 ? hi : lo + ((hi - lo) * s) / (m - 1);
    const y = f(x);
    const row = [1, ...knots.map((k) => Math.max(0, x - k))];
    for (let i = 0; i <= n; i++) {
      r[i] += (row[i] * y) / m;
      for (let j = 0; j <= n; j++) G[i][j] += (row[i] * row[j]) / m;
    }
  }
  // The ridge weighs each unit's slope change by its knot spacing (a·h, a change of value), averaged over units.
  const distinct = [...new Set(knots)].sort((p, q) => p - q);
  const h = knotSpacing(distinct, lo, hi);
  for (let i = 1; i <= n; i++) G[i][i] += (ridge * h[distinct.indexOf(knots[i - 1])] ** 2) / n;
  const sol = denseSolve(G, r);
  return { c: sol[0], a: sol.slice(1) };
}

describe('interpolateNetwork', () => {
  for (const [name, f, dom] of TARGETS) {
    for (const placement of ['uniform', 'curvature'] as const) {
      it(`${name}, ${placement}: exact at every knot and at hi, for N = 1, 2, 7, 100, 1000`, () => {
        for (const n of [1, 2, 7, 100, 1000]) {
          const net = validateNetwork(interpolateNetwork(f, n, dom, placement));
          expect(net.a).toHaveLength(n);
          const nodes = [...net.b.map((b) => -b), dom[1]];
          expect(nodes[0]).toBe(dom[0]);
          for (let i = 1; i < nodes.length; i++) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
          const got = evaluate1DBrute(net, nodes);
          const scale = Math.max(...nodes.map((x) => Math.abs(f(x))), 1);
          for (let i = 0; i < nodes.length; i++) {
            expect(Math.abs(got[i] - f(nodes[i])), `N=${n} node ${i}`).toBeLessThan(1e-12 * scale * Math.max(1, n / 100));
          }
        }
      });
    }
  }

  it('each a_i is the change of slope at knot i, and the sum is constant left of lo', () => {
    const net = interpolateNetwork((x) => x * x, 4, [0, 4]);
    expect(net.b).toEqual([-0, -1, -2, -3]);
    expect(net.a).toEqual([1, 2, 2, 2]);
    expect(net.c).toBe(0);
    expect(evaluate1DBrute(net, [-5])[0]).toBe(0);
  });

  it('curvature placement puts knots where the target bends and beats uniform on a bump', () => {
    const t = curvatureNodes(gauss, 40, [-1, 1]);
    const inner = t.filter((x) => Math.abs(x) < 0.5).length;
    expect(inner).toBeGreaterThan(25);
    const lin = curvatureNodes((x) => 3 * x + 1, 10, [0, 1]);
    uniformNodes(10, [0, 1]).forEach((u, i) => expect(lin[i]).toBeCloseTo(u, 12));
    const xs = Array.from({ length: 4001 }, (_, i) => -1 + i / 2000);
    const ys = xs.map(gauss);
    const eU = errorStats(evaluate1DBrute(interpolateNetwork(gauss, 40, [-1, 1], 'uniform'), xs), ys);
    const eC = errorStats(evaluate1DBrute(interpolateNetwork(gauss, 40, [-1, 1], 'curvature'), xs), ys);
    expect(eC.max).toBeLessThan(0.8 * eU.max);
    // A kink: one knot lands on (next to) it.
    const kink = curvatureNodes(Math.abs, 9, [-1, 1.3]);
    expect(Math.min(...kink.map(Math.abs))).toBeLessThan(1e-3);
  });

  it('fills nodes where the target is undefined from their neighbours, keeping N units', () => {
    const net = validateNetwork(interpolateNetwork((x) => (x >= 0 ? Math.sqrt(x) : Number.NaN), 10, [-1, 1]));
    expect(net.a).toHaveLength(10);
    expect(() => interpolateNetwork(() => Number.NaN, 5, [0, 1])).toThrow(/undefined at every knot/);
  });

  it('rejects bad arguments', () => {
    expect(() => interpolateNetwork(Math.sin, 0, [0, 1])).toThrow(FitError);
    expect(() => interpolateNetwork(Math.sin, 65_537, [0, 1])).toThrow(/from 1 to 65536/);
    expect(() => interpolateNetwork(Math.sin, 2.5, [0, 1])).toThrow(FitError);
    expect(() => interpolateNetwork(Math.sin, 3, [1, 0])).toThrow(/lo < hi/);
    expect(() => interpolateNetwork(Math.sin, 3, [0, Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });

  it('handles N = 65,536 (its speed is a benchmark figure, not a wall-clock test)', () => {
    const net = interpolateNetwork(Math.sin, 65_536, [-Math.PI, Math.PI], 'curvature');
    expect(net.a).toHaveLength(65_536);
    expect(net.a.every(Number.isFinite)).toBe(true);
  });
});

describe('interpolatePoints', () => {
  it('one unit per sample gap: exact at every sample', () => {
    const rnd = seededRandom(11);
    const xs = [-2];
    for (let i = 1; i < 50; i++) xs.push(xs[i - 1] + 0.01 + rnd());
    const ys = xs.map(() => rnd() * 4 - 2);
    const net = interpolatePoints(xs, ys);
    expect(net.a).toHaveLength(49);
    const got = evaluate1DBrute(net, xs);
    for (let i = 0; i < xs.length; i++) expect(got[i]).toBeCloseTo(ys[i], 11);
    expect(() => interpolatePoints([0, 0], [1, 2])).toThrow(/strictly increasing/);
    expect(() => interpolatePoints([0, 1], [1, Number.NaN])).toThrow(/not finite/);
  });
});

describe('leastSquaresNetwork', () => {
  it('matches a dense ReLU-basis normal-equation solve (ridge, duplicate knots, knots outside the domain)', () => {
    const rnd = seededRandom(5);
    const knots = Array.from({ length: 12 }, () => -1.2 + 2.4 * rnd());
    knots.push(knots[3]); // a duplicate: the two units share the weight
    knots.push(1.5); // right of the domain: no sample sees it
    const f = (x: number) => Math.sin(3 * x) + 0.5 * x;
    for (const ridge of [1e-3, 1e-6]) {
      const net = leastSquaresNetwork(f, knots, [-1, 1], { ridge, samples: 801 });
      const ref = referenceLeastSquares(f, knots, [-1, 1], ridge, 801);
      expect(net.c).toBeCloseTo(ref.c, 8);
      // The last knot is seen by no sample: only the regularisation pins its weight (near 0 in both solves).
      for (let i = 0; i < knots.length - 1; i++) expect(Math.abs(net.a[i] - ref.a[i]), `a[${i}] ridge ${ridge}`).toBeLessThan(1e-7 * (1 + Math.abs(ref.a[i])));
      expect(Math.abs(net.a[13] - ref.a[13])).toBeLessThan(1e-5);
      expect(net.a[12]).toBe(net.a[3]);
      expect(net.b).toEqual(knots.map((k) => -k));
      expect(net.w.every((w) => w === 1)).toBe(true);
    }
  });

  it('with no ridge and well-placed knots, matches the reference and never does worse than interpolation', () => {
    const knots = Array.from(uniformNodes(16, [-Math.PI, Math.PI]).subarray(0, 16));
    const net = leastSquaresNetwork(Math.sin, knots, [-Math.PI, Math.PI], { ridge: 0, samples: 1001 });
    const ref = referenceLeastSquares(Math.sin, knots, [-Math.PI, Math.PI], 0, 1001);
    for (let i = 0; i < 16; i++) expect(net.a[i]).toBeCloseTo(ref.a[i], 8);
    const xs = Array.from({ length: 1001 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 1000);
    const ys = xs.map(Math.sin);
    const ls = errorStats(evaluate1DBrute(net, xs), ys);
    const ip = errorStats(evaluate1DBrute(interpolateNetwork(Math.sin, 16, [-Math.PI, Math.PI]), xs), ys);
    expect(ls.rms).toBeLessThan(ip.rms);
  });

  it('the ridge is relative to the knot spacing: curvature knots + λ = 1e-6 fit the step target (no collapse to a line)', () => {
    const step = (x: number) => (x < 0 ? 0 : 1);
    const knots = Array.from(curvatureNodes(step, 16, [-1, 1]).subarray(0, 16));
    for (const ridge of [0, 1e-6, 1e-3]) {
      const net = leastSquaresNetwork(step, knots, [-1, 1], { ridge });
      // A continuous sum cannot jump: judge it away from the jump (the ramp is a few thousandths wide).
      const xs = Array.from({ length: 2001 }, (_, i) => -1 + i / 1000).filter((x) => Math.abs(x) > 0.02);
      const err = errorStats(evaluate1DBrute(net, xs), xs.map(step));
      expect(err.max, `ridge ${ridge}`).toBeLessThan(1e-3);
    }
    expect(Array.from(knotSpacing([-1, 0, 0.25], -1, 1))).toEqual([1, 0.25, 0.25]);
    expect(Array.from(knotSpacing([0], -1, 1))).toEqual([1]);
    expect(Array.from(knotSpacing([2], -1, 1))).toEqual([2]);
  });

  it('a larger ridge shrinks the output weights', () => {
    const knots = [-1, 0, 0.5]; // |x| is exactly a0·ReLU(x + 1) + a1·ReLU(x) + c with a = (−1, 2, 0), c = 1
    const small = leastSquaresNetwork(Math.abs, knots, [-1, 1], { ridge: 1e-8 });
    const big = leastSquaresNetwork(Math.abs, knots, [-1, 1], { ridge: 10 });
    const norm = (a: number[]) => Math.hypot(...a);
    expect(norm(big.a)).toBeLessThan(0.2 * norm(small.a));
    expect(small.a[0]).toBeCloseTo(-1, 5);
    expect(small.a[1]).toBeCloseTo(2, 5);
    expect(small.a[2]).toBeCloseTo(0, 5);
    expect(small.c).toBeCloseTo(1, 5);
  });

  it('zero knots fits the mean; undefined samples are skipped; bad options are refused', () => {
    expect(leastSquaresNetwork((x) => x, [], [0, 2], { samples: 3 }).c).toBeCloseTo(1, 12);
    const net = leastSquaresNetwork((x) => (x > 0 ? x : Number.NaN), [0.25, 0.5], [-1, 1]);
    expect(validateNetwork(net).a).toHaveLength(2);
    expect(() => leastSquaresNetwork(Math.sin, [0], [0, 1], { ridge: -1 })).toThrow(/ridge/);
    expect(() => leastSquaresNetwork(Math.sin, [Number.NaN], [0, 1])).toThrow(/knot 0 is not finite/);
    expect(() => leastSquaresNetwork(Math.sin, [0], [0, 1], { samples: 0 })).toThrow(/samples/);
    expect(() => leastSquaresNetwork(() => Number.NaN, [0], [0, 1])).toThrow(/undefined at every sample/);
  });

  // Its speed is a benchmark figure, not a test: a wall-clock bound failed on a loaded 2-core machine.
  it('solves N = 65,536 knots accurately', () => {
    const n = 65_536;
    const knots = Array.from(uniformNodes(n, [-Math.PI, Math.PI]).subarray(0, n));
    const net = leastSquaresNetwork(Math.sin, knots, [-Math.PI, Math.PI], { ridge: 0, samples: 4 * n + 1 });
    const xs = Array.from({ length: 10_001 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 10_000);
    const e = errorStats(evaluate1DBrute(net, xs), xs.map(Math.sin));
    expect(e.max).toBeLessThan(1e-8);
  });

  it('solveBanded2 solves a random SPD pentadiagonal system like the dense solver', () => {
    const rnd = seededRandom(9);
    const n = 30;
    const band = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    for (let i = 0; i < n; i++) {
      band[1][i] = rnd() - 0.5;
      band[2][i] = rnd() - 0.5;
      band[0][i] = 3 + rnd();
    }
    const A = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (Math.abs(i - j) <= 2 ? band[Math.abs(i - j)][Math.min(i, j)] : 0)),
    );
    const r = Float64Array.from({ length: n }, () => rnd());
    const x = solveBanded2(band, r);
    const ref = denseSolve(A, Array.from(r));
    for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(ref[i], 12);
    expect(() => solveBanded2([new Float64Array([-1]), new Float64Array(1), new Float64Array(1)], new Float64Array([1]))).toThrow(/positive definite/);
  });
});
