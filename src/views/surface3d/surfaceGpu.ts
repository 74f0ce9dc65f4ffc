/**
 * The 2D network's surface drawn with WebGPU straight from the evaluator's value buffer: a mesh of flat-shaded
 * triangles lifted in the vertex stage (mesh resolution independent of the compute grid), the target as a translucent
 * surface or a wireframe, and the units' creases lifted onto the surface, all depth-tested and 4× multisampled.
 * Nothing is read back. Owns its pipelines, uniform slots, crease buffer and the depth and multisample textures
 * (recreated only when the size changes); bind groups are cached per value buffer; `destroy()` is safe twice.
 */
import vertSource from '../../../shaders/surface.vert.wgsl?raw';
import regionColorSource from '../../../shaders/regionColor.wgsl?raw';
import fragSource from '../../../shaders/surface.frag.wgsl?raw';
import type { Rect } from '../../model/lines2d.ts';
import { type DeviceValues, storageRange } from '../deviceValues.ts';
import { type UniformMember, wordIndex } from '../uniformLayout.ts';
import { GrowableBuffer } from '../../engine/gpu/buffers.ts';
import { type GpuError, fromGpuError, withErrorScopes } from '../../engine/gpu/errors.ts';
import { type OrbitCamera, Z_SCALE } from './camera.ts';
import { heightScale } from './shading.ts';

/** `struct SurfaceParams` of shaders/surface.vert.wgsl (uniform, 176 bytes; one 256-byte-aligned slot per draw). */
export const SURFACE_PARAMS_LAYOUT = [
  { name: 'vp0', type: 'vec4<f32>', offset: 0 },
  { name: 'vp1', type: 'vec4<f32>', offset: 16 },
  { name: 'vp2', type: 'vec4<f32>', offset: 32 },
  { name: 'vp3', type: 'vec4<f32>', offset: 48 },
  { name: 'eye', type: 'vec4<f32>', offset: 64 },
  { name: 'colour', type: 'vec4<f32>', offset: 80 },
  { name: 'view', type: 'vec4<f32>', offset: 96 },
  { name: 'canvas', type: 'vec2<f32>', offset: 112 },
  { name: 'zMap', type: 'vec2<f32>', offset: 120 },
  { name: 'colourScale', type: 'f32', offset: 128 },
  { name: 'halfWidth', type: 'f32', offset: 132 },
  { name: 'nx', type: 'u32', offset: 136 },
  { name: 'ny', type: 'u32', offset: 140 },
  { name: 'first', type: 'u32', offset: 144 },
  { name: 'patternFirst', type: 'u32', offset: 148 },
  { name: 'mesh', type: 'u32', offset: 152 },
  { name: 'mode', type: 'u32', offset: 156 },
  { name: 'pieces', type: 'u32', offset: 160 },
  { name: 'wire', type: 'u32', offset: 164 },
  { name: 'lift', type: 'f32', offset: 168 },
  { name: 'pad', type: 'u32', offset: 172 },
  { name: 'unit', type: 'vec4<f32>', offset: 176 },
] as const satisfies readonly UniformMember[];
export const SURFACE_PARAMS_SIZE = 192;
const W = wordIndex(SURFACE_PARAMS_LAYOUT);

/** Mesh side (quads) when the caller gives none, and the range it is clamped to. */
export const DEFAULT_MESH = 256;
export const MAX_MESH = 1024;
/** Samples per pixel: facet edges and creases are antialiased by the hardware. */
export const SAMPLE_COUNT = 4;
const DEPTH_FORMAT: GPUTextureFormat = 'depth24plus';
/** Uniform slots: the surface, the target, the creases, the highlighted crease. */
const SLOTS = 4;
/** Crease vertices per frame at most (pieces shrink as the units grow, so 65,536 creases stay cheap). */
const CREASE_VERTEX_BUDGET = 1 << 21;
/** Colours (straight RGBA; premultiplied when packed). */
const TARGET_FILL: [number, number, number, number] = [0.45, 0.5, 0.55, 0.38];
const TARGET_WIRE: [number, number, number, number] = [0.15, 0.17, 0.2, 0.55];
const CREASE: [number, number, number, number] = [0.08, 0.08, 0.1, 0.8];
const HIGHLIGHT: [number, number, number, number] = [1, 0.55, 0.05, 1];

