/**
 * A GPU buffer that grows on demand to the next power of two and is otherwise reused, so steady-state
 * frames allocate nothing. `version` changes whenever the underlying GPUBuffer is replaced, so callers
 * can rebuild bind groups only then.
 */
export class GrowableBuffer {
  private buffer: GPUBuffer | null = null;
  private capacity = 0;
  version = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
    private readonly minBytes = 256,
  ) {}

  /** A buffer of at least `bytes`; the old contents are not kept when it grows. */
  ensure(bytes: number): GPUBuffer {
    if (!this.buffer || bytes > this.capacity) {
      this.buffer?.destroy();
      let size = this.minBytes;
      while (size < bytes) size *= 2;
      this.buffer = this.device.createBuffer({ label: this.label, size, usage: this.usage });
      this.capacity = size;
      this.version++;
    }
    return this.buffer;
  }

  get current(): GPUBuffer {
    return this.ensure(this.minBytes);
  }

  destroy(): void {
    this.buffer?.destroy();
    this.buffer = null;
    this.capacity = 0;
  }
}

/** Workgroup counts for `workgroups` groups, folded into 2D when over the per-dimension limit. */
export function dispatchSize(workgroups: number, maxPerDim: number): [number, number] {
  if (workgroups <= maxPerDim) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / maxPerDim);
  if (y > maxPerDim) throw new RangeError(`dispatch of ${workgroups} workgroups exceeds the adapter's limits`);
  return [Math.ceil(workgroups / y), y];
}
