import { type Network, validateNetwork } from '../model/network.ts';
import { type Grid1D, type Grid2D, validateGrid1D, validateGrid2D } from '../model/grid.ts';
import type { Regions } from '../model/regions.ts';
import { type BackendKind, type Evaluator, type Values, isInputError, requireDim } from './evaluator.ts';
import { messageOf } from '../model/messages.ts';
import { CpuEvaluator } from './cpu/evaluator.ts';
import { GpuEvaluator, type GpuEvaluatorOptions, type Kernel2DChoice, requestGpu, resolveKernel2D, type GpuStartup } from './gpu/context.ts';
import { GpuRoot } from './gpu/root.ts';
import type { GpuValues } from './gpu/valueKernel.ts';
import { type Candidate2D, type Output2D, type Picker2D, type RunCandidate2D, candidateById, candidateRunner } from './calibrate2d.ts';
import { GpuDeviceLostError } from './gpu/errors.ts';

export type BackendPreference = 'auto' | 'webgpu' | 'cpu';

/** What the app shows about the running backend, e.g. "WebGPU — SwiftShader Device (Subzero)". */
export interface BackendStatus {
  kind: BackendKind;
  /** One line for the screen: "WebGPU — adapter name" or "CPU fallback — why". */
  label: string;
  /** Set when the backend changed after startup (device lost and recovered or not, GPU error): a plain sentence. */
  notice?: string;
  /** With a notice: what the browser or the root reported, for debugging (browser text, not for the screen). */
  cause?: string;
}

export interface BackendOptions {
  prefer?: BackendPreference;
  /** The WebGPU entry point: `navigator.gpu` in a browser, Dawn's `create([])` in Node. */
  gpu?: GPU | null;
  /** Called whenever the backend changes after startup (recovery or fallback). */
  onChange?: (status: BackendStatus) => void;
  /** Kernel choices for the GPU evaluator (defaults: search path on, 2D kernel 'auto'). */
  gpuOptions?: GpuEvaluatorOptions;
}

export type { GpuValues } from './gpu/valueKernel.ts';
export type { GpuRoot } from './gpu/root.ts';

/** The root module key of the evaluation kernels (GpuEvaluator). */
export const EVALUATOR_MODULE = 'evaluator';

/** Reads `?backend=cpu|webgpu|auto` from a URL query string; anything else means auto. */
export function preferenceFromQuery(search: string): BackendPreference {
  const v = new URLSearchParams(search).get('backend');
  return v === 'cpu' || v === 'webgpu' ? v : 'auto';
}

function fallbackReason(s: Exclude<GpuStartup, { kind: 'ok' }>): string {
  switch (s.kind) {
    case 'no-navigator-gpu':
      return 'this browser has no WebGPU (navigator.gpu is missing; it needs a secure context such as https or localhost)';
    case 'no-adapter':
      return 'no WebGPU adapter is available';
    case 'no-device':
      return `the WebGPU device could not be created (${s.message})`;
  }
}

/**
 * An evaluator that runs on WebGPU when it can and on the CPU otherwise. Its GPU side is a GpuRoot, which owns
 * the device and every module on it (the evaluation kernels are the module EVALUATOR_MODULE; the app registers
 * its render layers and kernels there too). A GPU fault (device lost, out of memory, validation) gets a fresh
 * device and one retry; if that fails the backend switches to the CPU for good. Both are reported through
 * `onChange`. Input errors (see isInputError) are rethrown and never cause either. Inputs are never lost: every
 * call carries its network, so the retry needs nothing else.
 */
export class AutoEvaluator implements Evaluator {
  private readonly cpu = new CpuEvaluator('CPU');
  /** Runs the CPU candidate for the calibration's timings (kept: it keeps its output arrays between them). */
  private cpuRunner: RunCandidate2D | null = null;
  private statusNow: BackendStatus;
  private destroyed = false;

