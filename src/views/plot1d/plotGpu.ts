/**
 * The 1D plot's curves drawn with WebGPU: unit terms (built in the vertex shader from the units), the
 * target, the error trace and the sum, as antialiased thick lines on a transparent canvas stacked
 * between the axes and the overlay (both 2D canvases). Owns its pipeline and buffers: created once,
 * grown to the next power of two when needed, reused every frame; `destroy()` is safe twice.
 */
import vertSource from '../../../shaders/plot1d.vert.wgsl?raw';
import fragSource from '../../../shaders/plot1d.frag.wgsl?raw';
import type { Network } from '../../model/network.ts';
import type { PlotRect } from '../axes.ts';
import type { ViewRange } from '../../state/state.ts';
import { type GpuError, fromGpuError, withErrorScopes } from '../../engine/gpu/errors.ts';

/**
 * Params (uniform, 80 bytes; one 256-byte-aligned slot per layer):
 *   0 view vec4 · 16 rect vec4 · 32 canvas vec2 · 40 x0 f32 · 44 dx f32 · 48 color vec4 ·
 *   64 halfWidth f32 · 68 mode u32 · 72 count u32 · 76 dash f32
 */
export const PLOT_PARAMS_SIZE = 80;
const MAX_LAYERS = 8;
/** Stands for an undefined sample in the y buffer (the shader drops segments touching it). */
const UNDEFINED = 3e38;

export type GpuPlotLayer =
  | { kind: 'curve'; x0: number; dx: number; ys: ArrayLike<number>; color: string; width: number; dash?: number }
  | { kind: 'terms'; network: Network; color: string; alpha: number; width: number };

function rgba(hex: string, alpha = 1): [number, number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255, alpha];
}

export class PlotGpu {
  private readonly context: GPUCanvasContext;
  private readonly format: GPUTextureFormat;
  private readonly pipeline: GPURenderPipeline;
  private readonly layout: GPUBindGroupLayout;
  private readonly uniform: GPUBuffer;
  private readonly slot: number;
  private readonly params = new ArrayBuffer(PLOT_PARAMS_SIZE);
  private data: { buffer: GPUBuffer; group: GPUBindGroup }[] = [];
  /** Per-layer staging arrays, grown on demand, so a frame allocates nothing. */
  private scratch: Float32Array[] = [];
  /** The network whose terms each layer's buffer holds: states are immutable, so the same object needs no upload. */
  private uploaded: (object | null)[] = [];
  private destroyed = false;

  /** Builds the layer inside error scopes: a shader or pipeline problem becomes a typed GpuError, not a blank plot. */
  static create(device: GPUDevice, canvas: HTMLCanvasElement): Promise<PlotGpu> {
    return withErrorScopes(device, () => new PlotGpu(device, canvas));
  }

