/**
 * The 1D plot's curves drawn with WebGPU: unit terms (built in the vertex shader from the units), the
 * target, the error trace and the sum, as antialiased thick lines on a transparent canvas stacked
 * between the axes and the overlay (both 2D canvases), or into any texture view (`encode`). Curves come
 * from arrays (uploaded) or straight from an evaluator's device buffer ('curve-buffer', no CPU copy).
 * Owns its pipeline and buffers: created once, grown to the next power of two when needed, reused every
 * frame; `destroy()` is safe twice.
 */
import { type Activation, activationOf } from '../../model/activation.ts';
import vertSource from '../../../shaders/plot1d.vert.wgsl?raw';
import fragSource from '../../../shaders/plot1d.frag.wgsl?raw';
import type { Network } from '../../model/network.ts';
import type { PlotRect } from '../axes.ts';
import type { ViewRange } from '../../state/state.ts';
import { type DeviceValues, storageRange } from '../deviceValues.ts';
import { configureGpuCanvas } from '../gpuCanvas.ts';
import { type UniformMember, wordIndex } from '../uniformLayout.ts';
import { type GpuError, fromGpuError, withErrorScopes } from '../../engine/gpu/errors.ts';

/** `struct Params` of shaders/plot1d.vert.wgsl (uniform, 96 bytes with its padding; one 256-byte-aligned slot per layer). */
export const PLOT_PARAMS_LAYOUT = [
  { name: 'view', type: 'vec4<f32>', offset: 0 },
  { name: 'rect', type: 'vec4<f32>', offset: 16 },
  { name: 'canvas', type: 'vec2<f32>', offset: 32 },
  { name: 'x0', type: 'f32', offset: 40 },
  { name: 'dx', type: 'f32', offset: 44 },
  { name: 'color', type: 'vec4<f32>', offset: 48 },
  { name: 'halfWidth', type: 'f32', offset: 64 },
  { name: 'mode', type: 'u32', offset: 68 },
  { name: 'count', type: 'u32', offset: 72 },
  { name: 'dash', type: 'f32', offset: 76 },
  { name: 'first', type: 'u32', offset: 80 },
] as const satisfies readonly UniformMember[];
export const PLOT_PARAMS_SIZE = 96;
const W = wordIndex(PLOT_PARAMS_LAYOUT);
const MAX_LAYERS = 8;
/** Stands for an undefined sample in the y buffer (the shader drops segments touching it). */
const UNDEFINED = 3e38;
/** Shader modes (Params.mode). */
const MODE_CURVE = 0;
const MODE_TERMS = 1;
const MODE_BUFFER = 2;
const MODE_BUFFER_MINUS = 3;
/** Segments per sigmoid term: SIGMOID_SEGMENTS in plot1d.vert.wgsl (test/gpu/plotGpu.test.ts keeps them equal). */
export const SIGMOID_TERM_SEGMENTS_GPU = 48;
/** Term modes per activation (1 is ReLU's); sigmoid terms are polylines of SIGMOID_TERM_SEGMENTS_GPU segments. */
const TERM_MODES: Readonly<Record<Activation, number>> = { relu: MODE_TERMS, 'leaky-relu': 4, linear: 5, sigmoid: 6 };

/**
 * One layer of the plot. 'curve': samples y_i at x0 + i·dx from an array (non-finite: a gap);
 * 'curve-buffer': the same from a device buffer (finite values), minus an array's values when `minus` is
 * given (non-finite there: a gap; how the error trace sum − target is drawn without reading the sum back);
 * 'terms': every unit's a·φ(w·x + b), φ the network's activation.
 */
export type GpuPlotLayer =
  | { kind: 'curve'; x0: number; dx: number; ys: ArrayLike<number>; color: string; width: number; dash?: number }
  | { kind: 'curve-buffer'; x0: number; dx: number; values: DeviceValues; minus?: ArrayLike<number>; color: string; width: number; dash?: number }
  | { kind: 'terms'; network: Network; color: string; alpha: number; width: number };

function rgba(hex: string, alpha = 1): [number, number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255, alpha];
}

