import { GrowableBuffer } from './buffers.ts';
import { MODE_POINTS, type Params } from './params.ts';
import { UnitKernel, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/** Samples per invocation in eval1d/eval2d.compute.wgsl (PPT there); the 2D variants set their own. */
export const VALUE_POINTS_PER_THREAD = 16;

/**
 * What eval1d and eval2d share: the launch machinery, a point-input buffer, the output and its readback,
 * and the split of large inputs into jobs that fit one storage binding. Subclasses add their grid layout.
 */
export abstract class ValueKernel {
  protected readonly kernel: UnitKernel;
  private readonly points: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  /** Largest job, in points: bounded by the binding limit for the point input. */
  readonly maxJobPoints: number;
  private destroyed = false;

  constructor(
    protected readonly device: GPUDevice,
    private readonly label: string,
    code: string,
    /** Floats per input point: 1 (x) or 2 (x, y). */
    private readonly floatsPerPoint: number,
    /** Samples per invocation, as PPT in the shader. */
    protected readonly pointsPerThread = VALUE_POINTS_PER_THREAD,
  ) {
    this.kernel = new UnitKernel(device, label, code);
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `${label} points`);
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `${label} out`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    const bytesPerPoint = 4 * floatsPerPoint;
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / bytesPerPoint / 16) * 16);
  }

  /** Runs one job of `pointCount` outputs and copies them into `result` at `offset`. */
  protected async runJob(
    units: UnitBuffer,
    params: Omit<Params, 'unitStart' | 'unitCount' | 'accumulate' | 'affine'>,
    threads: number,
    result: Float32Array,
    offset: number,
  ): Promise<void> {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
    this.out.ensure(4 * params.pointCount);
    this.kernel.run({ params: { ...params, affine: units.affine }, threads }, units.count, units.buffer, this.points, this.out);
    const bytes = await readBack(this.device, this.staging, this.out.current, 4 * params.pointCount);
    result.set(new Float32Array(bytes), offset);
  }

  /** Values at a list of points (validated; 1D: x values, 2D: interleaved x, y), in jobs. */
  async evaluatePoints(units: UnitBuffer, coords: ArrayLike<number>): Promise<Float32Array> {
    const f = this.floatsPerPoint;
    const total = Math.floor(coords.length / f);
    const result = new Float32Array(total);
    const all = coords instanceof Float32Array ? coords : Float32Array.from(coords);
    for (let p0 = 0; p0 < total; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, total - p0);
      const input = this.points.ensure(4 * f * pointCount);
      this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset + 4 * f * p0, 4 * f * pointCount);
      const params = { origin: [0, 0] as [number, number], step: [0, 0] as [number, number], nx: 1, pointCount, mode: MODE_POINTS, threadsPerRow: 1 };
      await this.runJob(units, params, Math.ceil(pointCount / this.pointsPerThread), result, p0);
    }
    return result;
  }

  /** Releases the pipeline's buffers; safe to call twice. */
  destroy(): void {
    this.destroyed = true;
    this.kernel.destroy();
    this.points.destroy();
    this.out.destroy();
    this.staging.destroy();
  }
}
