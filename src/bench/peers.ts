/**
 * Peers in the same run (`npm run bench -- --peers`, the Benchmark panel's "Compare with TensorFlow.js"): what a
 * user would pick instead of the sandbox — TensorFlow.js — on the same networks, grids and adapter, side by side
 * with the sandbox's fastest method, as ratios measured in one run.
 *
 * Evaluation: f = c + Σ a_i·relu(w_i·p + b_i) as TF.js ops (points × weights, + bias, relu, × a, + c), in
 * chunks of points so the P×N intermediate stays within CHUNK_ELEMS. Training: one full-batch Adam step on the
 * mean squared error (tf.train.adam), against the sandbox's GPU trainer (GpuTrainer1D/2D, what the app runs) and
 * its float64 CPU twin (Trainer1D/2D). Every time is a median of repeats after warm-up, on the host clock, and is
 * measured the same way on both sides: "compute" ends when the result is complete where it lives (GPU queue idle,
 * or the CPU call returned), "read-back" also copies the values into a JS array. TF.js is given its points as a
 * tensor uploaded before timing (the sandbox's kernels generate the grid in the shader).
 *
 * This module touches no DOM and no Node API and never imports TF.js: the host loads it (peersTf.ts in the browser
 * and Node, peersNode.ts for the Node WASM backend) and hands over a `PeerHandle` per backend.
 */
import type { TfCore, TfGradConfig, TfTensor } from './tfjsModules.js';
import type { Network } from '../model/network.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs, relativeL2 } from '../model/grid.ts';
import { evaluate1DBrute, evaluate2DBrute } from '../engine/cpu/evaluator.ts';
import { Trainer1D, packParams } from '../model/train1d.ts';
import { Trainer2D, packParams2D } from '../model/train2d.ts';
import { defaultLr } from '../model/trainSetup.ts';
import { seededRandom } from '../model/network.ts';
import { GpuTrainer1D } from '../engine/gpu/train1d.ts';
import { GpuTrainer2D } from '../engine/gpu/train2d.ts';
import { autoKernel2D } from '../engine/gpu/context.ts';
import { METHODS, type MethodInstance } from './methods.ts';
import { type BenchEnv, type BenchResult, benchNetwork, makeGrid, median } from './runner.ts';

/** TF.js backends a run may compare with (`--peers=LIST`): wasm and webgpu by default in Node, webgpu or cpu in the browser. */
export const PEER_KINDS = ['wasm', 'webgpu', 'cpu'] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

/** The TensorFlow.js core namespace (tfjs-core), as the host loaded it (the part the peers use). */
export type Tf = TfCore;

/** One TF.js backend, loaded and ready: `activate` makes it the engine's backend before its measurements. */
export interface PeerHandle {
  /** 'tfjs-wasm', 'tfjs-webgpu', 'tfjs-cpu'. */
  id: string;
  /** What it is, for the output: "TensorFlow.js 4.22.0, WebGPU backend on the sandbox's device". */
  label: string;
  tf: Tf;
  /** Makes this backend the active one (tf.setBackend). */
  activate(): Promise<void>;
  /** Resolves once every operation issued so far has finished where it runs (GPU queue idle); no read-back. */
  sync(): Promise<void>;
  /** Releases what the handle registered (its backend); safe to call twice. */
  dispose(): void;
}

/** What to compare; derived from the run's config by `peerConfig`. */
export interface PeerConfig {
  /** Training sizes N (each against `trainSamples` samples). */
  trainSizes: number[];
  trainSamples: number;
  /** Dimensions to train in (those of the run). */
  dims: Array<1 | 2>;
  warmup: number;
  repeats: number;
  /** Target time of one timed TF.js evaluation: slower ones are timed on the leading chunks of the grid and scaled. */
  runBudgetMs: number;
  /** Points checked against the float64 reference. */
  errorSample: number;
  seed: number;
  /** Evaluation points (dim, grid, N) are those of the run with a sandbox value row; false skips evaluation. */
  evaluate: boolean;
  /** False skips training. */
  train: boolean;
}

/** The N of the issue's training target (an Adam step at N = 4,096 on 4,096 samples): always trained. */
export const TARGET_TRAIN_N = 4096;
export const DEFAULT_TRAIN_SAMPLES = 4096;

