import eval1dCode from '../../shaders/eval1d.compute.wgsl?raw';
import eval2dCode from '../../shaders/eval2d.compute.wgsl?raw';
import regions2dCode from '../../shaders/regions2d.compute.wgsl?raw';
import type { Network } from '../model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs } from '../model/grid.ts';
import { evaluate1DBrute, evaluate1DSweep, evaluate2DBrute } from '../engine/cpu/evaluator.ts';
import { sweep2D } from '../engine/cpu/sweep2d.ts';
import { ReusedF64 } from '../engine/cpu/buffers.ts';
import { Eval1DSearchKernel } from '../engine/gpu/eval1dSearch.ts';
import { GpuTimer, type GpuTimingMethod } from '../engine/gpu/timer.ts';
import { UnitKernelHarness, pointsPerThread } from './unitHarness.ts';
import { GPU_VARIANTS } from './variants.ts';
import { EVAL2D_VARIANTS } from '../engine/gpu/eval2dVariant.ts';
import { type Kernel2DChoice, SMALL_GRID_POINTS, gridKernel2D } from '../engine/gpu/context.ts';
import { Eval2DSplitKernel, SPLIT_POINTS_PER_THREAD, type SliceChoice, type SplitPointsPerThread, slicesFor } from '../engine/gpu/eval2dSplit.ts';
import { UnitBuffer } from '../engine/gpu/units.ts';
import { Regions2DSplitKernel } from '../engine/gpu/regions2dSplit.ts';
import { Eval2DTilesKernel, type TilesShape } from '../engine/gpu/eval2dTiles.ts';
import { TILE_SIDE } from '../model/tiles2d.ts';

export type Backend = 'cpu' | 'gpu';
export type Output = 'values' | 'regions';
export type Timing = GpuTimingMethod | 'cpu-clock';

/** What a method produced on its last run, for the correctness check. */
export type MethodOutput = { kind: 'values'; values: ArrayLike<number> } | { kind: 'regions'; active: Uint32Array; pattern: Uint32Array };

/** One prepared method instance: the network and grid are set once, then `run` is timed repeatedly. */
export interface MethodInstance {
  /** Uploads/plans for this network and grid (not timed as a run; reported as setup). */
  prepare(net: Network, grid: Grid1D | Grid2D): Promise<void> | void;
  /**
   * `reps` evaluations back to back (default 1); resolves to the time of one, in ms by the method's own clock.
   * GPU methods record the repetitions in one submission (see GpuTimer.time), which is how work shorter than
   * the timestamp quantum is timed. `expectMs`, the expected time of the whole batch, lets GPU timing sleep
   * rather than poll while the work runs (see GpuTimer.time).
   */
  run(reps?: number, expectMs?: number): Promise<number>;
  /** The output of the last run. */
  output(): Promise<MethodOutput>;
  destroy(): void;
}

/** What a method needs from the host. */
export interface MethodContext {
  now: () => number;
  device: GPUDevice | null;
  /** Force the host clock for GPU timing even where timestamp-query exists. */
  noTimestamps?: boolean;
  /** The 2D value kernel the sandbox uses on this adapter (see autoKernel2D); 'tiled' when absent. */
  kernel2D?: Exclude<Kernel2DChoice, 'auto'>;
  /** Points of the grid this instance is for (the tiled choice depends on it, see gridKernel2D). */
  gridPoints?: number;
}

/** The concrete 2D kernel the sandbox runs for this context's choice and grid. */
export function contextKernel2D(ctx: Pick<MethodContext, 'kernel2D' | 'gridPoints'>): ReturnType<typeof gridKernel2D> {
  return gridKernel2D(ctx.kernel2D ?? 'tiled', ctx.gridPoints ?? SMALL_GRID_POINTS);
}

/** The WGSL of a 2D value kernel by its GpuEvaluator name. */
export function kernel2DCode(kernel: ReturnType<typeof gridKernel2D>): string {
  return kernel === 'tiled' ? eval2dCode : EVAL2D_VARIANTS[kernel].code;
}

/**
 * A benchmarkable way to evaluate a ReLU sum. `flopPerUnitEval` is the nominal arithmetic of one unit at one
 * point by the definition (see FLOP_NOTE); exact methods do less work, so their FLOP/s is an equivalent rate.
 */
