// Interleaved A/B of 2D value kernels on one adapter: many single runs per kernel, round by round, so load swings
// hit all kernels alike; prints min / p25 / median time and the share of the highest FMA peak measured meanwhile.
//   N=1024 R=512 ROUNDS=20 npx tsx bench/tools/compare.ts A.wgsl B.wgsl …
// POLL=1 waits for each run by polling, as before commit e07fdd0 (to see what Dawn's poller costs on SwiftShader).
// Registers the `?raw` shader loader before the dynamic imports below load any shader.
import '../../scripts/register-raw.mjs';
import { nodeGpu } from '../../src/bench/nodeHost.ts';

const { UnitKernelHarness } = await import('../../src/bench/unitHarness.ts');
const { GpuTimer } = await import('../../src/engine/gpu/timer.ts');
const { PeakKernel } = await import('../../src/engine/gpu/peak.ts');
const { randomNetwork } = await import('../../src/model/network.ts');
const fs = await import('node:fs');

const g = await nodeGpu('auto');
if (!g.device) throw new Error(`no WebGPU device: ${g.how}`);
const device = g.device;
const now = () => performance.now();
const timer = new GpuTimer(device, now);
const N = Number(process.env.N ?? 1024);
const R = Number(process.env.R ?? 512);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const poll = process.env.POLL === '1';
const grid = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: R, ny: R };
const net = randomNetwork(2, N, 5);
const kernels = process.argv.slice(2).map((file) => {
  const h = new UnitKernelHarness(device, file, fs.readFileSync(file, 'utf8'), 'values');
  h.prepare(net, grid);
  return { file, h, t: [] as number[] };
});
for (const k of kernels) await timer.time(k.h.passes, (e, ts) => k.h.encode(e, ts));
const peak = new PeakKernel(device, now);
const peaks: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 5 === 0) peaks.push((await peak.measure({ minMs: 40, repeats: 1 })).flops);
  for (const k of kernels) {
    const expect = poll || k.t.length === 0 ? 0 : Math.min(...k.t);
    k.t.push(await timer.time(k.h.passes, (e, ts) => k.h.encode(e, ts), 1, expect));
  }
}
const maxPeak = Math.max(...peaks);
const quantile = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))];
console.log(`N=${N} R=${R} rounds=${ROUNDS}${poll ? ' (polling)' : ''}; highest FMA peak ${(maxPeak / 1e9).toFixed(1)} GFLOP/s`);
for (const k of kernels) {
  const best = quantile(k.t, 0);
  const rate = (N * R * R) / (best / 1e3);
  console.log(
    `${k.file.padEnd(44)} min ${best.toFixed(1)}  p25 ${quantile(k.t, 0.25).toFixed(1)}  median ${quantile(k.t, 0.5).toFixed(1)} ms  ` +
      `${(rate / 1e9).toFixed(2)} G unit-evals/s  ${((100 * 5 * rate) / maxPeak).toFixed(1)}% of the highest peak`,
  );
}
device.destroy();
process.exit(0);