  private constructor(
    readonly device: GPUDevice,
    private readonly canvas: HTMLCanvasElement,
  ) {
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('this canvas cannot show WebGPU output');
    this.context = context;
    this.format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format: this.format, alphaMode: 'premultiplied' });
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
      ],
    });
    const module = device.createShaderModule({ label: 'plot1d', code: `${vertSource}\n${fragSource}` });
    const blend: GPUBlendComponent = { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' };
    this.pipeline = device.createRenderPipeline({
      label: 'plot1d lines',
      layout: device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: this.format, blend: { color: blend, alpha: blend } }] },
      primitive: { topology: 'triangle-list' },
    });
  }

  /** The staging array of layer i, at least `floats` long. */
  private scratchFor(i: number, floats: number): Float32Array {
    if (!this.scratch[i] || this.scratch[i].length < floats) this.scratch[i] = new Float32Array(Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, floats)))));
    return this.scratch[i];
  }

  /** The storage buffer of layer i, grown to hold `floats` values (a new buffer forgets what was uploaded). */
  private dataFor(i: number, floats: number): { buffer: GPUBuffer; group: GPUBindGroup } {
    const bytes = Math.max(256, 4 * floats);
    const have = this.data[i];
    if (have && have.buffer.size >= bytes) return have;
    have?.buffer.destroy();
    this.uploaded[i] = null;
    const size = 2 ** Math.ceil(Math.log2(bytes));
    const buffer = this.device.createBuffer({ label: `plot1d layer ${i}`, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const group = this.device.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: this.uniform, size: PLOT_PARAMS_SIZE } },
        { binding: 1, resource: { buffer } },
      ],
    });
    this.data[i] = { buffer, group };
    return this.data[i];
  }

  /**
   * Draws the layers in order over a transparent background, clipped to the plot rectangle. Returns at once;
   * the promise settles with the frame's GPU error (typed), or null, once the device has checked it.
   */
  draw(view: ViewRange, rect: PlotRect, cssWidth: number, cssHeight: number, layers: GpuPlotLayer[]): Promise<GpuError | null> {
    if (this.destroyed) return Promise.resolve(null);
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(cssWidth * dpr));
    const h = Math.max(1, Math.round(cssHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const device = this.device;
    const draws: { group: GPUBindGroup; offset: number; vertices: number; instances: number }[] = [];
    layers.slice(0, MAX_LAYERS).forEach((layer, i) => {
      const f = new Float32Array(this.params);
      const u = new Uint32Array(this.params);
      f.set([view.xMin, view.xMax, view.yMin, view.yMax], 0);
      f.set([rect.left * dpr, rect.top * dpr, rect.width * dpr, rect.height * dpr], 4);
      f.set([w, h], 8);
      let values: Float32Array | null;
      if (layer.kind === 'curve') {
        const n = layer.ys.length;
        values = this.scratchFor(i, n).subarray(0, n);
        for (let k = 0; k < n; k++) {
          const y = layer.ys[k];
          values[k] = Number.isFinite(y) && Math.abs(y) < 1e37 ? y : UNDEFINED;
        }
        f[10] = layer.x0;
        f[11] = layer.dx;
        f.set(rgba(layer.color), 12);
        f[16] = (layer.width * dpr) / 2;
        u[17] = 0;
        u[18] = n;
        f[19] = (layer.dash ?? 0) * dpr;
        if (n >= 2) draws.push({ group: this.dataFor(i, n).group, offset: i * this.slot, vertices: 6, instances: n - 1 });
        this.uploaded[i] = null;
      } else {
        const net = layer.network;
        const n = net.a.length;
        const data = this.dataFor(i, 3 * n);
        values = null;
        if (this.uploaded[i] !== net) {
          values = this.scratchFor(i, 3 * n).subarray(0, 3 * n);
          for (let k = 0; k < n; k++) {
            values[3 * k] = net.w[k];
            values[3 * k + 1] = net.b[k];
            values[3 * k + 2] = net.a[k];
          }
          if (values.length > 0) device.queue.writeBuffer(data.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
          this.uploaded[i] = net;
          values = null;
        }
        f[10] = 0;
        f[11] = 0;
        f.set(rgba(layer.color, layer.alpha), 12);
        f[16] = (layer.width * dpr) / 2;
        u[17] = 1;
        u[18] = n;
        f[19] = 0;
        if (n >= 1) draws.push({ group: data.group, offset: i * this.slot, vertices: 12, instances: n });
      }
      device.queue.writeBuffer(this.uniform, i * this.slot, this.params);
      if (values && values.length > 0) device.queue.writeBuffer(this.dataFor(i, values.length).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    });
    const encoder = device.createCommandEncoder({ label: 'plot1d' });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
    });
    pass.setPipeline(this.pipeline);
    const sx = Math.max(0, Math.floor(rect.left * dpr));
    const sy = Math.max(0, Math.floor(rect.top * dpr));
    pass.setScissorRect(sx, sy, Math.max(0, Math.min(w - sx, Math.ceil(rect.width * dpr))), Math.max(0, Math.min(h - sy, Math.ceil(rect.height * dpr))));
    for (const d of draws) {
      pass.setBindGroup(0, d.group, [d.offset]);
      pass.draw(d.vertices, d.instances);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    return Promise.all([device.popErrorScope(), device.popErrorScope()]).then((errors) => {
      const first = errors.find((e): e is GPUError => e !== null);
      return first ? fromGpuError(first) : null;
    });
  }

  /** Clears the canvas (when the plot is not shown). */
  clear(): void {
    if (this.destroyed) return;
    const encoder = this.device.createCommandEncoder();
    encoder
      .beginRenderPass({ colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }] })
      .end();
    this.device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const d of this.data) d.buffer.destroy();
    this.data = [];
    this.uploaded = [];
    this.uniform.destroy();
    try {
      this.context.unconfigure();
    } catch {
      // The device may already be gone; nothing left to release.
    }
  }
}
