// Interleaved kernel comparison on one adapter (see bench/NOTES.md): npx tsx bench/tools/tune.ts lead file:shaders/generated/eval2d_step128.compute.wgsl v:32:4:step …
// Spec: "lead" (shaders/eval2d.compute.wgsl), "file:PATH", or "v:C:U:tile|direct|subgroup|step" (a grid-only probe from probes.ts). Env: N, R, ROUNDS.
// Registers the `?raw` shader loader before the dynamic imports below load any shader.
import '../../scripts/register-raw.mjs';
import { nodeGpu } from '../../src/bench/nodeHost.ts';
import type { ProbeStaging } from './probes.ts';

const { PeakKernel } = await import('../../src/engine/gpu/peak.ts');
const { UnitKernelHarness } = await import('../../src/bench/unitHarness.ts');
const { GpuTimer } = await import('../../src/engine/gpu/timer.ts');
const { randomNetwork } = await import('../../src/model/network.ts');
const { relativeL2 } = await import('../../src/model/grid.ts');
const { evaluate2DSweep } = await import('../../src/engine/cpu/sweep2d.ts');
const { variant } = await import('./probes.ts');
const fs = await import('node:fs');
const g = await nodeGpu('auto');
if (!g.device) throw new Error(`no WebGPU device: ${g.how}`);
const device = g.device;
const now = () => performance.now();
const peak = new PeakKernel(device, now);
const timer = new GpuTimer(device, now);
const specs = process.argv.slice(2); // e.g. lead  v:4:4:tile  file:shaders/x.wgsl
const N = Number(process.env.N ?? 1024);
const R = Number(process.env.R ?? 512);
const grid = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: R, ny: R };
const net = randomNetwork(2, N, 5);
const ref = evaluate2DSweep(net, grid);
const kernels = specs.map((s) => {
  let code: string;
  if (s === 'lead') code = fs.readFileSync('shaders/eval2d.compute.wgsl', 'utf8');
  else if (s.startsWith('file:')) code = fs.readFileSync(s.slice(5), 'utf8');
  else { const [, c, u, st] = s.split(':'); code = variant(Number(c), Number(u), st as ProbeStaging); }
  const h = new UnitKernelHarness(device, s, code, 'values');
  h.prepare(net, grid);
  return { s, h, err: 0, pct: [] as number[], t: [] as number[] };
});
for (const k of kernels) { const enc = device.createCommandEncoder(); k.h.encode(enc); device.queue.submit([enc.finish()]); const v = await k.h.readValues(); k.err = relativeL2(v, ref); }
const rounds = Number(process.env.ROUNDS ?? 3);
const peaks: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const k of kernels) {
    const p1 = (await peak.measure({ minMs: 40, repeats: 1 })).flops;
    // Short kernels are timed as back-to-back repetitions (≥ 2 ms in all), as the runner does.
    // Sleeping through the expected time instead of polling keeps Dawn's poller off SwiftShader's cores.
    const once = await timer.time(k.h.passes, (e, ts) => k.h.encode(e, ts), 1, k.t.length ? Math.min(...k.t) : 0);
    const reps = once >= 2 ? 1 : Math.min(4096, Math.ceil(2.5 / Math.max(once, 0.01)));
    const t = reps === 1 ? once : await timer.time(k.h.passes, (e, ts) => k.h.encode(e, ts), reps, once * reps);
    const p2 = (await peak.measure({ minMs: 40, repeats: 1 })).flops;
    const flops = (N * R * R * 5) / (t / 1e3);
    k.pct.push((100 * flops) / Math.max(p1, p2));
    k.t.push(t);
    peaks.push(p1, p2);
  }
}
const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
const maxPeak = Math.max(...peaks);
console.log(`max peak ${(maxPeak / 1e9).toFixed(2)} GFLOP/s over ${peaks.length} measurements`);
for (const k of kernels) console.log(`${k.s.padEnd(24)} best ${Math.min(...k.t).toFixed(1)} ms = ${(N * R * R / (Math.min(...k.t) / 1e3) / 1e6).toFixed(0)} M unit-evals/s = ${((100 * N * R * R * 5) / (Math.min(...k.t) / 1e3) / maxPeak).toFixed(1)}% of max peak`);
for (const k of kernels) console.log(`${k.s.padEnd(24)} N=${N} R=${R}  median ${med(k.t).toFixed(1)} ms  ${(N * R * R / (med(k.t) / 1e3) / 1e6).toFixed(0)} M unit-evals/s  ${med(k.pct).toFixed(1)}% of peak (per round: ${k.pct.map((x) => x.toFixed(0)).join(' ')})  relL2 ${k.err.toExponential(1)}`);
device.destroy();
process.exit(0);