/** A layer's own storage buffer and the bind group that pairs it with an external value range (or with itself). */
interface LayerData {
  buffer: GPUBuffer;
  group: GPUBindGroup;
  /** The external range the group binds at 2, or null when binding 2 is the layer's own buffer. */
  ext: { buffer: GPUBuffer; start: number; size: number } | null;
}

export class PlotGpu {
  private readonly pipeline: GPURenderPipeline;
  private readonly layout: GPUBindGroupLayout;
  private readonly uniform: GPUBuffer;
  private readonly slot: number;
  private readonly params = new ArrayBuffer(PLOT_PARAMS_SIZE);
  private data: LayerData[] = [];
  /** Per-layer staging arrays, grown on demand, so a frame allocates nothing. */
  private scratch: Float32Array<ArrayBuffer>[] = [];
  /** The network whose terms each layer's buffer holds: states are immutable, so the same object needs no upload. */
  private uploaded: (object | null)[] = [];
  private destroyed = false;

  /** For the page: configures `canvas` for WebGPU; built inside error scopes (a problem becomes a typed GpuError). */
  static create(device: GPUDevice, canvas: HTMLCanvasElement): Promise<PlotGpu> {
    return withErrorScopes(device, () => {
      const { context, format } = configureGpuCanvas(device, canvas);
      return new PlotGpu(device, format, context);
    });
  }

  /** For drawing into texture views of `format` only (`encode`), without a canvas; built inside error scopes. */
  static forFormat(device: GPUDevice, format: GPUTextureFormat): Promise<PlotGpu> {
    return withErrorScopes(device, () => new PlotGpu(device, format, null));
  }

  /**
   * Like `create`, but `draw` renders into a texture of its own that is never shown: for timing the WebGPU path
   * without a WebGPU canvas (presenting one in a page composited in software dropped the GPU process's instance).
   */
  static async offscreen(device: GPUDevice, format: GPUTextureFormat): Promise<PlotGpu> {
    const plot = await PlotGpu.forFormat(device, format);
    plot.offscreenTarget = { texture: null };
    return plot;
  }

  /** The texture `draw` renders into for an `offscreen` instance (sized at the first draw of each size). */
  private offscreenTarget: { texture: GPUTexture | null } | null = null;

