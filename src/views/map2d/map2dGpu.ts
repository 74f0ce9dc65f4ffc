/**
 * The 2D map drawn with WebGPU straight from the evaluator's buffers: a compute pass reduces max |v| (or, in
 * error mode, max |v − target|) into a one-word buffer, then one quad over the map rectangle colours every
 * pixel in the fragment stage (the twin of colormap.ts): values, error or regions, with optional contour lines
 * and a highlighted region. Nothing is read back to draw; `readScale()` reads the scale lazily for the legend.
 * Owns its pipelines and buffers; bind groups are cached per set of bound buffers; `destroy()` is safe twice.
 */
import vertSource from '../../../shaders/map2d.vert.wgsl?raw';
import regionColorSource from '../../../shaders/regionColor.wgsl?raw';
import fragSource from '../../../shaders/map2d.frag.wgsl?raw';
import scaleSource from '../../../shaders/map2d.scale.compute.wgsl?raw';
import type { PlotRect } from '../axes.ts';
import { type DeviceValues, storageRange } from '../deviceValues.ts';
import { type UniformMember, wordIndex } from '../uniformLayout.ts';
import { type GpuError, fromGpuError, withErrorScopes } from '../../engine/gpu/errors.ts';
import type { MapMode } from '../../model/colormap.ts';

/** `struct Map2DParams` of the map2d shaders (uniform, 64 bytes); rect and size in target pixels. */
export const MAP2D_PARAMS_LAYOUT = [
  { name: 'rect', type: 'vec4<f32>', offset: 0 },
  { name: 'size', type: 'vec2<f32>', offset: 16 },
  { name: 'nx', type: 'u32', offset: 24 },
  { name: 'ny', type: 'u32', offset: 28 },
  { name: 'first', type: 'u32', offset: 32 },
  { name: 'count', type: 'u32', offset: 36 },
  { name: 'mode', type: 'u32', offset: 40 },
  { name: 'targetFirst', type: 'u32', offset: 44 },
  { name: 'patternFirst', type: 'u32', offset: 48 },
  { name: 'highlight', type: 'u32', offset: 52 },
  { name: 'flags', type: 'u32', offset: 56 },
  { name: 'pad', type: 'u32', offset: 60 },
] as const satisfies readonly UniformMember[];
export const MAP2D_PARAMS_SIZE = 64;
const W = wordIndex(MAP2D_PARAMS_LAYOUT);
/** Workgroups of the scale pass at most (each grid-strides, so any count is covered). */
const MAX_SCALE_GROUPS = 64;
const MODE_CODE: Record<MapMode, number> = { values: 0, error: 1, regions: 2 };
const FLAG_HIGHLIGHT = 1;
const FLAG_CONTOURS = 2;

/**
 * One frame of the map: the grid's values on the device (row-major, bottom row first) and its shape, and
 * what to colour. `target` (f32, same grid, NaN where undefined) is needed in error mode; `pattern` (u32
 * activation-pattern ids of the same grid, as the regions kernel writes them; `count` in words) in regions
 * mode and for a highlight.
 */
export interface Map2DFrame {
  values: DeviceValues;
  nx: number;
  ny: number;
  /** 'values' unless given. */
  mode?: MapMode;
  target?: DeviceValues | null;
  pattern?: DeviceValues | null;
  /** Level lines of the value (of the error in error mode) at the legend's nice spacing. */
  contours?: boolean;
  /** The pattern id of the region to lighten and outline (the one under the pointer), or null. */
  highlight?: number | null;
}

/** A bound range of one of the frame's buffers (or the placeholder), and the shader's index of its first word. */
interface Bound {
  buffer: GPUBuffer;
  start: number;
  size: number;
  first: number;
}

export class Map2DGpu {
  private readonly scalePipeline: GPUComputePipeline;
  private readonly renderPipeline: GPURenderPipeline;
  private readonly uniform: GPUBuffer;
  private readonly scale: GPUBuffer;
  private readonly params = new ArrayBuffer(MAP2D_PARAMS_SIZE);
  /** Bound in place of an absent target or pattern buffer (the shaders read it only when told to). */
  private readonly placeholder: GPUBuffer;
  /** Bind groups for the last frame's bound ranges, rebuilt when any of them changes. */
  private groups: { key: Bound[]; compute: GPUBindGroup; render: GPUBindGroup } | null = null;
  private readback: GPUBuffer | null = null;
  private pendingScale: Promise<number> | null = null;
  /** Frames encoded so far, and the frame the pending read copied the scale of. */
  private encoded = 0;
  private pendingFor = 0;
  private destroyed = false;

  /** Builds the module inside error scopes: a shader or pipeline problem becomes a typed GpuError. */
  static create(device: GPUDevice, format: GPUTextureFormat): Promise<Map2DGpu> {
    return withErrorScopes(device, () => new Map2DGpu(device, format));
  }

