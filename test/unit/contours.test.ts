import { describe, expect, it } from 'vitest';
import { contourSegments } from '../../src/model/contours.ts';
import { clipLine } from '../../src/model/lines2d.ts';

/** The field f(i, j) on an nx × ny grid, row-major, row j at the j-th y from the bottom. */
function grid(nx: number, ny: number, f: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out[j * nx + i] = f(i, j);
  return out;
}

/** Each segment's ends as "x,y" keys (float32 exact, so shared ends compare equal). */
function endCounts(s: Float32Array): Map<string, number> {
  const m = new Map<string, number>();
  for (let k = 0; k < s.length; k += 2) {
    const key = `${s[k]},${s[k + 1]}`;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

describe('contourSegments', () => {
  it('gives straight parallel segments of a plane at the right positions', () => {
    // f = 0.5·i + 0.25·j − 1 on 17 × 9: the level L is the line 0.5·i + 0.25·j = L + 1.
    const nx = 17;
    const ny = 9;
    const values = grid(nx, ny, (i, j) => 0.5 * i + 0.25 * j - 1);
    const levels = [0, 1.3, 4.1];
    for (const level of levels) {
      const s = contourSegments(values, nx, ny, [level]);
      expect(s.length).toBeGreaterThan(0);
      expect(s.length % 4).toBe(0);
      let length = 0;
      for (let k = 0; k < s.length; k += 4) {
        for (const [x, y] of [
          [s[k], s[k + 1]],
          [s[k + 2], s[k + 3]],
        ]) {
          expect(0.5 * x + 0.25 * y - 1).toBeCloseTo(level, 5);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(nx - 1);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(ny - 1);
        }
        // Parallel: every segment runs along the direction (1, −2) (or its reverse).
        const dx = s[k + 2] - s[k];
        const dy = s[k + 3] - s[k + 1];
        expect(Math.abs(2 * dx + dy)).toBeLessThan(1e-5);
        length += Math.hypot(dx, dy);
      }
      // Together they span the line's chord across the grid exactly.
      const chord = clipLine(0.5, 0.25, -1 - level, { xMin: 0, xMax: nx - 1, yMin: 0, yMax: ny - 1 })!;
      expect(length).toBeCloseTo(Math.hypot(chord[2] - chord[0], chord[3] - chord[1]), 4);
    }
    // A level outside the field's range gives nothing; several levels give their segments together.
    expect(contourSegments(values, nx, ny, [100]).length).toBe(0);
    expect(contourSegments(values, nx, ny, levels).length).toBe(levels.reduce((n, l) => n + contourSegments(values, nx, ny, [l]).length, 0));
  });

  it('gives a vertical line of ny − 1 segments for f = i at a half level', () => {
    const s = contourSegments(grid(6, 5, (i) => i), 6, 5, [2.5]);
    expect(s.length).toBe(4 * 4);
    for (let k = 0; k < s.length; k += 2) expect(s[k]).toBe(2.5);
  });

  it('gives a closed ring for a cone, every end shared by exactly two segments, all near the radius', () => {
    const n = 41;
    const c = 20;
    const values = grid(n, n, (i, j) => Math.hypot(i - c, j - c));
    for (const r of [3.3, 7.5, 15.2]) {
      const s = contourSegments(values, n, n, [r]);
      expect(s.length / 4).toBeGreaterThan(8);
      for (const count of endCounts(s).values()) expect(count).toBe(2);
      for (let k = 0; k < s.length; k += 2) expect(Math.abs(Math.hypot(s[k] - c, s[k + 1] - c) - r)).toBeLessThan(0.1);
      // One ring: walking from any segment along shared ends comes back after visiting every segment.
      const segs: [string, string][] = [];
      for (let k = 0; k < s.length; k += 4) segs.push([`${s[k]},${s[k + 1]}`, `${s[k + 2]},${s[k + 3]}`]);
      const byEnd = new Map<string, number[]>();
      segs.forEach(([a, b], q) => {
        for (const e of [a, b]) byEnd.set(e, [...(byEnd.get(e) ?? []), q]);
      });
      const seen = new Set<number>([0]);
      let at = segs[0][1];
      let prev = 0;
      for (;;) {
        const next = byEnd.get(at)!.find((q) => q !== prev)!;
        if (next === 0) break;
        expect(seen.has(next)).toBe(false);
        seen.add(next);
        at = segs[next][0] === at ? segs[next][1] : segs[next][0];
        prev = next;
      }
      expect(seen.size).toBe(segs.length);
    }
  });

  it('splits a saddle by the mean of its corners and skips squares with a NaN corner', () => {
    // Corners a=1 (bottom-left), b=0, c=1 (top-right), d=0: mean 0.5 ≥ 0.5, so a and c connect through the centre.
    const s = contourSegments([1, 0, 0, 1], 2, 2, [0.5]);
    expect(s.length).toBe(8);
    const ends = Array.from(s);
    // The two segments cut off corners b (1, 0) and d (0, 1).
    expect(ends).toEqual([0, 0.5, 0.5, 1, 0.5, 0, 1, 0.5]);
    expect(contourSegments([1, 0, Number.NaN, 1], 2, 2, [0.5]).length).toBe(0);
  });

  it('handles degenerate grids and refuses bad shapes', () => {
    expect(contourSegments([1], 1, 1, [0]).length).toBe(0);
    expect(contourSegments([0, 1, 2], 3, 1, [0.5]).length).toBe(0);
    expect(() => contourSegments([1, 2], 2, 2, [0])).toThrow(RangeError);
    expect(() => contourSegments([1, 2], 0, 2, [0])).toThrow(RangeError);
  });
});
