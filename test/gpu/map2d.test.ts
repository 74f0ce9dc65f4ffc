import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice, renderPixels } from './dawn.ts';
import { MAP2D_PARAMS_LAYOUT, MAP2D_PARAMS_SIZE, Map2DGpu, type Map2DFrame } from '../../src/views/map2d/map2dGpu.ts';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import vertSource from '../../shaders/map2d.vert.wgsl?raw';
import scaleSource from '../../shaders/map2d.scale.compute.wgsl?raw';
import fragSource from '../../shaders/map2d.frag.wgsl?raw';
import regionColorSource from '../../shaders/regionColor.wgsl?raw';
import { HIGHLIGHT_OUTLINE, colourOf, contourStep, errorColourOf, lighten, maxAbs, patternColour, sampleColour, sampleModeColour, type MapMode } from '../../src/model/colormap.ts';

import type { DeviceValues } from '../../src/views/deviceValues.ts';
import type { PlotRect } from '../../src/views/axes.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;
let map: Map2DGpu;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  map = await Map2DGpu.create(device, 'rgba8unorm');
});
afterAll(() => {
  map?.destroy();
  map?.destroy();
  device?.destroy();
});

/** A deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random non-zero values of either sign. */
function randomValues(n: number, seed: number): Float32Array<ArrayBuffer> {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.05 + 3 * r()));
}

/** The values in a fresh STORAGE buffer at a byte offset (as the evaluator's handle describes them). */
function upload(values: Float32Array<ArrayBuffer>, offset: number): DeviceValues {
  const buffer = device.createBuffer({ size: offset + Math.max(4, values.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, offset, values);
  return { buffer, offset, count: values.length, device };
}

/** Renders a frame (renderPixels: a fresh rgba8unorm texture, no validation error) and returns its bytes, rows packed. */
async function render(values: DeviceValues, nx: number, ny: number, width: number, height: number, rect: PlotRect, extra: Partial<Map2DFrame> = {}): Promise<Uint8Array> {
  return renderPixels(device, width, height, (encoder, view) => map.encode(encoder, view, width, height, rect, { values, nx, ny, ...extra }));
}

/** Largest channel difference (in 1/255 steps) between the render and the CPU twin; outside `rect` pixels must be clear. */
function worstDifference(pixels: Uint8Array, values: Float32Array, nx: number, ny: number, width: number, height: number, rect: PlotRect): number {
  const scale = maxAbs(values);
  let worst = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = 4 * (y * width + x);
      const inside = x >= rect.left && x < rect.left + rect.width && y >= rect.top && y < rect.top + rect.height;
      if (!inside) {
        worst = Math.max(worst, pixels[k], pixels[k + 1], pixels[k + 2], pixels[k + 3]);
        continue;
      }
      const c = sampleColour(values, nx, ny, scale, (x + 0.5 - rect.left) / rect.width, 1 - (y + 0.5 - rect.top) / rect.height);
      for (let ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(pixels[k + ch] - 255 * c[ch]));
      worst = Math.max(worst, 255 - pixels[k + 3]);
    }
  }
  return worst;
}

describe('Map2DParams', () => {
  it('is declared in both shaders exactly as the TypeScript layout packs it', () => {
    for (const source of [vertSource, scaleSource]) {
      const { members, size } = wgslStructLayout(source, 'Map2DParams');
      expect(members).toEqual(MAP2D_PARAMS_LAYOUT.map((m) => ({ ...m })));
      expect(size).toBe(MAP2D_PARAMS_SIZE);
    }
  });
});

