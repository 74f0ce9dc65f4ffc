import code from '../../../shaders/regions2d_split.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { GrowableBuffer } from './buffers.ts';
import { rowsPerJob } from './eval2d.ts';
import { type SliceChoice, SPLIT_POINTS_PER_THREAD, autoSlices, checkSlices } from './eval2dSplit.ts';
import { MODE_GRID, PARAMS_SIZE, packParams } from './params.ts';
import type { PassTimestamps } from './timer.ts';
import { type Job, WORKGROUP_SIZE, planPasses, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/**
 * The split-K region kernel (shaders/regions2d_split.compute.wgsl): active counts and pattern ids as
 * Regions2DKernel computes them, with the unit range split over S workgroups per point block; each adds its
 * slice's counts and XORs its ids into the cleared outputs with atomics, so the result is exact and the same for
 * every S. The slice count follows the value kernel's (autoSlices, or an explicit count capped at a pass's units).
 * Owns its pipeline and buffers; jobs of whole rows as Regions2DKernel.
 */
export class Regions2DSplitKernel {
  private readonly pipeline: GPUComputePipeline;
  private readonly uniforms: GrowableBuffer;
  private readonly stride: number;
  private slotBytes = new ArrayBuffer(0);
  private readonly one = new ArrayBuffer(PARAMS_SIZE);
  private readonly active: GrowableBuffer;
  private readonly pattern: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly alignPoints: number;
  readonly maxJobPoints: number;
  private planned: Array<{ workgroups: [number, number]; group: GPUBindGroup; from: readonly unknown[] }> = [];
  private count = 0;
  private points = 0;
  /** The slice count of the last plan. */
  lastSlices = 1;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'regions2d_split',
  ) {
    const module = device.createShaderModule({ label, code });
    this.pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.stride = Math.max(PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    this.uniforms = new GrowableBuffer(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${label} params`, 4 * this.stride);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.active = new GrowableBuffer(device, usage, `${label} active`);
    this.pattern = new GrowableBuffer(device, usage, `${label} pattern`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    this.alignPoints = Math.max(1, device.limits.minStorageBufferOffsetAlignment / 4);
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 4 / this.alignPoints) * this.alignPoints);
  }

  private check(): void {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
  }

  /** Compute passes of the last plan (one per job and unit range; the clears are not passes). */
  get passes(): number {
    return this.count;
  }

  /** Plans every pass over `grid` (validated) with `slices` slices and returns the pass count. */
  planGrid(units: UnitBuffer, grid: Grid2D, slices: SliceChoice = 'auto'): number {
    this.check();
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const rows = rowsPerJob(nx, this.maxJobPoints, this.alignPoints);
    const threadsPerRow = Math.ceil(nx / SPLIT_POINTS_PER_THREAD);
    const jobs: Job[] = [];
    for (let j0 = 0; j0 < ny; j0 += rows) {
      const r = Math.min(rows, ny - j0);
      jobs.push({
        params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount: r * nx, mode: MODE_GRID, threadsPerRow, affine: [0, 0, 0] },
        threads: r * threadsPerRow,
        outputOffset: 4 * j0 * nx,
      });
    }
    const first = jobs[0];
    const perPass = planPasses(units.count, first.params.pointCount)[0].count;
    const s = slices === 'auto' ? autoSlices(Math.ceil(first.threads / WORKGROUP_SIZE), perPass) : Math.max(1, Math.min(checkSlices(slices), perPass));
    this.points = nx * ny;
    const bytes = 4 * this.points;
    const active = this.active.ensure(bytes);
    const pattern = this.pattern.ensure(bytes);
    const list: Array<{ job: Job; start: number; count: number }> = [];
    for (const job of jobs) for (const p of planPasses(units.count, job.params.pointCount)) list.push({ job, ...p });
    const slotBytes = this.stride * list.length;
    const uniform = this.uniforms.ensure(slotBytes);
    if (this.slotBytes.byteLength < slotBytes) this.slotBytes = new ArrayBuffer(uniform.size);
    const slots = new Uint8Array(this.slotBytes);
    list.forEach(({ job, start, count }, k) => {
      packParams({ ...job.params, unitStart: start, unitCount: count, accumulate: start > 0 }, this.one);
      slots.set(new Uint8Array(this.one), this.stride * k);
      const size = 4 * job.params.pointCount;
      const from = [uniform, units.buffer.current, active, pattern, job.outputOffset, size];
      const old = this.planned[k];
      const group =
        old && old.from.every((v, i) => v === from[i])
          ? old.group
          : this.device.createBindGroup({
              layout: this.pipeline.getBindGroupLayout(0),
              entries: [
                { binding: 0, resource: { buffer: uniform, offset: this.stride * k, size: PARAMS_SIZE } },
                { binding: 1, resource: { buffer: units.buffer.current } },
                { binding: 2, resource: { buffer: active, offset: job.outputOffset, size } },
                { binding: 3, resource: { buffer: pattern, offset: job.outputOffset, size } },
              ],
            });
      this.planned[k] = { group, from, workgroups: [Math.max(1, Math.ceil(job.threads / WORKGROUP_SIZE)), s] };
    });
    this.device.queue.writeBuffer(uniform, 0, this.slotBytes, 0, slotBytes);
    this.count = list.length;
    this.lastSlices = s;
    return this.count;
  }

  /** Records the clears and the passes of the last planGrid into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    this.check();
    this.encodeClears(encoder);
    for (let k = 0; k < this.count; k++) this.encodePass(encoder, k, ts(k));
  }

  private encodeClears(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.active.current, 0, 4 * this.points);
    encoder.clearBuffer(this.pattern.current, 0, 4 * this.points);
  }

  private encodePass(encoder: GPUCommandEncoder, k: number, timestampWrites?: GPUComputePassTimestampWrites): void {
    const p = this.planned[k];
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, p.group);
    pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1]);
    pass.end();
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
    for (let k = 0; k < this.count; k++) {
      const encoder = this.device.createCommandEncoder();
      if (k === 0) this.encodeClears(encoder);
      this.encodePass(encoder, k);
      this.device.queue.submit([encoder.finish()]);
    }
    return this.readOutput();
  }

  /** Releases the pipeline's buffers; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.active.destroy();
    this.pattern.destroy();
    this.staging.destroy();
  }
}
