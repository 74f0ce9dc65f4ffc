import { describe, expect, it } from 'vitest';
import { clean, fmt, formulaLines } from '../../src/ui/formula.ts';
import { interpolateNetwork } from '../../src/model/fit1d.ts';
import type { Network } from '../../src/model/network.ts';

describe('formula', () => {
  it('prints rounding noise as 0 and leaves zero terms out', () => {
    const net: Network = { dim: 1, w: [1, 1, 1], b: [1.22e-16, -0.5, 0.25], a: [2, 6.66e-16, 0], c: -1.22e-16 };
    const f = formulaLines(net);
    expect(f.numeric).toBe('f(x) = 0 + 2·ReLU(x) (2 zero terms left out)');
    expect(f.numeric).not.toMatch(/e-16|0·ReLU/);
    expect(clean(1e-13, 1)).toBe(0);
    expect(clean(1e-11, 1)).toBe(1e-11);
    expect(fmt(-1.22e-16)).toBe('-1.22e-16'); // fmt itself stays faithful; the formula cleans first
  });

  it('keeps small N in full', () => {
    const net = interpolateNetwork(Math.abs, 2, [-1, 1]);
    expect(formulaLines(net).numeric).toBe('f(x) = 1 − 1·ReLU(x + 1) + 2·ReLU(x)');
  });

  it('summarises large N: the term count, the knots range and first terms that can be told apart', () => {
    const net = interpolateNetwork(Math.sin, 65536, [-Math.PI, Math.PI]);
    const f = formulaLines(net);
    expect(f.symbolic).toContain('i = 1 … 65,536');
    const live = net.a.filter((a) => a !== 0).length;
    expect(live).toBeGreaterThan(65000);
    expect(f.numeric).toMatch(new RegExp(`^${live.toLocaleString('en-US')} terms, knots from −3\\.14 to 3\\.14; f\\(x\\) = `));
    const knots = [...f.numeric.matchAll(/ReLU\(x \+ ([\d.]+)\)/g)].map((m) => m[1]);
    expect(knots).toHaveLength(4);
    expect(new Set(knots).size).toBe(4);
    expect(f.numeric).toContain(`… (${(live - 4).toLocaleString('en-US')} more)`);
  });
  it('linear units: the summary names no knots (they never bend) and the sum is said to be affine', () => {
    const n = 20;
    const net: Network = { dim: 1, w: Array(n).fill(1), b: Array.from({ length: n }, (_, i) => i / n), a: Array(n).fill(0.5), c: 0, activation: 'linear' };
    const f = formulaLines(net);
    expect(f.numeric).toMatch(/^20 terms; f\(x\) = /);
    expect(f.numeric).not.toContain('knot');
    expect(f.symbolic).toContain('the sum is affine');
  });
});

describe('formula of a validated network (knots from its sorted piecewise form, no sort)', () => {
  it('says what the plain arrays say: the same range and the same digits', async () => {
    const { validateNetwork } = await import('../../src/model/network.ts');
    const { randomNetwork } = await import('../../src/model/network.ts');
    for (const n of [9, 63, 4097]) {
      const plain = randomNetwork(1, n, n, [-3, 3]);
      // Two units on one knot: the piecewise form merges them, the summary must not change.
      plain.w[1] = plain.w[0] * 2;
      plain.b[1] = plain.b[0] * 2;
      const valid = validateNetwork(plain);
      expect(formulaLines(valid)).toEqual(formulaLines({ ...plain }));
    }
  });
});
