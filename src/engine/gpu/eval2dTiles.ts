import tilesCode from '../../../shaders/eval2d_tiles.compute.wgsl?raw';
import sweepCode from '../../../shaders/generated/eval2d_tiles_sweep.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { TILE_SIDE, TilesNotApplicableError, tileCounts } from '../../model/tiles2d.ts';
import { GrowableBuffer } from './buffers.ts';
import { AsyncComputePipeline } from './pipelines.ts';
import type { PassTimestamps } from './timer.ts';
import { readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';
import type { GpuValues, ValueTarget } from './valueKernel.ts';

/**
 * The `TileParams` uniform of shaders/eval2d_tiles.compute.wgsl, defined once here (a test parses the shader's
 * struct and checks it against this table). Offsets by WGSL's layout rules.
 */
export const TILE_PARAMS_LAYOUT = [
  { name: 'origin', type: 'vec2<f32>', offset: 0 },
  { name: 'step', type: 'vec2<f32>', offset: 8 },
  { name: 'nx', type: 'u32', offset: 16 },
  { name: 'rows', type: 'u32', offset: 20 },
  { name: 'tileCols', type: 'u32', offset: 24 },
  { name: 'tiles', type: 'u32', offset: 28 },
  { name: 'unitCount', type: 'u32', offset: 32 },
  { name: 'chunkUnits', type: 'u32', offset: 36 },
  { name: 'chunks', type: 'u32', offset: 40 },
  { name: 'capacity', type: 'u32', offset: 44 },
  { name: 'outBase', type: 'u32', offset: 48 },
  { name: 'side', type: 'u32', offset: 52 },
  { name: 'pad1', type: 'u32', offset: 56 },
  { name: 'pad2', type: 'u32', offset: 60 },
  { name: 'affine', type: 'vec4<f32>', offset: 64 },
] as const;

export const TILE_PARAMS_SIZE = 80;

/** One job's uniform values (see TILE_PARAMS_LAYOUT). */
export interface TileParams {
  origin: [number, number];
  step: [number, number];
  nx: number;
  rows: number;
  tileCols: number;
  tiles: number;
  unitCount: number;
  chunkUnits: number;
  chunks: number;
  capacity: number;
  outBase: number;
  /** Points per side of the classified tiles. */
  side: number;
  affine: [number, number, number];
}

/** Packs `p` into the 80-byte layout above, member by member as TILE_PARAMS_LAYOUT places them (pads 0). */
export function packTileParams(p: TileParams, target = new ArrayBuffer(TILE_PARAMS_SIZE)): ArrayBuffer {
  const f = new Float32Array(target);
  const u = new Uint32Array(target);
  const values = p as unknown as Record<string, number | readonly number[] | undefined>;
  for (const m of TILE_PARAMS_LAYOUT) {
    const at = m.offset / 4;
    const v = values[m.name] ?? 0;
    if (m.type === 'u32') u[at] = v as number;
    else {
      const lanes = m.type === 'vec2<f32>' ? 2 : 4;
      for (let k = 0; k < lanes; k++) f[at + k] = (v as readonly number[])[k] ?? 0;
    }
  }
  return target;
}

/**
 * Units one classify invocation tests against its tiles: the plane's first-level sums (float32, this many terms),
 * added per tile over the chunks by the evaluation pass (two-level summation).
 */
export const TILE_CHUNK_UNITS = 1024;

/** Units per classify_wg workgroup (the 'workgroup' shape): 16 per invocation before the workgroup's reduction. */
export const TILE_CHUNK_UNITS_WG = 4096;

/** Invocations per evaluation workgroup in the 'rows' shape (EWG in the shader): tile rows, or rows of fine tiles for values. */
const ROWS_PER_GROUP = 64;

/**
 * Fine tiles per coarse tile side in the 'rows' shape's values (FPC in the shader): the classification runs on
 * tiles of FPC·TILE_SIDE points a side, and each evaluation invocation refines its coarse tile's list to its own
 * TILE_SIDE² tile.
 */
const FINE_PER_COARSE = 4;

/**
 * Most list slots per coarse tile in the 'rows' shape's values: 256² coarse tiles see about 4× the crossing units of
 * TILE_SIDE² ones (5,057 median at N = 65,536 on 1024², 10,000 on 512²). A coarse tile with more walks all units.
 */
export const TILE_CAPACITY_COARSE = 32768;

/** Tiles per classify workgroup: 64 invocations of 4 tiles (CWG·TPI in the shader). */
const CLASSIFY_TILES = 256;

/**
 * Most crossing-list slots per tile (a network of fewer units gets as many slots as it has units, and never
 * overflows). A tile with more crossing units (all lines through one tile) takes the kernel's overflow path,
 * which classifies again inside the tile's workgroup: slower for that tile, never wrong. 8192 holds the random
 * networks of the benchmark at N = 65,536 from 256² up (median 2,405 crossing units per tile on 512²).
 */
export const TILE_CAPACITY = 8192;

/** Bytes of crossing lists one job may use: bounds the job's tile count (jobs reuse the buffers in queue order). */
const LIST_BUDGET_BYTES = 64 << 20;

type Output = 'values' | 'regions';

/**
 * How the evaluation pass is laid out: 'workgroup' (one workgroup of 64 invocations per tile, 4 points each, the
 * crossing units staged through workgroup memory: the shape for GPUs) or 'rows' (no workgroup memory or
 * barriers: the shape for CPU-like adapters, where every workgroup with barriers costs milliseconds; values
 * classify 64×64 coarse tiles and each invocation refines its coarse list to a row of four 16×16 tiles and sweeps
 * them from function-memory caches, regions take one invocation per tile row of 16 points).
 */
export type TilesShape = 'workgroup' | 'rows';

interface Job {
  params: TileParams;
  /** Byte offset and size of the job's output slice (aligned; outBase indexes into it). */
  offset: number;
  size: number;
}

interface Planned {
  classify: GPUBindGroup;
  evaluate: GPUBindGroup;
  tiles: number;
  chunks: number;
}

/**
 * The sub-brute-force exact 2D kernel (shaders/eval2d_tiles.compute.wgsl, twin src/model/tiles2d.ts): values or
 * active counts and pattern ids over a grid, with per-point work proportional to the units whose lines cross the
 * point's tile rather than to all units. Piecewise-linear units only: a sigmoid network throws
 * TilesNotApplicableError (the caller takes the brute-force kernel).
 *
 * A grid is split into jobs of whole tile rows whose crossing lists fit LIST_BUDGET_BYTES and one storage binding;
 * each job is a clear of its tile counters and two compute passes (classify, evaluate). All jobs reuse the same
 * counters, lists and partials in queue order. Buffers grow on demand and are reused.
 */
export class Eval2DTilesKernel {
  private readonly module: GPUShaderModule;
  private readonly pipelines = new Map<string, AsyncComputePipeline>();
  private readonly uniforms: GrowableBuffer;
  private readonly counts: GrowableBuffer;
  private readonly lists: GrowableBuffer;
  private readonly partials: GrowableBuffer;
  private readonly outputs: Record<ValueTarget, GrowableBuffer>;
  private readonly active: GrowableBuffer;
  private readonly pattern: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  private readonly stride: number;
  private slotBytes = new ArrayBuffer(0);
  private planned: Planned[] = [];
  private plannedOutput: Output = 'values';
  private plannedTarget: ValueTarget = 'out';
  private points = 0;
  /** List slots per tile in the current plan: the units, up to maxCapacity. */
  private capacity = 1;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'eval2d_tiles',
    /** Evaluation layout (see TilesShape). */
    readonly shape: TilesShape = 'workgroup',
    /** Most crossing-list slots per tile (tests lower it to exercise the overflow path); default by tile size. */
    readonly maxCapacity?: number,
  ) {
    if (maxCapacity !== undefined && (!Number.isInteger(maxCapacity) || maxCapacity < 1)) throw new RangeError(`capacity must be a positive integer, got ${maxCapacity}`);
    this.module = device.createShaderModule({ label, code: tilesCode + '\n' + sweepCode });
    this.stride = Math.max(TILE_PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    const storage = GPUBufferUsage.STORAGE;
    this.uniforms = new GrowableBuffer(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${label} params`, 4 * this.stride);
    this.counts = new GrowableBuffer(device, storage | GPUBufferUsage.COPY_DST, `${label} counts`);
    this.lists = new GrowableBuffer(device, storage, `${label} lists`);
    this.partials = new GrowableBuffer(device, storage, `${label} partials`);
    const out = storage | GPUBufferUsage.COPY_SRC;
    this.outputs = { out: new GrowableBuffer(device, out, `${label} out`), values: new GrowableBuffer(device, out, `${label} values`) };
    this.active = new GrowableBuffer(device, out, `${label} active`);
    this.pattern = new GrowableBuffer(device, out, `${label} pattern`);
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
  }

  /**
   * The classification entry and its chunk of units: the barrier-free `classify` (4 tiles per invocation) for the
   * 'rows' shape (CPU-like adapters), `classify_wg` (a workgroup per tile and chunk) for GPUs.
   */
  private get classifyEntry(): 'classify' | 'classify_wg' {
    return this.shape === 'rows' ? 'classify' : 'classify_wg';
  }

  private get chunkUnits(): number {
    return this.shape === 'rows' ? TILE_CHUNK_UNITS : TILE_CHUNK_UNITS_WG;
  }

  private evalEntry(output: Output): 'values' | 'regions' | 'values_cache' | 'regions_rows' {
    if (this.shape === 'workgroup') return output;
    return output === 'values' ? 'values_cache' : 'regions_rows';
  }

  /** Whether `output` classifies coarse tiles and refines them per fine tile (the 'rows' shape's values). */
  private coarse(output: Output): boolean {
    return this.shape === 'rows' && output === 'values';
  }

  private check(): void {
    if (this.destroyed) throw new Error(`${this.label} kernel used after destroy()`);
  }

  /** The pipeline of an entry point for values or regions, made on first use (compiled by `ready` or when drawn on). */
  private compiled(entryPoint: 'classify' | 'classify_wg' | 'values' | 'regions' | 'values_cache' | 'regions_rows', output: Output): AsyncComputePipeline {
    const key = `${entryPoint}/${output}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = new AsyncComputePipeline(this.device, {
        label: `${this.label} ${key}`,
        layout: 'auto',
        compute: { module: this.module, entryPoint, constants: { REGIONS: output === 'regions' ? 1 : 0 } },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  private pipeline(entryPoint: 'classify' | 'classify_wg' | 'values' | 'regions' | 'values_cache' | 'regions_rows', output: Output): GPUComputePipeline {
    return this.compiled(entryPoint, output).pipeline;
  }

  /** Compiles the two pipelines `output` takes (classification and evaluation) ahead of their first use (see pipelines.ts). */
  async ready(output: Output = 'values'): Promise<void> {
    await Promise.all([this.compiled(this.classifyEntry, output).ready(), this.compiled(this.evalEntry(output), output).ready()]);
  }

  /** Tiles per job: bounded by the list budget, one storage binding, and the workgroups one dispatch dimension takes. */
  private maxJobTiles(chunks: number): number {
    const limits = this.device.limits;
    const binding = limits.maxStorageBufferBindingSize;
    return Math.max(
      1,
      Math.min(
        limits.maxComputeWorkgroupsPerDimension,
        Math.floor(Math.min(LIST_BUDGET_BYTES, binding) / (4 * this.capacity)),
        Math.floor(binding / (16 * chunks)),
      ),
    );
  }

  private jobs(units: UnitBuffer, grid: Grid2D, chunks: number, side: number): Job[] {
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const { cols } = tileCounts(grid, side);
    const limits = this.device.limits;
    const align = limits.minStorageBufferOffsetAlignment;
    // Whole tile rows per job, also small enough that the job's output slice fits one binding.
    const byTiles = Math.floor(this.maxJobTiles(chunks) / cols);
    const byBinding = Math.floor((limits.maxStorageBufferBindingSize - align) / (4 * nx * side));
    const tileRows = Math.max(1, Math.min(byTiles, byBinding));
    if (cols > this.maxJobTiles(chunks)) throw new RangeError(`${this.label}: a tile row of ${cols} tiles exceeds one job`);
    const jobs: Job[] = [];
    for (let j0 = 0; j0 < ny; j0 += tileRows * side) {
      const rows = Math.min(tileRows * side, ny - j0);
      const first = 4 * j0 * nx;
      const offset = Math.floor(first / align) * align;
      const outBase = (first - offset) / 4;
      jobs.push({
        params: {
          origin: [grid.xMin, grid.yMin + j0 * dy],
          step: [dx, dy],
          nx,
          rows,
          tileCols: cols,
          tiles: cols * Math.ceil(rows / side),
          unitCount: units.count,
          chunkUnits: this.chunkUnits,
          chunks,
          capacity: this.capacity,
          outBase,
          side,
          affine: units.affine,
        },
        offset,
        size: 4 * (outBase + rows * nx),
      });
    }
    return jobs;
  }

  /**
   * Plans every job over `grid` (validated) for `output` (uniforms and bind groups written, nothing recorded)
   * and returns the compute-pass count; `encode` records them, `submit` submits them.
   */
  planGrid(units: UnitBuffer, grid: Grid2D, output: Output = 'values', target: ValueTarget = 'out'): number {
    this.check();
    if (units.sigmoid) throw new TilesNotApplicableError('sigmoid');
    const chunks = Math.max(1, Math.ceil(units.count / this.chunkUnits));
    const coarse = this.coarse(output);
    this.capacity = Math.max(1, Math.min(this.maxCapacity ?? (coarse ? TILE_CAPACITY_COARSE : TILE_CAPACITY), units.count));
    const jobs = this.jobs(units, grid, chunks, coarse ? FINE_PER_COARSE * TILE_SIDE : TILE_SIDE);
    const maxTiles = Math.max(...jobs.map((j) => j.params.tiles));
    const counts = this.counts.ensure(4 * maxTiles);
    const lists = this.lists.ensure(4 * maxTiles * this.capacity);
    const partials = this.partials.ensure(16 * maxTiles * chunks);
    this.points = grid.nx * grid.ny;
    const outs =
      output === 'values' ? [this.outputs[target].ensure(4 * this.points)] : [this.active.ensure(4 * this.points), this.pattern.ensure(4 * this.points)];
    const uniform = this.uniforms.ensure(this.stride * jobs.length);
    if (this.slotBytes.byteLength < this.stride * jobs.length) this.slotBytes = new ArrayBuffer(uniform.size);
    const slots = new Uint8Array(this.slotBytes);
    const one = new ArrayBuffer(TILE_PARAMS_SIZE);
    const classify = this.pipeline(this.classifyEntry, output);
    const evaluate = this.pipeline(this.evalEntry(output), output);
    this.planned = jobs.map((job, k) => {
      slots.set(new Uint8Array(packTileParams(job.params, one)), this.stride * k);
      const params = { binding: 0, resource: { buffer: uniform, offset: this.stride * k, size: TILE_PARAMS_SIZE } };
      const shared = [
        params,
        { binding: 1, resource: { buffer: units.buffer.current } },
        { binding: 2, resource: { buffer: counts } },
        { binding: 3, resource: { buffer: lists } },
        { binding: 4, resource: { buffer: partials } },
      ];
      const outEntries = outs.map((buffer, i) => ({ binding: 5 + (output === 'values' ? 0 : 1) + i, resource: { buffer, offset: job.offset, size: job.size } }));
      return {
        classify: this.device.createBindGroup({ layout: classify.getBindGroupLayout(0), entries: shared }),
        evaluate: this.device.createBindGroup({ layout: evaluate.getBindGroupLayout(0), entries: [...shared, ...outEntries] }),
        tiles: job.params.tiles,
        chunks,
      };
    });
    this.device.queue.writeBuffer(uniform, 0, this.slotBytes, 0, this.stride * jobs.length);
    this.plannedOutput = output;
    this.plannedTarget = target;
    return 2 * this.planned.length;
  }

  /** Compute passes of the last plan (two per job). */
  get passes(): number {
    return 2 * this.planned.length;
  }

  private encodeJob(encoder: GPUCommandEncoder, k: number, ts: PassTimestamps): void {
    const job = this.planned[k];
    const output = this.plannedOutput;
    encoder.clearBuffer(this.counts.current, 0, 4 * job.tiles);
    const c = encoder.beginComputePass(ts(2 * k) ? { timestampWrites: ts(2 * k)! } : {});
    c.setPipeline(this.pipeline(this.classifyEntry, output));
    c.setBindGroup(0, job.classify);
    if (this.shape === 'rows') c.dispatchWorkgroups(Math.ceil(job.tiles / CLASSIFY_TILES), job.chunks);
    else c.dispatchWorkgroups(job.tiles, job.chunks);
    c.end();
    const e = encoder.beginComputePass(ts(2 * k + 1) ? { timestampWrites: ts(2 * k + 1)! } : {});
    e.setPipeline(this.pipeline(this.evalEntry(output), output));
    e.setBindGroup(0, job.evaluate);
    // 'rows': an invocation per tile row (regions) or per fine tile of a coarse one (values); 'workgroup': per tile.
    const perTile = this.coarse(output) ? FINE_PER_COARSE : TILE_SIDE;
    e.dispatchWorkgroups(this.shape === 'rows' ? Math.ceil((job.tiles * perTile) / ROWS_PER_GROUP) : job.tiles);
    e.end();
  }

  /** Records every pass of the last plan into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    this.check();
    for (let k = 0; k < this.planned.length; k++) this.encodeJob(encoder, k, ts);
  }

  /** Submits the last plan, one submission per job (no single submission runs long). */
  submit(): void {
    this.check();
    for (let k = 0; k < this.planned.length; k++) {
      const encoder = this.device.createCommandEncoder();
      this.encodeJob(encoder, k, () => undefined);
      this.device.queue.submit([encoder.finish()]);
    }
  }

  /** The values of the last planned grid, read back (after its passes were submitted). */
  async readValues(target: ValueTarget = this.plannedTarget): Promise<Float32Array> {
    this.check();
    return new Float32Array(await readBack(this.device, this.staging, this.outputs[target].current, 4 * this.points));
  }

  /** The active counts and pattern ids of the last planned grid, read back (after its passes were submitted). */
  async readRegions(): Promise<Regions> {
    this.check();
    const bytes = 4 * this.points;
    const active = new Uint32Array(await readBack(this.device, this.staging, this.active.current, bytes));
    const pattern = new Uint32Array(await readBack(this.device, this.staging, this.pattern.current, bytes));
    return { active, pattern };
  }

  /** f over `grid` (validated), read back. */
  async evaluateGrid(units: UnitBuffer, grid: Grid2D): Promise<Float32Array> {
    this.planGrid(units, grid, 'values', 'out');
    this.submit();
    return this.readValues('out');
  }

  /** f over `grid` (validated), left on the GPU (see GpuValues for how long they stay valid). */
  gridValues(units: UnitBuffer, grid: Grid2D): GpuValues {
    this.planGrid(units, grid, 'values', 'values');
    this.submit();
    return { buffer: this.outputs.values.current, offset: 0, count: grid.nx * grid.ny, device: this.device };
  }

  /** Active counts and pattern ids over `grid` (validated), read back. */
  async regionsGrid(units: UnitBuffer, grid: Grid2D): Promise<Regions> {
    this.planGrid(units, grid, 'regions');
    this.submit();
    return this.readRegions();
  }

  /** Releases the buffers; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.planned = [];
    for (const b of [this.uniforms, this.counts, this.lists, this.partials, this.outputs.out, this.outputs.values, this.active, this.pattern, this.staging]) b.destroy();
  }
}
