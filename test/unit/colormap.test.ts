import { describe, expect, it } from 'vitest';
import {
  ERROR_OVER,
  ERROR_UNDER,
  NO_TARGET,
  colourGrid,
  colourOf,
  contourLevels,
  contourStep,
  errorColourOf,
  maxAbs,
  mixId,
  patternColour,
  sampleColour,
  sampleModeColour,
} from '../../src/model/colormap.ts';

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

  it('gives each grid sample its own colour where it lies: sample i at fraction i/(nx − 1), edge to edge', () => {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const c = sampleColour(values, nx, ny, scale, i / (nx - 1), j / (ny - 1));
        const want = colourOf(values[j * nx + i], scale);
        for (let k = 0; k < 3; k++) expect(c[k]).toBeCloseTo(want[k], 12);
      }
    }
  });

  it('blends the colours (not the values) halfway between two cells, and clamps at the edges', () => {
    const half = sampleColour(values, nx, ny, scale, 0.5 / (nx - 1), 0);
    const a = colourOf(values[0], scale);
    const b = colourOf(values[1], scale);
    for (let k = 0; k < 3; k++) expect(half[k]).toBeCloseTo((a[k] + b[k]) / 2, 12);
    expect(sampleColour(values, nx, ny, scale, 0, 0)).toEqual(colourOf(values[0], scale));
    expect(sampleColour(values, nx, ny, scale, 1, 1)).toEqual(colourOf(values[nx * ny - 1], scale));
    expect(sampleColour(values, nx, ny, scale, -0.2, 1.3)).toEqual(colourOf(values[(ny - 1) * nx], scale));
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

describe('errorColourOf', () => {
  it('diverges around white at 0 to its own two colours at ±scale, symmetric in |e|, grey without a target', () => {
    expect(errorColourOf(0, 2)).toEqual([1, 1, 1]);
    for (let c = 0; c < 3; c++) {
      expect(errorColourOf(-2, 2)[c]).toBeCloseTo(ERROR_UNDER[c], 12);
      expect(errorColourOf(5, 2)[c]).toBeCloseTo(ERROR_OVER[c], 12);
    }
    expect(errorColourOf(Number.NaN, 2)).toEqual(NO_TARGET);
    expect(errorColourOf(1, 0)).toEqual([1, 1, 1]);
    const r = rng(17);
    for (let k = 0; k < 100; k++) {
      const scale = 0.1 + r();
      const e = r() * scale;
      const pos = errorColourOf(e, scale);
      const neg = errorColourOf(-e, scale);
      // The same distance from white, each toward its own end.
      for (let c = 0; c < 3; c++) {
        expect((1 - pos[c]) / (1 - ERROR_OVER[c])).toBeCloseTo(e / scale, 12);
        expect((1 - neg[c]) / (1 - ERROR_UNDER[c])).toBeCloseTo(e / scale, 12);
      }
    }
    // Distinct from the values' blue/red, so the two modes cannot be mistaken.
    expect(errorColourOf(-1, 1)).not.toEqual(colourOf(-1, 1));
  });
});

describe('patternColour', () => {
  it('is a pure function of the id: the same id, the same colour, in range and light', () => {
    const r = rng(23);
    for (let k = 0; k < 2000; k++) {
      const id = Math.floor(r() * 2 ** 32);
      const c = patternColour(id);
      expect(patternColour(id)).toEqual(c);
      for (const ch of c) {
        expect(ch).toBeGreaterThanOrEqual(0.3 - 1e-12);
        expect(ch).toBeLessThanOrEqual(1);
      }
      // Lightness (max + min)/2 stays in 0.6–0.75, light enough for dark lines on top.
      const l = (Math.max(...c) + Math.min(...c)) / 2;
      expect(l).toBeGreaterThanOrEqual(0.6 - 1e-12);
      expect(l).toBeLessThanOrEqual(0.75 + 1e-12);
    }
  });

  it('gives ids that differ in one unit clearly different colours, spread over the hues', () => {
    const hues = new Set<number>();
    let close = 0;
    for (let i = 0; i < 1000; i++) {
      const a = patternColour(i * 0x9e3779b9);
      const b = patternColour((i * 0x9e3779b9) ^ 0x1234567);
      const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      if (d < 0.05) close++;
      hues.add(Math.floor(12 * (mixId(i) >>> 8) / 16777216));
    }
    expect(close).toBeLessThan(20);
    expect(hues.size).toBe(12);
    expect(patternColour(0)).not.toEqual(patternColour(1));
  });
});

describe('sampleModeColour', () => {
  it('takes the nearest sample in regions mode and blends error colours in error mode', () => {
    const ids = [11, 22, 33, 44];
    expect(sampleModeColour('regions', [0, 0, 0, 0], ids, 2, 2, 0, 0.2, 0.3)).toEqual(patternColour(11));
    expect(sampleModeColour('regions', [0, 0, 0, 0], ids, 2, 2, 0, 0.7, 0.3)).toEqual(patternColour(22));
    expect(sampleModeColour('regions', [0, 0, 0, 0], ids, 2, 2, 0, 0.7, 0.9)).toEqual(patternColour(44));
    const e = sampleModeColour('error', [1, 3], [0, 3], 2, 1, 1, 0, 0);
    expect(e).toEqual(errorColourOf(1, 1));
    const mid = sampleModeColour('error', [1, 3], [0, 3], 2, 1, 1, 0.5, 0);
    for (let c = 0; c < 3; c++) expect(mid[c]).toBeCloseTo((errorColourOf(1, 1)[c] + 1) / 2, 12);
  });
});

describe('colourGrid modes', () => {
  it('colours errors and regions like their colour functions', () => {
    const out = new Uint8ClampedArray(16);
    const near = (got: Uint8ClampedArray, want: number[]) => {
      for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - 255 * want[c])).toBeLessThanOrEqual(0.5);
      expect(got[3]).toBe(255);
    };
    colourGrid([0.5, -1, Number.NaN, 0], 2, 2, 1, out, 'error');
    near(out.subarray(8, 12), errorColourOf(0.5, 1));
    near(out.subarray(0, 4), NO_TARGET);
    colourGrid([0, 0, 0, 0], 2, 2, 0, out, 'regions', [1, 2, 3, 4]);
    near(out.subarray(0, 4), patternColour(3));
    expect(() => colourGrid([0, 0, 0, 0], 2, 2, 0, out, 'regions')).toThrow(RangeError);
  });
});

