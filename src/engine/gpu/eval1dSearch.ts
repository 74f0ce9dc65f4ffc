import code from '../../../shaders/eval1d_search.compute.wgsl?raw';
import type { Network } from '../../model/network.ts';
import { type Grid1D, gridStep } from '../../model/grid.ts';
import { type PiecewiseLinear, pieceIndex, piecewise1D } from '../../model/piecewise1d.ts';
import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { readBack } from './unitKernel.ts';

/** Samples per invocation and invocations per workgroup, as in the shader. */
const WG = 256;
/** Uniform layout (see shaders/eval1d_search.compute.wgsl): xMin f32 @0, dx f32 @4, count u32 @8, knotCount u32 @12, mode u32 @16, slope0 f32 @20, 2 × pad. */
const PARAMS_SIZE = 32;

/**
 * Packs the piecewise form for the GPU, one vec4 per knot: (k̃_j, f(k̃_j), slope right of k_j, 0), where k̃_j is
 * the knot rounded to float32 and f(k̃_j) is computed in float64 at that rounded position, so the anchor pair
 * is exact before its one final rounding (anchoring at the exact knot would add slope × rounding of k_j).
 * A network with no knots (a straight line) gets one anchor at x = 0.
 * Returns the packed knots and the slope left of the first knot.
 */
export function packKnots(pl: PiecewiseLinear): { packed: Float32Array; slope0: number; knotCount: number } {
  const k = pl.knots.length;
  const count = Math.max(1, k);
  const packed = new Float32Array(4 * count);
  if (k === 0) {
    packed[0] = 0;
    packed[1] = pl.intercepts[0];
    packed[2] = pl.slopes[0];
  }
  for (let j = 0; j < k; j++) {
    const x = Math.fround(pl.knots[j]);
    const p = pieceIndex(pl, x);
    packed[4 * j] = x;
    packed[4 * j + 1] = pl.slopes[p] * x + pl.intercepts[p];
    packed[4 * j + 2] = pl.slopes[j + 1];
  }
  return { packed, slope0: pl.slopes[0], knotCount: count };
}

/**
 * The 1D exact-sweep kernel on the GPU (shaders/eval1d_search.compute.wgsl): sorts the knots once on the
 * CPU (float64, O(N log N)) and evaluates every sample by a binary search, O(G log N) on the GPU.
 * Owns its pipeline and buffers (grown on demand, reused); `destroy()` is safe twice.
 */