/** The peer config of a benchmark run: its sizes (plus N = 4,096 for training), dims, repeats and budget. */
export function peerConfig(result: Pick<BenchResult, 'config'>, overrides: Partial<PeerConfig> = {}): PeerConfig {
  const c = result.config;
  return {
    trainSizes: [...new Set([...c.sizes, TARGET_TRAIN_N])].sort((p, q) => p - q),
    trainSamples: DEFAULT_TRAIN_SAMPLES,
    dims: c.dims,
    warmup: Math.max(1, c.warmup),
    repeats: c.repeats,
    runBudgetMs: c.runBudgetMs,
    errorSample: c.errorSample,
    seed: c.seed,
    evaluate: true,
    train: true,
    ...overrides,
  };
}

/** One evaluation point: the sandbox's fastest value method against one TF.js backend. */
export interface PeerEvalRow {
  dim: 1 | 2;
  n: number;
  grid: string;
  points: number;
  peer: string;
  /** The sandbox method of `sandboxMs`: the faster, timed here, of the table's fastest CPU and GPU value methods at this point. */
  sandboxMethod: string;
  /** That method's median from the table (GPU: kernel time by timestamps where available), ms. */
  sandboxTableMs: number;
  /** Sandbox, compute (result complete on its device, host clock), ms. */
  sandboxMs: number;
  /** Sandbox, compute and read-back of every value into a JS array, ms. */
  sandboxReadMs: number;
  /** TF.js, compute, ms (scaled to the whole grid when cut). */
  peerMs: number;
  /** TF.js, compute and read-back (`await data()` of every chunk), ms. */
  peerReadMs: number;
  /** peerMs / sandboxMs: how many times faster the sandbox is. */
  ratio: number;
  /** peerReadMs / sandboxReadMs. */
  ratioRead: number;
  /** Points TF.js evaluated per timed run (fewer than `points` when cut; times are scaled). */
  peerPoints: number;
  /** Relative L2 error of TF.js's values against the float64 twin on a sample of the evaluated points. */
  peerError: number;
  note: string;
}

/** One training point: an Adam step (MSE, full batch) of the sandbox against one TF.js backend. */
export interface PeerTrainRow {
  dim: 1 | 2;
  n: number;
  samples: number;
  peer: string;
  /** Sandbox GPU trainer (GpuTrainer1D/2D), ms per step; null without a GPU or when skipped. */
  sandboxGpuMs: number | null;
  /** Sandbox CPU twin (Trainer1D/2D, float64), ms per step; null when skipped. */
  sandboxCpuMs: number | null;
  /** TF.js, ms per step. */
  peerMs: number;
  /** peerMs / the faster sandbox trainer's ms. */
  ratio: number;
  /** Steps per timed batch (one loss read-back at its end) for the sandbox GPU, CPU and TF.js. */
  batch: { gpu: number | null; cpu: number | null; peer: number };
  /** Relative L2 of the parameters after TRAIN_CHECK_STEPS steps against the float64 twin: TF.js, and the sandbox GPU. */
  peerError: number;
  sandboxGpuError: number | null;
  note: string;
}

export interface PeerSkip {
  what: string;
  reason: string;
}

export interface PeersResult {
  peers: Array<{ id: string; label: string }>;
  /** How the times were taken (printed with the tables). */
  timing: string;
  eval: PeerEvalRow[];
  train: PeerTrainRow[];
  skipped: PeerSkip[];
  notes: string[];
  durationMs: number;
  cancelled: boolean;
}

export const PEER_TIMING_NOTE =
  'Peers: every time is a median of repeats after warm-up on the host clock, measured the same way on both sides. ' +
  '"compute": from the call until the result is complete on its device (GPU: queue idle after submit; CPU/WASM: the call returned), ' +
  'no read-back; "+read": also copies every value into a JS array (sandbox: map the output buffer; TF.js: await data() per chunk). ' +
  'Short runs are timed in batches of back-to-back runs. TF.js gets its points as a tensor uploaded before timing; slow TF.js points ' +
  'are timed on the leading chunks of the grid and scaled ("cut"). Ratio = TF.js time / sandbox time (> 1: the sandbox is faster). ' +
  'Training: ms per full-batch Adam step (MSE), k steps back to back with one loss read-back at the end of the batch, on both sides.';

/** Elements of the P×N intermediate of one TF.js evaluation chunk (64 MiB of float32). */
export const CHUNK_ELEMS = 1 << 24;

/** Points per TF.js evaluation chunk for N units. */
export function chunkPoints(n: number, total: number): number {
  return Math.max(1, Math.min(total, Math.floor(CHUNK_ELEMS / Math.max(1, n))));
}

