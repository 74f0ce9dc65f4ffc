import gramCode from '../../../shaders/gram2d.compute.wgsl?raw';
import { FitError, type Gram2D, MAX_LS_SAMPLES_2D, mirrorUpper } from '../../model/fit2d.ts';
import { GrowableBuffer } from './buffers.ts';
import { GpuDeviceLostError, withErrorScopes } from './errors.ts';
import { AsyncComputePipeline } from './pipelines.ts';

/**
 * The `GramParams` uniform of shaders/gram2d.compute.wgsl, defined once here (every member is 4 bytes, so
 * offset = 4·index; 32 bytes). test/gpu/gram2d.test.ts checks the shader declares it so.
 */
export const GRAM_PARAMS_LAYOUT = [
  { name: 'n', type: 'u32', offset: 0 },
  { name: 'k', type: 'u32', offset: 4 },
  { name: 's0', type: 'u32', offset: 8 },
  { name: 's1', type: 'u32', offset: 12 },
  { name: 'first', type: 'u32', offset: 16 },
  { name: 'pad0', type: 'u32', offset: 20 },
  { name: 'pad1', type: 'u32', offset: 24 },
  { name: 'pad2', type: 'u32', offset: 28 },
] as const;
export const GRAM_PARAMS_SIZE = 32;

/** Tile edge of the shader: a workgroup computes a TILE × TILE block of the Gram matrix. */
const TILE = 16;

/**
 * Multiply-adds per dispatch, at most (about): each chunk of samples is one dispatch in its own submission, so none
 * runs long enough to trip a browser's GPU watchdog (4× the evaluators' PASS_BUDGET: a multiply-add here is
 * cheaper than a unit evaluation).
 */
export const GRAM_PASS_BUDGET = 2 ** 31;

/** Largest chunk: keeps the in-chunk f32 sum's error near (16 + 64 + 64)·2⁻²⁴ of Σ|terms|. */
export const MAX_GRAM_CHUNK = 65_536;

/**
 * How `compute` splits M samples for K = N + 2 features: chunks of a multiple of 16 samples, each about
 * GRAM_PASS_BUDGET multiply-adds (K²/2 per sample), between 256 and MAX_GRAM_CHUNK samples.
 */
export function planGramChunks(n: number, m: number): { chunks: number; chunkSize: number } {
  const k = n + 2;
  const bySize = Math.floor(GRAM_PASS_BUDGET / ((k * k) / 2) / TILE) * TILE;
  const chunkSize = Math.min(MAX_GRAM_CHUNK, Math.max(256, bySize), Math.ceil(m / TILE) * TILE);
  return { chunks: Math.max(1, Math.ceil(m / chunkSize)), chunkSize };
}

/**
 * The λ floor of a GPU Gram for N units: its entries are off by up to ~1e-6·√(G_ii·G_jj) (tested bound 1e-5, seen
 * ≤ 4e-6), and such an error matrix can have a norm of order N times that, which must not outweigh λ·s. Measured on
 * the Gaussian bump (random units, 4,096 samples): N = 256 solves at λ = 1e-8, N = 700 needs 1e-6 (the fit's RMS
 * error then 9.10e-4 against 8.86e-4 at λ = 1e-8 from the float64 Gram). Hence 2e-9·N, at least 1e-8.
 */
export function gramRidgeFloor(n: number): number {
  return Math.max(1e-8, 2e-9 * n);
}

/**
 * HᵀH and Hᵀz of a 2D ridge fit on the GPU: the WGSL twin of model/fit2d.ts `gram2D` (same features: unit ReLUs
 * then the constant 1 of the output bias), for `leastSquares2D(samples, opts, gram)`. The shader computes the
 * upper triangle of the augmented Gram [H z]ᵀ[H z] in 16×16 tiles, one dispatch per chunk of samples, in f32
 * with rounds of 16 samples and the chunks added as exact hi + lo pairs; the result is read back once
 * ((N+2)²·8 bytes) and returned in float64 with its `ridgeFloor` (gramRidgeFloor). Error: |ΔG_ij| ≤ 1e-5·√(G_ii·G_jj)
 * for O(1) inputs (tested against the CPU twin; from the f32 rounding of the inputs and the 16-term chains). Cost M·(N+2)²/2 multiply-adds. Calls are serialised; buffers grow and are
 * reused; `destroy()` is safe twice.
 */
