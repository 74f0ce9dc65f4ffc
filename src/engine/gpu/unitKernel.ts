import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { type Params, PARAMS_SIZE, packParams } from './params.ts';
import { AsyncComputePipeline } from './pipelines.ts';
import type { PassTimestamps } from './timer.ts';

/** Threads per workgroup, as in the shaders. */
export const WORKGROUP_SIZE = 256;

/**
 * Unit-evaluations per dispatch. Long N × G products are split into passes over unit ranges that
 * accumulate into the output, so no single dispatch runs long enough to trip a browser's GPU watchdog.
 */
export const PASS_BUDGET = 1 << 29;

/** One job: a set of points (a block of grid rows or a slice of a point list), its launch shape and output slice. */
export interface Job {
  /** Params for the job; unitStart, unitCount and accumulate are filled in per pass. */
  params: Omit<Params, 'unitStart' | 'unitCount' | 'accumulate'>;
  /** Invocations needed to cover the job's points. */
  threads: number;
  /**
   * Byte offset of the job's slice in the buffers bound at 2 and 3 (0 for an input bound there), a multiple of
   * the device's minStorageBufferOffsetAlignment: jobs of one grid write one contiguous output.
   */
  outputOffset: number;
}

/** The storage buffers a unit kernel binds: 1 the units, 2 and 3 what the kernel module chooses. */
export interface UnitBindings {
  units: GPUBuffer;
  binding2: GPUBuffer;
  binding3: GPUBuffer;
  /** Whether bindings 2 and 3 are outputs sliced per job (at Job.outputOffset) or inputs bound whole. */
  sliced: [boolean, boolean];
}

/** Unit ranges for one job: each pass stays under PASS_BUDGET; at least one pass, so N = 0 still writes c. */
export function planPasses(unitCount: number, points: number): Array<{ start: number; count: number }> {
  const perPass = Math.max(WORKGROUP_SIZE, Math.floor(PASS_BUDGET / Math.max(1, points) / WORKGROUP_SIZE) * WORKGROUP_SIZE);
  const passes: Array<{ start: number; count: number }> = [];
  for (let start = 0; start < unitCount; start += perPass) passes.push({ start, count: Math.min(perPass, unitCount - start) });
  if (passes.length === 0) passes.push({ start: 0, count: 0 });
  return passes;
}

interface PlannedPass {
  workgroups: [number, number];
  group: GPUBindGroup;
  /** What the bind group was built from, so it is rebuilt only when one of them changes. */
  from: readonly unknown[];
}

/**
 * The launch machinery shared by the unit-sum kernels (eval1d, eval2d and its variants, regions2d): one compute
 * pipeline with four bindings (params, units, and two storage buffers the kernel module chooses), one uniform
 * slot per pass, and one bind group per pass, rebuilt only when what it binds changes.
 *
 * `plan` writes every pass of every job at once; `encode` records them into one encoder (the benchmark, with
 * timestamp writes); `submit` gives each pass its own submission (the app: one long dispatch per submit at most).
 * Both run the same recorded passes, so the benchmark times exactly what the app runs.
 */
export class UnitKernel {
  private readonly compiled: AsyncComputePipeline;
  private readonly uniforms: GrowableBuffer;
  /** Bytes between uniform slots: the device's uniform offset alignment. */
  private readonly stride: number;
  private slotBytes = new ArrayBuffer(0);
  private readonly one = new ArrayBuffer(PARAMS_SIZE);
  private readonly planned: PlannedPass[] = [];
  private count = 0;

