import type { Network } from '../../model/network.ts';
import { validateNetwork } from '../../model/network.ts';
import { type Grid1D, type Grid2D, validateGrid1D, validateGrid2D } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { type Evaluator, type Values, checkPoints } from '../evaluator.ts';
import { GpuDeviceLostError, withErrorScopes } from './errors.ts';
import { Eval1DKernel } from './eval1d.ts';
import { Eval2DKernel } from './eval2d.ts';
import { Regions2DKernel } from './regions2d.ts';
import { UnitBuffer } from './units.ts';
import { Eval1DSearchKernel } from './eval1dSearch.ts';
import { Eval2DVariantKernel } from './eval2dVariant.ts';

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
   * through subgroup broadcasts; needs the 'subgroups' feature), 'step128' (an earlier CPU-shaped variant), or
   * 'auto' (default): on CPU-like adapters cache8sg where the device has 'subgroups', else cache8; tiled otherwise.
   */
  kernel2D?: Kernel2DChoice;
}

export type Kernel2DChoice = 'auto' | 'tiled' | 'cache8' | 'cache8sg' | 'step128';

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
 * The WebGPU backend: owns the device and every evaluation kernel, and tears them down in `destroy()`.
 * Calls are serialised (kernels reuse their buffers), run inside error scopes, and fail with typed
 * errors — GpuDeviceLostError once the device is gone — never with silent blank output.
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
  private readonly eval1d: Eval1DKernel;
  private readonly eval2d: Eval2DKernel;
  /** eval2d_tiled8, for grids under SMALL_GRID_POINTS when the 2D kernel is 'tiled'. */
  private readonly eval2dSmall: Eval2DKernel | null;
  /** Which 2D value kernel this evaluator uses ('tiled', 'cache8sg', …; see GpuEvaluatorOptions.kernel2D). */
  readonly kernel2D: Exclude<Kernel2DChoice, 'auto'>;
  private readonly regions: Regions2DKernel;
  private readonly search1d: Eval1DSearchKernel;
  private queue: Promise<unknown> = Promise.resolve();
  private lostReason: string | null = null;
  private destroyed = false;

  /**
   * Builds every kernel inside error scopes, so a shader or pipeline that fails to compile is a typed
   * error here (and a CPU fallback in the app), not a blank picture later. Use this, not `new`.
   */
  static async create(startup: Extract<GpuStartup, { kind: 'ok' }>, options: GpuEvaluatorOptions = {}): Promise<GpuEvaluator> {
    let made: GpuEvaluator | null = null;
    try {
      return await withErrorScopes(startup.device, () => (made = new GpuEvaluator(startup, options)));
    } catch (e) {
      (made as GpuEvaluator | null)?.destroy();
      throw e;
    }
  }

  private constructor(
    startup: Extract<GpuStartup, { kind: 'ok' }>,
    private readonly options: GpuEvaluatorOptions,
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
    this.eval1d = new Eval1DKernel(this.device);
    const choice = options.kernel2D ?? 'auto';
    const kernel2D = choice === 'auto' ? autoKernel2D(startup.adapter, startup.device) : choice;
    this.kernel2D = kernel2D;
    this.eval2d = kernel2D === 'tiled' ? new Eval2DKernel(this.device) : new Eval2DVariantKernel(this.device, kernel2D);
    this.eval2dSmall = kernel2D === 'tiled' ? new Eval2DVariantKernel(this.device, 'tiled8') : null;
    this.regions = new Regions2DKernel(this.device);
    this.search1d = new Eval1DSearchKernel(this.device);
  }

  /** Whether a 1D evaluation of `samples` points takes the binary-search path. */
  private searches(net: Network, samples: number): boolean {
    return (this.options.search1D ?? true) && net.a.length >= SEARCH_1D_MIN_UNITS && samples <= this.search1d.maxSamples;
  }

  /** True once the device is lost (not by our own destroy()). */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  /**
   * Runs `work` after every earlier call, inside error scopes, with the network uploaded: as units for the
   * brute-force kernels, or as sorted knots for the 1D search kernel (`asUnits` false).
   */
  private submit<T>(net: Network, work: () => Promise<T>, asUnits = true): Promise<T> {
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
      return this.submit(valid, () => this.search1d.evaluatePoints(points), false);
    }
    return this.submit(valid, () =>
      valid.dim === 1 ? this.eval1d.evaluatePoints(this.units, points) : this.eval2d.evaluatePoints(this.units, points),
    );
  }

  async evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    const valid = validateNetwork(net);
    if (valid.dim !== 1) throw new Error('evaluateGrid1D needs a 1D network');
    const g = validateGrid1D(grid);
    if (this.searches(valid, g.nx)) return this.submit(valid, () => this.search1d.evaluateGrid(g), false);
    return this.submit(valid, () => this.eval1d.evaluateGrid(this.units, g));
  }

  async evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values> {
    const valid = validateNetwork(net);
    if (valid.dim !== 2) throw new Error('evaluateGrid2D needs a 2D network');
    const g = validateGrid2D(grid);
    const kernel = gridKernel2D(this.kernel2D, g.nx * g.ny) === 'tiled8' ? this.eval2dSmall! : this.eval2d;
    return this.submit(valid, () => kernel.evaluateGrid(this.units, g));
  }

  async regions2D(net: Network, grid: Grid2D): Promise<Regions> {
    const valid = validateNetwork(net);
    if (valid.dim !== 2) throw new Error('regions2D needs a 2D network');
    const g = validateGrid2D(grid);
    return this.submit(valid, () => this.regions.evaluateGrid(this.units, g));
  }

  /** Releases every kernel and the device; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.eval1d.destroy();
    this.eval2d.destroy();
    this.eval2dSmall?.destroy();
    this.regions.destroy();
    this.search1d.destroy();
    this.units.destroy();
    this.device.destroy();
  }
}
