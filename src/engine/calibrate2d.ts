/**
 * Which method computes a 2D grid, chosen by measurement on the adapter at hand (issue 12): a short calibration
 * times every candidate (the GPU brute-force kernels this device has, the CPU row sweep, and the exact GPU kernels
 * registered below) at a few (N, grid) sizes, fits each a small cost model, and the picker takes the fastest
 * predicted one for each call's size. The result is cached per adapter (see `calibrationKey`), so a reload does
 * not measure again. Correctness never depends on the choice: every candidate is parity-tested against the
 * float64 twin (test/gpu/calibrate2d.test.ts).
 */
import { activationOf, isPiecewiseLinear } from '../model/activation.ts';
import { type Network, randomNetwork } from '../model/network.ts';
import type { Grid2D } from '../model/grid.ts';
import type { Regions } from '../model/regions.ts';
import type { Values } from './evaluator.ts';
import { type CpuEvaluator, SWEEP_2D_MIN_UNITS } from './cpu/evaluator.ts';
import { ReusedF64, ReusedRegions } from './cpu/buffers.ts';
import { type GpuEvaluator, type GpuEvaluatorOptions, type Kernel2DChoice, gridKernel2D } from './gpu/context.ts';
import { slicesFor } from './gpu/eval2dSplit.ts';

export type Output2D = 'values' | 'regions';

/**
 * How a candidate's time grows, as the basis of its cost model t ≈ Σ cₖ·basisₖ(n, nx, ny) with cₖ ≥ 0 fitted to
 * the calibration's timings. Every basis has a fixed cost per call and one per point (allocation, the store of each
 * value, on a CPU-like adapter the invocation itself): at a few units on a big grid those are all there is, and a
 * model without them predicted N = 1–16 on 512² several times too fast (bench/NOTES.md).
 *  - 'brute': overhead, points, N·points;
 *  - 'sweep' (the CPU row sweep, brute force under SWEEP_2D_MIN_UNITS units, i.e. a network of no units): overhead, points, N (the per-call
 *    setup of each unit's constants), rows·N and rows·max(0, N − SWEEP_CACHE_KNEE) where it sweeps, N·points where
 *    it does not. The sweep sorts nothing (each knot drops into its column's bucket), so its work is rows·N; but
 *    each row streams every unit's constants (48 bytes a unit), and once they outgrow the core's cache a unit-row
 *    costs more (this machine: 13 ns up to 4,096 units, 24 ns past ~10,000; bench/NOTES.md), which the last
 *    sweep term carries;
 *  - 'tiles' (the tile kernel): overhead, points, N, rows·N (the units crossing each tile), N·points
 *    (classification). The N term is a cost per unit that does not grow with the grid: on SwiftShader 65,536 units
 *    cost about half as much on 128² as on 512² (175 against 331 ms), not a quarter, and without it the model put
 *    128² at 0.6× its time at N ≥ 4,096 and picked the tile kernel where the CPU was faster (bench/NOTES.md).
 */
export type Scaling = 'brute' | 'sweep' | 'tiles';

/** The basis functions of a scaling (n units; nx × ny grid). */
export function basisOf(scaling: Scaling, n: number, nx: number, ny: number): number[] {
  const points = nx * ny;
  if (scaling === 'brute') return [1, points, Math.max(1, n) * points];
  // The tile kernel: classification is tiles·N (∝ points·N / 256), evaluation points × the units crossing a tile
  // (∝ N·tile side / grid side per point, so rows·N), and a cost per unit whatever the grid (see Scaling).
  if (scaling === 'tiles') return [1, points, n, ny * n, Math.max(1, n) * points];
  // Terms that are zero on the other side of the threshold, so each side's rate is fitted from its own sizes.
  const sweeps = n >= SWEEP_2D_MIN_UNITS;
  return [1, points, sweeps ? n : 0, sweeps ? ny * n : 0, sweeps ? ny * Math.max(0, n - SWEEP_CACHE_KNEE) : 0, sweeps ? 0 : Math.max(1, n) * points];
}

/**
 * Units past which the row sweep's cost model adds a second rate per unit-row (see Scaling): its per-unit
 * constants (48 bytes a unit) outgrow a 512 KiB L2 cache near 10,000 units. A fixed knee, not a fitted one: with
 * timings on both sides (the ladder's CPU-only sizes of 16,384 and 65,536 units) a knee somewhat off the device's
 * own still leaves the fit close at every size the app uses, and on a device whose cache holds more units the
 * second rate fits to little.
 */
export const SWEEP_CACHE_KNEE = 8192;