describe('Map2DGpu', () => {
  const cases: { nx: number; ny: number; width: number; height: number; rect: PlotRect; offset: number }[] = [
    { nx: 1, ny: 1, width: 5, height: 4, rect: { left: 1, top: 1, width: 3, height: 2 }, offset: 0 },
    { nx: 3, ny: 5, width: 37, height: 29, rect: { left: 3, top: 2, width: 31, height: 23 }, offset: 12 },
    { nx: 63, ny: 65, width: 130, height: 97, rect: { left: 0, top: 0, width: 130, height: 97 }, offset: 260 },
    { nx: 256, ny: 256, width: 200, height: 211, rect: { left: 7, top: 5, width: 181, height: 199 }, offset: 4 },
  ];
  for (const [n, c] of cases.entries()) {
    it(`colours a ${c.nx}×${c.ny} grid into ${c.width}×${c.height} like the CPU twin (values at byte ${c.offset})`, async () => {
      const values = randomValues(c.nx * c.ny, 11 + n);
      const handle = upload(values, c.offset);
      device.pushErrorScope('validation');
      const pixels = await render(handle, c.nx, c.ny, c.width, c.height, c.rect);
      expect(await device.popErrorScope()).toBeNull();
      expect(worstDifference(pixels, values, c.nx, c.ny, c.width, c.height, c.rect)).toBeLessThanOrEqual(2);
      expect(await map.readScale()).toBe(maxAbs(values));
      handle.buffer.destroy();
    });
  }

  it('scales by max |v| wherever it is, positive or negative', async () => {
    const r = rng(99);
    for (const sign of [1, -1]) {
      const nx = 63;
      const ny = 65;
      const values = randomValues(nx * ny, 5 + sign);
      // A 3×3 block of the extreme, so the pixel over its centre blends nothing else in.
      const ci = 1 + Math.floor(r() * (nx - 2));
      const cj = 1 + Math.floor(r() * (ny - 2));
      for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) values[(cj + dj) * nx + ci + di] = sign * 40;
      const handle = upload(values, 0);
      const rect = { left: 0, top: 0, width: nx, height: ny };
      device.pushErrorScope('validation');
      const pixels = await render(handle, nx, ny, nx, ny, rect);
      expect(await device.popErrorScope()).toBeNull();
      expect(await map.readScale()).toBe(40);
      // One pixel per sample: pixel (ci, ny − 1 − cj) lies within half a sample of (ci, cj), so it is fully saturated.
      const k = 4 * ((ny - 1 - cj) * nx + ci);
      const want = colourOf(sign * 40, 40).map((v) => Math.round(255 * v));
      expect([pixels[k], pixels[k + 1], pixels[k + 2]]).toEqual(want);
      expect(worstDifference(pixels, values, nx, ny, nx, ny, rect)).toBeLessThanOrEqual(2);
      handle.buffer.destroy();
    }
  });

  it('skips infinities and NaN in the scale, like maxAbs', async () => {
    const values = randomValues(63 * 65, 21);
    values[5] = Infinity;
    values[700] = -Infinity;
    values[4000] = Number.NaN;
    const handle = upload(values, 8);
    await render(handle, 63, 65, 16, 16, { left: 0, top: 0, width: 16, height: 16 });
    expect(await map.readScale()).toBe(maxAbs(values));
    expect(maxAbs(values)).toBeLessThan(3.1);
    handle.buffer.destroy();
  });

  it('colours all-equal values fully and zero everywhere white', async () => {
    for (const [v, want] of [
      [-2.5, [0, 38, 255]],
      [0.75, [255, 38, 0]],
      [0, [255, 255, 255]],
    ] as const) {
      const values = new Float32Array(3 * 5).fill(v);
      const handle = upload(values, 0);
      const pixels = await render(handle, 3, 5, 8, 8, { left: 0, top: 0, width: 8, height: 8 });
      expect(await map.readScale()).toBe(Math.abs(v));
      for (let k = 0; k < pixels.length; k += 4) expect([pixels[k], pixels[k + 1], pixels[k + 2], pixels[k + 3]]).toEqual([...want, 255]);
      handle.buffer.destroy();
    }
  });

  it('rejects a frame whose shape does not match its values', () => {
    const handle = upload(new Float32Array(6), 0);
    const texture = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const encoder = device.createCommandEncoder();
    expect(() => map.encode(encoder, texture.createView(), 4, 4, { left: 0, top: 0, width: 4, height: 4 }, { values: handle, nx: 2, ny: 2 })).toThrow(RangeError);
    expect(() => map.encode(encoder, texture.createView(), 4, 4, { left: 0, top: 0, width: 4, height: 4 }, { values: { ...handle, offset: 2, count: 4 }, nx: 2, ny: 2 })).toThrow(RangeError);
    texture.destroy();
    handle.buffer.destroy();
  });
});

