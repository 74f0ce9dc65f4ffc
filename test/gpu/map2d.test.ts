import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { MAP2D_PARAMS_LAYOUT, MAP2D_PARAMS_SIZE, Map2DGpu } from '../../src/views/map2d/map2dGpu.ts';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import vertSource from '../../shaders/map2d.vert.wgsl?raw';
import scaleSource from '../../shaders/map2d.scale.compute.wgsl?raw';
import { colourOf, maxAbs, sampleColour } from '../../src/views/map2d/colormap.ts';
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

/** Renders a frame into a fresh rgba8unorm texture and returns its bytes, rows packed. */
async function render(values: DeviceValues, nx: number, ny: number, width: number, height: number, rect: PlotRect): Promise<Uint8Array> {
  const texture = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const bytesPerRow = Math.ceil((4 * width) / 256) * 256;
  const out = device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  map.encode(encoder, texture.createView(), width, height, rect, { values, nx, ny });
  encoder.copyTextureToBuffer({ texture }, { buffer: out, bytesPerRow }, [width, height]);
  device.queue.submit([encoder.finish()]);
  await out.mapAsync(GPUMapMode.READ);
  const padded = new Uint8Array(out.getMappedRange());
  const pixels = new Uint8Array(4 * width * height);
  for (let y = 0; y < height; y++) pixels.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + 4 * width), 4 * y * width);
  out.unmap();
  out.destroy();
  texture.destroy();
  return pixels;
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
      const at = Math.floor(r() * nx * ny);
      values[at] = sign * 40;
      const handle = upload(values, 0);
      const rect = { left: 0, top: 0, width: nx, height: ny };
      device.pushErrorScope('validation');
      const pixels = await render(handle, nx, ny, nx, ny, rect);
      expect(await device.popErrorScope()).toBeNull();
      expect(await map.readScale()).toBe(40);
      // One pixel per cell: the planted extreme is fully saturated, and everything matches the twin.
      const x = at % nx;
      const y = ny - 1 - Math.floor(at / nx);
      const k = 4 * (y * nx + x);
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
