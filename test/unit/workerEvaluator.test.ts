import { describe, expect, it } from 'vitest';
import { CpuEvaluator, RegionsUndefinedError } from '../../src/engine/cpu/evaluator.ts';
import { type GridWorker, SupersededError, WorkerEvaluator } from '../../src/engine/cpu/workerEvaluator.ts';
import { FakeGridWorker } from './fakeGridWorker.ts';
import { KEPT_NETWORKS } from '../../src/engine/cpu/gridProtocol.ts';
import { InvalidNetworkError, validateNetwork } from '../../src/model/network.ts';
import { DimensionMismatchError, InvalidInputError } from '../../src/engine/evaluator.ts';
import { errorStats } from '../../src/model/errorStats.ts';
import { resolveTarget2D, sampleTarget2D } from '../../src/model/targets2d.ts';

function randomNet(n: number, seed: number, activation?: string) {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 4;
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    w.push(r(), r());
    b.push(r());
    a.push(r());
  }
  return validateNetwork({ dim: 2, w, b, a, c: 0.3, ...(activation ? { activation } : {}) });
}

const grid = { xMin: -1.3, xMax: 1.1, yMin: -0.9, yMax: 1.7, nx: 37, ny: 29 };

describe('WorkerEvaluator', () => {
  const cpu = new CpuEvaluator();
  for (const n of [0, 1, 15, 16, 63, 65]) {
    for (const activation of [undefined, 'leaky-relu', 'linear', 'sigmoid']) {
      it(`gives the CPU evaluator's values and regions (N = ${n}, ${activation ?? 'relu'})`, async () => {
        const fake = new FakeGridWorker();
        const ev = new WorkerEvaluator(() => fake);
        const net = randomNet(n, 7 + n, activation);
        expect(Array.from(await ev.evaluateGrid2D(net, grid))).toEqual(Array.from(await cpu.evaluateGrid2D(net, grid)));
        if (activation === 'sigmoid') {
          await expect(ev.regions2D(net, grid)).rejects.toBeInstanceOf(RegionsUndefinedError);
        } else {
          const got = await ev.regions2D(net, grid);
          const want = await cpu.regions2D(net, grid);
          expect(Array.from(got.pattern)).toEqual(Array.from(want.pattern));
          expect(Array.from(got.active)).toEqual(Array.from(want.active));
        }
        const xy = [0.1, -0.2, 1.5, 0.25, -3, 2];
        expect(Array.from(await ev.evaluatePoints(net, xy))).toEqual(Array.from(await cpu.evaluatePoints(net, xy)));
        expect(fake.posted.length).toBeGreaterThan(0);
      });
    }
  }

  it('computes values, pattern and target in one job, and the error readouts', async () => {
    const ev = new WorkerEvaluator(() => new FakeGridWorker());
    const net = randomNet(40, 3);
    const spec = { kind: 'builtin' as const, id: 'bump' };
    const r = await ev.grid2D(net, grid, { values: true, regions: true, target: spec });
    expect(Array.from(r.values!)).toEqual(Array.from(await cpu.evaluateGrid2D(net, grid)));
    expect(Array.from(r.pattern!)).toEqual(Array.from((await cpu.regions2D(net, grid)).pattern));
    const target = sampleTarget2D(resolveTarget2D(spec), grid);
    expect(Array.from(r.target!)).toEqual(Array.from(target));
    const st = errorStats(r.values!, target);
    expect(await ev.errors2D(net, grid, spec)).toEqual({ max: st.max, rms: st.rms });
  });

  it('throws input errors with their types before posting', async () => {
    const fake = new FakeGridWorker();
    const ev = new WorkerEvaluator(() => fake);
    await expect(ev.evaluateGrid2D({ dim: 2, w: [1], b: [0], a: [1], c: 0 }, grid)).rejects.toBeInstanceOf(InvalidNetworkError);
    await expect(ev.evaluatePoints(randomNet(2, 1), [1, 2, 3])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(ev.regions2D(validateNetwork({ dim: 1, w: [1], b: [0], a: [1], c: 0 }), grid)).rejects.toBeInstanceOf(DimensionMismatchError);
    expect(fake.posted).toHaveLength(0);
  });

  it('runs waiting jobs by priority and drops a superseded job of a lane', async () => {
    const fake = new FakeGridWorker();
    const ev = new WorkerEvaluator(() => fake);
    const net = randomNet(20, 5);
    const order: string[] = [];
    const first = ev.evaluateGrid2D(net, grid).then(() => order.push('first'));
    const stale = ev.evaluateGrid2D(net, grid, { lane: 'stats', priority: 1 });
    const fresh = ev.evaluateGrid2D(net, grid, { lane: 'stats', priority: 1 }).then(() => order.push('fresh'));
    const frame = ev.evaluateGrid2D(net, grid).then(() => order.push('frame'));
    await expect(stale).rejects.toBeInstanceOf(SupersededError);
    await Promise.all([first, fresh, frame]);
    expect(order).toEqual(['first', 'frame', 'fresh']);
    expect(fake.posted).toHaveLength(3);
    expect(ev.pending).toBe(0);
  });

  it('sends a network once while the worker keeps it, and again after it was let go', async () => {
    const fake = new FakeGridWorker();
    const ev = new WorkerEvaluator(() => fake);
    const nets = Array.from({ length: KEPT_NETWORKS + 1 }, (_, i) => randomNet(20 + i, 11 + i));
    const want = await Promise.all(nets.map((n) => cpu.evaluateGrid2D(n, grid)));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < nets.length; i++) expect(Array.from(await ev.evaluateGrid2D(nets[i], grid))).toEqual(Array.from(want[i]));
    }
    // Round one sends every network; round two finds the first one let go (FIFO), so each is sent again.
    expect(fake.posted.filter((r) => r.net).length).toBe(2 * nets.length);
    await ev.regions2D(nets[nets.length - 1], grid);
    expect(fake.posted.at(-1)!.net).toBeUndefined();
  });

  it('runs in-process without a worker, and after a worker that fails to load', async () => {
    const net = randomNet(30, 9);
    const want = Array.from(await cpu.evaluateGrid2D(net, grid));
    expect(Array.from(await new WorkerEvaluator(null).evaluateGrid2D(net, grid))).toEqual(want);
    const broken: GridWorker = {
      onmessage: null,
      onerror: null,
      postMessage() {
        setTimeout(() => broken.onerror?.({ preventDefault() {} } as Event), 0);
      },
      terminate() {},
    };
    const ev = new WorkerEvaluator(() => broken);
    expect(Array.from(await ev.evaluateGrid2D(net, grid))).toEqual(want);
    expect(Array.from(await ev.evaluateGrid2D(net, grid))).toEqual(want);
  });
});
