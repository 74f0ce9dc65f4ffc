import { describe, expect, it } from 'vitest';
import { clipLine } from '../../src/model/lines2d.ts';

const R = { xMin: -1, xMax: 2, yMin: -1, yMax: 1 };

describe('clipLine', () => {
  it('clips a diagonal to the rectangle, both ends on its border and on the line', () => {
    const s = clipLine(1, -1, 0.25, R)!;
    expect(s).not.toBeNull();
    for (const [x, y] of [
      [s[0], s[1]],
      [s[2], s[3]],
    ]) {
      expect(x - y + 0.25).toBeCloseTo(0, 12);
      const onBorder = [x - R.xMin, R.xMax - x, y - R.yMin, R.yMax - y].some((d) => Math.abs(d) < 1e-12);
      expect(onBorder).toBe(true);
    }
  });
  it('gives the full width for a horizontal line and null for lines that miss, touch a corner, or are not lines', () => {
    const h = clipLine(0, 2, -1, R)!;
    expect([Math.min(h[0], h[2]), Math.max(h[0], h[2]), h[1], h[3]]).toEqual([-1, 2, 0.5, 0.5]);
    expect(clipLine(0, 1, -5, R)).toBeNull();
    expect(clipLine(1, 1, -3, R)).toBeNull(); // x + y = 3 touches only the corner (2, 1)
    expect(clipLine(0, 0, 1, R)).toBeNull();
  });
  it('stays accurate for a line far from the origin', () => {
    const r = { xMin: 1e6, xMax: 1e6 + 1, yMin: -1, yMax: 1 };
    const s = clipLine(1, 0.5, -(1e6 + 0.5), r)!;
    expect(s[0] + 0.5 * s[1] - (1e6 + 0.5)).toBeCloseTo(0, 6);
    expect(s[2] + 0.5 * s[3] - (1e6 + 0.5)).toBeCloseTo(0, 6);
  });
});
