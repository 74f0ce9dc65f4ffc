/**
 * The benchmark runner shared by the app's Benchmark panel and the CLI (scripts/bench.ts). It touches no DOM
 * and no Node API: the host injects a clock, the GPU device (or null) and a description of the platform.
 *
 * For each dimension, grid, method and unit count N it evaluates a fixed random network, after warm-up, as
 * the median of repeats (with min and max), and checks the output against a float64 reference on a sample
 * of grid points, so a fast wrong kernel shows. GPU rows are timed with timestamp queries where the device
 * has them, else with the host clock around onSubmittedWorkDone, and give their share of the measured
 * FMA peak. Slow brute-force points are timed on the first rows/samples of the grid and scaled, and say so.
 */
import { type Network, randomNetwork } from '../model/network.ts';
import { type Grid1D, type Grid2D, gridStep, relativeL2 } from '../model/grid.ts';
import { evaluate1DBrute, evaluate1DSweep, evaluate2DBrute, regions2DBrute } from '../engine/cpu/evaluator.ts';
import { interpolateNetwork } from '../model/fit1d.ts';
import { errorStats } from '../model/errorStats.ts';
import { PeakKernel, type PeakResult } from '../engine/gpu/peak.ts';
import { autoKernel2D, type Kernel2DChoice } from '../engine/gpu/context.ts';
import { isDeviceLoss, isGpuFault } from '../engine/gpu/errors.ts';
import { DEFAULT_METHOD_IDS, FLOP_NOTE, METHODS, contextKernel2D, type MethodContext, type MethodInstance, type MethodSpec, type Timing } from './methods.ts';

export const RESULT_VERSION = 1;

/** What the host provides. */
export interface BenchEnv {
  /** Milliseconds, monotonic (performance.now). */
  now: () => number;
  /** The GPU device, or null for a CPU-only run. Its features decide the timing method. */
  device: GPUDevice | null;
  /** The adapter measured, as the host describes it. */
  adapter: AdapterDescription | null;
  /** Why there is no GPU, when device is null (shown in the output). */
  noGpuReason?: string;
  /** Browser user agent or "Node v20 … / Dawn". */
  platform: string;
  /** The 2D kernel the host's evaluator uses (GpuEvaluator.kernel2D); derived from the adapter when absent. */
  kernel2D?: Exclude<Kernel2DChoice, 'auto'>;
  /** Lets the host breathe between measurements (the browser's event loop); default setTimeout(0). */
  yieldToHost?: () => Promise<void>;
  /**
   * Runs one CPU series (`job.config` names one method on one grid) somewhere fresh and returns what it measured,
   * passing each progress message and row to `onProgress` as it comes; absent, CPU series run in this thread. The
   * CLI runs each in a new worker thread: after the 1D series the same 2D CPU code ran 1.2–1.4× slower in the
   * thread that ran them (a forced GC did not undo it; a fresh worker did), while the calibration, run first in a
   * fresh process, sees the fast code (bench/NOTES.md).
   */
  cpuSeries?: (job: CpuSeriesJob, onProgress: (message: string, row?: BenchRow) => void, signal?: AbortSignal) => Promise<CpuSeriesResult>;
}

/** One CPU series to run elsewhere (BenchEnv.cpuSeries): a whole run's config restricted to it, accuracy off. */
export interface CpuSeriesJob {
  config: BenchConfig;
}

/** What a CPU series measured elsewhere: runBenchmark's rows, skipped points and notes for that config. */
export interface CpuSeriesResult {
  rows: BenchRow[];
  skipped: SkippedPoint[];
  notes: string[];
  cancelled: boolean;
}

/** The config of one series of `config` (method `id` of dimension `dim` on grid `g`), for BenchEnv.cpuSeries. */
export function seriesConfig(config: BenchConfig, dim: 1 | 2, id: string, g: number): BenchConfig {
  return { ...config, dims: [dim], methods: [id], grids1D: dim === 1 ? [g] : config.grids1D, grids2D: dim === 2 ? [g] : config.grids2D, accuracy: null };
}

/** The notes of a CPU-only run that a series run elsewhere does not hand back (the host run has its own). */
export function seriesNotes(result: BenchResult): string[] {
  return result.notes.filter((n) => n !== FLOP_NOTE && !n.startsWith('CPU-only run:'));
}

const CUT_NOTE = 'Slow brute-force points are timed on the leading rows (2D) or samples (1D) of the grid and scaled by points; their rows say "cut".';