export interface MethodSpec {
  id: string;
  dim: 1 | 2;
  backend: Backend;
  output: Output;
  label: string;
  /** True for the exact sweeps, whose cost is not N·G. */
  exact: boolean;
  /** FLOP per unit-evaluation this method performs (exact methods: the brute force's, for equivalent rates). */
  flopPerUnitEval: number;
  /** Brute-force methods may be timed on the first rows/samples of a grid and scaled (work ∝ points). */
  canSubset: boolean;
  /** Points each GPU invocation evaluates (PPT in its shader), which sets how far a grid may be cut; 4 when absent. */
  pointsPerInvocation?: (ctx: Pick<MethodContext, 'kernel2D' | 'gridPoints'>) => number;
  /** A WebGPU feature the method needs (the runner skips it, saying so, on devices without it). */
  feature?: GPUFeatureName;
  /** Cost model in arbitrary units, used to predict a run's time from the previous size's. */
  cost(n: number, nx: number, ny: number): number;
  create(ctx: MethodContext): MethodInstance;
  /** A remark for each result row of N units on an nx × ny grid (e.g. the split kernel's slice count). */
  rowNote?: (n: number, nx: number, ny: number) => string;
}

/**
 * FLOP per unit-evaluation, counting an FMA as 2 and max, abs or a compare as 1: what each kernel executes.
 * CPU brute force: 1D 5 (w·x+b, max, a·r+acc), 2D 7 (w1·x+w2·y+b, max, a·r+acc). GPU value kernels
 * (ReLU as (z+|z|)/2, the affine part on the host, the row part w2·y+b formed once per unit for all points of an
 * invocation): 5 (fma, abs, fma) in 1D and 2D; the stepped 2D kernels execute 4 (add, abs, fma) and are counted
 * at the nominal 5, said in FLOP_NOTE. GPU regions: 3 (fma, compare; the count and XOR are integer ops).
 */
export const FLOP = { cpu1: 5, cpu2: 7, gpuValue: 5, gpuRegions: 3 } as const;
export const FLOP_NOTE =
  'FLOP per unit-evaluation (an FMA counts 2; max, abs or a compare 1), as each method executes it: CPU brute force ' +
  '1D 5 (w·x+b, max, a·r+acc) and 2D 7 (w1·x+w2·y+b, max, a·r+acc); GPU value kernels 5 (fma, abs, fma: ReLU as ' +
  '(z+|z|)/2 with the affine part summed on the host, and in 2D the row part w2·y+b formed once per unit for all ' +
  'points of an invocation; the stepped 2D kernels (eval2d_step*, eval2d_cache8*, the SwiftShader choice) replace the ' +
  'first fma by one add along the row, so they execute 4 and their FLOP/s and % of peak are at the nominal 5); GPU ' +
  'regions 3 (fma, compare; the count and XOR are integer ops). Exact sweeps do less ' +
  'arithmetic: their unit-evals/s, FLOP/s (at the CPU brute-force count) and % of peak are brute-force equivalents (N·G / time), marked *.';

/**
 * A CPU method: `compute` prepares a job for a network and grid that writes its values into the output array it is
 * given. The instance keeps one output array for all its runs (grown when a grid needs more), as the app's callers
 * that evaluate repeatedly do: a new 2 MiB array per run cost about 6 ms of page faults on the bench's VM, more
 * than the evaluation itself at a few units on 512² (bench/NOTES.md).
 */
function cpuInstance(now: () => number, compute: (net: Network, grid: Grid1D | Grid2D, out: ReusedF64) => () => ArrayLike<number>): MethodInstance {
  let job: (() => ArrayLike<number>) | null = null;
  let last: ArrayLike<number> = new Float64Array(0);
  const out = new ReusedF64();
  return {
    prepare(net, grid) {
      job = compute(net, grid, out);
    },
    async run(reps = 1) {
      if (!job) throw new Error('prepare() first');
      const t0 = now();
      for (let r = 0; r < reps; r++) last = job();
      return (now() - t0) / reps;
    },
    async output() {
      return { kind: 'values', values: last };
    },
    destroy() {
      job = null;
    },
  };
}

/** A kernel driven through UnitKernelHarness (the app's kernels and the tuning variants). */
function harnessInstance(ctx: MethodContext, label: string, code: string, output: Output): MethodInstance {
  const device = ctx.device!;
  const harness = new UnitKernelHarness(device, label, code, output);
  const timer = new GpuTimer(device, ctx.now, !ctx.noTimestamps && device.features.has('timestamp-query'));
  return {
    prepare(net, grid) {
      harness.prepare(net, grid);
    },
    run(reps = 1, expectMs = 0) {
      return timer.time(harness.passes, (encoder, ts) => harness.encode(encoder, ts), reps, expectMs);
    },
    async output() {
      if (output === 'values') return { kind: 'values', values: await harness.readValues() };
      return { kind: 'regions', ...(await harness.readRegions()) };
    },
    destroy() {
      harness.destroy();
      timer.destroy();
    },
  };
}

