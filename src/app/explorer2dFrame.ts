/**
 * The 2D explorer's frame: the top-down map (values, error or regions, with creases, contours and a legend)
 * and the 3D surface (a height field with flat-shaded facets, the target as a second surface, the creases
 * lifted onto it), both from the same values over the window's grid.
 *
 * With WebGPU the values stay on the device: the evaluator fills them, they are copied into this frame's own
 * buffer (so a camera move redraws without evaluating again), and the surface's render pipeline reads them.
 * The map draws from them with a fragment shader on hardware adapters; on CPU-like adapters (SwiftShader) it
 * colours a read-back on the canvas, as the 1D view does (measured faster there). Without WebGPU the values are
 * computed on the CPU and the surface is drawn on a 2D canvas from a coarser mesh (the status line says so).
 * `?map=gpu|canvas` and `?surface=gpu|canvas` override the choices; `?plot=canvas` means the canvas everywhere.
 *
 * Readouts that need numbers (errors, the region counts) come after the picture, from their own small grids
 * and the exact arrangement in a worker, and are cached per network and window.
 */
import { activationOf } from '../model/activation.ts';
import { MAX_EXACT_UNITS, regionAt } from '../model/arrangement2d.ts';
import { errorStats } from '../model/errorStats.ts';
import type { Grid2D } from '../model/grid.ts';
import { clipLine } from '../model/lines2d.ts';
import type { Network, ValidNetwork } from '../model/network.ts';
import { type ResolvedTarget2D, sampleTarget2D } from '../model/targets2d.ts';
import type { AutoEvaluator } from '../engine/backend.ts';
import { SupersededError, type WorkerEvaluator, defaultWorkerEvaluator } from '../engine/cpu/workerEvaluator.ts';
import type { Evaluator } from '../engine/evaluator.ts';
import type { Output2D } from '../engine/calibrate2d.ts';
import type { GridImage } from '../engine/cpu/gridProtocol.ts';
import type { MapImageSpec } from '../model/mapImage.ts';
import type { CalibrationController } from './calibration.ts';
import { GrowableBuffer } from '../engine/gpu/buffers.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { type GpuError, isDeviceLoss, plainGpuFault } from '../engine/gpu/errors.ts';
import { GpuTarget2D, GpuTarget2DCompileError } from '../engine/gpu/target2d.ts';
import { type AppState, type Target2DSpec, target2DOf } from '../state/state.ts';
import { type DeviceValues, readDeviceValues } from '../views/deviceValues.ts';
import { configureGpuCanvas } from '../views/gpuCanvas.ts';
import { Heatmap2D, wrapText } from '../views/map2d/heatmap2d.ts';
import { Map2DGpu } from '../views/map2d/map2dGpu.ts';
import { OrbitCamera } from '../views/surface3d/camera.ts';
import { drawAxes3D } from '../views/surface3d/axes3d.ts';
import { SurfaceCanvas, type SurfaceCanvasParams } from '../views/surface3d/surfaceCanvas.ts';
import { SurfaceGpu } from '../views/surface3d/surfaceGpu.ts';
import type { Say } from './dom.ts';
import { firstLine } from '../model/messages.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { Readouts } from './readouts.ts';
import type { RegionsController } from './regions.ts';

/** GPU root module key of the 2D layer (map and surface renderers, their canvases and buffers). */
const LAYER = 'explorer2d';
/** Side of the grid the error readouts are measured on (the same on every backend). */
export const STATS_GRID = 256;
/**
 * Crease vertices per surface frame on CPU-like adapters: at the default 2²¹ the crease pass took seconds per frame
 * on SwiftShader (a camera turn at N = 4,096: 4.5 s with creases, 0.17 s without; scripts/frame-timing.ts --mode2d).
 */
const CPU_LIKE_CREASE_BUDGET = 1 << 15;
/** Longest slice of the canvas surface's drawing before the page gets a turn. */
const SURFACE_SLICE_MS = 30;
/** Quads per side of the CPU-drawn surface. */
const CANVAS_MESH = 48;
/**
 * Up to MAX_EXACT_UNITS units every crease is lifted onto the surface (the exact outlines); beyond, a stride keeps
 * this many (the selected one always): thousands cover the facets they outline (65,536 painted the surface black).
 */
const MANY_UNITS_SURFACE_CREASES = 300;

type Choice = 'gpu' | 'canvas';

/** Resolves in a later task, so the page can take input between two pieces of a frame's drawing. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function override(q: URLSearchParams, key: string): Choice | null {
  const v = q.get(key);
  if (v === 'gpu' || v === 'canvas') return v;
  return q.get('plot') === 'canvas' ? 'canvas' : null;
}

/** The GPU side of the frame: both renderers, their canvas contexts, the frame's own value buffers and the target kernel. */
interface Layer {
  device: GPUDevice;
  map: Map2DGpu;
  mapContext: GPUCanvasContext;
  surface: SurfaceGpu;
  surfaceContext: GPUCanvasContext;
  values: GrowableBuffer;
  pattern: GrowableBuffer;
  target: GrowableBuffer;
  targetKernel: GpuTarget2D;
  destroy(): void;
}

