/**
 * The peers of `npm run bench -- --peers` (src/bench/peers.ts): the CLI flags, and TF.js's graphs computing the
 * same functions as the float64 twins (CPU and WASM backends, tiny networks at awkward sizes). No timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/bench/cli.ts';
import { type PeerHandle, type PeersResult, chunkPoints, formatPeers, peerConfig, peersToCSV, tfEvalGraph, tfTrainer, timeRuns, trainSamples } from '../../src/bench/peers.ts';
import { loadTfCpu } from '../../src/bench/peersTf.ts';
import { loadTfWasm, tfjsWasmDir } from '../../src/bench/peersNode.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { relativeL2 } from '../../src/model/grid.ts';
import { evaluate1DBrute, evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { Trainer1D, packParams } from '../../src/model/train1d.ts';
import { Trainer2D, packParams2D } from '../../src/model/train2d.ts';
import { defaultConfig } from '../../src/bench/runner.ts';

describe('--peers flags', () => {
  it('defaults to wasm and webgpu, wasm alone with --cpu, and takes an inline list', () => {
    expect(parseArgs([]).peers).toBeNull();
    expect(parseArgs(['--peers']).peers).toEqual(['wasm', 'webgpu']);
    expect(parseArgs(['--cpu', '--peers']).peers).toEqual(['wasm']);
    expect(parseArgs(['--peers']).peersDefault).toBe(true);
    expect(parseArgs(['--peers=cpu,wasm,cpu']).peers).toEqual(['cpu', 'wasm']);
    expect(parseArgs(['--peers=wasm,webgpu']).peersDefault).toBe(false);
    // A bare --peers never swallows the next flag.
    const o = parseArgs(['--peers', '--sizes', '4096']);
    expect(o.peers).toEqual(['wasm', 'webgpu']);
    expect(o.config.sizes).toEqual([4096]);
  });

  it('takes --tfjs-wasm-dir and --peer-train-sizes with --peers only', () => {
    const o = parseArgs(['--peers=wasm', '--tfjs-wasm-dir', '/opt/tfjs', '--peer-train-sizes', '64,4096']);
    expect(o.tfjsWasmDir).toBe('/opt/tfjs');
    expect(o.peerTrainSizes).toEqual([64, 4096]);
    expect(parseArgs(['--peers', '--peer-train-sizes=none']).peerTrainSizes).toEqual([]);
    expect(() => parseArgs(['--tfjs-wasm-dir', '/x'])).toThrow(/need --peers/);
    expect(() => parseArgs(['--peer-train-sizes', '64'])).toThrow(CliError);
  });

  it('rejects unknown backends and webgpu without a GPU, naming the flag', () => {
    expect(() => parseArgs(['--peers=tpu'])).toThrow(/--peers: unknown backend 'tpu'/);
    expect(() => parseArgs(['--cpu', '--peers=webgpu'])).toThrow(/needs a GPU/);
    expect(() => parseArgs(['--peers', '--peer-train-sizes', '0'])).toThrow(CliError);
  });

  it('derives the peer config from the run: its sizes plus N = 4096 for training', () => {
    const c = peerConfig({ config: { ...defaultConfig(), sizes: [16, 65536], accuracy: null } });
    expect(c.trainSizes).toEqual([16, 4096, 65536]);
    expect(c.trainSamples).toBe(4096);
    expect(chunkPoints(65536, 1 << 20)).toBe(256);
    expect(chunkPoints(1, 100)).toBe(100);
  });
});

describe('timeRuns', () => {
  it('batches runs shorter than the minimum and reports the median per run', async () => {
    let t = 0;
    const calls: number[] = [];
    const r = await timeRuns(() => t, async (reps) => void (calls.push(reps), (t += 0.1 * reps)), 1, 3);
    expect(r.batch).toBeGreaterThan(1);
    expect(r.ms).toBeCloseTo(0.1, 9);
    // Ten single warm-up runs (they add up to under 20 ms), then three timed batches.
    expect(calls).toEqual([...new Array(10).fill(1), r.batch, r.batch, r.batch]);
  });
});

describe.each<[string, () => Promise<PeerHandle>]>([
  ['cpu', () => loadTfCpu()],
  ['wasm', () => loadTfWasm(tfjsWasmDir())],
])('TF.js %s backend computes what the float64 twins compute', (_name, load) => {
  let h: PeerHandle;
  beforeAll(async () => {
    h = await load();
  });
  afterAll(() => h?.dispose());

  it.each([1, 7, 63])('evaluates a 1D and a 2D network of %i units at awkward point counts', async (n) => {
    await h.activate();
    const tf = h.tf;
    for (const dim of [1, 2] as const) {
      const net = randomNetwork(dim, n, 11 + n + dim);
      for (const p of [1, 65, 257]) {
        const pts = Float64Array.from({ length: dim * p }, (_, i) => Math.sin(1.7 * i + n) * 1.1);
        const g = tfEvalGraph(tf, net);
        const x = tf.tensor2d(Float32Array.from(pts), [p, dim]);
        const y = g.run(x);
        const got = await y.data();
        tf.dispose([x, y]);
        g.dispose();
        const want = dim === 1 ? evaluate1DBrute(net, pts) : evaluate2DBrute(net, pts);
        expect(got.length).toBe(p);
        expect(relativeL2(Float64Array.from(got), want)).toBeLessThan(1e-6);
      }
    }
  });

  it.each([1, 9])('takes the same Adam steps as the float64 trainer (N = %i)', async (n) => {
    await h.activate();
    for (const dim of [1, 2] as const) {
      const net = randomNetwork(dim, n, 5 + n);
      const s = trainSamples(dim, 97, 3);
      const lr = 0.01;
      const t = tfTrainer(h.tf, net, s, { lr });
      const loss = await t.step(3);
      const got = await t.params();
      t.dispose();
      const twin = dim === 1 ? new Trainer1D(net, s, { lr }) : new Trainer2D(net, { xs: s.xs, ys: s.ys, zs: s.zs! }, { lr });
      twin.step(2);
      // step(k) resolves to the loss before the last step, which is the twin's loss after k − 1 steps.
      expect(loss).toBeCloseTo(twin.loss(), 5);
      twin.step(1);
      const want = dim === 1 ? packParams(twin.network()) : packParams2D(twin.network());
      expect(got.length).toBe(want.length);
      expect(relativeL2(got, want)).toBeLessThan(1e-5);
    }
  });
});

describe('peer output', () => {
  const p: PeersResult = {
    peers: [{ id: 'tfjs-wasm', label: 'TensorFlow.js, WASM' }],
    timing: 'how',
    eval: [
      {
        dim: 2, n: 64, grid: '64x64', points: 4096, peer: 'tfjs-wasm', sandboxMethod: 'cpu-sweep', sandboxTableMs: 0.1, sandboxMs: 0.1, sandboxReadMs: 0.2,
        peerMs: 10, peerReadMs: 11, ratio: 100, ratioRead: 55, peerPoints: 4096, peerError: 1e-7, note: 'a, b',
      },
    ],
    train: [
      {
        dim: 1, n: 4096, samples: 4096, peer: 'tfjs-wasm', sandboxGpuMs: 2, sandboxCpuMs: 50, peerMs: 40, ratio: 20, batch: { gpu: 4, cpu: 1, peer: 1 },
        peerError: 1e-6, sandboxGpuError: 2e-6, note: '',
      },
    ],
    skipped: [{ what: 'x', reason: 'y' }],
    notes: [],
    durationMs: 1,
    cancelled: false,
  };
  it('prints both tables with ratios and writes one CSV line per row', () => {
    const text = formatPeers(p);
    expect(text).toMatch(/Evaluation/);
    expect(text).toMatch(/100×/);
    expect(text).toMatch(/20\.0×/);
    const csv = peersToCSV(p).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^eval,2,64,64x64,tfjs-wasm,cpu-sweep,/);
    expect(csv[1]).toMatch(/"a, b"$/);
    expect(csv[2]).toMatch(/^train,1,4096,4096,tfjs-wasm,/);
  });
});
