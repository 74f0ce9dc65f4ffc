import splitCode from '../../../shaders/eval2d.compute.wgsl?raw';
import reduceCode from '../../../shaders/eval2d_reduce.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { AsyncComputePipeline } from './pipelines.ts';
import { rowsPerJob } from './eval2d.ts';
import { MODE_GRID, MODE_POINTS, PARAMS_SIZE, packParams } from './params.ts';
import type { PassTimestamps } from './timer.ts';
import { type Job, WORKGROUP_SIZE, planPasses, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';
import type { GpuValues, ValueTarget } from './valueKernel.ts';

/** Points per invocation of shaders/eval2d.compute.wgsl with SPLIT (PPT there), by default. */
export const SPLIT_POINTS_PER_THREAD = 16;

/** Points per invocation the split kernel can run with: 16 (four vec4 chains) or 8 (two; twice the point blocks). */
export type SplitPointsPerThread = 8 | 16;

/** Fewest units per slice the automatic choice makes (one workgroup tile: below it the per-workgroup cost grows). */
export const SPLIT_TILE_UNITS = WORKGROUP_SIZE;

/**
 * Workgroups the automatic split aims for. Measured on an H200 (bench/NOTES.md, split-K section): the split
 * kernel was fastest at about 256 workgroups on 256², 512² and 1024² alike (S = 16, 4, 1), and slower with more
 * (at 1024², S = 4 gave 55 % of the FMA peak against 73 % unsplit). 256 also fills a laptop GPU's 16–40 SMs.
 */
export const SPLIT_TARGET_WORKGROUPS = 256;

/** Most slices the automatic choice takes (the reduction reads S floats per point). */
export const MAX_AUTO_SLICES = 64;

/** Most slices an explicit choice may ask for (the dispatch's y dimension, and S partials per point). */
export const MAX_SLICES = 1024;

/** Most points per job (before the binding limit and the partials shrink it): ValueKernel's 2^22. */
const SPLIT_JOB_POINTS = 1 << 22;

/** How many slices to split the unit range into: 'auto' (see autoSlices) or a positive integer (1 = no split). */
export type SliceChoice = 'auto' | number;

/**
 * The automatic slice count for `blocks` point blocks (workgroups of the unsplit dispatch) and `unitsPerPass`
 * units in one pass: enough slices for SPLIT_TARGET_WORKGROUPS workgroups, at most one slice per 256-unit tile
 * and MAX_AUTO_SLICES. 1 when the grid alone fills the target or there are fewer than 512 units.
 */
export function autoSlices(blocks: number, unitsPerPass: number): number {
  const byUnits = Math.floor(unitsPerPass / SPLIT_TILE_UNITS);
  const byTarget = Math.ceil(SPLIT_TARGET_WORKGROUPS / Math.max(1, blocks));
  return Math.max(1, Math.min(MAX_AUTO_SLICES, byUnits, byTarget));
}

/** Point blocks (workgroups of `ppt`-point invocations) of an nx × ny grid's whole-row layout. */
export function gridBlocks(nx: number, ny: number, ppt: SplitPointsPerThread = SPLIT_POINTS_PER_THREAD): number {
  return Math.ceil((ny * Math.ceil(nx / ppt)) / WORKGROUP_SIZE);
}

/**
 * The slice count a grid of nx × ny points over `unitCount` units runs with for `choice` (validated: an explicit
 * count must be an integer in 1..MAX_SLICES, else a RangeError; it is capped at the units of a pass). What GpuEvaluator asks before taking the split
 * kernel: 1 means the split would not pay (or was not asked for).
 */
export function slicesFor(choice: SliceChoice, nx: number, ny: number, unitCount: number, ppt: SplitPointsPerThread = SPLIT_POINTS_PER_THREAD): number {
  const s = choice === 'auto' ? 0 : checkSlices(choice);
  // As planGrid: the first job's rows (jobs hold at most 2^22 points) and the first pass's units.
  const rows = Math.min(ny, Math.max(1, Math.floor(SPLIT_JOB_POINTS / nx)));
  const perPass = planPasses(unitCount, rows * nx)[0].count;
  return s > 0 ? Math.max(1, Math.min(s, perPass)) : autoSlices(gridBlocks(nx, rows, ppt), perPass);
}

/** `s` when it is a valid explicit slice count (an integer in 1..MAX_SLICES), else a RangeError. */
export function checkSlices(s: number): number {
  if (!Number.isInteger(s) || s < 1 || s > MAX_SLICES) throw new RangeError(`slices must be an integer from 1 to ${MAX_SLICES} or 'auto', got ${String(s)}`);
  return s;
}

/** Options of Eval2DSplitKernel. */
export interface Eval2DSplitOptions {
  /** Sum σ(z) instead of |z| (the SIGMOID pipeline constant, as eval2d's). */
  sigmoid?: boolean;
  /** Cap on the bytes of one storage binding (point input, partials), below the device's limit: smaller jobs. */
  maxBindingBytes?: number;
  /**
   * Points per invocation (the PPT pipeline constant; default 16). 8 gives a grid twice the point blocks, so the
   * automatic S halves and each workgroup sums twice the units: for grids whose 16-point split leaves one 256-unit
   * tile per workgroup (256², N = 4,096 on an H200; bench id gpu-v-split-p8).
   */
  pointsPerThread?: SplitPointsPerThread;
}

interface Dispatch {
  pipeline: 'split' | 'reduce';
  workgroups: [number, number];
  group: GPUBindGroup;
  from: readonly unknown[];
}

/**
 * The split-K 2D value kernel: shaders/eval2d.compute.wgsl with SPLIT sums S disjoint slices of the unit range per
 * point block (S × blocks workgroups) into a scratch buffer of partials, then shaders/eval2d_reduce.compute.wgsl
 * adds them in slice order with the affine part into the output. Same results and error bound as the tiled
 * eval2d; for small grids on big GPUs, which the unsplit kernels leave mostly idle. Owns both pipelines and every
 * buffer (grown on demand, reused). Grids too large for one binding are split into jobs of whole rows, each sized
 * so its S partials fit a storage binding; unit ranges too long for one dispatch into passes that accumulate into
 * the partials, with one reduction per job after its last pass. Same public shape as Eval2DKernel
 * (evaluateGrid, gridValues, evaluatePoints, planGrid/encode/readOutput).
 */
export class Eval2DSplitKernel {
  private readonly compiled: { split: AsyncComputePipeline; reduce: AsyncComputePipeline };
  private readonly uniforms: GrowableBuffer;
  private readonly stride: number;
  private slotBytes = new ArrayBuffer(0);
  private readonly one = new ArrayBuffer(PARAMS_SIZE);
  private readonly points: GrowableBuffer;
  private readonly partials: GrowableBuffer;
  private readonly outputs: Record<ValueTarget, GrowableBuffer>;
  private readonly staging: GrowableBuffer;
  private readonly planned: Dispatch[] = [];
  private count = 0;
  private readonly alignPoints: number;
  /** Largest job in points with one slice (the binding limit for the point input, as ValueKernel's). */
  readonly maxJobPoints: number;
  /** Bytes one storage binding may hold here: the device's limit, or less (Eval2DSplitOptions.maxBindingBytes). */
  private readonly bindingBytes: number;
  /** The slice count of the last plan (an explicit count capped at the units of a pass). */
  lastSlices = 1;
  /** Points per invocation (Eval2DSplitOptions.pointsPerThread). */
  readonly pointsPerThread: SplitPointsPerThread;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'eval2d_split',
    options: Eval2DSplitOptions = {},
  ) {
    const sigmoid = options.sigmoid ?? false;
    this.pointsPerThread = options.pointsPerThread ?? SPLIT_POINTS_PER_THREAD;
    if (this.pointsPerThread !== 8 && this.pointsPerThread !== 16) throw new RangeError(`pointsPerThread must be 8 or 16, got ${String(this.pointsPerThread)}`);
    this.bindingBytes = Math.min(device.limits.maxStorageBufferBindingSize, options.maxBindingBytes ?? Infinity);
    const split = device.createShaderModule({ label, code: splitCode });
    const reduce = device.createShaderModule({ label: `${label} reduce`, code: reduceCode });
    this.compiled = {
      // The tiled eval2d's own body with SPLIT: one WGSL source for both, so the split cannot drift from it.
      split: new AsyncComputePipeline(device, { label, layout: 'auto', compute: { module: split, entryPoint: 'main', constants: { SPLIT: 1, SIGMOID: sigmoid ? 1 : 0, PPT: this.pointsPerThread } } }),
      reduce: new AsyncComputePipeline(device, { label: `${label} reduce`, layout: 'auto', compute: { module: reduce, entryPoint: 'main' } }),
    };
    this.stride = Math.max(PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    this.uniforms = new GrowableBuffer(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${label} params`, 4 * this.stride);
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `${label} points`);
    this.partials = new GrowableBuffer(device, GPUBufferUsage.STORAGE, `${label} partials`);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.outputs = { out: new GrowableBuffer(device, usage, `${label} out`), values: new GrowableBuffer(device, usage, `${label} values`) };
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    this.alignPoints = Math.max(1, device.limits.minStorageBufferOffsetAlignment / 4);
    const limit = Math.min(SPLIT_JOB_POINTS, Math.floor(this.bindingBytes / 8));
    this.maxJobPoints = Math.max(this.alignPoints, Math.floor(limit / this.alignPoints) * this.alignPoints);
  }

  /** Compiles both pipelines ahead of the first use (see pipelines.ts). */
  async ready(): Promise<void> {
    await Promise.all([this.compiled.split.ready(), this.compiled.reduce.ready()]);
  }

  private get pipelines(): { split: GPUComputePipeline; reduce: GPUComputePipeline } {
    return { split: this.compiled.split.pipeline, reduce: this.compiled.reduce.pipeline };
  }

  private check(): void {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
  }

  /** Largest job in points whose `slices` partials fit one storage binding (a multiple of the offset alignment). */
  private jobPointsFor(slices: number): number {
    const fit = Math.floor(this.bindingBytes / (4 * slices));
    return Math.max(this.alignPoints, Math.floor(Math.min(this.maxJobPoints, fit) / this.alignPoints) * this.alignPoints);
  }

  /** Passes (dispatches: the split passes of every job and one reduction each) of the last plan. */
  get passes(): number {
    return this.count;
  }

  /**
   * The slice count for a job of `points` points and `threads` invocations under `choice`. An explicit count is
   * capped at the units of a pass (at least one unit per slice): an empty slice's workgroups only cost time.
   */
  private slicesOf(choice: SliceChoice, threads: number, unitCount: number, points: number): number {
    const perPass = planPasses(unitCount, points)[0].count;
    if (choice !== 'auto') return Math.max(1, Math.min(checkSlices(choice), perPass));
    return autoSlices(Math.ceil(threads / WORKGROUP_SIZE), perPass);
  }

  /**
   * Writes the uniforms and bind groups of every dispatch: per job, its split passes over the unit range, then
   * the reduction into `out` at the job's offset. Returns the dispatch count.
   */
  private plan(jobs: Job[], unitCount: number, slices: number, units: GPUBuffer, points: GPUBuffer, out: GPUBuffer): number {
    const maxPerDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (slices > maxPerDim) throw new RangeError(`${slices} slices exceed the adapter's ${maxPerDim} workgroups per dimension`);
    const list: Array<{ job: Job; kind: 'split' | 'reduce'; start: number; count: number }> = [];
    let partialPoints = 0;
    for (const job of jobs) {
      partialPoints = Math.max(partialPoints, job.params.pointCount);
      for (const p of planPasses(unitCount, job.params.pointCount)) list.push({ job, kind: 'split', ...p });
      list.push({ job, kind: 'reduce', start: 0, count: 0 });
    }
    const partials = this.partials.ensure(4 * slices * partialPoints);
    const bytes = this.stride * list.length;
    const uniform = this.uniforms.ensure(bytes);
    if (this.slotBytes.byteLength < bytes) this.slotBytes = new ArrayBuffer(uniform.size);
    const slots = new Uint8Array(this.slotBytes);
    list.forEach(({ job, kind, start, count }, k) => {
      packParams({ ...job.params, unitStart: start, unitCount: count, accumulate: kind === 'split' && start > 0 }, this.one);
      slots.set(new Uint8Array(this.one), this.stride * k);
      const pointBytes = 4 * job.params.pointCount;
      const partialBytes = slices * pointBytes;
      const split = kind === 'split';
      const from = split ? [kind, uniform, units, points, partials, partialBytes] : [kind, uniform, partials, partialBytes, points, out, job.outputOffset, pointBytes];
      const old = this.planned[k];
      const layout = this.pipelines[kind].getBindGroupLayout(0);
      const param = { binding: 0, resource: { buffer: uniform, offset: this.stride * k, size: PARAMS_SIZE } };
      const group =
        old && old.from.length === from.length && old.from.every((v, i) => v === from[i])
          ? old.group
          : this.device.createBindGroup({
              layout,
              entries: split
                ? [param, { binding: 1, resource: { buffer: units } }, { binding: 2, resource: { buffer: points } }, { binding: 3, resource: { buffer: partials, offset: 0, size: partialBytes } }]
                : [
                    param,
                    { binding: 1, resource: { buffer: partials, offset: 0, size: partialBytes } },
                    { binding: 2, resource: { buffer: points } },
                    { binding: 3, resource: { buffer: out, offset: job.outputOffset, size: pointBytes } },
                  ],
            });
      let workgroups: [number, number];
      if (split) {
        const blocks = Math.max(1, Math.ceil(job.threads / WORKGROUP_SIZE));
        if (blocks > maxPerDim) throw new RangeError(`a job of ${blocks} workgroups exceeds the adapter's ${maxPerDim} per dimension`);
        workgroups = [blocks, slices];
      } else {
        workgroups = dispatchSize(Math.ceil(job.params.pointCount / WORKGROUP_SIZE), maxPerDim);
      }
      this.planned[k] = { pipeline: kind, workgroups, group, from };
    });
    this.device.queue.writeBuffer(uniform, 0, this.slotBytes, 0, bytes);
    this.count = list.length;
    this.lastSlices = slices;
    return this.count;
  }

  /** The jobs covering `grid` in whole rows, each small enough for its `slices` partials. */
  private gridJobs(grid: Grid2D, affine: [number, number, number], slices: number): Job[] {
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const rows = rowsPerJob(nx, this.jobPointsFor(slices), this.alignPoints);
    const threadsPerRow = Math.ceil(nx / this.pointsPerThread);
    const jobs: Job[] = [];
    for (let j0 = 0; j0 < ny; j0 += rows) {
      const r = Math.min(rows, ny - j0);
      jobs.push({
        params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount: r * nx, mode: MODE_GRID, threadsPerRow, affine },
        threads: r * threadsPerRow,
        outputOffset: 4 * j0 * nx,
      });
    }
    return jobs;
  }

  /**
   * Plans every dispatch over `grid` (validated) into `target` with `slices` slices ('auto': autoSlices for the
   * grid's first job) and returns the dispatch count; `encode` records them, `runGrid` submits them.
   */
  planGrid(units: UnitBuffer, grid: Grid2D, target: ValueTarget = 'out', slices: SliceChoice = 'auto'): number {
    this.check();
    const rows = rowsPerJob(grid.nx, this.maxJobPoints, this.alignPoints);
    const firstRows = Math.min(rows, grid.ny);
    const s = this.slicesOf(slices, firstRows * Math.ceil(grid.nx / this.pointsPerThread), units.count, firstRows * grid.nx);
    const out = this.outputs[target].ensure(4 * grid.nx * grid.ny);
    return this.plan(this.gridJobs(grid, units.affine, s), units.count, s, units.buffer.current, this.points.current, out);
  }

  /** Records the dispatches of the last plan into `encoder`, dispatch k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    this.check();
    for (let k = 0; k < this.count; k++) this.encodePass(encoder, k, ts(k));
  }

  private encodePass(encoder: GPUCommandEncoder, k: number, timestampWrites?: GPUComputePassTimestampWrites): void {
    const p = this.planned[k];
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(this.pipelines[p.pipeline]);
    pass.setBindGroup(0, p.group);
    pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1]);
    pass.end();
  }

  /** Submits every dispatch of the last plan, each in its own submission (one long dispatch per submit at most). */
  private submit(): void {
    for (let k = 0; k < this.count; k++) {
      const encoder = this.device.createCommandEncoder();
      this.encodePass(encoder, k);
      this.device.queue.submit([encoder.finish()]);
    }
  }

  /** Plans and submits every dispatch over `grid` into `target`; the values are there once the queue runs. */
  runGrid(units: UnitBuffer, grid: Grid2D, target: ValueTarget, slices: SliceChoice = 'auto'): GpuValues {
    this.planGrid(units, grid, target, slices);
    this.submit();
    return { buffer: this.outputs[target].current, offset: 0, count: grid.nx * grid.ny, device: this.device };
  }

  /** The first `count` values of an output, read back (after its dispatches were submitted). */
  async readOutput(count: number, target: ValueTarget = 'out'): Promise<Float32Array> {
    this.check();
    return new Float32Array(await readBack(this.device, this.staging, this.outputs[target].current, 4 * count));
  }

  /** Values over `grid` (validated), read back. */
  async evaluateGrid(units: UnitBuffer, grid: Grid2D, slices: SliceChoice = 'auto'): Promise<Float32Array> {
    this.check();
    const v = this.runGrid(units, grid, 'out', slices);
    return this.readOutput(v.count);
  }

  /** Values over `grid` (validated), left on the GPU (see GpuValues for how long they stay valid). */
  gridValues(units: UnitBuffer, grid: Grid2D, slices: SliceChoice = 'auto'): GpuValues {
    this.check();
    return this.runGrid(units, grid, 'values', slices);
  }

  /** Values at a list of (x, y) points (interleaved, validated), in jobs. */
  async evaluatePoints(units: UnitBuffer, coords: ArrayLike<number>, slices: SliceChoice = 'auto'): Promise<Float32Array> {
    this.check();
    const total = Math.floor(coords.length / 2);
    const result = new Float32Array(total);
    const all = coords instanceof Float32Array ? coords : Float32Array.from(coords);
    const s0 = slices === 'auto' ? 'auto' : checkSlices(slices);
    for (let p0 = 0; p0 < total; ) {
      const threadsOf = (n: number) => Math.ceil(n / this.pointsPerThread);
      const s = this.slicesOf(s0, threadsOf(Math.min(this.maxJobPoints, total - p0)), units.count, Math.min(this.maxJobPoints, total - p0));
      const pointCount = Math.min(this.jobPointsFor(s), total - p0);
      const input = this.points.ensure(8 * pointCount);
      this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset + 8 * p0, 8 * pointCount);
      const out = this.outputs.out.ensure(4 * pointCount);
      const params: Job['params'] = { origin: [0, 0], step: [0, 0], nx: 1, pointCount, mode: MODE_POINTS, threadsPerRow: 1, affine: units.affine };
      this.plan([{ params, threads: threadsOf(pointCount), outputOffset: 0 }], units.count, s, units.buffer.current, input, out);
      this.submit();
      result.set(await this.readOutput(pointCount), p0);
      p0 += pointCount;
    }
    return result;
  }

  /** Releases the pipelines' buffers; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.points.destroy();
    this.partials.destroy();
    this.outputs.out.destroy();
    this.outputs.values.destroy();
    this.staging.destroy();
  }
}
