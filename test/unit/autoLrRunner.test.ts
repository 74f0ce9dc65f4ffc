import { describe, expect, it } from 'vitest';
import { AutoLrRunner, handleAutoLrMessage, transferablesOfAutoLr } from '../../src/state/autoLrRunner.ts';
import { autoLr } from '../../src/model/trainSetup.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { pointName } from '../../src/ui/sidebar.ts';

const samples = () => {
  const xs = Float64Array.from({ length: 257 }, (_, j) => -2 + (4 * j) / 256);
  return { xs, ys: xs.map((x) => Math.sin(2 * x)) };
};

describe('the auto learning rate off the main thread', () => {
  it('the worker handler answers what autoLr gives, for every activation', () => {
    for (const activation of ['relu', 'leaky-relu', 'linear', 'sigmoid'] as const) {
      const net = { ...randomNetwork(1, 65, 3, [-2, 2]), activation };
      const s = samples();
      const req = { id: 7, network: { ...net, w: Float64Array.from(net.w), b: Float64Array.from(net.b), a: Float64Array.from(net.a) }, xs: s.xs.slice(), ys: s.ys.slice() };
      expect(transferablesOfAutoLr(req)).toHaveLength(5);
      expect(handleAutoLrMessage(req)).toEqual({ id: 7, ok: true, lr: autoLr(net, s) });
    }
  });

  it('in-process (no Worker in Node) the runner resolves with the same rate and leaves its inputs alone', async () => {
    const net = randomNetwork(1, 33, 5, [-2, 2]);
    const s = samples();
    const before = net.w.slice();
    expect(await new AutoLrRunner(null).lr(net, s)).toBe(autoLr(net, s));
    expect(net.w).toEqual(before);
  });

  it('through a worker stand-in (the queue and its decoding), a failure rejects with its message', async () => {
    const worker = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      onerror: null,
      postMessage(req: Parameters<typeof handleAutoLrMessage>[0]) {
        const reply = req.network.a.length === 0 ? { id: req.id, ok: false as const, message: 'boom' } : handleAutoLrMessage(req);
        setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent), 0);
      },
      terminate() {},
    };
    const runner = new AutoLrRunner(() => worker);
    const net = randomNetwork(1, 17, 2, [-2, 2]);
    expect(await runner.lr(net, samples())).toBe(autoLr(net, samples()));
    await expect(runner.lr({ dim: 1, w: [], b: [], a: [], c: 0 }, samples())).rejects.toThrow(/boom/);
  });
});

describe('what −b/w is called in the Units list', () => {
  it('a knot only where the unit bends', () => {
    expect(pointName('relu').short).toBe('knot');
    expect(pointName('leaky-relu').short).toBe('knot');
    expect(pointName('linear')).toEqual({ short: 'zero at', line: 'zero line' });
    expect(pointName('sigmoid').short).not.toContain('knot');
  });
});
