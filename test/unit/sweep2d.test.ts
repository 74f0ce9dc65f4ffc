import { describe, expect, it } from 'vitest';
import { randomNetwork, type Network } from '../../src/model/network.ts';
import { gridPoints2D, type Grid2D } from '../../src/model/grid.ts';
import { evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { evaluate2DSweep, regions2DSweep, sweep2D } from '../../src/engine/cpu/sweep2d.ts';

function maxRelDiff(got: Float64Array, want: Float64Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < want.length; i++) {
    d = Math.max(d, Math.abs(got[i] - want[i]));
    s = Math.max(s, Math.abs(want[i]));
  }
  return d / Math.max(s, 1e-300);
}

/** Grid points whose brute-force z lies within rounding of 0 for some unit (on a crease). */
function onCrease(net: Network, xy: Float64Array): Set<number> {
  const out = new Set<number>();
  for (let p = 0; p < xy.length / 2; p++) {
    for (let i = 0; i < net.a.length; i++) {
      const z = net.w[2 * i] * xy[2 * p] + net.w[2 * i + 1] * xy[2 * p + 1] + net.b[i];
      const scale = Math.abs(net.w[2 * i] * xy[2 * p]) + Math.abs(net.w[2 * i + 1] * xy[2 * p + 1]) + Math.abs(net.b[i]);
      if (Math.abs(z) <= 1e-12 * scale) out.add(p);
    }
  }
  return out;
}

function check(net: Network, grid: Grid2D): void {
  const xy = gridPoints2D(grid);
  const want = evaluate2DBrute(net, xy);
  const got = evaluate2DSweep(net, grid);
  expect(got.length).toBe(want.length);
  expect(maxRelDiff(got, want)).toBeLessThan(1e-9);
  const rw = regions2DBrute(net, xy);
  const rg = regions2DSweep(net, grid);
  const skip = onCrease(net, xy);
  let mismatches = 0;
  for (let p = 0; p < want.length; p++) {
    if (skip.has(p)) continue;
    if (rg.active[p] !== rw.active[p] || rg.pattern[p] !== rw.pattern[p]) mismatches++;
  }
  expect(mismatches).toBe(0);
}

describe('2D row sweep', () => {
  const grids: Grid2D[] = [
    { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 1, ny: 1 },
    { xMin: -1.3, xMax: 0.9, yMin: -0.7, yMax: 1.1, nx: 37, ny: 23 },
    { xMin: -2, xMax: 2, yMin: -2, yMax: 2, nx: 65, ny: 3 },
    { xMin: 0, xMax: 1, yMin: -1, yMax: 0, nx: 2, ny: 97 },
  ];
  for (const n of [0, 1, 2, 17, 63, 65, 257, 1031]) {
    for (const [gi, grid] of grids.entries()) {
      it(`matches brute force at N = ${n}, grid #${gi} (${grid.nx}×${grid.ny})`, () => {
        check(randomNetwork(2, n, 100 + n + gi), grid);
      });
    }
  }

  it('handles units with w1 = 0 (constant along rows) and repeated knots', () => {
    const net = randomNetwork(2, 40, 7);
    for (let i = 0; i < 40; i += 3) net.w[2 * i] = 0;
    // Units 1 and 2 share their crease with unit 4 (same line, scaled).
    net.w[2 * 4] = 2 * net.w[2 * 1];
    net.w[2 * 4 + 1] = 2 * net.w[2 * 1 + 1];
    net.b[4] = 2 * net.b[1];
    check(net, { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 41, ny: 29 });
  });

  it('puts grid points exactly on a vertical crease on the same side as the brute force', () => {
    // Crease x = 0.5 for both signs of w1, hit exactly by the grid column x = 0.5.
    const net: Network = { dim: 2, w: [2, 0, -2, 0, 1, 1], b: [-1, 1, 0.25], a: [0.7, -0.4, 1.3], c: 0.2 };
    const grid = { xMin: 0, xMax: 1, yMin: -1, yMax: 1, nx: 5, ny: 9 };
    const xy = gridPoints2D(grid);
    const rw = regions2DBrute(net, xy);
    const rg = regions2DSweep(net, grid);
    expect(Array.from(rg.active)).toEqual(Array.from(rw.active));
    expect(Array.from(rg.pattern)).toEqual(Array.from(rw.pattern));
  });

  it('computes values and regions in one pass when asked', () => {
    const net = randomNetwork(2, 300, 3);
    const grid = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 33, ny: 31 };
    const both = sweep2D(net, grid);
    expect(both.values).not.toBeNull();
    expect(both.active).not.toBeNull();
    expect(Array.from(both.values!)).toEqual(Array.from(evaluate2DSweep(net, grid)));
  });
});
