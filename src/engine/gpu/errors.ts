/** Typed errors for GPU faults, so callers can recover (new device) or fall back (CPU) instead of drawing nothing. */

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

/** Whether an error says the device is gone (a recovery follows; nothing to report as a render failure). */
export function isDeviceLoss(e: unknown): boolean {
  return (e instanceof GpuError && e.kind === 'device-lost') || (e instanceof Error && e.name === 'OperationError' && /lost|dropped|destroyed/i.test(e.message));
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
  const errors = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]);
  const first = errors.find((e): e is GPUError => e !== null);
  if (first) throw fromGpuError(first);
  if (thrown !== null) throw thrown;
  return result as T;
}
