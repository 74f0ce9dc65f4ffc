import code from '../../../shaders/regions2d.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { GrowableBuffer } from './buffers.ts';
import { type SliceChoice, SPLIT_POINTS_PER_THREAD, autoSlices, checkSlices } from './eval2dSplit.ts';
import { regionJobs } from './regions2d.ts';
import type { PassTimestamps } from './timer.ts';
import { UnitKernel, WORKGROUP_SIZE, planPasses, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/**
 * The split-K region kernel (shaders/regions2d.compute.wgsl with SPLIT): active counts and pattern ids as
 * Regions2DKernel computes them, with the unit range split over S workgroups per point block; each adds its
 * slice's counts and XORs its ids into the cleared outputs with atomics, so the result is exact and the same for
 * every S. The slice count follows the value kernel's (autoSlices, or an explicit count capped at a pass's units).
 * The launch machinery (uniform slots, bind groups, passes) is UnitKernel's and the jobs of whole rows
 * Regions2DKernel's (regionJobs); this class adds the slices and the clears.
 */
export class Regions2DSplitKernel {
  private readonly kernel: UnitKernel;
  private readonly active: GrowableBuffer;
  private readonly pattern: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly alignPoints: number;
  readonly maxJobPoints: number;
  private points = 0;
  /** The slice count of the last plan. */
  lastSlices = 1;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'regions2d_split',
  ) {
    this.kernel = new UnitKernel(device, label, code, { SPLIT: 1 });
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
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

  /** Compute passes of the last plan (one per job and unit range; the clears are not passes). */
  get passes(): number {
    return this.kernel.passes;
  }

  /** Plans every pass over `grid` (validated) with `slices` slices and returns the pass count. */
  planGrid(units: UnitBuffer, grid: Grid2D, slices: SliceChoice = 'auto'): number {
    this.check();
    const jobs = regionJobs(grid, this.maxJobPoints, this.alignPoints, SPLIT_POINTS_PER_THREAD);
    const first = jobs[0];
    const perPass = planPasses(units.count, first.params.pointCount)[0].count;
    const s = slices === 'auto' ? autoSlices(Math.ceil(first.threads / WORKGROUP_SIZE), perPass) : Math.max(1, Math.min(checkSlices(slices), perPass));
    this.points = grid.nx * grid.ny;
    const bytes = 4 * this.points;
    const count = this.kernel.plan(jobs, units.count, { units: units.buffer.current, binding2: this.active.ensure(bytes), binding3: this.pattern.ensure(bytes), sliced: [true, true] }, s);
    this.lastSlices = s;
    return count;
  }

  /** Records the clears and the passes of the last planGrid into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts?: PassTimestamps): void {
    this.check();
    this.encodeClears(encoder);
    this.kernel.encode(encoder, ts);
  }

  private encodeClears(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.active.current, 0, 4 * this.points);
    encoder.clearBuffer(this.pattern.current, 0, 4 * this.points);
  }

  /** Active counts and pattern ids of the last planned grid, read back (after its passes were submitted). */
  async readOutput(): Promise<Regions> {
    this.check();
    const bytes = 4 * this.points;
    const active = new Uint32Array(await readBack(this.device, this.staging, this.active.current, bytes));
    const pattern = new Uint32Array(await readBack(this.device, this.staging, this.pattern.current, bytes));
    return { active, pattern };
  }

  /** Active counts and pattern ids over `grid` (validated) with `slices` slices. */
  async evaluateGrid(units: UnitBuffer, grid: Grid2D, slices: SliceChoice = 'auto'): Promise<Regions> {
    this.planGrid(units, grid, slices);
    // The clears go with the first pass; each pass its own submission (one long dispatch per submit at most).
    for (let k = 0; k < this.kernel.passes; k++) {
      const encoder = this.device.createCommandEncoder();
      if (k === 0) this.encodeClears(encoder);
      this.kernel.encodePass(encoder, k);
      this.device.queue.submit([encoder.finish()]);
    }
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