/** A way to compute a 2D grid, as the calibration and the picker see it. */
export interface Candidate2D {
  /** Stable id (cache tables and the bench refer to it): 'cpu', 'gpu-tiled', 'gpu-cache8', … */
  id: string;
  /** For the status line and the tables, short: "CPU row sweep", "GPU cache8 kernel". */
  label: string;
  /** What exactly runs (shaders, paths), for tooltips and the docs. */
  detail: string;
  backend: 'cpu' | 'gpu';
  /** What it computes: values, regions (active count and pattern id), or both. */
  outputs: readonly Output2D[];
  scaling: Scaling;
  /** GPU candidates: the GpuEvaluator options that select it (the evaluator routes a pick to such an evaluator). */
  gpuOptions?: GpuEvaluatorOptions;
  /** Whether this device can run it (null: no GPU). */
  available(device: GPUDevice | null): boolean;
  /** Whether it serves this network (default: any); the exact methods need piecewise-linear units. */
  applies?(net: Network): boolean;
  /**
   * The benchmark method (src/bench/methods.ts id) that times what this candidate runs for `output` at n units on
   * nx × ny points, on an adapter whose automatic 2D kernel is `autoKernel` (the one the bench's gpu-brute runs);
   * null where the benchmark has none. The CLI's pick report finds the pick's timing by it.
   */
  benchMethod(output: Output2D, n: number, nx: number, ny: number, autoKernel: BruteKernel2D): string | null;
}

/** A concrete 2D brute-force value kernel choice. */
export type BruteKernel2D = Exclude<Kernel2DChoice, 'auto'>;

/**
 * The bench method that times a brute-force value kernel choice at this size: gpu-brute where the bench's own
 * kernel is the same shader, else the variant of that shader (`gpu-v-tiled8`, `gpu-v-cache8`, …); null for the
 * full tiled eval2d, which only gpu-brute times (on hardware adapters).
 */
function bruteBenchMethod(kernel: BruteKernel2D, points: number, autoKernel: BruteKernel2D): string | null {
  const runs = gridKernel2D(kernel, points);
  if (runs === gridKernel2D(autoKernel, points)) return 'gpu-brute';
  return runs === 'tiled' ? null : `gpu-v-${runs}`;
}

const piecewise = (net: Network) => isPiecewiseLinear(activationOf(net));
const hasGpu = (d: GPUDevice | null) => d !== null;

/**
 * Every candidate, in table order. The exact GPU kernels plug in here: one entry each, with the GpuEvaluator
 * option that selects them (e.g. `{ id: 'gpu-tiles', gpuOptions: { exact2D: 'tiles' }, scaling: 'tiles', … }`), and the benchmark method
 * that times what they run.
 */
export const CANDIDATES_2D: Candidate2D[] = [
  {
    id: 'cpu',
    label: 'CPU row sweep',
    detail: 'CpuEvaluator: the exact row sweep (src/engine/cpu/sweep2d.ts)',
    backend: 'cpu',
    outputs: ['values', 'regions'],
    scaling: 'sweep',
    available: () => true,
    applies: piecewise,
    benchMethod: (_output, n) => (n >= SWEEP_2D_MIN_UNITS ? 'cpu-sweep' : 'cpu-brute'),
  },
  {
    id: 'gpu-tiled',
    label: 'GPU tiled kernel',
    detail: 'shaders/eval2d.compute.wgsl, eval2d_tiled8 under 2^20 points',
    backend: 'gpu',
    outputs: ['values'],
    scaling: 'brute',
    gpuOptions: { kernel2D: 'tiled' },
    available: hasGpu,
    // On hardware adapters (automatic kernel 'tiled') the evaluator splits the unit range where that gives the GPU
    // more workgroups (eval2dSplit.ts: S > 1), which the bench's gpu-v-split times.
    benchMethod: (_output, n, nx, ny, autoKernel) =>
      autoKernel === 'tiled' && slicesFor('auto', nx, ny, n) > 1 ? 'gpu-v-split' : bruteBenchMethod('tiled', nx * ny, autoKernel),
  },
  {
    id: 'gpu-cache8',
    label: 'GPU cache8 kernel',
    detail: 'shaders/generated/eval2d_cache8.compute.wgsl',
    backend: 'gpu',
    outputs: ['values'],
    scaling: 'brute',
    // The kernel itself: no unit split (which would run the tiled split kernel on hardware adapters).
    gpuOptions: { kernel2D: 'cache8', slices2D: 1 },
    available: hasGpu,
    benchMethod: (_output, _n, nx, ny, autoKernel) => bruteBenchMethod('cache8', nx * ny, autoKernel),
  },
  {
    id: 'gpu-cache8sg',
    label: 'GPU cache8sg kernel',
    detail: 'shaders/generated/eval2d_cache8sg.compute.wgsl (subgroups)',
    backend: 'gpu',
    outputs: ['values'],
    scaling: 'brute',
    // The kernel itself: no unit split (which would run the tiled split kernel on hardware adapters).
    gpuOptions: { kernel2D: 'cache8sg', slices2D: 1 },
    available: (d) => d !== null && d.features.has('subgroups'),
    benchMethod: (_output, _n, nx, ny, autoKernel) => bruteBenchMethod('cache8sg', nx * ny, autoKernel),
  },
  {
    id: 'gpu-tiles',
    label: 'GPU tile kernel',
    detail: 'shaders/eval2d_tiles.compute.wgsl: per 16×16 tile the units whose lines miss it collapse into one plane',
    backend: 'gpu',
    outputs: ['values', 'regions'],
    scaling: 'tiles',
    gpuOptions: { exact2D: 'tiles' },
    available: hasGpu,
    applies: piecewise,
    benchMethod: (output) => (output === 'values' ? 'gpu-tiles' : 'gpu-tiles-regions'),
  },
  {
    id: 'gpu-regions',
    label: 'GPU regions kernel',
    detail: 'shaders/regions2d.compute.wgsl',
    backend: 'gpu',
    outputs: ['regions'],
    scaling: 'brute',
    gpuOptions: {},
    available: hasGpu,
    // On hardware adapters the regions map splits by the same rule as values (Regions2DSplitKernel).
    benchMethod: (_output, n, nx, ny, autoKernel) => (autoKernel === 'tiled' && slicesFor('auto', nx, ny, n) > 1 ? 'gpu-regions-split' : 'gpu-regions'),
  },
];