export interface AdapterDescription {
  name: string;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  features?: string[];
}

export interface BenchConfig {
  dims: Array<1 | 2>;
  /** Method ids (see METHOD_IDS); GPU ones are skipped with a note when there is no device. */
  methods: string[];
  /** Unit counts N. */
  sizes: number[];
  /** 1D grid sizes G. */
  grids1D: number[];
  /** 2D grid sides R (R × R grids). */
  grids2D: number[];
  warmup: number;
  repeats: number;
  /** Target time of one timed run; slower brute-force points are timed on part of the grid and scaled. */
  runBudgetMs: number;
  /** Points of the grid checked against the float64 reference. */
  errorSample: number;
  /** Accuracy-vs-N study (1D): target and construction; null to skip. */
  accuracy: AccuracyTarget | null;
  /** Peak measurement: minimum kernel time per dispatch. */
  peakMinMs: number;
  /** Use the host clock even where timestamp-query exists. */
  noTimestamps: boolean;
  seed: number;
}

/** A 1D target for the accuracy study: float64 f (NaN where undefined) on a domain. */
export interface AccuracyTarget {
  label: string;
  f: (x: number) => number;
  domain: [number, number];
}

export const SIN_TARGET: AccuracyTarget = { label: 'sin(x)', f: Math.sin, domain: [-Math.PI, Math.PI] };

export const ALL_SIZES = Array.from({ length: 17 }, (_, k) => 2 ** k);

/** The default sweep: N = 1 … 65,536, two grids per dimension, every non-variant method. */
export function defaultConfig(): BenchConfig {
  return {
    dims: [1, 2],
    methods: [...DEFAULT_METHOD_IDS],
    sizes: ALL_SIZES.slice(),
    grids1D: [4096, 1 << 18],
    grids2D: [128, 512],
    warmup: 1,
    repeats: 3,
    runBudgetMs: 60,
    errorSample: 256,
    accuracy: SIN_TARGET,
    peakMinMs: 40,
    noTimestamps: false,
    seed: 1,
  };
}

/** A smoke sweep of a few seconds. */
export function quickConfig(): BenchConfig {
  return {
    ...defaultConfig(),
    sizes: [1, 64, 1024],
    grids1D: [4096],
    grids2D: [64],
    repeats: 2,
    runBudgetMs: 20,
    errorSample: 64,
    peakMinMs: 5,
  };
}

export interface BenchRow {
  dim: 1 | 2;
  method: string;
  backend: 'cpu' | 'gpu';
  output: 'values' | 'regions';
  exact: boolean;
  n: number;
  /** "4096" (1D) or "512x512" (2D). */
  grid: string;
  points: number;
  /** Points actually evaluated per run (fewer than `points` when cut; times are scaled up). */
  measuredPoints: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  /** Setup time (upload, CPU sort for gpu-search), ms, once. */
  setupMs: number;
  unitEvalsPerS: number;
  flopPerUnitEval: number;
  flopPerS: number;
  /**
   * GPU rows: FLOP/s as a percentage of the run's highest measured FMA peak (equivalent for exact methods).
   * Filled in when the run ends: rows passed to onProgress still have null here.
   */
  peakPct: number | null;
  /** 'relL2' for values; 'mismatch' (fraction of sample points whose count or id differ) for regions. */
  errorKind: 'relL2' | 'mismatch';
  error: number;
  errorSample: number;
  timing: Timing;
  note: string;
}

export interface AccuracyRow {
  target: string;
  construction: string;
  n: number;
  samples: number;
  maxErr: number;
  rmsErr: number;
  /** Time to evaluate the fitted sum on the samples by the CPU knot sweep, ms. */
  evalMs: number;
}

export interface SkippedPoint {
  dim: 1 | 2;
  method: string;
  n: number | null;
  grid: string | null;
  reason: string;
}

export interface BenchResult {
  version: number;
  startedAt: string;
  durationMs: number;
  cancelled: boolean;
  /**
   * Set when the GPU was lost (or failed) during the run, which then ended early: a plain sentence. The rows
   * measured before it are complete and kept; absent for a run the GPU saw through.
   */
  gpuLost?: string;
  platform: string;
  adapter: AdapterDescription | null;
  noGpuReason: string | null;
  gpuTiming: Timing | null;
  /** The highest FMA peak measured in the run (the ceiling every GPU row's % refers to). */
  peak: PeakResult | null;
  /** Every peak measurement (before each GPU series and at the end), FLOP/s: their spread shows load drift. */
  peakSamples: number[];
  flopNote: string;
  config: Omit<BenchConfig, 'accuracy'> & { accuracy: { label: string; domain: [number, number] } | null };
  rows: BenchRow[];
  accuracy: AccuracyRow[];
  skipped: SkippedPoint[];
  notes: string[];
}

