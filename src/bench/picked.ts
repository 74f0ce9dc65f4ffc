/**
 * The measured 2D method choice in the benchmark (issue 12): the CLI calibrates on its device as the app does
 * (src/engine/calibrate2d.ts), then sets each 2D value point's pick beside the fastest method measured there, so
 * "the picked method is never more than 10 % slower than the best fixed choice" is checked in one run.
 */
import { type BruteKernel2D, CANDIDATES_2D, Picker2D, calibrate2D, calibrationKey, candidateById, candidateRunner, predictMs } from '../engine/calibrate2d.ts';
import { CpuEvaluator } from '../engine/cpu/evaluator.ts';
import { GpuEvaluator, adapterName } from '../engine/gpu/context.ts';
import type { BenchResult } from './runner.ts';
import type { TurnsVerdict } from './headToHead.ts';

/** How much slower than the best fixed method a pick may be (the issue's target). */
export const PICK_TOLERANCE = 1.1;

/** Calibrates the 2D candidates on this device (the CPU alone without one) and returns the picker. */
export async function benchPicker(gpu: GPU | null, adapter: GPUAdapter | null, device: GPUDevice | null, now: () => number): Promise<Picker2D> {
  const cpu = new CpuEvaluator();
  const evaluators = new Map<string, Promise<GpuEvaluator>>();
  const startup = gpu && adapter && device ? { kind: 'ok' as const, gpu, adapter, device, adapterName: adapterName(adapter) } : null;
  try {
    const run = candidateRunner(cpu, (c) => {
      if (!startup) return Promise.reject(new Error(`${c.id} needs a GPU`));
      let e = evaluators.get(c.id);
      if (!e) evaluators.set(c.id, (e = GpuEvaluator.onSharedDevice(startup, c.gpuOptions)));
      return e;
    });
    const ids = CANDIDATES_2D.filter((c) => c.available(device)).map((c) => c.id);
    const cal = await calibrate2D({
      device,
      run,
      now,
      key: calibrationKey(adapter?.info ?? null, 'bench', ids),
      adapter: startup?.adapterName ?? 'CPU',
      // Node has no frames to keep smooth: the microtask queue is enough between timings.
      yieldToHost: () => Promise.resolve(),
    });
    return new Picker2D(cal);
  } finally {
    for (const e of evaluators.values()) void e.then((g) => g.destroy(), () => undefined);
  }
}

/** One 2D value point: the pick, its measured time, and the fastest method measured there. */
export interface PickedPoint {
  n: number;
  grid: string;
  pick: string;
  method: string | null;
  pickedMs: number | null;
  best: { method: string; ms: number };
  /** pickedMs / best.ms (null when the pick's method was not in the run). */
  ratio: number | null;
  /** The same by each method's fastest repeat (less spoilt by other programs' load than the median); null as ratio. */
  minRatio: number | null;
  /** Whether the pick's method was in the run but skipped at this point for the run's budget (see --budget). */
  skipped: boolean;
  /**
   * Where the pick was not the fastest by the medians but close to it: both timed again in alternating turns
   * (src/bench/headToHead.ts), whose ratio is then the verdict's.
   */
  turns?: TurnsVerdict;
}

/** The ratio a point is judged by: the turns' where it has them, else the medians'. */
export function verdictRatio(p: PickedPoint): number | null {
  return p.turns ? p.turns.ratio : p.ratio;
}

/**
 * The picks of a run's 2D value points against the best method measured at each; `kernel2D` is the adapter's
 * automatic 2D kernel (the one the bench's gpu-brute runs), by which each candidate names its bench method.
 */
export function pickedPoints(result: BenchResult, picker: Picker2D, kernel2D: BruteKernel2D): PickedPoint[] {
  const out: PickedPoint[] = [];
  const rows = result.rows.filter((r) => r.dim === 2 && r.output === 'values' && r.medianMs > 0);
  const keys = [...new Set(rows.map((r) => `${r.n}|${r.grid}`))];
  for (const key of keys) {
    const at = rows.filter((r) => `${r.n}|${r.grid}` === key);
    const { n, grid, points } = at[0];
    const side = Math.round(Math.sqrt(points));
    const p = picker.pick('values', n, side, side);
    if (!p) continue;
    const best = at.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
    const method = candidateById(p.id)?.benchMethod('values', n, side, side, kernel2D) ?? null;
    const row = method ? at.find((r) => r.method === method) : undefined;
    const pickedMs = row ? row.medianMs : null;
    const bestMin = Math.min(...at.map((r) => r.minMs));
    const skipped = !row && (result.skipped ?? []).some((k) => k.dim === 2 && k.method === method && k.n === n && k.grid === grid);
    out.push({
      n,
      grid,
      pick: p.id,
      method,
      pickedMs,
      best: { method: best.method, ms: best.medianMs },
      ratio: pickedMs !== null ? pickedMs / best.medianMs : null,
      minRatio: row && bestMin > 0 ? row.minMs / bestMin : null,
      skipped,
    });
  }
  return out;
}