/** The registered candidate with this id, or undefined. */
export function candidateById(id: string, registry: readonly Candidate2D[] = CANDIDATES_2D): Candidate2D | undefined {
  return registry.find((c) => c.id === id);
}

/** One timing: candidate `id` computed `output` for `n` units on an nx × ny grid in `ms` (host clock). */
export interface Sample2D {
  id: string;
  output: Output2D;
  n: number;
  nx: number;
  ny: number;
  ms: number;
}

/** What the calibration measured on one adapter (what the cache keeps; models are refitted from the samples). */
export interface Calibration2D {
  version: number;
  /** The cache key it was measured under (see calibrationKey). */
  key: string;
  /** The adapter, in words. */
  adapter: string;
  /** ISO time of the measurement. */
  measuredAt: string;
  /** Wall time the calibration took, ms (slices and yields included). */
  durationMs: number;
  /** The candidates measured, by id (available on the device then). */
  candidates: string[];
  samples: Sample2D[];
}

/** Bump when the ladder, the timing or the models change: older cached calibrations are then measured again. */
export const CALIBRATION_VERSION = 7;

/** Adapter fields the cache key is made of (GPUAdapterInfo or the benchmark's description of it). */
export interface AdapterKeyInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/**
 * The cache key of a calibration: the adapter (vendor, architecture, device, description), the app version and
 * the candidate set this device offers, so another adapter, a new release or a new kernel measures again.
 */