  private constructor(
    private readonly gpuRoot: GpuRoot | null,
    status: BackendStatus,
    private readonly gpuOptions: GpuEvaluatorOptions,
    private readonly onChange?: (status: BackendStatus) => void,
  ) {
    this.statusNow = status;
    gpuRoot?.onRecovered((e) => {
      const what = e.lost ? 'The GPU was reset' : 'The GPU reported a fault and was restarted';
      this.setStatus({ kind: 'webgpu', label: `WebGPU — ${e.adapterName}`, notice: `${what}; redrawn on WebGPU.`, cause: e.cause });
    });
    gpuRoot?.onFallback((e) => {
      this.setStatus({ kind: 'cpu', label: `CPU fallback — ${e.plain}`, notice: `WebGPU stopped working (${e.plain}); fell back to the CPU.`, cause: e.cause });
    });
  }

  /** Picks the backend: WebGPU when preferred or available, the CPU otherwise (with the reason). */
  static async create(options: BackendOptions = {}): Promise<AutoEvaluator> {
    const prefer = options.prefer ?? 'auto';
    const gpuOptions = options.gpuOptions ?? {};
    if (prefer === 'cpu') {
      return new AutoEvaluator(null, { kind: 'cpu', label: 'CPU fallback — forced by ?backend=cpu' }, gpuOptions, options.onChange);
    }
    const startup = await requestGpu(options.gpu ?? null);
    let why: string;
    if (startup.kind === 'ok') {
      const root = GpuRoot.fromStartup(startup);
      try {
        // The evaluator's kernels are built on first use (startup compiles nothing the first frame does not need);
        // one that fails to compile is a GPU fault of that call: a fresh device, then the CPU (see `run`).
        const gpu = await root.module(EVALUATOR_MODULE, () => GpuEvaluator.onSharedDevice(startup, gpuOptions));
        return new AutoEvaluator(root, { kind: 'webgpu', label: gpu.description }, gpuOptions, options.onChange);
      } catch (e) {
        root.destroy();
        why = `the WebGPU kernels failed to build (${messageOf(e)})`;
      }
    } else {
      why = fallbackReason(startup);
    }
    const label = prefer === 'webgpu' ? `CPU fallback — WebGPU was requested but ${why}` : `CPU fallback — ${why}`;
    return new AutoEvaluator(null, { kind: 'cpu', label }, gpuOptions, options.onChange);
  }

  get kind(): BackendKind {
    return this.statusNow.kind;
  }
  get description(): string {
    return this.statusNow.label;
  }
  get status(): BackendStatus {
    return this.statusNow;
  }

  private setStatus(status: BackendStatus): void {
    this.statusNow = status;
    this.onChange?.(status);
  }

  /**
   * The GPU evaluator on the root's current device (built again after a recovery); with a 2D candidate, the one
   * built with that candidate's options (one module per candidate, see calibrate2d.ts).
   */
  private evaluator(root: GpuRoot, candidate?: Candidate2D | null): Promise<GpuEvaluator> {
    return root.module(candidate ? `${EVALUATOR_MODULE}:${candidate.id}` : EVALUATOR_MODULE, () => {
      const startup = root.startup;
      if (!startup) throw new Error('GpuRoot has no device');
      return GpuEvaluator.onSharedDevice(startup, candidate ? { ...this.gpuOptions, ...candidate.gpuOptions } : this.gpuOptions);
    });
  }

  private async run<T>(onGpu: (g: GpuEvaluator) => Promise<T>, onCpu: (c: CpuEvaluator) => Promise<T>, candidate?: Candidate2D | null): Promise<T> {
    const root = this.gpuRoot;
    if (!root || root.failed) return onCpu(this.cpu);
    try {
      return await root.run(async () => onGpu(await this.evaluator(root, candidate)));
    } catch (e) {
      // After a fallback the CPU answers; anything else (input errors, destroy()) is the caller's to see.
      if (isInputError(e) || !root.failed || this.destroyed) throw e;
      return onCpu(this.cpu);
    }
  }

  evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values> {
    return this.run((g) => g.evaluatePoints(net, points), (c) => c.evaluatePoints(net, points));
  }
  evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    return this.run((g) => g.evaluateGrid1D(net, grid), (c) => c.evaluateGrid1D(net, grid));
  }
  evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values> {
    const c = this.picked(net, grid, 'values');
    if (c?.backend === 'cpu') return this.cpu.evaluateGrid2D(net, grid);
    return this.run((g) => g.evaluateGrid2D(net, grid), (cpu) => cpu.evaluateGrid2D(net, grid), c);
  }
  regions2D(net: Network, grid: Grid2D): Promise<Regions> {
    const c = this.picked(net, grid, 'regions');
    if (c?.backend === 'cpu') return this.cpu.regions2D(net, grid);
    return this.run((g) => g.regions2D(net, grid), (cpu) => cpu.regions2D(net, grid), c);
  }

  /**
   * The measured 2D method picker (see calibrate2d.ts): once set, 2D grids go to the candidate it predicts fastest
   * for their size (the CPU row sweep or a GPU kernel); until then, and on the CPU backend, the default kernels.
   */
  picker: Picker2D | null = null;

  /** The candidate the picker takes for this call (`gpuOnly`: the fastest GPU one); null for the defaults. */
  picked(net: Network, grid: Grid2D, output: Output2D, gpuOnly = false): Candidate2D | null {
    const p = this.picker;
    if (!p || !this.root) return null;
    // Malformed inputs get no pick: the evaluator's own validation reports them.
    const n = (net as { a?: unknown } | null)?.a;
    const nx = (grid as Grid2D | null)?.nx ?? 0;
    const ny = (grid as Grid2D | null)?.ny ?? 0;
    if (!Array.isArray(n) || !Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) return null;
    const pick = p.pick(output, n.length, nx, ny, net, gpuOnly ? 'gpu' : undefined);
    return pick ? (candidateById(pick.id) ?? null) : null;
  }

  /** Runs one 2D evaluation by a candidate (the calibration's timings); GPU faults go through the root's recovery. */
  readonly runCandidate2D: RunCandidate2D = (c, output, net, grid) => {
    const root = this.gpuRoot;
    // The CPU's runner is kept: it keeps its output arrays between the timings.
    if (c.backend === 'cpu') return (this.cpuRunner ??= candidateRunner(this.cpu, () => Promise.reject(new Error('a CPU runner runs no GPU candidate'))))(c, output, net, grid);
    const run = candidateRunner(this.cpu, (cand) => this.evaluator(root!, cand));
    if (!root || root.failed) return Promise.reject(new GpuDeviceLostError('no WebGPU device to run the 2D kernels on'));
    return root.run(() => run(c, output, net, grid));
  };

  /**
   * f over a 1D grid left on the GPU for drawing (see GpuValues for the handle's lifetime); null on the CPU
   * backend, where `evaluateGrid1D` is the way. Inputs are checked the same on both.
   */
  gridValues1D(net: Network, grid: Grid1D): Promise<GpuValues | null> {
    return this.run(
      (g) => g.gridValues1D(net, grid),
      async () => {
        requireDim('gridValues1D', validateNetwork(net), 1);
        validateGrid1D(grid);
        return null;
      },
    );
  }

  /** f over a 2D grid (row-major) left on the GPU for drawing; null on the CPU backend (see gridValues1D). */
  gridValues2D(net: Network, grid: Grid2D): Promise<GpuValues | null> {
    return this.run(
      (g) => g.gridValues2D(net, grid),
      async () => {
        requireDim('gridValues2D', validateNetwork(net), 2);
        validateGrid2D(grid);
        return null;
      },
      this.picked(net, grid, 'values', true),
    );
  }

  /** The GPU root (device and every GPU module), for the views and kernels that share the device; null on the CPU. */
  get root(): GpuRoot | null {
    return this.gpuRoot && !this.gpuRoot.failed ? this.gpuRoot : null;
  }
  /** The GPU device in use; null on the CPU and while a new device is being set up after a loss. */
  get device(): GPUDevice | null {
    return this.root?.device ?? null;
  }
  /** The 2D value kernel the GPU evaluator uses (GpuEvaluator.kernel2D); null on the CPU. */
  get kernel2D(): Exclude<Kernel2DChoice, 'auto'> | null {
    const startup = this.root?.startup;
    return startup ? resolveKernel2D(this.gpuOptions.kernel2D, startup.adapter, startup.device) : null;
  }
  /** Tears down the GPU root (every module and the device); safe to call twice. */
  destroy(): void {
    this.destroyed = true;
    this.gpuRoot?.destroy();
  }
}

