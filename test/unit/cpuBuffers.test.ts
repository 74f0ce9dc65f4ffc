/**
 * The CPU evaluators' reused output arrays (src/engine/cpu/buffers.ts) and the row sweep's per-thread working
 * arrays: a result written into a kept array must be the same, bit for bit, as one in a new array, whatever the
 * array held before and whatever size the previous call had.
 */
import { describe, expect, it } from 'vitest';
import { type Network, randomNetwork } from '../../src/model/network.ts';
import type { Activation } from '../../src/model/activation.ts';
import { type Grid1D, type Grid2D, gridPoints2D, gridXs } from '../../src/model/grid.ts';
import { CpuEvaluator, evaluate1DBrute, evaluate1DSweep, evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { evaluate2DSweep, regions2DSweep, sweep2D } from '../../src/engine/cpu/sweep2d.ts';
import { ReusedF64, ReusedRegions, grown, outputArray } from '../../src/engine/cpu/buffers.ts';
import { computeErrors2D, computeGrid2D } from '../../src/engine/cpu/gridProtocol.ts';
import { validateNetwork } from '../../src/model/network.ts';
import { CANDIDATES_2D, candidateRunner } from '../../src/engine/calibrate2d.ts';
import { METHODS } from '../../src/bench/methods.ts';

/** Grids of 1, 63, 65 and 4,097 points (awkward sizes: odd, one off a power of two). */
const GRIDS: Grid2D[] = [
  [1, 1],
  [7, 9],
  [13, 5],
  [17, 241],
].map(([nx, ny]) => ({ xMin: -1.3, xMax: 0.9, yMin: -0.7, yMax: 1.1, nx, ny }));

const SIZES_1D = [1, 63, 65, 4097];

/** Garbage in every entry: NaN, infinities, huge and negative numbers (or, for Uint32, all bits set). */
function garbageF64(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = [NaN, Infinity, -Infinity, 1e300, -7][i % 5];
  return a;
}
const garbageU32 = (n: number) => new Uint32Array(n).fill(0xffffffff);

function net2D(n: number, seed: number, activation: Activation = 'relu', flatEvery = 0): Network {
  const net = randomNetwork(2, n, seed);
  // Some units constant along rows (w1 = 0), which the sweep treats apart.
  if (flatEvery) for (let i = 0; i < n; i += flatEvery) net.w[2 * i] = 0;
  return activation === 'relu' ? net : { ...net, activation };
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)));

describe('output arrays', () => {
  it('outputArray: a new array without `out`, `out` itself at its length, a view of its start when longer', () => {
    expect(outputArray(undefined, 3, Float64Array)).toEqual(new Float64Array(3));
    const out = new Float64Array(5);
    expect(outputArray(out, 5, Float64Array)).toBe(out);
    const view = outputArray(out, 2, Float64Array);
    expect(view.length).toBe(2);
    expect(view.buffer).toBe(out.buffer);
    expect(() => outputArray(new Uint32Array(2), 3, Uint32Array)).toThrow(RangeError);
  });

  it('grown and ReusedF64 / ReusedRegions allocate only when a call needs more', () => {
    const b = new Int32Array(4);
    expect(grown(b, 4, Int32Array)).toBe(b);
    expect(grown(b, 5, Int32Array).length).toBe(5);
    const r = new ReusedF64();
    const a65 = r.get(65);
    expect(a65.length).toBe(65);
    const a63 = r.get(63);
    expect(a63.length).toBe(63);
    expect(a63.buffer).toBe(a65.buffer);
    const a4097 = r.get(4097);
    expect(a4097.length).toBe(4097);
    expect(a4097.buffer).not.toBe(a65.buffer);
    expect(r.get(1).buffer).toBe(a4097.buffer);
    const rr = new ReusedRegions();
    const g1 = rr.get(65);
    const g2 = rr.get(1);
    expect(g2.active.buffer).toBe(g1.active.buffer);
    expect(g2.pattern.buffer).toBe(g1.pattern.buffer);
    expect(g2.active.length).toBe(1);
  });
});