export interface BenchProgress {
  done: number;
  total: number;
  message: string;
  row?: BenchRow;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: BenchProgress) => void;
}

/** Thrown (internally) when the signal aborts; the runner returns the partial result with cancelled = true. */
class Cancelled extends Error {}

/** Thrown (internally) once the device is lost; the runner returns the partial result with gpuLost set. */
class DeviceGone extends Error {}

/** Checks a config; throws RangeError naming the bad field. */
export function validateConfig(c: BenchConfig): void {
  const ints = (name: string, xs: number[], lo: number, hi: number) => {
    if (!Array.isArray(xs) || xs.length === 0) throw new RangeError(`${name}: give at least one value`);
    for (const x of xs) {
      if (!Number.isInteger(x) || x < lo || x > hi) throw new RangeError(`${name}: ${x} is not an integer from ${lo} to ${hi}`);
    }
  };
  ints('sizes', c.sizes, 1, 65536);
  if (!c.dims.length || c.dims.some((d) => d !== 1 && d !== 2)) throw new RangeError('dims: use 1, 2 or both');
  if (c.dims.includes(1)) ints('grids1D', c.grids1D, 2, 1 << 22);
  if (c.dims.includes(2)) ints('grids2D', c.grids2D, 2, 2048);
  ints('repeats', [c.repeats], 1, 1000);
  ints('warmup', [c.warmup], 0, 100);
  const known = new Set(METHODS.map((m) => m.id));
  if (!c.methods.length) throw new RangeError('methods: give at least one');
  for (const m of c.methods) if (!known.has(m)) throw new RangeError(`methods: unknown method '${m}' (known: ${[...known].join(', ')})`);
  if (!(c.runBudgetMs > 0) || !Number.isFinite(c.runBudgetMs)) throw new RangeError('runBudgetMs must be a positive number');
}