/** Steps of the training parity check (against the float64 twin). */
export const TRAIN_CHECK_STEPS = 2;

/**
 * TF.js evaluation of a ReLU sum: tensors for the network and `run(points)` ([P, dim] float32) → [P] values.
 * The caller disposes the result; `dispose()` frees the network's tensors.
 */
export function tfEvalGraph(tf: Tf, net: Network): { run(points: TfTensor): TfTensor; dispose(): void } {
  const n = net.a.length;
  const dim = net.dim;
  // W as [dim, N] (the transpose of the row-major N×dim weights), so points × W is [P, N].
  const wt = new Float32Array(dim * n);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) wt[d * n + i] = net.w[i * dim + d];
  const w = tf.tensor2d(wt, [dim, n]);
  const b = tf.tensor1d(Float32Array.from(net.b));
  const a = tf.tensor2d(Float32Array.from(net.a), [n, 1]);
  const c = tf.scalar(net.c);
  return {
    run: (points) => tf.tidy(() => tf.add(tf.reshape(tf.matMul(tf.relu(tf.add(tf.matMul(points, w), b)), a), [points.shape[0]]), c)),
    dispose: () => tf.dispose([w, b, a, c]),
  };
}

/** Training samples: M points in [−1, 1]^dim and a smooth target (sin πx, or sin πx · cos πy), seeded. */
export function trainSamples(dim: 1 | 2, m: number, seed: number): { xs: Float64Array; ys: Float64Array; zs?: Float64Array } {
  const rnd = seededRandom(seed);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  if (dim === 1) {
    for (let k = 0; k < m; k++) {
      xs[k] = 2 * rnd() - 1;
      ys[k] = Math.sin(Math.PI * xs[k]);
    }
    return { xs, ys };
  }
  const zs = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    xs[k] = 2 * rnd() - 1;
    ys[k] = 2 * rnd() - 1;
    zs[k] = Math.sin(Math.PI * xs[k]) * Math.cos(Math.PI * ys[k]);
  }
  return { xs, ys, zs };
}

/** Axes of `outShape` that broadcasting expanded from `inShape` (summed over in the gradient). */
function reductionAxes(inShape: number[], outShape: number[]): number[] {
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const inDim = inShape[inShape.length - 1 - i];
    if (inDim === undefined || (inDim === 1 && outShape[outShape.length - 1 - i] > 1)) axes.unshift(outShape.length - 1 - i);
  }
  return axes;
}

/**
 * The gradients of the ops the training graph uses, as tfjs-core's own (gradients/*_grad.js) compute them. The
 * `@tensorflow/tfjs` bundle registers them by importing register_all_gradients; tfjs-core alone does not, and its
 * Node build has no such entry point that shares its instance, so they are registered here for the kernels that
 * have none.
 */
export function registerTrainGradients(tf: Tf): void {
  const broadcastGrad = (negB: boolean) => (dy: TfTensor, [a, b]: TfTensor[]) => {
    const out = dy.shape;
    const der = (x: TfTensor, neg: boolean) => () => {
      const axes = reductionAxes(x.shape, out);
      const r = axes.length ? tf.sum(dy, axes) : dy;
      return tf.reshape(neg ? tf.neg(r) : r, x.shape);
    };
    return { a: der(a, false), b: der(b, negB) };
  };
  const configs: TfGradConfig[] = [
    { kernelName: 'Add', inputsToSave: ['a', 'b'], gradFunc: broadcastGrad(false) },
    { kernelName: 'Sub', inputsToSave: ['a', 'b'], gradFunc: broadcastGrad(true) },
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b], attrs) => {
        const ta = !!attrs.transposeA;
        const tb = !!attrs.transposeB;
        if (!ta && !tb) return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
        if (!ta && tb) return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
        if (ta && !tb) return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
        return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
      },
    },
    { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.cast(tf.step(x), 'float32')) }) },
    { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }) },
    { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x, 2)) }) },
    {
      // The loss averages over every axis (tf.mean without an axis), the only use here.
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.div(tf.mul(tf.reshape(dy, x.shape.map(() => 1)), tf.ones(x.shape)), x.shape.reduce((p, q) => p * q, 1)) }),
    },
  ];
  for (const c of configs) if (!tf.getGradient(c.kernelName)) tf.registerGradient(c);
}

