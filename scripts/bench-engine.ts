/**
 * `npm run bench:engine`: the evaluation engine's headline figures (issue 2), in one run on this machine:
 *  1. 2D: unit-evaluations/s at N = 4,096 on a 512 × 512 grid — the WebGPU kernel (kernel time, and the app's
 *     GpuEvaluator end to end with upload and read-back) beside the CPU evaluator (its default path, the exact
 *     row sweep) and the CPU brute-force loop.
 *  2. 1D: N = 65,536, G = 2^20 — the CPU knot sweep against the CPU brute-force loop (timed on a leading part
 *     of the grid and scaled, said in the output), and the GPU binary search against the GPU brute-force kernel.
 * Flags: --repeats K (default 3), --out DIR (writes engine.json), --cpu (no GPU), --swiftshader.
 */
// Registers the `?raw` shader loader before the dynamic imports below load any shader.
import './register-raw.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeAdapter, nodeGpu, nodePlatform } from '../src/bench/nodeHost.ts';

const { METHODS } = await import('../src/bench/methods.ts');
const { randomNetwork } = await import('../src/model/network.ts');
const { gridPoints2D, gridXs, relativeL2 } = await import('../src/model/grid.ts');
const { CpuEvaluator, evaluate1DBrute, evaluate2DBrute } = await import('../src/engine/cpu/evaluator.ts');
const { GpuEvaluator } = await import('../src/engine/gpu/context.ts');
const { si, ms } = await import('../src/bench/format.ts');
type Grid1D = import('../src/model/grid.ts').Grid1D;
type Grid2D = import('../src/model/grid.ts').Grid2D;
type Network = import('../src/model/network.ts').Network;

interface Figure {
  what: string;
  n: number;
  points: number;
  /** Points timed per run (fewer than `points` when the run was cut and scaled). */
  timedPoints: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  unitEvalsPerS: number;
  relL2: number | null;
  timing: string;
}

function parse(argv: string[]) {
  const o = { repeats: 3, out: null as string | null, gpu: 'auto' as 'auto' | 'cpu' | 'swiftshader' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeats') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || v > 100) throw new Error('--repeats: a whole number from 1 to 100');
      o.repeats = v;
    } else if (a === '--out') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new Error('--out needs a folder');
      o.out = v;
    } else if (a === '--cpu') o.gpu = 'cpu';
    else if (a === '--swiftshader') o.gpu = 'swiftshader';
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm run bench:engine -- [--repeats K] [--out DIR] [--cpu] [--swiftshader]');
      process.exit(0);
    } else throw new Error(`unknown flag '${a}' (see --help)`);
  }
  return o;
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * One warm-up run, then `repeats` timed runs; `run` returns its own time in ms and gets the expected time (the
 * shortest so far), which GPU methods use to sleep rather than poll while the work runs.
 */
async function timeRuns(repeats: number, run: (expectMs: number) => Promise<number>): Promise<number[]> {
  const warm = await run(0);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(await run(Math.min(warm, ...times)));
  return times;
}

function figure(what: string, n: number, points: number, timedPoints: number, times: number[], relL2: number | null, timing: string): Figure {
  const scale = points / timedPoints;
  const t = times.map((x) => x * scale);
  const med = median(t);
  return { what, n, points, timedPoints, medianMs: med, minMs: Math.min(...t), maxMs: Math.max(...t), unitEvalsPerS: (n * points) / (med / 1e3), relL2, timing };
}