const brute = (n: number, nx: number, ny: number) => Math.max(1, n) * nx * ny;

/** The tile kernel's evaluation shape for this context: 'rows' where the sandbox takes a CPU-shaped 2D kernel. */
function tilesShape(ctx: Pick<MethodContext, 'kernel2D'>): TilesShape {
  return ctx.kernel2D === 'cache8' || ctx.kernel2D === 'cache8sg' ? 'rows' : 'workgroup';
}

/**
 * The tile kernel (shaders/eval2d_tiles.compute.wgsl) for values or regions. Cost: N tests per tile, plus per
 * point the units crossing its tile, about N·26·T/R for lines through random points of the view.
 */
function tilesMethod(output: Output): MethodSpec {
  return {
    id: output === 'values' ? 'gpu-tiles' : 'gpu-tiles-regions',
    dim: 2,
    flopPerUnitEval: output === 'values' ? FLOP.gpuValue : FLOP.gpuRegions,
    backend: 'gpu',
    output,
    label:
      `GPU tiles, exact ${output === 'values' ? 'values' : 'active count + pattern id'} (shaders/eval2d_tiles.compute.wgsl: ` +
      `per ${TILE_SIDE}×${TILE_SIDE} tile the units whose lines miss it collapse into one plane, the crossing ones are evaluated per point)`,
    exact: true,
    canSubset: false,
    cost: (n, nx, ny) => Math.max(1, n) * ((nx * ny) / (TILE_SIDE * TILE_SIDE) + 1.6 * TILE_SIDE * Math.sqrt(nx * ny)),
    create: (ctx) => {
      const device = ctx.device!;
      const units = new UnitBuffer(device);
      const kernel = new Eval2DTilesKernel(device, `eval2d_tiles (${tilesShape(ctx)})`, tilesShape(ctx));
      const timer = new GpuTimer(device, ctx.now, !ctx.noTimestamps && device.features.has('timestamp-query'));
      return {
        prepare(net, grid) {
          units.upload(net);
          kernel.planGrid(units, grid as Grid2D, output);
        },
        run(reps = 1, expectMs = 0) {
          return timer.time(kernel.passes, (encoder, ts) => kernel.encode(encoder, ts), reps, expectMs);
        },
        async output() {
          if (output === 'values') return { kind: 'values', values: await kernel.readValues() };
          return { kind: 'regions', ...(await kernel.readRegions()) };
        },
        destroy() {
          kernel.destroy();
          units.destroy();
          timer.destroy();
        },
      };
    },
  };
}