export class Eval1DSearchKernel {
  private readonly pipeline: GPUComputePipeline;
  private readonly uniform: GPUBuffer;
  private readonly knots: GrowableBuffer;
  private readonly points: GrowableBuffer;
  private readonly out: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly params = new ArrayBuffer(PARAMS_SIZE);
  private bindGroup: GPUBindGroup | null = null;
  private bindKey = '';
  private knotCount = 0;
  private slope0 = 0;
  private destroyed = false;
  /** Largest number of samples per call: one f32 output per sample in a single binding. */
  readonly maxSamples: number;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ label: 'eval1d_search', code });
    this.pipeline = device.createComputePipeline({ label: 'eval1d_search', layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.uniform = device.createBuffer({ label: 'eval1d_search params', size: PARAMS_SIZE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.knots = new GrowableBuffer(device, storage, 'eval1d_search knots', 16 * 256);
    this.points = new GrowableBuffer(device, storage, 'eval1d_search points');
    this.out = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'eval1d_search out');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'eval1d_search readback');
    const limits = device.limits;
    this.maxSamples = Math.min(Math.floor(limits.maxStorageBufferBindingSize / 4), WG * limits.maxComputeWorkgroupsPerDimension ** 2);
  }

  /** Builds the network's piecewise form (float64) and uploads it. `net` must be a validated 1D network. */
  upload(net: Network): void {
    this.uploadPiecewise(piecewise1D(net));
  }

  /** Uploads an already built piecewise form. */
  uploadPiecewise(pl: PiecewiseLinear): void {
    this.check();
    const { packed, slope0, knotCount } = packKnots(pl);
    this.device.queue.writeBuffer(this.knots.ensure(packed.byteLength), 0, packed.buffer, 0, packed.byteLength);
    this.knotCount = knotCount;
    this.slope0 = slope0;
  }

  private check(): void {
    if (this.destroyed) throw new Error('Eval1DSearchKernel used after destroy()');
  }

  private prepare(count: number, mode: 0 | 1, xMin: number, dx: number): GPUBindGroup {
    this.check();
    if (this.knotCount === 0) throw new Error('Eval1DSearchKernel: upload a network first');
    if (count > this.maxSamples) throw new RangeError(`at most ${this.maxSamples} samples per call, got ${count}`);
    const f = new Float32Array(this.params);
    const u = new Uint32Array(this.params);
    f[0] = xMin;
    f[1] = dx;
    u[2] = count;
    u[3] = this.knotCount;
    u[4] = mode;
    f[5] = this.slope0;
    this.device.queue.writeBuffer(this.uniform, 0, this.params);
    this.out.ensure(4 * Math.max(1, count));
    const [knots, points, out] = [this.knots.current, this.points.current, this.out.current];
    const key = `${this.knots.version}/${this.points.version}/${this.out.version}`;
    if (!this.bindGroup || key !== this.bindKey) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniform } },
          { binding: 1, resource: { buffer: knots } },
          { binding: 2, resource: { buffer: points } },
          { binding: 3, resource: { buffer: out } },
        ],
      });
      this.bindKey = key;
    }
    return this.bindGroup;
  }

  /**
   * Records one compute pass over the grid's samples into `encoder` (for the benchmark, which adds
   * timestamp writes); the values land in the output buffer. The grid must be validated.
   */
  encodeGrid(encoder: GPUCommandEncoder, grid: Grid1D, timestampWrites?: GPUComputePassTimestampWrites): void {
    const bg = this.prepare(grid.nx, 0, grid.xMin, gridStep(grid.xMin, grid.xMax, grid.nx));
    this.dispatch(encoder, bg, grid.nx, timestampWrites);
  }

  private dispatch(encoder: GPUCommandEncoder, bg: GPUBindGroup, count: number, timestampWrites?: GPUComputePassTimestampWrites): void {
    const [x, y] = dispatchSize(Math.ceil(count / WG), this.device.limits.maxComputeWorkgroupsPerDimension);
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }

  /** Values over a validated grid, for the last uploaded network. */
  async evaluateGrid(grid: Grid1D): Promise<Float32Array> {
    const encoder = this.device.createCommandEncoder();
    this.encodeGrid(encoder, grid);
    this.device.queue.submit([encoder.finish()]);
    return this.readOutput(grid.nx);
  }

  /** Values at the given x values (finite numbers), for the last uploaded network. */
  async evaluatePoints(xs: ArrayLike<number>): Promise<Float32Array> {
    const count = xs.length;
    const all = xs instanceof Float32Array ? xs : Float32Array.from(xs);
    const input = this.points.ensure(4 * Math.max(1, count));
    if (count > 0) this.device.queue.writeBuffer(input, 0, all.buffer, all.byteOffset, 4 * count);
    const bg = this.prepare(count, 1, 0, 0);
    const encoder = this.device.createCommandEncoder();
    this.dispatch(encoder, bg, count);
    this.device.queue.submit([encoder.finish()]);
    return this.readOutput(count);
  }

  /** The first `count` values of the output buffer (after the last encoded pass has been submitted). */
  async readOutput(count: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    return new Float32Array(await readBack(this.device, this.staging, this.out.current, 4 * count));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniform.destroy();
    this.knots.destroy();
    this.points.destroy();
    this.out.destroy();
    this.staging.destroy();
  }
}