export function calibrationKey(info: AdapterKeyInfo | null, appVersion: string, candidateIds: readonly string[]): string {
  const a = info ? [info.vendor, info.architecture, info.device, info.description].map((s) => s ?? '').join('/') : 'no-gpu';
  return `v${CALIBRATION_VERSION}|${appVersion}|${a}|${[...candidateIds].sort().join(',')}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1 << 24;

/**
 * A cached calibration read back: the parsed value when it is well formed, of this version and under `key`; null
 * otherwise (damaged JSON, another adapter, an older version, unknown candidates), so the caller measures again.
 */
export function parseCalibration(text: string | null | undefined, key: string, registry: readonly Candidate2D[] = CANDIDATES_2D): Calibration2D | null {
  if (typeof text !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || v.version !== CALIBRATION_VERSION || v.key !== key) return null;
  if (typeof v.adapter !== 'string' || typeof v.measuredAt !== 'string' || typeof v.durationMs !== 'number' || !Number.isFinite(v.durationMs)) return null;
  if (!Array.isArray(v.candidates) || !v.candidates.every((id) => typeof id === 'string' && candidateById(id, registry))) return null;
  if (!Array.isArray(v.samples)) return null;
  const samples: Sample2D[] = [];
  for (const s of v.samples) {
    if (!isObj(s) || typeof s.id !== 'string' || !v.candidates.includes(s.id)) return null;
    if (s.output !== 'values' && s.output !== 'regions') return null;
    if (!posInt(s.n) || !posInt(s.nx) || !posInt(s.ny) || s.nx < 1 || s.ny < 1) return null;
    if (typeof s.ms !== 'number' || !Number.isFinite(s.ms) || s.ms < 0) return null;
    samples.push({ id: s.id, output: s.output, n: s.n, nx: s.nx, ny: s.ny, ms: s.ms });
  }
  return { version: CALIBRATION_VERSION, key, adapter: v.adapter, measuredAt: v.measuredAt, durationMs: v.durationMs, candidates: v.candidates as string[], samples };
}

/** A fitted cost model: t ≈ Σ coef[k]·basisOf(scaling, …)[k] ms. */
export interface CostModel {
  scaling: Scaling;
  coef: number[];
}

/** Solves the small dense system A·x = b (Gaussian elimination with partial pivoting); null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const m = b.length;
  const M = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (!(Math.abs(M[p][c]) > 1e-300)) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= m; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[m] / M[i][i]);
}

/**
 * Fits t ≈ Σ cₖ·φₖ with every cₖ ≥ 0, minimising the squared *relative* error (timings span orders of magnitude):
 * every subset of the basis is solved by least squares and the best one with non-negative coefficients wins (the
 * bases have at most six terms). Every subset keeps a term that grows with N (see WORK_TERMS) wherever the samples
 * have one: a model fitted to noisy small sizes without it would predict 65,536 units as cheap as 16. With one
 * sample a work term alone is taken. Null without samples.
 */
export function fitCostModel(scaling: Scaling, samples: ReadonlyArray<Pick<Sample2D, 'n' | 'nx' | 'ny' | 'ms'>>): CostModel | null {
  const usable = samples.filter((s) => s.ms > 0);
  if (!usable.length) return null;
  const rows = usable.map((s) => basisOf(scaling, s.n, s.nx, s.ny).map((phi) => phi / s.ms));
  let coef = bestSubsetFit(scaling, rows, usable.length);
  // The row sweep's cache term rests on two timings (the CPU-only sizes past the knee); one spoilt by load (3× on
  // this shared machine) made the CPU look 3.7× dearer at 65,536 units. A streamed array's misses cost a bounded
  // amount more, so its rate is capped at SWEEP_CACHE_PENALTY_CAP times the rows·N rate: refitted with the two
  // terms merged at that ratio.
  if (coef && scaling === 'sweep' && coef[4] > SWEEP_CACHE_PENALTY_CAP * coef[3]) {
    const merged = rows.map((r) => r.map((phi, i) => (i === 3 ? phi + SWEEP_CACHE_PENALTY_CAP * r[4] : i === 4 ? 0 : phi)));
    const capped = bestSubsetFit(scaling, merged, usable.length);
    if (capped) coef = capped.map((c, i) => (i === 4 ? SWEEP_CACHE_PENALTY_CAP * capped[3] : c));
  }
  if (coef) return { scaling, coef };
  // Nothing non-negative fitted (cannot happen for one positive term alone, kept for safety): proportional to the
  // last work term the last sample has.
  const last = usable[usable.length - 1];
  const phi = basisOf(scaling, last.n, last.nx, last.ny);
  const w = Math.max(...WORK_TERMS[scaling].flat().filter((i) => phi[i] > 0));
  return { scaling, coef: phi.map((_, i) => (i === w ? last.ms / phi[i] : 0)) };
}

/**
 * How much more than the rows·N rate the row sweep's cache term may add per unit-row past SWEEP_CACHE_KNEE (a
 * unit-row there costs at most 2.5× one before; measured 1.85× on this machine, bench/NOTES.md).
 */
export const SWEEP_CACHE_PENALTY_CAP = 1.5;

/**
 * The relative least-squares fit of fitCostModel over every subset of the basis (rows: the basis terms divided by
 * each sample's time); the coefficients of the best non-negative one, or null when none is.
 */
function bestSubsetFit(scaling: Scaling, rows: number[][], count: number): number[] | null {
  const k = rows[0].length;
  // The work-term groups some sample has (the CPU's sweep terms only when a size of 16 units or more was timed).
  const groups = WORK_TERMS[scaling].filter((g) => rows.some((r) => g.some((i) => r[i] > 0)));
  let best: { coef: number[]; err: number } | null = null;
  // Subsets from the largest index down, so ties keep the work terms (the right extrapolation for big sizes).
  for (let mask = (1 << k) - 1; mask >= 1; mask--) {
    const idx = [...Array(k).keys()].filter((i) => mask & (1 << i));
    if (idx.length > count || !groups.every((g) => g.some((i) => mask & (1 << i)))) continue;
    // Scale columns so the normal equations are well conditioned (the terms differ by 10^10).
    const scale = idx.map((i) => Math.max(...rows.map((r) => Math.abs(r[i]))) || 1);
    const ata = idx.map((i, p) => idx.map((j, q) => rows.reduce((acc, r) => acc + (r[i] / scale[p]) * (r[j] / scale[q]), 0)));
    const atb = idx.map((i, p) => rows.reduce((acc, r) => acc + r[i] / scale[p], 0));
    const x = solve(ata, atb);
    if (!x || x.some((c) => !(c >= 0) || !Number.isFinite(c))) continue;
    const coef = new Array<number>(k).fill(0);
    idx.forEach((i, p) => (coef[i] = x[p] / scale[p]));
    const err = rows.reduce((acc, r) => acc + (r.reduce((s, phi, i) => s + phi * coef[i], 0) - 1) ** 2, 0);
    if (!best || err < best.err * (1 - 1e-9)) best = { coef, err };
  }
  return best ? best.coef : null;
}

/**
 * Per scaling, the groups of basis terms that grow with N: a fitted model keeps at least one term of each group
 * its samples have (brute force: N·points; the row sweep: rows·N where it sweeps — its setup and cache terms
 * alone would not grow with the grid —, N·points where it does not; the tile kernel: rows·N or N·points).
 */
const WORK_TERMS: Record<Scaling, number[][]> = { brute: [[2]], sweep: [[3], [5]], tiles: [[3, 4]] };

/** The model's predicted time, ms. */
export function predictMs(model: CostModel, n: number, nx: number, ny: number): number {
  return basisOf(model.scaling, n, nx, ny).reduce((acc, phi, i) => acc + phi * model.coef[i], 0);
}

/** Why a candidate was picked: the pick, its predicted time and the runner-up's. */
export interface Pick2D {
  id: string;
  label: string;
  backend: 'cpu' | 'gpu';
  /** Predicted time of the pick, ms. */
  ms: number;
  /** The fastest other candidate and its predicted time, when there is one. */
  runnerUp: { id: string; label: string; ms: number } | null;
  /** Whether the size was measured at startup (else predicted by the cost models). */
  measured: boolean;
}

/**
 * The picker: one calibration, its models fitted once. `pick` is pure and cheap (a few multiplications per
 * candidate), so the frame may ask on every call.
 */
export class Picker2D {
  private readonly models = new Map<string, CostModel>();

  constructor(
    readonly calibration: Calibration2D,
    private readonly registry: readonly Candidate2D[] = CANDIDATES_2D,
  ) {
    for (const id of calibration.candidates) {
      const c = candidateById(id, registry);
      if (!c) continue;
      for (const output of c.outputs) {
        const model = fitCostModel(c.scaling, calibration.samples.filter((s) => s.id === id && s.output === output));
        if (model) this.models.set(`${id}/${output}`, model);
      }
    }
  }

  /** The model of a candidate for an output, or null when it was not measured. */
  model(id: string, output: Output2D): CostModel | null {
    return this.models.get(`${id}/${output}`) ?? null;
  }

  /**
   * The fastest candidate for `output` at this size (predicted by the models), among those measured that serve
   * `net` (all when absent) and run on `backend` (either when absent); null when none does (the caller keeps its
   * default).
   */
  pick(output: Output2D, n: number, nx: number, ny: number, net?: Network, backend?: 'cpu' | 'gpu'): Pick2D | null {
    const ranked: Array<{ c: Candidate2D; ms: number }> = [];
    for (const id of this.calibration.candidates) {
      const c = candidateById(id, this.registry);
      const model = this.model(id, output);
      if (!c || !model || (net && c.applies && !c.applies(net)) || (backend && c.backend !== backend)) continue;
      ranked.push({ c, ms: predictMs(model, n, nx, ny) });
    }
    if (!ranked.length) return null;
    ranked.sort((p, q) => p.ms - q.ms);
    const [best, second] = ranked;
    const measured = this.calibration.samples.some((s) => s.id === best.c.id && s.output === output && s.n === n && s.nx === nx && s.ny === ny);
    return {
      id: best.c.id,
      label: best.c.label,
      backend: best.c.backend,
      ms: best.ms,
      runnerUp: second ? { id: second.c.id, label: second.c.label, ms: second.ms } : null,
      measured,
    };
  }

  /** The calibration table: for each size class and output, every candidate's predicted time and the pick. */
  table(classes: ReadonlyArray<{ n: number; side: number }> = SIZE_CLASSES): CalibrationTableRow[] {
    const rows: CalibrationTableRow[] = [];
    for (const output of ['values', 'regions'] as const) {
      for (const { n, side } of classes) {
        const times: Record<string, number> = {};
        for (const id of this.calibration.candidates) {
          const m = this.model(id, output);
          if (m) times[id] = predictMs(m, n, side, side);
        }
        const p = this.pick(output, n, side, side);
        if (p) rows.push({ output, n, side, times, pick: p.id });
      }
    }
    return rows;
  }
}

/** One row of the calibration table: predicted ms per candidate id at N units on a side² grid, and the pick. */
export interface CalibrationTableRow {
  output: Output2D;
  n: number;
  side: number;
  times: Record<string, number>;
  pick: string;
}

/** The size classes the table shows (the app's grids are 128² to 1024², its networks 1 to 65,536 units). */
export const SIZE_CLASSES: ReadonlyArray<{ n: number; side: number }> = [16, 256, 4096, 65536].flatMap((n) => [128, 512, 1024].map((side) => ({ n, side })));

/** "3.1 ms", "0.42 ms", "1.2 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toPrecision(2)} s`;
  return `${ms >= 10 ? Math.round(ms) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2)} ms`;
}