/** Every method the benchmark knows, in table order. GPU ones need a device. */
export const METHODS: MethodSpec[] = [
  {
    id: 'cpu-brute',
    dim: 1,
    flopPerUnitEval: FLOP.cpu1,
    backend: 'cpu',
    output: 'values',
    label: 'CPU brute force (float64, O(N·G))',
    exact: false,
    canSubset: true,
    cost: brute,
    create: (ctx) =>
      cpuInstance(ctx.now, (net, grid, out) => {
        const xs = gridXs(grid as Grid1D);
        const into = out.get(xs.length);
        return () => evaluate1DBrute(net, xs, into);
      }),
  },
  {
    id: 'cpu-sweep',
    dim: 1,
    flopPerUnitEval: FLOP.cpu1,
    backend: 'cpu',
    output: 'values',
    label: 'CPU knot sweep (float64, sort + merge, O((N + G) log N))',
    exact: true,
    canSubset: false,
    cost: (n, nx) => n * Math.log2(n + 2) + nx,
    create: (ctx) =>
      cpuInstance(ctx.now, (net, grid, out) => {
        const xs = gridXs(grid as Grid1D);
        const into = out.get(xs.length);
        return () => evaluate1DSweep(net, xs, into);
      }),
  },
  {
    id: 'gpu-brute',
    dim: 1,
    flopPerUnitEval: FLOP.gpuValue,
    backend: 'gpu',
    output: 'values',
    label: 'GPU brute force (shaders/eval1d.compute.wgsl)',
    exact: false,
    canSubset: true,
    cost: brute,
    pointsPerInvocation: () => pointsPerThread(eval1dCode),
    create: (ctx) => harnessInstance(ctx, 'eval1d', eval1dCode, 'values'),
  },
  {
    id: 'gpu-search',
    dim: 1,
    flopPerUnitEval: FLOP.cpu1,
    backend: 'gpu',
    output: 'values',
    label: 'GPU binary search over sorted knots (shaders/eval1d_search.compute.wgsl; sort on the CPU, in setup)',
    exact: true,
    canSubset: false,
    cost: (n, nx) => nx * Math.log2(n + 2) + n,
    create: (ctx) => {
      const device = ctx.device!;
      const kernel = new Eval1DSearchKernel(device);
      const timer = new GpuTimer(device, ctx.now, !ctx.noTimestamps && device.features.has('timestamp-query'));
      let grid: Grid1D | null = null;
      return {
        prepare(net, g) {
          kernel.upload(net);
          grid = g as Grid1D;
        },
        run(reps = 1, expectMs = 0) {
          return timer.time(1, (encoder, ts) => kernel.encodeGrid(encoder, grid!, ts(0)), reps, expectMs);
        },
        async output() {
          return { kind: 'values', values: await kernel.readOutput(grid!.nx) };
        },
        destroy() {
          kernel.destroy();
          timer.destroy();
        },
      };
    },
  },
  {
    id: 'cpu-brute',
    dim: 2,
    flopPerUnitEval: FLOP.cpu2,
    backend: 'cpu',
    output: 'values',
    label: 'CPU brute force (float64, O(N·R²))',
    exact: false,
    canSubset: true,
    cost: brute,
    create: (ctx) =>
      cpuInstance(ctx.now, (net, grid, out) => {
        const xy = gridPoints2D(grid as Grid2D);
        const into = out.get(xy.length >> 1);
        return () => evaluate2DBrute(net, xy, into);
      }),
  },
  {
    id: 'cpu-sweep',
    dim: 2,
    flopPerUnitEval: FLOP.cpu2,
    backend: 'cpu',
    output: 'values',
    label: 'CPU row sweep (float64, O(R·(N + R)))',
    exact: true,
    canSubset: false,
    cost: (n, nx, ny) => ny * (n + nx),
    create: (ctx) =>
      cpuInstance(ctx.now, (net, grid, out) => {
        const g = grid as Grid2D;
        const values = out.get(g.nx * g.ny);
        return () => sweep2D(net, g, { values: true, regions: false, out: { values } }).values!;
      }),
  },
  {
    id: 'gpu-brute',
    dim: 2,
    flopPerUnitEval: FLOP.gpuValue,
    backend: 'gpu',
    output: 'values',
    label:
      "GPU brute force: the 2D kernel the sandbox uses on this adapter and grid (on GPUs the tiled shaders/eval2d.compute.wgsl, eval2d_tiled8 under 2^20 points; on CPU-like adapters eval2d_cache8sg, or eval2d_cache8 without subgroups; each row's note names it)",
    exact: false,
    canSubset: true,
    cost: brute,
    pointsPerInvocation: (ctx) => pointsPerThread(kernel2DCode(contextKernel2D(ctx))),
    create: (ctx) => harnessInstance(ctx, `eval2d (${contextKernel2D(ctx)})`, kernel2DCode(contextKernel2D(ctx)), 'values'),
  },
  {
    id: 'gpu-regions',
    dim: 2,
    flopPerUnitEval: FLOP.gpuRegions,
    backend: 'gpu',
    output: 'regions',
    label: 'GPU active count + pattern id (shaders/regions2d.compute.wgsl)',
    exact: false,
    canSubset: true,
    cost: brute,
    pointsPerInvocation: () => pointsPerThread(regions2dCode),
    create: (ctx) => harnessInstance(ctx, 'regions2d', regions2dCode, 'regions'),
  },
  tilesMethod('values'),
  tilesMethod('regions'),
  ...GPU_VARIANTS.map(
    (v): MethodSpec => ({
      id: v.id,
      dim: 2,
      flopPerUnitEval: v.flopPerUnitEval,
      backend: 'gpu',
      output: 'values',
      label: v.label,
      exact: false,
      canSubset: true,
      feature: v.feature,
      pointsPerInvocation: () => pointsPerThread(v.code),
      cost: brute,
      create: (ctx) => harnessInstance(ctx, v.id, v.code, 'values'),
    }),
  ),
  ...(['auto', 1, 2, 4, 8, 16, 32, 64] as const).map((slices) => splitMethod(slices)),
  ...(['auto', 4, 8, 16] as const).map((slices) => splitMethod(slices, 8)),
  regionsSplitMethod(),
];

/** Method ids accepted by `--methods` and the panel. */
export const METHOD_IDS = [...new Set(METHODS.map((m) => m.id))];