/**
 * TF.js full-batch Adam on the MSE of a ReLU sum: variables initialised from `net`, tf.train.adam with the
 * sandbox's constants. `step(k)` takes k steps and resolves to the loss before the last one (one read-back);
 * `params()` reads the parameters packed like packParams/packParams2D ([w (N×dim row-major)…, b…, a…, c]).
 */
export function tfTrainer(
  tf: Tf,
  net: Network,
  samples: { xs: ArrayLike<number>; ys: ArrayLike<number>; zs?: ArrayLike<number> },
  opts: { lr: number; beta1?: number; beta2?: number; eps?: number },
): { step(k: number): Promise<number>; params(): Promise<Float64Array>; dispose(): void } {
  const n = net.a.length;
  const dim = net.dim;
  const m = samples.xs.length;
  const pts = new Float32Array(dim * m);
  for (let k = 0; k < m; k++) {
    pts[dim * k] = samples.xs[k];
    if (dim === 2) pts[2 * k + 1] = samples.ys[k];
  }
  const target = dim === 1 ? samples.ys : samples.zs!;
  const x = tf.tensor2d(pts, [m, dim]);
  const y = tf.tensor1d(Float32Array.from(target));
  const w = tf.variable(tf.tensor2d(Float32Array.from(net.w), [n, dim]));
  const b = tf.variable(tf.tensor1d(Float32Array.from(net.b)));
  const a = tf.variable(tf.tensor2d(Float32Array.from(net.a), [n, 1]));
  const c = tf.variable(tf.scalar(net.c));
  registerTrainGradients(tf);
  const optimizer = tf.train.adam(opts.lr, opts.beta1 ?? 0.9, opts.beta2 ?? 0.999, opts.eps ?? 1e-8);
  const loss = () => {
    const f = tf.add(tf.reshape(tf.matMul(tf.relu(tf.add(tf.matMul(x, w, false, true), b)), a), [m]), c);
    return tf.mean(tf.square(tf.sub(f, y)));
  };
  return {
    async step(k) {
      let cost: TfTensor | null = null;
      for (let s = 0; s < k; s++) cost = optimizer.minimize(loss, s === k - 1, [w, b, a, c]);
      if (!cost) return Number.NaN;
      const v = (await cost.data())[0];
      cost.dispose();
      return v;
    },
    async params() {
      const [wv, bv, av, cv] = await Promise.all([w.data(), b.data(), a.data(), c.data()]);
      const out = new Float64Array((dim + 2) * n + 1);
      out.set(wv, 0);
      out.set(bv, dim * n);
      out.set(av, (dim + 1) * n);
      out[(dim + 2) * n] = cv[0];
      return out;
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([x, y, w, b, a, c]);
    },
  };
}

/** Fewest milliseconds one timed measurement spans: shorter runs are batched. */
const MIN_TIMED_MS = 2;
const MAX_BATCH = 256;

/**
 * Median time of one run of `run(reps)` (reps back to back), after `warmup` runs (more while they add up to under
 * 20 ms): batches short runs so each
 * measurement spans at least MIN_TIMED_MS. `maxBatch` caps the batch (training steps change the state).
 */
export async function timeRuns(now: () => number, run: (reps: number) => Promise<void>, warmup: number, repeats: number, maxBatch = MAX_BATCH): Promise<{ ms: number; batch: number }> {
  let single = Infinity;
  // The requested warm-up runs, and for short runs enough more (≥ 20 ms or 10 runs) to let the JIT settle.
  let spent = 0;
  for (let k = 0; k < Math.max(1, warmup) || (spent < 20 && k < 10); k++) {
    const t0 = now();
    await run(1);
    const t = now() - t0;
    spent += t;
    single = Math.min(single, t);
  }
  const batch = single >= MIN_TIMED_MS ? 1 : Math.min(maxBatch, Math.ceil((1.25 * MIN_TIMED_MS) / Math.max(single, 1e-3)));
  const times: number[] = [];
  for (let r = 0; r < Math.max(1, repeats); r++) {
    const t0 = now();
    await run(batch);
    times.push((now() - t0) / batch);
  }
  return { ms: median(times), batch };
}

interface RunPeersOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

class Cancelled extends Error {}

function gridLabelSize(grid: string): number {
  return Number(grid.split('x')[0]);
}

/** Evenly strided indices into [0, total). */
function sampleIdx(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * total) / count));
}

/** Packed parameters' relative L2 distance (float32 trainers against the float64 twin). */
function paramsError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  return relativeL2(Float64Array.from(got), Float64Array.from(want));
}

