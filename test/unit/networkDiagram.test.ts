import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomNetwork, type Network } from '../../src/model/network.ts';
import {
  EDGE_MAX_PX,
  EDGE_MIN_PX,
  SHOW_ALL_UP_TO,
  TOP_UNITS,
  activeRegion2D,
  aggregateUnits,
  edgeWidth,
  groupSign,
  importanceOf,
  termPoints,
} from '../../src/views/network/aggregate.ts';

const net1 = (w: number[], b: number[], a: number[]): Network => ({ dim: 1, w, b, a, c: 0 });

describe('aggregateUnits', () => {
  it('shows every unit of a small network, with no group', () => {
    const n = randomNetwork(1, SHOW_ALL_UP_TO, 3);
    const agg = aggregateUnits(n);
    expect(agg.rule).toBe('all');
    expect(agg.shown).toEqual(Array.from({ length: SHOW_ALL_UP_TO }, (_, i) => i));
    expect(agg.rest).toBeNull();
    expect(agg.extra).toBeNull();
  });

  it('shows the 12 largest |a|·|w| of a large network and sums the rest into the group', () => {
    const n = 100;
    // Unit i has |a|·|w| = i (w = ±1 alternating, a = ±i): the largest are 88 … 99.
    const w = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1));
    const a = Array.from({ length: n }, (_, i) => (i % 3 ? i : -i));
    const agg = aggregateUnits(net1(w, new Array(n).fill(0), a));
    expect(agg.rule).toBe('largest');
    expect(agg.shown).toEqual(Array.from({ length: TOP_UNITS }, (_, k) => n - TOP_UNITS + k));
    const rest = agg.rest!;
    expect(rest.count).toBe(n - TOP_UNITS);
    const others = a.slice(0, n - TOP_UNITS);
    expect(rest.sumAbsA).toBe(others.reduce((s, v) => s + Math.abs(v), 0));
    expect(rest.sumA).toBe(others.reduce((s, v) => s + v, 0));
    expect(rest.sumAbsW).toEqual([n - TOP_UNITS]);
    expect(rest.positiveA + rest.negativeA).toBe(n - TOP_UNITS - 1); // unit 0 has a = 0
    expect(groupSign(rest.positiveA, rest.negativeA)).toBe('mixed');
  });

  it('adds the selected unit when it is not among the largest, and says so', () => {
    const n = randomNetwork(1, 65_536, 7);
    const plain = aggregateUnits(n);
    const drawn = new Set(plain.shown);
    let small = 0;
    while (drawn.has(small)) small++;
    const agg = aggregateUnits(n, { selected: small });
    expect(agg.extra).toBe(small);
    expect(agg.shown).toContain(small);
    expect(agg.shown.length).toBe(TOP_UNITS + 1);
    expect(agg.rest!.count).toBe(65_536 - TOP_UNITS - 1);
    // A selected unit already among the largest adds nothing.
    expect(aggregateUnits(n, { selected: plain.shown[0] }).extra).toBeNull();
  });

  it('partitions the units: shown ∪ group = all, and no unit left out outranks one shown (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -1, max: 299 }), fc.constantFrom<1 | 2>(1, 2), (n, seed, sel, dim) => {
        const net = randomNetwork(dim, n, seed);
        const agg = aggregateUnits(net, { selected: sel });
        const shown = new Set(agg.shown);
        expect(agg.shown).toEqual([...agg.shown].sort((p, q) => p - q));
        expect(shown.size).toBe(agg.shown.length);
        const restCount = agg.rest?.count ?? 0;
        expect(shown.size + restCount).toBe(n);
        if (sel >= 0 && sel < n) expect(shown.has(sel)).toBe(true);
        let sumAbsA = 0;
        let weakestShown = Infinity;
        let strongestLeft = -Infinity;
        for (let i = 0; i < n; i++) {
          if (shown.has(i)) {
            if (i !== agg.extra) weakestShown = Math.min(weakestShown, importanceOf(net, i));
          } else {
            sumAbsA += Math.abs(net.a[i]);
            strongestLeft = Math.max(strongestLeft, importanceOf(net, i));
          }
        }
        expect(weakestShown).toBeGreaterThanOrEqual(strongestLeft);
        if (agg.rest) expect(agg.rest.sumAbsA).toBeCloseTo(sumAbsA, 9);
      }),
      { numRuns: 60 },
    );
  });

  it('measures a 2D unit by ‖w‖', () => {
    expect(importanceOf({ dim: 2, w: [3, 4], b: [0], a: [-2], c: 0 }, 0)).toBe(10);
  });
});

describe('edge widths', () => {
  it('grows with the magnitude, stays visible for tiny weights and is capped for large group sums', () => {
    expect(edgeWidth(0, 1)).toBe(EDGE_MIN_PX);
    expect(edgeWidth(0.01, 1)).toBeGreaterThan(EDGE_MIN_PX);
    expect(edgeWidth(0.5, 1)).toBeLessThan(edgeWidth(1, 1));
    expect(edgeWidth(1e6, 1)).toBe(EDGE_MAX_PX);
  });
});

describe('unit pictures', () => {
  it('draws a 1D term exactly: the ends and the knot inside the view', () => {
    // 0.75·ReLU(2x − 1): knot at 0.5.
    expect(termPoints(2, -1, 0.75, -2, 2)).toEqual([
      [-2, 0],
      [0.5, 0],
      [2, 0.75 * 3],
    ]);
    // Knot outside the view: a straight piece.
    expect(termPoints(1, 5, -1, -2, 2)).toEqual([
      [-2, -3],
      [2, -7],
    ]);
  });

  it('clips the 2D active half-plane to the window, with its crease', () => {
    const r = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
    const half = activeRegion2D(1, 0, 0, r);
    expect(half.polygon).toEqual([
      [0, -1],
      [1, -1],
      [1, 1],
      [0, 1],
    ]);
    expect(half.crease).toEqual([
      [0, -1],
      [0, 1],
    ]);
    expect(activeRegion2D(1, 1, 5, r).polygon).toHaveLength(4);
    expect(activeRegion2D(1, 1, 5, r).crease).toBeNull();
    expect(activeRegion2D(1, 1, -5, r).polygon).toHaveLength(0);
  });
});