/** The status line's sentence, e.g. "2D: CPU row sweep (3.1 ms vs 11 ms for the GPU cache8 kernel at 512², measured at startup)". */
export function describePick(p: Pick2D, side: number, output: Output2D = 'values'): string {
  const what = output === 'regions' ? '2D regions' : '2D';
  const vs = p.runnerUp ? ` vs ${formatMs(p.runnerUp.ms)} for the ${p.runnerUp.label}` : '';
  return `${what}: ${p.label} (${formatMs(p.ms)}${vs} at ${side}², ${p.measured ? 'measured' : 'predicted from what was measured'} at startup)`;
}

/**
 * The sizes timed, cheap ones first; each candidate skips a size whose run would exceed its budget. Each basis
 * term has sizes where it dominates: the fixed cost (1 unit on 64²), the cost per point (4 and 16 units on 256²
 * and 512²: on a CPU-like adapter a brute-force kernel costs about as much per point at N = 1 as at N = 64), the
 * CPU's cost per point (1 unit on 64² and 256²), and the work in N, with N and the grid growing in turn so the row
 * sweep's rows·N and the tile kernel's rows·N are told apart from N·points (the same N on 256² and 512²: a
 * budget that ends the ladder there otherwise leaves them confounded, and the tile kernel's model predicted 6× too
 * slow at 65,536 units on 1024²). Extrapolating from these to 65,536 units on 1024² is linear in every term.
 * The CPU alone also times a single unit on 256² (from 64² alone, a timing spoilt by load or a cold JIT was
 * extrapolated 64× to 512², and a GPU kernel picked at 2.8× the CPU's time there; since SWEEP_2D_MIN_UNITS is 1
 * that is the row sweep's per-point cost, no longer a brute force of its own), and 16,384
 * and 65,536 units on small grids (about 10 and 30 ms here): its 40 ms budget
 * ends its ladder at 4,096 units on the big grids, below SWEEP_CACHE_KNEE, and without a size past the knee the
 * row sweep's model predicted 65,536 units on 1024² at 1.26 s against 2.2 s measured, so the CPU was picked at up
 * to 2.5× the tile kernel's time (bench/NOTES.md). Their grids are small so they stay cheap; the GPU candidates
 * skip them (a few hundred points leave a GPU idle, which would spoil its per-point rates). 4,096 units on 128² is
 * cheap for every candidate (16,384 points) and gives each a second grid at a large N whatever the budget cuts: on
 * SwiftShader the budget often skipped 4,096 on 512² for the tile kernel, whose per-unit and rows·N terms were then
 * told apart by nothing (its fit put everything on N and over-predicted 128² by 1.5×), and the brute-force kernels
 * cost 2.6× more per unit and point on 128² than on 256², which no size showed (a cache8sg pick at 128², N ≥ 32,768,
 * 5× slower than the best; bench/NOTES.md).
 */
