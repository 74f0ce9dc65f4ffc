import code from '../../../shaders/eval1d_search.compute.wgsl?raw';
import { type Network, isValidNetwork } from '../../model/network.ts';
import { type Grid1D, gridStep } from '../../model/grid.ts';
import { type PiecewiseLinear, pieceIndex, piecewise1D, piecewiseOf } from '../../model/piecewise1d.ts';
import { GrowableBuffer, dispatchSize } from './buffers.ts';
import { AsyncComputePipeline } from './pipelines.ts';
import { readBack } from './unitKernel.ts';
import type { GpuValues, ValueTarget } from './valueKernel.ts';

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
  private readonly compiled: AsyncComputePipeline;
  private readonly uniform: GPUBuffer;
  private readonly knots: GrowableBuffer;
  private readonly points: GrowableBuffer;
  private readonly outputs: Record<ValueTarget, GrowableBuffer>;
  private readonly staging: GrowableBuffer;
  private readonly params = new ArrayBuffer(PARAMS_SIZE);
  /** One bind group per output, rebuilt only when a bound buffer was replaced. */
  private readonly groups: Record<ValueTarget, { group: GPUBindGroup; key: string } | null> = { out: null, values: null };
  /** The validated network whose knots are uploaded (frozen, so the same object means the same knots). */
  private uploaded: Network | null = null;
  private knotCount = 0;
  private slope0 = 0;
  private destroyed = false;
  /** Largest number of samples per call: one f32 output per sample in a single binding. */
  readonly maxSamples: number;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ label: 'eval1d_search', code });
    this.compiled = new AsyncComputePipeline(device, { label: 'eval1d_search', layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.uniform = device.createBuffer({ label: 'eval1d_search params', size: PARAMS_SIZE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.knots = new GrowableBuffer(device, storage, 'eval1d_search knots', 16 * 256);
    this.points = new GrowableBuffer(device, storage, 'eval1d_search points');
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.outputs = { out: new GrowableBuffer(device, usage, 'eval1d_search out'), values: new GrowableBuffer(device, usage, 'eval1d_search values') };
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'eval1d_search readback');
    this.maxSamples = Eval1DSearchKernel.maxSamplesOn(device);
  }

  /** Compiles the pipeline ahead of the first use (see pipelines.ts). */
  async ready(): Promise<void> {
    await this.compiled.ready();
  }

  private get pipeline(): GPUComputePipeline {
    return this.compiled.pipeline;
  }

  /** `maxSamples` of a kernel on `device`, known before one is built (kernels are built on first use). */
  static maxSamplesOn(device: GPUDevice): number {
    const limits = device.limits;
    return Math.min(Math.floor(limits.maxStorageBufferBindingSize / 4), WG * limits.maxComputeWorkgroupsPerDimension ** 2);
  }

  /**
   * Uploads the network's piecewise form (float64, built once per validated network by piecewiseOf). Skipped when
   * this validated network is the one uploaded last. `net` must be a 1D network.
   */
  upload(net: Network): void {
    if (isValidNetwork(net)) {
      if (net === this.uploaded) return;
      this.uploadPiecewise(piecewiseOf(net));
      this.uploaded = net;
    } else {
      this.uploadPiecewise(piecewise1D(net));
    }
  }

  /** Forgets which network is uploaded, so the next upload writes it (after a failed call). */
  invalidate(): void {
    this.uploaded = null;
  }

  /** Uploads an already built piecewise form. */
  uploadPiecewise(pl: PiecewiseLinear): void {
    this.check();
    this.uploaded = null;
    const { packed, slope0, knotCount } = packKnots(pl);
    this.device.queue.writeBuffer(this.knots.ensure(packed.byteLength), 0, packed.buffer, 0, packed.byteLength);
    this.knotCount = knotCount;
    this.slope0 = slope0;
  }

  private check(): void {
    if (this.destroyed) throw new Error('Eval1DSearchKernel used after destroy()');
  }

  private prepare(count: number, mode: 0 | 1, xMin: number, dx: number, target: ValueTarget = 'out'): GPUBindGroup {
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
    const output = this.outputs[target];
    output.ensure(4 * Math.max(1, count));
    const [knots, points, out] = [this.knots.current, this.points.current, output.current];
    const key = `${this.knots.version}/${this.points.version}/${output.version}`;
    const cached = this.groups[target];
    if (cached && cached.key === key) return cached.group;
    const group = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniform } },
        { binding: 1, resource: { buffer: knots } },
        { binding: 2, resource: { buffer: points } },
        { binding: 3, resource: { buffer: out } },
      ],
    });
    this.groups[target] = { group, key };
    return group;
  }

  /**
   * Records one compute pass over the grid's samples into `encoder` (for the benchmark, which adds
   * timestamp writes, and the app alike); the values land in `target`. The grid must be validated.
   */
  encodeGrid(encoder: GPUCommandEncoder, grid: Grid1D, timestampWrites?: GPUComputePassTimestampWrites, target: ValueTarget = 'out'): void {
    const bg = this.prepare(grid.nx, 0, grid.xMin, gridStep(grid.xMin, grid.xMax, grid.nx), target);
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

  /** Values over a validated grid, for the last uploaded network, left on the GPU (see GpuValues). */
  gridValues(grid: Grid1D): GpuValues {
    const encoder = this.device.createCommandEncoder();
    this.encodeGrid(encoder, grid, undefined, 'values');
    this.device.queue.submit([encoder.finish()]);
    return { buffer: this.outputs.values.current, offset: 0, count: grid.nx, device: this.device };
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

  /** The first `count` values of an output buffer (after the last encoded pass has been submitted). */
  async readOutput(count: number, target: ValueTarget = 'out'): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    return new Float32Array(await readBack(this.device, this.staging, this.outputs[target].current, 4 * count));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniform.destroy();
    this.knots.destroy();
    this.points.destroy();
    this.outputs.out.destroy();
    this.outputs.values.destroy();
    this.staging.destroy();
  }
}
