import { describe, expect, it } from 'vitest';
import { type Contender, MAX_TURNS, MIN_TURNS, alternate, judgeByTurns, prepareContender, turnsFor, turnsRatio } from '../../src/bench/headToHead.ts';
import { type PickedPoint, formatPicked, verdictRatio } from '../../src/bench/picked.ts';
import { CALIBRATION_VERSION, Picker2D } from '../../src/engine/calibrate2d.ts';
import { METHODS } from '../../src/bench/methods.ts';
import { benchNetwork, makeGrid } from '../../src/bench/runner.ts';
import { parseArgs } from '../../src/bench/cli.ts';

function point(over: Partial<PickedPoint>): PickedPoint {
  return { n: 4096, grid: '128x128', pick: 'gpu-tiles', method: 'gpu-tiles', pickedMs: 40, best: { method: 'cpu-sweep', ms: 35 }, ratio: 40 / 35, minRatio: 1.1, skipped: false, ...over };
}

/** A contender whose times come from a list (and which records when it was timed). */
function fake(times: number[], log: string[], name: string): Contender & { destroyed: boolean } {
  let i = 0;
  const c = {
    destroyed: false,
    time: async () => {
      log.push(name);
      return times[i++ % times.length];
    },
    destroy: () => {
      c.destroyed = true;
    },
  };
  return c;
}

describe('alternating turns', () => {
  it('gives close points turns by their medians, and none to clear ones, slow ones or picks that were the fastest', () => {
    expect(turnsFor(point({}))).toBe(Math.min(MAX_TURNS, Math.floor(1500 / 75)));
    expect(turnsFor(point({ pickedMs: 400, best: { method: 'cpu-sweep', ms: 390 }, ratio: 1.03 }))).toBe(MIN_TURNS);
    expect(turnsFor(point({ pickedMs: 900, best: { method: 'cpu-sweep', ms: 800 } }))).toBe(MIN_TURNS);
    expect(turnsFor(point({ pickedMs: 1100, best: { method: 'cpu-sweep', ms: 1000 } }))).toBe(0);
    expect(turnsFor(point({ ratio: 2, minRatio: 1.9 }))).toBe(0);
    // A median spoilt by load but a close fastest repeat: close.
    expect(turnsFor(point({ ratio: 3, minRatio: 1.2 }))).toBeGreaterThan(0);
    expect(turnsFor(point({ method: 'cpu-sweep', best: { method: 'cpu-sweep', ms: 40 }, ratio: 1 }))).toBe(0);
    expect(turnsFor(point({ ratio: null, pickedMs: null }))).toBe(0);
  });

  it('alternates which method goes first, and takes the median of the per-turn ratios', async () => {
    const log: string[] = [];
    const t = await alternate(fake([10, 12, 30], log, 'p'), fake([9, 10, 31], log, 'b'), 4);
    // One uncounted turn first, then the order alternates.
    expect(log).toEqual(['p', 'b', 'p', 'b', 'b', 'p', 'p', 'b', 'b', 'p']);
    expect(t.picked).toEqual([12, 30, 10, 12]);
    expect(t.best).toEqual([10, 31, 9, 10]);
    // Per-turn ratios 1.2, 0.97, 1.11, 1.2: median 1.16 (a burst that slowed both in turn 2 does not decide).
    expect(turnsRatio(t.picked, t.best)).toBeCloseTo((1.2 + 10 / 9) / 2, 12);
  });

  it('judges close points by turns and says "missed" where the pick is slower in them too', async () => {
    const slower = point({ n: 8192 });
    const faster = point({ n: 4096 });
    const clear = point({ n: 16384, ratio: 3, minRatio: 3 });
    const made: string[] = [];
    const contenders: Array<ReturnType<typeof fake>> = [];
    const notes = await judgeByTurns([slower, faster, clear], async (job) => {
      made.push(`${job.method}@${job.n}`);
      const picked = job.method === 'gpu-tiles';
      // At 8,192 the pick is 1.3× slower turn by turn; at 4,096 it is 0.95× (the medians said 1.14×).
      const ms = job.n === 8192 ? (picked ? 52 : 40) : picked ? 38 : 40;
      const c = fake([ms], [], job.method);
      contenders.push(c);
      return c;
    });
    expect(notes).toEqual([]);
    expect(made).toEqual(['gpu-tiles@8192', 'cpu-sweep@8192', 'gpu-tiles@4096', 'cpu-sweep@4096']);
    expect(contenders.every((c) => c.destroyed)).toBe(true);
    expect(slower.turns!.ratio).toBeCloseTo(1.3, 12);
    expect(faster.turns!.ratio).toBeCloseTo(0.95, 12);
    expect(clear.turns).toBeUndefined();
    expect(verdictRatio(slower)).toBeCloseTo(1.3, 12);
    expect(verdictRatio(clear)).toBe(3);
    const picker = new Picker2D({ version: CALIBRATION_VERSION, key: 'k', adapter: 'a', measuredAt: 't', durationMs: 1000, candidates: [], samples: [] });
    const text = formatPicked([slower, faster, clear], picker);
    expect(text).toMatch(/N=8192 128x128: .*ratio 1\.14; in \d+ alternating turns ratio 1\.30/);
    expect(text).toMatch(/Picked within 10 % of the best at 1 of 3 2D value points \(worst ratio 3\.00/);
    expect(text).toMatch(/2 close point\(s\) judged by alternating turns, 1 of them differently from the medians \(by the medians alone: within 10 % at 0 of 3\)/);
  });

  it('keeps the medians’ verdict where a contender cannot be prepared or fails', async () => {
    const p = point({});
    const q = point({ n: 8192 });
    const notes = await judgeByTurns([p, q], async (job) => {
      if (job.n === 4096) return null;
      return { time: () => Promise.reject(new Error('lost')), destroy: () => undefined };
    });
    expect(p.turns).toBeUndefined();
    expect(q.turns).toBeUndefined();
    expect(notes).toEqual([expect.stringMatching(/N=8192 128x128 failed \(lost\)/)]);
  });

  it('prepares a CPU method at a bench point and times it in batches', async () => {
    const spec = METHODS.find((m) => m.id === 'cpu-sweep' && m.dim === 2)!;
    const c = await prepareContender(spec, { now: () => performance.now(), device: null }, benchNetwork(2, 63, 1), makeGrid(2, 65));
    const t = await c.time();
    expect(t).toBeGreaterThan(0);
    c.destroy();
  });

  it('the CLI judges by turns by default; --no-turns by the medians alone', () => {
    expect(parseArgs([]).turns).toBe(true);
    expect(parseArgs(['--no-turns']).turns).toBe(false);
  });
});
