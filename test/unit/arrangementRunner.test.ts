import { describe, expect, it } from 'vitest';
import { InvalidViewError, arrangement2D, arrangement2DPacked, unpackRegions } from '../../src/model/arrangement2d.ts';
import { InvalidNetworkError, randomNetwork } from '../../src/model/network.ts';
import { type ArrangementReply, type ArrangementRequest, handleArrangementMessage, replyTransfer } from '../../src/state/arrangementProtocol.ts';
import {
  type ArrangementWorker,
  InProcessArrangementRunner,
  WorkerArrangementRunner,
  defaultArrangementRunner,
  isAbort,
} from '../../src/state/arrangementRunner.ts';

const VIEW = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
const net = (n: number) => randomNetwork(2, n, n);

/** Settles a promise into a tag, so tests can look at rejections without unhandled ones. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** A stand-in worker that answers with the real handler a macrotask later (or fails to load). */
function fakeWorker(log: string[], broken = false): ArrangementWorker {
  const w: ArrangementWorker = {
    onmessage: null,
    onerror: null,
    postMessage(req: ArrangementRequest) {
      log.push(`post ${req.network.a.length}`);
      const copy = structuredClone(req);
      setTimeout(() => {
        if (broken) w.onerror?.(new Event('error'));
        else {
          const reply = handleArrangementMessage(copy);
          w.onmessage?.({ data: structuredClone(reply, { transfer: replyTransfer(reply) }) } as MessageEvent<ArrangementReply>);
        }
      }, 0);
    },
    terminate() {
      log.push('terminate');
    },
  };
  return w;
}

describe('InProcessArrangementRunner', () => {
  it('runs only the newest request; the superseded ones reject with an AbortError', async () => {
    const runner = new InProcessArrangementRunner();
    const first = settle(runner.compute(net(3), VIEW));
    const second = settle(runner.compute(net(4), VIEW));
    const third = runner.compute(net(5), VIEW);
    for (const r of [await first, await second]) {
      expect(r.ok).toBe(false);
      expect(isAbort((r as { error: unknown }).error)).toBe(true);
    }
    const got = await third;
    const want = arrangement2D(net(5), VIEW);
    expect(got.exact).toBe(want.exact);
    expect(unpackRegions(got.regions!)).toEqual(want.polygons);
  });

  it('cancel() rejects the pending request and nothing runs', async () => {
    const runner = new InProcessArrangementRunner();
    const p = settle(runner.compute(net(3), VIEW, { polygons: false }));
    runner.cancel();
    const r = await p;
    expect(r.ok).toBe(false);
    expect(isAbort((r as { error: unknown }).error)).toBe(true);
    // The runner still works afterwards.
    expect((await runner.compute(net(3), VIEW, { polygons: false })).regions).toBeUndefined();
  });

  it('rejects bad input with the model typed errors', async () => {
    const runner = new InProcessArrangementRunner();
    await expect(runner.compute(net(2), { xMin: 0, xMax: 0, yMin: 0, yMax: 1 })).rejects.toBeInstanceOf(InvalidViewError);
    await expect(runner.compute({ dim: 1, w: [1], b: [0], a: [1], c: 0 }, VIEW)).rejects.toBeInstanceOf(InvalidNetworkError);
  });

  it('is what Node gets by default', () => {
    expect(defaultArrangementRunner()).toBeInstanceOf(InProcessArrangementRunner);
  });
});

describe('WorkerArrangementRunner', () => {
  it('runs one request at a time, only the newest waiting, rejecting superseded ones at once', async () => {
    const log: string[] = [];
    const runner = new WorkerArrangementRunner(() => fakeWorker(log));
    const a = settle(runner.compute(net(6), VIEW));
    const b = settle(runner.compute(net(7), VIEW));
    const c = settle(runner.compute(net(8), VIEW));
    const d = runner.compute(net(9), VIEW);
    for (const r of [await a, await b, await c]) expect(isAbort((r as { error: unknown }).error)).toBe(true);
    const got = await d;
    expect(got).toEqual(arrangement2DPacked(net(9), VIEW));
    // 6 was running when the others came; 7 and 8 were superseded while they waited.
    expect(log).toEqual(['post 6', 'post 9']);
  });

  it('cancel() rejects what is pending; the running result is dropped; errors arrive typed', async () => {
    const log: string[] = [];
    const runner = new WorkerArrangementRunner(() => fakeWorker(log));
    const a = settle(runner.compute(net(6), VIEW));
    runner.cancel();
    expect(isAbort(((await a) as { error: unknown }).error)).toBe(true);
    await expect(runner.compute(net(2), { xMin: 1, xMax: 0, yMin: 0, yMax: 1 })).rejects.toBeInstanceOf(InvalidViewError);
    expect((await runner.compute(net(4), VIEW)).exact).toBe(arrangement2D(net(4), VIEW).exact);
    runner.destroy();
    runner.destroy();
    expect(log).toContain('terminate');
  });

  it('falls back to in-process computing when the worker cannot start', async () => {
    const runner = new WorkerArrangementRunner(() => fakeWorker([], true));
    expect((await runner.compute(net(5), VIEW)).exact).toBe(arrangement2D(net(5), VIEW).exact);
    const throwing = new WorkerArrangementRunner(() => {
      throw new Error('no workers here');
    });
    expect((await throwing.compute(net(5), VIEW)).exact).toBe(arrangement2D(net(5), VIEW).exact);
  });
});
