import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import { nodeDevice } from './dawn.ts';
import { GRAM_PARAMS_LAYOUT, GRAM_PARAMS_SIZE, GpuGram2D, MAX_GRAM_CHUNK, planGramChunks } from '../../src/engine/gpu/gram2d.ts';
import { gram2D, leastSquares2D, randomHiddenUnits2D, ridgeSamples2D } from '../../src/model/fit2d.ts';
import { seededRandom, type Network } from '../../src/model/network.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;
let kernel: GpuGram2D;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  kernel = await GpuGram2D.create(device);
});
afterAll(() => {
  kernel?.destroy();
  device?.destroy();
});

const DOM = { xMin: -2, xMax: 2, yMin: -1.5, yMax: 2.5 };

function scattered(m: number, seed: number): { xs: Float64Array; ys: Float64Array; zs: Float64Array } {
  const rnd = seededRandom(seed);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const zs = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    xs[k] = DOM.xMin + (DOM.xMax - DOM.xMin) * rnd();
    ys[k] = DOM.yMin + (DOM.yMax - DOM.yMin) * rnd();
    zs[k] = Math.sin(2 * xs[k]) * Math.cos(ys[k]) + 0.5 + 0.2 * rnd();
  }
  return { xs, ys, zs };
}

/**
 * The bound tested: |G_gpu − G_cpu|_ij ≤ 1e-5·√(G_ii·G_jj) (Cauchy–Schwarz: √(G_ii·G_jj) ≥ Σ|h_i·h_j|, the size of
 * the sum's terms), and the same for Hᵀz with √(G_ii·zᵀz). Returns the worst ratio.
 */
function worstError(got: { gram: Float64Array; rhs: Float64Array }, want: { gram: Float64Array; rhs: Float64Array }, zs: ArrayLike<number>): number {
  const k = want.rhs.length;
  let zz = 0;
  for (let i = 0; i < zs.length; i++) zz += zs[i] * zs[i];
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const scale = Math.sqrt(want.gram[i * k + i] * want.gram[j * k + j]);
      const d = Math.abs(got.gram[i * k + j] - want.gram[i * k + j]);
      worst = Math.max(worst, scale > 0 ? d / scale : d);
    }
    const scale = Math.sqrt(want.gram[i * k + i] * zz);
    const d = Math.abs(got.rhs[i] - want.rhs[i]);
    worst = Math.max(worst, scale > 0 ? d / scale : d);
  }
  return worst;
}

