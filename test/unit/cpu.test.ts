import { describe, expect, it } from 'vitest';
import { evaluate1DBrute, evaluate1DSweep, evaluate2DBrute, regions2DBrute, CpuEvaluator } from '../../src/engine/cpu/evaluator.ts';
import { evaluatePiecewise, piecewise1D, piecesInRange } from '../../src/model/piecewise1d.ts';
import { randomNetwork, seededRandom, validateNetwork } from '../../src/model/network.ts';
import { gridPoints2D, gridXs, relativeL2, validateGrid1D, validateGrid2D } from '../../src/model/grid.ts';
import { unitHash } from '../../src/model/regions.ts';
import { DimensionMismatchError, InvalidInputError, isInputError } from '../../src/engine/evaluator.ts';
import { InvalidNetworkError } from '../../src/model/network.ts';
import { InvalidGridError } from '../../src/model/grid.ts';
import { TrainError } from '../../src/model/train1d.ts';
import { GpuDeviceLostError, GpuValidationError } from '../../src/engine/gpu/errors.ts';

const relu = (z: number) => Math.max(0, z);

describe('brute-force reference', () => {
  it('matches the definition on a hand-made 1D network', () => {
    const net = validateNetwork({ dim: 1, w: [1, -2, 0.5], b: [0, 1, -1], a: [2, 1, -4], c: 0.25 });
    for (const x of [-3, -0.5, 0, 0.3, 1, 2.5, 7]) {
      const want = 0.25 + 2 * relu(x) + 1 * relu(-2 * x + 1) - 4 * relu(0.5 * x - 1);
      expect(evaluate1DBrute(net, [x])[0]).toBeCloseTo(want, 14);
    }
  });

  it('matches the definition on a hand-made 2D network', () => {
    const net = validateNetwork({ dim: 2, w: [1, 2, -1, 0.5], b: [0.1, -0.2], a: [3, -1], c: -1 });
    for (const [x, y] of [[0, 0], [1, -1], [-2, 3], [0.5, 0.25]]) {
      const want = -1 + 3 * relu(x + 2 * y + 0.1) - relu(-x + 0.5 * y - 0.2);
      expect(evaluate2DBrute(net, [x, y])[0]).toBeCloseTo(want, 14);
    }
  });

  it('N = 0 is the constant c', () => {
    expect(Array.from(evaluate1DBrute({ dim: 1, w: [], b: [], a: [], c: 2.5 }, [1, 2]))).toEqual([2.5, 2.5]);
    expect(Array.from(evaluate1DSweep({ dim: 1, w: [], b: [], a: [], c: 2.5 }, [1, 2]))).toEqual([2.5, 2.5]);
  });
});

describe('1D knot sweep', () => {
  for (const n of [1, 2, 63, 65, 4097]) {
    it(`agrees with brute force at N = ${n} (sorted grid and shuffled points)`, () => {
      const net = randomNetwork(1, n, n);
      const xs = gridXs({ xMin: -1.7, xMax: 1.9, nx: 1001 });
      expect(relativeL2(evaluate1DSweep(net, xs), evaluate1DBrute(net, xs))).toBeLessThan(1e-12);
      const rnd = seededRandom(n);
      const pts = Array.from({ length: 777 }, () => -3 + 6 * rnd());
      expect(relativeL2(evaluate1DSweep(net, pts), evaluate1DBrute(net, pts))).toBeLessThan(1e-12);
    });
  }

  it('handles flat units, duplicate knots, both slope signs and samples exactly at knots', () => {
    const net = validateNetwork({ dim: 1, w: [1, 2, -1, 0, -3], b: [-1, -2, 1, 0.7, 3], a: [1.5, -0.5, 2, 3, 0.25], c: -0.3 });
    const pl = piecewise1D(net);
    expect(Array.from(pl.knots)).toEqual([1]); // all four bending units share the knot x = 1
    const xs = [-2, 0, 0.999, 1, 1.001, 4];
    const got = evaluatePiecewise(pl, xs);
    const want = evaluate1DBrute(net, xs);
    xs.forEach((_, i) => expect(got[i]).toBeCloseTo(want[i], 12));
  });

  it('slopes are the sum of active unit slopes and change by a·|w| at each knot', () => {
    const net = validateNetwork({ dim: 1, w: [2, -1], b: [-2, -1], a: [3, 5], c: 0 });
    const pl = piecewise1D(net);
    // knots: unit 0 at 1 (turns on), unit 1 at −1 (turns off going right)
    expect(Array.from(pl.knots)).toEqual([-1, 1]);
    expect(Array.from(pl.slopes)).toEqual([-5, 0, 6]);
    expect(piecesInRange(pl, -10, 10)).toBe(3);
    expect(piecesInRange(pl, 0, 10)).toBe(2);
  });

  it('stays accurate with 65,536 units', () => {
    const net = randomNetwork(1, 65536, 5);
    const xs = gridXs({ xMin: -1, xMax: 1, nx: 97 });
    expect(relativeL2(evaluate1DSweep(net, xs), evaluate1DBrute(net, xs))).toBeLessThan(1e-12);
  });
});