/** The values' bytes as u32 words in a fresh STORAGE buffer (pattern ids), at a byte offset. */
function uploadIds(ids: Uint32Array<ArrayBuffer>, offset: number): DeviceValues {
  const buffer = device.createBuffer({ size: offset + Math.max(4, ids.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, offset, ids);
  return { buffer, offset, count: ids.length, device };
}

/** Largest channel difference between the render and the CPU twin in `mode` over the pixels `at` picks. */
function worstModeDifference(
  pixels: Uint8Array,
  mode: MapMode,
  values: Float32Array,
  aux: ArrayLike<number> | null,
  nx: number,
  ny: number,
  scale: number,
  width: number,
  rect: PlotRect,
  at: (x: number, y: number) => boolean = () => true,
): number {
  let worst = 0;
  for (let y = rect.top; y < rect.top + rect.height; y++) {
    for (let x = rect.left; x < rect.left + rect.width; x++) {
      if (!at(x, y)) continue;
      const k = 4 * (y * width + x);
      const c = sampleModeColour(mode, values, aux, nx, ny, scale, (x + 0.5 - rect.left) / rect.width, 1 - (y + 0.5 - rect.top) / rect.height);
      for (let ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(pixels[k + ch] - 255 * c[ch]));
      worst = Math.max(worst, 255 - pixels[k + 3]);
    }
  }
  return worst;
}

describe('Map2DGpu modes', () => {
  it('declares the colour twins the CPU uses (the fragment stage names them)', () => {
    for (const name of ['fn colourOf', 'fn errorColourOf', 'fn contourStep']) expect(fragSource).toContain(name);
    // The region colours are shared with the surface (map2dGpu.ts joins them into the module).
    for (const name of ['fn mixId', 'fn patternColour']) expect(regionColorSource).toContain(name);
  });

  it('colours regions by patternColour of the nearest sample, exactly at each cell', async () => {
    // One pixel per sample: pixel (i, ny − 1 − j) is grid sample (i, j) exactly, so every pixel is one id's colour.
    const r = rng(41);
    for (const [nx, ny, offset] of [
      [1, 1, 0],
      [63, 65, 36],
      [17, 4, 4],
    ] as const) {
      const ids = Uint32Array.from({ length: nx * ny }, () => Math.floor(r() * 2 ** 32));
      ids[0] = 0;
      const values = randomValues(nx * ny, 3);
      const v = upload(values, 0);
      const p = uploadIds(ids, offset);
      const rect = { left: 0, top: 0, width: nx, height: ny };
      device.pushErrorScope('validation');
      const pixels = await render(v, nx, ny, nx, ny, rect, { mode: 'regions', pattern: p });
      expect(await device.popErrorScope()).toBeNull();
      let worst = 0;
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const k = 4 * ((ny - 1 - j) * nx + i);
          const want = patternColour(ids[j * nx + i]);
          for (let ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(pixels[k + ch] - 255 * want[ch]));
          expect(pixels[k + 3]).toBe(255);
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
      v.buffer.destroy();
      p.buffer.destroy();
    }
  });

  it('draws regions as blocks on a larger map, like the CPU twin away from block boundaries', async () => {
    const nx = 9;
    const ny = 7;
    const r = rng(43);
    const ids = Uint32Array.from({ length: nx * ny }, () => Math.floor(r() * 2 ** 32));
    const values = randomValues(nx * ny, 4);
    const v = upload(values, 0);
    const p = uploadIds(ids, 0);
    const rect = { left: 3, top: 2, width: 101, height: 83 };
    const pixels = await render(v, nx, ny, 110, 90, rect, { mode: 'regions', pattern: p });
    // Away from the half-way lines between samples (where rounding may pick either neighbour).
    const clear = (x: number, y: number) => {
      const gx = ((x + 0.5 - rect.left) / rect.width) * (nx - 1);
      const gy = (1 - (y + 0.5 - rect.top) / rect.height) * (ny - 1);
      return Math.abs((gx % 1) - 0.5) > 0.1 && Math.abs((gy % 1) - 0.5) > 0.1;
    };
    expect(worstModeDifference(pixels, 'regions', values, ids, nx, ny, 0, 110, rect, clear)).toBeLessThanOrEqual(1);
    v.buffer.destroy();
    p.buffer.destroy();
  });

  it('colours the error f − target with its own diverging map scaled by max |error|, NaN targets grey', async () => {
    for (const [nx, ny, offset] of [
      [1, 1, 0],
      [63, 65, 8],
      [65, 3, 260],
    ] as const) {
      const values = randomValues(nx * ny, 51 + nx);
      const target = randomValues(nx * ny, 61 + ny);
      if (nx * ny > 10) {
        target[3] = Number.NaN;
        target[nx * ny - 2] = Number.NaN;
      }
      const v = upload(values, 0);
      const t = upload(target, offset);
      const rect = { left: 2, top: 1, width: 2 * nx + 3, height: 2 * ny + 1 };
      const width = rect.width + 4;
      device.pushErrorScope('validation');
      const pixels = await render(v, nx, ny, width, rect.height + 2, rect, { mode: 'error', target: t });
      expect(await device.popErrorScope()).toBeNull();
      const error = values.map((x, k) => x - target[k]);
      const scale = maxAbs(error);
      // The scale in f32 on the GPU: the difference of two f32s, rounded.
      expect(await map.readScale()).toBeCloseTo(scale, 5);
      expect(worstModeDifference(pixels, 'error', values, target, nx, ny, scale, width, rect)).toBeLessThanOrEqual(2);
      v.buffer.destroy();
      t.buffer.destroy();
    }
    expect(errorColourOf(Number.NaN, 1)).toEqual([0.62, 0.62, 0.62]);
  });

  it('keeps the values mode unchanged when a pattern buffer is bound without a highlight', async () => {
    const nx = 63;
    const ny = 65;
    const values = randomValues(nx * ny, 71);
    const v = upload(values, 0);
    const p = uploadIds(new Uint32Array(nx * ny).fill(7), 0);
    const rect = { left: 0, top: 0, width: 130, height: 97 };
    const pixels = await render(v, nx, ny, 130, 97, rect, { mode: 'values', pattern: p });
    expect(worstDifference(pixels, values, nx, ny, 130, 97, rect)).toBeLessThanOrEqual(2);
    v.buffer.destroy();
    p.buffer.destroy();
  });

  it('lightens the highlighted region and outlines it; the rest is untouched', async () => {
    // Left half id 5, right half id 9, one pixel per sample.
    const nx = 32;
    const ny = 16;
    const ids = Uint32Array.from({ length: nx * ny }, (_, k) => (k % nx < 16 ? 5 : 9));
    const values = randomValues(nx * ny, 81);
    const v = upload(values, 0);
    const p = uploadIds(ids, 0);
    const rect = { left: 0, top: 0, width: nx, height: ny };
    const pixels = await render(v, nx, ny, nx, ny, rect, { mode: 'regions', pattern: p, highlight: 5 });
    const px = (x: number, y: number) => Array.from(pixels.subarray(4 * (y * nx + x), 4 * (y * nx + x) + 3));
    const near = (got: number[], want: number[]) => got.every((g, ch) => Math.abs(g - 255 * want[ch]) <= 1);
    expect(near(px(5, 8), lighten(patternColour(5)))).toBe(true);
    expect(near(px(15, 8), HIGHLIGHT_OUTLINE)).toBe(true);
    expect(near(px(16, 8), patternColour(9))).toBe(true);
    expect(near(px(25, 3), patternColour(9))).toBe(true);
    expect(() => {
      const e = device.createCommandEncoder();
      const tex = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
      try {
        map.encode(e, tex.createView(), 4, 4, rect, { values: v, nx, ny, highlight: 5 });
      } finally {
        tex.destroy();
      }
    }).toThrow(/pattern ids/);
    v.buffer.destroy();
    p.buffer.destroy();
  });

  it('draws contour lines at the nice levels of a plane and none elsewhere', async () => {
    // f = x·4 over a 65-sample row: levels every contourStep(max) cross at known columns.
    const nx = 65;
    const ny = 2;
    const values = Float32Array.from({ length: nx * ny }, (_, k) => ((k % nx) / (nx - 1)) * 8 - 4 + 0.01);
    const v = upload(values, 0);
    const width = 257;
    const rect = { left: 0, top: 0, width, height: 8 };
    const plain = await render(v, nx, ny, width, 8, rect);
    const lined = await render(v, nx, ny, width, 8, rect, { contours: true });
    const step = contourStep(maxAbs(values));
    expect(step).toBe(1);
    const darker: number[] = [];
    for (let x = 0; x < width; x++) {
      const k = 4 * (4 * width + x);
      if (plain[k] + plain[k + 1] + plain[k + 2] - (lined[k] + lined[k + 1] + lined[k + 2]) > 30) darker.push(x);
    }
    // Level L crosses where f = L: x = (L + 3.99)/8 of the width.
    const want = [-3, -2, -1, 0, 1, 2, 3, 4].map((L) => ((L + 3.99) / 8) * width);
    for (const x of want) expect(darker.some((d) => Math.abs(d + 0.5 - x) <= 1.5), `a line near x = ${x.toFixed(1)}`).toBe(true);
    for (const d of darker) expect(want.some((x) => Math.abs(d + 0.5 - x) <= 1.5), `no line at ${d}`).toBe(true);
    v.buffer.destroy();
  });
});