/** The median of `xs` (the mean of the middle two for an even count); shared by the bench's modules. */
export function median(xs: number[]): number {
  const s = xs.slice().sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The first `points` samples (1D) or rows (2D) of a grid, with the same spacing. */
function leadingPart(grid: Grid1D | Grid2D, dim: 1 | 2, fraction: number): Grid1D | Grid2D {
  if (dim === 1) {
    const g = grid as Grid1D;
    const nx = Math.max(Math.min(g.nx, 256), Math.ceil(g.nx * fraction));
    return { xMin: g.xMin, xMax: g.xMin + (nx - 1) * gridStep(g.xMin, g.xMax, g.nx), nx };
  }
  const g = grid as Grid2D;
  const ny = Math.max(1, Math.ceil(g.ny * fraction));
  return { ...g, yMax: g.yMin + (ny - 1) * gridStep(g.yMin, g.yMax, g.ny), ny: Math.max(ny, 1) };
}

function gridPoints(grid: Grid1D | Grid2D, dim: 1 | 2): number {
  return dim === 1 ? (grid as Grid1D).nx : (grid as Grid2D).nx * (grid as Grid2D).ny;
}

/** Evenly strided sample indices into a grid of `total` points. */
function sampleIndices(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(Math.floor(((k + 0.5) * total) / count));
  return out;
}

/** Coordinates of grid point `i`, computed like gridXs/gridPoints2D. */
function pointAt(grid: Grid1D | Grid2D, dim: 1 | 2, i: number): [number, number] {
  if (dim === 1) {
    const g = grid as Grid1D;
    return [g.xMin + i * gridStep(g.xMin, g.xMax, g.nx), 0];
  }
  const g = grid as Grid2D;
  const c = i % g.nx;
  const r = (i - c) / g.nx;
  return [g.xMin + c * gridStep(g.xMin, g.xMax, g.nx), g.yMin + r * gridStep(g.yMin, g.yMax, g.ny)];
}

async function checkOutput(inst: MethodInstance, spec: MethodSpec, net: Network, grid: Grid1D | Grid2D, sample: number): Promise<{ error: number; count: number }> {
  const out = await inst.output();
  const idx = sampleIndices(gridPoints(grid, spec.dim), sample);
  const pts = new Float64Array(2 * idx.length);
  idx.forEach((i, k) => {
    const [x, y] = pointAt(grid, spec.dim, i);
    pts[2 * k] = x;
    pts[2 * k + 1] = y;
  });
  if (out.kind === 'values') {
    const got = Float64Array.from(idx, (i) => out.values[i]);
    const want = spec.dim === 1 ? evaluate1DBrute(net, pts.filter((_, j) => j % 2 === 0)) : evaluate2DBrute(net, pts);
    return { error: relativeL2(got, want), count: idx.length };
  }
  const want = regions2DBrute(net, pts);
  let bad = 0;
  idx.forEach((i, k) => {
    if (out.active[i] !== want.active[k] || out.pattern[i] >>> 0 !== want.pattern[k]) bad++;
  });
  return { error: idx.length ? bad / idx.length : 0, count: idx.length };
}

function describeGrid(dim: 1 | 2, g: number): string {
  return dim === 1 ? String(g) : `${g}x${g}`;
}

/** The grid of a benchmark point: [−1, 1] (1D, G samples) or [−1, 1]² (2D, R×R); also used by the peers (peers.ts). */
export function makeGrid(dim: 1 | 2, g: number): Grid1D | Grid2D {
  return dim === 1 ? { xMin: -1, xMax: 1, nx: g } : { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: g, ny: g };
}

/** The random network of a benchmark point (dimension, N, the run's seed); the peers (peers.ts) evaluate the same one. */
export function benchNetwork(dim: 1 | 2, n: number, seed: number): Network {
  return randomNetwork(dim, n, seed * 100_003 + n * 7 + dim);
}

/** What a run that lost its GPU says, in the result's `gpuLost` and notes. */
export const GPU_LOST_NOTE = 'The GPU was lost during the benchmark; the rows measured before it are kept.';

/**
 * Runs the benchmark. Never throws for a cancelled run (the partial result comes back with cancelled = true),
 * nor for a device lost or failing mid-run (the rows measured before it come back, with `gpuLost` set);
 * throws RangeError for a bad config before measuring anything.
 */
export async function runBenchmark(env: BenchEnv, config: BenchConfig, options: RunOptions = {}): Promise<BenchResult> {
  validateConfig(config);
  const started = env.now();
  const yieldToHost = env.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const device = env.device;
  const notes: string[] = [];
  const skipped: SkippedPoint[] = [];
  const rows: BenchRow[] = [];
  const accuracy: AccuracyRow[] = [];
  const sizes = [...new Set(config.sizes)].sort((p, q) => p - q);
  const useTimestamps = !!device && !config.noTimestamps && device.features.has('timestamp-query');
  // The 2D brute-force rows time the kernel the sandbox itself picks for this adapter.
  const kernel2D = device ? (env.kernel2D ?? autoKernel2D(env.adapter, device)) : 'tiled';
  const gpuTiming: Timing | null = device ? (useTimestamps ? 'timestamp-query' : 'onSubmittedWorkDone') : null;
  // Noticed at once, so a loss between two GPU calls ends the run before it measures on a dead device.
  let lostReason: string | null = null;
  void device?.lost.then((info) => {
    lostReason = info.message || info.reason || 'lost';
  });
  const result: BenchResult = {
    version: RESULT_VERSION,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    cancelled: false,
    platform: env.platform,
    adapter: env.adapter,
    noGpuReason: device ? null : (env.noGpuReason ?? 'no WebGPU device'),
    gpuTiming,
    peak: null,
    peakSamples: [],
    flopNote: FLOP_NOTE,
    config: { ...config, accuracy: config.accuracy ? { label: config.accuracy.label, domain: config.accuracy.domain } : null },
    rows,
    accuracy,
    skipped,
    notes,
  };

  // The plan: every (dim, grid, method) series over N, methods unavailable without a GPU noted once.
  const series: Array<{ spec: MethodSpec; grid: number }> = [];
  for (const dim of config.dims) {
    for (const spec of METHODS.filter((m) => m.dim === dim && config.methods.includes(m.id))) {
      if (spec.backend === 'gpu' && !device) {
        skipped.push({ dim, method: spec.id, n: null, grid: null, reason: `no GPU: ${result.noGpuReason}` });
        continue;
      }
      if (spec.feature && device && !device.features.has(spec.feature)) {
        skipped.push({ dim, method: spec.id, n: null, grid: null, reason: `needs the WebGPU feature '${spec.feature}', which this device lacks` });
        continue;
      }
      for (const g of dim === 1 ? config.grids1D : config.grids2D) series.push({ spec, grid: g });
    }
  }
  const total = (device ? 1 : 0) + series.length * sizes.length + (config.accuracy && config.dims.includes(1) ? sizes.length : 0);
  let done = 0;
  const progress = (message: string, row?: BenchRow) => options.onProgress?.({ done, total, message, row });
  const checkCancel = () => {
    if (options.signal?.aborted) throw new Cancelled('cancelled');
    if (lostReason !== null) throw new DeviceGone(lostReason);
  };

  if (!device) notes.push(`CPU-only run: ${result.noGpuReason}.`);
  else notes.push(`GPU timing: ${gpuTiming}${useTimestamps ? ' (kernel time from the GPU clock, summed over passes)' : ' (host clock from submit to onSubmittedWorkDone, includes submission latency)'}.`);
  notes.push(FLOP_NOTE);
  if (env.cpuSeries) notes.push('Each CPU series (one method on one grid) was measured in a fresh thread of its own.');

  // The peak is measured before every GPU series and once at the end; rows use the highest, so a peak
  // taken while the machine was busy cannot inflate their percentages.
  const peakKernel = device ? new PeakKernel(device, env.now, useTimestamps) : null;
  const measurePeak = async () => {
    if (!peakKernel) return;
    try {
      const p = await peakKernel.measure({ minMs: config.peakMinMs, repeats: 3 });
      result.peakSamples.push(p.flops);
      if (!result.peak || p.flops > result.peak.flops) result.peak = p;
    } catch (e) {
      notes.push(`FMA peak not measured: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    if (device) {
      progress('measuring the FMA peak');
      await measurePeak();
      done++;
      checkCancel();
    }

    const nets = new Map<string, Network>();
    const netFor = (dim: 1 | 2, n: number) => {
      const key = `${dim}/${n}`;
      let net = nets.get(key);
      if (!net) {
        net = benchNetwork(dim, n, config.seed);
        nets.set(key, net);
      }
      return net;
    };
    for (const { spec, grid: g } of series) {
      if (spec.backend === 'gpu' && result.peakSamples.length > 0) await measurePeak();
      if (spec.backend === 'cpu' && env.cpuSeries) {
        checkCancel();
        const sub = await env.cpuSeries(
          { config: seriesConfig(config, spec.dim, spec.id, g) },
          (message, row) => {
            if (row) done++;
            progress(message, row);
          },
          options.signal,
        );
        rows.push(...sub.rows);
        skipped.push(...sub.skipped);
        done += sub.skipped.length;
        for (const n of sub.notes) if (!notes.includes(n)) notes.push(n);
        if (sub.cancelled) throw new Cancelled('cancelled');
        continue;
      }
      const fullGrid = makeGrid(spec.dim, g);
      const inst = spec.create({ now: env.now, device, noTimestamps: !useTimestamps, kernel2D, gridPoints: gridPoints(fullGrid, spec.dim) });
      const nx = g;
      const ny = spec.dim === 1 ? 1 : g;
      // Time per cost unit, from the last size measured in this series (to predict the next).
      let last: { ms: number; cost: number } | null = null;
      let overheadMs = 0;
      try {
        for (const n of sizes) {
          checkCancel();
          const label = `${spec.dim}D ${spec.id} N=${n} grid ${describeGrid(spec.dim, g)}`;
          progress(label);
          const fullCost = spec.cost(n, nx, ny);
          let fraction = 1;
          // Time model t = overhead + k·cost: the overhead is the first (smallest) run of the series, k comes
          // from the last run once that run is mostly work (at least twice the overhead).
          if (last !== null) {
            const minFraction = spec.canSubset ? minSubsetPoints(spec, fullGrid, kernel2D) / gridPoints(fullGrid, spec.dim) : 1;
            const reliable = last.ms >= 2 * overheadMs;
            const k = reliable ? (last.ms - overheadMs) / last.cost : last.ms / last.cost;
            const predicted = overheadMs * (reliable ? 1 : 0) + k * fullCost;
            if (predicted > config.runBudgetMs) {
              const smallest = (reliable ? overheadMs : 0) + k * fullCost * minFraction;
              if (reliable && smallest > 20 * config.runBudgetMs) {
                skipped.push({
                  dim: spec.dim,
                  method: spec.id,
                  n,
                  grid: describeGrid(spec.dim, g),
                  reason: `predicted ${(smallest / 1e3).toFixed(1)} s per run even on a ${minFraction < 1 ? 'cut' : 'full'} grid (over 20× the ${config.runBudgetMs} ms budget; raise --budget to include)`,
                });
                done++;
                continue;
              }
              // A first guess only: measure() grows the part until a run is long enough.
              if (spec.canSubset) fraction = reliable ? Math.max(0, config.runBudgetMs - overheadMs) / (k * fullCost) : minFraction;
            }
          }
          const points = gridPoints(fullGrid, spec.dim);
          const net = netFor(spec.dim, n);
          const row = await measure(spec, inst, net, fullGrid, fraction, n, device, config, env.now, kernel2D);
          const grid = row.grid;
          const measured = gridPoints(grid, spec.dim);
          const scale = points / measured;
          const times = row.times.map((t) => t * scale);
          last = { ms: median(row.times), cost: spec.cost(n, grid.nx, spec.dim === 1 ? 1 : (grid as Grid2D).ny) };
          if (rows.filter((r) => r.method === spec.id && r.dim === spec.dim && r.grid === describeGrid(spec.dim, g)).length === 0) {
            overheadMs = Math.min(...row.times);
          }
          const med = median(times);
          // A zero time (work below the clock's resolution even in a full batch) has no meaningful rate.
          const unitEvalsPerS = med > 0 ? (n * points) / (med / 1e3) : Number.NaN;
          const flop = spec.flopPerUnitEval;
          const flopPerS = unitEvalsPerS * flop;
          const noteParts: string[] = [];
          if (measured < points) {
            noteParts.push(`cut: timed on ${measured} of ${points} points, scaled`);
            if (!notes.includes(CUT_NOTE)) notes.push(CUT_NOTE);
          }
          if (row.repeats < config.repeats) noteParts.push(`${row.repeats} repeat(s): one run exceeds the budget`);
          if (row.batch > 1) noteParts.push(`each repeat averages ${row.batch} back-to-back runs`);
          if (spec.exact) noteParts.push('exact method: equivalent rates');
          if (spec.id === 'gpu-brute' && spec.dim === 2) {
            const k = contextKernel2D({ kernel2D, gridPoints: points });
            noteParts.push(`kernel ${k === 'tiled' ? 'eval2d' : `eval2d_${k}`}`);
          }
          if (spec.rowNote) noteParts.push(spec.rowNote(n, grid.nx, spec.dim === 1 ? 1 : (grid as Grid2D).ny));
          if (!(med > 0)) noteParts.push(`below the timer's resolution even in a batch of ${row.batch} runs: no rate`);
          const out: BenchRow = {
            dim: spec.dim,
            method: spec.id,
            backend: spec.backend,
            output: spec.output,
            exact: spec.exact,
            n,
            grid: describeGrid(spec.dim, g),
            points,
            measuredPoints: measured,
            medianMs: med,
            minMs: Math.min(...times),
            maxMs: Math.max(...times),
            repeats: row.repeats,
            setupMs: row.setupMs,
            unitEvalsPerS,
            flopPerUnitEval: flop,
            flopPerS,
            peakPct: null,
            errorKind: spec.output === 'regions' ? 'mismatch' : 'relL2',
            error: row.error,
            errorSample: row.errorSample,
            timing: spec.backend === 'gpu' ? gpuTiming! : 'cpu-clock',
            note: noteParts.join('; '),
          };
          rows.push(out);
          done++;
          progress(label, out);
          await yieldToHost();
        }
      } finally {
        inst.destroy();
      }
    }

    if (config.accuracy && config.dims.includes(1)) {
      const t = config.accuracy;
      for (const n of sizes) {
        checkCancel();
        progress(`accuracy ${t.label} N=${n}`);
        try {
          accuracy.push(accuracyPoint(t, n, env.now));
        } catch (e) {
          // A target the construction cannot fit (undefined everywhere, say) ends the study, not the run.
          notes.push(`Accuracy study stopped at N=${n}: ${e instanceof Error ? e.message : String(e)}`);
          done += sizes.length - sizes.indexOf(n);
          break;
        }
        done++;
        await yieldToHost();
      }
    }
  } catch (e) {
    if (e instanceof Cancelled) {
      result.cancelled = true;
      notes.push('Cancelled before the end: the rows above are complete measurements, the rest was not run.');
    } else if (device && (e instanceof DeviceGone || lostReason !== null || isDeviceLoss(e) || isGpuFault(e))) {
      // The device went away (or broke) mid-run: what was measured before it stands; the rest cannot be run.
      result.gpuLost = lostReason !== null || e instanceof DeviceGone || isDeviceLoss(e) ? GPU_LOST_NOTE : 'The GPU failed during the benchmark; the rows measured before it are kept.';
      notes.push(`${result.gpuLost} (${e instanceof Error ? e.message : String(e)})`);
    } else {
      throw e;
    }
  }
  if (peakKernel) {
    if (!result.cancelled && !result.gpuLost && rows.some((r) => r.backend === 'gpu')) await measurePeak();
    peakKernel.destroy();
  }
  const ceiling = result.peak?.flops ?? 0;
  for (const r of rows) if (r.backend === 'gpu' && ceiling > 0 && Number.isFinite(r.flopPerS)) r.peakPct = (100 * r.flopPerS) / ceiling;
  if (result.peakSamples.length > 1) {
    const lo = Math.min(...result.peakSamples);
    if (lo < 0.8 * ceiling) {
      notes.push(
        `The FMA peak varied during the run (${(lo / 1e9).toFixed(2)} to ${(ceiling / 1e9).toFixed(2)} GFLOP/s over ${result.peakSamples.length} measurements): ` +
          'the machine was busy with other work; GPU rows use the highest, so their % of peak is conservative.',
      );
    }
  }
  result.durationMs = env.now() - started;
  progress(result.cancelled ? 'cancelled' : result.gpuLost ? 'GPU lost' : 'done');
  return result;
}

