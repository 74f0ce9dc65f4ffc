/**
 * Times GPU work: with `timestamp-query` (the sum of each compute pass's begin→end, read from a query set)
 * where the device has the feature, else the host clock from submit to `onSubmittedWorkDone`.
 * The second includes submit overhead and queue latency, so rows say which one they used.
 */
export type GpuTimingMethod = 'timestamp-query' | 'onSubmittedWorkDone';

/** What a timed piece of work gets: the timestamp writes for its k-th compute pass (undefined when not timing by query). */
export type PassTimestamps = (k: number) => GPUComputePassTimestampWrites | undefined;

export class GpuTimer {
  readonly method: GpuTimingMethod;
  private querySet: GPUQuerySet | null = null;
  private resolve: GPUBuffer | null = null;
  private readback: GPUBuffer | null = null;
  private capacity = 0;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly now: () => number,
    useTimestamps = device.features.has('timestamp-query'),
  ) {
    this.method = useTimestamps ? 'timestamp-query' : 'onSubmittedWorkDone';
  }

  private ensure(passes: number): void {
    if (passes <= this.capacity) return;
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.readback?.destroy();
    let cap = 8;
    while (cap < passes) cap *= 2;
    this.querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * cap });
    const bytes = 16 * cap;
    this.resolve = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readback = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.capacity = cap;
  }

  /**
   * Runs `encode` (which records `passes` compute passes into the encoder, giving pass k the timestamp
   * writes `ts(k)`), submits it and returns the GPU time in milliseconds.
   *
   * With `reps` > 1 the work is recorded `reps` times back to back in one submission and the time is the span
   * from the first pass's start to the last pass's end, divided by `reps`. That is how short work is timed:
   * timestamps are quantised (Chromium rounds them to 100 µs, Dawn by default to 65.5 µs), so a single short
   * pass can read as 0.
   *
   * `expectMs` (timestamp timing only): how long the work is expected to take. The host then sleeps for most of
   * that before it starts waiting, because waiting in Dawn for Node polls on the main thread, and on a CPU
   * adapter (SwiftShader) that poller takes a core from the work being timed.
   */
  async time(passes: number, encode: (encoder: GPUCommandEncoder, ts: PassTimestamps) => void, reps = 1, expectMs = 0): Promise<number> {
    if (this.destroyed) throw new Error('GpuTimer used after destroy()');
    if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`GpuTimer: reps must be a positive integer, got ${reps}`);
    // Start from an idle queue so earlier work is not counted.
    await this.device.queue.onSubmittedWorkDone();
    const encoder = this.device.createCommandEncoder();
    if (this.method === 'onSubmittedWorkDone') {
      for (let r = 0; r < reps; r++) encode(encoder, () => undefined);
      const t0 = this.now();
      this.device.queue.submit([encoder.finish()]);
      await this.device.queue.onSubmittedWorkDone();
      return (this.now() - t0) / reps;
    }
    const slots = reps === 1 ? passes : 1;
    this.ensure(slots);
    const qs = this.querySet!;
    if (reps === 1) {
      encode(encoder, (k) => ({ querySet: qs, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 }));
    } else {
      for (let r = 0; r < reps; r++) {
        encode(encoder, (k) => {
          const first = r === 0 && k === 0;
          const last = r === reps - 1 && k === passes - 1;
          if (!first && !last) return undefined;
          return { querySet: qs, ...(first ? { beginningOfPassWriteIndex: 0 } : {}), ...(last ? { endOfPassWriteIndex: 1 } : {}) };
        });
      }
    }
    encoder.resolveQuerySet(qs, 0, 2 * slots, this.resolve!, 0);
    encoder.copyBufferToBuffer(this.resolve!, 0, this.readback!, 0, 16 * slots);
    this.device.queue.submit([encoder.finish()]);
    if (expectMs > 4) await new Promise((resolve) => setTimeout(resolve, 0.85 * expectMs));
    await this.readback!.mapAsync(GPUMapMode.READ, 0, 16 * slots);
    const stamps = new BigInt64Array(this.readback!.getMappedRange(0, 16 * slots).slice(0));
    this.readback!.unmap();
    let ns = 0;
    for (let k = 0; k < slots; k++) ns += Number(stamps[2 * k + 1] - stamps[2 * k]);
    return Math.max(0, ns) / 1e6 / reps;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.readback?.destroy();
  }
}