describe('contourStep and contourLevels', () => {
  it('picks 1, 2 or 5 × 10^k for about 10 levels over ±scale, 0 included', () => {
    expect(contourStep(1.5)).toBe(0.2);
    expect(contourStep(4.01)).toBe(1);
    expect(contourStep(0)).toBe(0);
    expect(contourStep(Number.NaN)).toBe(0);
    const levels = contourLevels(1);
    expect(levels).toHaveLength(11);
    levels.forEach((v, k) => expect(v).toBeCloseTo(-1 + 0.2 * k, 12));
    for (const scale of [0.003, 0.7, 13, 9999]) {
      const n = contourLevels(scale).length;
      expect(n).toBeGreaterThanOrEqual(5);
      expect(n).toBeLessThanOrEqual(21);
      expect(contourLevels(scale)).toContain(0);
    }
  });
});

describe('nearestSample', () => {
  it('maps a fraction of the map to the nearest grid sample, samples at i/(nx − 1), −1 outside', async () => {
    const { nearestSample } = await import('../../src/model/colormap.ts');
    expect(nearestSample(5, 3, 0, 0)).toBe(0);
    expect(nearestSample(5, 3, 1, 1)).toBe(14);
    expect(nearestSample(5, 3, 0.3, 0.2)).toBe(1); // i: 1.2 → 1, j: 0.4 → 0
    expect(nearestSample(5, 3, 0.4, 0.8)).toBe(2 * 5 + 2); // i: 1.6 → 2, j: 1.6 → 2
    expect(nearestSample(1, 1, 0.7, 0.1)).toBe(0);
    expect(nearestSample(5, 3, -0.01, 0.5)).toBe(-1);
    expect(nearestSample(5, 3, 0.5, Number.NaN)).toBe(-1);
  });
});
