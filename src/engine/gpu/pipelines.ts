/**
 * Compute pipelines compiled with createComputePipelineAsync. A synchronous createComputePipeline compiles on the
 * GPU process's main thread: a Chrome trace of the 2D explorer on SwiftShader showed the calibration's kernels
 * (eval2d_cache8, eval2d_tiles values_cache, …) each holding that thread for 1–5 s, and with it every canvas and
 * frame of the page (a canvas that waited on the GPU process blocked the page's own main thread for 2 s). The
 * asynchronous call lets Dawn compile on its worker threads.
 */
import { GpuDeviceLostError, GpuInternalError, GpuValidationError, isDeviceLoss } from './errors.ts';

/** What a kernel offers to have its pipelines compiled before it is first used. */
export interface CompilesAhead {
  /** Resolves once every pipeline the kernel needs (for `output`, where it has several) is compiled. */
  ready(output?: 'values' | 'regions'): Promise<void>;
}

/**
 * One compute pipeline: `ready()` compiles it asynchronously (once, shared by every caller); `pipeline` gives it,
 * compiling it synchronously only when asked before `ready()` has resolved (the benchmark's and tests' direct
 * planGrid/encode use, which need no await).
 */
export class AsyncComputePipeline {
  private made: GPUComputePipeline | null = null;
  private pending: Promise<GPUComputePipeline> | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly descriptor: GPUComputePipelineDescriptor,
  ) {}

  /** The compiled pipeline; rejects with a GpuError (device lost, validation, internal) when it cannot be built. */
  ready(): Promise<GPUComputePipeline> {
    if (this.made) return Promise.resolve(this.made);
    return (this.pending ??= this.device.createComputePipelineAsync(this.descriptor).then(
      (p) => (this.made ??= p),
      (e: unknown) => {
        // A later call tries again (a transient failure, e.g. during a device loss, is not kept).
        this.pending = null;
        throw pipelineFault(this.descriptor.label ?? 'compute pipeline', e);
      },
    ));
  }

  /** The pipeline (see the class comment). */
  get pipeline(): GPUComputePipeline {
    return (this.made ??= this.device.createComputePipeline(this.descriptor));
  }
}

/**
 * The typed error for a rejected createComputePipelineAsync (a GPUPipelineError, or a DOMException after a
 * GPU-process crash), as an error scope would have given it for the synchronous call.
 */
export function pipelineFault(label: string, e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  if (isDeviceLoss(e)) return new GpuDeviceLostError(message);
  const reason = (e as { reason?: unknown } | null)?.reason;
  return reason === 'internal' ? new GpuInternalError(`${label}: ${message}`) : new GpuValidationError(`${label}: ${message}`);
}