describe('CPU evaluators into reused arrays', () => {
  it('1D brute force and knot sweep: the same bits as into a new array, whatever the array held', () => {
    const net = randomNetwork(1, 37, 5);
    for (const g of SIZES_1D) {
      const xs = gridXs({ xMin: -1.2, xMax: 1.4, nx: g } satisfies Grid1D);
      for (const f of [evaluate1DBrute, evaluate1DSweep]) {
        const want = f(net, xs);
        for (const out of [garbageF64(g), garbageF64(g + 3), garbageF64(5000)]) {
          const got = f(net, xs, out);
          expect(got.length).toBe(g);
          expect(got.buffer).toBe(out.buffer);
          expect(bits(got)).toEqual(bits(want));
        }
      }
      expect(() => evaluate1DBrute(net, xs, new Float64Array(g - 1))).toThrow(RangeError);
      expect(() => evaluate1DSweep(net, xs, new Float64Array(g - 1))).toThrow(RangeError);
    }
  });

  it('2D brute force, values and regions: the same bits as into new arrays', () => {
    for (const activation of ['relu', 'leaky-relu', 'linear'] as const) {
      const net = net2D(11, 9, activation, 4);
      for (const grid of GRIDS) {
        const xy = gridPoints2D(grid);
        const g = grid.nx * grid.ny;
        const want = evaluate2DBrute(net, xy);
        const wantR = regions2DBrute(net, xy);
        for (const size of [g, g + 1, 5000]) {
          expect(bits(evaluate2DBrute(net, xy, garbageF64(size)))).toEqual(bits(want));
          const r = regions2DBrute(net, xy, { active: garbageU32(size), pattern: garbageU32(size) });
          expect(r.active.length).toBe(g);
          expect(Array.from(r.active)).toEqual(Array.from(wantR.active));
          expect(Array.from(r.pattern)).toEqual(Array.from(wantR.pattern));
        }
      }
    }
  });

  it('the row sweep: values-only, regions-only and both passes into garbage-filled arrays match new arrays bit for bit', () => {
    for (const activation of ['relu', 'leaky-relu', 'linear'] as const) {
      for (const n of [1, 2, 63, 65]) {
        const net = net2D(n, 100 + n, activation, 3);
        for (const grid of GRIDS) {
          const g = grid.nx * grid.ny;
          const both = sweep2D(net, grid, { values: true, regions: true });
          const valuesOnly = sweep2D(net, grid, { values: true, regions: false });
          // The values-only pass does the values' arithmetic in the same order as the full pass.
          expect(bits(valuesOnly.values!)).toEqual(bits(both.values!));
          for (const size of [g, g + 2, 5000]) {
            const out = { values: garbageF64(size), active: garbageU32(size), pattern: garbageU32(size) };
            const r = sweep2D(net, grid, { values: true, regions: true, out });
            expect(r.values!.buffer).toBe(out.values.buffer);
            expect(bits(r.values!)).toEqual(bits(both.values!));
            expect(Array.from(r.active!)).toEqual(Array.from(both.active!));
            expect(Array.from(r.pattern!)).toEqual(Array.from(both.pattern!));
            expect(bits(evaluate2DSweep(net, grid, garbageF64(size)))).toEqual(bits(both.values!));
            const rr = regions2DSweep(net, grid, { active: garbageU32(size), pattern: garbageU32(size) });
            expect(Array.from(rr.active)).toEqual(Array.from(both.active!));
            expect(Array.from(rr.pattern)).toEqual(Array.from(both.pattern!));
          }
        }
      }
    }
  });

  it('the row sweep gives the same bits after a larger or smaller call left its working arrays behind', () => {
    const small = net2D(5, 7, 'relu', 2);
    const grid = GRIDS[1];
    const before = sweep2D(small, grid, { values: true, regions: true });
    // A bigger network on a wider grid grows every working array; a smaller one leaves them longer than needed.
    sweep2D(net2D(4097, 8), { ...GRIDS[3], nx: 241, ny: 17 }, { values: true, regions: true });
    const after = sweep2D(small, grid, { values: true, regions: true });
    expect(bits(after.values!)).toEqual(bits(before.values!));
    expect(Array.from(after.active!)).toEqual(Array.from(before.active!));
    expect(Array.from(after.pattern!)).toEqual(Array.from(before.pattern!));
    sweep2D(net2D(1, 3), GRIDS[0], { values: true, regions: false });
    expect(bits(evaluate2DSweep(small, grid))).toEqual(bits(before.values!));
  });

  it('CpuEvaluator.evaluateGrid2D and regions2D write into `out` and answer what they answer without it', async () => {
    const cpu = new CpuEvaluator();
    for (const activation of ['relu', 'linear'] as const) {
      for (const n of [0, 1, 65]) {
        const net = net2D(n, 40 + n, activation);
        for (const grid of GRIDS) {
          const g = grid.nx * grid.ny;
          const want = await cpu.evaluateGrid2D(net, grid);
          const out = garbageF64(g + 1);
          const got = await cpu.evaluateGrid2D(net, grid, out);
          expect((got as Float64Array).buffer).toBe(out.buffer);
          expect(bits(got)).toEqual(bits(want));
          const wantR = await cpu.regions2D(net, grid);
          const r = await cpu.regions2D(net, grid, { active: garbageU32(g), pattern: garbageU32(g) });
          expect(Array.from(r.active)).toEqual(Array.from(wantR.active));
          expect(Array.from(r.pattern)).toEqual(Array.from(wantR.pattern));
        }
      }
    }
  });

  it('the grid worker: values into a given array, and error readouts unchanged by the array they reuse', () => {
    const net = validateNetwork(net2D(65, 12));
    const target = { kind: 'expression' as const, source: 'sin(3*x) + y*y' };
    for (const grid of GRIDS) {
      const g = grid.nx * grid.ny;
      const want = computeGrid2D(net, grid, { values: true });
      const got = computeGrid2D(net, grid, { values: true }, garbageF64(g + 5));
      expect(bits(got.values!)).toEqual(bits(want.values!));
      expect(got.range).toEqual(want.range);
    }
    // Larger grid first, then smaller ones: the kept array is longer than needed and holds the last values.
    const order = [GRIDS[3], GRIDS[1], GRIDS[0], GRIDS[2]];
    const first = order.map((g) => computeErrors2D(net, g, target));
    const again = order.map((g) => computeErrors2D(net, g, target));
    expect(again).toEqual(first);
    for (const [i, grid] of order.entries()) {
      const fresh = computeGrid2D(net, grid, { values: true, target });
      let max = 0;
      for (let p = 0; p < grid.nx * grid.ny; p++) max = Math.max(max, Math.abs(fresh.values![p] - fresh.target![p]));
      expect(first[i].max).toBe(max);
    }
  });

  it('the calibration’s CPU runner reuses its arrays and answers what the evaluator does', async () => {
    const cpu = new CpuEvaluator();
    const run = candidateRunner(cpu, () => Promise.reject(new Error('no GPU here')));
    const c = CANDIDATES_2D.find((k) => k.id === 'cpu')!;
    const net = net2D(63, 3);
    const a = (await run(c, 'values', net, GRIDS[3])) as Float64Array;
    expect(bits(a)).toEqual(bits(await cpu.evaluateGrid2D(net, GRIDS[3])));
    const b = (await run(c, 'values', net, GRIDS[2])) as Float64Array;
    expect(b.buffer).toBe(a.buffer);
    expect(bits(b)).toEqual(bits(await cpu.evaluateGrid2D(net, GRIDS[2])));
    const r = (await run(c, 'regions', net, GRIDS[1])) as { active: Uint32Array; pattern: Uint32Array };
    expect(Array.from(r.pattern)).toEqual(Array.from((await cpu.regions2D(net, GRIDS[1])).pattern));
    // A malformed grid is still the evaluator's to report.
    await expect(run(c, 'values', net, { ...GRIDS[0], nx: 1.5 })).rejects.toThrow(/grid/i);
  });

  it('the bench’s CPU methods keep one output array per instance, across grids of any size', async () => {
    for (const id of ['cpu-brute', 'cpu-sweep'] as const) {
      for (const dim of [1, 2] as const) {
        const spec = METHODS.find((m) => m.id === id && m.dim === dim)!;
        const inst = spec.create({ now: () => performance.now(), device: null });
        const net = randomNetwork(dim, 65, 77);
        const grids: Array<Grid1D | Grid2D> = dim === 1 ? SIZES_1D.map((nx) => ({ xMin: -1, xMax: 1, nx })) : GRIDS;
        // Big first, then small (the kept array longer than needed), then big again.
        for (const grid of [grids[3], grids[0], grids[1], grids[2], grids[3]]) {
          inst.prepare(net, grid);
          await inst.run(2);
          const out = await inst.output();
          if (out.kind !== 'values') throw new Error('values expected');
          const want =
            dim === 1
              ? (id === 'cpu-brute' ? evaluate1DBrute : evaluate1DSweep)(net, gridXs(grid as Grid1D))
              : id === 'cpu-brute'
                ? evaluate2DBrute(net, gridPoints2D(grid as Grid2D))
                : evaluate2DSweep(net, grid as Grid2D);
          expect(bits(out.values)).toEqual(bits(want));
        }
        inst.destroy();
      }
    }
  });
});
