import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { colourGrid, contourLevels, maxAbs } from '../../src/model/colormap.ts';
import { contourSegments } from '../../src/model/contours.ts';
import { colourMapImage, finiteRange } from '../../src/model/mapImage.ts';
import { countDistinct } from '../../src/model/regions.ts';
import { WorkerEvaluator } from '../../src/engine/cpu/workerEvaluator.ts';
import { validateNetwork } from '../../src/model/network.ts';
import { FakeGridWorker } from './fakeGridWorker.ts';
import { packNetwork } from '../../src/state/arrangementProtocol.ts';

function values(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.4) * 7);
}

describe('colourMapImage', () => {
  const nx = 37;
  const ny = 29;
  const v = values(nx * ny, 3);
  const t = values(nx * ny, 11);
  t[5] = Number.NaN;
  const pattern = Uint32Array.from(v, (x) => Math.floor(x) >>> 0);

  it('colours values, error and regions as colourGrid does, with the same scale and contours', () => {
    for (const mode of ['values', 'error', 'regions'] as const) {
      const field = mode === 'error' ? Float64Array.from(v, (x, k) => x - t[k]) : v;
      const scale = maxAbs(field);
      const want = new Uint8ClampedArray(4 * nx * ny);
      colourGrid(field, nx, ny, scale, want, mode, pattern);
      const got = colourMapImage(v, t, pattern, nx, ny, { mode, contours: true });
      expect(got.scale).toBe(scale);
      expect(Array.from(got.rgba)).toEqual(Array.from(want));
      expect(Array.from(got.contours!)).toEqual(Array.from(contourSegments(field, nx, ny, contourLevels(scale))));
      expect(colourMapImage(v, t, pattern, nx, ny, { mode, contours: false }).contours).toBeNull();
    }
  });

  it('refuses a mode without its array, a short array and an empty grid', () => {
    expect(() => colourMapImage(v, null, null, nx, ny, { mode: 'error', contours: false })).toThrow(RangeError);
    expect(() => colourMapImage(v, null, null, nx, ny, { mode: 'regions', contours: false })).toThrow(RangeError);
    expect(() => colourMapImage(v.subarray(1), null, null, nx, ny, { mode: 'values', contours: false })).toThrow(RangeError);
    expect(() => colourMapImage(v, null, null, 0, ny, { mode: 'values', contours: false })).toThrow(RangeError);
  });

  it('finiteRange skips non-finite values', () => {
    expect(finiteRange([3, Number.NaN, -Infinity, -2, Infinity, 7])).toEqual([-2, 7]);
    expect(finiteRange([Number.NaN, Infinity])).toBeNull();
    expect(finiteRange([])).toBeNull();
  });
});

describe('countDistinct', () => {
  it('counts as a Set does (ids with many repeats, high bits, zero)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1, 65536, 131072)), { maxLength: 3000 }), (ids) => {
        expect(countDistinct(Uint32Array.from(ids))).toBe(new Set(ids).size);
      }),
    );
  });
});

describe('the grid worker colours the map', () => {
  const net = validateNetwork({ dim: 2, w: [1.3, -0.4, 0.2, 0.9, -1.1, 0.6], b: [0.1, -0.3, 0.25], a: [0.7, -1.2, 0.4], c: 0.05 });
  const grid = { xMin: -1.3, xMax: 1.1, yMin: -0.9, yMax: 1.7, nx: 37, ny: 29 };
  const target = { kind: 'expression', source: 'sin(x) * y' } as const;

  it('in the grid job: the same bytes as colouring the returned arrays, and the values range', async () => {
    for (const mode of ['values', 'error', 'regions'] as const) {
      const fake = new FakeGridWorker();
      const ev = new WorkerEvaluator(() => fake);
      const r = await ev.grid2D(net, grid, { values: true, regions: mode === 'regions', target, image: { mode, contours: true } });
      const want = colourMapImage(r.values!, r.target, r.pattern, grid.nx, grid.ny, { mode, contours: true });
      expect(r.image!.scale).toBe(want.scale);
      expect(Array.from(r.image!.rgba!)).toEqual(Array.from(want.rgba));
      expect(r.range).toEqual(finiteRange(r.values!));
    }
  });

  it('refuses an image whose mode lacks its array before posting', async () => {
    const fake = new FakeGridWorker();
    const ev = new WorkerEvaluator(() => fake);
    await expect(ev.grid2D(net, grid, { values: true, image: { mode: 'regions', contours: false } })).rejects.toBeInstanceOf(RangeError);
    await expect(ev.grid2D(net, grid, { values: true, image: { mode: 'error', contours: false } })).rejects.toBeInstanceOf(RangeError);
    await expect(ev.colour(values(10, 1), null, null, 37, 29, { mode: 'values', contours: false })).rejects.toBeInstanceOf(RangeError);
    expect(fake.posted).toEqual([]);
  });

  it('colour() colours a copy of the caller’s arrays (they stay intact) as colourMapImage does', async () => {
    const fake = new FakeGridWorker();
    const ev = new WorkerEvaluator(() => fake);
    const n = grid.nx * grid.ny;
    const v = Float32Array.from(values(n, 5));
    const t = Array.from(values(n, 9));
    const got = await ev.colour(v, t, null, grid.nx, grid.ny, { mode: 'error', contours: false });
    expect(v.length).toBe(n);
    expect(Array.from(got.rgba!)).toEqual(Array.from(colourMapImage(v, t, null, grid.nx, grid.ny, { mode: 'error', contours: false }).rgba));
    const inProcess = new WorkerEvaluator(null);
    const again = await inProcess.colour(v, t, null, grid.nx, grid.ny, { mode: 'error', contours: false });
    expect(Array.from(again.rgba!)).toEqual(Array.from(got.rgba!));
  });
});

describe('packNetwork', () => {
  it('keeps every number and the activation in Float64Arrays', () => {
    const net = { dim: 2 as const, w: [1, 2, 3, 4], b: [0.5, -0.5], a: [3, -1e-300], c: 2, activation: 'leaky-relu' as const };
    const p = packNetwork(net);
    expect(p.w).toBeInstanceOf(Float64Array);
    expect(Array.from(p.w)).toEqual(net.w);
    expect(Array.from(p.b)).toEqual(net.b);
    expect(Array.from(p.a)).toEqual(net.a);
    expect(p.activation).toBe('leaky-relu');
    expect(packNetwork(p)).toBe(p);
    expect(validateNetwork(structuredClone(p))).toEqual(validateNetwork(net));
  });

  it('packs a validated network once, and a plain one anew each time (it may have been edited)', () => {
    const plain = { dim: 2 as const, w: [1, 2, 3, 4], b: [0.5, -0.5], a: [3, -1], c: 2 };
    const first = packNetwork(plain);
    plain.b[0] = 7;
    const second = packNetwork(plain);
    expect(second).not.toBe(first);
    expect(second.b[0]).toBe(7);
    const valid = validateNetwork(plain);
    expect(packNetwork(valid)).toBe(packNetwork(valid));
    expect(Array.from(packNetwork(valid).b)).toEqual([7, -0.5]);
  });
});
