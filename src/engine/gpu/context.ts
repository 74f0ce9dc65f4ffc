import { type Network, type ValidNetwork, validateNetwork } from '../../model/network.ts';
import { type Grid1D, type Grid2D, validateGrid1D, validateGrid2D } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { type Evaluator, type Values, checkPoints, requireDim } from '../evaluator.ts';
import type { GpuValues } from './valueKernel.ts';
import { GpuDeviceLostError, withErrorScopes } from './errors.ts';
import { Eval1DKernel } from './eval1d.ts';
import { Eval2DKernel } from './eval2d.ts';
import { Regions2DKernel } from './regions2d.ts';
import { UnitBuffer } from './units.ts';
import { Eval1DSearchKernel } from './eval1dSearch.ts';
import { Eval2DVariantKernel } from './eval2dVariant.ts';
import { activationOf, isPiecewiseLinear } from '../../model/activation.ts';
import { regionsWithoutCreases } from '../cpu/evaluator.ts';
import { Eval2DSplitKernel, type SliceChoice, slicesFor } from './eval2dSplit.ts';
import { Regions2DSplitKernel } from './regions2dSplit.ts';
import { Eval2DTilesKernel } from './eval2dTiles.ts';
import type { CompilesAhead } from './pipelines.ts';

/**
 * From this many units on, 1D evaluation takes the exact path: knots sorted once on the CPU, then a binary
 * search per sample on the GPU, O(G log N) instead of the brute force's O(N·G) (see bench/NOTES.md).
 */
export const SEARCH_1D_MIN_UNITS = 256;

export interface GpuEvaluatorOptions {
  /** Use the binary-search kernel for 1D networks with SEARCH_1D_MIN_UNITS units or more (default true). */
  search1D?: boolean;
  /**
   * The 2D value kernel: 'tiled' (eval2d: 16 points per invocation, units staged in workgroup memory — the shape
   * for hardware GPUs — with eval2d_tiled8, 8 points per invocation, on grids under SMALL_GRID_POINTS),
   * 'cache8' (eval2d_cache8: 256 points per invocation shaped for SwiftShader's JIT, about 5× the tiled kernel
   * there, far too few invocations for a GPU), 'cache8sg' (cache8 with its unit cache filled
   * through subgroup broadcasts; needs the 'subgroups' feature), or
   * 'auto' (default): on CPU-like adapters cache8sg where the device has 'subgroups', else cache8; tiled otherwise.
   */
  kernel2D?: Kernel2DChoice;
  /**
   * How 2D grids of piecewise-linear units are evaluated (values and regions): 'brute' (default) by the brute-force
   * kernels, 'tiles' by the exact tile kernel (eval2d_tiles: per tile, the units whose lines miss it collapse into
   * one plane). Sigmoid networks and point lists always take the brute-force kernels.
   */
  exact2D?: 'tiles' | 'brute';
  /**
   * The unit split of 2D value evaluations (eval2dSplit.ts: S slices of the unit range per point block, then a
   * reduction): 'auto' (default) splits on hardware adapters when the grid or point list alone gives the GPU too
   * few workgroups (slicesFor), never on CPU-like adapters; a number forces S slices on any adapter (1: never
   * split) — what a calibration or benchmark asks for to compare S = 1, 2, 4, 8… The region map (regions2D)
   * splits by the same rule (Regions2DSplitKernel).
   */
  slices2D?: SliceChoice;
}

/**
 * The slice count GpuEvaluator uses for a 2D value evaluation of nx × ny points (a point list: nx points, ny = 1)
 * over `unitCount` units; 1 means the unsplit kernels. See GpuEvaluatorOptions.slices2D.
 */
export function splitSlices2D(choice: SliceChoice | undefined, cpuLike: boolean, nx: number, ny: number, unitCount: number): number {
  if (choice === undefined || choice === 'auto') return cpuLike ? 1 : slicesFor('auto', nx, ny, unitCount);
  return slicesFor(choice, nx, ny, unitCount);
}

export type Kernel2DChoice = 'auto' | 'tiled' | 'cache8' | 'cache8sg';

/**
 * Grids with fewer points than this take eval2d_tiled8 instead of the tiled eval2d when the kernel is 'tiled':
 * at 16 points per invocation they give a big GPU too few invocations (bench/NOTES.md, H200 figures).
 */
export const SMALL_GRID_POINTS = 1 << 20;

/** The concrete 2D value kernel a grid of `points` samples runs on, for a GpuEvaluator kernel choice. */
export function gridKernel2D(kernel2D: Exclude<Kernel2DChoice, 'auto'>, points: number): Exclude<Kernel2DChoice, 'auto'> | 'tiled8' {
  return kernel2D === 'tiled' && points < SMALL_GRID_POINTS ? 'tiled8' : kernel2D;
}