  private constructor(
    readonly device: GPUDevice,
    readonly format: GPUTextureFormat,
    private readonly context: GPUCanvasContext | null,
  ) {
    this.slot = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    this.uniform = device.createBuffer({
      label: 'plot1d params',
      size: this.slot * MAX_LAYERS,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.layout = device.createBindGroupLayout({
      label: 'plot1d',
      entries: [
        { binding: 0, visibility: GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: PLOT_PARAMS_SIZE } },
        { binding: 1, visibility: GPUShaderStage.VERTEX, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: GPUShaderStage.VERTEX, buffer: { type: 'read-only-storage' } },
      ],
    });
    const module = device.createShaderModule({ label: 'plot1d', code: `${vertSource}\n${fragSource}` });
    const blend: GPUBlendComponent = { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' };
    this.pipeline = device.createRenderPipeline({
      label: 'plot1d lines',
      layout: device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format, blend: { color: blend, alpha: blend } }] },
      primitive: { topology: 'triangle-list' },
    });
  }

  /** The staging array of layer i, at least `floats` long. */
  private scratchFor(i: number, floats: number): Float32Array<ArrayBuffer> {
    if (!this.scratch[i] || this.scratch[i].length < floats) this.scratch[i] = new Float32Array(Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, floats)))));
    return this.scratch[i];
  }

  /**
   * The storage buffer of layer i, grown to hold `floats` values (a new buffer forgets what was uploaded), and a
   * bind group with `ext` at binding 2 (the layer's own buffer when null), rebuilt only when either changes.
   */
  private dataFor(i: number, floats: number, ext: { buffer: GPUBuffer; start: number; size: number } | null = null): LayerData {
    const bytes = Math.max(256, 4 * floats);
    let have = this.data[i];
    if (!have || have.buffer.size < bytes) {
      have?.buffer.destroy();
      this.uploaded[i] = null;
      const size = 2 ** Math.ceil(Math.log2(bytes));
      const buffer = this.device.createBuffer({ label: `plot1d layer ${i}`, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      have = { buffer, group: this.groupOf(buffer, ext), ext };
      this.data[i] = have;
    }
    const same = ext === null ? have.ext === null : have.ext !== null && have.ext.buffer === ext.buffer && have.ext.start === ext.start && have.ext.size === ext.size;
    if (!same) {
      have.group = this.groupOf(have.buffer, ext);
      have.ext = ext;
    }
    return have;
  }

  private groupOf(own: GPUBuffer, ext: { buffer: GPUBuffer; start: number; size: number } | null): GPUBindGroup {
    return this.device.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: this.uniform, size: PLOT_PARAMS_SIZE } },
        { binding: 1, resource: { buffer: own } },
        { binding: 2, resource: ext ? { buffer: ext.buffer, offset: ext.start, size: ext.size } : { buffer: own } },
      ],
    });
  }

  /** Uploads an array's samples into layer i's staging and storage buffers (non-finite or huge: a gap). */
  private uploadSamples(i: number, ys: ArrayLike<number>, n: number, ext: { buffer: GPUBuffer; start: number; size: number } | null): LayerData {
    const values = this.scratchFor(i, n).subarray(0, n);
    for (let k = 0; k < n; k++) {
      const y = ys[k];
      values[k] = Number.isFinite(y) && Math.abs(y) < 1e37 ? y : UNDEFINED;
    }
    const data = this.dataFor(i, n, ext);
    if (n > 0) this.device.queue.writeBuffer(data.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    this.uploaded[i] = null;
    return data;
  }

  /**
   * Records the layers into `encoder`: one render pass into `target` (a view of a `width` × `height` texture of
   * this module's format) that clears it to transparent and draws the layers in order, clipped to `rect`
   * (CSS pixels, scaled by `dpr`). Writes uniforms and arrays through the queue now: submit before the next
   * encode. Throws a RangeError for a device buffer that does not fit its handle or lives on another device.
   */
  encode(encoder: GPUCommandEncoder, target: GPUTextureView, width: number, height: number, dpr: number, view: ViewRange, rect: PlotRect, layers: GpuPlotLayer[]): void {
    if (this.destroyed) return;
    const draws: { group: GPUBindGroup; offset: number; vertices: number; instances: number }[] = [];
    const f = new Float32Array(this.params);
    const u = new Uint32Array(this.params);
    layers.slice(0, MAX_LAYERS).forEach((layer, i) => {
      f.fill(0);
      f.set([view.xMin, view.xMax, view.yMin, view.yMax], W.view);
      f.set([rect.left * dpr, rect.top * dpr, rect.width * dpr, rect.height * dpr], W.rect);
      f.set([width, height], W.canvas);
      if (layer.kind === 'terms') {
        const net = layer.network;
        const n = net.a.length;
        const data = this.dataFor(i, 3 * n);
        if (this.uploaded[i] !== net) {
          const values = this.scratchFor(i, 3 * n).subarray(0, 3 * n);
          for (let k = 0; k < n; k++) {
            values[3 * k] = net.w[k];
            values[3 * k + 1] = net.b[k];
            values[3 * k + 2] = net.a[k];
          }
          if (n > 0) this.device.queue.writeBuffer(data.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
          this.uploaded[i] = net;
        }
        f.set(rgba(layer.color, layer.alpha), W.color);
        f[W.halfWidth] = (layer.width * dpr) / 2;
        const activation = activationOf(net);
        u[W.mode] = TERM_MODES[activation];
        u[W.count] = n;
        const vertices = activation === 'sigmoid' ? 6 * SIGMOID_TERM_SEGMENTS_GPU : 12;
        if (n >= 1) draws.push({ group: data.group, offset: i * this.slot, vertices, instances: n });
      } else {
        let n: number;
        let data: LayerData;
        if (layer.kind === 'curve') {
          n = layer.ys.length;
          data = this.uploadSamples(i, layer.ys, n, null);
          u[W.mode] = MODE_CURVE;
        } else {
          if (layer.values.device !== this.device) throw new RangeError('the curve values live on another device');
          const range = storageRange(layer.values);
          const ext = { buffer: layer.values.buffer, start: range.start, size: range.size };
          n = layer.minus ? Math.min(layer.values.count, layer.minus.length) : layer.values.count;
          data = layer.minus ? this.uploadSamples(i, layer.minus, n, ext) : this.dataFor(i, 0, ext);
          u[W.mode] = layer.minus ? MODE_BUFFER_MINUS : MODE_BUFFER;
          u[W.first] = range.first;
        }
        f[W.x0] = layer.x0;
        f[W.dx] = layer.dx;
        f.set(rgba(layer.color), W.color);
        f[W.halfWidth] = (layer.width * dpr) / 2;
        u[W.count] = n;
        f[W.dash] = (layer.dash ?? 0) * dpr;
        if (n >= 2) draws.push({ group: data.group, offset: i * this.slot, vertices: 6, instances: n - 1 });
      }
      this.device.queue.writeBuffer(this.uniform, i * this.slot, this.params);
    });
    const pass = encoder.beginRenderPass({
      label: 'plot1d',
      colorAttachments: [{ view: target, loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
    });
    pass.setPipeline(this.pipeline);
    const sx = Math.min(width, Math.max(0, Math.floor(rect.left * dpr)));
    const sy = Math.min(height, Math.max(0, Math.floor(rect.top * dpr)));
    pass.setScissorRect(sx, sy, Math.max(0, Math.min(width - sx, Math.ceil(rect.width * dpr))), Math.max(0, Math.min(height - sy, Math.ceil(rect.height * dpr))));
    for (const d of draws) {
      pass.setBindGroup(0, d.group, [d.offset]);
      pass.draw(d.vertices, d.instances);
    }
    pass.end();
  }

  /**
   * Draws the layers onto the canvas given to `create`, sized to the CSS size times the device pixel ratio.
   * Returns at once; the promise settles with the frame's GPU error (typed), or null, once the device has
   * checked it. Throws what `encode` throws (the error scopes are popped first).
   */
  draw(view: ViewRange, rect: PlotRect, cssWidth: number, cssHeight: number, layers: GpuPlotLayer[]): Promise<GpuError | null> {
    const context = this.context;
    const off = this.offscreenTarget;
    if (this.destroyed || (!context && !off)) return Promise.resolve(null);
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(cssWidth * dpr));
    const h = Math.max(1, Math.round(cssHeight * dpr));
    if (context) {
      const canvas = context.canvas;
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
    }
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let thrown: unknown = null;
    try {
      const encoder = device.createCommandEncoder({ label: 'plot1d' });
      let target: GPUTextureView;
      if (context) target = context.getCurrentTexture().createView();
      else {
        const t = off!.texture;
        if (!t || t.width !== w || t.height !== h) {
          t?.destroy();
          off!.texture = device.createTexture({ label: 'plot1d off screen', size: [w, h], format: this.format, usage: GPUTextureUsage.RENDER_ATTACHMENT });
        }
        target = off!.texture!.createView();
      }
      this.encode(encoder, target, w, h, dpr, view, rect, layers);
      device.queue.submit([encoder.finish()]);
    } catch (e) {
      thrown = e;
    }
    // The scopes are popped whatever happened, so a bad frame cannot leave them unbalanced.
    const popped = Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (thrown !== null) {
      void popped.catch(() => null);
      throw thrown;
    }
    return popped.then((errors) => {
      const first = errors.find((e): e is GPUError => e !== null);
      return first ? fromGpuError(first) : null;
    });
  }


  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const d of this.data) d.buffer.destroy();
    this.data = [];
    this.uploaded = [];
    this.uniform.destroy();
    this.offscreenTarget?.texture?.destroy();
    // The canvas context is not unconfigured: the 2D map draws into the same canvas.
  }
}
