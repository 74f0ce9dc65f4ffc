import { describe, expect, it } from 'vitest';
import { errorVsN, powersOfTwo } from '../../src/model/errorStats.ts';
import { regularityOf, summarizeErrors } from '../../src/views/charts/errorSummary.ts';

const step = (x: number) => (x < 0 ? 0 : 1);

describe('error-vs-N summary', () => {
  it('classifies targets: smooth, a kink, a jump', () => {
    expect(regularityOf(Math.sin, [-Math.PI, Math.PI])).toBe('smooth');
    expect(regularityOf((x) => x * x, [-1, 1])).toBe('smooth');
    expect(regularityOf(Math.abs, [-1, 1])).toBe('kink');
    expect(regularityOf((x) => Math.sin(3 * x) + 0.3 * Math.abs(x - 0.1234), [-Math.PI, Math.PI])).toBe('kink');
    expect(regularityOf(step, [-1, 1])).toBe('jump');
  });

  it('|x| is exact from N = 2: says "exact", no NaN slopes, exact points marked for the chart to leave out', () => {
    const study = errorVsN(Math.abs, [-1, 1], powersOfTwo(1024), 'interpolate-uniform');
    const s = summarizeErrors(study, 'kink', 1);
    expect(s.exactFrom).toBe(2);
    expect(s.exact).toEqual(study.ns.map((n) => n >= 2));
    expect(s.slopeRms).toBeNull();
    expect(s.caption).toMatch(/^Exact from N = 2/);
    expect(s.caption).not.toMatch(/NaN/);
  });

  it('the step is not captioned as smooth: its max error does not decay', () => {
    const study = errorVsN(step, [-1, 1], powersOfTwo(1024), 'interpolate-uniform');
    const s = summarizeErrors(study, regularityOf(step, [-1, 1]), 1);
    expect(s.exactFrom).toBeNull();
    expect(Math.abs(s.slopeMax!)).toBeLessThan(0.2);
    expect(s.caption).toMatch(/jumps/);
    expect(s.caption).not.toMatch(/smooth target a piecewise/);
  });

  it('a smooth target gets slopes near −2 and the h² caption', () => {
    const study = errorVsN(Math.sin, [-Math.PI, Math.PI], powersOfTwo(1024).filter((n) => n >= 8), 'interpolate-uniform');
    const s = summarizeErrors(study, 'smooth', 1);
    expect(s.slopeMax!).toBeCloseTo(-2, 1);
    expect(s.caption).toMatch(/slope near −2/);
  });
});