/** The 2D kernel 'auto' picks for this adapter and device (see GpuEvaluatorOptions.kernel2D). */
export function autoKernel2D(adapter: GPUAdapter | AdapterInfoLike | null, device: GPUDevice): Exclude<Kernel2DChoice, 'auto'> {
  const info = adapter && 'info' in adapter ? (adapter.info as AdapterInfoLike) : (adapter as AdapterInfoLike | null);
  if (!isCpuLikeInfo(info)) return 'tiled';
  return device.features.has('subgroups') ? 'cache8sg' : 'cache8';
}

/** The concrete 2D kernel a GpuEvaluator with this choice uses on this adapter and device. */
export function resolveKernel2D(choice: Kernel2DChoice | undefined, adapter: GPUAdapter | null, device: GPUDevice): Exclude<Kernel2DChoice, 'auto'> {
  return !choice || choice === 'auto' ? autoKernel2D(adapter, device) : choice;
}

/** What adapter descriptions carry (GPUAdapterInfo, or the benchmark's description of it). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** True for adapters that run on the CPU (SwiftShader, or any adapter flagged as a fallback). */
export function isCpuLikeInfo(info: AdapterInfoLike | null | undefined): boolean {
  if (info?.isFallbackAdapter) return true;
  const text = [info?.vendor, info?.architecture, info?.device, info?.description].join(' ').toLowerCase();
  return text.includes('swiftshader') || text.includes('llvmpipe') || text.includes('lavapipe');
}

/** True for adapters that run on the CPU (SwiftShader, or any adapter flagged as a fallback). */
export function isCpuLikeAdapter(adapter: GPUAdapter): boolean {
  return isCpuLikeInfo(adapter.info as AdapterInfoLike);
}

/** How WebGPU startup went, as a tagged result the app can show instead of throwing. */
export type GpuStartup =
  | { kind: 'ok'; gpu: GPU; adapter: GPUAdapter; device: GPUDevice; adapterName: string }
  | { kind: 'no-navigator-gpu' }
  | { kind: 'no-adapter' }
  | { kind: 'no-device'; message: string };

/** Optional features other kernels use where the adapter has them (benchmark timing, subgroup variants). */
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups'];

/** A readable adapter name, e.g. "SwiftShader Device (Subzero)" or "nvidia ampere". */
export function adapterName(adapter: GPUAdapter): string {
  const info = adapter.info;
  if (!info) return 'unknown adapter';
  const parts = [info.description, [info.vendor, info.architecture].filter(Boolean).join(' '), info.device];
  return parts.find((p) => p && p.trim().length > 0)?.trim() ?? 'unknown adapter';
}

/**
 * Requests an adapter and a device. Limits are the defaults, which cover every size the sandbox takes
 * (jobs are split to fit one binding); optional features are requested only when the adapter has them.
 */