/**
 * Runs the comparison after a benchmark run: TF.js on the evaluation points of `result` (each against the
 * sandbox's fastest value method there, re-timed as described in PEER_TIMING_NOTE) and on the training sizes.
 * Never throws for a peer that fails at one point (the point is skipped, saying why); a cancelled run returns
 * what it measured with cancelled = true.
 */
export async function runPeers(env: BenchEnv, result: BenchResult, handles: PeerHandle[], config: PeerConfig, options: RunPeersOptions = {}): Promise<PeersResult> {
  const now = env.now;
  const started = now();
  const device = env.device;
  const out: PeersResult = {
    peers: handles.map((h) => ({ id: h.id, label: h.label })),
    timing: PEER_TIMING_NOTE,
    eval: [],
    train: [],
    skipped: [],
    notes: [],
    durationMs: 0,
    cancelled: false,
  };
  const say = (m: string) => options.onProgress?.(m);
  const yieldToHost = env.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const check = () => {
    if (options.signal?.aborted) throw new Cancelled();
  };
  const kernel2D = device ? (env.kernel2D ?? autoKernel2D(env.adapter, device)) : 'tiled';
  try {
    if (config.evaluate) await evalPeers();
    if (config.train) await trainPeers();
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    out.cancelled = true;
    out.notes.push('Cancelled: the peer rows above are complete, the rest was not run.');
  }
  out.durationMs = now() - started;
  return out;

  async function evalPeers(): Promise<void> {
    // Candidates at each (dim, grid, N) of the run: the fastest correct value method of the table per backend
    // (its GPU times are kernel times, so the CPU's best may win once both are timed like the peers).
    const best = new Map<string, Map<string, BenchResult['rows'][number]>>();
    for (const r of result.rows) {
      if (r.output !== 'values' || !(r.error < 1e-3) || !(r.medianMs > 0)) continue;
      const key = `${r.dim}/${r.grid}/${r.n}`;
      const per = best.get(key) ?? new Map<string, BenchResult['rows'][number]>();
      best.set(key, per);
      const cur = per.get(r.backend);
      if (!cur || r.medianMs < cur.medianMs) per.set(r.backend, r);
    }
    if (!best.size) out.notes.push('No sandbox value rows in the run: evaluation was not compared.');
    for (const per of best.values()) {
      check();
      const first = [...per.values()][0];
      const dim = first.dim;
      const g = gridLabelSize(first.grid);
      const grid = makeGrid(dim, g);
      const net = benchNetwork(dim, first.n, result.config.seed);
      const timed: Array<{ row: BenchResult['rows'][number]; ms: number; readMs: number }> = [];
      // A slow candidate (over 50 ms) more than 10× slower in the table than the other cannot win by the host clock: not re-timed.
      const fastest = Math.min(...[...per.values()].map((r) => r.medianMs));
      for (const row of [...per.values()].filter((r) => r.medianMs <= 10 * fastest || r.medianMs < 50)) {
        say(`peers: ${dim}D N=${row.n} grid ${row.grid}: sandbox ${row.method}`);
        const spec = METHODS.find((m) => m.id === row.method && m.dim === dim)!;
        let inst: MethodInstance | null = null;
        try {
          inst = spec.create({ now, device, noTimestamps: true, kernel2D, gridPoints: row.points });
          await inst.prepare(net, grid);
          if (device && spec.backend === 'gpu') await device.queue.onSubmittedWorkDone();
          const i = inst;
          const compute = await timeRuns(now, (reps) => i.run(reps).then(() => undefined), config.warmup, config.repeats);
          const read = await timeRuns(
            now,
            async (reps) => {
              for (let k = 0; k < reps; k++) {
                await i.run(1);
                await i.output();
              }
            },
            config.warmup,
            config.repeats,
          );
          timed.push({ row, ms: compute.ms, readMs: read.ms });
        } catch (e) {
          out.skipped.push({ what: `${dim}D N=${row.n} grid ${row.grid} (sandbox ${row.method})`, reason: e instanceof Error ? e.message : String(e) });
        } finally {
          inst?.destroy();
        }
      }
      if (!timed.length) continue;
      const win = timed.reduce((p, q) => (q.ms < p.ms ? q : p));
      const winRead = timed.reduce((p, q) => (q.readMs < p.readMs ? q : p));
      const row = win.row;
      const sandbox = { ms: win.ms, readMs: winRead.readMs };
      const readNote = winRead.row.method !== row.method ? `+read: sandbox ${winRead.row.method}` : '';
      for (const h of handles) {
        check();
        say(`peers: ${dim}D N=${row.n} grid ${row.grid}: ${h.id}`);
        try {
          const p = await evalPeer(h, net, dim, grid, row.points);
          out.eval.push({
            dim,
            n: row.n,
            grid: row.grid,
            points: row.points,
            peer: h.id,
            sandboxMethod: row.method,
            sandboxTableMs: row.medianMs,
            sandboxMs: sandbox.ms,
            sandboxReadMs: sandbox.readMs,
            peerMs: p.ms,
            peerReadMs: p.readMs,
            ratio: p.ms / sandbox.ms,
            ratioRead: p.readMs / sandbox.readMs,
            peerPoints: p.points,
            peerError: p.error,
            note: [readNote, p.points < row.points ? `cut: TF.js timed on ${p.points} of ${row.points} points, scaled` : ''].filter(Boolean).join('; '),
          });
        } catch (e) {
          out.skipped.push({ what: `${dim}D N=${row.n} grid ${row.grid} on ${h.id}`, reason: e instanceof Error ? e.message : String(e) });
        }
        await yieldToHost();
      }
    }
  }

  /** TF.js evaluation of `net` on the grid, in chunks; slow points are cut to the leading chunks. */
  async function evalPeer(h: PeerHandle, net: Network, dim: 1 | 2, grid: Grid1D | Grid2D, points: number): Promise<{ ms: number; readMs: number; points: number; error: number }> {
    await h.activate();
    const tf = h.tf;
    const coords = dim === 1 ? gridXs(grid as Grid1D) : gridPoints2D(grid as Grid2D);
    const per = chunkPoints(net.a.length, points);
    const starts: number[] = [];
    for (let s = 0; s < points; s += per) starts.push(s);
    const graph = tfEvalGraph(tf, net);
    const chunks: TfTensor[] = [];
    const upload = (k: number) => {
      while (chunks.length <= k) {
        const s = starts[chunks.length];
        const e = Math.min(points, s + per);
        chunks.push(tf.tensor2d(Float32Array.from(coords.subarray(dim * s, dim * e)), [e - s, dim]));
      }
    };
    try {
      // One chunk first (compiles TF.js's kernels for this shape), then as many as the budget allows.
      upload(0);
      const first = await timeRuns(
        now,
        async (reps) => {
          for (let r = 0; r < reps; r++) graph.run(chunks[0]).dispose();
          await h.sync();
        },
        1,
        1,
      );
      const use = Math.max(1, Math.min(starts.length, Math.floor(config.runBudgetMs / Math.max(first.ms, 1e-3))));
      upload(use - 1);
      const measured = chunks.slice(0, use).reduce((s, c) => s + c.shape[0], 0);
      const compute = await timeRuns(
        now,
        async (reps) => {
          for (let r = 0; r < reps; r++) for (const c of chunks.slice(0, use)) graph.run(c).dispose();
          await h.sync();
        },
        config.warmup,
        config.repeats,
      );
      let last: Float32Array[] = [];
      const read = await timeRuns(
        now,
        async (reps) => {
          for (let r = 0; r < reps; r++) {
            const outs = chunks.slice(0, use).map((c) => graph.run(c));
            last = (await Promise.all(outs.map((o) => o.data()))) as Float32Array[];
            tf.dispose(outs);
          }
        },
        config.warmup,
        config.repeats,
      );
      const values = new Float32Array(measured);
      let o = 0;
      for (const v of last) {
        values.set(v, o);
        o += v.length;
      }
      const idx = sampleIdx(measured, config.errorSample);
      const pts = new Float64Array(dim * idx.length);
      idx.forEach((i, k) => {
        for (let d = 0; d < dim; d++) pts[dim * k + d] = coords[dim * i + d];
      });
      const want = dim === 1 ? evaluate1DBrute(net, pts) : evaluate2DBrute(net, pts);
      const error = relativeL2(Float64Array.from(idx, (i) => values[i]), want);
      const scale = points / measured;
      return { ms: compute.ms * scale, readMs: read.ms * scale, points: measured, error };
    } finally {
      tf.dispose(chunks);
      graph.dispose();
    }
  }

  async function trainPeers(): Promise<void> {
    const m = config.trainSamples;
    // Predicted ms per step from the last size (work ∝ N·M); beyond this a size is skipped (except the target N).
    const limitMs = Math.max(5000, 20 * config.runBudgetMs);
    for (const dim of config.dims) {
      const samples = trainSamples(dim, m, config.seed * 7919 + dim);
      const lastMsPerUnit = new Map<string, number>();
      const predicted = (who: string, n: number) => (lastMsPerUnit.get(who) ?? 0) * n;
      for (const n of config.trainSizes) {
        check();
        const net = benchNetwork(dim, n, config.seed);
        const lr = defaultLr(n);
        const what = `${dim}D Adam step N=${n} M=${m}`;
        const tooSlow = (who: string) => n !== TARGET_TRAIN_N && predicted(who, n) > limitMs;
        // The float64 twin: the CPU row, and the reference of the parity check.
        say(`peers: ${what}: sandbox CPU`);
        const twin = dim === 1 ? new Trainer1D(net, samples, { lr }) : new Trainer2D(net, { xs: samples.xs, ys: samples.ys, zs: samples.zs! }, { lr });
        twin.step(TRAIN_CHECK_STEPS);
        const want = dim === 1 ? packParams(twin.network()) : packParams2D(twin.network());
        let cpu: { ms: number; batch: number } | null = null;
        if (tooSlow('cpu')) {
          out.skipped.push({ what: `${what} (sandbox CPU)`, reason: `predicted ${(predicted('cpu', n) / 1e3).toFixed(1)} s per step` });
        } else {
          const t = dim === 1 ? new Trainer1D(net, samples, { lr }) : new Trainer2D(net, { xs: samples.xs, ys: samples.ys, zs: samples.zs! }, { lr });
          cpu = await timeRuns(now, async (k) => void t.step(k), config.warmup, config.repeats, 64);
          lastMsPerUnit.set('cpu', cpu.ms / n);
        }
        let gpu: { ms: number; batch: number } | null = null;
        let gpuError: number | null = null;
        if (device) {
          if (tooSlow('gpu')) {
            out.skipped.push({ what: `${what} (sandbox GPU)`, reason: `predicted ${(predicted('gpu', n) / 1e3).toFixed(1)} s per step` });
          } else {
            check();
            say(`peers: ${what}: sandbox GPU`);
            try {
              const create = () =>
                dim === 1 ? GpuTrainer1D.create(device, net, samples, { lr }) : GpuTrainer2D.create(device, net, { xs: samples.xs, ys: samples.ys, zs: samples.zs! }, { lr });
              const probe = await create();
              await probe.step(TRAIN_CHECK_STEPS);
              gpuError = paramsError(dim === 1 ? packParams(await probe.network()) : packParams2D(await probe.network()), want);
              probe.destroy();
              const t = await create();
              try {
                gpu = await timeRuns(now, async (k) => void (await t.step(k)), config.warmup, config.repeats, 64);
              } finally {
                t.destroy();
              }
              lastMsPerUnit.set('gpu', gpu.ms / n);
            } catch (e) {
              out.skipped.push({ what: `${what} (sandbox GPU)`, reason: e instanceof Error ? e.message : String(e) });
            }
          }
        }
        for (const h of handles) {
          check();
          if (tooSlow(h.id)) {
            out.skipped.push({ what: `${what} on ${h.id}`, reason: `predicted ${(predicted(h.id, n) / 1e3).toFixed(1)} s per step` });
            continue;
          }
          say(`peers: ${what}: ${h.id}`);
          try {
            await h.activate();
            const probe = tfTrainer(h.tf, net, samples, { lr });
            let peerError: number;
            try {
              await probe.step(TRAIN_CHECK_STEPS);
              peerError = paramsError(await probe.params(), want);
            } finally {
              probe.dispose();
            }
            const t = tfTrainer(h.tf, net, samples, { lr });
            let p: { ms: number; batch: number };
            try {
              p = await timeRuns(now, async (k) => void (await t.step(k)), config.warmup, config.repeats, 64);
            } finally {
              t.dispose();
            }
            lastMsPerUnit.set(h.id, p.ms / n);
            const bestMs = Math.min(gpu?.ms ?? Infinity, cpu?.ms ?? Infinity);
            out.train.push({
              dim,
              n,
              samples: m,
              peer: h.id,
              sandboxGpuMs: gpu?.ms ?? null,
              sandboxCpuMs: cpu?.ms ?? null,
              peerMs: p.ms,
              ratio: Number.isFinite(bestMs) ? p.ms / bestMs : Number.NaN,
              batch: { gpu: gpu?.batch ?? null, cpu: cpu?.batch ?? null, peer: p.batch },
              peerError,
              sandboxGpuError: gpuError,
              note: gpu && cpu ? `sandbox best: ${gpu.ms <= cpu.ms ? 'GPU' : 'CPU'}` : '',
            });
          } catch (e) {
            out.skipped.push({ what: `${what} on ${h.id}`, reason: e instanceof Error ? e.message : String(e) });
          }
          await yieldToHost();
        }
      }
    }
  }
}

