import type { Network } from '../model/network.ts';
import type { Grid1D, Grid2D } from '../model/grid.ts';
import type { Regions } from '../model/regions.ts';
import { type BackendKind, type Evaluator, InvalidInputError, type Values } from './evaluator.ts';
import { CpuEvaluator } from './cpu/evaluator.ts';
import { GpuEvaluator, requestGpu, type GpuStartup } from './gpu/context.ts';
import { InvalidNetworkError } from '../model/network.ts';
import { InvalidGridError } from '../model/grid.ts';

export type BackendPreference = 'auto' | 'webgpu' | 'cpu';

/** What the app shows about the running backend, e.g. "WebGPU — SwiftShader Device (Subzero)". */
export interface BackendStatus {
  kind: BackendKind;
  /** One line for the screen: "WebGPU — adapter name" or "CPU fallback — why". */
  label: string;
  /** Set when the backend changed after startup (device lost and not recovered, GPU error). */
  notice?: string;
}

export interface BackendOptions {
  prefer?: BackendPreference;
  /** The WebGPU entry point: `navigator.gpu` in a browser, Dawn's `create([])` in Node. */
  gpu?: GPU | null;
  /** Called whenever the backend changes after startup (recovery or fallback). */
  onChange?: (status: BackendStatus) => void;
}

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

function isInputError(e: unknown): boolean {
  return e instanceof InvalidNetworkError || e instanceof InvalidGridError || e instanceof InvalidInputError;
}

/**
 * An evaluator that runs on WebGPU when it can and on the CPU otherwise.
 * A GPU fault (device lost, out of memory, validation) is retried once on a fresh device; if that fails the
 * backend switches to the CPU for good and reports it through `onChange`. Inputs are never lost: every call
 * carries its network, so the retry needs nothing else.
 */
export class AutoEvaluator implements Evaluator {
  private cpu = new CpuEvaluator('CPU');
  private gpu: GpuEvaluator | null;
  private statusNow: BackendStatus;

  private constructor(
    gpu: GpuEvaluator | null,
    status: BackendStatus,
    private readonly gpuEntry: GPU | null,
    private readonly onChange?: (status: BackendStatus) => void,
  ) {
    this.gpu = gpu;
    this.statusNow = status;
  }

  /** Picks the backend: WebGPU when preferred or available, the CPU otherwise (with the reason). */
  static async create(options: BackendOptions = {}): Promise<AutoEvaluator> {
    const prefer = options.prefer ?? 'auto';
    const entry = options.gpu ?? null;
    if (prefer === 'cpu') {
      return new AutoEvaluator(null, { kind: 'cpu', label: 'CPU fallback — forced by ?backend=cpu' }, null, options.onChange);
    }
    const startup = await requestGpu(entry);
    let why: string;
    if (startup.kind === 'ok') {
      try {
        const gpu = await GpuEvaluator.create(startup);
        return new AutoEvaluator(gpu, { kind: 'webgpu', label: gpu.description }, entry, options.onChange);
      } catch (e) {
        why = `the WebGPU kernels failed to build (${messageOf(e)})`;
      }
    } else {
      why = fallbackReason(startup);
    }
    const label = prefer === 'webgpu' ? `CPU fallback — WebGPU was requested but ${why}` : `CPU fallback — ${why}`;
    return new AutoEvaluator(null, { kind: 'cpu', label }, entry, options.onChange);
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

  private async run<T>(onGpu: (g: GpuEvaluator) => Promise<T>, onCpu: (c: CpuEvaluator) => Promise<T>): Promise<T> {
    if (!this.gpu) return onCpu(this.cpu);
    try {
      return await onGpu(this.gpu);
    } catch (e) {
      if (isInputError(e)) throw e;
      const recovered = await this.recover(e);
      if (recovered) {
        try {
          return await onGpu(recovered);
        } catch (e2) {
          if (isInputError(e2)) throw e2;
          this.fallBack(e2);
        }
      }
      return onCpu(this.cpu);
    }
  }

  /** One fresh device after a GPU fault; null (and CPU from now on) when that fails. */
  private async recover(error: unknown): Promise<GpuEvaluator | null> {
    this.gpu?.destroy();
    this.gpu = null;
    const startup = await requestGpu(this.gpuEntry);
    if (startup.kind !== 'ok') {
      this.fallBack(error);
      return null;
    }
    try {
      this.gpu = await GpuEvaluator.create(startup);
    } catch (e) {
      this.fallBack(e);
      return null;
    }
    this.statusNow = {
      kind: 'webgpu',
      label: this.gpu.description,
      notice: `WebGPU recovered on a new device after: ${messageOf(error)}`,
    };
    this.onChange?.(this.statusNow);
    return this.gpu;
  }

  private fallBack(error: unknown): void {
    this.gpu?.destroy();
    this.gpu = null;
    const why = messageOf(error);
    this.statusNow = { kind: 'cpu', label: `CPU fallback — the GPU failed: ${why}`, notice: `Switched to the CPU: ${why}` };
    this.onChange?.(this.statusNow);
  }

  evaluatePoints(net: Network, points: ArrayLike<number>): Promise<Values> {
    return this.run((g) => g.evaluatePoints(net, points), (c) => c.evaluatePoints(net, points));
  }
  evaluateGrid1D(net: Network, grid: Grid1D): Promise<Values> {
    return this.run((g) => g.evaluateGrid1D(net, grid), (c) => c.evaluateGrid1D(net, grid));
  }
  evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values> {
    return this.run((g) => g.evaluateGrid2D(net, grid), (c) => c.evaluateGrid2D(net, grid));
  }
  regions2D(net: Network, grid: Grid2D): Promise<Regions> {
    return this.run((g) => g.regions2D(net, grid), (c) => c.regions2D(net, grid));
  }
  /** The GPU device in use, for other kernels (training, plots) that share it; null on the CPU. */
  get device(): GPUDevice | null {
    return this.gpu?.device ?? null;
  }
  /** The 2D value kernel the GPU evaluator uses (GpuEvaluator.kernel2D); null on the CPU. */
  get kernel2D(): GpuEvaluator['kernel2D'] | null {
    return this.gpu?.kernel2D ?? null;
  }
  destroy(): void {
    this.gpu?.destroy();
    this.gpu = null;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
