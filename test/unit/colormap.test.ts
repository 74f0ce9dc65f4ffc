import { describe, expect, it } from 'vitest';
import { colourGrid, colourOf, maxAbs, sampleColour } from '../../src/views/map2d/colormap.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('colourOf', () => {
  it('is white at 0, pure blue-ish at −max and red-ish at +max', () => {
    expect(colourOf(0, 3)).toEqual([1, 1, 1]);
    expect(colourOf(-3, 3)).toEqual([0, 1 - 0.85, 1]);
    expect(colourOf(3, 3)).toEqual([1, 1 - 0.85, 0]);
  });

  it('is white everywhere when the scale is 0, and saturates beyond the scale', () => {
    expect(colourOf(0, 0)).toEqual([1, 1, 1]);
    expect(colourOf(-7, 0)).toEqual([1, 1, 1]);
    expect(colourOf(10, 2)).toEqual(colourOf(2, 2));
    expect(colourOf(-10, 2)).toEqual(colourOf(-2, 2));
  });

  it('fades linearly with |v|/scale on each side, keeping the sign channel full', () => {
    const r = rng(3);
    for (let k = 0; k < 200; k++) {
      const scale = 0.1 + 10 * r();
      const v = (2 * r() - 1) * scale;
      const m = Math.abs(v) / scale;
      const [red, green, blue] = colourOf(v, scale);
      expect(green).toBeCloseTo(1 - 0.85 * m, 12);
      expect(v > 0 ? red : blue).toBe(1);
      expect(v > 0 ? blue : red).toBeCloseTo(1 - m, 12);
    }
  });
});

describe('maxAbs', () => {
  it('finds the largest magnitude of either sign wherever it is, skipping infinities', () => {
    const r = rng(5);
    for (const n of [1, 7, 1000]) {
      const values = Float64Array.from({ length: n }, () => 2 * r() - 1);
      const at = Math.floor(r() * n);
      values[at] = n % 2 ? -5 : 5;
      expect(maxAbs(values)).toBe(5);
    }
    expect(maxAbs([])).toBe(0);
    expect(maxAbs([0, -0])).toBe(0);
    expect(maxAbs([1, Infinity, -2])).toBe(2);
    expect(maxAbs([1, 9, -2], 1)).toBe(1);
  });
});

describe('sampleColour', () => {
  const nx = 3;
  const ny = 5;
  const r = rng(8);
  const values = Float64Array.from({ length: nx * ny }, () => (r() < 0.5 ? -1 : 1) * (0.1 + r()));
  const scale = maxAbs(values);

  it('gives each cell its own colour at the cell centre', () => {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const c = sampleColour(values, nx, ny, scale, (i + 0.5) / nx, (j + 0.5) / ny);
        const want = colourOf(values[j * nx + i], scale);
        for (let k = 0; k < 3; k++) expect(c[k]).toBeCloseTo(want[k], 12);
      }
    }
  });

  it('blends the colours (not the values) halfway between two cells, and clamps at the edges', () => {
    const half = sampleColour(values, nx, ny, scale, 1 / nx, 0.5 / ny);
    const a = colourOf(values[0], scale);
    const b = colourOf(values[1], scale);
    for (let k = 0; k < 3; k++) expect(half[k]).toBeCloseTo((a[k] + b[k]) / 2, 12);
    expect(sampleColour(values, nx, ny, scale, 0, 0)).toEqual(colourOf(values[0], scale));
    expect(sampleColour(values, nx, ny, scale, 1, 1)).toEqual(colourOf(values[nx * ny - 1], scale));
  });

  it('samples a 1×1 grid as its one colour', () => {
    expect(sampleColour([-2], 1, 1, 2, 0.3, 0.9)).toEqual(colourOf(-2, 2));
  });
});

describe('colourGrid', () => {
  it('writes opaque bytes of colourOf, image rows top-down', () => {
    const nx = 4;
    const ny = 3;
    const r = rng(13);
    const values = Float64Array.from({ length: nx * ny }, () => 4 * r() - 2);
    const scale = maxAbs(values);
    const out = new Uint8ClampedArray(4 * nx * ny + 8);
    colourGrid(values, nx, ny, scale, out);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const k = 4 * ((ny - 1 - j) * nx + i);
        const want = colourOf(values[j * nx + i], scale);
        for (let ch = 0; ch < 3; ch++) expect(Math.abs(out[k + ch] - 255 * want[ch])).toBeLessThanOrEqual(0.5);
        expect(out[k + 3]).toBe(255);
      }
    }
    expect(() => colourGrid(values, nx, ny, scale, new Uint8ClampedArray(10))).toThrow(RangeError);
  });
});
