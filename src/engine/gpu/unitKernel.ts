import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { type Params, PARAMS_SIZE, packParams } from './params.ts';

/** Threads per workgroup, as in the shaders. */
export const WORKGROUP_SIZE = 256;

/**
 * Unit-evaluations per dispatch. Long N × G products are split into passes over unit ranges that
 * accumulate into the output, so no single dispatch runs long enough to trip a browser's GPU watchdog.
 */
export const PASS_BUDGET = 1 << 29;

/** One job: a set of points (a block of grid rows or a slice of a point list) and its launch shape. */
export interface Job {
  /** Params for the job; unitStart, unitCount and accumulate are filled in per pass. */
  params: Omit<Params, 'unitStart' | 'unitCount' | 'accumulate'>;
  /** Invocations needed to cover the job's points. */
  threads: number;
}

/** Unit ranges for one job: each pass stays under PASS_BUDGET; at least one pass, so N = 0 still writes c. */
export function planPasses(unitCount: number, points: number): Array<{ start: number; count: number }> {
  const perPass = Math.max(WORKGROUP_SIZE, Math.floor(PASS_BUDGET / Math.max(1, points) / WORKGROUP_SIZE) * WORKGROUP_SIZE);
  const passes: Array<{ start: number; count: number }> = [];
  for (let start = 0; start < unitCount; start += perPass) passes.push({ start, count: Math.min(perPass, unitCount - start) });
  if (passes.length === 0) passes.push({ start: 0, count: 0 });
  return passes;
}

/**
 * The launch machinery shared by the unit-sum kernels (eval1d, eval2d, regions2d): one compute pipeline
 * with four bindings (params, units, and two storage buffers the kernel module chooses), one uniform
 * buffer, and one bind group rebuilt only when a bound buffer is replaced.
 */
export class UnitKernel {
  private readonly pipeline: GPUComputePipeline;
  private readonly uniform: GPUBuffer;
  private readonly paramBytes = new ArrayBuffer(PARAMS_SIZE);
  private bindGroup: GPUBindGroup | null = null;
  private bindKey = '';

  constructor(
    private readonly device: GPUDevice,
    label: string,
    code: string,
  ) {
    const module = device.createShaderModule({ label, code });
    this.pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.uniform = device.createBuffer({ label: `${label} params`, size: PARAMS_SIZE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  /**
   * Submits every pass of `job` over `unitCount` units. Each pass is its own submit after its own uniform
   * write; queue order guarantees each dispatch sees its params and the previous pass's output.
   */
  run(job: Job, unitCount: number, units: GrowableBuffer, binding2: GrowableBuffer, binding3: GrowableBuffer): void {
    const key = `${units.version}/${binding2.version}/${binding3.version}`;
    if (!this.bindGroup || key !== this.bindKey) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniform } },
          { binding: 1, resource: { buffer: units.current } },
          { binding: 2, resource: { buffer: binding2.current } },
          { binding: 3, resource: { buffer: binding3.current } },
        ],
      });
      this.bindKey = key;
    }
    const workgroups = Math.ceil(job.threads / WORKGROUP_SIZE);
    const [x, y] = dispatchSize(workgroups, this.device.limits.maxComputeWorkgroupsPerDimension);
    for (const pass of planPasses(unitCount, job.params.pointCount)) {
      packParams({ ...job.params, unitStart: pass.start, unitCount: pass.count, accumulate: pass.start > 0 }, this.paramBytes);
      this.device.queue.writeBuffer(this.uniform, 0, this.paramBytes);
      const encoder = this.device.createCommandEncoder();
      const compute = encoder.beginComputePass();
      compute.setPipeline(this.pipeline);
      compute.setBindGroup(0, this.bindGroup);
      compute.dispatchWorkgroups(x, y);
      compute.end();
      this.device.queue.submit([encoder.finish()]);
    }
  }

  destroy(): void {
    this.uniform.destroy();
  }
}

/** Copies `bytes` of `source` into a mappable buffer and returns them as a fresh ArrayBuffer. */
export async function readBack(device: GPUDevice, staging: GrowableBuffer, source: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const target = staging.ensure(bytes);
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, target, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await target.mapAsync(GPUMapMode.READ, 0, bytes);
  try {
    return target.getMappedRange(0, bytes).slice(0);
  } finally {
    target.unmap();
  }
}
