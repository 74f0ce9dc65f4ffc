import code from '../../../shaders/regions2d.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { GrowableBuffer } from './buffers.ts';
import { rowsPerJob } from './eval2d.ts';
import { MODE_GRID } from './params.ts';
import type { PassTimestamps } from './timer.ts';
import { type Job, UnitKernel, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/** Samples per invocation, as in the shader. */
const POINTS_PER_THREAD = 16;

/**
 * The jobs of whole rows a region kernel runs `grid` as (each at most `maxJobPoints` points, rows starting at
 * multiples of `alignPoints`, one contiguous output each): shared by Regions2DKernel and Regions2DSplitKernel.
 */
export function regionJobs(grid: Grid2D, maxJobPoints: number, alignPoints: number, pointsPerThread = POINTS_PER_THREAD): Job[] {
  const { nx, ny } = grid;
  const dx = gridStep(grid.xMin, grid.xMax, nx);
  const dy = gridStep(grid.yMin, grid.yMax, ny);
  const rows = rowsPerJob(nx, maxJobPoints, alignPoints);
  const threadsPerRow = Math.ceil(nx / pointsPerThread);
  const jobs: Job[] = [];
  for (let j0 = 0; j0 < ny; j0 += rows) {
    const r = Math.min(rows, ny - j0);
    jobs.push({
      params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount: r * nx, mode: MODE_GRID, threadsPerRow, affine: [0, 0, 0] },
      threads: r * threadsPerRow,
      outputOffset: 4 * j0 * nx,
    });
  }
  return jobs;
}

/**
 * The 2D region kernel (shaders/regions2d.compute.wgsl): per grid point, the active-unit count and the
 * activation-pattern id (see src/model/regions.ts), in jobs of whole rows writing one contiguous output each.
 */
export class Regions2DKernel {
  private readonly kernel: UnitKernel;
  private readonly active: GrowableBuffer;
  private readonly pattern: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  readonly maxJobPoints: number;
  private readonly alignPoints: number;
  private points = 0;
  private destroyed = false;

  /** The app's regions2d by default; the benchmark may pass another shader of the same convention. */
  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'regions2d',
    shader = code,
    private readonly pointsPerThread = POINTS_PER_THREAD,
  ) {
    this.kernel = new UnitKernel(device, label, shader);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.active = new GrowableBuffer(device, usage, `${label} active`);
    this.pattern = new GrowableBuffer(device, usage, `${label} pattern`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    this.alignPoints = Math.max(1, device.limits.minStorageBufferOffsetAlignment / 4);
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 4 / this.alignPoints) * this.alignPoints);
  }

  /** Compiles the pipeline ahead of the first use (see pipelines.ts). */
  ready(): Promise<void> {
    return this.kernel.ready();
  }

  private check(): void {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
  }

  /** Plans every pass over `grid` (validated; nothing recorded yet) and returns the pass count. */
  planGrid(units: UnitBuffer, grid: Grid2D): number {
    this.check();
    const jobs = regionJobs(grid, this.maxJobPoints, this.alignPoints, this.pointsPerThread);
    this.points = grid.nx * grid.ny;
    const bytes = 4 * this.points;
    return this.kernel.plan(jobs, units.count, {
      units: units.buffer.current,
      binding2: this.active.ensure(bytes),
      binding3: this.pattern.ensure(bytes),
      sliced: [true, true],
    });
  }

  /** Records the passes of the last planGrid into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts?: PassTimestamps): void {
    this.check();
    this.kernel.encode(encoder, ts);
  }

  /** Active counts and pattern ids of the last planned grid, read back (after its passes were submitted). */
  async readOutput(): Promise<Regions> {
    this.check();
    const bytes = 4 * this.points;
    const active = new Uint32Array(await readBack(this.device, this.staging, this.active.current, bytes));
    const pattern = new Uint32Array(await readBack(this.device, this.staging, this.pattern.current, bytes));
    return { active, pattern };
  }

  async evaluateGrid(units: UnitBuffer, grid: Grid2D): Promise<Regions> {
    this.planGrid(units, grid);
    this.kernel.submit();
    return this.readOutput();
  }

  /** Releases the pipeline's buffers; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.kernel.destroy();
    this.active.destroy();
    this.pattern.destroy();
    this.staging.destroy();
  }
}
