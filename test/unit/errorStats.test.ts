import { describe, expect, it } from 'vitest';
import { errorStats, errorVsN, logLogSlope, powersOfTwo } from '../../src/model/errorStats.ts';

describe('errorStats', () => {
  it('gives RMS and max over the points where both sides are finite', () => {
    expect(errorStats([1, 2, 3], [1, 2, 3])).toEqual({ rms: 0, max: 0, count: 3 });
    const s = errorStats([1, 0, 5, Number.NaN], [0, 0, 2, 1]);
    expect(s.count).toBe(3);
    expect(s.max).toBe(3);
    expect(s.rms).toBeCloseTo(Math.sqrt(10 / 3), 15);
    expect(errorStats([Number.NaN], [1]).rms).toBeNaN();
    expect(() => errorStats([1], [1, 2])).toThrow(/length mismatch/);
  });

  it('logLogSlope recovers a power law and skips zero errors', () => {
    const ns = [1, 2, 4, 8, 16];
    expect(logLogSlope(ns, ns.map((n) => 3 * n ** -2))).toBeCloseTo(-2, 12);
    expect(logLogSlope([1, 2, 4, 8], [0, 0.5, 0.125, 0])).toBeCloseTo(-2, 12);
    expect(logLogSlope([1], [1])).toBeNaN();
    expect(powersOfTwo(16)).toEqual([1, 2, 4, 8, 16]);
    expect(powersOfTwo(65_536)).toHaveLength(17);
  });
});

describe('errorVsN', () => {
  it('uniform interpolation of sin on [−π, π]: error falls as N^−2 (N = 1 … 65,536)', () => {
    const t0 = performance.now();
    const r = errorVsN(Math.sin, [-Math.PI, Math.PI], powersOfTwo(65_536), 'interpolate-uniform', 4097);
    const ms = performance.now() - t0;
    console.log(
      `errorVsN sin [−π, π] interpolate-uniform: slopeRms ${r.slopeRms.toFixed(4)}, slopeMax ${r.slopeMax.toFixed(4)} ` +
        `(N = 1…65,536, ${ms.toFixed(0)} ms); rms at N = 4, 64, 1024, 65536: ` +
        [2, 6, 10, 16].map((i) => r.rms[i].toExponential(3)).join(', '),
    );
    expect(r.slopeRms).toBeGreaterThan(-2.05);
    expect(r.slopeRms).toBeLessThan(-1.9);
    expect(r.slopeMax).toBeGreaterThan(-2.05);
    expect(r.slopeMax).toBeLessThan(-1.9);
    // Max error of uniform interpolation: h²·max|f''|/8 with h = 2π/N, to within the grid's resolution.
    const n = 1024;
    const i = r.ns.indexOf(n);
    expect(r.max[i] / ((2 * Math.PI / n) ** 2 / 8)).toBeCloseTo(1, 2);
    // Every piece holds at least 8 grid samples.
    expect(r.gridSizes[16]).toBe(8 * 65_536 + 1);
  });

  it('curvature placement and least squares also fall as N^−2 on smooth targets, least squares lowest in RMS', () => {
    const ns = powersOfTwo(4096).filter((n) => n >= 4);
    const gauss = (x: number) => Math.exp(-((x / 0.3) ** 2));
    const u = errorVsN(gauss, [-1, 1], ns, 'interpolate-uniform');
    const c = errorVsN(gauss, [-1, 1], ns, 'interpolate-curvature');
    const l = errorVsN(gauss, [-1, 1], ns, 'least-squares');
    for (const r of [u, c, l]) {
      expect(r.slopeRms).toBeLessThan(-1.85);
      expect(r.slopeRms).toBeGreaterThan(-2.2);
    }
    for (let i = 2; i < ns.length; i++) {
      expect(c.max[i]).toBeLessThan(u.max[i]);
      expect(l.rms[i]).toBeLessThan(u.rms[i]);
    }
  });

  it('a kinked target converges more slowly in max error unless a knot sits on the kink', () => {
    const r = errorVsN((x) => Math.abs(x - 0.1234), [-1, 1], [3, 5, 7, 9, 11, 13], 'interpolate-uniform');
    expect(r.slopeMax).toBeGreaterThan(-1.5);
  });
});