/** The report's section: each point's pick and the best fixed method, and the verdict against PICK_TOLERANCE. */
export function formatPicked(points: PickedPoint[], picker: Picker2D): string {
  const lines = [`2D method picked by measurement (calibrated in ${(picker.calibration.durationMs / 1e3).toFixed(1)} s, ${picker.calibration.samples.length} timings) vs the best method measured:`];
  for (const p of points) {
    const picked =
      p.pickedMs !== null
        ? `${p.method} ${p.pickedMs.toPrecision(3)} ms`
        : p.skipped
          ? `${p.method} skipped for the run's budget (raise --budget to include)`
          : `not measured in this run${p.method ? ` (add --methods ${p.method})` : ''}`;
    const turns = p.turns ? `; in ${p.turns.pickedMs.length} alternating turns ratio ${p.turns.ratio.toFixed(2)}` : '';
    lines.push(`  N=${p.n} ${p.grid}: picked ${p.pick} (${picked}); best ${p.best.method} ${p.best.ms.toPrecision(3)} ms${p.ratio !== null ? `; ratio ${p.ratio.toFixed(2)}` : ''}${turns}`);
  }
  const judged = points.filter((p) => verdictRatio(p) !== null);
  const within = judged.filter((p) => verdictRatio(p)! <= PICK_TOLERANCE);
  const worst = judged.reduce<PickedPoint | null>((a, b) => (!a || verdictRatio(b)! > verdictRatio(a)! ? b : a), null);
  const byTurns = judged.filter((p) => p.turns);
  const flipped = byTurns.filter((p) => p.ratio! <= PICK_TOLERANCE !== p.turns!.ratio <= PICK_TOLERANCE);
  const withinMin = judged.filter((p) => p.minRatio !== null && p.minRatio <= PICK_TOLERANCE);
  const worstMin = judged.reduce<PickedPoint | null>((a, b) => (b.minRatio !== null && (!a || b.minRatio > a.minRatio!) ? b : a), null);
  lines.push(
    `Picked within ${Math.round((PICK_TOLERANCE - 1) * 100)} % of the best at ${within.length} of ${judged.length} 2D value points` +
      (worst ? ` (worst ratio ${verdictRatio(worst)!.toFixed(2)} at N=${worst.n} ${worst.grid})` : '') +
      (points.length > judged.length ? `; ${points.length - judged.length} point(s) whose pick was not measured` : '') +
      '.',
  );
  if (byTurns.length) {
    const byMedians = judged.filter((p) => p.ratio! <= PICK_TOLERANCE).length;
    lines.push(
      `${byTurns.length} close point(s) judged by alternating turns, ${flipped.length} of them differently from the medians ` +
        `(by the medians alone: within ${Math.round((PICK_TOLERANCE - 1) * 100)} % at ${byMedians} of ${judged.length}).`,
    );
  }
  // The medians decide; the fastest repeats say how much of a miss other programs' load may explain.
  if (worstMin) {
    lines.push(`By each method's fastest repeat: within ${Math.round((PICK_TOLERANCE - 1) * 100)} % at ${withinMin.length} of ${judged.length} (worst ratio ${worstMin.minRatio!.toFixed(2)} at N=${worstMin.n} ${worstMin.grid}).`);
  }
  return lines.join('\n');
}

/** One candidate at one 2D value point: its model's prediction beside the bench's median for its method. */
export interface PredictedPoint {
  n: number;
  grid: string;
  id: string;
  method: string | null;
  predictedMs: number;
  /** The bench's median for the candidate's method there; null when the run did not time it. */
  measuredMs: number | null;
}

/**
 * Every calibrated candidate's predicted time at each 2D value point of a run beside what the run measured for
 * the candidate's bench method (scripts/calibration-models.ts prints them): which model is off where a pick misses.
 */
export function predictedPoints(result: BenchResult, picker: Picker2D, kernel2D: BruteKernel2D): PredictedPoint[] {
  const rows = result.rows.filter((r) => r.dim === 2 && r.output === 'values' && r.medianMs > 0);
  const out: PredictedPoint[] = [];
  for (const key of [...new Set(rows.map((r) => `${r.n}|${r.grid}`))]) {
    const at = rows.filter((r) => `${r.n}|${r.grid}` === key);
    const { n, grid, points } = at[0];
    const side = Math.round(Math.sqrt(points));
    for (const id of picker.calibration.candidates) {
      const model = picker.model(id, 'values');
      const c = candidateById(id);
      if (!model || !c) continue;
      const method = c.benchMethod('values', n, side, side, kernel2D);
      const row = method ? at.find((r) => r.method === method) : undefined;
      out.push({ n, grid, id, method, predictedMs: predictMs(model, n, side, side), measuredMs: row ? row.medianMs : null });
    }
  }
  return out;
}
