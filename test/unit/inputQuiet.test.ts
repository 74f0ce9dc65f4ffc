import { describe, expect, it } from 'vitest';
import { InputQuiet } from '../../src/app/inputQuiet.ts';

/** A fake clock: `sleep` advances it (and records each wait) instead of waiting. */
function fakeClock() {
  let t = 1000;
  const sleeps: number[] = [];
  const onSleep: Array<(t: number) => void> = [];
  return {
    now: () => t,
    sleeps,
    onSleep,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      for (const f of onSleep) f(t);
    },
    advance: (ms: number) => (t += ms),
  };
}

describe('InputQuiet: background measuring waits for still input', () => {
  it('is a macrotask alone when nothing was heard', async () => {
    const c = fakeClock();
    const q = new InputQuiet(null, c.now, c.sleep, 300, 5000);
    await q.wait();
    expect(c.sleeps).toEqual([0]);
  });

  it('waits until input has been still for the quiet time', async () => {
    const c = fakeClock();
    const target = new EventTarget();
    const q = new InputQuiet(target, c.now, c.sleep, 300, 5000);
    target.dispatchEvent(new Event('pointermove'));
    c.advance(100);
    await q.wait();
    expect(c.sleeps).toEqual([0, 200]);
  });

  it('goes on waiting while input keeps coming, and hears every kind of input', async () => {
    const c = fakeClock();
    const target = new EventTarget();
    const q = new InputQuiet(target, c.now, c.sleep, 300, 5000);
    const kinds = ['pointerdown', 'wheel', 'keydown', 'pointermove'];
    let k = 0;
    // Input 50 ms into each of the first four waits: each wait then needs a new quiet period.
    c.onSleep.push(() => {
      if (k < kinds.length) target.dispatchEvent(new Event(kinds[k++]));
    });
    target.dispatchEvent(new Event('pointermove'));
    const t0 = c.now();
    await q.wait();
    expect(k).toBe(4);
    expect(c.now() - t0).toBeGreaterThanOrEqual(300);
    // The last input was heard at the end of the fourth sleep; the wait ended 300 ms after it.
    expect(c.sleeps.length).toBe(5);
  });

  it('never waits longer than the cap, however busy the user', async () => {
    const c = fakeClock();
    const target = new EventTarget();
    const q = new InputQuiet(target, c.now, c.sleep, 300, 1000);
    c.onSleep.push(() => target.dispatchEvent(new Event('pointermove')));
    const t0 = c.now();
    await q.wait();
    expect(c.now() - t0).toBe(1000);
  });
});