describe('GpuGram2D against the float64 CPU twin gram2D', () => {
  it('declares the GramParams uniform of src/engine/gpu/gram2d.ts', () => {
    const src = readFileSync(new URL('../../shaders/gram2d.compute.wgsl', import.meta.url), 'utf8');
    const { members, size } = wgslStructLayout(src, 'GramParams');
    expect(members).toEqual(GRAM_PARAMS_LAYOUT.map((m) => ({ ...m })));
    expect(size).toBe(GRAM_PARAMS_SIZE);
  });

  it('plans chunks that cover every sample in multiples of 16 within the pass budget', () => {
    for (const [n, m] of [[0, 1], [1, 4097], [2048, 4096], [63, 1 << 22], [65_536 >> 4, 10]]) {
      const p = planGramChunks(n, m);
      expect(p.chunks * p.chunkSize).toBeGreaterThanOrEqual(m);
      expect((p.chunks - 1) * p.chunkSize).toBeLessThan(m);
      expect(p.chunkSize % 16).toBe(0);
      expect(p.chunkSize).toBeLessThanOrEqual(MAX_GRAM_CHUNK);
    }
    expect(planGramChunks(2048, 4096).chunks).toBeGreaterThan(1);
  });

  const cases: Array<[number, number]> = [
    [0, 17],
    [1, 1],
    [1, 4097],
    [14, 255],
    [63, 1],
    [63, 4097],
    [65, 4097],
    [300, 3000],
  ];
  for (const [n, m] of cases) {
    it(`N = ${n}, M = ${m}: within 1e-5·√(G_ii·G_jj) of the CPU`, async () => {
      const { w, b } = randomHiddenUnits2D(n, DOM, 40 + n);
      const s = scattered(m, 9 + m);
      device.pushErrorScope('validation');
      const got = await kernel.compute(w, b, s.xs, s.ys, s.zs);
      expect(await device.popErrorScope()).toBeNull();
      const want = gram2D(w, b, s.xs, s.ys, s.zs);
      expect(got.gram.length).toBe((n + 1) ** 2);
      expect(got.rhs.length).toBe(n + 1);
      const worst = worstError(got, want, s.zs);
      console.log(`gram2d N=${n} M=${m} (${planGramChunks(n, m).chunks} chunks): worst |ΔG|/√(G_ii·G_jj) ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
      // Symmetric, and the bias entry counts the samples exactly.
      for (let i = 0; i <= n; i++) for (let j = 0; j < i; j++) expect(got.gram[i * (n + 1) + j]).toBe(got.gram[j * (n + 1) + i]);
      expect(got.gram[(n + 1) ** 2 - 1]).toBe(m);
    });
  }

  it('several chunks (N = 63 on 140,000 samples: 3 chunks of 65,536) still sum accurately', async () => {
    const n = 63;
    const m = 140_000;
    expect(planGramChunks(n, m).chunks).toBe(3);
    const { w, b } = randomHiddenUnits2D(n, DOM, 3);
    const s = scattered(m, 4);
    const got = await kernel.compute(w, b, s.xs, s.ys, s.zs);
    const want = gram2D(w, b, s.xs, s.ys, s.zs);
    const worst = worstError(got, want, s.zs);
    console.log(`gram2d N=${n} M=${m} (3 chunks): worst |ΔG|/√(G_ii·G_jj) ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  it('the ridge fit from the GPU Gram is as good as the CPU one (Gaussian bump, N = 256 and 500: λ raised to the floor)', async () => {
    const f = (x: number, y: number) => Math.exp(-(x * x + (y - 0.5) ** 2));
    // N = 700 (measured too, see fit2d.ts) costs a minute on SwiftShader; 500 keeps CI shorter and still needs the floor.
    for (const n of [256, 500]) {
    const s = ridgeSamples2D(f, DOM, n);
    const opts = { units: n, seed: 5, domain: DOM, ridge: 1e-10 };
    const { w, b } = randomHiddenUnits2D(n, DOM, 5);
    const g = await kernel.compute(w, b, s.xs, s.ys, s.zs);
    expect(g.ridgeFloor).toBe(Math.max(1e-8, 2e-9 * n));
    const fromGpu = leastSquares2D(s, opts, g);
    const fromCpu = leastSquares2D(s, opts);
    const rms = (net: Network) => {
      let e = 0;
      for (let k = 0; k < s.xs.length; k++) {
        let v = net.c;
        for (let i = 0; i < n; i++) v += net.a[i] * Math.max(0, net.w[2 * i] * s.xs[k] + net.w[2 * i + 1] * s.ys[k] + net.b[i]);
        e += (v - s.zs[k]) ** 2;
      }
      return Math.sqrt(e / s.xs.length);
    };
    const eg = rms(fromGpu);
    const ec = rms(fromCpu);
    console.log(`gram2d ridge fit RMS error, N = ${n}: GPU Gram ${eg.toExponential(3)}, CPU Gram ${ec.toExponential(3)}`);
    expect(Math.abs(eg - ec) / ec).toBeLessThan(0.05);
    expect(fromGpu.w).toEqual(fromCpu.w);
    }
  });

  it('rejects bad input and rejects after destroy', async () => {
    await expect(kernel.compute([1], [0], [0], [0], [0])).rejects.toThrow(/2 weights per unit/);
    await expect(kernel.compute([1, 1], [0], [], [], [])).rejects.toThrow(/need 1 to/);
    await expect(kernel.compute([1, 1], [0], [0, 1], [0, 1], [0, Number.NaN])).rejects.toThrow(/sample 1/);
    await expect(kernel.compute([1, 1e39], [0], [0], [0], [0])).rejects.toThrow(/unit 0/);
    const k2 = await GpuGram2D.create(device);
    k2.destroy();
    k2.destroy();
    await expect(k2.compute([1, 1], [0], [0], [0], [0])).rejects.toThrow(/destroyed/);
  });
});