export const LADDER: ReadonlyArray<LadderSize> = [
  { n: 1, side: 64 },
  { n: 16, side: 64 },
  { n: 4, side: 256 },
  { n: 1, side: 256, backend: 'cpu' },
  { n: 64, side: 128 },
  { n: 16, side: 512 },
  { n: 256, side: 256 },
  { n: 1024, side: 256 },
  { n: 4096, side: 128 },
  { n: 4096, side: 256 },
  { n: 1024, side: 512 },
  { n: 4096, side: 512 },
  { n: 16384, side: 32, backend: 'cpu', always: true },
  { n: 65536, side: 16, backend: 'cpu', always: true },
  { n: 16384, side: 512 },
  { n: 65536, side: 1024 },
];

/** One size of the calibration ladder: n units on a side² grid. */
export interface LadderSize {
  n: number;
  side: number;
  /** Timed by this backend's candidates alone (default: every candidate). */
  backend?: 'cpu' | 'gpu';
  /**
   * Timed whatever its bound (growthBound compares term by term, so from big grids at small N a small grid at
   * large N looks 4–16× dearer than it is); for sizes cheap by construction.
   */
  always?: boolean;
}

/**
 * An upper bound of how much longer a run at (n, nx, ny) takes than the sample `from`: the largest ratio of any
 * non-constant basis term (a non-negative combination grows by at most that much); Infinity where a term the run
 * has is zero at `from` (the CPU's sweep terms from a brute-force size: that sample bounds nothing).
 */
export function growthBound(scaling: Scaling, from: Pick<Sample2D, 'n' | 'nx' | 'ny'>, n: number, nx: number, ny: number): number {
  const a = basisOf(scaling, from.n, from.nx, from.ny);
  const b = basisOf(scaling, n, nx, ny);
  let r = 1;
  for (let k = 1; k < a.length; k++) {
    if (a[k] > 0) r = Math.max(r, b[k] / a[k]);
    else if (b[k] > 0) return Infinity;
  }
  return r;
}

