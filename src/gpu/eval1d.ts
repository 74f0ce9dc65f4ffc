import code from '../../shaders/eval1d.compute.wgsl?raw';
import type { Grid1D } from '../model/grid.ts';
import { gridStep } from '../model/grid.ts';
import { GrowableBuffer } from './buffers.ts';
import { MODE_GRID, MODE_POINTS } from './params.ts';
import { UnitKernel, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/** Samples per invocation, as in the shader. */
const POINTS_PER_THREAD = 16;

/**
 * The 1D value kernel (shaders/eval1d.compute.wgsl): f(x) over a grid or a list of x values,
 * split into jobs that fit one storage binding.
 */
export class Eval1DKernel {
  private readonly kernel: UnitKernel;
  private readonly points: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  readonly maxJobPoints: number;

  constructor(private readonly device: GPUDevice) {
    this.kernel = new UnitKernel(device, 'eval1d', code);
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'eval1d points');
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'eval1d out');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'eval1d readback');
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 4 / 4) * 4);
  }

  /** Values over `grid` (already validated) for the units in `units`. */
  async evaluateGrid(units: UnitBuffer, grid: Grid1D): Promise<Float32Array> {
    const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
    const result = new Float32Array(grid.nx);
    for (let p0 = 0; p0 < grid.nx; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, grid.nx - p0);
      this.out.ensure(4 * pointCount);
      this.kernel.run(
        {
          params: { origin: [grid.xMin + p0 * dx, 0], step: [dx, 0], nx: pointCount, pointCount, mode: MODE_GRID, threadsPerRow: 1, affine: units.affine },
          threads: Math.ceil(pointCount / POINTS_PER_THREAD),
        },
        units.count,
        units.buffer,
        this.points,
        this.out,
      );
      const bytes = await readBack(this.device, this.staging, this.out.current, 4 * pointCount);
      result.set(new Float32Array(bytes), p0);
    }
    return result;
  }

  /** Values at the given x values (already validated). */
  async evaluatePoints(units: UnitBuffer, xs: ArrayLike<number>): Promise<Float32Array> {
    const total = xs.length;
    const result = new Float32Array(total);
    const all = xs instanceof Float32Array ? xs : Float32Array.from(xs);
    for (let p0 = 0; p0 < total; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, total - p0);
      const input = this.points.ensure(4 * pointCount);
      this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset + 4 * p0, 4 * pointCount);
      this.out.ensure(4 * pointCount);
      this.kernel.run(
        {
          params: { origin: [0, 0], step: [0, 0], nx: pointCount, pointCount, mode: MODE_POINTS, threadsPerRow: 1, affine: units.affine },
          threads: Math.ceil(pointCount / POINTS_PER_THREAD),
        },
        units.count,
        units.buffer,
        this.points,
        this.out,
      );
      const bytes = await readBack(this.device, this.staging, this.out.current, 4 * pointCount);
      result.set(new Float32Array(bytes), p0);
    }
    return result;
  }

  destroy(): void {
    this.kernel.destroy();
    this.points.destroy();
    this.out.destroy();
    this.staging.destroy();
  }
}