async function main(): Promise<number> {
  let o: ReturnType<typeof parse>;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:engine: ${(e as Error).message}`);
    return 2;
  }
  const now = () => performance.now();
  const g = await nodeGpu(o.gpu);
  const adapter = g.adapter ? describeAdapter(g.adapter, g.how) : null;
  const device = g.device;
  console.log(nodePlatform());
  console.log(adapter ? `Adapter: ${adapter.name}` : `No GPU: ${g.how}; CPU figures only.`);
  const figures: Figure[] = [];
  const method = (id: string, dim: 1 | 2) => METHODS.find((m) => m.id === id && m.dim === dim)!;
  const ctx = { now, device };

  // 1. 2D, N = 4096, 512 × 512.
  const n2 = 4096;
  const grid2: Grid2D = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, nx: 512, ny: 512 };
  const net2: Network = randomNetwork(2, n2, 42);
  const pts2 = gridPoints2D(grid2);
  console.error('2D reference (CPU brute force, float64)…');
  const bruteTimes: number[] = [];
  let ref2: ArrayLike<number> = [];
  for (let r = 0; r < o.repeats; r++) {
    const t0 = now();
    ref2 = evaluate2DBrute(net2, pts2);
    bruteTimes.push(now() - t0);
  }
  figures.push(figure('2D CPU brute-force loop (float64)', n2, pts2.length / 2, pts2.length / 2, bruteTimes, 0, 'host clock'));
  const cpuEval = new CpuEvaluator();
  let cpuOut: ArrayLike<number> = [];
  const cpuTimes = await timeRuns(o.repeats, async () => {
    const t0 = now();
    cpuOut = await cpuEval.evaluateGrid2D(net2, grid2);
    return now() - t0;
  });
  figures.push(figure('2D CPU evaluator (CpuEvaluator.evaluateGrid2D: exact row sweep, float64)', n2, pts2.length / 2, pts2.length / 2, cpuTimes, relativeL2(cpuOut, ref2), 'host clock'));
  if (device) {
    console.error('2D WebGPU kernel…');
    const inst = method('gpu-brute', 2).create(ctx);
    inst.prepare(net2, grid2);
    const times = await timeRuns(o.repeats, (expect) => inst.run(1, expect));
    const out = await inst.output();
    const err = out.kind === 'values' ? relativeL2(out.values, ref2) : null;
    const timing = device.features.has('timestamp-query') ? 'timestamp-query (kernel only)' : 'onSubmittedWorkDone';
    figures.push(figure('2D WebGPU kernel shaders/eval2d.compute.wgsl', n2, pts2.length / 2, pts2.length / 2, times, err, timing));
    inst.destroy();
    const gpuEval = await GpuEvaluator.create({ kind: 'ok', gpu: g.gpu!, adapter: g.adapter!, device, adapterName: adapter!.name });
    let gOut: ArrayLike<number> = [];
    const e2e = await timeRuns(o.repeats, async () => {
      const t0 = now();
      gOut = await gpuEval.evaluateGrid2D(net2, grid2);
      return now() - t0;
    });
    figures.push(figure(`2D GpuEvaluator.evaluateGrid2D end to end (upload, kernel ${gpuEval.kernel2D}, read-back)`, n2, pts2.length / 2, pts2.length / 2, e2e, relativeL2(gOut, ref2), 'host clock'));
    // The evaluator shares our device; dropping it without destroy() keeps the device for the 1D figures.
  }

  // 2. 1D, N = 65536, G = 2^20.
  const n1 = 65536;
  const grid1: Grid1D = { xMin: -1, xMax: 1, nx: 1 << 20 };
  const net1 = randomNetwork(1, n1, 43);
  const cut = 1 << 12;
  const part1: Grid1D = { xMin: -1, xMax: -1 + ((cut - 1) * 2) / (grid1.nx - 1), nx: cut };
  console.error('1D CPU brute force on a leading part…');
  const xsPart = gridXs(part1);
  let refPart: ArrayLike<number> = [];
  const b1 = [];
  for (let r = 0; r < o.repeats; r++) {
    const t0 = now();
    refPart = evaluate1DBrute(net1, xsPart);
    b1.push(now() - t0);
  }
  figures.push(figure(`1D CPU brute-force loop (float64; timed on the first ${cut} of ${grid1.nx} samples, scaled)`, n1, grid1.nx, cut, b1, 0, 'host clock'));
  const sweep = method('cpu-sweep', 1).create(ctx);
  sweep.prepare(net1, grid1);
  const sTimes = await timeRuns(o.repeats, () => sweep.run());
  const sOut = await sweep.output();
  const sVals = sOut.kind === 'values' ? Array.from({ length: cut }, (_, i) => sOut.values[i]) : [];
  figures.push(figure('1D CPU knot sweep (float64, sort + merge)', n1, grid1.nx, grid1.nx, sTimes, relativeL2(sVals, refPart), 'host clock'));
  sweep.destroy();
  if (device) {
    console.error('1D GPU binary search and brute force…');
    const search = method('gpu-search', 1).create(ctx);
    const t0 = now();
    search.prepare(net1, grid1);
    const setup = now() - t0;
    const qTimes = await timeRuns(o.repeats, (expect) => search.run(1, expect));
    const qOut = await search.output();
    const qVals = qOut.kind === 'values' ? Array.from({ length: cut }, (_, i) => qOut.values[i]) : [];
    const f = figure(`1D GPU binary search (eval1d_search; + ${ms(setup)} ms CPU sort and upload once)`, n1, grid1.nx, grid1.nx, qTimes, relativeL2(qVals, refPart), 'timestamp-query');
    figures.push(f);
    search.destroy();
    const gb = method('gpu-brute', 1).create(ctx);
    const gcut = 1 << 14;
    const gpart: Grid1D = { xMin: -1, xMax: -1 + ((gcut - 1) * 2) / (grid1.nx - 1), nx: gcut };
    gb.prepare(net1, gpart);
    const gTimes = await timeRuns(Math.min(o.repeats, 2), (expect) => gb.run(1, expect));
    const gOut = await gb.output();
    const gVals = gOut.kind === 'values' ? Array.from({ length: cut }, (_, i) => gOut.values[i]) : [];
    figures.push(figure(`1D GPU brute-force kernel eval1d (timed on the first ${gcut} of ${grid1.nx} samples, scaled)`, n1, grid1.nx, gcut, gTimes, relativeL2(gVals, refPart), 'timestamp-query'));
    gb.destroy();
  }

  console.log('');
  const rows = [['figure', 'N', 'points', 'median ms', 'min ms', 'max ms', 'unit-evals/s', 'rel. L2 vs float64']];
  for (const f of figures) rows.push([f.what, String(f.n), String(f.points), ms(f.medianMs), ms(f.minMs), ms(f.maxMs), si(f.unitEvalsPerS), f.relL2 === null ? '' : f.relL2.toExponential(1)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  const by = (s: string) => figures.find((f) => f.what.startsWith(s));
  const ratio = (a?: Figure, b?: Figure) => (a && b ? (b.medianMs / a.medianMs).toFixed(0) + '×' : 'n/a');
  console.log('');
  console.log(`2D at N = 4096, 512×512: GPU kernel ${si(by('2D WebGPU kernel')?.unitEvalsPerS ?? NaN)} unit-evals/s; CPU evaluator (row sweep) ${si(by('2D CPU evaluator')!.unitEvalsPerS)} equivalent; CPU brute force ${si(by('2D CPU brute')!.unitEvalsPerS)}.`);
  console.log(`2D row sweep vs CPU brute force: ${ratio(by('2D CPU evaluator'), by('2D CPU brute'))} faster.`);
  console.log(`1D at N = 65536, G = 2^20: CPU knot sweep ${ratio(by('1D CPU knot'), by('1D CPU brute'))} faster than the CPU brute-force loop (scaled from ${cut} samples); GPU binary search ${ratio(by('1D GPU binary'), by('1D GPU brute'))} faster than the GPU brute-force kernel (scaled).`);
  if (o.out) {
    const dir = resolve(o.out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'engine.json'), JSON.stringify({ platform: nodePlatform(), adapter, figures }, null, 2) + '\n');
    console.log(`Wrote ${join(dir, 'engine.json')}`);
  }
  device?.destroy();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench:engine: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
