import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import { nodeDevice } from './dawn.ts';
import { GpuTrainer1D, TRAIN_PARAMS_LAYOUT, TRAIN_PARAMS_SIZE, type TrainShape, WIDE_WORKGROUPS, planTrain } from '../../src/engine/gpu/train1d.ts';
import { Trainer1D, packParams } from '../../src/model/train1d.ts';
import { randomNetwork, seededRandom } from '../../src/model/network.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
});
afterAll(() => device?.destroy());

/** Samples of a wiggly target on [−2, 2] at irregular x (fixed seed). */
function samples(m: number, seed: number): { xs: Float64Array; ys: Float64Array } {
  const rnd = seededRandom(seed);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    xs[i] = -2 + 4 * rnd();
    ys[i] = Math.sin(2 * xs[i]) + 0.3 * Math.abs(xs[i]);
  }
  return { xs, ys };
}

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-6);
}

describe('GpuTrainer1D against the float64 CPU twin', () => {
  it('declares the TrainParams uniform of src/engine/gpu/train1d.ts in every train1d shader', () => {
    for (const stage of ['forward', 'grad', 'loss']) {
      const src = readFileSync(new URL(`../../shaders/train1d.${stage}.compute.wgsl`, import.meta.url), 'utf8');
      const { members, size } = wgslStructLayout(src, 'TrainParams');
      expect(members, stage).toEqual(TRAIN_PARAMS_LAYOUT.map((m) => ({ ...m })));
      expect(size).toBe(TRAIN_PARAMS_SIZE);
    }
  });

  it('plans wide work for a big GPU: about 256 workgroups per pass, slices of whole tiles, every unit and sample covered', () => {
    expect(planTrain(4096, 4096, 1 << 27, 3, 'wide')).toEqual({ chunks: 16, chunkSize: 256, slices: 16, sliceUnits: 256 });
    expect(planTrain(4096, 4096, 1 << 27, 3, 'narrow')).toEqual({ chunks: 1, chunkSize: 4096, slices: 1, sliceUnits: 4096 });
    for (const [n, m] of [[0, 1], [1, 1], [63, 257], [1000, 4097], [65_536, 1 << 22], [65_536, 1], [1, 1 << 22], [5000, 100_000]]) {
      for (const perUnit of [3, 4]) {
        const p = planTrain(n, m, 1 << 27, perUnit, 'wide');
        expect(p.chunks * p.chunkSize).toBeGreaterThanOrEqual(m);
        expect((p.chunks - 1) * p.chunkSize).toBeLessThan(m);
        expect(p.sliceUnits % 256).toBe(0);
        expect(p.slices * p.sliceUnits).toBeGreaterThanOrEqual(n);
        expect((p.slices - 1) * p.sliceUnits).toBeLessThan(Math.max(1, n));
        expect(4 * (perUnit * n + 1) * p.chunks).toBeLessThanOrEqual(Math.max(32 << 20, 4 * (perUnit * n + 1)));
        expect(4 * m * p.slices).toBeLessThanOrEqual(Math.max(32 << 20, 4 * m));
        expect(Math.ceil((n + 1) / 256) * p.chunks).toBeLessThanOrEqual(Math.max(2 * WIDE_WORKGROUPS, Math.ceil((n + 1) / 256) * Math.ceil(m / 256)));
      }
    }
  });

  // Awkward sizes: unit counts around the 256-wide tiles and sample counts around the workgroup size; the default
  // shape (narrow on SwiftShader) everywhere, and the wide one (several forward slices and short gradient chunks)
  // where it differs.
  const cases: Array<[number, number, TrainShape?]> = [
    [0, 17],
    [1, 1],
    [1, 255],
    [63, 257],
    [65, 4097],
    [1000, 257],
    [63, 1],
    [1000, 4097],
    [0, 17, 'wide'],
    [65, 4097, 'wide'],
    [1000, 257, 'wide'],
    [1000, 4097, 'wide'],
  ];
  for (const [n, m, shape] of cases) {
    it(`N = ${n}, M = ${m}${shape ? `, ${shape}` : ''}: losses and parameters match after 5 steps, loss falls`, async () => {
      const net = randomNetwork(1, n, 1000 + n, [-2, 2]);
      const data = samples(m, 77 + m);
      // Adam moves every parameter by ~lr at first, coherently: the sum moves by ~N·lr, so lr scales as 1/N.
      const opts = { lr: Math.min(0.01, 0.1 / n) };
      device.pushErrorScope('validation');
      const gpuT = await GpuTrainer1D.create(device, net, data, opts, shape);
      const cpuT = new Trainer1D(net, data, opts);
      expect(relErr(gpuT.loss(), cpuT.loss())).toBeLessThan(1e-4);
      const gpuLosses: number[] = [];
      const cpuLosses: number[] = [];
      for (let s = 0; s < 5; s++) {
        gpuLosses.push(await gpuT.step(1));
        cpuLosses.push(cpuT.step(1));
      }
      const gpuNet = await gpuT.network();
      const cpuNet = cpuT.network();
      gpuT.destroy();
      gpuT.destroy();
      expect(await device.popErrorScope()).toBeNull();
      for (let s = 0; s < 5; s++) expect(relErr(gpuLosses[s], cpuLosses[s]), `loss at step ${s + 1}`).toBeLessThan(1e-4);
      const initial = new Trainer1D(net, data, opts).loss();
      expect(cpuLosses[4]).toBeLessThan(initial);
      expect(gpuLosses[4]).toBeLessThan(initial);
      // Parameters: Adam moves each by at most ~lr per step, so compare against that scale; a parameter
      // whose gradient is at float32 noise level may take a differently-signed step, so allow a few.
      const pg = packParams(gpuNet);
      const pc = packParams(cpuNet);
      let off = 0;
      let worst = 0;
      for (let i = 0; i < pc.length; i++) {
        const d = Math.abs(pg[i] - pc[i]) / (opts.lr * 5);
        worst = Math.max(worst, d);
        if (d > 0.01) off++;
      }
      const lossErr = Math.max(...gpuLosses.map((l, i) => relErr(l, cpuLosses[i])));
      console.log(`train1d N=${n} M=${m}: loss ${initial.toExponential(3)} → ${cpuLosses[4].toExponential(3)} (CPU) / ${gpuLosses[4].toExponential(3)} (GPU); worst loss rel. err ${lossErr.toExponential(2)}; worst |Δθ|/(5·lr) ${worst.toExponential(2)}`);
      expect(off, `parameters off by > 1% of the step budget (worst ${worst.toFixed(3)})`).toBeLessThanOrEqual(Math.max(1, pc.length / 100));
    });
  }

  it('k steps in one call equal the same steps split over calls, across several submissions (k = 100)', async () => {
    const net = randomNetwork(1, 20, 5, [-2, 2]);
    const data = samples(300, 9);
    const a = await GpuTrainer1D.create(device, net, data, { lr: 0.005 });
    const b = await GpuTrainer1D.create(device, net, data, { lr: 0.005 });
    const cpu = new Trainer1D(net, data, { lr: 0.005 });
    const la = await a.step(100);
    for (let s = 0; s < 3; s++) await b.step(1);
    const lb = await b.step(97);
    const lc = cpu.step(100);
    expect(a.steps).toBe(100);
    expect(la).toBe(lb);
    expect(relErr(la, lc)).toBeLessThan(2e-2);
    expect(la).toBeLessThan(0.5 * (await GpuTrainer1D.create(device, net, data, { lr: 0.005 }).then((t) => { const l = t.loss(); t.destroy(); return l; })));
    a.destroy();
    b.destroy();
    await expect(a.step(1)).rejects.toThrow(/destroyed/);
  });

  it('follows the CPU loss curve over 500 steps (sin on [−π, π], N = 32, 257 samples, lr = 0.01)', async () => {
    const data = { xs: [] as number[], ys: [] as number[] };
    for (let i = 0; i < 257; i++) {
      const x = -Math.PI + (2 * Math.PI * i) / 256;
      data.xs.push(x);
      data.ys.push(Math.sin(x));
    }
    const net = randomNetwork(1, 32, 3, [-Math.PI, Math.PI]);
    const g = await GpuTrainer1D.create(device, net, data, { lr: 0.01 });
    const c = new Trainer1D(net, data, { lr: 0.01 });
    const gc = [g.loss()];
    const cc = [c.loss()];
    for (let k = 0; k < 10; k++) {
      gc.push(await g.step(50));
      cc.push(c.step(50));
    }
    g.destroy();
    console.log(`train1d loss every 50 steps, GPU: ${gc.map((l) => l.toExponential(3)).join(' ')}`);
    console.log(`train1d loss every 50 steps, CPU: ${cc.map((l) => l.toExponential(3)).join(' ')}`);
    expect(gc[10]).toBeLessThan(0.01 * gc[0]);
    // float32 and float64 trajectories drift apart slowly; here the curves agree to 1%.
    for (let k = 0; k < gc.length; k++) expect(relErr(gc[k], cc[k]), `after ${50 * k} steps`).toBeLessThan(0.01);
  });

  it('a diverging call (absurd learning rate) throws and restores the parameters, like the CPU twin', async () => {
    const net = randomNetwork(1, 8, 4, [-2, 2]);
    const data = samples(64, 3);
    const g = await GpuTrainer1D.create(device, net, data, { lr: 0.01 });
    const c = new Trainer1D(net, data, { lr: 0.01 });
    await g.step(3);
    c.step(3);
    const before = await g.network();
    const loss = g.loss();
    g.setOptions({ lr: 1e200 });
    c.setOptions({ lr: 1e200 });
    await expect(g.step(5)).rejects.toThrow(/diverged.*restored/);
    expect(() => c.step(5)).toThrow(/diverged.*restored/);
    expect(await g.network()).toEqual(before);
    expect(g.loss()).toBe(loss);
    expect(g.steps).toBe(3);
    expect(c.steps).toBe(3);
    g.setOptions({ lr: 0.01 });
    c.setOptions({ lr: 0.01 });
    expect(relErr(await g.step(2), c.step(2))).toBeLessThan(1e-4);
    g.destroy();
  });

  it('rejects bad input with clear messages and creates nothing', async () => {
    const net = randomNetwork(1, 3, 1);
    await expect(GpuTrainer1D.create(device, net, { xs: [], ys: [] }, { lr: 0.1 })).rejects.toThrow(/need 1 to/);
    await expect(GpuTrainer1D.create(device, net, { xs: [0, Number.NaN], ys: [1, 2] }, { lr: 0.1 })).rejects.toThrow(/point 1 is not finite/);
    await expect(GpuTrainer1D.create(device, net, { xs: [0], ys: [1] }, { lr: -1 })).rejects.toThrow(/lr must be/);
    const t = await GpuTrainer1D.create(device, net, { xs: [0], ys: [1] }, { lr: 0.1 });
    await expect(t.step(-1)).rejects.toThrow(/integer/);
    t.destroy();
  });
});
