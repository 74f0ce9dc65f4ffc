import type { Network } from '../model/network.ts';
import { type Grid1D, type Grid2D, gridStep } from '../model/grid.ts';
import { GrowableBuffer, dispatchSize } from '../engine/gpu/buffers.ts';
import { MODE_GRID, PARAMS_SIZE, type Params, packParams } from '../engine/gpu/params.ts';
import { WORKGROUP_SIZE, planPasses, readBack } from '../engine/gpu/unitKernel.ts';
import { UnitBuffer } from '../engine/gpu/units.ts';
import type { PassTimestamps } from '../engine/gpu/timer.ts';

/** Byte stride between the per-pass uniform slots (the WebGPU minimum uniform offset alignment). */
const SLOT = 256;

/** Points per invocation as the shader declares it (`const PPT: u32 = 16u;`), 4 where it does not. */
export function pointsPerThread(code: string): number {
  const m = /const\s+PPT\s*:\s*u32\s*=\s*(\d+)u?\s*;/.exec(code);
  return m ? Number(m[1]) : 4;
}

/**
 * Drives any kernel that follows the unit-kernel convention of src/engine/gpu/unitKernel.ts (bindings: 0 Params,
 * 1 units as vec4, 2 and 3 storage outputs or inputs; 256 invocations of 4 points each) for the benchmark:
 * the same shader text, points per invocation (read from the shader's PPT) and pass plan as the app's kernel modules, but every pass is recorded into
 * one command encoder with its own uniform slot, so the whole evaluation can be timed with timestamp
 * queries and nothing is read back unless asked. Grids must fit one job (≤ `maxPoints`).
 */
export class UnitKernelHarness {
  private readonly pipeline: GPUComputePipeline;
  private readonly units: UnitBuffer;
  private readonly b2: GrowableBuffer;
  private readonly b3: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private uniforms: GPUBuffer | null = null;
  private uniformSlots = 0;
  private bindGroups: GPUBindGroup[] = [];
  private plan: { passes: number; workgroups: [number, number]; points: number } | null = null;
  private destroyed = false;
  private readonly ppt: number;
  readonly maxPoints: number;

  /**
   * `outputs`: 'values' (binding 2 is an unused point list, 3 the f32 output) or 'regions' (2 and 3 are the
   * u32 active counts and pattern ids).
   */
  constructor(
    private readonly device: GPUDevice,
    label: string,
    code: string,
    private readonly outputs: 'values' | 'regions',
  ) {
    this.ppt = pointsPerThread(code);
    const module = device.createShaderModule({ label, code });
    this.pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.units = new UnitBuffer(device);
    const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.b2 = new GrowableBuffer(device, outputs === 'regions' ? out : GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `${label} binding 2`);
    this.b3 = new GrowableBuffer(device, out, `${label} binding 3`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    this.maxPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 8 / 4) * 4);
  }

  /** Uploads the network and plans the passes over `grid` (1D for a 1D network, 2D for a 2D one). */
  prepare(net: Network, grid: Grid1D | Grid2D): void {
    if (this.destroyed) throw new Error('UnitKernelHarness used after destroy()');
    this.units.upload(net);
    const n = net.a.length;
    let params: Omit<Params, 'unitStart' | 'unitCount' | 'accumulate'>;
    let threads: number;
    if (net.dim === 1) {
      const g = grid as Grid1D;
      const dx = gridStep(g.xMin, g.xMax, g.nx);
      params = { origin: [g.xMin, 0], step: [dx, 0], nx: g.nx, pointCount: g.nx, mode: MODE_GRID, threadsPerRow: 1, affine: this.units.affine };
      threads = Math.ceil(g.nx / this.ppt);
    } else {
      const g = grid as Grid2D;
      const threadsPerRow = Math.ceil(g.nx / this.ppt);
      params = {
        origin: [g.xMin, g.yMin],
        step: [gridStep(g.xMin, g.xMax, g.nx), gridStep(g.yMin, g.yMax, g.ny)],
        nx: g.nx,
        pointCount: g.nx * g.ny,
        mode: MODE_GRID,
        threadsPerRow,
        affine: this.units.affine,
      };
      threads = g.ny * threadsPerRow;
    }
    if (params.pointCount > this.maxPoints) throw new RangeError(`benchmark grids hold at most ${this.maxPoints} points`);
    const passes = planPasses(n, params.pointCount);
    if (!this.uniforms || passes.length > this.uniformSlots) {
      this.uniforms?.destroy();
      this.uniformSlots = Math.max(4, passes.length);
      this.uniforms = this.device.createBuffer({ size: SLOT * this.uniformSlots, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    }
    const bytes = new ArrayBuffer(SLOT * passes.length);
    passes.forEach((p, k) => {
      const one = packParams({ ...params, unitStart: p.start, unitCount: p.count, accumulate: p.start > 0 });
      new Uint8Array(bytes, SLOT * k, PARAMS_SIZE).set(new Uint8Array(one));
    });
    this.device.queue.writeBuffer(this.uniforms, 0, bytes);
    const outBytes = 4 * Math.max(1, params.pointCount);
    const b2 = this.outputs === 'regions' ? this.b2.ensure(outBytes) : this.b2.current;
    const b3 = this.b3.ensure(outBytes);
    this.bindGroups = passes.map((_, k) =>
      this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms!, offset: SLOT * k, size: PARAMS_SIZE } },
          { binding: 1, resource: { buffer: this.units.buffer.current } },
          { binding: 2, resource: { buffer: b2 } },
          { binding: 3, resource: { buffer: b3 } },
        ],
      }),
    );
    const workgroups = dispatchSize(Math.ceil(threads / WORKGROUP_SIZE), this.device.limits.maxComputeWorkgroupsPerDimension);
    this.plan = { passes: passes.length, workgroups, points: params.pointCount };
  }

  /** Compute passes one evaluation records (one per unit range). */
  get passes(): number {
    if (!this.plan) throw new Error('UnitKernelHarness: prepare() first');
    return this.plan.passes;
  }

  /** Records the evaluation into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    const plan = this.plan;
    if (!plan) throw new Error('UnitKernelHarness: prepare() first');
    for (let k = 0; k < plan.passes; k++) {
      const tw = ts(k);
      const pass = encoder.beginComputePass(tw ? { timestampWrites: tw } : {});
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.bindGroups[k]);
      pass.dispatchWorkgroups(plan.workgroups[0], plan.workgroups[1]);
      pass.end();
    }
  }

  /** The values of the last evaluation ('values' kernels). */
  async readValues(): Promise<Float32Array> {
    const n = this.plan?.points ?? 0;
    return new Float32Array(await readBack(this.device, this.staging, this.b3.current, 4 * n));
  }

  /** Active counts and pattern ids of the last evaluation ('regions' kernels). */
  async readRegions(): Promise<{ active: Uint32Array; pattern: Uint32Array }> {
    const n = this.plan?.points ?? 0;
    const active = new Uint32Array(await readBack(this.device, this.staging, this.b2.current, 4 * n));
    const pattern = new Uint32Array(await readBack(this.device, this.staging, this.b3.current, 4 * n));
    return { active, pattern };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.units.destroy();
    this.b2.destroy();
    this.b3.destroy();
    this.staging.destroy();
    this.uniforms?.destroy();
  }
}