/** Fewest points a brute-force run may be cut to (GPU: 16 workgroups of 256 × 4 points, so the adapter stays busy). */
function minSubsetPoints(spec: MethodSpec, grid: Grid1D | Grid2D, kernel2D: MethodContext['kernel2D']): number {
  const full = gridPoints(grid, spec.dim);
  // GPU subsets keep at least 16 workgroups of 256 invocations busy, at the kernel's points per invocation
  // (256 for the SwiftShader cache kernels, so a 512² grid is never cut for them: fewer rows would idle cores).
  const gpuFloor = 16 * 256 * (spec.pointsPerInvocation?.({ kernel2D, gridPoints: full }) ?? 4);
  return Math.min(full, spec.backend === 'gpu' ? gpuFloor : spec.dim === 1 ? 256 : (grid as Grid2D).nx);
}

/**
 * Measures one point. Brute-force methods whose predicted run exceeds the budget start on a leading part of
 * the grid and grow it (×2 or more per probe) until one run takes at least half the budget or the grid is
 * whole, so fixed per-dispatch overhead never gets scaled up; probe runs count as warm-up.
 */
async function measure(
  spec: MethodSpec,
  inst: MethodInstance,
  net: Network,
  fullGrid: Grid1D | Grid2D,
  fraction: number,
  n: number,
  device: GPUDevice | null,
  config: BenchConfig,
  now: () => number,
  kernel2D: MethodContext['kernel2D'],
): Promise<{ times: number[]; repeats: number; setupMs: number; error: number; errorSample: number; grid: Grid1D | Grid2D; batch: number }> {
  // GPU subsets keep at least 16 workgroups busy (see minSubsetPoints), so the time scales with the points;
  // CPU subsets go down to 256 samples (1D) or one row (2D).
  const floor = minSubsetPoints(spec, fullGrid, kernel2D) / gridPoints(fullGrid, spec.dim);
  const work = async () => {
    let f = Math.max(floor, Math.min(1, fraction));
    let grid = f < 1 ? leadingPart(fullGrid, spec.dim, f) : fullGrid;
    const t0 = now();
    await inst.prepare(net, grid);
    if (device && spec.backend === 'gpu') await device.queue.onSubmittedWorkDone();
    let setupMs = now() - t0;
    let first = await inst.run();
    while (f < 1 && first < config.runBudgetMs / 2) {
      f = Math.min(1, f * Math.max(2, (0.7 * config.runBudgetMs) / Math.max(first, 1e-3)));
      grid = f < 1 ? leadingPart(fullGrid, spec.dim, f) : fullGrid;
      const t1 = now();
      await inst.prepare(net, grid);
      if (device && spec.backend === 'gpu') await device.queue.onSubmittedWorkDone();
      setupMs = now() - t1;
      first = await inst.run();
    }
    // Warm-up: the requested runs, and for short runs enough of them to let the JIT settle (≥ 20 ms or 50 runs).
    // CPU code also runs several times faster once V8 has optimised it, which can take a few calls of any length
    // (a single unit on 512²: 23–52 ms cold, 2.4 ms warm): CPU runs go on while a run still beats the best so far
    // by over 20 %, within 10 runs and 2 budgets.
    let warmRuns = 1;
    let warmMs = first;
    let speedingUp = spec.backend === 'cpu';
    while (
      warmRuns < config.warmup ||
      (warmMs < Math.min(20, config.runBudgetMs / 2) && warmRuns < 50) ||
      (speedingUp && warmRuns < 10 && warmMs < 2 * config.runBudgetMs)
    ) {
      const t = await inst.run(1, first);
      warmMs += t;
      warmRuns++;
      speedingUp = speedingUp && t < 0.8 * first;
      first = Math.min(first, t);
    }
    // Short runs are timed in batches of back-to-back runs: the host clock may be coarse in a browser, and GPU
    // timestamps are quantised (Chromium 100 µs, Dawn 65.5 µs), so one short dispatch can read as 0.
    const batch = await batchSize(inst, spec.backend === 'gpu' ? GPU_MIN_TIMED_MS : CPU_MIN_TIMED_MS, first);
    if (batch.perRun > 0) first = batch.perRun;
    // Fewer repeats where one run is long, so the default sweep stays within its time.
    const repeats = Math.max(1, Math.min(config.repeats, Math.floor((4 * config.runBudgetMs) / Math.max(first * batch.reps, 1e-3))));
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) times.push(await inst.run(batch.reps, Math.min(first, ...times) * batch.reps));
    const check = await checkOutput(inst, spec, net, grid, config.errorSample);
    return { times, repeats, setupMs, error: check.error, errorSample: check.count, grid, batch: batch.reps };
  };
  if (!device || spec.backend !== 'gpu') return work();
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let r: Awaited<ReturnType<typeof work>> | undefined;
  let thrown: unknown = null;
  try {
    r = await work();
  } catch (e) {
    thrown = e;
  }
  // popErrorScope rejects once the GPU process is gone: then the work's own error (or the loss) is what counts.
  const pop = () => device.popErrorScope().catch((e: unknown) => ((thrown ??= e), null));
  const [validation, oom] = [await pop(), await pop()];
  const gpuErr = validation ?? oom;
  if (gpuErr) throw new Error(`GPU error in ${spec.id} at N=${n}: ${gpuErr.message}`);
  if (thrown) throw thrown;
  return r!;
}