/** One frame of the surface. Values and pattern are nx × ny, row-major, row j at the j-th y from the bottom. */
export interface SurfaceParams {
  /** The evaluator's device values of the nx × ny grid over `view`. */
  values: DeviceValues;
  nx: number;
  ny: number;
  /** The plane rectangle the grid spans (its edges are grid points). */
  view: Rect;
  /** Heights mapped onto the scene box; the colour map is scaled by max(|zMin|, |zMax|). */
  zRange: readonly [number, number];
  camera: OrbitCamera;
  /** Quads per side of the drawn mesh (default 256, clamped to [1, 1024]), independent of nx and ny. */
  mesh?: number;
  /** 'height' (default): the 2D map's colour map; 'pattern': each activation pattern its own colour (needs `pattern`). */
  colour?: 'height' | 'pattern';
  /** u32 activation-pattern id per grid point (nx · ny), as the regions kernel leaves them. */
  pattern?: DeviceValues;
  /** The target on the same grid, drawn as a second surface. */
  target?: { values: DeviceValues; style: 'wireframe' | 'translucent' };
  /** Crease segments [x0, y0, x1, y1, …] in plane coordinates (already clipped to the view), lifted onto the surface. */
  creases?: Float32Array;
  /**
   * The selected unit: its crease drawn thicker in orange, and (`unit` = [w1, w2, b]) the side where it is active
   * — its hinged plane — tinted orange.
   */
  highlight?: { segment?: readonly [number, number, number, number]; unit?: readonly [number, number, number] };
  /** Device pixels per CSS pixel, for line widths (default 1). */
  dpr?: number;
  /**
   * Crease vertices per frame at most (default 2²¹): each crease gets fewer pieces as the count grows. A software
   * rasteriser (SwiftShader) wants far fewer: there the crease pass cost seconds per frame at 2²¹.
   */
  creaseBudget?: number;
}

/** A bound range of a device buffer (the bind group cache key). */
interface Range {
  buffer: GPUBuffer;
  start: number;
  size: number;
}
const sameRange = (a: Range | null, b: Range | null): boolean =>
  a === b || (a !== null && b !== null && a.buffer === b.buffer && a.start === b.start && a.size === b.size);

export class SurfaceGpu {
  private readonly layout: GPUBindGroupLayout;
  private readonly surfacePipeline: GPURenderPipeline;
  private readonly targetPipeline: GPURenderPipeline;
  private readonly wirePipeline: GPURenderPipeline;
  private readonly creasePipeline: GPURenderPipeline;
  private readonly uniform: GPUBuffer;
  private readonly slot: number;
  private readonly params = new ArrayBuffer(SURFACE_PARAMS_SIZE);
  private readonly segments: GrowableBuffer;
  /** Binds where no pattern is drawn (a binding must always have a buffer). */
  private readonly empty: GPUBuffer;
  private staging = new Float32Array(256);
  /** Bind groups for the surface and the target, rebuilt only when a bound range or the crease buffer changes. */
  private groups: { values: Range; pattern: Range | null; segments: GPUBuffer; group: GPUBindGroup }[] = [];
  private textures: { width: number; height: number; colour: GPUTexture; depth: GPUTexture } | null = null;
  private destroyed = false;

  /** Builds the module inside error scopes: a shader or pipeline problem becomes a typed GpuError. */
  static create(device: GPUDevice, format: GPUTextureFormat): Promise<SurfaceGpu> {
    return withErrorScopes(device, () => new SurfaceGpu(device, format));
  }