export class GpuGram2D {
  private destroyed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stride: number;
  private readonly units: GrowableBuffer;
  private readonly samples: GrowableBuffer;
  private readonly acc: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly uniform: GrowableBuffer;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly layout: GPUBindGroupLayout,
  ) {
    this.stride = Math.max(GRAM_PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.units = new GrowableBuffer(device, storage, 'gram2d units');
    this.samples = new GrowableBuffer(device, storage, 'gram2d samples');
    this.acc = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'gram2d acc');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'gram2d readback');
    this.uniform = new GrowableBuffer(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'gram2d params', this.stride * 4);
  }

  /** Builds the pipeline inside error scopes (typed GpuError on failure). */
  static async create(device: GPUDevice): Promise<GpuGram2D> {
    // Compiled asynchronously: a synchronous build holds the GPU process's main thread (and the page's canvases).
    return withErrorScopes(device, async () => {
      const layout = device.createBindGroupLayout({
        label: 'gram2d',
        entries: [
          { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: GRAM_PARAMS_SIZE } },
          { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
          { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
          { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        ],
      });
      const pipeline = await new AsyncComputePipeline(device, {
        label: 'gram2d',
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ label: 'gram2d', code: gramCode }), entryPoint: 'main' },
      }).ready();
      return new GpuGram2D(device, pipeline, layout);
    });
  }

  /**
   * HᵀH ((N+1)², both triangles) and Hᵀz (N+1) for units w (N×2 row-major), b (N) over samples (xs, ys, zs), in
   * float64 from float32 arithmetic. FitError for mismatched or non-finite input or a size this GPU cannot hold.
   */
  compute(w: ArrayLike<number>, b: ArrayLike<number>, xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>): Promise<Gram2D> {
    const n = b.length;
    const m = xs.length;
    try {
      if (w.length !== 2 * n) throw new FitError(`w must hold 2 weights per unit (${2 * n}), got ${w.length}`);
      if (ys.length !== m || zs.length !== m) throw new FitError(`samples need as many ys and zs as xs (got ${m}, ${ys.length}, ${zs.length})`);
      if (m < 1 || m > MAX_LS_SAMPLES_2D) throw new FitError(`samples: need 1 to ${MAX_LS_SAMPLES_2D} points, got ${m}`);
      const k = n + 2;
      const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
      if (8 * k * k > limit) throw new FitError(`${n} units are too many for this GPU's Gram matrix (${8 * k * k} bytes; a binding holds ${limit})`);
      if (16 * m > limit) throw new FitError(`${m} samples are too many for this GPU (a binding holds ${Math.floor(limit / 16)})`);
      if (Math.ceil(k / TILE) > this.device.limits.maxComputeWorkgroupsPerDimension) throw new FitError(`${n} units are too many for this GPU's Gram kernel`);
    } catch (e) {
      return Promise.reject(e);
    }
    const units = new Float32Array(4 * Math.max(1, n));
    for (let i = 0; i < n; i++) {
      units[4 * i] = w[2 * i];
      units[4 * i + 1] = w[2 * i + 1];
      units[4 * i + 2] = b[i];
    }
    const pts = new Float32Array(4 * m);
    for (let s = 0; s < m; s++) {
      pts[4 * s] = xs[s];
      pts[4 * s + 1] = ys[s];
      pts[4 * s + 2] = zs[s];
    }
    for (let i = 0; i < units.length; i++) {
      if (!Number.isFinite(units[i])) return Promise.reject(new FitError(`unit ${i >> 2}: weights and bias must be finite (and within float32)`));
    }
    for (let i = 0; i < pts.length; i++) {
      if (!Number.isFinite(pts[i])) return Promise.reject(new FitError(`sample ${i >> 2} is not finite (or beyond float32)`));
    }
    return this.serial(() => this.run(n, m, units, pts));
  }

  /** Releases every buffer; later calls reject. Safe to call more than once. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.units, this.samples, this.acc, this.staging, this.uniform]) b.destroy();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.destroyed) throw new GpuDeviceLostError('the Gram kernel was destroyed');
      return work();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(n: number, m: number, units: Float32Array<ArrayBuffer>, pts: Float32Array<ArrayBuffer>): Promise<Gram2D> {
    const k = n + 2;
    const { chunks, chunkSize } = planGramChunks(n, m);
    const accBytes = 8 * k * k;
    const raw = await withErrorScopes(this.device, async () => {
      const dev = this.device;
      const ub = this.units.ensure(units.byteLength);
      const sb = this.samples.ensure(pts.byteLength);
      const ab = this.acc.ensure(accBytes);
      const uni = this.uniform.ensure(this.stride * chunks);
      dev.queue.writeBuffer(ub, 0, units);
      dev.queue.writeBuffer(sb, 0, pts);
      const slots = new ArrayBuffer(this.stride * chunks);
      const u32 = new Uint32Array(slots);
      for (let c = 0; c < chunks; c++) {
        const o = (c * this.stride) / 4;
        u32[o] = n;
        u32[o + 1] = k;
        u32[o + 2] = c * chunkSize;
        u32[o + 3] = Math.min(m, (c + 1) * chunkSize);
        u32[o + 4] = c === 0 ? 1 : 0;
      }
      dev.queue.writeBuffer(uni, 0, slots);
      const group = dev.createBindGroup({
        layout: this.layout,
        entries: [
          { binding: 0, resource: { buffer: uni, offset: 0, size: GRAM_PARAMS_SIZE } },
          { binding: 1, resource: { buffer: ub, offset: 0, size: units.byteLength } },
          { binding: 2, resource: { buffer: sb, offset: 0, size: pts.byteLength } },
          { binding: 3, resource: { buffer: ab, offset: 0, size: accBytes } },
        ],
      });
      const tiles = Math.ceil(k / TILE);
      // One chunk per submission: queue order carries the accumulation, and no submission runs long.
      for (let c = 0; c < chunks; c++) {
        const enc = dev.createCommandEncoder({ label: 'gram2d' });
        const pass = enc.beginComputePass({ label: 'gram2d' });
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, group, [c * this.stride]);
        pass.dispatchWorkgroups(tiles, tiles);
        pass.end();
        dev.queue.submit([enc.finish()]);
      }
      const st = this.staging.ensure(accBytes);
      const enc = dev.createCommandEncoder({ label: 'gram2d read' });
      enc.copyBufferToBuffer(ab, 0, st, 0, accBytes);
      dev.queue.submit([enc.finish()]);
      await st.mapAsync(GPUMapMode.READ, 0, accBytes);
      try {
        return new Float32Array(st.getMappedRange(0, accBytes).slice(0));
      } finally {
        st.unmap();
      }
    });
    const n1 = n + 1;
    const gram = new Float64Array(n1 * n1);
    const rhs = new Float64Array(n1);
    for (let i = 0; i < n1; i++) {
      for (let j = i; j < n1; j++) {
        const o = 2 * (i * k + j);
        gram[i * n1 + j] = raw[o] + raw[o + 1];
      }
      const o = 2 * (i * k + n1);
      rhs[i] = raw[o] + raw[o + 1];
    }
    mirrorUpper(gram, n1);
    return { gram, rhs, ridgeFloor: gramRidgeFloor(n) };
  }
}
