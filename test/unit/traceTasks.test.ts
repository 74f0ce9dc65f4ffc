import { describe, expect, it } from 'vitest';
import { firstMark, longestOf, threadsWith, topLevelTasks } from '../../scripts/traceTasks.ts';

const task = (ts: number, durMs: number, cpuMs: number, tid = 1) => ({ name: 'RunTask', ph: 'X', pid: 7, tid, ts, dur: durMs * 1000, tdur: cpuMs * 1000 });

describe('traceTasks', () => {
  const events = [
    task(0, 110, 105), // the tracing's own start, before the page's mark
    { name: 'probe', ph: 'R', pid: 7, tid: 1, ts: 200_000 },
    task(150_000, 60, 55), // begun before the mark, still running at it (the tracing's start): not counted
    task(250_000, 30, 25),
    task(300_000, 90, 40),
    task(310_000, 20, 20), // inside the one above: not top level
    task(500_000, 200, 150, 2), // another thread
  ];

  it('counts the marked thread from its first mark on', () => {
    const main = threadsWith(events, 'probe');
    expect([...main]).toEqual(['7:1']);
    expect(firstMark(events, 'probe')).toBe(200_000);
    const all = longestOf(topLevelTasks(events, main));
    expect(all).toEqual({ cpu: 105, wall: 110, overCpu: 1 });
    const since = topLevelTasks(events, main, firstMark(events, 'probe'));
    expect(since.map((t) => t.ts)).toEqual([250_000, 300_000]);
    expect(longestOf(since)).toEqual({ cpu: 40, wall: 90, overCpu: 0 });
  });

  it('without the mark counts every task', () => {
    expect(firstMark(events, 'absent')).toBe(Number.NEGATIVE_INFINITY);
    expect(topLevelTasks(events, new Set(['7:1']), firstMark(events, 'absent'))).toHaveLength(4);
  });
});