/** Runs one evaluation by a candidate; resolves once the result exists (on the GPU: once the queue has done it). */
export type RunCandidate2D = (c: Candidate2D, output: Output2D, net: Network, grid: Grid2D) => Promise<unknown>;

export interface CalibrateOptions {
  /** The device the GPU candidates run on (null: CPU only). */
  device: GPUDevice | null;
  run: RunCandidate2D;
  now: () => number;
  /** The cache key (see calibrationKey). */
  key: string;
  adapter: string;
  /** A pause between timings (the browser: a macrotask, so input and frames go first); default setTimeout(0). */
  yieldToHost?: () => Promise<void>;
  /**
   * Skips a CPU size whose predicted run exceeds this (ms; default 40): where the CPU candidate runs on the calling
   * thread (the CLI) no task gets near 100 ms, and the calibration stays short.
   */
  maxRunMs?: number;
  /**
   * The same for GPU sizes (ms; default 60): they run off the main thread, so this bounds the calibration's length
   * (on a CPU-like adapter the GPU kernels are the slow candidates; a hardware GPU runs the whole ladder within it).
   */
  maxGpuRunMs?: number;
  /** Batches short runs up to this much time per timing (ms; default 1). */
  minTimedMs?: number;
  /**
   * The first this many ladder sizes are timed whatever their bound (default 3: at most 65,536 points and 16
   * units, cheap on any device), so one timing spoilt by a busy machine at the first size cannot end a ladder.
   */
  minSizes?: number;
  signal?: AbortSignal;
  registry?: readonly Candidate2D[];
  ladder?: ReadonlyArray<LadderSize>;
  /** Reports each timing as it lands. */
  onSample?: (s: Sample2D) => void;
}

/** Thrown when a calibration is aborted through its signal. */
export class CalibrationCancelledError extends Error {
  override name = 'CalibrationCancelledError';
}

/**
 * Times every available candidate on the ladder (in slices: one timing, then a yield) and returns the samples.
 * Each candidate runs once untimed at the first size (pipeline builds, JIT), then each size is timed as the
 * fastest of two to five timings (more for short runs), a short run batched to `minTimedMs`. Past the first
 * `minSizes` sizes, a size predicted (the tightest upper bound from the same candidate's earlier timings, see
 * growthBound) above `maxRunMs` (CPU) or `maxGpuRunMs` (GPU) is skipped, once the size giving that bound has been
 * timed again (once) and still gives it.
 */
