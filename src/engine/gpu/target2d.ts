import harness from '../../../shaders/target2d.compute.wgsl?raw';
import { type CompiledExpression2D, WGSL_EXPRESSION_PRELUDE } from '../../model/expression.ts';
import { type Grid2D, gridStep, validateGrid2D } from '../../model/grid.ts';
import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { GpuDeviceLostError, GpuTargetCompileError, isShaderBuildError, withErrorScopes } from './errors.ts';
import type { GpuValues } from './valueKernel.ts';

const WG = 256;
const PARAMS_BYTES = 16;
/** Compiled pipelines kept (most recently used): switching back and forth between targets rebuilds nothing. */
const PIPELINE_CACHE = 16;
/** Sources whose shader failed, remembered so a redraw does not compile them again. */
const FAILED_CACHE = 64;

/** The complete WGSL module for one compiled 2D expression: prelude, generated function, harness. */
export function target2dShader(expr: CompiledExpression2D): string {
  return `${WGSL_EXPRESSION_PRELUDE}\n${expr.wgslFunction('rs_target')}\n${harness}`;
}

/**
 * The WGSL of one expression could not be built into a pipeline (e.g. `1e38*1e38 + x`: WGSL folds constant
 * subexpressions when it compiles and rejects the overflow). A GpuTargetCompileError: not a GpuError, the device
 * is fine, so callers evaluate this one expression on the CPU (`CompiledExpression2D.evaluate`) and keep the
 * GPU for the next target.
 */
export class GpuTarget2DCompileError extends GpuTargetCompileError {
  override name = 'GpuTarget2DCompileError';
}

/**
 * Evaluates a compiled 2D target expression on the GPU (float32) on a grid (row-major, index j·nx + i, as
 * model/grid.ts) or at given (x, y) points; undefined points come back as NaN, like
 * `CompiledExpression2D.evaluate`. Values can be read back or left on the GPU (`gridValues`) for a view to draw.
 *
 * Pipelines are cached per expression source. An expression whose WGSL does not compile makes `setExpression`
 * reject with GpuTarget2DCompileError and leaves the kernel without an expression until the next
 * `setExpression`; the kernel stays usable for other expressions. Usage: one kernel per device,
 * `await k.setExpression(e)` per target, CPU for that target on GpuTarget2DCompileError. Buffers grow to
 * the next power of two and are reused; calls are serialised; `destroy()` is safe twice.
 */
export class GpuTarget2D {
  private pipeline: GPUComputePipeline | null = null;
  private current: string | null = null;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly failed = new Map<string, GpuTarget2DCompileError>();
  private readonly uniform: GPUBuffer;
  private readonly coords: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private chain: Promise<unknown> = Promise.resolve();
  private destroyed = false;
  private readonly paramBytes = new ArrayBuffer(PARAMS_BYTES);
  private bindGroup: GPUBindGroup | null = null;
  private bindKey = '';
  private bindPipeline: GPUComputePipeline | null = null;