  constructor(
    private readonly device: GPUDevice,
    label: string,
    code: string,
    /** Pipeline-overridable constants (e.g. eval1d/eval2d's SIGMOID). */
    constants?: Record<string, number>,
  ) {
    const module = device.createShaderModule({ label, code });
    this.compiled = new AsyncComputePipeline(device, { label, layout: 'auto', compute: { module, entryPoint: 'main', ...(constants ? { constants } : {}) } });
    this.stride = Math.max(PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    this.uniforms = new GrowableBuffer(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${label} params`, 4 * this.stride);
  }

  /** Compiles the pipeline off the GPU process's main thread (see pipelines.ts); the app awaits it before the first use. */
  async ready(): Promise<void> {
    await this.compiled.ready();
  }

  private get pipeline(): GPUComputePipeline {
    return this.compiled.pipeline;
  }

  /** Passes the last `plan` recorded. */
  get passes(): number {
    return this.count;
  }

  /**
   * Writes the uniforms and bind groups for every pass of `jobs` over `unitCount` units and returns the pass
   * count. Slots are per pass, so all of them can sit in one submission. `slices` (split-K kernels, whose shaders
   * read the slice from workgroup_id.y): dispatch (point blocks, slices) instead of folding large counts into y.
   */
  plan(jobs: Job[], unitCount: number, bind: UnitBindings, slices?: number): number {
    const list: Array<{ job: Job; start: number; count: number }> = [];
    for (const job of jobs) for (const p of planPasses(unitCount, job.params.pointCount)) list.push({ job, ...p });
    const bytes = this.stride * list.length;
    const uniform = this.uniforms.ensure(bytes);
    if (this.slotBytes.byteLength < bytes) this.slotBytes = new ArrayBuffer(uniform.size);
    const slots = new Uint8Array(this.slotBytes);
    const maxPerDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    const launch = (threads: number): [number, number] => {
      const blocks = Math.ceil(threads / WORKGROUP_SIZE);
      if (slices === undefined) return dispatchSize(blocks, maxPerDim);
      if (blocks > maxPerDim || slices > maxPerDim) throw new RangeError(`a split dispatch of ${blocks} × ${slices} workgroups exceeds the adapter's limits`);
      return [Math.max(1, blocks), slices];
    };
    list.forEach(({ job, start, count }, k) => {
      packParams({ ...job.params, unitStart: start, unitCount: count, accumulate: start > 0 }, this.one);
      slots.set(new Uint8Array(this.one), this.stride * k);
      const size = 4 * job.params.pointCount;
      const o2 = bind.sliced[0] ? job.outputOffset : 0;
      const o3 = bind.sliced[1] ? job.outputOffset : 0;
      const from = [uniform, bind.units, bind.binding2, o2, bind.sliced[0] ? size : 0, bind.binding3, o3, bind.sliced[1] ? size : 0];
      const old = this.planned[k];
      const group =
        old && old.from.every((v, i) => v === from[i])
          ? old.group
          : this.device.createBindGroup({
              layout: this.pipeline.getBindGroupLayout(0),
              entries: [
                { binding: 0, resource: { buffer: uniform, offset: this.stride * k, size: PARAMS_SIZE } },
                { binding: 1, resource: { buffer: bind.units } },
                { binding: 2, resource: bind.sliced[0] ? { buffer: bind.binding2, offset: o2, size } : { buffer: bind.binding2 } },
                { binding: 3, resource: bind.sliced[1] ? { buffer: bind.binding3, offset: o3, size } : { buffer: bind.binding3 } },
              ],
            });
      this.planned[k] = { group, from, workgroups: launch(job.threads) };
    });
    this.device.queue.writeBuffer(uniform, 0, this.slotBytes, 0, bytes);
    this.count = list.length;
    return this.count;
  }

  /** Records pass k of the last plan as one compute pass. */
  encodePass(encoder: GPUCommandEncoder, k: number, timestampWrites?: GPUComputePassTimestampWrites): void {
    if (k < 0 || k >= this.count) throw new RangeError(`pass ${k} of ${this.count}`);
    const p = this.planned[k];
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, p.group);
    pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1]);
    pass.end();
  }

  /** Records every pass of the last plan into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    for (let k = 0; k < this.count; k++) this.encodePass(encoder, k, ts(k));
  }

  /** Submits every pass of the last plan, each in its own submission (queue order carries the accumulation). */
  submit(): void {
    for (let k = 0; k < this.count; k++) {
      const encoder = this.device.createCommandEncoder();
      this.encodePass(encoder, k);
      this.device.queue.submit([encoder.finish()]);
    }
  }

  destroy(): void {
    this.uniforms.destroy();
  }
}

/** Copies `bytes` of `source` (from `offset`) into a mappable buffer and returns them as a fresh ArrayBuffer. */
export async function readBack(device: GPUDevice, staging: GrowableBuffer, source: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  if (bytes === 0) return new ArrayBuffer(0);
  const target = staging.ensure(bytes);
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, offset, target, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await target.mapAsync(GPUMapMode.READ, 0, bytes);
  try {
    return target.getMappedRange(0, bytes).slice(0);
  } finally {
    target.unmap();
  }
}
