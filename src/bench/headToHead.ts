/**
 * The pick's verdict by alternating turns (issue 12). Each method's median in the sweep comes from its own series,
 * minutes apart from the other methods' on a shared machine, so at a close call one noisy median decided whether
 * the pick was "within 10 %" (bench/NOTES.md: the same point read 1.14× one run and 0.9× the next). Where the pick
 * is not the fastest method measured and the two are close, both are prepared again at that point and timed in
 * turns, one measurement each per turn (the order alternating), and the verdict takes the median of the per-turn
 * ratios: load that comes and goes then slows both alike. It still says "missed" where the pick is slower: a
 * turn's ratio is the pick's time over the other's, measured the same way as the sweep's.
 */
import type { Network } from '../model/network.ts';
import type { Grid1D, Grid2D } from '../model/grid.ts';
import { type MethodContext, type MethodSpec } from './methods.ts';
import { batchSize, median } from './runner.ts';
import type { PickedPoint } from './picked.ts';

/** One method prepared at one point: `time()` is one timed measurement (ms per run, batched like the sweep's). */
export interface Contender {
  time(): Promise<number>;
  destroy(): void | Promise<void>;
}

/** The point and method a contender is prepared for (what a worker is sent). */
export interface ContenderJob {
  method: string;
  dim: 1 | 2;
  n: number;
  /** The grid's side (2D) or points (1D), as BenchConfig's grids. */
  grid: number;
  seed: number;
}

/** Where the two medians are this close (either ratio, median or fastest repeat, at most this), turns decide. */
export const TURNS_CLOSE = 1.5;
/** Turns per point: as many as fit TURNS_BUDGET_MS by the medians, at least MIN_TURNS, at most MAX_TURNS. */
export const MIN_TURNS = 3;
export const MAX_TURNS = 9;
export const TURNS_BUDGET_MS = 1500;
/**
 * Points whose two medians add up to more than this get no turns (with the warm-up and the uncounted turn, three
 * turns of a 2 s pair take about 12 s). 65,536 units on 512² (CPU 0.8 s, tile kernel 1 s on SwiftShader) is in.
 */
export const TURNS_MAX_PAIR_MS = 2000;

/** What the turns measured at one point. */
export interface TurnsVerdict {
  /** The method the pick was timed against (the fastest by the sweep's medians). */
  against: string;
  pickedMs: number[];
  bestMs: number[];
  /** The median of the per-turn ratios pick / other. */
  ratio: number;
}

/** How many turns a point gets (0: none, not close or too slow), from its two medians. */
export function turnsFor(p: Pick<PickedPoint, 'ratio' | 'minRatio' | 'method' | 'pickedMs' | 'best'>): number {
  if (p.ratio === null || p.pickedMs === null || p.method === null || p.method === p.best.method) return 0;
  if (Math.min(p.ratio, p.minRatio ?? Infinity) > TURNS_CLOSE) return 0;
  const pair = p.pickedMs + p.best.ms;
  if (!(pair > 0) || pair > TURNS_MAX_PAIR_MS) return 0;
  return Math.max(MIN_TURNS, Math.min(MAX_TURNS, Math.floor(TURNS_BUDGET_MS / pair)));
}

/** The median of the per-turn ratios a[i] / b[i]. */
export function turnsRatio(a: number[], b: number[]): number {
  return median(a.map((t, i) => t / b[i]));
}

/**
 * `count` turns of one measurement each, the pick first on even turns and the other first on odd ones, after one
 * turn that is not counted (a CPU worker's first measurement after its warm-up read 2–4× its later ones here).
 */
export async function alternate(picked: Contender, best: Contender, count: number): Promise<{ picked: number[]; best: number[] }> {
  const p: number[] = [];
  const b: number[] = [];
  await picked.time();
  await best.time();
  for (let t = 0; t < count; t++) {
    if (t % 2 === 0) {
      p.push(await picked.time());
      b.push(await best.time());
    } else {
      b.push(await best.time());
      p.push(await picked.time());
    }
  }
  return { picked: p, best: b };
}

/**
 * Judges the close points of `points` by turns, setting each one's `turns` (in place); `contender` prepares a
 * method at a point (null where it cannot: the point keeps its median verdict). A point whose contenders fail
 * (a GPU error) keeps its median verdict too, with the failure in `notes`.
 */
export async function judgeByTurns(
  points: PickedPoint[],
  contender: (job: Omit<ContenderJob, 'seed'>) => Promise<Contender | null>,
  onProgress: (message: string) => void = () => undefined,
): Promise<string[]> {
  const notes: string[] = [];
  for (const p of points) {
    const count = turnsFor(p);
    if (!count) continue;
    const side = Number(p.grid.split('x')[0]);
    onProgress(`turns: N=${p.n} ${p.grid}, ${p.method} against ${p.best.method} (${count})`);
    let a: Contender | null = null;
    let b: Contender | null = null;
    try {
      a = await contender({ method: p.method!, dim: 2, n: p.n, grid: side });
      b = a && (await contender({ method: p.best.method, dim: 2, n: p.n, grid: side }));
      if (!a || !b) continue;
      const t = await alternate(a, b, count);
      p.turns = { against: p.best.method, pickedMs: t.picked, bestMs: t.best, ratio: turnsRatio(t.picked, t.best) };
    } catch (e) {
      notes.push(`turns at N=${p.n} ${p.grid} failed (${e instanceof Error ? e.message : String(e)}): judged by the medians`);
    } finally {
      await a?.destroy();
      await b?.destroy();
    }
  }
  return notes;
}

/**
 * A method prepared in this thread: the network and grid set, warmed up (at least three runs, until 20 ms of
 * runs or ten runs, and on while runs still get faster), each measurement a batch of back-to-back runs of at least `minMs` (1 ms CPU, 2 ms GPU, as the
 * sweep's). The sweep has run the same method at the same point already, so no GPU error scope is kept here.
 */
export async function prepareContender(spec: MethodSpec, ctx: MethodContext, net: Network, grid: Grid1D | Grid2D): Promise<Contender> {
  const inst = spec.create(ctx);
  const gpu = spec.backend === 'gpu' ? ctx.device : null;
  try {
    await inst.prepare(net, grid);
    if (gpu) await gpu.queue.onSubmittedWorkDone();
    let first = await inst.run();
    let runs = 1;
    let spent = first;
    // As the sweep's warm-up: on while a run still beats the best so far by over 20 % (the JIT), within limits.
    let speedingUp = true;
    // Runs of over 100 ms: two at least (what the sweep's warm-up gives them), not three.
    const minRuns = first > 100 ? 2 : 3;
    while (runs < minRuns || (spent < 20 && runs < 10) || (speedingUp && runs < 10 && spent < 200)) {
      const t = await inst.run(1, first);
      spent += t;
      runs++;
      speedingUp = t < 0.8 * first;
      first = Math.min(first, t);
    }
    const batch = await batchSize(inst, gpu ? 2 : 1, first);
    const reps = batch.reps;
    const expect = Math.max(batch.perRun, first) * reps;
    return {
      time: () => inst.run(reps, expect),
      destroy: () => inst.destroy(),
    };
  } catch (e) {
    inst.destroy();
    throw e;
  }
}