  private constructor(readonly device: GPUDevice) {
    this.uniform = device.createBuffer({ label: 'target2d params', size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.coords = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'target2d coords');
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'target2d out');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'target2d readback');
  }

  /**
   * A kernel, with `expr` set when given. A GpuTarget2DCompileError for `expr` destroys the kernel and rejects,
   * like GpuTarget1D.create; create without an expression to keep one kernel whatever the expressions.
   */
  static async create(device: GPUDevice, expr?: CompiledExpression2D): Promise<GpuTarget2D> {
    const k = new GpuTarget2D(device);
    if (!expr) return k;
    try {
      await k.setExpression(expr);
    } catch (e) {
      k.destroy();
      throw e;
    }
    return k;
  }

  /** The source of the expression evaluated now, or null when none is set (or the last one failed). */
  get source(): string | null {
    return this.current;
  }

  /**
   * Switches to another expression: a cached pipeline when this source was built before, else a new one.
   * Rejects with GpuTarget2DCompileError when its WGSL does not compile (again at once for a source that
   * failed before), and with the device's error when the device is lost.
   */
  setExpression(expr: CompiledExpression2D): Promise<void> {
    return this.serial(async () => {
      const source = expr.source;
      const cached = this.pipelines.get(source);
      if (cached) {
        // Most recently used last.
        this.pipelines.delete(source);
        this.pipelines.set(source, cached);
        this.use(source, cached);
        return;
      }
      this.use(null, null);
      const known = this.failed.get(source);
      if (known) throw known;
      let pipeline: GPUComputePipeline;
      try {
        pipeline = await withErrorScopes(this.device, async () => {
          const module = this.device.createShaderModule({ label: 'target2d', code: target2dShader(expr) });
          return this.device.createComputePipelineAsync({ label: 'target2d', layout: 'auto', compute: { module, entryPoint: 'main' } });
        });
      } catch (e) {
        if (!isShaderBuildError(e)) throw e;
        // The prelude and harness compile for every other expression, so a failure here is this expression's.
        const err = new GpuTarget2DCompileError(source, e instanceof Error ? e.message : String(e));
        if (this.failed.size >= FAILED_CACHE) this.failed.delete(this.failed.keys().next().value!);
        this.failed.set(source, err);
        throw err;
      }
      if (this.pipelines.size >= PIPELINE_CACHE) this.pipelines.delete(this.pipelines.keys().next().value!);
      this.pipelines.set(source, pipeline);
      this.use(source, pipeline);
    });
  }

  /** Values on a grid, read back: row-major, (x_i, y_j) = (xMin + i·dx, yMin + j·dy) rounded to float32. */
  evaluateGrid(grid: Grid2D): Promise<Float32Array> {
    const g = validateGrid2D(grid);
    return this.serial(async () => {
      this.writeGridCoords(g);
      return this.dispatch(g.nx * g.ny, 0, g.nx, true);
    });
  }

  /**
   * Values on a grid left on the GPU (layout as `evaluateGrid`; STORAGE and COPY_SRC usage): valid until the
   * next call on this kernel, or its destruction. Work submitted before that call reads them in queue order.
   */
  gridValues(grid: Grid2D): Promise<GpuValues> {
    const g = validateGrid2D(grid);
    return this.serial(async () => {
      this.writeGridCoords(g);
      await this.dispatch(g.nx * g.ny, 0, g.nx, false);
      return { buffer: this.out.current, offset: 0, count: g.nx * g.ny, device: this.device };
    });
  }

  /** Values at points given as interleaved x, y (finite numbers, rounded to float32). */
  evaluatePoints(xy: ArrayLike<number>): Promise<Float32Array> {
    if (xy.length % 2 !== 0) return Promise.reject(new RangeError(`points must be interleaved x, y pairs, got ${xy.length} numbers`));
    for (let i = 0; i < xy.length; i++) {
      if (!Number.isFinite(xy[i])) return Promise.reject(new RangeError(`points[${i}] must be a finite number, got ${xy[i]}`));
    }
    const data = Float32Array.from(xy);
    return this.serial(async () => {
      const count = data.length / 2;
      if (count > 0) {
        this.checkCount(2 * count);
        this.device.queue.writeBuffer(this.coords.ensure(4 * data.length), 0, data);
      }
      return this.dispatch(count, 1, 0, true);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pipelines.clear();
    this.pipeline = null;
    this.uniform.destroy();
    this.coords.destroy();
    this.out.destroy();
    this.staging.destroy();
  }

  private use(source: string | null, pipeline: GPUComputePipeline | null): void {
    this.current = source;
    this.pipeline = pipeline;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.destroyed) throw new GpuDeviceLostError('the 2D target kernel was destroyed');
      return work();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private checkCount(values: number): void {
    const max = Math.floor(this.device.limits.maxStorageBufferBindingSize / 4);
    if (values > max) throw new RangeError(`at most ${max} values per call on this GPU, got ${values}`);
  }

  /** The grid's axes, from float64 like gridPoints2D, rounded once to float32: x values, then y values. */
  private writeGridCoords(g: Grid2D): void {
    const dx = gridStep(g.xMin, g.xMax, g.nx);
    const dy = gridStep(g.yMin, g.yMax, g.ny);
    const axes = new Float32Array(g.nx + g.ny);
    for (let i = 0; i < g.nx; i++) axes[i] = g.xMin + i * dx;
    for (let j = 0; j < g.ny; j++) axes[g.nx + j] = g.yMin + j * dy;
    this.device.queue.writeBuffer(this.coords.ensure(4 * axes.length), 0, axes);
  }

  private async dispatch(count: number, mode: number, nx: number, readBack: boolean): Promise<Float32Array> {
    const pipeline = this.pipeline;
    if (!pipeline) throw new Error('no target expression is set on the 2D target kernel (setExpression first)');
    if (count === 0) return new Float32Array(0);
    this.checkCount(count);
    return withErrorScopes(this.device, async () => {
      const u = new Uint32Array(this.paramBytes);
      u[0] = count;
      u[1] = nx;
      u[2] = mode;
      u[3] = 0;
      this.device.queue.writeBuffer(this.uniform, 0, this.paramBytes);
      const out = this.out.ensure(4 * count);
      // Rebuilt only when the pipeline or a grown buffer changed.
      const key = `${this.coords.version}/${this.out.version}`;
      if (!this.bindGroup || key !== this.bindKey || pipeline !== this.bindPipeline) {
        this.bindGroup = this.device.createBindGroup({
          label: 'target2d',
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: this.uniform } },
            { binding: 1, resource: { buffer: this.coords.current } },
            { binding: 2, resource: { buffer: out } },
          ],
        });
        this.bindKey = key;
        this.bindPipeline = pipeline;
      }
      const [wx, wy] = dispatchSize(Math.ceil(count / WG), this.device.limits.maxComputeWorkgroupsPerDimension);
      const enc = this.device.createCommandEncoder({ label: 'target2d' });
      const pass = enc.beginComputePass({ label: 'target2d' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.dispatchWorkgroups(wx, wy);
      pass.end();
      if (!readBack) {
        this.device.queue.submit([enc.finish()]);
        return new Float32Array(0);
      }
      const staging = this.staging.ensure(4 * count);
      enc.copyBufferToBuffer(out, 0, staging, 0, 4 * count);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ, 0, 4 * count);
      const result = new Float32Array(staging.getMappedRange(0, 4 * count).slice(0));
      staging.unmap();
      return result;
    });
  }
}
