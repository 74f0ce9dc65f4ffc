import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu, nodeStartup } from './dawn.ts';
import { GpuRoot, MAX_RECOVERIES_IN_A_ROW, type GpuFallback, type GpuRecovered } from '../../src/engine/gpu/root.ts';
import { GpuDeviceLostError, GpuValidationError, withErrorScopes } from '../../src/engine/gpu/errors.ts';
import { GpuTarget1D } from '../../src/engine/gpu/target1d.ts';
import { GpuTrainer1D } from '../../src/engine/gpu/train1d.ts';
import { compileExpression } from '../../src/model/expression.ts';
import { InvalidNetworkError, randomNetwork } from '../../src/model/network.ts';
import { TrainError, Trainer1D } from '../../src/model/train1d.ts';
import { DimensionMismatchError } from '../../src/engine/evaluator.ts';

// Kept referenced for the whole file: Dawn tears its instance down when the GPU object is collected.
let gpu: GPU;

beforeAll(() => {
  gpu = nodeGpu();
});

const roots: GpuRoot[] = [];
afterAll(() => roots.forEach((r) => r.destroy()));

async function newRoot(): Promise<{ root: GpuRoot; recovered: GpuRecovered[]; fallbacks: GpuFallback[] }> {
  const startup = await nodeStartup(gpu);
  const root = GpuRoot.fromStartup(startup);
  roots.push(root);
  const recovered: GpuRecovered[] = [];
  const fallbacks: GpuFallback[] = [];
  root.onRecovered((e) => recovered.push(e));
  root.onFallback((e) => fallbacks.push(e));
  return { root, recovered, fallbacks };
}

/** A module that records its device and whether it was destroyed. */
class Probe {
  destroyed = 0;
  constructor(readonly device: GPUDevice) {}
  destroy(): void {
    this.destroyed++;
  }
}

/** Resolves once `check` holds, polling the event loop (device.lost settles asynchronously). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/** Work that makes a real WebGPU validation error (a MAP_READ buffer cannot also be STORAGE). */
function invalidWork(device: GPUDevice): Promise<never> {
  return withErrorScopes(device, () => {
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
  }) as Promise<never>;
}

describe('GpuRoot modules', () => {
  it('builds a module once per device, shares concurrent builds, and drops on request', async () => {
    const { root } = await newRoot();
    let builds = 0;
    const build = async (device: GPUDevice) => {
      builds++;
      await new Promise((r) => setTimeout(r, 5));
      return new Probe(device);
    };
    const [a, b] = await Promise.all([root.module('probe', build), root.module('probe', build)]);
    expect(a).toBe(b);
    expect(builds).toBe(1);
    expect(a.device).toBe(root.device);
    expect(await root.module('probe', build)).toBe(a);
    root.drop('probe');
    expect(a.destroyed).toBe(1);
    const c = await root.module('probe', build);
    expect(c).not.toBe(a);
    expect(builds).toBe(2);
  });

  it('a failed build is not cached and causes no recovery', async () => {
    const { root, recovered } = await newRoot();
    const generation = root.generation;
    await expect(root.module('bad', () => Promise.reject(new InvalidNetworkError('a', 'no')))).rejects.toBeInstanceOf(InvalidNetworkError);
    const ok = await root.module('bad', (d) => new Probe(d));
    expect(ok).toBeInstanceOf(Probe);
    expect(root.generation).toBe(generation);
    expect(recovered).toEqual([]);
  });
});

