/**
 * `npm run bench:regions`: the exact 2D arrangement and the 2D least squares on this machine's CPU (what the
 * worker runs), for the figures in the README and the notes. Random units whose lines cross the window [−1, 1]².
 *   --lines 100,1000      line counts for the arrangement with polygons (N ≤ 1,000)
 *   --count 65536         line counts for the count alone
 *   --ls 256,1024,2048    unit counts for 2D least squares on the Gaussian bump
 */
import { arrangement2DPacked, countRegions } from '../src/model/arrangement2d.ts';
import { leastSquares2D, randomHiddenUnits2D, ridgeSamples2D } from '../src/model/fit2d.ts';
import type { Network } from '../src/model/network.ts';
import { resolveTarget2D } from '../src/model/targets2d.ts';

const VIEW = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };

function flag(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (v.length === 0 || v.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} needs positive integers, e.g. --${name} 100,1000`);
  return v;
}

/** N random units whose lines cross the window (the least-squares construction's hidden units). */
function lines(n: number): Network {
  const { w, b } = randomHiddenUnits2D(n, VIEW, 7);
  return { dim: 2, w: Array.from(w), b: Array.from(b), a: new Array<number>(n).fill(1), c: 0 };
}

function best(runs: number, f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

for (const n of flag('lines', [100, 1000])) {
  const net = lines(n);
  let cells = 0;
  const ms = best(3, () => (cells = arrangement2DPacked(net, VIEW, { polygons: true }).regions?.count ?? 0));
  console.log(`arrangement with polygons, ${n} lines: ${cells.toLocaleString('en-US')} cells in ${ms.toFixed(0)} ms (best of 3)`);
}
for (const n of flag('count', [65_536])) {
  const net = lines(n);
  let exact = 0;
  const ms = best(3, () => (exact = countRegions(net, VIEW)));
  console.log(`region count alone, ${n} lines: ${exact.toLocaleString('en-US')} cells in ${ms.toFixed(0)} ms (best of 3)`);
}
const bump = resolveTarget2D({ kind: 'builtin', id: 'bump' });
for (const n of flag('ls', [256, 1024, 2048])) {
  const samples = ridgeSamples2D(bump.f, bump.domain, n);
  const ms = best(1, () => leastSquares2D(samples, { units: n, seed: 1, domain: bump.domain }));
  console.log(`2D least squares, ${n} units on ${samples.xs.length} samples: ${ms.toFixed(0)} ms`);
}
