import harness from '../../../shaders/target1d.compute.wgsl?raw';
import { type CompiledExpression, WGSL_EXPRESSION_PRELUDE } from '../../model/expression.ts';
import { type Grid1D, gridStep, validateGrid1D } from '../../model/grid.ts';
import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { GpuDeviceLostError, GpuTargetCompileError, isShaderBuildError, withErrorScopes } from './errors.ts';

const WG = 256;
const PARAMS_BYTES = 16;
/** Sources whose shader failed, remembered so a redraw does not compile them again. */
const FAILED_CACHE = 64;

/** The complete WGSL module for one compiled expression: prelude, generated function, harness. */
export function target1dShader(expr: CompiledExpression): string {
  return `${WGSL_EXPRESSION_PRELUDE}\n${expr.wgslFunction('rs_target')}\n${harness}`;
}

/**
 * Evaluates a compiled target expression on the GPU (float32), at a grid or at given x values; undefined
 * points come back as NaN, like `CompiledExpression.evaluate`. The pipeline is rebuilt only when the
 * expression changes (`setExpression`); buffers grow to the next power of two and are reused. Calls are
 * serialised; `destroy()` is safe twice.
 *
 * An expression whose WGSL does not compile makes `setExpression` reject with GpuTargetCompileError (at once
 * for a source that failed before) and leaves the kernel without an expression; the kernel stays usable, so
 * the caller evaluates that one expression on the CPU and gives the next one to the GPU again.
 */
export class GpuTarget1D {
  private pipeline: GPUComputePipeline | null = null;
  private source = '';
  private readonly failed = new Map<string, GpuTargetCompileError>();
  private readonly uniform: GPUBuffer;
  private readonly points: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private chain: Promise<unknown> = Promise.resolve();
  private destroyed = false;
  private readonly paramBytes = new ArrayBuffer(PARAMS_BYTES);
  private bindGroup: GPUBindGroup | null = null;
  private bindKey = '';

  private constructor(private readonly device: GPUDevice) {
    this.uniform = device.createBuffer({ label: 'target1d params', size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.points = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'target1d points');
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'target1d out');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'target1d readback');
  }

  /**
   * A kernel, with `expr` set when given. A GpuTargetCompileError for `expr` destroys the kernel and rejects;
   * create without an expression to keep one kernel whatever the expressions.
   */
  static async create(device: GPUDevice, expr?: CompiledExpression): Promise<GpuTarget1D> {
    const k = new GpuTarget1D(device);
    if (!expr) return k;
    try {
      await k.setExpression(expr);
    } catch (e) {
      k.destroy();
      throw e;
    }
    return k;
  }

  /**
   * Switches to another expression (no-op when the source is unchanged). Rejects with GpuTargetCompileError when
   * its WGSL does not compile, and with the device's error when the device is lost.
   */
  setExpression(expr: CompiledExpression): Promise<void> {
    return this.serial(async () => {
      if (this.pipeline && expr.source === this.source) return;
      this.pipeline = null;
      this.bindGroup = null;
      const known = this.failed.get(expr.source);
      if (known) throw known;
      try {
        this.pipeline = await withErrorScopes(this.device, async () => {
          const module = this.device.createShaderModule({ label: 'target1d', code: target1dShader(expr) });
          return this.device.createComputePipelineAsync({ label: 'target1d', layout: 'auto', compute: { module, entryPoint: 'main' } });
        });
      } catch (e) {
        if (!isShaderBuildError(e)) throw e;
        // The prelude and harness compile for every other expression, so a failure here is this expression's.
        const err = new GpuTargetCompileError(expr.source, e instanceof Error ? e.message : String(e));
        if (this.failed.size >= FAILED_CACHE) this.failed.delete(this.failed.keys().next().value!);
        this.failed.set(expr.source, err);
        throw err;
      }
      this.source = expr.source;
    });
  }

  /** Values on a grid (inclusive ends, x_i = xMin + i·dx computed in float32 on the GPU). */
  evaluateGrid(grid: Grid1D): Promise<Float32Array> {
    const g = validateGrid1D(grid);
    return this.serial(() => this.run(g.nx, 0, g.xMin, gridStep(g.xMin, g.xMax, g.nx)));
  }

  /** Values at the given x values (finite numbers, rounded to float32). */
  evaluatePoints(xs: ArrayLike<number>): Promise<Float32Array> {
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i])) return Promise.reject(new RangeError(`xs[${i}] must be a finite number, got ${xs[i]}`));
    }
    const data = Float32Array.from(xs);
    return this.serial(async () => {
      if (data.length > 0) this.device.queue.writeBuffer(this.points.ensure(4 * data.length), 0, data);
      return this.run(data.length, 1, 0, 0);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniform.destroy();
    this.points.destroy();
    this.out.destroy();
    this.staging.destroy();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.destroyed) throw new GpuDeviceLostError('the target kernel was destroyed');
      return work();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(count: number, mode: number, x0: number, dx: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    const maxPoints = Math.floor(this.device.limits.maxStorageBufferBindingSize / 4);
    if (count > maxPoints) throw new RangeError(`at most ${maxPoints} points per call on this GPU, got ${count}`);
    const pipeline = this.pipeline;
    if (!pipeline) throw new Error('no target expression is set on the 1D target kernel (setExpression first)');
    return withErrorScopes(this.device, async () => {
      const f = new Float32Array(this.paramBytes);
      const u = new Uint32Array(this.paramBytes);
      f[0] = x0;
      f[1] = dx;
      u[2] = count;
      u[3] = mode;
      this.device.queue.writeBuffer(this.uniform, 0, this.paramBytes);
      const out = this.out.ensure(4 * count);
      // Rebuilt only when the pipeline or a grown buffer changed.
      const key = `${this.points.version}/${this.out.version}`;
      if (!this.bindGroup || key !== this.bindKey) {
        this.bindGroup = this.device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: this.uniform } },
            { binding: 1, resource: { buffer: this.points.current } },
            { binding: 2, resource: { buffer: out } },
          ],
        });
        this.bindKey = key;
      }
      const bindGroup = this.bindGroup;
      const [wx, wy] = dispatchSize(Math.ceil(count / WG), this.device.limits.maxComputeWorkgroupsPerDimension);
      const staging = this.staging.ensure(4 * count);
      const enc = this.device.createCommandEncoder({ label: 'target1d' });
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(wx, wy);
      pass.end();
      enc.copyBufferToBuffer(out, 0, staging, 0, 4 * count);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ, 0, 4 * count);
      const result = new Float32Array(staging.getMappedRange(0, 4 * count).slice(0));
      staging.unmap();
      return result;
    });
  }
}
