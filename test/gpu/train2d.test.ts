import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import { nodeDevice } from './dawn.ts';
import { TRAIN_PARAMS_LAYOUT, TRAIN_PARAMS_SIZE } from '../../src/engine/gpu/train1d.ts';
import { GpuTrainer2D } from '../../src/engine/gpu/train2d.ts';
import type { TrainShape } from '../../src/engine/gpu/train1d.ts';
import { Trainer2D, packParams2D } from '../../src/model/train2d.ts';
import { randomNetwork, seededRandom } from '../../src/model/network.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
});
afterAll(() => device?.destroy());

/** Samples of a bumpy target on [−2, 2]² at scattered points (fixed seed). */
function samples(m: number, seed: number): { xs: Float64Array; ys: Float64Array; zs: Float64Array } {
  const rnd = seededRandom(seed);
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const zs = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    xs[i] = -2 + 4 * rnd();
    ys[i] = -2 + 4 * rnd();
    zs[i] = Math.exp(-(xs[i] ** 2 + ys[i] ** 2)) + 0.3 * Math.sin(2 * xs[i]) * ys[i];
  }
  return { xs, ys, zs };
}

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-6);
}

describe('GpuTrainer2D against the float64 CPU twin Trainer2D', () => {
  it('declares the TrainParams uniform in every train2d shader', () => {
    // The Adam and loss stages are train1d's (checked there).
    for (const stage of ['forward', 'grad']) {
      const src = readFileSync(new URL(`../../shaders/train2d.${stage}.compute.wgsl`, import.meta.url), 'utf8');
      const { members, size } = wgslStructLayout(src, 'TrainParams');
      expect(members, stage).toEqual(TRAIN_PARAMS_LAYOUT.map((m) => ({ ...m })));
      expect(size).toBe(TRAIN_PARAMS_SIZE);
    }
  });

  // Awkward sizes: unit counts around the 256-wide tiles, sample counts around the workgroup and the 1024-sample chunks.
  // The default shape (narrow on SwiftShader) everywhere, and the wide one where it differs.
  const cases: Array<[number, number, TrainShape?]> = [
    [0, 17],
    [1, 1],
    [1, 4097],
    [63, 257],
    [65, 4097],
    [63, 1],
    [300, 1500],
    [1, 1, 'wide'],
    [65, 4097, 'wide'],
    [300, 1500, 'wide'],
  ];
  for (const [n, m, shape] of cases) {
    it(`N = ${n}, M = ${m}${shape ? `, ${shape}` : ''}: losses and parameters match after 1 and 5 steps, loss falls`, async () => {
      const net = randomNetwork(2, n, 2000 + n, [-2, 2]);
      const data = samples(m, 55 + m);
      // Adam moves every parameter by ~lr at first, coherently: the sum moves by ~N·lr, so lr scales as 1/N (and a
      // single sample, fitted almost exactly from the start, needs smaller steps still not to overshoot).
      const opts = { lr: Math.min(0.01, 0.1 / n) / (m === 1 ? 100 : 1) };
      device.pushErrorScope('validation');
      const gpuT = await GpuTrainer2D.create(device, net, data, opts, shape);
      const cpuT = new Trainer2D(net, data, opts);
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
      const initial = new Trainer2D(net, data, opts).loss();
      expect(cpuLosses[4]).toBeLessThan(initial);
      expect(gpuLosses[4]).toBeLessThan(initial);
      // Parameters: Adam moves each by at most ~lr per step; a parameter whose gradient is at float32 noise level
      // may step the other way, so allow a few.
      const pg = packParams2D(gpuNet);
      const pc = packParams2D(cpuNet);
      expect(pg.length).toBe(4 * n + 1);
      let off = 0;
      let worst = 0;
      for (let i = 0; i < pc.length; i++) {
        const d = Math.abs(pg[i] - pc[i]) / (opts.lr * 5);
        worst = Math.max(worst, d);
        if (d > 0.01) off++;
      }
      const lossErr = Math.max(...gpuLosses.map((l, i) => relErr(l, cpuLosses[i])));
      console.log(`train2d N=${n} M=${m}: loss ${initial.toExponential(3)} → ${cpuLosses[4].toExponential(3)} (CPU) / ${gpuLosses[4].toExponential(3)} (GPU); worst loss rel. err ${lossErr.toExponential(2)}; worst |Δθ|/(5·lr) ${worst.toExponential(2)}`);
      expect(off, `parameters off by > 1% of the step budget (worst ${worst.toFixed(3)})`).toBeLessThanOrEqual(Math.max(1, pc.length / 100));
    });
  }

  it('follows the CPU loss curve over 300 steps in several calls (N = 24, 400 samples), k steps in one call = split calls', async () => {
    const net = randomNetwork(2, 24, 3, [-2, 2]);
    const data = samples(400, 1);
    const g = await GpuTrainer2D.create(device, net, data, { lr: 0.01 });
    const h = await GpuTrainer2D.create(device, net, data, { lr: 0.01 });
    const c = new Trainer2D(net, data, { lr: 0.01 });
    const gc = [g.loss()];
    const cc = [c.loss()];
    for (let k = 0; k < 6; k++) {
      gc.push(await g.step(50));
      cc.push(c.step(50));
    }
    for (let k = 0; k < 3; k++) await h.step(1);
    const lh = await h.step(297);
    expect(lh).toBe(gc[6]);
    expect(g.steps).toBe(300);
    g.destroy();
    h.destroy();
    console.log(`train2d loss every 50 steps, GPU: ${gc.map((l) => l.toExponential(3)).join(' ')}`);
    console.log(`train2d loss every 50 steps, CPU: ${cc.map((l) => l.toExponential(3)).join(' ')}`);
    expect(gc[6]).toBeLessThan(0.1 * gc[0]);
    for (let k = 0; k < gc.length; k++) expect(relErr(gc[k], cc[k]), `after ${50 * k} steps`).toBeLessThan(0.01);
  });

  it('state() moves Adam between trainers: GPU → fresh GPU, GPU → CPU, CPU → GPU', async () => {
    const net = randomNetwork(2, 10, 8, [-2, 2]);
    const data = samples(300, 2);
    const opts = { lr: 0.01 };
    const a = await GpuTrainer2D.create(device, net, data, opts);
    await a.step(20);
    const st = await a.state();
    expect(st.t).toBe(20);
    expect(st.m.length).toBe(41);
    const mid = await a.network();
    // A fresh GPU trainer (as after a device loss) restored from the state continues like the original.
    const b = await GpuTrainer2D.create(device, mid, data, opts);
    await b.restoreState(st);
    expect(b.steps).toBe(20);
    const la = await a.step(10);
    const lb = await b.step(10);
    expect(relErr(lb, la)).toBeLessThan(1e-5);
    // Without the state, the fresh optimizer jumps: its first step moves every parameter by lr.
    const fresh = await GpuTrainer2D.create(device, mid, data, opts);
    const lf = await fresh.step(10);
    expect(relErr(lf, la)).toBeGreaterThan(1e-3);
    // The CPU twin takes the GPU's state, and the GPU the CPU's.
    const c = new Trainer2D(mid, data, opts);
    c.restoreState(st);
    expect(relErr(c.step(10), la)).toBeLessThan(1e-3);
    const d = await GpuTrainer2D.create(device, c.network(), data, opts);
    await d.restoreState(c.state());
    expect(relErr(await d.step(5), c.step(5))).toBeLessThan(1e-3);
    await expect(d.restoreState({ m: new Float64Array(3), v: new Float64Array(3), t: 0 })).rejects.toThrow(/41 entries/);
    for (const t of [a, b, fresh, d]) t.destroy();
  });

  it('a diverging call (absurd learning rate) throws and restores the parameters, like the CPU twin', async () => {
    const net = randomNetwork(2, 8, 4, [-2, 2]);
    const data = samples(64, 3);
    const g = await GpuTrainer2D.create(device, net, data, { lr: 0.01 });
    const c = new Trainer2D(net, data, { lr: 0.01 });
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
    g.setOptions({ lr: 0.01 });
    c.setOptions({ lr: 0.01 });
    expect(relErr(await g.step(2), c.step(2))).toBeLessThan(1e-4);
    g.destroy();
  });

  it('rejects bad input with clear messages and creates nothing', async () => {
    const net = randomNetwork(2, 3, 1);
    await expect(GpuTrainer2D.create(device, net, { xs: [], ys: [], zs: [] }, { lr: 0.1 })).rejects.toThrow(/need 1 to/);
    await expect(GpuTrainer2D.create(device, net, { xs: [0, 1], ys: [0, 1], zs: [1, Number.NaN] }, { lr: 0.1 })).rejects.toThrow(/point 1 is not finite/);
    await expect(GpuTrainer2D.create(device, net, { xs: [0], ys: [0], zs: [1] }, { lr: -1 })).rejects.toThrow(/lr must be/);
    await expect(GpuTrainer2D.create(device, randomNetwork(1, 3, 1), { xs: [0], ys: [0], zs: [1] }, { lr: 0.1 })).rejects.toThrow(/2D networks only/);
    const t = await GpuTrainer2D.create(device, net, { xs: [0], ys: [0], zs: [1] }, { lr: 0.1 });
    await expect(t.step(-1)).rejects.toThrow(/integer/);
    t.destroy();
    await expect(t.step(1)).rejects.toThrow(/destroyed/);
  });
});
