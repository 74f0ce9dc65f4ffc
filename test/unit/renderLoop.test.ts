import { describe, expect, it } from 'vitest';
import { RenderLoop } from '../../src/app/renderLoop.ts';

/** A frame function whose frames finish only when the test lets them, recording what each frame saw. */
function gatedFrames(read: () => number) {
  const seen: number[] = [];
  const gates: (() => void)[] = [];
  const draw = () =>
    new Promise<void>((resolve) => {
      seen.push(read());
      gates.push(resolve);
    });
  const release = async () => {
    for (let k = 0; k < 10 && gates.length === 0; k++) await Promise.resolve();
    gates.shift()?.();
    for (let k = 0; k < 10; k++) await Promise.resolve();
  };
  return { seen, draw, release };
}

describe('RenderLoop', () => {
  it('coalesces requests made during a frame into one newer frame that draws the newest state', async () => {
    let state = 1;
    const g = gatedFrames(() => state);
    const loop = new RenderLoop(g.draw, () => undefined);
    const first = loop.request();
    state = 2;
    const second = loop.request();
    state = 3;
    const third = loop.request();
    await g.release();
    await first;
    await g.release();
    await Promise.all([second, third]);
    expect(g.seen).toEqual([1, 3]);
  });

  it('resolves a request only once a frame at least as new is drawn', async () => {
    let state = 0;
    const g = gatedFrames(() => state);
    const loop = new RenderLoop(g.draw, () => undefined);
    void loop.request();
    state = 1;
    let done = false;
    void loop.request().then(() => (done = true));
    await g.release();
    expect(done).toBe(false);
    await g.release();
    expect(done).toBe(true);
  });

  it('idle() resolves at once when nothing is pending, and after the pending frame otherwise', async () => {
    const g = gatedFrames(() => 0);
    const loop = new RenderLoop(g.draw, () => undefined);
    await loop.idle();
    void loop.request();
    let idle = false;
    void loop.idle().then(() => (idle = true));
    for (let k = 0; k < 5; k++) await Promise.resolve();
    expect(idle).toBe(false);
    await g.release();
    expect(idle).toBe(true);
  });

  it('rejects the waiters of a failed frame, reports the error, and draws again on the next request', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let frames = 0;
    const loop = new RenderLoop(async () => {
      frames++;
      if (fail) throw new Error('boom');
    }, (e) => errors.push(e));
    await expect(loop.request()).rejects.toThrow('boom');
    expect(errors).toHaveLength(1);
    fail = false;
    await expect(loop.request()).resolves.toBeUndefined();
    expect(frames).toBe(2);
  });
});