export async function requestGpu(gpu: GPU | null | undefined): Promise<GpuStartup> {
  if (!gpu) return { kind: 'no-navigator-gpu' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) return { kind: 'no-adapter' };
  try {
    const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
    const device = await adapter.requestDevice({ requiredFeatures, label: 'relu-sandbox' });
    return { kind: 'ok', gpu, adapter, device, adapterName: adapterName(adapter) };
  } catch (e) {
    return { kind: 'no-device', message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The WebGPU evaluator: every evaluation kernel on one device, torn down in `destroy()`. Made by `create` it
 * owns its device too (standalone use: tests, the engine benchmark); made by `onSharedDevice` it is a module of
 * a GpuRoot, which owns the device. Calls are serialised (kernels reuse their buffers), run inside error scopes,
 * and fail with typed errors — GpuDeviceLostError once the device is gone — never with silent blank output.
 * Validated networks are neither validated nor copied again, and the network uploaded last is not uploaded again.
 */
export class GpuEvaluator implements Evaluator {
  readonly kind = 'webgpu' as const;
  readonly description: string;
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** Held so the WebGPU instance outlives the device (Dawn for Node frees it when it is collected). */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  private readonly units: UnitBuffer;
  /**
   * The kernels, each built on first use (inside that call's error scopes): startup compiles no pipeline the
   * first frame does not need, which on SwiftShader took seconds (issue 10).
   */
  private kernels: { eval1d?: Eval1DKernel; eval2d?: Eval2DKernel; eval2dSmall?: Eval2DKernel; regions?: Regions2DKernel; search1d?: Eval1DSearchKernel; tiles?: Eval2DTilesKernel } = {};
  /** The split-K 2D value kernels (|z| and SIGMOID pipelines), built on first use. */
  private splits: { abs?: Eval2DSplitKernel; sigmoid?: Eval2DSplitKernel; regions?: Regions2DSplitKernel } = {};
  private readonly cpuLike: boolean;
  /** Which 2D value kernel this evaluator uses ('tiled', 'cache8sg', …; see GpuEvaluatorOptions.kernel2D). */
  readonly kernel2D: Exclude<Kernel2DChoice, 'auto'>;
  private readonly maxSearchSamples: number;
  /** The SIGMOID pipelines of eval1d and eval2d (the brute-force kernels), built on first use. */
  private sigmoid1d: Eval1DKernel | null = null;
  private sigmoid2d: Eval2DKernel | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lostReason: string | null = null;
  private destroyed = false;

  /**
   * Builds every kernel inside error scopes, so a shader or pipeline that fails to compile is a typed
   * error here (and a CPU fallback in the app), not a blank picture later. The evaluator owns the device:
   * its `destroy()` destroys it. Use this (or `onSharedDevice`), not `new`.
   */
  static create(startup: Extract<GpuStartup, { kind: 'ok' }>, options: GpuEvaluatorOptions = {}): Promise<GpuEvaluator> {
    return GpuEvaluator.build(startup, options, true);
  }

  /** As `create`, on a device someone else owns (a GpuRoot): `destroy()` releases the kernels and leaves the device. */
  static onSharedDevice(startup: Extract<GpuStartup, { kind: 'ok' }>, options: GpuEvaluatorOptions = {}): Promise<GpuEvaluator> {
    return GpuEvaluator.build(startup, options, false);
  }

  private static async build(startup: Extract<GpuStartup, { kind: 'ok' }>, options: GpuEvaluatorOptions, ownsDevice: boolean): Promise<GpuEvaluator> {
    let made: GpuEvaluator | null = null;
    try {
      return await withErrorScopes(startup.device, () => (made = new GpuEvaluator(startup, options, ownsDevice)));
    } catch (e) {
      (made as GpuEvaluator | null)?.destroy();
      throw e;
    }
  }

  private constructor(
    startup: Extract<GpuStartup, { kind: 'ok' }>,
    private readonly options: GpuEvaluatorOptions,
    private readonly ownsDevice: boolean,
  ) {
    this.device = startup.device;
    this.gpu = startup.gpu;
    this.adapter = startup.adapter;
    this.adapterName = startup.adapterName;
    this.description = `WebGPU — ${startup.adapterName}`;
    this.device.lost.then((info) => {
      if (!this.destroyed) this.lostReason = `${info.reason}: ${info.message || 'no message'}`;
    });
    this.units = new UnitBuffer(this.device);
    this.kernel2D = resolveKernel2D(options.kernel2D, startup.adapter, startup.device);
    this.cpuLike = isCpuLikeAdapter(startup.adapter);
    if (options.slices2D !== undefined) slicesFor(options.slices2D, 1, 1, 0); // a bad count fails here, not per call
    this.maxSearchSamples = Eval1DSearchKernel.maxSamplesOn(this.device);
  }

  private get eval1d(): Eval1DKernel {
    return (this.kernels.eval1d ??= new Eval1DKernel(this.device));
  }
  private get eval2d(): Eval2DKernel {
    const k = this.kernel2D;
    return (this.kernels.eval2d ??= k === 'tiled' ? new Eval2DKernel(this.device) : new Eval2DVariantKernel(this.device, k));
  }
  /** eval2d_tiled8, for grids under SMALL_GRID_POINTS when the 2D kernel is 'tiled'. */
  private get eval2dSmall(): Eval2DKernel {
    return (this.kernels.eval2dSmall ??= new Eval2DVariantKernel(this.device, 'tiled8'));
  }
  private get regions(): Regions2DKernel {
    return (this.kernels.regions ??= new Regions2DKernel(this.device));
  }
  private get tiles(): Eval2DTilesKernel {
    // The CPU-shaped evaluation where the brute force takes a CPU-shaped kernel too (CPU-like adapters).
    const shape = this.kernel2D === 'cache8' || this.kernel2D === 'cache8sg' ? 'rows' : 'workgroup';
    return (this.kernels.tiles ??= new Eval2DTilesKernel(this.device, `eval2d_tiles (${shape})`, shape));
  }
  /** Whether 2D grids of `net` take the tile kernel (see GpuEvaluatorOptions.exact2D). */
  private tiled(net: Network): boolean {
    return this.options.exact2D === 'tiles' && isPiecewiseLinear(activationOf(net));
  }
  private get search1d(): Eval1DSearchKernel {
    return (this.kernels.search1d ??= new Eval1DSearchKernel(this.device));
  }

  /** Whether a 1D evaluation of `samples` points takes the binary-search path (piecewise-linear sums only). */
  private searches(net: Network, samples: number): boolean {
    return (this.options.search1D ?? true) && net.a.length >= SEARCH_1D_MIN_UNITS && samples <= this.maxSearchSamples && isPiecewiseLinear(activationOf(net));
  }

  /** The 1D brute-force kernel for `net`: eval1d, or its SIGMOID pipeline for sigmoid units. */
  private kernel1For(net: Network): Eval1DKernel {
    if (activationOf(net) !== 'sigmoid') return this.eval1d;
    return (this.sigmoid1d ??= new Eval1DKernel(this.device, 'eval1d sigmoid', undefined, undefined, { SIGMOID: 1 }));
  }

  /**
   * The 2D value kernel for `net` on a grid of `points` samples. Sigmoid units take the tiled eval2d's SIGMOID
   * pipeline whatever the 2D kernel choice: the tuned variants serve the piecewise-linear |z| sums only.
   */
  private kernelFor(net: Network, points: number): Eval2DKernel {
    if (activationOf(net) === 'sigmoid') return (this.sigmoid2d ??= new Eval2DKernel(this.device, 'eval2d sigmoid', undefined, undefined, { SIGMOID: 1 }));
    return gridKernel2D(this.kernel2D, points) === 'tiled8' ? this.eval2dSmall : this.eval2d;
  }

  /**
   * The split kernel and slice count for a 2D value evaluation of nx × ny points (a point list: ny = 1), or null
   * when it runs unsplit (see splitSlices2D).
   */
  private splitFor(net: ValidNetwork, nx: number, ny: number): { kernel: Eval2DSplitKernel; slices: number } | null {
    // Linear units upload no |z| terms (UnitBuffer.count 0): nothing to split.
    const units = activationOf(net) === 'linear' ? 0 : net.a.length;
    const slices = splitSlices2D(this.options.slices2D, this.cpuLike, nx, ny, units);
    if (slices <= 1) return null;
    const sigmoid = activationOf(net) === 'sigmoid';
    const kernel = sigmoid
      ? (this.splits.sigmoid ??= new Eval2DSplitKernel(this.device, 'eval2d_split sigmoid', { sigmoid: true }))
      : (this.splits.abs ??= new Eval2DSplitKernel(this.device));
    return { kernel, slices };
  }

  /** True once the device is lost (not by our own destroy()). */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  /**
   * Runs `work` after every earlier call, inside error scopes, with the network uploaded (skipped when it is
   * the validated network uploaded last): as units for the brute-force kernels, or as sorted knots for the
   * 1D search kernel (`asUnits` false).
   */
  private submit<T>(net: ValidNetwork, work: () => Promise<T> | T, asUnits = true): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.destroyed) throw new GpuDeviceLostError('the evaluator was destroyed');
      if (this.lostReason) throw new GpuDeviceLostError(this.lostReason);
      try {
        return await withErrorScopes(this.device, async () => {
          if (asUnits) this.units.upload(net);
          else this.search1d.upload(net);
          return work();
        });
      } catch (e) {
        // The upload may not have landed: write it again next time.
        this.units.invalidate();
        this.kernels.search1d?.invalidate();
        // A lost device also rejects mapAsync and friends: report the loss, not the symptom.
        if (this.lostReason) throw new GpuDeviceLostError(this.lostReason);
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values> {
    const valid = validateNetwork(net);
    checkPoints(points, valid.dim);
    if (points.length === 0) return new Float32Array(0);
    if (valid.dim === 1 && this.searches(valid, points.length)) {
      return this.submit(valid, async () => (await compiled(this.search1d)).evaluatePoints(points), false);
    }
    const split = valid.dim === 2 ? this.splitFor(valid, points.length / 2, 1) : null;
    if (split) return this.submit(valid, async () => (await compiled(split.kernel)).evaluatePoints(this.units, points, split.slices));
    return this.submit(valid, async () =>
      (await compiled(valid.dim === 1 ? this.kernel1For(valid) : activationOf(valid) === 'sigmoid' ? this.kernelFor(valid, 0) : this.eval2d)).evaluatePoints(this.units, points),
    );
  }

  async evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    const valid = validateNetwork(net);
    requireDim('evaluateGrid1D', valid, 1);
    const g = validateGrid1D(grid);
    if (this.searches(valid, g.nx)) return this.submit(valid, async () => (await compiled(this.search1d)).evaluateGrid(g), false);
    return this.submit(valid, async () => (await compiled(this.kernel1For(valid))).evaluateGrid(this.units, g));
  }

  async evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values> {
    const valid = validateNetwork(net);
    requireDim('evaluateGrid2D', valid, 2);
    const g = validateGrid2D(grid);
    // The exact tile kernel when asked for (calibration picks it by measurement), else the brute force, split on GPUs.
    if (this.tiled(valid)) return this.submit(valid, async () => (await compiled(this.tiles, 'values')).evaluateGrid(this.units, g));
    const split = this.splitFor(valid, g.nx, g.ny);
    if (split) return this.submit(valid, async () => (await compiled(split.kernel)).evaluateGrid(this.units, g, split.slices));
    return this.submit(valid, async () => (await compiled(this.kernelFor(valid, g.nx * g.ny))).evaluateGrid(this.units, g));
  }

  /**
   * f over a 1D grid, computed by the same kernels as `evaluateGrid1D` but left on the GPU: resolves once the
   * work is submitted. See GpuValues for the handle's lifetime.
   */
  async gridValues1D(net: Network, grid: Grid1D): Promise<GpuValues> {
    const valid = validateNetwork(net);
    requireDim('gridValues1D', valid, 1);
    const g = validateGrid1D(grid);
    if (this.searches(valid, g.nx)) return this.submit(valid, async () => (await compiled(this.search1d)).gridValues(g), false);
    return this.submit(valid, async () => (await compiled(this.kernel1For(valid))).gridValues(this.units, g));
  }

  /** f over a 2D grid (row-major), as `evaluateGrid2D` but left on the GPU. See GpuValues for the handle's lifetime. */
  async gridValues2D(net: Network, grid: Grid2D): Promise<GpuValues> {
    const valid = validateNetwork(net);
    requireDim('gridValues2D', valid, 2);
    const g = validateGrid2D(grid);
    // The exact tile kernel when asked for (calibration picks it by measurement), else the brute force, split on GPUs.
    if (this.tiled(valid)) return this.submit(valid, async () => (await compiled(this.tiles, 'values')).gridValues(this.units, g));
    const split = this.splitFor(valid, g.nx, g.ny);
    if (split) return this.submit(valid, async () => (await compiled(split.kernel)).gridValues(this.units, g, split.slices));
    return this.submit(valid, async () => (await compiled(this.kernelFor(valid, g.nx * g.ny))).gridValues(this.units, g));
  }

  async regions2D(net: Network, grid: Grid2D): Promise<Regions> {
    const valid = validateNetwork(net);
    requireDim('regions2D', valid, 2);
    const g = validateGrid2D(grid);
    // Linear units: one region; sigmoid: RegionsUndefinedError (an input error). Leaky units crease where ReLU does.
    const special = regionsWithoutCreases(valid, g.nx * g.ny);
    if (special) return special;
    if (this.tiled(valid)) return this.submit(valid, async () => (await compiled(this.tiles, 'regions')).regionsGrid(this.units, g));
    // Small grids on GPUs: the unit range split as for the values (exact: counts add, ids XOR).
    const slices = splitSlices2D(this.options.slices2D, this.cpuLike, g.nx, g.ny, valid.a.length);
    if (slices > 1) return this.submit(valid, async () => (await compiled((this.splits.regions ??= new Regions2DSplitKernel(this.device)))).evaluateGrid(this.units, g, slices));
    return this.submit(valid, async () => (await compiled(this.regions)).evaluateGrid(this.units, g));
  }

  /** Releases every kernel, and the device when this evaluator owns it (see `create`); safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const k = this.kernels;
    this.kernels = {};
    k.eval1d?.destroy();
    k.eval2d?.destroy();
    k.eval2dSmall?.destroy();
    k.regions?.destroy();
    k.search1d?.destroy();
    this.splits.abs?.destroy();
    this.splits.sigmoid?.destroy();
    this.splits.regions?.destroy();
    this.splits = {};
    k.tiles?.destroy();
    this.sigmoid1d?.destroy();
    this.sigmoid2d?.destroy();
    this.sigmoid1d = null;
    this.sigmoid2d = null;
    this.units.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}

/**
 * `k` once its pipelines are compiled: with createComputePipelineAsync, off the GPU process's main thread (see
 * pipelines.ts), so a kernel's first use (the calibration times every candidate) never stalls the page's canvases.
 */
async function compiled<K extends CompilesAhead>(k: K, output?: 'values' | 'regions'): Promise<K> {
  await k.ready(output);
  return k;
}