const fmtMs = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
const fmtRatio = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + '×' : 'n/a');
const fmtErr = (x: number | null) => (x === null ? '' : x === 0 ? '0' : x.toExponential(1));

export const PEER_EVAL_COLUMNS = ['dim', 'N', 'grid', 'peer', 'sandbox method', 'sandbox ms', 'TF.js ms', 'ratio', 'sandbox +read ms', 'TF.js +read ms', 'ratio +read', 'TF.js error', 'note'];
export const PEER_TRAIN_COLUMNS = ['dim', 'N', 'samples', 'peer', 'sandbox GPU ms/step', 'sandbox CPU ms/step', 'TF.js ms/step', 'ratio', 'TF.js θ error', 'GPU θ error', 'note'];

/** An evaluation row as text cells (the CLI's table and the panel's). */
export function peerEvalCells(r: PeerEvalRow): string[] {
  return [
    `${r.dim}D`,
    String(r.n),
    r.grid,
    r.peer,
    r.sandboxMethod,
    fmtMs(r.sandboxMs),
    fmtMs(r.peerMs),
    fmtRatio(r.ratio),
    fmtMs(r.sandboxReadMs),
    fmtMs(r.peerReadMs),
    fmtRatio(r.ratioRead),
    fmtErr(r.peerError),
    r.note,
  ];
}