describe('GpuRoot recovery', () => {
  it('notices a device loss it did not cause at once: destroys every module, new device, listeners told, lazy rebuild', async () => {
    const { root, recovered, fallbacks } = await newRoot();
    const first = root.device!;
    const probe = await root.module('probe', (d) => new Probe(d));
    const target = await root.module('target', (d) => GpuTarget1D.create(d, compileExpression('sin(x)')));
    const net = randomNetwork(1, 8, 3);
    const samples = { xs: [-1, -0.5, 0, 0.5, 1], ys: [0, 1, 0, 1, 0] };
    const trainer = await root.module('trainer', (d) => GpuTrainer1D.create(d, net, samples, { lr: 0.01 }));
    first.destroy(); // not through the root: a loss like a driver reset
    await until(() => recovered.length === 1);
    expect(fallbacks).toEqual([]);
    expect(recovered[0].cause).toMatch(/destroyed|lost/i);
    expect(root.device).not.toBe(first);
    expect(recovered[0].device).toBe(root.device);
    expect(probe.destroyed).toBe(1);
    // The old modules are gone (their calls reject), and `module` builds new ones on the new device.
    await expect(target.evaluateGrid({ xMin: 0, xMax: 1, nx: 4 })).rejects.toBeInstanceOf(GpuDeviceLostError);
    await expect(trainer.step(1)).rejects.toBeInstanceOf(GpuDeviceLostError);
    const probe2 = await root.module('probe', (d) => new Probe(d));
    expect(probe2.device).toBe(root.device);
    const target2 = await root.module('target', (d) => GpuTarget1D.create(d, compileExpression('sin(x)')));
    const ys = await target2.evaluatePoints([0.5]);
    expect(Math.abs(ys[0] - Math.sin(0.5))).toBeLessThan(1e-6);
    const trainer2 = await root.module('trainer', (d) => GpuTrainer1D.create(d, net, samples, { lr: 0.01 }));
    const cpuLoss = new Trainer1D(net, samples, { lr: 0.01 }).loss();
    expect(Math.abs(trainer2.loss() - cpuLoss) / cpuLoss).toBeLessThan(1e-4);
    // Modules are safe to destroy twice (the root destroyed them once already).
    target.destroy();
    trainer.destroy();
  });

  it('input errors pass through run untouched; a GPU fault gets a new device and one retry', async () => {
    const { root, recovered } = await newRoot();
    const generation = root.generation;
    const first = root.device;
    for (const e of [new DimensionMismatchError('evaluateGrid1D', 1, 2), new TrainError('bad lr'), new InvalidNetworkError('a', 'bad')]) {
      await expect(root.run(() => Promise.reject(e))).rejects.toBe(e);
    }
    await expect(root.module('trainer', (d) => GpuTrainer1D.create(d, randomNetwork(2, 3), { xs: [0], ys: [0] }, { lr: 0.1 }))).rejects.toBeInstanceOf(
      TrainError,
    );
    expect(root.generation).toBe(generation);
    expect(root.device).toBe(first);
    expect(recovered).toEqual([]);

    const devices: GPUDevice[] = [];
    const result = await root.run(async (device) => {
      devices.push(device);
      if (devices.length === 1) await invalidWork(device);
      return 'done';
    });
    expect(result).toBe('done');
    expect(devices.length).toBe(2);
    expect(devices[1]).not.toBe(devices[0]);
    expect(recovered.length).toBe(1);
    expect(recovered[0].cause).toMatch(/validation/i);
    expect(root.failed).toBe(false);
  });

  it('a fault on the fresh device too falls back for good: listeners told once, no device, calls reject', async () => {
    const { root, recovered, fallbacks } = await newRoot();
    const probe = await root.module('probe', (d) => new Probe(d));
    await expect(root.run((device) => invalidWork(device))).rejects.toBeInstanceOf(GpuValidationError);
    expect(recovered.length).toBe(1);
    expect(fallbacks.length).toBe(1);
    expect(fallbacks[0].cause).toMatch(/validation/i);
    expect(probe.destroyed).toBe(1);
    expect(root.failed).toBe(true);
    expect(root.device).toBeNull();
    await expect(root.module('probe', (d) => new Probe(d))).rejects.toBeInstanceOf(GpuDeviceLostError);
    await expect(root.run(async () => 1)).rejects.toBeInstanceOf(GpuDeviceLostError);
    expect(await root.reportFault(new Error('again'))).toBe(false);
    expect(fallbacks.length).toBe(1);
  });

  it('reportFault recovers once for concurrent reports of one device; losses in a row end in a fallback', async () => {
    const { root, recovered, fallbacks } = await newRoot();
    const generation = root.generation;
    const fault = new GpuValidationError('test');
    const [a, b] = await Promise.all([root.reportFault(fault, generation), root.reportFault(fault, generation)]);
    expect([a, b]).toEqual([true, true]);
    expect(recovered.length).toBe(1);
    // A late report from the retired device does not replace the new one.
    const device = root.device;
    expect(await root.reportFault(fault, generation)).toBe(true);
    expect(root.device).toBe(device);
    // Faults with no successful run between them: the root gives up after MAX_RECOVERIES_IN_A_ROW.
    for (let i = 1; i < MAX_RECOVERIES_IN_A_ROW; i++) expect(await root.reportFault(fault)).toBe(true);
    expect(await root.reportFault(fault)).toBe(false);
    expect(recovered.length).toBe(MAX_RECOVERIES_IN_A_ROW);
    expect(fallbacks.length).toBe(1);
  });

  it('destroy() tears down every module and the device, is safe twice, and is not taken for a loss', async () => {
    const { root, recovered, fallbacks } = await newRoot();
    const device = root.device!;
    const probe = await root.module('probe', (d) => new Probe(d));
    const target = await root.module('target', (d) => GpuTarget1D.create(d, compileExpression('x^2')));
    root.destroy();
    root.destroy();
    expect(probe.destroyed).toBe(1);
    expect(root.device).toBeNull();
    expect(root.failed).toBe(true);
    const info = await device.lost;
    expect(info.reason).toBe('destroyed');
    await new Promise((r) => setTimeout(r, 20));
    expect(recovered).toEqual([]);
    expect(fallbacks).toEqual([]);
    await expect(target.evaluatePoints([1])).rejects.toBeInstanceOf(GpuDeviceLostError);
    await expect(root.module('probe', (d) => new Probe(d))).rejects.toThrow(/destroyed/);
  });
});