export async function calibrate2D(opts: CalibrateOptions): Promise<Calibration2D> {
  const started = opts.now();
  const registry = opts.registry ?? CANDIDATES_2D;
  const ladder = opts.ladder ?? LADDER;
  const maxRunMs = opts.maxRunMs ?? 40;
  const maxGpuRunMs = opts.maxGpuRunMs ?? 60;
  const minTimedMs = opts.minTimedMs ?? 1;
  const pause = opts.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const candidates = registry.filter((c) => c.available(opts.device));
  const samples: Sample2D[] = [];
  const nets = new Map<number, Network>();
  /** The size's network, built in a task of its own when new (at 65,536 units the build and a first run chained in one task took 79 ms of a slow CPU). */
  const netFor = async (n: number) => {
    let net = nets.get(n);
    if (!net) {
      nets.set(n, (net = randomNetwork(2, n, 12_000 + n)));
      await pause();
    }
    return net;
  };
  const check = () => {
    if (opts.signal?.aborted) throw new CalibrationCancelledError('the calibration was cancelled');
  };
  const gridOf = (side: number): Grid2D => ({ xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: side, ny: side });
  /**
   * One size's time: the fastest of several timings (the page or the machine may be busy meanwhile): five under
   * 5 ms, where a timing costs little and load matters most; three up to 25 ms; two above (`timings` caps them).
   * A short run is batched to `minTimedMs` per timing; a pause between timings.
   */
  const timeAt = async (c: Candidate2D, output: Output2D, n: number, side: number, timings = 5): Promise<number> => {
    const net = await netFor(n);
    const grid = gridOf(side);
    const timeOnce = async (reps: number) => {
      const t0 = opts.now();
      for (let r = 0; r < reps; r++) await opts.run(c, output, net, grid);
      return (opts.now() - t0) / reps;
    };
    // How many timings and how many runs in each follow the fastest timing so far, not the first alone: a first
    // timing spoilt by a burst of load (37 ms for a 0.05 ms run, seen here) must not cut the timings to two.
    const probe = await timeOnce(1);
    // A probe shorter than minTimedMs only sizes the batches (a coarse browser clock may read it as 0).
    let ms = probe >= minTimedMs ? probe : Infinity;
    let timed = probe >= minTimedMs ? 1 : 0;
    for (let est = probe; timed < Math.min(timings, est < 5 ? 5 : est < 25 ? 3 : 2); timed++) {
      await pause();
      check();
      const reps = est >= minTimedMs ? 1 : Math.min(64, Math.ceil(minTimedMs / Math.max(est, minTimedMs / 64)));
      ms = Math.min(ms, await timeOnce(reps));
      est = ms;
    }
    return ms;
  };
  const rechecked = new Set<Sample2D>();
  // Size by size, every candidate in turn (not each candidate's whole ladder at once): load from other programs
  // that comes and goes then spoils every candidate's timings alike rather than one candidate's.
  const series = candidates.flatMap((c) => c.outputs.map((output) => ({ c, output, mine: [] as Sample2D[] })));
  const minSizes = opts.minSizes ?? 3;
  for (const [step, { n, side, backend, always }] of ladder.entries()) {
    for (const { c, output, mine } of series) {
      if (backend && c.backend !== backend) continue;
      check();
      const budget = c.backend === 'cpu' ? maxRunMs : maxGpuRunMs;
      // The tightest upper bound any earlier size gives (one timing spoilt by a busy machine does not end the
      // ladder); none (the first size, or only sizes that bound nothing, see growthBound): measured.
      const tightest = () => {
        let best: { ms: number; from: Sample2D } | null = null;
        for (const m of mine) {
          const b = m.ms * growthBound(c.scaling, m, n, side, side);
          if (Number.isFinite(b) && (!best || b < best.ms)) best = { ms: b, from: m };
        }
        return best;
      };
      let bound = step >= minSizes && !always ? tightest() : null;
      // Before skipping, the size that bounds it is timed once more (cheap: it is smaller): a timing spoilt by
      // another program's burst would otherwise end the candidate's ladder there.
      if (bound && bound.ms > budget && !rechecked.has(bound.from)) {
        const from = bound.from;
        rechecked.add(from);
        from.ms = Math.min(from.ms, await timeAt(c, output, from.n, from.nx, 2));
        await pause();
        bound = tightest();
      }
      if (bound && bound.ms > budget) continue;
      if (!mine.length) {
        await opts.run(c, output, await netFor(n), gridOf(side));
        await pause();
        check();
      }
      const s: Sample2D = { id: c.id, output, n, nx: side, ny: side, ms: await timeAt(c, output, n, side) };
      samples.push(s);
      mine.push(s);
      opts.onSample?.(s);
      await pause();
    }
  }
  return {
    version: CALIBRATION_VERSION,
    key: opts.key,
    adapter: opts.adapter,
    measuredAt: new Date().toISOString(),
    durationMs: opts.now() - started,
    candidates: candidates.map((c) => c.id),
    samples,
  };
}

/**
 * The standard way to run a candidate: the CPU evaluator for 'cpu', else a GpuEvaluator built with the
 * candidate's options (`gpuFor`, which the caller caches per candidate). GPU values are left on the device and
 * awaited with onSubmittedWorkDone (as the frame uses them); regions are read back (as the frame uses them). The
 * CPU writes into output arrays the runner keeps (the timings keep no result; the bench's CPU rows reuse theirs),
 * so a CPU result is overwritten by the runner's next CPU call: read it before that, or use candidateOutput.
 */
export function candidateRunner(cpu: CpuEvaluator, gpuFor: (c: Candidate2D) => Promise<GpuEvaluator>): RunCandidate2D {
  const values = new ReusedF64();
  const regions = new ReusedRegions();
  return async (c, output, net, grid) => {
    if (c.backend === 'cpu') {
      // A malformed grid gets no array: the evaluator's validation reports it.
      const points = grid.nx * grid.ny;
      const ok = Number.isSafeInteger(points) && points > 0 && points <= 1 << 26;
      return output === 'values' ? cpu.evaluateGrid2D(net, grid, ok ? values.get(points) : undefined) : cpu.regions2D(net, grid, ok ? regions.get(points) : undefined);
    }
    const g = await gpuFor(c);
    if (output === 'regions') return g.regions2D(net, grid);
    const v = await g.gridValues2D(net, grid);
    await g.device.queue.onSubmittedWorkDone();
    return v;
  };
}

/** A candidate's output read back (for parity tests): values or regions. */
export async function candidateOutput(c: Candidate2D, output: Output2D, net: Network, grid: Grid2D, cpu: CpuEvaluator, gpu: GpuEvaluator | null): Promise<Values | Regions> {
  if (c.backend === 'cpu') return output === 'values' ? cpu.evaluateGrid2D(net, grid) : cpu.regions2D(net, grid);
  if (!gpu) throw new Error(`${c.id} needs a GPU`);
  return output === 'values' ? gpu.evaluateGrid2D(net, grid) : gpu.regions2D(net, grid);
}