describe('regions', () => {
  it('unitHash is a fixed, non-zero 32-bit hash', () => {
    expect(unitHash(0)).not.toBe(0);
    const seen = new Set(Array.from({ length: 10000 }, (_, i) => unitHash(i)));
    expect(seen.size).toBe(10000);
    for (const v of seen) expect(v >>> 0).toBe(v);
  });

  it('counts active units and XORs their hashes', () => {
    const net = validateNetwork({ dim: 2, w: [1, 0, 0, 1, -1, -1], b: [0, 0, 0], a: [1, 1, 1], c: 0 });
    const r = regions2DBrute(net, [1, 1, -1, 1, -1, -1, 1, -1]);
    // (−1, 1) and (1, −1) lie exactly on unit 2's crease, where z = 0 counts as inactive.
    expect(Array.from(r.active)).toEqual([2, 1, 1, 1]);
    expect(r.pattern[0]).toBe((unitHash(0) ^ unitHash(1)) >>> 0);
    expect(r.pattern[1]).toBe(unitHash(1));
    expect(r.pattern[2]).toBe(unitHash(2));
    expect(r.pattern[3]).toBe(unitHash(0));
  });
});

describe('CpuEvaluator and grids', () => {
  const cpu = new CpuEvaluator();
  it('evaluates grids and points', async () => {
    const net = randomNetwork(2, 40, 2);
    const grid = { xMin: -1, xMax: 1, yMin: 0, yMax: 2, nx: 5, ny: 3 };
    const v = await cpu.evaluateGrid2D(net, grid);
    expect(relativeL2(v, evaluate2DBrute(net, gridPoints2D(grid)))).toBeLessThan(1e-12);
    const pts = gridPoints2D(grid);
    expect(pts[2 * 5]).toBe(-1);
    expect(pts[2 * 5 + 1]).toBe(1);
    expect(relativeL2(await cpu.evaluatePoints(net, pts), v)).toBeLessThan(1e-12);
  });

  it('uses the row sweep on 2D grids with many units and still matches brute force', async () => {
    const net = randomNetwork(2, 300, 8);
    const grid = { xMin: -1, xMax: 1.2, yMin: -0.7, yMax: 1, nx: 41, ny: 23 };
    const pts = gridPoints2D(grid);
    expect(relativeL2(await cpu.evaluateGrid2D(net, grid), evaluate2DBrute(net, pts))).toBeLessThan(1e-9);
    const r = await cpu.regions2D(net, grid);
    const want = regions2DBrute(net, pts);
    let differ = 0;
    for (let i = 0; i < want.active.length; i++) if (r.pattern[i] !== want.pattern[i] || r.active[i] !== want.active[i]) differ++;
    expect(differ).toBeLessThanOrEqual(2);
  });

  it('grid ends are inclusive, and a 1-sample grid sits at xMin', () => {
    expect(Array.from(gridXs({ xMin: -1, xMax: 1, nx: 3 }))).toEqual([-1, 0, 1]);
    expect(Array.from(gridXs({ xMin: 2, xMax: 3, nx: 1 }))).toEqual([2]);
  });

  it('rejects bad grids and inputs with clear messages', async () => {
    expect(() => validateGrid1D({ xMin: 1, xMax: 0, nx: 3 })).toThrow(/xMax: must be greater than xMin/);
    expect(() => validateGrid1D({ xMin: 0, xMax: NaN, nx: 3 })).toThrow(/xMax: must be a finite number/);
    expect(() => validateGrid1D({ xMin: 0, xMax: 1, nx: 2.5 })).toThrow(/nx/);
    expect(() => validateGrid2D({ xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 4, ny: 5000 })).toThrow(/ny/);
    const net = randomNetwork(1, 3);
    await expect(cpu.evaluatePoints(net, [1, NaN])).rejects.toThrow(/inputs\[1\]/);
    await expect(cpu.evaluatePoints(randomNetwork(2, 3), [1])).rejects.toThrow(/odd length/);
    await expect(cpu.evaluateGrid2D(net, { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 4, ny: 4 })).rejects.toThrow(/2D network/);
  });

  it('a 1D/2D mix-up is a typed input error naming the call and both dimensions', async () => {
    const net1 = randomNetwork(1, 3);
    const net2 = randomNetwork(2, 3);
    const g2 = { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 4, ny: 4 };
    for (const [call, p] of [
      ['evaluateGrid1D', cpu.evaluateGrid1D(net2, { xMin: 0, xMax: 1, nx: 4 })],
      ['evaluateGrid2D', cpu.evaluateGrid2D(net1, g2)],
      ['regions2D', cpu.regions2D(net1, g2)],
    ] as const) {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(DimensionMismatchError);
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as Error).message).toMatch(new RegExp(`^${call} needs a \\dD network, got a \\dD one$`));
      expect(isInputError(e)).toBe(true);
    }
  });
});

describe('isInputError', () => {
  it('covers every input error class and no GPU fault', () => {
    for (const e of [
      new InvalidNetworkError('a', 'x'),
      new InvalidGridError('nx', 'x'),
      new InvalidInputError('x'),
      new DimensionMismatchError('evaluateGrid1D', 1, 2),
      new TrainError('x'),
    ]) {
      expect(isInputError(e), e.name).toBe(true);
    }
    for (const e of [new GpuValidationError('x'), new GpuDeviceLostError('x'), new Error('x'), new TypeError('x'), 'text']) {
      expect(isInputError(e)).toBe(false);
    }
  });
});