  /** Cheap to redo per device; `format` is the format of the textures it will draw into. */
  constructor(
    readonly device: GPUDevice,
    readonly format: GPUTextureFormat,
  ) {
    this.slot = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    this.uniform = device.createBuffer({ label: 'surface params', size: this.slot * SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.segments = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'surface creases');
    this.empty = device.createBuffer({ label: 'surface no pattern', size: 16, usage: GPUBufferUsage.STORAGE });
    const VF = GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT;
    this.layout = device.createBindGroupLayout({
      label: 'surface',
      entries: [
        { binding: 0, visibility: VF, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SURFACE_PARAMS_SIZE } },
        { binding: 1, visibility: GPUShaderStage.VERTEX, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage' } },
        { binding: 3, visibility: GPUShaderStage.VERTEX, buffer: { type: 'read-only-storage' } },
      ],
    });
    const module = device.createShaderModule({ label: 'surface', code: `${vertSource}\n${regionColorSource}\n${fragSource}` });
    const layout = device.createPipelineLayout({ bindGroupLayouts: [this.layout] });
    const blend: GPUBlendState = {
      color: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
      alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
    };
    const make = (label: string, vs: string, fs: string, topology: GPUPrimitiveTopology, depthWrite: boolean, blended: boolean, compare: GPUCompareFunction) =>
      device.createRenderPipeline({
        label,
        layout,
        vertex: { module, entryPoint: vs },
        fragment: { module, entryPoint: fs, targets: [blended ? { format, blend } : { format }] },
        primitive: { topology },
        depthStencil: { format: DEPTH_FORMAT, depthWriteEnabled: depthWrite, depthCompare: compare },
        multisample: { count: SAMPLE_COUNT },
      });
    this.surfacePipeline = make('surface', 'vsMesh', 'fsSurface', 'triangle-list', true, false, 'less');
    this.targetPipeline = make('surface target', 'vsMesh', 'fsTarget', 'triangle-list', false, true, 'less');
    this.wirePipeline = make('surface target wire', 'vsWire', 'fsFlat', 'line-list', false, true, 'less-equal');
    this.creasePipeline = make('surface creases', 'vsCrease', 'fsFlat', 'triangle-list', false, true, 'less-equal');
  }

  /** The multisampled colour and depth textures for a size, recreated only when it changes. */
  private texturesFor(width: number, height: number): { colour: GPUTexture; depth: GPUTexture } {
    const t = this.textures;
    if (t && t.width === width && t.height === height) return t;
    t?.colour.destroy();
    t?.depth.destroy();
    const usage = GPUTextureUsage.RENDER_ATTACHMENT;
    const colour = this.device.createTexture({ label: 'surface colour', size: [width, height], format: this.format, sampleCount: SAMPLE_COUNT, usage });
    const depth = this.device.createTexture({ label: 'surface depth', size: [width, height], format: DEPTH_FORMAT, sampleCount: SAMPLE_COUNT, usage });
    this.textures = { width, height, colour, depth };
    return this.textures;
  }

  /** The bind group for a values range (and a pattern range), cached in `slot` 0 (surface) or 1 (target). */
  private groupFor(slot: number, values: Range, pattern: Range | null, segments: GPUBuffer): GPUBindGroup {
    const g = this.groups[slot];
    if (g && sameRange(g.values, values) && sameRange(g.pattern, pattern) && g.segments === segments) return g.group;
    const group = this.device.createBindGroup({
      label: slot === 0 ? 'surface' : 'surface target',
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: this.uniform, size: SURFACE_PARAMS_SIZE } },
        { binding: 1, resource: { buffer: values.buffer, offset: values.start, size: values.size } },
        { binding: 2, resource: pattern ? { buffer: pattern.buffer, offset: pattern.start, size: pattern.size } : { buffer: this.empty } },
        { binding: 3, resource: { buffer: segments } },
      ],
    });
    this.groups[slot] = { values, pattern, segments, group };
    return group;
  }

  /** The bound range of a grid's device values; throws a RangeError when it is not nx · ny values on this device. */
  private rangeOf(what: string, v: DeviceValues, count: number): Range & { first: number } {
    if (v.device !== this.device) throw new RangeError(`the surface's ${what} live on another device`);
    if (v.count !== count) throw new RangeError(`the surface's ${what} need ${count} values, got ${v.count}`);
    const { start, size, first } = storageRange(v);
    return { buffer: v.buffer, start, size, first };
  }

  /**
   * Records the frame into `encoder`: one render pass into `target` (a view of a `width` × `height` texture of this
   * module's format, resolved from 4× multisampling) that clears it to transparent and draws the surface, the
   * creases, the highlight and the target. Writes uniforms and creases through the queue now: submit before the
   * next encode. Throws a RangeError for bad shapes, ranges or a pattern colouring without a pattern.
   */
  encode(encoder: GPUCommandEncoder, target: GPUTextureView, width: number, height: number, p: SurfaceParams): void {
    if (this.destroyed) return;
    const { nx, ny, view, zRange } = p;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a surface needs a grid of at least 1×1, got ${nx}×${ny}`);
    if (!(view.xMax > view.xMin && view.yMax > view.yMin)) throw new RangeError('the surface view must have xMin < xMax and yMin < yMax');
    if (!(Number.isFinite(zRange[0]) && Number.isFinite(zRange[1]) && zRange[0] <= zRange[1])) throw new RangeError('the surface z range must be finite with zMin ≤ zMax');
    const colour = p.colour ?? 'height';
    if (colour === 'pattern' && !p.pattern) throw new RangeError("colour 'pattern' needs the pattern ids");
    const count = nx * ny;
    const values = this.rangeOf('values', p.values, count);
    const pattern = colour === 'pattern' && p.pattern ? this.rangeOf('pattern ids', p.pattern, count) : null;
    const tgt = p.target ? this.rangeOf('target values', p.target.values, count) : null;
    const mesh = Math.max(1, Math.min(MAX_MESH, Math.round(p.mesh ?? DEFAULT_MESH)));
    const dpr = p.dpr && p.dpr > 0 ? p.dpr : 1;

    // Creases, then the highlighted one, as vec4 segments; segments with a non-finite coordinate are dropped.
    const creases = p.creases ?? new Float32Array(0);
    const hl = p.highlight?.segment;
    const floats = 4 * (Math.floor(creases.length / 4) + 1);
    if (this.staging.length < floats) this.staging = new Float32Array(2 ** Math.ceil(Math.log2(floats)));
    const st = this.staging;
    let n = 0;
    for (let k = 0; k + 3 < creases.length; k += 4) {
      const a = creases[k], b = creases[k + 1], c = creases[k + 2], d = creases[k + 3];
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
      st.set([a, b, c, d], 4 * n++);
    }
    const hasHl = !!hl && hl.every((v) => Number.isFinite(v));
    if (hasHl) st.set(hl, 4 * n);
    const segBuffer = this.segments.ensure(16 * (n + 1));
    if (n + (hasHl ? 1 : 0) > 0) this.device.queue.writeBuffer(segBuffer, 0, st.buffer, 0, 16 * (n + (hasHl ? 1 : 0)));
    const wire = Math.max(4, Math.min(64, Math.round(mesh / 4)));
    const budget = p.creaseBudget ?? CREASE_VERTEX_BUDGET;
    const pieces = Math.max(1, Math.min(2 * mesh, 512, Math.floor(budget / (6 * Math.max(1, n)))));

    // Uniforms: one slot per draw, the shared part first.
    const f = new Float32Array(this.params);
    const u = new Uint32Array(this.params);
    const cam = p.camera;
    const dz = zRange[1] - zRange[0];
    const writeSlot = (slot: number, mode: number, rgba: readonly number[], halfWidth: number) => {
      f.fill(0);
      f.set(cam.viewProjection(width / height), W.vp0);
      f.set(cam.eye(), W.eye);
      // Premultiplied, as the blend and the canvas expect.
      f.set([rgba[0] * rgba[3], rgba[1] * rgba[3], rgba[2] * rgba[3], rgba[3]], W.colour);
      f.set([view.xMin, view.xMax, view.yMin, view.yMax], W.view);
      f.set([width, height], W.canvas);
      f.set(dz > 0 ? [(2 * Z_SCALE) / dz, -Z_SCALE - (2 * Z_SCALE * zRange[0]) / dz] : [0, 0], W.zMap);
      f[W.colourScale] = heightScale(zRange);
      f[W.halfWidth] = halfWidth * dpr;
      u[W.nx] = nx;
      u[W.ny] = ny;
      u[W.first] = slot === 1 && tgt ? tgt.first : values.first;
      u[W.patternFirst] = pattern ? pattern.first : 0;
      u[W.mesh] = mesh;
      u[W.mode] = mode;
      u[W.pieces] = pieces;
      u[W.wire] = wire;
      f[W.lift] = 0.004;
      const unit = p.highlight?.unit;
      if (unit && unit.every((v) => Number.isFinite(v))) f.set([unit[0], unit[1], unit[2], 1], W.unit);
      this.device.queue.writeBuffer(this.uniform, slot * this.slot, this.params);
    };
    writeSlot(0, colour === 'pattern' ? 1 : 0, CREASE, 0);
    if (tgt) writeSlot(1, 0, p.target?.style === 'wireframe' ? TARGET_WIRE : TARGET_FILL, 0);
    if (n > 0) writeSlot(2, 0, CREASE, 0.75);
    if (hasHl) writeSlot(3, 0, HIGHLIGHT, 1.75);

    const main = this.groupFor(0, values, pattern, segBuffer);
    const { colour: msaa, depth } = this.texturesFor(width, height);
    const pass = encoder.beginRenderPass({
      label: 'surface',
      colorAttachments: [{ view: msaa.createView(), resolveTarget: target, loadOp: 'clear', storeOp: 'discard', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
      depthStencilAttachment: { view: depth.createView(), depthClearValue: 1, depthLoadOp: 'clear', depthStoreOp: 'discard' },
    });
    pass.setPipeline(this.surfacePipeline);
    pass.setBindGroup(0, main, [0]);
    pass.draw(6 * mesh * mesh);
    if (n > 0) {
      pass.setPipeline(this.creasePipeline);
      pass.setBindGroup(0, main, [2 * this.slot]);
      pass.draw(6 * pieces, n);
    }
    if (hasHl) {
      pass.setPipeline(this.creasePipeline);
      pass.setBindGroup(0, main, [3 * this.slot]);
      pass.draw(6 * pieces, 1, 0, n);
    }
    // The target last: translucent fill or lines blend over everything opaque, behind the surface where it is hidden.
    if (tgt && p.target) {
      const group = this.groupFor(1, tgt, null, segBuffer);
      if (p.target.style === 'wireframe') {
        pass.setPipeline(this.wirePipeline);
        pass.setBindGroup(0, group, [this.slot]);
        pass.draw(2 * 2 * (wire + 1) * mesh);
      } else {
        pass.setPipeline(this.targetPipeline);
        pass.setBindGroup(0, group, [this.slot]);
        pass.draw(6 * mesh * mesh);
      }
    }
    pass.end();
  }

  /**
   * Draws a frame onto a WebGPU canvas context configured with this device and format, sizing the canvas to
   * `widthPx` × `heightPx` device pixels. Returns at once; the promise settles with the frame's GPU error (typed),
   * or null, once the device has checked it. Throws what `encode` throws (the error scopes are popped first).
   */
  draw(context: GPUCanvasContext, widthPx: number, heightPx: number, params: SurfaceParams): Promise<GpuError | null> {
    if (this.destroyed) return Promise.resolve(null);
    const w = Math.max(1, Math.round(widthPx));
    const h = Math.max(1, Math.round(heightPx));
    const canvas = context.canvas;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let thrown: unknown = null;
    try {
      const encoder = device.createCommandEncoder({ label: 'surface' });
      this.encode(encoder, context.getCurrentTexture().createView(), w, h, params);
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
    this.groups = [];
    this.uniform.destroy();
    this.segments.destroy();
    this.empty.destroy();
    this.textures?.colour.destroy();
    this.textures?.depth.destroy();
    this.textures = null;
  }
}