  /** Cheap to redo per device; `format` is the format of the textures it will draw into. */
  constructor(
    readonly device: GPUDevice,
    readonly format: GPUTextureFormat,
  ) {
    this.uniform = device.createBuffer({ label: 'map2d params', size: MAP2D_PARAMS_SIZE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.scale = device.createBuffer({ label: 'map2d scale', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.placeholder = device.createBuffer({ label: 'map2d placeholder', size: 16, usage: GPUBufferUsage.STORAGE });
    const uniformEntry = { binding: 0, buffer: { type: 'uniform', minBindingSize: MAP2D_PARAMS_SIZE } } as const;
    const computeLayout = device.createBindGroupLayout({
      label: 'map2d scale',
      entries: [
        { ...uniformEntry, visibility: GPUShaderStage.COMPUTE },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage', minBindingSize: 4 } },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      ],
    });
    const renderLayout = device.createBindGroupLayout({
      label: 'map2d render',
      entries: [
        { ...uniformEntry, visibility: GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT },
        { binding: 1, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage', minBindingSize: 4 } },
        { binding: 3, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage' } },
        { binding: 4, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage' } },
      ],
    });
    this.scalePipeline = device.createComputePipeline({
      label: 'map2d scale',
      layout: device.createPipelineLayout({ bindGroupLayouts: [computeLayout] }),
      compute: { module: device.createShaderModule({ label: 'map2d scale', code: scaleSource }), entryPoint: 'main' },
    });
    const module = device.createShaderModule({ label: 'map2d', code: `${vertSource}\n${regionColorSource}\n${fragSource}` });
    this.renderPipeline = device.createRenderPipeline({
      label: 'map2d',
      layout: device.createPipelineLayout({ bindGroupLayouts: [renderLayout] }),
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
  }

  /** The bound range of a frame buffer, or of the placeholder when there is none. */
  private bound(values: DeviceValues | null | undefined): Bound {
    if (!values) return { buffer: this.placeholder, start: 0, size: this.placeholder.size, first: 0 };
    if (values.device !== this.device) throw new RangeError('the map buffers live on another device');
    return { buffer: values.buffer, ...storageRange(values) };
  }

  /** The bind groups for the frame's ranges [values, target, pattern], reused while all three stay the same. */
  private groupsFor(key: Bound[]): { compute: GPUBindGroup; render: GPUBindGroup } {
    const g = this.groups;
    const same = (a: Bound, b: Bound) => a.buffer === b.buffer && a.start === b.start && a.size === b.size;
    if (g && g.key.every((b, k) => same(b, key[k]))) return g;
    const range = (b: Bound) => ({ buffer: b.buffer, offset: b.start, size: b.size });
    const [values, target, pattern] = key;
    const common = [
      { binding: 0, resource: { buffer: this.uniform } },
      { binding: 1, resource: range(values) },
      { binding: 2, resource: { buffer: this.scale, size: 4 } },
      { binding: 3, resource: range(target) },
    ];
    const compute = this.device.createBindGroup({ label: 'map2d scale', layout: this.scalePipeline.getBindGroupLayout(0), entries: common });
    const render = this.device.createBindGroup({
      label: 'map2d render',
      layout: this.renderPipeline.getBindGroupLayout(0),
      entries: [...common, { binding: 4, resource: range(pattern) }],
    });
    this.groups = { key, compute, render };
    return this.groups;
  }

  /**
   * Records the frame into `encoder`: the scale pass, then a render pass into `target` (a view of a texture
   * of this module's format, `width` × `height` pixels) that clears it to transparent and paints the map
   * over `rect` (target pixels). Writes the uniforms through the queue now: submit before the next encode.
   * Throws a RangeError when the frame's shape and buffers disagree or the mode lacks its buffer.
   */
  encode(encoder: GPUCommandEncoder, target: GPUTextureView, width: number, height: number, rect: PlotRect, frame: Map2DFrame): void {
    if (this.destroyed) return;
    const { nx, ny, values } = frame;
    const mode = frame.mode ?? 'values';
    if (!(mode in MODE_CODE)) throw new RangeError(`unknown map mode ${String(mode)}`);
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1) || values.count !== nx * ny) {
      throw new RangeError(`a ${nx}×${ny} map needs ${nx * ny} values, got ${values.count}`);
    }
    const targetBuf = mode === 'error' ? frame.target : null;
    const highlight = frame.highlight ?? null;
    const pattern = mode === 'regions' || highlight !== null ? frame.pattern : null;
    if (mode === 'error' && !targetBuf) throw new RangeError('the error map needs the target values');
    if (targetBuf && targetBuf.count !== nx * ny) throw new RangeError(`a ${nx}×${ny} map needs ${nx * ny} target values, got ${targetBuf.count}`);
    if ((mode === 'regions' || highlight !== null) && !pattern) throw new RangeError(mode === 'regions' ? 'the region map needs the pattern ids' : 'a highlight needs the pattern ids');
    if (pattern && pattern.count !== nx * ny) throw new RangeError(`a ${nx}×${ny} map needs ${nx * ny} pattern ids, got ${pattern.count}`);
    if (highlight !== null && !(Number.isInteger(highlight) && highlight >= 0 && highlight <= 0xffffffff)) throw new RangeError(`highlight ${highlight} is not a pattern id (a 32-bit unsigned integer)`);
    if (values.device !== this.device) throw new RangeError('the map values live on another device');
    const key = [this.bound(values), this.bound(targetBuf), this.bound(pattern)];
    this.encoded++;
    const { compute, render } = this.groupsFor(key);
    const f = new Float32Array(this.params);
    const u = new Uint32Array(this.params);
    f.set([rect.left, rect.top, rect.width, rect.height], W.rect);
    f.set([width, height], W.size);
    u[W.nx] = nx;
    u[W.ny] = ny;
    u[W.first] = key[0].first;
    u[W.count] = nx * ny;
    u[W.mode] = MODE_CODE[mode];
    u[W.targetFirst] = key[1].first;
    u[W.patternFirst] = key[2].first;
    u[W.highlight] = highlight ?? 0;
    u[W.flags] = (highlight !== null ? FLAG_HIGHLIGHT : 0) | (frame.contours ? FLAG_CONTOURS : 0);
    this.device.queue.writeBuffer(this.uniform, 0, this.params);
    encoder.clearBuffer(this.scale);
    const cpass = encoder.beginComputePass({ label: 'map2d scale' });
    cpass.setPipeline(this.scalePipeline);
    cpass.setBindGroup(0, compute);
    cpass.dispatchWorkgroups(Math.min(MAX_SCALE_GROUPS, Math.ceil((nx * ny) / 256)));
    cpass.end();
    const pass = encoder.beginRenderPass({
      label: 'map2d',
      colorAttachments: [{ view: target, loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
    });
    const sx = Math.min(width, Math.max(0, Math.floor(rect.left)));
    const sy = Math.min(height, Math.max(0, Math.floor(rect.top)));
    const sw = Math.max(0, Math.min(width - sx, Math.ceil(rect.left + rect.width) - sx));
    const sh = Math.max(0, Math.min(height - sy, Math.ceil(rect.top + rect.height) - sy));
    if (sw > 0 && sh > 0) {
      pass.setPipeline(this.renderPipeline);
      pass.setBindGroup(0, render);
      pass.setScissorRect(sx, sy, sw, sh);
      pass.draw(6);
    }
    pass.end();
  }

  /**
   * Draws a frame onto a WebGPU canvas context configured with this device and format: the canvas is sized
   * to the CSS size times the device pixel ratio, `rect` is in CSS pixels. Returns at once; the promise
   * settles with the frame's GPU error (typed), or null, once the device has checked it.
   */
  draw(context: GPUCanvasContext, cssWidth: number, cssHeight: number, rect: PlotRect, frame: Map2DFrame): Promise<GpuError | null> {
    if (this.destroyed) return Promise.resolve(null);
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(cssWidth * dpr));
    const h = Math.max(1, Math.round(cssHeight * dpr));
    const canvas = context.canvas;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder({ label: 'map2d' });
    const px = { left: rect.left * dpr, top: rect.top * dpr, width: rect.width * dpr, height: rect.height * dpr };
    let thrown: unknown = null;
    try {
      this.encode(encoder, context.getCurrentTexture().createView(), w, h, px, frame);
      this.device.queue.submit([encoder.finish()]);
    } catch (e) {
      thrown = e;
    }
    // The scopes are popped whatever happened, so a bad frame cannot leave them unbalanced.
    const popped = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
    if (thrown !== null) {
      void popped.catch(() => null);
      throw thrown;
    }
    return popped.then((errors) => {
      const first = errors.find((e): e is GPUError => e !== null);
      return first ? fromGpuError(first) : null;
    });
  }

  /**
   * The last encoded frame's max |v| (max |v − target| in error mode), read back lazily (for the legend's labels; drawing never waits on it).
   * Concurrent calls for the same frame share one read.
   */
  readScale(): Promise<number> {
    if (this.destroyed) return Promise.reject(new Error('Map2DGpu was destroyed'));
    // A read still under way for an older frame: read again after it, so the newest frame's scale comes back.
    if (this.pendingScale) return this.pendingFor === this.encoded ? this.pendingScale : this.pendingScale.then(() => this.readScale());
    this.pendingFor = this.encoded;
    this.readback ??= this.device.createBuffer({ label: 'map2d scale readback', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const readback = this.readback;
    const encoder = this.device.createCommandEncoder({ label: 'map2d scale readback' });
    encoder.copyBufferToBuffer(this.scale, 0, readback, 0, 16);
    this.device.queue.submit([encoder.finish()]);
    this.pendingScale = readback
      .mapAsync(GPUMapMode.READ)
      .then(() => {
        const v = new Float32Array(readback.getMappedRange(0, 4))[0];
        readback.unmap();
        return v;
      })
      .finally(() => {
        this.pendingScale = null;
      });
    return this.pendingScale;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.groups = null;
    this.uniform.destroy();
    this.scale.destroy();
    this.placeholder.destroy();
    this.readback?.destroy();
    this.readback = null;
  }
}