/** The default method set: everything except the tuning variants (which `--methods` can add). */
export const DEFAULT_METHOD_IDS = ['cpu-brute', 'cpu-sweep', 'gpu-brute', 'gpu-search', 'gpu-regions', 'gpu-tiles'];

/**
 * The split-K 2D value kernel (src/engine/gpu/eval2dSplit.ts: S slices of the unit range per point block, then a
 * reduction pass, both timed): 'gpu-v-split' with the automatic S, 'gpu-v-split<S>' with S forced; with 8 points
 * per invocation 'gpu-v-split-p8' and 'gpu-v-split-p8-s<S>'. The row's time covers every split pass and the
 * reduction, first start to last end.
 */
function splitMethod(slices: SliceChoice, ppt: SplitPointsPerThread = SPLIT_POINTS_PER_THREAD): MethodSpec {
  const p8 = ppt === 8 ? '-p8' : '';
  return {
    id: slices === 'auto' ? `gpu-v-split${p8}` : p8 ? `gpu-v-split${p8}-s${slices}` : `gpu-v-split${slices}`,
    dim: 2,
    flopPerUnitEval: FLOP.gpuValue,
    backend: 'gpu',
    output: 'values',
    label: `GPU variant: the tiled eval2d${p8 ? ' at 8 points per invocation' : ''} with the unit range split over ${slices === 'auto' ? 'an automatic number of' : slices} slices per point block, then a reduction (shaders/eval2d.compute.wgsl with SPLIT + eval2d_reduce.compute.wgsl${p8 ? '' : "; GpuEvaluator's choice for small grids on GPUs"})`,
    exact: false,
    // A cut grid has fewer point blocks and so another automatic S: time the whole grid.
    canSubset: slices !== 'auto',
    pointsPerInvocation: () => ppt,
    cost: brute,
    rowNote: (n, nx, ny) => `S = ${slicesFor(slices, nx, ny, n, ppt)}`,
    create: (ctx) => {
      const device = ctx.device!;
      const kernel = new Eval2DSplitKernel(device, 'eval2d_split', { pointsPerThread: ppt });
      const units = new UnitBuffer(device);
      const timer = new GpuTimer(device, ctx.now, !ctx.noTimestamps && device.features.has('timestamp-query'));
      let points = 0;
      return {
        prepare(net, grid) {
          const g = grid as Grid2D;
          units.upload(net);
          kernel.planGrid(units, g, 'out', slices);
          points = g.nx * g.ny;
        },
        run(reps = 1, expectMs = 0) {
          return timer.time(kernel.passes, (encoder, ts) => kernel.encode(encoder, ts), reps, expectMs);
        },
        async output() {
          return { kind: 'values', values: await kernel.readOutput(points) };
        },
        destroy() {
          kernel.destroy();
          units.destroy();
          timer.destroy();
        },
      };
    },
  };
}

/** The split-K region kernel (src/engine/gpu/regions2dSplit.ts) with the automatic S: 'gpu-regions-split'. */
function regionsSplitMethod(): MethodSpec {
  return {
    id: 'gpu-regions-split',
    dim: 2,
    flopPerUnitEval: FLOP.gpuRegions,
    backend: 'gpu',
    output: 'regions',
    label: 'GPU active count + pattern id with the unit range split over an automatic number of slices per point block, atomics adding into cleared outputs (shaders/regions2d.compute.wgsl with SPLIT; GpuEvaluator\'s choice for small grids on GPUs)',
    exact: false,
    canSubset: false,
    pointsPerInvocation: () => SPLIT_POINTS_PER_THREAD,
    cost: brute,
    rowNote: (n, nx, ny) => `S = ${slicesFor('auto', nx, ny, n)}`,
    create: (ctx) => {
      const device = ctx.device!;
      const kernel = new Regions2DSplitKernel(device);
      const units = new UnitBuffer(device);
      const timer = new GpuTimer(device, ctx.now, !ctx.noTimestamps && device.features.has('timestamp-query'));
      return {
        prepare(net, grid) {
          units.upload(net);
          kernel.planGrid(units, grid as Grid2D);
        },
        run(reps = 1, expectMs = 0) {
          return timer.time(kernel.passes, (encoder, ts) => kernel.encode(encoder, ts), reps, expectMs);
        },
        async output() {
          return { kind: 'regions', ...(await kernel.readOutput()) };
        },
        destroy() {
          kernel.destroy();
          units.destroy();
          timer.destroy();
        },
      };
    },
  };
}
