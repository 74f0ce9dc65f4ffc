/** Typed errors for GPU faults, so callers can recover (new device) or fall back (CPU) instead of drawing nothing. */

import { messageOf } from '../../model/messages.ts';

export type GpuErrorKind = 'validation' | 'out-of-memory' | 'internal' | 'device-lost' | 'limits';

export class GpuError extends Error {
  override name = 'GpuError';
  constructor(
    readonly kind: GpuErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export class GpuValidationError extends GpuError {
  override name = 'GpuValidationError';
  constructor(message: string) {
    super('validation', `WebGPU validation error: ${message}`);
  }
}

export class GpuOutOfMemoryError extends GpuError {
  override name = 'GpuOutOfMemoryError';
  constructor(message: string) {
    super('out-of-memory', `WebGPU out of memory: ${message}`);
  }
}

export class GpuInternalError extends GpuError {
  override name = 'GpuInternalError';
  constructor(message: string) {
    super('internal', `WebGPU internal error: ${message}`);
  }
}

export class GpuDeviceLostError extends GpuError {
  override name = 'GpuDeviceLostError';
  constructor(message: string) {
    super('device-lost', `WebGPU device lost: ${message}`);
  }
}

/**
 * Whether an error is a GPU fault (worth a new device): a typed GpuError, or what the browser throws from GPU
 * calls on a lost or broken device (a DOMException, e.g. OperationError or AbortError from mapAsync). Bugs and
 * input mistakes are neither, and never cost the device.
 */
export function isGpuFault(e: unknown): boolean {
  if (e instanceof GpuError) return true;
  if (typeof DOMException !== 'undefined' && e instanceof DOMException) return true;
  return e instanceof Error && (e.name === 'OperationError' || e.name === 'AbortError');
}

/**
 * Whether an error says the device is gone (a recovery follows; nothing to report as a render failure). Besides
 * GpuDeviceLostError, what Chromium gives on a lost device or after a GPU-process crash (measured in Chromium 156):
 * an AbortError from mapAsync ("The Device was lost before mapping was resolved", "…Instance reference no longer
 * exists"), an OperationError from popErrorScope ("Instance dropped in popErrorScope") or onSubmittedWorkDone, and a
 * GPUPipelineError from createComputePipelineAsync with the same text.
 */
export function isDeviceLoss(e: unknown): boolean {
  if (e instanceof GpuError) return e.kind === 'device-lost';
  if (!(e instanceof Error) && !(typeof DOMException !== 'undefined' && e instanceof DOMException)) return false;
  const { name, message } = e as Error;
  if (name === 'AbortError') return true;
  return (name === 'OperationError' || name === 'GPUPipelineError') && LOSS_TEXT.test(message);
}

const LOSS_TEXT = /lost|dropped|destroyed|no longer exists/i;

/**
 * An expression target whose generated WGSL the GPU could not compile (e.g. `min` of 160 arguments nests deeper
 * than the compiler allows, or `1e38*1e38` overflows when WGSL folds constants). Deliberately not a GpuError:
 * the device is fine, so that one expression is evaluated on the CPU and the next one tries the GPU again.
 * The message names the expression, never the WGSL or the compiler's log (kept in `detail` for debugging).
 */
export class GpuTargetCompileError extends Error {
  override name = 'GpuTargetCompileError';
  constructor(
    /** The expression's source text. */
    readonly source: string,
    /** What the WGSL compiler or pipeline creation said (may quote WGSL: not for the screen). */
    readonly detail: string,
  ) {
    super(`the GPU's shader compiler could not build the target '${source.length > 60 ? `${source.slice(0, 57)}…` : source}'`);
  }
}

/** Whether a failed pipeline build is the shader's fault (compile or validation), not the device's. */
export function isShaderBuildError(e: unknown): boolean {
  if (isDeviceLoss(e)) return false;
  if (e instanceof GpuError) return e.kind === 'validation';
  return e instanceof Error && e.name === 'GPUPipelineError' && (e as Error & { reason?: string }).reason !== 'internal';
}

/** A plain sentence about a GPU fault for the screen: no browser exception text, no shader source. */
export function plainGpuFault(e: unknown): string {
  if (isDeviceLoss(e)) return 'the GPU was lost, by a driver reset or a GPU-process crash';
  if (e instanceof GpuTargetCompileError) return e.message;
  if (e instanceof GpuError) {
    switch (e.kind) {
      case 'out-of-memory':
        return 'the GPU ran out of memory';
      case 'validation':
        return 'the GPU rejected the work (a validation error)';
      case 'limits':
        return "the work exceeds this GPU's limits";
      default:
        return 'the GPU reported an internal error';
    }
  }
  // Anything else in plain words too (a GPUPipelineError's compiler text or a TypeError's wording never reach the page).
  return messageOf(e);
}

/** A popped error scope's GPUError as the matching typed error. */
export function fromGpuError(e: GPUError): GpuError {
  const ctor = e.constructor?.name ?? '';
  if (ctor.includes('OutOfMemory')) return new GpuOutOfMemoryError(e.message);
  if (ctor.includes('Internal')) return new GpuInternalError(e.message);
  return new GpuValidationError(e.message);
}

/**
 * Runs `work` inside validation, out-of-memory and internal error scopes and throws the first error
 * any of them caught, typed. Scopes are always popped, even when `work` throws.
 */
export async function withErrorScopes<T>(device: GPUDevice, work: () => Promise<T> | T): Promise<T> {
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = await work();
  } catch (e) {
    thrown = e;
  }
  let errors: (GPUError | null)[];
  try {
    errors = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]);
  } catch (e) {
    // popErrorScope rejects once the GPU process is gone ("Instance dropped"): that is a device loss.
    throw isDeviceLoss(thrown) ? thrown : new GpuDeviceLostError(messageText(e));
  }
  const first = errors.find((e): e is GPUError => e !== null);
  if (first) throw fromGpuError(first);
  if (thrown !== null) throw thrown;
  return result as T;
}

function messageText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