/** A training row as text cells. */
export function peerTrainCells(r: PeerTrainRow): string[] {
  return [`${r.dim}D`, String(r.n), String(r.samples), r.peer, fmtMs(r.sandboxGpuMs), fmtMs(r.sandboxCpuMs), fmtMs(r.peerMs), fmtRatio(r.ratio), fmtErr(r.peerError), fmtErr(r.sandboxGpuError), r.note];
}

function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** The peers' plain-text report: backends, both tables, skipped points and notes. */
export function formatPeers(p: PeersResult): string {
  const lines: string[] = ['Peers (TensorFlow.js) on the same networks, grids and adapter:'];
  for (const h of p.peers) lines.push(`  ${h.id}: ${h.label}`);
  if (p.eval.length) {
    lines.push('', 'Evaluation (ms per evaluation of the whole grid):', table(PEER_EVAL_COLUMNS, p.eval.map(peerEvalCells)));
  }
  if (p.train.length) {
    lines.push('', 'Training (ms per Adam step, MSE, full batch; θ error: parameters after ' + TRAIN_CHECK_STEPS + ' steps vs the float64 twin):', table(PEER_TRAIN_COLUMNS, p.train.map(peerTrainCells)));
  }
  if (p.skipped.length) {
    lines.push('', 'Peer points skipped:');
    for (const s of p.skipped) lines.push(`  ${s.what}: ${s.reason}`);
  }
  lines.push('', p.timing);
  for (const n of p.notes) lines.push(n);
  return lines.join('\n');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The peers as CSV: one line per evaluation and training row (kind = eval | train), numbers unformatted. */
export function peersToCSV(p: PeersResult): string {
  const head = [
    'kind', 'dim', 'n', 'grid_or_samples', 'peer', 'sandbox_method', 'sandbox_ms', 'sandbox_read_ms', 'sandbox_gpu_ms', 'sandbox_cpu_ms',
    'peer_ms', 'peer_read_ms', 'ratio', 'ratio_read', 'peer_points', 'peer_error', 'sandbox_gpu_error', 'note',
  ];
  const lines = [head.join(',')];
  for (const r of p.eval) {
    lines.push([
      'eval', r.dim, r.n, r.grid, r.peer, r.sandboxMethod, r.sandboxMs, r.sandboxReadMs, '', '', r.peerMs, r.peerReadMs, r.ratio, r.ratioRead, r.peerPoints, r.peerError, '', r.note,
    ].map(csvCell).join(','));
  }
  for (const r of p.train) {
    lines.push([
      'train', r.dim, r.n, r.samples, r.peer, '', '', '', r.sandboxGpuMs, r.sandboxCpuMs, r.peerMs, '', r.ratio, '', '', r.peerError, r.sandboxGpuError, r.note,
    ].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
