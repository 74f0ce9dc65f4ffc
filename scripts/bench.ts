/**
 * `npm run bench`: the benchmark in Node (WebGPU through Dawn, plus the CPU evaluators). Prints the table and,
 * with --out DIR, writes DIR/results.json and DIR/results.csv. See --help, and README "Benchmark".
 */
// Registers the `?raw` shader loader before the dynamic imports below load any shader.
import './register-raw.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { nodeGpu, describeAdapter, nodePlatform } from '../src/bench/nodeHost.ts';

const { CliError, HELP, parseArgs } = await import('../src/bench/cli.ts');
const { runBenchmark } = await import('../src/bench/runner.ts');
const { formatReport, toCSV } = await import('../src/bench/format.ts');
const { autoKernel2D } = await import('../src/engine/gpu/context.ts');
const { isContenderWorker, isCpuSeriesWorker, serveContender, serveCpuSeries, workerContender, workerCpuSeries } = await import('../src/bench/nodeIsolate.ts');

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`bench: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (opts.out) mkdirSync(resolve(opts.out), { recursive: true });

  const g = await nodeGpu(opts.gpu);
  const adapter = g.adapter ? describeAdapter(g.adapter, g.how) : null;
  console.log(adapter ? `Adapter: ${adapter.name}` : `No GPU: ${g.how}; running the CPU methods only.`);
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('\nbench: cancelling after the current measurement (Ctrl-C again to quit)…');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  // The 2D method the app would pick on this adapter, calibrated first, so its picks are checked in this run.
  const picked = opts.config.dims.includes(2) ? await import('../src/bench/picked.ts') : null;
  const picker = picked ? await picked.benchPicker(g.gpu, g.adapter, g.device, () => performance.now()) : null;
  const result = await runBenchmark(
    {
      now: () => performance.now(),
      device: g.device,
      adapter,
      noGpuReason: g.device ? undefined : g.how,
      platform: nodePlatform(),
      // Each CPU series in a fresh worker thread (see src/bench/nodeIsolate.ts); --no-isolate keeps them here.
      cpuSeries: opts.isolate ? workerCpuSeries(new URL(import.meta.url)) : undefined,
    },
    opts.config,
    {
      signal: controller.signal,
      onProgress: (p) => {
        if (!opts.quiet && !p.row) process.stderr.write(`[${p.done}/${p.total}] ${p.message}\n`);
      },
    },
  );
  console.log('');
  console.log(formatReport(result));
  // The run's calibration and picks go into results.json too, so scripts/calibration-models.ts can refit the
  // very models that picked (a new calibration on a busy machine fits others).
  let picks: { calibration: unknown; points: unknown } | null = null;
  if (picked && picker) {
    const kernel2D = g.device && g.adapter ? autoKernel2D(g.adapter, g.device) : 'tiled';
    const points = picked.pickedPoints(result, picker, kernel2D);
    // Close calls judged again in alternating turns (src/bench/headToHead.ts): the CPU method in a fresh worker as
    // its series was (in this thread with --no-isolate), the GPU method here.
    if (opts.turns && !result.cancelled && !result.gpuLost) {
      const { judgeByTurns, prepareContender } = await import('../src/bench/headToHead.ts');
      const { METHODS } = await import('../src/bench/methods.ts');
      const { benchNetwork, makeGrid } = await import('../src/bench/runner.ts');
      const now = () => performance.now();
      const seed = opts.config.seed;
      const turnNotes = await judgeByTurns(points, async (job) => {
        const spec = METHODS.find((m) => m.id === job.method && m.dim === job.dim);
        if (!spec) return null;
        const net = benchNetwork(job.dim, job.n, seed);
        const grid = makeGrid(job.dim, job.grid);
        if (spec.backend === 'cpu') return opts.isolate ? workerContender(new URL(import.meta.url), { ...job, seed }) : prepareContender(spec, { now, device: null }, net, grid);
        if (!g.device) return null;
        const noTimestamps = opts.config.noTimestamps || !g.device.features.has('timestamp-query');
        return prepareContender(spec, { now, device: g.device, noTimestamps, kernel2D, gridPoints: job.grid * job.grid }, net, grid);
      }, (m) => !opts.quiet && process.stderr.write(`${m}\n`));
      for (const n of turnNotes) console.log(n);
    }
    picks = { calibration: picker.calibration, points };
    console.log('');
    console.log(picked.formatPicked(points, picker));
  }
  // --peers: TensorFlow.js on the same networks, grids and device, after the sandbox's own rows (see src/bench/peers.ts).
  let peers = null;
  if (opts.peers && !result.cancelled && !result.gpuLost) {
    const { runPeers, peerConfig, formatPeers } = await import('../src/bench/peers.ts');
    const { loadNodePeers } = await import('../src/bench/peersNode.ts');
    const { isCpuLikeInfo } = await import('../src/engine/gpu/context.ts');
    let kinds = opts.peers;
    if (opts.peersDefault && g.adapter && isCpuLikeInfo(g.adapter.info)) {
      kinds = kinds.filter((k) => k !== 'webgpu');
      console.log('TF.js WebGPU backend left out on this CPU-like adapter (name it: --peers=wasm,webgpu).');
    }
    const loaded = await loadNodePeers(kinds, g, opts.tfjsWasmDir);
    for (const n of loaded.notes) console.log(n);
    if (loaded.handles.length) {
      peers = await runPeers(
        { now: () => performance.now(), device: g.device, adapter, platform: nodePlatform() },
        result,
        loaded.handles,
        peerConfig(result, opts.peerTrainSizes ? { trainSizes: opts.peerTrainSizes, train: opts.peerTrainSizes.length > 0 } : {}),
        { signal: controller.signal, onProgress: (m) => !opts.quiet && process.stderr.write(`${m}\n`) },
      );
      peers.notes.unshift(...loaded.notes);
      for (const h of loaded.handles) h.dispose();
      console.log('');
      console.log(formatPeers(peers));
    }
  }
  if (opts.out) {
    const dir = resolve(opts.out);
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...result, ...(picks ? { picks } : {}), ...(peers ? { peers } : {}) }, null, 2) + '\n');
    writeFileSync(join(dir, 'results.csv'), toCSV(result));
    console.log(`\nWrote ${join(dir, 'results.json')} and ${join(dir, 'results.csv')}`);
    if (peers) {
      const { peersToCSV } = await import('../src/bench/peers.ts');
      writeFileSync(join(dir, 'peers.csv'), peersToCSV(peers));
      console.log(`Wrote ${join(dir, 'peers.csv')}`);
    }
  }
  g.device?.destroy();
  return result.cancelled ? 130 : 0;
}

// The same module runs each CPU series in a worker thread of its own (the bundled bench.mjs has no other file).
if (!isMainThread && isCpuSeriesWorker(workerData)) {
  await serveCpuSeries();
} else if (!isMainThread && isContenderWorker(workerData)) {
  await serveContender();
} else {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
