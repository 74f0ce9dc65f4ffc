import directCode from '../../shaders/eval2d_direct.compute.wgsl?raw';
import direct64Code from '../../shaders/eval2d_direct64.compute.wgsl?raw';
import stepCode from '../../shaders/eval2d_step.compute.wgsl?raw';
import step128Code from '../../shaders/eval2d_step128.compute.wgsl?raw';
import cache8Code from '../../shaders/eval2d_cache8.compute.wgsl?raw';
import type { Grid2D } from '../model/grid.ts';
import { gridStep } from '../model/grid.ts';
import { GrowableBuffer } from './buffers.ts';
import { MODE_GRID, MODE_POINTS } from './params.ts';
import { UnitKernel, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/**
 * Tuning variants of the 2D value kernel (see bench/NOTES.md), drop-in twins of Eval2DKernel: same bindings,
 * Params, UnitBuffer and error bound, different inner loop.
 *  - direct: units read straight from storage by every invocation (no workgroup tile, no barriers), 16 points each;
 *  - direct64: the same with 64 points per invocation, for CPU-like adapters (SwiftShader);
 *  - step: grid rows step z by 4·w1·dx instead of holding x values (fewer live registers), 16 points each;
 *  - step128: the same with 128 points per invocation;
 *  - cache8: 256 points per invocation swept in register-resident chunks of 8 over a 64-unit cache in function
 *    memory, shaped for SwiftShader's Subzero JIT: the fastest shape measured there (2.2–2.6× step128).
 */
export const EVAL2D_VARIANTS = {
  direct: { code: directCode, pointsPerThread: 16 },
  direct64: { code: direct64Code, pointsPerThread: 64 },
  step: { code: stepCode, pointsPerThread: 16 },
  step128: { code: step128Code, pointsPerThread: 128 },
  cache8: { code: cache8Code, pointsPerThread: 256 },
} as const;

export type Eval2DVariantName = keyof typeof EVAL2D_VARIANTS;

export class Eval2DVariantKernel {
  private readonly kernel: UnitKernel;
  private readonly points: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly ppt: number;
  private destroyed = false;
  /** Largest job, in points: bounded by the binding limit for the 8-byte (x, y) input. */
  readonly maxJobPoints: number;

  constructor(
    private readonly device: GPUDevice,
    readonly variant: Eval2DVariantName,
  ) {
    const v = EVAL2D_VARIANTS[variant];
    this.ppt = v.pointsPerThread;
    this.kernel = new UnitKernel(device, `eval2d_${variant}`, v.code);
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `eval2d_${variant} points`);
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `eval2d_${variant} out`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `eval2d_${variant} readback`);
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 8 / 4) * 4);
  }

  private check(): void {
    if (this.destroyed) throw new Error(`Eval2DVariantKernel(${this.variant}) used after destroy()`);
  }

  /** Row-major values over `grid` (already validated), for the units in `units`. */
  async evaluateGrid(units: UnitBuffer, grid: Grid2D): Promise<Float32Array> {
    this.check();
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const result = new Float32Array(nx * ny);
    const rowsPerJob = Math.max(1, Math.floor(this.maxJobPoints / nx));
    const threadsPerRow = Math.ceil(nx / this.ppt);
    for (let j0 = 0; j0 < ny; j0 += rowsPerJob) {
      const rows = Math.min(rowsPerJob, ny - j0);
      const pointCount = rows * nx;
      this.out.ensure(4 * pointCount);
      this.kernel.run(
        {
          params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount, mode: MODE_GRID, threadsPerRow, affine: units.affine },
          threads: rows * threadsPerRow,
        },
        units.count,
        units.buffer,
        this.points,
        this.out,
      );
      result.set(new Float32Array(await readBack(this.device, this.staging, this.out.current, 4 * pointCount)), j0 * nx);
    }
    return result;
  }

  /** Values at interleaved (x, y) pairs (already validated). */
  async evaluatePoints(units: UnitBuffer, xy: ArrayLike<number>): Promise<Float32Array> {
    this.check();
    const total = xy.length >> 1;
    const result = new Float32Array(total);
    const all = xy instanceof Float32Array ? xy : Float32Array.from(xy);
    for (let p0 = 0; p0 < total; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, total - p0);
      const input = this.points.ensure(8 * pointCount);
      this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset + 8 * p0, 8 * pointCount);
      this.out.ensure(4 * pointCount);
      this.kernel.run(
        {
          params: { origin: [0, 0], step: [0, 0], nx: 1, pointCount, mode: MODE_POINTS, threadsPerRow: 1, affine: units.affine },
          threads: Math.ceil(pointCount / this.ppt),
        },
        units.count,
        units.buffer,
        this.points,
        this.out,
      );
      result.set(new Float32Array(await readBack(this.device, this.staging, this.out.current, 4 * pointCount)), p0);
    }
    return result;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.kernel.destroy();
    this.points.destroy();
    this.out.destroy();
    this.staging.destroy();
  }
}