/** Each timed measurement spans at least this long: 1 ms on the host clock, 2 ms of GPU time (≥ 20 timestamp quanta). */
const CPU_MIN_TIMED_MS = 1;
const GPU_MIN_TIMED_MS = 2;
/** At most this many runs in one timed batch (a run that reads 0 even then is reported as below the timer's resolution). */
export const MAX_BATCH = 4096;

/**
 * How many back-to-back runs make one timed measurement of at least `minMs`, from the shortest single run seen
 * (`single`, which may read 0 on a quantised clock): grows the batch until a batch is long enough.
 */
export async function batchSize(inst: MethodInstance, minMs: number, single: number): Promise<{ reps: number; perRun: number }> {
  if (single >= minMs) return { reps: 1, perRun: single };
  let reps = single > 0 ? Math.min(MAX_BATCH, Math.ceil((1.25 * minMs) / single)) : 16;
  for (;;) {
    const perRun = await inst.run(reps, single * reps);
    if (perRun * reps >= minMs || reps >= MAX_BATCH) return { reps, perRun };
    reps = Math.min(MAX_BATCH, perRun > 0 ? Math.max(2 * reps, Math.ceil((1.25 * minMs) / perRun)) : 16 * reps);
  }
}

/** One point of the accuracy study: uniform piecewise-linear interpolation with n units, error on a fine grid. */
export function accuracyPoint(t: AccuracyTarget, n: number, now: () => number): AccuracyRow {
  const net = interpolateNetwork(t.f, n, t.domain, 'uniform');
  const samples = Math.min(1 << 20, Math.max(4097, 16 * n + 1));
  const [lo, hi] = t.domain;
  const xs = new Float64Array(samples);
  for (let i = 0; i < samples; i++) xs[i] = lo + ((hi - lo) * i) / (samples - 1);
  const t0 = now();
  const values = evaluate1DSweep(net, xs);
  const evalMs = now() - t0;
  const targets = Float64Array.from(xs, t.f);
  const s = errorStats(values, targets);
  return { target: t.label, construction: 'interpolate-uniform', n, samples, maxErr: s.max, rmsErr: s.rms, evalMs };
}