/** What a frame computed for one (network, window, grid, target, colouring): reused while only the camera or the overlays change. */
interface FrameData {
  net: ValidNetwork;
  grid: Grid2D;
  targetKey: string;
  /** Whether the heights' range includes the target's (it is drawn, or the map shows the error). */
  zWithTarget: boolean;
  wantPattern: boolean;
  /** The values on the device (this frame's copy), or null on the CPU path. */
  valuesDev: DeviceValues | null;
  /** The values on the CPU (the canvas paths), or null. */
  values: ArrayLike<number> | null;
  pattern: Uint32Array | null;
  patternDev: DeviceValues | null;
  targetDev: DeviceValues | null;
  target: Float64Array | null;
  zRange: [number, number];
  /** The device the device handles live on (a new device after a loss means recomputing). */
  device: GPUDevice | null;
  /** The map coloured by the worker for the canvas, and what it was coloured as (null: colour when drawn). */
  image: GridImage | null;
  imageSpec: MapImageSpec | null;
}

const targetKeyOf = (s: AppState) => JSON.stringify(s.target);

/** The map's legend in region mode for sigmoid units, which it then colours by value. */
export const REGIONS_UNDEFINED_LABEL = 'value (no regions)';

export class Explorer2DFrame implements FrameView {
  readonly kind = 'map2d' as const;
  usesGpuCanvas = false;
  /** Whether the surface's last frame went to its WebGPU canvas (for the picture and `info()`). */
  surfaceOnGpu = false;
  readonly heatmap: Heatmap2D;
  private readonly surfaceCanvas = new SurfaceCanvas();
  private gpuFailed = false;
  private readonly q = new URLSearchParams(location.search);
  private readonly mapForced = override(this.q, 'map');
  private readonly surfaceForced = override(this.q, 'surface');
  private data: FrameData | null = null;
  /** The target over the last grid, on the device (this frame's target buffer) and on the CPU. */
  private targetCache: { key: string; device: GPUDevice | null; dev: DeviceValues | null; cpu: Float64Array | null } | null = null;
  /** What the map was last drawn from (a frame with the same key leaves the map alone). */
  private lastMapKey: unknown[] | null = null;
  /** Expression sources whose WGSL did not compile: those targets are sampled on the CPU (others stay on the GPU). */
  private readonly cpuTargets = new Set<string>();
  private hovered: { x: number; y: number } | null = null;
  /** The hovered region's pattern id (the GPU map lightens it; the canvas map draws it on its overlay). */
  private highlightId: number | null = null;
  /** The last state drawn (for hover readouts between frames). */
  private lastState: AppState | null = null;
  private frameNo = 0;

  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly canvases: PlotCanvases,
    private readonly surfaceCanvases: PlotCanvases,
    private readonly readouts: Readouts,
    private readonly regions: RegionsController,
    private readonly say: Say,
    private readonly redraw: () => void,
  ) {
    // The map's canvases of the same kind as the surface's (see context2d): CPU-backed on CPU-like adapters.
    this.heatmap = new Heatmap2D(canvases.background, canvases.overlay, this.contextSettings());
  }

  accepts(s: AppState): boolean {
    return s.mode === '2d';
  }
  get rect() {
    return this.heatmap.rect;
  }
  windowOf(s: AppState) {
    return s.view2d;
  }

  /** The surface's camera for a state. */
  cameraOf(s: AppState): OrbitCamera {
    return new OrbitCamera(s.look.camera);
  }

  private gpuDone: Promise<void> | null = null;

  /** Resolves once the GPU work of the last frame is done. */
  async settled(): Promise<void> {
    await this.gpuDone;
  }

  /** The surface's layers, for the picture (PNG export): beside the map, as on the page. */
  extraLayers(): HTMLCanvasElement[] {
    const sc = this.surfaceCanvases;
    return this.surfaceOnGpu ? [sc.background, sc.gpu, sc.overlay] : [sc.background, sc.overlay];
  }

  /** Hides what only 2D shows (called when the 1D view takes over). */
  leave(): void {
    document.getElementById('surface-stack')!.hidden = true;
    document.getElementById('views')!.classList.remove('two');
  }

  private failed(e: unknown): void {
    // A lost device is being replaced (the root rebuilds the layer): not a reason to leave WebGPU.
    if (isDeviceLoss(e)) return this.redraw();
    this.gpuFailed = true;
    this.data = null;
    this.evaluator.root?.drop(LAYER);
    this.say(`Drawing the 2D views with WebGPU failed (${plainGpuFault(e)}); drawing them on the CPU instead.`);
    this.redraw();
  }

  /** The GPU layer, a module of the root; while the root replaces a lost device this waits for the new one. */
  private async layer(): Promise<Layer | null> {
    const root = this.evaluator.root;
    if (!root || this.gpuFailed) return null;
    try {
      return await root.module(LAYER, async (device) => {
        const map = configureGpuCanvas(device, this.canvases.gpu);
        const surf = configureGpuCanvas(device, this.surfaceCanvases.gpu);
        const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
        const layer: Layer = {
          device,
          map: await Map2DGpu.create(device, map.format),
          mapContext: map.context,
          surface: await SurfaceGpu.create(device, surf.format),
          surfaceContext: surf.context,
          values: new GrowableBuffer(device, usage, 'explorer2d values'),
          pattern: new GrowableBuffer(device, usage, 'explorer2d pattern'),
          target: new GrowableBuffer(device, usage, 'explorer2d target'),
          targetKernel: await GpuTarget2D.create(device),
          destroy() {
            layer.map.destroy();
            layer.surface.destroy();
            layer.values.destroy();
            layer.pattern.destroy();
            layer.target.destroy();
            layer.targetKernel.destroy();
          },
        };
        return layer;
      });
    } catch (e) {
      // No device after all (the root fell back to the CPU): the canvas draws, and the backend line says why.
      if (!this.evaluator.root) return null;
      this.failed(e);
      return null;
    }
  }

  /** The CPU row sweeps, in a worker: a 2D frame's grids never block the page (see WorkerEvaluator). */
  private readonly cpu: WorkerEvaluator = defaultWorkerEvaluator('CPU');
  private readonly evalForced = new URLSearchParams(location.search).get('eval2d');

  /**
   * Who computes the 2D grids at this size: the GPU evaluator on hardware adapters; the CPU evaluator (row sweeps,
   * in the worker) on CPU-like ones, where a parameter change at N = 4,096 on 1024² took 2.3 s (values) and 7.6 s
   * (regions) through SwiftShader against 0.48 and 0.6 s on the CPU (scripts/frame-timing.ts --mode2d, one run),
   * and without WebGPU. `?eval2d=gpu|cpu` overrides. The surface is still drawn by the WebGPU pipeline from the
   * uploaded values. This is the one place the choice is made (a per-size method picker replaces it).
   */
  private gridMethod(net?: Network, side?: number, output: Output2D = 'values'): 'gpu' | 'cpu' {
    if (this.evalForced === 'cpu' || this.evalForced === 'gpu') return this.evalForced;
    if (!this.evaluator.root) return 'cpu';
    // Once the calibration is known the evaluator takes the measured fastest method per call (see calibration.ts);
    // the frame only needs to know whether a grid's values come from the CPU (then from the worker).
    if (this.calibration?.known) {
      const pick = net && side ? this.calibration.pick(net, side, output) : null;
      return pick?.backend === 'cpu' ? 'cpu' : 'gpu';
    }
    return this.cpuLike() ? 'cpu' : 'gpu';
  }

  /** The evaluator of the 2D grids (see gridMethod): the worker's CPU evaluator or the GPU one. */
  gridEvaluator(net?: Network, side?: number, output: Output2D = 'values'): Evaluator {
    return this.gridMethod(net, side, output) === 'cpu' ? this.cpu : this.evaluator;
  }

  /** The measured 2D method choice (set by main.ts); the frame starts it after its first 2D frame. */
  calibration: CalibrationController | null = null;

  /** Whether the adapter is a CPU in disguise (SwiftShader): there the canvas and the CPU often measure faster. */
  private cpuLike(): boolean {
    const startup = this.evaluator.root?.startup;
    return startup ? isCpuLikeAdapter(startup.adapter) : true;
  }

  /** Whether the map is coloured on the GPU (hardware adapters) or on the canvas (CPU-like adapters, or asked for). */
  private mapOnGpu(): boolean {
    return (this.mapForced ?? (this.cpuLike() ? 'canvas' : 'gpu')) === 'gpu';
  }

  /** Copies `data` into a frame buffer and returns its handle. */
  private upload(layer: Layer, buffer: GrowableBuffer, data: Float32Array | Uint32Array): DeviceValues {
    const buf = buffer.ensure(Math.max(4, data.byteLength));
    layer.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return { buffer: buf, offset: 0, count: data.length, device: layer.device };
  }

  /** The target over the grid: on the GPU for an expression (its own kernel), else sampled on the CPU and uploaded. */
  private async targetOnDevice(layer: Layer, t: ResolvedTarget2D, grid: Grid2D): Promise<DeviceValues> {
    const expr = t.expression;
    if (expr && !this.cpuTargets.has(expr.source)) {
      try {
        await layer.targetKernel.setExpression(expr);
        const v = await layer.targetKernel.gridValues(grid);
        // Copied into the frame's buffer: the kernel's own is reused by its next call.
        const buf = layer.target.ensure(Math.max(4, 4 * v.count));
        const enc = layer.device.createCommandEncoder({ label: 'explorer2d target copy' });
        enc.copyBufferToBuffer(v.buffer, v.offset, buf, 0, 4 * v.count);
        layer.device.queue.submit([enc.finish()]);
        this.targetOnGpu = true;
        return { buffer: buf, offset: 0, count: v.count, device: layer.device };
      } catch (e) {
        if (!(e instanceof GpuTarget2DCompileError)) throw e;
        // Only this expression moves to the CPU.
        this.cpuTargets.add(expr.source);
        this.say(`The target's GPU form did not compile (${firstLine(e.detail)}); it is sampled on the CPU instead.`, 'info');
      }
    }
    this.targetOnGpu = false;
    return this.upload(layer, layer.target, new Float32Array(sampleTarget2D(t, grid)));
  }

  /** Evaluates what the state needs (or reuses the last frame's numbers when only the camera or overlays moved). */
  private async compute(s: AppState, layer: Layer | null, grid: Grid2D, wantCpuValues: boolean, imageSpec: MapImageSpec | null): Promise<FrameData> {
    const targetKey = targetKeyOf(s);
    // Sigmoid sums have no creases, so no regions: the map colours by value and says so (see draw).
    const wantPattern = s.look.colour === 'regions' && activationOf(s.network) !== 'sigmoid';
    const zWithTarget = s.look.target !== 'off' || s.look.colour === 'error';
    const d = this.data;
    const device = layer?.device ?? null;
    if (
      d &&
      d.net === s.network &&
      d.device === device &&
      d.targetKey === targetKey &&
      d.zWithTarget === zWithTarget &&
      (d.wantPattern || !wantPattern) &&
      (d.values !== null || !wantCpuValues) &&
      d.grid.nx === grid.nx &&
      d.grid.xMin === grid.xMin &&
      d.grid.xMax === grid.xMax &&
      d.grid.yMin === grid.yMin &&
      d.grid.yMax === grid.yMax
    ) {
      return d;
    }
    const t = target2DOf(s.target as Target2DSpec);
    const net = s.network;
    const n = grid.nx * grid.ny;
    const empty = net.a.length === 0;
    const ev = this.gridEvaluator(net, grid.nx);
    const onCpu = ev === this.cpu;
    // The target over the grid changes only with the target and the grid: a parameter change reuses it.
    const gridKey = `${targetKey}|${grid.nx}|${grid.xMin},${grid.xMax},${grid.yMin},${grid.yMax}`;
    const tc = this.targetCache;
    const cached = tc && tc.key === gridKey && tc.device === device ? tc : null;
    let values: ArrayLike<number> | null = null;
    let valuesDev: DeviceValues | null = null;
    let patternDev: DeviceValues | null = null;
    let targetDev: DeviceValues | null = null;
    let regions: { pattern: Uint32Array } | null = null;
    let workerTarget: Float64Array | null = null;
    let image: GridImage | null = null;
    let range: [number, number] | null = null;
    if (onCpu) {
      // One worker job: the values, the pattern, (when not cached) the target and the canvas map's colours, off the
      // main thread (the error map needs the target there).
      const spec = imageSpec && (imageSpec.mode !== 'regions' || wantPattern) ? imageSpec : null;
      const needTarget = !cached?.cpu || spec?.mode === 'error';
      const r = await this.cpu.grid2D(net, grid, { values: true, regions: wantPattern, ...(needTarget ? { target: s.target as Target2DSpec } : {}), ...(spec ? { image: spec } : {}) });
      values = r.values!;
      regions = wantPattern ? { pattern: r.pattern! } : null;
      workerTarget = r.target;
      image = r.image;
      range = r.range ?? [Number.NaN, Number.NaN];
      if (layer) {
        valuesDev = this.upload(layer, layer.values, new Float32Array(values));
        if (regions) patternDev = this.upload(layer, layer.pattern, regions.pattern);
      } else this.targetOnGpu = false;
    } else if (layer) {
      // The pattern first: the evaluator's device values stay valid only until its next call.
      regions = wantPattern ? await this.gridEvaluator(net, grid.nx, 'regions').regions2D(net, grid) : null;
      if (wantCpuValues || empty || onCpu) {
        values = empty ? new Float32Array(n).fill(net.c) : await ev.evaluateGrid2D(net, grid);
        valuesDev = this.upload(layer, layer.values, new Float32Array(values));
      } else {
        const v = await this.evaluator.gridValues2D(net, grid);
        if (!v || v.device !== layer.device) throw new Error('the GPU values are not on the drawing device');
        const buf = layer.values.ensure(Math.max(4, 4 * v.count));
        const enc = layer.device.createCommandEncoder({ label: 'explorer2d values copy' });
        enc.copyBufferToBuffer(v.buffer, v.offset, buf, 0, 4 * v.count);
        layer.device.queue.submit([enc.finish()]);
        valuesDev = { buffer: buf, offset: 0, count: v.count, device: layer.device };
      }
      if (regions) patternDev = this.upload(layer, layer.pattern, regions.pattern);
    } else {
      regions = wantPattern ? await this.gridEvaluator(net, grid.nx, 'regions').regions2D(net, grid) : null;
      values = empty ? new Float64Array(n).fill(net.c) : await ev.evaluateGrid2D(net, grid);
      this.targetOnGpu = false;
    }
    // The target sampled here (a grid point per call of its function) and the range: tasks of their own, after the
    // evaluator's (at 512² they chained into a 74 ms task of a slow CPU).
    if (layer && !cached?.dev) await nextTask();
    if (layer) targetDev = cached?.dev ?? (await this.targetOnDevice(layer, t, grid));
    if (values && !cached?.cpu && !workerTarget) await nextTask();
    const target = values ? (cached?.cpu ?? workerTarget ?? sampleTarget2D(t, grid)) : null;
    this.targetCache = { key: gridKey, device, dev: targetDev, cpu: target ?? cached?.cpu ?? null };
    if (!range && values) await nextTask();
    const zRange = await this.zRangeOf(s, t, range ?? values);
    const data: FrameData = { net, grid, targetKey, zWithTarget, wantPattern, valuesDev, values, pattern: regions?.pattern ?? null, patternDev, targetDev, target, zRange, device, image, imageSpec: image ? imageSpec : null };
    this.valuesOnGpu = !onCpu && layer !== null;
    this.data = data;
    return data;
  }

  /** Heights the surface's box spans: the values' and the target's range (from the values or their range, or a coarse grid). */
  private async zRangeOf(s: AppState, t: ResolvedTarget2D, values: ArrayLike<number> | null): Promise<[number, number]> {
    let lo = Infinity;
    let hi = -Infinity;
    const take = (v: ArrayLike<number>) => {
      for (let k = 0; k < v.length; k++) {
        const x = v[k];
        if (Number.isFinite(x)) {
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
      }
    };
    const coarse = { ...s.view2d, nx: 64, ny: 64 };
    take(values ?? (s.network.a.length ? await this.gridEvaluator(s.network, coarse.nx).evaluateGrid2D(s.network, coarse) : [s.network.c]));
    if (s.look.target !== 'off' || s.look.colour === 'error') take(sampleTarget2D(t, coarse));
    if (!(hi >= lo)) return [-1, 1];
    if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) {
      const pad = Math.max(0.5, Math.abs(hi) * 0.5);
      return [lo - pad, hi + pad];
    }
    return [lo, hi];
  }

  /**
   * The surface's 2D contexts. With a software WebGPU adapter the page's canvases are rasterised by that same
   * software GPU, and the canvas surface's thousands of triangles took seconds per frame there (a camera turn at
   * N = 4,096: 2–2.7 s until painted, against 80 ms without it): on CPU-like adapters they ask for a CPU-backed
   * canvas (willReadFrequently) instead. The CPU fallback does too, as the 1D plot does: where it runs because the
   * GPU is software the same holds, and an accelerated surface canvas rasterised all its recorded triangles in the
   * frame's last task (its copy onto the page: about 50 ms at 1280×720), where a CPU-backed one is rasterised slice
   * by slice (see surfacePicture). The first call fixes a canvas's kind.
   */
  private context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
    return canvas.getContext('2d', this.contextSettings())!;
  }

  /** The 2D contexts' settings (see context2d). */
  private contextSettings(): CanvasRenderingContext2DSettings {
    return { willReadFrequently: this.cpuLike() };
  }

  /** The canvas surface's own canvas (see surfacePicture). */
  private surfaceOff: HTMLCanvasElement | null = null;

  /**
   * The CPU-drawn surface on white, in slices of at most SURFACE_SLICE_MS with a task between them (on a slow CPU
   * its fills alone took more than 100 ms), into a canvas of its own that the caller then copies.
   */
  private async surfacePicture(width: number, height: number, p: SurfaceCanvasParams): Promise<HTMLCanvasElement> {
    const off = (this.surfaceOff ??= document.createElement('canvas'));
    if (off.width !== width || off.height !== height) {
      off.width = width;
      off.height = height;
    }
    const ctx = this.context2d(off);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.save();
    try {
      const steps = this.surfaceCanvas.drawSteps(ctx, width, height, p);
      // A canvas rasterises what it recorded only when it is read or drawn elsewhere: the whole surface was
      // rasterised in the frame's last task (its copy onto the page), tens of ms on a slow CPU. On a CPU-backed
      // canvas (CPU-like adapters: see context2d) a one-pixel read rasterises each slice's part in that slice,
      // which then records for half the time. (A GPU-backed one would stall on the read and warn: left alone.)
      const flush = this.contextSettings().willReadFrequently === true;
      const budget = flush ? SURFACE_SLICE_MS / 2 : SURFACE_SLICE_MS;
      for (;;) {
        const t0 = performance.now();
        let done: boolean | undefined;
        do done = steps.next().done;
        while (!done && performance.now() - t0 < budget);
        if (flush) ctx.getImageData(0, 0, 1, 1);
        if (done) break;
        await nextTask();
      }
    } finally {
      ctx.restore();
    }
    return off;
  }

  /** The selected unit on the surface: its crease, and its hinged plane (the side where it is active). */
  private highlightOf(s: AppState, segment: [number, number, number, number] | null) {
    const i = s.selected;
    if (i < 0 || i >= s.network.a.length) return undefined;
    const unit: [number, number, number] = [s.network.w[2 * i], s.network.w[2 * i + 1], s.network.b[i]];
    return segment ? { segment, unit } : { unit };
  }

  /** The crease segments (clipped exactly to the window) lifted onto the surface, selected unit first. */
  private creaseSegments(s: AppState): { all: Float32Array; selected: [number, number, number, number] | null } {
    const net = s.network;
    const n = net.a.length;
    const stride = n <= MAX_EXACT_UNITS ? 1 : Math.ceil(n / MANY_UNITS_SURFACE_CREASES);
    const out: number[] = [];
    let selected: [number, number, number, number] | null = null;
    for (let i = 0; i < n; i++) {
      if (i % stride !== 0 && i !== s.selected) continue;
      const seg = clipLine(net.w[2 * i], net.w[2 * i + 1], net.b[i], s.view2d);
      if (!seg) continue;
      if (i === s.selected) selected = seg;
      out.push(...seg);
    }
    return { all: new Float32Array(out), selected };
  }

  invalidate(): void {
    this.lastMapKey = null;
    // The map's bitmap may have lived on the GPU too: it is coloured again from the values.
    if (this.data) this.data.image = null;
    this.heatmap.invalidate();
  }

  async draw(s: AppState): Promise<void> {
    this.lastState = s;
    const frameNo = ++this.frameNo;
    document.getElementById('views')!.classList.add('two');
    const surfaceStack = document.getElementById('surface-stack')!;
    surfaceStack.hidden = false;
    const heatmap = this.heatmap;
    heatmap.resize();
    const side = s.look.grid;
    const grid: Grid2D = { ...s.view2d, nx: side, ny: side };
    // The surface on CPU-like adapters: the canvas drew a camera turn at N = 4,096 in 70–100 ms, SwiftShader's
    // render pipeline in 600 ms (scripts/frame-timing.ts --mode2d), so the canvas draws there too.
    const wantSurfaceGpu = (this.surfaceForced ?? (this.cpuLike() ? 'canvas' : 'gpu')) === 'gpu';
    // The GPU layer only when something is drawn with it: its render and compute pipelines compiled for nothing
    // held SwiftShader's GPU process (and so the page's canvases) for most of a second at the first 2D frame.
    const layer = this.mapOnGpu() || wantSurfaceGpu ? await this.layer() : null;
    const mapGpu = layer !== null && this.mapOnGpu();
    const surfaceGpu = layer !== null && wantSurfaceGpu;
    let d: FrameData;
    try {
      const smoothNow = activationOf(s.network) === 'sigmoid';
      const mapMode = s.look.colour === 'regions' && smoothNow ? 'values' : s.look.colour;
      d = await this.compute(s, layer, grid, !mapGpu || !surfaceGpu, mapGpu ? null : { mode: mapMode, contours: s.look.contours });
    } catch (e) {
      if (!layer) throw e;
      this.failed(e);
      return;
    }
    const creases = s.look.creases ? this.creaseSegments(s) : { all: new Float32Array(0), selected: null };
    const smooth = activationOf(s.network) === 'sigmoid';
    const mode = s.look.colour === 'regions' && smooth ? 'values' : s.look.colour;
    const exactKnown = this.regions.exactNow(s);
    // The legend's text: the region count in region mode; with sigmoid units, that the map shows values instead.
    const legendLabel = smooth && s.look.colour === 'regions'
      ? REGIONS_UNDEFINED_LABEL
      : mode !== 'regions' ? undefined : exactKnown !== null ? `${exactKnown.toLocaleString('en-US')} regions in view` : 'regions in view';

    // The map: from the exact cells once the worker has them (up to 1,000 units), else from the grid. A frame that
    // only turns the camera leaves it as it is (recolouring a 1024² map on the canvas cost up to 0.9 s).
    const cells = s.look.exact ? this.regions.packedNow(s) : null;
    const size = heatmap.size;
    const mapKey: unknown[] = [d, cells, mode, s.look.creases, s.look.contours, s.selected, legendLabel, this.highlightId, size.width, size.height, mapGpu, s.look.creases ? s.network : null];
    const sameMap = this.lastMapKey !== null && this.lastMapKey.length === mapKey.length && mapKey.every((v, k) => v === this.lastMapKey![k]);
    this.lastMapKey = mapKey;
    if (!sameMap) {
      // Not painted here: the map below paints the overlay anyway (it was painted twice per frame).
      heatmap.setCreases(s.look.creases ? s.network : null, s.selected, false);
      // The creases clipped in slices of their own when they changed (65,536 lines: 50–70 ms of a slow CPU).
      const steps = heatmap.creaseSteps(s.view2d);
      if (steps) {
        for (let done = false; !done; ) {
          const t0 = performance.now();
          do done = steps.next().done === true;
          while (!done && performance.now() - t0 < SURFACE_SLICE_MS);
          await nextTask();
          if (frameNo !== this.frameNo) {
            this.lastMapKey = null;
            return;
          }
        }
      }
      heatmap.setExactRegions(cells, cells ? s.view2d : null);
    }
    if (sameMap) {
      // Nothing on the map changed.
    } else if (mapGpu && layer && d.valuesDev) {
      this.canvases.gpu.hidden = false;
      this.usesGpuCanvas = true;
      heatmap.drawAround(s.view2d, null, { mode, label: legendLabel, nx: side, ny: side, contours: s.look.contours });
      try {
        const drawn = layer.map.draw(layer.mapContext, size.width, size.height, heatmap.rect, {
          values: d.valuesDev,
          nx: side,
          ny: side,
          mode,
          target: mode === 'error' ? d.targetDev : null,
          pattern: d.patternDev,
          contours: s.look.contours,
          highlight: d.patternDev ? this.highlightId : null,
        });
        void drawn.then((err: GpuError | null) => err && this.failed(err), (e: unknown) => this.failed(e));
      } catch (e) {
        this.failed(e);
        return;
      }
      void layer.map.readScale().then(
        (scale) => frameNo === this.frameNo && heatmap.setScale(scale),
        () => undefined,
      );
    } else {
      this.canvases.gpu.hidden = true;
      this.usesGpuCanvas = false;
      const spec: MapImageSpec = { mode, contours: s.look.contours };
      let image = d.image && d.imageSpec?.mode === spec.mode && d.imageSpec.contours === spec.contours ? d.image : null;
      if (!image) {
        // Coloured in the worker too (a mode or contour switch, or values from the GPU): a 2048² map took the
        // main thread hundreds of milliseconds.
        const values = d.values ?? (await readDeviceValues(d.valuesDev!));
        try {
          image = await this.cpu.colour(values, d.target, d.pattern, side, side, spec, { lane: 'colour' });
        } catch (e) {
          this.lastMapKey = null;
          if (e instanceof SupersededError) return;
          throw e;
        }
        // A newer frame draws its own map (this one's image is dropped with it), even one with the same key.
        if (frameNo !== this.frameNo) {
          image.bitmap?.close();
          this.lastMapKey = null;
          return;
        }
        d.image = image;
        d.imageSpec = spec;
      }
      heatmap.drawColoured({ view: s.view2d, nx: side, ny: side, mode, image, pattern: d.pattern, contours: s.look.contours, legendLabel });
    }

    // The surface, in a task of its own: the map's colouring and the surface's triangles on the canvas together
    // made tasks of 300 ms and more at 1280×720 on a slow CPU.
    if (!mapGpu || !surfaceGpu) await nextTask();

    // The surface.
    const camera = this.cameraOf(s);
    const sc = this.surfaceCanvases;
    const rect = sc.overlay.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    const colour = mode === 'regions' ? 'pattern' : 'height';
    // The canvas surface is drawn first, in slices, into a canvas of its own: the page keeps the last picture
    // until the new one is whole.
    const canvasSurface = !(surfaceGpu && layer && d.valuesDev);
    const picture = canvasSurface
      ? await this.surfacePicture(width, height, {
          // A 2D canvas fills every triangle itself: 48² quads keep a rotation frame near 100 ms on a slow CPU.
          mesh: CANVAS_MESH,
          values: d.values ?? (await readDeviceValues(d.valuesDev!)),
          nx: side,
          ny: side,
          view: s.view2d,
          zRange: d.zRange,
          camera,
          colour: d.pattern ? colour : 'height',
          pattern: d.pattern ?? undefined,
          target: s.look.target !== 'off' && d.target ? { values: d.target } : undefined,
          creases: creases.all,
          highlight: this.highlightOf(s, creases.selected),
        })
      : null;
    for (const c of [sc.background, sc.overlay]) {
      if (c.width !== width || c.height !== height) {
        c.width = width;
        c.height = height;
      }
    }
    const overlay = this.context2d(sc.overlay);
    overlay.setTransform(1, 0, 0, 1, 0, 0);
    overlay.clearRect(0, 0, width, height);
    const bg = this.context2d(sc.background);
    bg.setTransform(1, 0, 0, 1, 0, 0);
    bg.fillStyle = '#ffffff';
    bg.fillRect(0, 0, width, height);
    if (!canvasSurface && layer && d.valuesDev) {
      sc.gpu.hidden = false;
      this.surfaceOnGpu = true;
      if (sc.gpu.width !== width || sc.gpu.height !== height) {
        sc.gpu.width = width;
        sc.gpu.height = height;
      }
      try {
        const drawn = layer.surface.draw(layer.surfaceContext, width, height, {
          values: d.valuesDev,
          nx: side,
          ny: side,
          view: s.view2d,
          zRange: d.zRange,
          camera,
          colour: d.patternDev ? colour : 'height',
          pattern: d.patternDev ?? undefined,
          target: s.look.target !== 'off' && d.targetDev ? { values: d.targetDev, style: s.look.target } : undefined,
          creases: creases.all,
          highlight: this.highlightOf(s, creases.selected),
          dpr,
          creaseBudget: this.cpuLike() ? CPU_LIKE_CREASE_BUDGET : undefined,
        });
        void drawn.then((err: GpuError | null) => err && this.failed(err), (e: unknown) => this.failed(e));
      } catch (e) {
        this.failed(e);
        return;
      }
    } else {
      sc.gpu.hidden = true;
      this.surfaceOnGpu = false;
      bg.drawImage(picture!, 0, 0);
    }
    overlay.save();
    drawAxes3D(overlay, camera, s.view2d, d.zRange, width, height, { font: `${11 * dpr}px system-ui, sans-serif` });
    overlay.restore();
    if (!this.surfaceOnGpu) {
      // Say why the surface is coarser: no WebGPU, or a software adapter the canvas outpaces.
      overlay.save();
      overlay.font = `${12 * dpr}px system-ui, sans-serif`;
      overlay.fillStyle = '#9c6500';
      const why = this.evaluator.kind === 'cpu' ? 'no WebGPU' : 'faster than software WebGPU';
      // Broken at spaces to the canvas's width: one line did not fit the half-width canvas at 1280 px.
      const lines = wrapText(overlay, `CPU drawing, coarser mesh (${why})`, width - 16 * dpr);
      lines.forEach((line, k) => overlay.fillText(line, 8 * dpr, (16 + 15 * k) * dpr));
      overlay.restore();
    }

    // The frame is on screen once the GPU has done its work: the frame controller waits for it (after taking the
    // picture, which must read the WebGPU canvas in this task), so the API's promises resolve after it.
    // A device lost meanwhile rejects it after a GPU-process crash: the frame is moot, the recovery redraws.
    this.gpuDone = layer ? layer.device.queue.onSubmittedWorkDone().catch((e: unknown) => this.failed(e)) : null;
    // The 2D method calibration, after the first 2D frame (a cached one is taken at once).
    void this.calibration?.start();

    // Readouts after the picture: errors and counts from their own grids, cached per network and window.
    this.readouts.show2D(s.network.a.length, this.regions.countedNow(s), exactKnown, Number.NaN, Number.NaN, smooth);
    this.hover(this.hovered);
    void this.measure(s, frameNo);
  }

  /** Errors over the window (STATS_GRID² points within the target's domain) and the region counts, then the readouts. */
  private statsKey = '';
  private stats: { max: number; rms: number } = { max: Number.NaN, rms: Number.NaN };
  private async measure(s: AppState, frameNo: number): Promise<void> {
    try {
      const key = `${targetKeyOf(s)}|${JSON.stringify(s.view2d)}`;
      if (this.statsKey !== key || this.statsNet !== s.network) {
        this.stats = await this.errorsOf(s, 'stats');
        this.statsKey = key;
        this.statsNet = s.network;
      }
      if (frameNo !== this.frameNo) return;
      const show = () => {
        if (frameNo !== this.frameNo) return;
        this.readouts.show2D(s.network.a.length, this.regions.countedNow(s), this.regions.exactNow(s), this.stats.max, this.stats.rms, activationOf(s.network) === 'sigmoid');
      };
      show();
      const counted = this.regions.counted(s).then(show, () => undefined);
      const knewExact = this.regions.exactNow(s) !== null;
      const exact = this.regions.exact(s).then(() => {
        show();
        // The legend names the exact count once it is known (one more frame, only when it was not known).
        // So do the exact cells on the map (values and regions colourings).
        const cellsNow = s.look.exact && this.regions.packedNow(s) !== null && s.look.colour !== 'error';
        if (!knewExact && frameNo === this.frameNo && (s.look.colour === 'regions' || cellsNow)) this.redraw();
      }, () => undefined);
      await Promise.all([counted, exact]);
    } catch {
      // Readouts of a frame that was superseded or whose device went away: the next frame measures again.
    }
  }
  private statsNet: Network | null = null;

  /** Max and RMS error of the state's network against its target over the window (STATS_GRID², edge to edge). */
  async errorsOf(s: AppState, lane?: string): Promise<{ max: number; rms: number }> {
    const grid = { ...s.view2d, nx: STATS_GRID, ny: STATS_GRID };
    // In the worker (values, target and statistics); a newer frame's readout drops this one while it waits.
    if (this.gridMethod(s.network, STATS_GRID) === 'cpu') return this.cpu.errors2D(s.network, grid, s.target as Target2DSpec, { priority: 1, ...(lane ? { lane } : {}) });
    const t = target2DOf(s.target as Target2DSpec);
    const values = s.network.a.length ? await this.gridEvaluator(s.network, STATS_GRID).evaluateGrid2D(s.network, grid) : new Float64Array(STATS_GRID * STATS_GRID).fill(s.network.c);
    const st = errorStats(values, sampleTarget2D(t, grid));
    return { max: st.max, rms: st.rms };
  }

  /** The readout at a point (exact, in float64): what hovering there shows. */
  readoutAt(s: AppState, x: number, y: number) {
    const r = regionAt(s.network, x, y);
    const target = target2DOf(s.target as Target2DSpec).f(x, y);
    const value = r.plane.gx * x + r.plane.gy * y + r.plane.c;
    return { x, y, value, target, error: value - target, active: r.active, activeUnits: r.activeUnits, pattern: r.pattern, plane: r.plane };
  }

  /** Whether the last frame's values were computed by the GPU evaluator. */
  valuesOnGpu = false;

  /** Whether the last frame's target values came from the GPU kernel. */
  targetOnGpu = false;

  /** The hover readout at a data point (exact, on the CPU), and the hovered region's highlight; null clears it. */
  hover(p: { x: number; y: number } | null): void {
    this.hovered = p;
    const s = this.lastState;
    if (!s || s.mode !== '2d') return;
    if (!p) {
      this.setHighlight(null);
      this.heatmap.setActiveUnits(null);
      this.readouts.hover2D(null);
      return;
    }
    const r = this.readoutAt(s, p.x, p.y);
    this.readouts.hover2D(r);
    // The units active there (the hinges whose planes add up to this region's plane): their lines in blue.
    this.heatmap.setActiveUnits(s.look.creases ? r.activeUnits : null);
    this.setHighlight(s.look.colour === 'regions' && (this.data?.pattern || this.heatmap.exactActive) ? r.pattern : null);
  }

  private setHighlight(id: number | null): void {
    if (id === this.highlightId) return;
    this.highlightId = id;
    // The GPU map lightens the region itself, unless the exact cells (on the overlay) cover it.
    if (this.usesGpuCanvas && !this.heatmap.exactActive) this.redraw();
    else this.heatmap.setHighlight(id);
  }
}
