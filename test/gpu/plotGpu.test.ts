import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { type GpuPlotLayer, PLOT_PARAMS_LAYOUT, PLOT_PARAMS_SIZE, PlotGpu, SIGMOID_TERM_SEGMENTS_GPU } from '../../src/views/plot1d/plotGpu.ts';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import vertSource from '../../shaders/plot1d.vert.wgsl?raw';
import type { DeviceValues } from '../../src/views/deviceValues.ts';
import type { ViewRange } from '../../src/state/state.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;
let plot: PlotGpu;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  plot = await PlotGpu.forFormat(device, 'rgba8unorm');
});
afterAll(() => {
  plot?.destroy();
  plot?.destroy();
  device?.destroy();
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A wiggly curve of n samples through the view, with random non-zero noise. */
function randomCurve(n: number, seed: number): Float32Array<ArrayBuffer> {
  const r = rng(seed);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i / 7) * 1.5 + (r() - 0.5) * 0.8 + 0.01);
}

function upload(values: Float32Array<ArrayBuffer>, offset: number): DeviceValues {
  const buffer = device.createBuffer({ size: offset + values.byteLength + 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, offset, values);
  return { buffer, offset, count: values.length, device };
}

const WIDTH = 173;
const HEIGHT = 91;
const DPR = 1.5;
const VIEW: ViewRange = { xMin: -1, xMax: 3, yMin: -2.5, yMax: 2.5 };
const RECT = { left: 4, top: 3, width: 104, height: 55 };

/** Renders the layers into a fresh rgba8unorm texture and returns its bytes, rows packed. */
async function render(layers: GpuPlotLayer[]): Promise<Uint8Array> {
  const texture = device.createTexture({ size: [WIDTH, HEIGHT], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const bytesPerRow = Math.ceil((4 * WIDTH) / 256) * 256;
  const out = device.createBuffer({ size: bytesPerRow * HEIGHT, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  plot.encode(encoder, texture.createView(), WIDTH, HEIGHT, DPR, VIEW, RECT, layers);
  encoder.copyTextureToBuffer({ texture }, { buffer: out, bytesPerRow }, [WIDTH, HEIGHT]);
  device.queue.submit([encoder.finish()]);
  expect(await device.popErrorScope()).toBeNull();
  await out.mapAsync(GPUMapMode.READ);
  const padded = new Uint8Array(out.getMappedRange());
  const pixels = new Uint8Array(4 * WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) pixels.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + 4 * WIDTH), 4 * y * WIDTH);
  out.unmap();
  out.destroy();
  texture.destroy();
  return pixels;
}

/** How many pixels differ, and how many the curve touched at all (so "identical" cannot mean "both blank"). */
function compare(a: Uint8Array, b: Uint8Array): { differing: number; drawn: number } {
  let differing = 0;
  let drawn = 0;
  for (let k = 0; k < a.length; k += 4) {
    if (a[k] !== b[k] || a[k + 1] !== b[k + 1] || a[k + 2] !== b[k + 2] || a[k + 3] !== b[k + 3]) differing++;
    if (a[k + 3] > 0) drawn++;
  }
  return { differing, drawn };
}

describe('plot1d Params', () => {
  it('is declared in the shader exactly as the TypeScript layout packs it', () => {
    const { members, size } = wgslStructLayout(vertSource, 'Params');
    expect(members).toEqual(PLOT_PARAMS_LAYOUT.map((m) => ({ ...m })));
    expect(size).toBe(PLOT_PARAMS_SIZE);
  });
});

describe("PlotGpu 'curve-buffer'", () => {
  for (const [n, offset] of [
    [2, 0],
    [3, 12],
    [257, 260],
    [1025, 4],
  ] as const) {
    it(`draws ${n} samples from a device buffer (byte ${offset}) exactly like the array twin`, async () => {
      const ys = randomCurve(n, n + offset);
      const values = upload(ys, offset);
      const x0 = VIEW.xMin + 0.1;
      const dx = (VIEW.xMax - VIEW.xMin - 0.2) / Math.max(1, n - 1);
      const style = { x0, dx, color: '#e8590c', width: 2.5 };
      const fromBuffer = await render([{ kind: 'curve-buffer', values, ...style }]);
      const fromArray = await render([{ kind: 'curve', ys, ...style }]);
      const { differing, drawn } = compare(fromBuffer, fromArray);
      expect(drawn).toBeGreaterThan(20);
      expect(differing).toBe(0);
      values.buffer.destroy();
    });
  }

  it('draws buffer minus array (the error trace, gaps where the array is undefined) like the array of differences', async () => {
    const n = 301;
    const sum = randomCurve(n, 4);
    const r = rng(6);
    const target = Array.from({ length: n }, (_, i) => (i > 100 && i < 140 ? Number.NaN : Math.cos(i / 11) + (r() - 0.5) * 0.3));
    const values = upload(sum, 36);
    // f32 subtraction of f32 inputs is exactly rounded, so the twin computes the same numbers.
    const diff = target.map((t, i) => (Number.isFinite(t) ? Math.fround(sum[i]) - Math.fround(t) : Number.NaN));
    const style = { x0: VIEW.xMin, dx: (VIEW.xMax - VIEW.xMin) / (n - 1), color: '#ae3ec9', width: 1.5, dash: 8 };
    const fromBuffer = await render([{ kind: 'curve-buffer', values, minus: target, ...style }]);
    const fromArray = await render([{ kind: 'curve', ys: diff, ...style }]);
    const { differing, drawn } = compare(fromBuffer, fromArray);
    expect(drawn).toBeGreaterThan(20);
    expect(differing).toBe(0);
    values.buffer.destroy();
  });

  it('follows a new buffer in the same layer slot and stacks with terms like the array twin', async () => {
    const n = 129;
    const style = { x0: VIEW.xMin, dx: (VIEW.xMax - VIEW.xMin) / (n - 1), color: '#e8590c', width: 2.5 };
    const network = { dim: 1 as const, w: [1, -2, 0.5], b: [0.2, 1, -0.3], a: [0.7, -0.4, 1.2], c: 0 };
    const terms: GpuPlotLayer = { kind: 'terms', network, color: '#495057', alpha: 0.45, width: 1 };
    for (const seed of [1, 2, 3]) {
      const ys = randomCurve(n, seed);
      const values = upload(ys, 4 * seed);
      const fromBuffer = await render([terms, { kind: 'curve-buffer', values, ...style }]);
      const fromArray = await render([terms, { kind: 'curve', ys, ...style }]);
      expect(compare(fromBuffer, fromArray).differing).toBe(0);
      values.buffer.destroy();
    }
  });

  it('rejects a handle that does not fit its buffer', async () => {
    const values = upload(randomCurve(8, 1), 0);
    const texture = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const encoder = device.createCommandEncoder();
    const layer = (v: DeviceValues): GpuPlotLayer => ({ kind: 'curve-buffer', values: v, x0: 0, dx: 1, color: '#000000', width: 1 });
    expect(() => plot.encode(encoder, texture.createView(), 4, 4, 1, VIEW, RECT, [layer({ ...values, offset: 2 })])).toThrow(RangeError);
    expect(() => plot.encode(encoder, texture.createView(), 4, 4, 1, VIEW, RECT, [layer({ ...values, count: 1000 })])).toThrow(RangeError);
    texture.destroy();
    values.buffer.destroy();
  });
});

describe('plot1d terms for every activation', () => {
  // The knot at x = 1, the middle of the view: the two-segment twin of a piecewise-linear term splits there too.
  const unit = { w: [1.7], b: [-1.7], a: [1.3], c: 0 };
  const termAt = (activation: string, x: number) => {
    const z = unit.w[0] * x + unit.b[0];
    const phi = activation === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : activation === 'linear' ? z : activation === 'leaky-relu' ? (z > 0 ? z : 0.01 * z) : Math.max(0, z);
    return unit.a[0] * phi;
  };
  const style = { color: '#495057', width: 1.5 };

  it('draws as many segments per sigmoid term as the shader declares', () => {
    expect(vertSource).toContain(`const SIGMOID_SEGMENTS: u32 = ${SIGMOID_TERM_SEGMENTS_GPU}u;`);
  });

  for (const [activation, segments] of [['sigmoid', SIGMOID_TERM_SEGMENTS_GPU], ['linear', 2], ['leaky-relu', 2]] as const) {
    it(`draws ${activation} terms like the same term as a polyline of ${segments} segment(s)`, async () => {
      const network = { dim: 1 as const, ...unit, activation };
      const dx = (VIEW.xMax - VIEW.xMin) / segments;
      const ys = Float32Array.from({ length: segments + 1 }, (_, s) => termAt(activation, VIEW.xMin + s * dx));
      const asTerms = await render([{ kind: 'terms', network, alpha: 1, ...style }]);
      const asCurve = await render([{ kind: 'curve', x0: VIEW.xMin, dx, ys, ...style }]);
      const { differing, drawn } = compare(asTerms, asCurve);
      expect(drawn).toBeGreaterThan(50);
      // Rounding of the segment ends (x from the view vs x0 + s·dx) and the split at the knot may move edge pixels.
      expect(differing).toBeLessThan(0.05 * drawn);
    });
  }

  it('draws leaky, linear and sigmoid terms differently from ReLU ones', async () => {
    const pictures = new Map<string, Uint8Array>();
    for (const activation of ['relu', 'leaky-relu', 'linear', 'sigmoid'] as const) {
      pictures.set(activation, await render([{ kind: 'terms', network: { dim: 1, ...unit, activation }, alpha: 1, ...style }]));
    }
    for (const a of ['leaky-relu', 'linear', 'sigmoid']) expect(compare(pictures.get(a)!, pictures.get('relu')!).differing).toBeGreaterThan(0);
  });
});
