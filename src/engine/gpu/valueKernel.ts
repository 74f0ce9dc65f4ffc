import { GrowableBuffer } from './buffers.ts';
import { MODE_POINTS } from './params.ts';
import { type Job, UnitKernel, readBack } from './unitKernel.ts';
import type { PassTimestamps } from './timer.ts';
import type { UnitBuffer } from './units.ts';

/** Samples per invocation in eval1d/eval2d.compute.wgsl (PPT there); the 2D variants set their own. */
export const VALUE_POINTS_PER_THREAD = 16;

/**
 * Values left on the GPU: `count` f32 values (row-major for 2D grids) at byte `offset` of `buffer`, which
 * carries STORAGE (bind it as read-only-storage in any stage) and COPY_SRC. They stay valid until the next
 * gridValues call of the same dimension on the evaluator that made them (a later call may overwrite them or
 * replace the buffer), and until its device is lost or replaced. Work submitted before that call reads them
 * in queue order, so record the draw that uses them before asking for the next frame's values.
 */
export interface GpuValues {
  buffer: GPUBuffer;
  offset: number;
  count: number;
  device: GPUDevice;
}

/** Where a grid's values go: `out` for values read back, `values` for values handed out (GpuValues). */
export type ValueTarget = 'out' | 'values';

/**
 * What eval1d and eval2d share: the launch machinery, a point-input buffer, two outputs (one read back, one
 * handed out as GpuValues) and the split of large inputs into jobs that fit one storage binding. A grid's jobs
 * write slices of one contiguous output. Subclasses add their grid layout (`gridJobs`).
 */
export abstract class ValueKernel<G> {
  protected readonly kernel: UnitKernel;
  private readonly points: GrowableBuffer;
  private readonly outputs: Record<ValueTarget, GrowableBuffer>;
  private readonly staging: GrowableBuffer;
  /** Largest job, in points: bounded by the binding limit for the point input, a multiple of `alignPoints`. */
  readonly maxJobPoints: number;
  /** Points per storage-offset alignment: job slices start at multiples of it. */
  protected readonly alignPoints: number;
  private planned = 0;
  private destroyed = false;

  constructor(
    protected readonly device: GPUDevice,
    private readonly label: string,
    code: string,
    /** Floats per input point: 1 (x) or 2 (x, y). */
    private readonly floatsPerPoint: number,
    /** Samples per invocation, as PPT in the shader. */
    protected readonly pointsPerThread = VALUE_POINTS_PER_THREAD,
    /** Pipeline-overridable constants of the shader (eval1d/eval2d: SIGMOID). */
    constants?: Record<string, number>,
  ) {
    this.kernel = new UnitKernel(device, label, code, constants);
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `${label} points`);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.outputs = { out: new GrowableBuffer(device, usage, `${label} out`), values: new GrowableBuffer(device, usage, `${label} values`) };
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    this.alignPoints = Math.max(1, device.limits.minStorageBufferOffsetAlignment / 4);
    const bytesPerPoint = 4 * floatsPerPoint;
    const limit = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / bytesPerPoint));
    this.maxJobPoints = Math.max(this.alignPoints, Math.floor(limit / this.alignPoints) * this.alignPoints);
  }

  /** Compiles the pipeline ahead of the first use (see pipelines.ts). */
  ready(): Promise<void> {
    return this.kernel.ready();
  }

  /** The jobs covering `grid` (validated), with output offsets into one contiguous buffer. */
  protected abstract gridJobs(grid: G, affine: [number, number, number]): Job[];

  /** Number of values a grid has. */
  protected abstract gridCount(grid: G): number;

  private check(): void {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
  }

  /**
   * Plans every pass over `grid` into `target` (uniforms and bind groups written, nothing recorded) and returns
   * the pass count; `encode` records them, or `runGrid` submits them.
   */
  planGrid(units: UnitBuffer, grid: G, target: ValueTarget = 'out'): number {
    this.check();
    const out = this.outputs[target].ensure(4 * this.gridCount(grid));
    this.planned = this.kernel.plan(this.gridJobs(grid, units.affine), units.count, {
      units: units.buffer.current,
      binding2: this.points.current,
      binding3: out,
      sliced: [false, true],
    });
    return this.planned;
  }

  /** Records the passes of the last planGrid into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts?: PassTimestamps): void {
    this.check();
    this.kernel.encode(encoder, ts);
  }

  /** Plans and submits every pass over `grid` into `target`; the values are in that output once the queue runs. */
  runGrid(units: UnitBuffer, grid: G, target: ValueTarget): GpuValues {
    this.planGrid(units, grid, target);
    this.kernel.submit();
    return { buffer: this.outputs[target].current, offset: 0, count: this.gridCount(grid), device: this.device };
  }

  /** The first `count` values of an output, read back (after its passes were submitted). */
  async readOutput(count: number, target: ValueTarget = 'out'): Promise<Float32Array> {
    this.check();
    return new Float32Array(await readBack(this.device, this.staging, this.outputs[target].current, 4 * count));
  }

  /** Values over `grid` (validated), read back. */
  async evaluateGrid(units: UnitBuffer, grid: G): Promise<Float32Array> {
    this.check();
    const v = this.runGrid(units, grid, 'out');
    return this.readOutput(v.count);
  }

  /** Values over `grid` (validated), left on the GPU (see GpuValues for how long they stay valid). */
  gridValues(units: UnitBuffer, grid: G): GpuValues {
    this.check();
    return this.runGrid(units, grid, 'values');
  }

  /** Values at a list of points (validated; 1D: x values, 2D: interleaved x, y), in jobs. */
  async evaluatePoints(units: UnitBuffer, coords: ArrayLike<number>): Promise<Float32Array> {
    this.check();
    const f = this.floatsPerPoint;
    const total = Math.floor(coords.length / f);
    const result = new Float32Array(total);
    const all = coords instanceof Float32Array ? coords : Float32Array.from(coords);
    const out = this.outputs.out.ensure(4 * Math.min(total, this.maxJobPoints));
    for (let p0 = 0; p0 < total; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, total - p0);
      const input = this.points.ensure(4 * f * pointCount);
      this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset + 4 * f * p0, 4 * f * pointCount);
      const params: Job['params'] = { origin: [0, 0], step: [0, 0], nx: 1, pointCount, mode: MODE_POINTS, threadsPerRow: 1, affine: units.affine };
      this.kernel.plan([{ params, threads: Math.ceil(pointCount / this.pointsPerThread), outputOffset: 0 }], units.count, {
        units: units.buffer.current,
        binding2: input,
        binding3: out,
        sliced: [false, true],
      });
      this.kernel.submit();
      result.set(await this.readOutput(pointCount), p0);
    }
    return result;
  }

  /** Releases the pipeline's buffers; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.kernel.destroy();
    this.points.destroy();
    this.outputs.out.destroy();
    this.outputs.values.destroy();
    this.staging.destroy();
  }
}
