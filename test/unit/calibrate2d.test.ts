import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_VERSION,
  CANDIDATES_2D,
  type Calibration2D,
  type Candidate2D,
  LADDER,
  Picker2D,
  SWEEP_CACHE_KNEE,
  SWEEP_CACHE_PENALTY_CAP,
  type Sample2D,
  basisOf,
  calibrate2D,
  calibrationKey,
  describePick,
  fitCostModel,
  growthBound,
  parseCalibration,
  predictMs,
} from '../../src/engine/calibrate2d.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { SWEEP_2D_MIN_UNITS } from '../../src/engine/cpu/evaluator.ts';

const sizes = [
  { n: 16, nx: 64, ny: 64 },
  { n: 256, nx: 64, ny: 64 },
  { n: 64, nx: 256, ny: 256 },
  { n: 1024, nx: 128, ny: 128 },
  { n: 4096, nx: 256, ny: 256 },
];

describe('fitCostModel', () => {
  it('recovers a brute-force model (overhead + k·N·points) and extrapolates it to big sizes', () => {
    const truth = (n: number, nx: number, ny: number) => 0.3 + 2e-9 * n * nx * ny;
    const m = fitCostModel('brute', sizes.map((s) => ({ ...s, ms: truth(s.n, s.nx, s.ny) })))!;
    for (const [n, side] of [[65536, 1024], [1, 128], [4096, 512]]) {
      expect(predictMs(m, n, side, side)).toBeCloseTo(truth(n, side, side), 6);
    }
  });

  it('recovers the row sweep’s scaling (setup + rows·N, a dearer unit-row past the cache knee) from the ladder', () => {
    // This machine's figures: 13 ns a unit-row up to the knee, 24 ns past it, 100 ns a unit of setup.
    const truth = (n: number, nx: number, ny: number) =>
      0.05 + 4e-6 * nx * ny + (n < SWEEP_2D_MIN_UNITS ? 3e-6 * nx * ny : 1e-4 * n + 1.3e-5 * ny * n + 1.1e-5 * ny * Math.max(0, n - SWEEP_CACHE_KNEE));
    const m = fitCostModel('sweep', LADDER.map(({ n, side }) => ({ n, nx: side, ny: side, ms: truth(n, side, side) })))!;
    expect(m.coef.every((c) => c >= 0)).toBe(true);
    for (const [n, side] of [[65536, 512], [16, 128], [16384, 1024], [8192, 128], [32768, 128]]) {
      expect(predictMs(m, n, side, side) / truth(n, side, side)).toBeCloseTo(1, 3);
    }
  });

  it('recovers the tile kernel’s cost per unit that does not grow with the grid (SwiftShader: 128² cost half of 512² at 65,536 units, not a quarter)', () => {
    // The shape of a SwiftShader run (bench/NOTES.md): 0.6 ms a call, 30 ns a point, 2.3 µs a unit, 6 ns a unit-row.
    // Without the unit term the fit put 65,536 units on 128² at 0.6× the measured time and picked it over the CPU.
    const truth = (n: number, side: number) => 0.6 + 3e-5 * side * side + 2.3e-3 * n + 6e-6 * side * n;
    const ladder = LADDER.filter((s) => s.backend !== 'cpu' && truth(s.n, s.side) <= 60);
    const m = fitCostModel('tiles', ladder.map(({ n, side }) => ({ n, nx: side, ny: side, ms: truth(n, side) })))!;
    for (const [n, side] of [[65536, 128], [65536, 512], [4096, 128], [16384, 1024], [16, 512]]) {
      expect(predictMs(m, n, side, side) / truth(n, side)).toBeCloseTo(1, 3);
    }
  });

  it('caps the row sweep’s cache term, so timings past the knee spoilt by load cannot make large N look several times dearer', () => {
    // The CPU's timings of one calibration on this machine at load 8–10 (n, side, ms; bench/NOTES.md): the two
    // sizes past the knee read about 3× their quiet times. Uncapped, the fit put 65,536 units on 128² at 753 ms.
    const loaded = [[1, 64, 0.422], [16, 64, 0.452], [4, 256, 0.77], [1, 256, 0.644], [64, 128, 0.232], [16, 512, 1.605], [256, 256, 1.196], [1024, 256, 3.38], [4096, 256, 29.147], [1024, 512, 30.149], [4096, 512, 64.839], [16384, 32, 31.984], [65536, 16, 90.336]];
    const m = fitCostModel('sweep', loaded.map(([n, side, ms]) => ({ n, nx: side, ny: side, ms })))!;
    expect(m.coef[4]).toBeLessThanOrEqual(SWEEP_CACHE_PENALTY_CAP * m.coef[3] * (1 + 1e-12));
    // The quiet machine's medians (default sweep): 194 ms on 128², 761 ms on 512².
    expect(predictMs(m, 65536, 128, 128) / 194).toBeLessThan(1.5);
    expect(predictMs(m, 65536, 512, 512) / 761).toBeLessThan(1.5);
  });

  it('predicts a few units on a big grid and many units alike from the ladder, for a brute-force kernel with a cost per point', () => {
    // A CPU-like adapter: a run costs about as much per point at N = 1 as at N = 64 (the shape the old
    // overhead + N·points model missed by several times at N = 1–16 on 512²).
    const truth = (n: number, side: number) => 0.3 + 2e-7 * side * side + 2e-9 * n * side * side;
    const m = fitCostModel('brute', LADDER.map(({ n, side }) => ({ n, nx: side, ny: side, ms: truth(n, side) })))!;
    for (const [n, side] of [[1, 512], [16, 512], [65536, 1024], [4, 128]]) {
      expect(predictMs(m, n, side, side) / truth(n, side)).toBeCloseTo(1, 3);
    }
  });

  it('fits the CPU’s brute force under SWEEP_2D_MIN_UNITS units and its row sweep above from the same ladder', () => {
    const truth = (n: number, side: number) => 0.02 + 3e-6 * side * side + (n < SWEEP_2D_MIN_UNITS ? 4e-9 * n * side * side : 9e-7 * side * n);
    const m = fitCostModel('sweep', LADDER.map(({ n, side }) => ({ n, nx: side, ny: side, ms: truth(n, side) })))!;
    for (const [n, side] of [[1, 512], [8, 512], [16, 512], [65536, 1024], [2, 128]]) {
      expect(predictMs(m, n, side, side) / truth(n, side)).toBeCloseTo(1, 3);
    }
  });

  it('keeps every coefficient non-negative on noisy timings, and takes the work term alone from one sample', () => {
    const noisy = sizes.map((s, i) => ({ ...s, ms: (1 + (i % 2 ? 0.2 : -0.2)) * (0.1 + 1e-9 * s.n * s.nx * s.ny) }));
    const m = fitCostModel('brute', noisy)!;
    expect(m.coef.every((c) => c >= 0)).toBe(true);
    expect(predictMs(m, 65536, 1024, 1024)).toBeGreaterThan(0);
    const one = fitCostModel('brute', [{ n: 100, nx: 10, ny: 10, ms: 2 }])!;
    expect(predictMs(one, 200, 10, 10)).toBeCloseTo(4, 9);
    expect(fitCostModel('brute', [])).toBeNull();
  });

  it('keeps a work term when noise makes small sizes look flat (no model predicts 65,536 units as cheap as 16)', () => {
    // Overhead-bound timings that happen to shrink as N grows: the best unconstrained fit has no N term at all.
    const flat = [
      { n: 1, nx: 64, ny: 64, ms: 12 },
      { n: 16, nx: 64, ny: 64, ms: 11 },
      { n: 4, nx: 256, ny: 256, ms: 10 },
    ];
    for (const scaling of ['brute', 'tiles', 'sweep'] as const) {
      const m = fitCostModel(scaling, flat)!;
      expect(predictMs(m, 65536, 1024, 1024)).toBeGreaterThan(10 * predictMs(m, 16, 64, 64));
    }
    // The row sweep at every N ≥ SWEEP_2D_MIN_UNITS (1): its rows·N term.
    expect(fitCostModel('sweep', flat)!.coef[3]).toBeGreaterThan(0);
    // With a size under it (a network of no units, brute force), the N·points term of that side too.
    const cpu = fitCostModel('sweep', [{ n: 0, nx: 64, ny: 64, ms: 12 }, ...flat])!;
    expect(cpu.coef[5]).toBeGreaterThan(0);
    expect(cpu.coef[3]).toBeGreaterThan(0);
  });

  it('bounds the growth of a run by the largest ratio of its basis terms', () => {
    // The row sweep from (1024 units, 128²) to (256, 512²): N·points grows 4×, but the points 16×.
    expect(growthBound('sweep', { n: 1024, nx: 128, ny: 128 }, 256, 512, 512)).toBeCloseTo(16, 9);
    expect(growthBound('brute', { n: 16, nx: 64, ny: 64 }, 256, 64, 64)).toBe(16);
    // A brute-force size of the CPU candidate (under SWEEP_2D_MIN_UNITS: no units) says nothing of its sweep terms.
    expect(growthBound('sweep', { n: 0, nx: 64, ny: 64 }, 64, 128, 128)).toBe(Infinity);
  });

  it('bases: brute force is overhead + points + N·points; the row sweep switches terms at SWEEP_2D_MIN_UNITS units', () => {
    expect(basisOf('brute', 0, 4, 8)).toEqual([1, 32, 32]);
    expect(basisOf('tiles', 16, 4, 8)).toEqual([1, 32, 16, 128, 512]);
    expect(SWEEP_2D_MIN_UNITS).toBe(1);
    expect(basisOf('sweep', 0, 4, 8)).toEqual([1, 32, 0, 0, 0, 32]);
    expect(basisOf('sweep', 1, 4, 8)).toEqual([1, 32, 1, 8, 0, 0]);
    expect(basisOf('sweep', 16, 4, 8)).toEqual([1, 32, 16, 128, 0, 0]);
    expect(basisOf('sweep', SWEEP_CACHE_KNEE + 10, 4, 8)).toEqual([1, 32, SWEEP_CACHE_KNEE + 10, 8 * (SWEEP_CACHE_KNEE + 10), 80, 0]);
  });
});

function calibration(samples: Sample2D[], candidates = [...new Set(samples.map((s) => s.id))]): Calibration2D {
  return { version: CALIBRATION_VERSION, key: 'k', adapter: 'test', measuredAt: '2026-11-30T00:00:00Z', durationMs: 5, candidates, samples };
}

/** Samples of a CPU row sweep (cheap per unit) and a GPU brute-force kernel (overhead, then fast per unit·point). */
function syntheticSamples(): Sample2D[] {
  const cpu = (n: number, s: number) => 0.01 + 2e-6 * s * s + 2e-6 * s * n;
  const gpu = (n: number, s: number) => 0.5 + 1e-11 * n * s * s;
  const out: Sample2D[] = [];
  for (const { n, side } of LADDER) {
    out.push({ id: 'cpu', output: 'values', n, nx: side, ny: side, ms: cpu(n, side) });
    out.push({ id: 'gpu-tiled', output: 'values', n, nx: side, ny: side, ms: gpu(n, side) });
    out.push({ id: 'cpu', output: 'regions', n, nx: side, ny: side, ms: cpu(n, side) });
    out.push({ id: 'gpu-regions', output: 'regions', n, nx: side, ny: side, ms: 2 * gpu(n, side) });
  }
  return out;
}

describe('Picker2D', () => {
  const picker = new Picker2D(calibration(syntheticSamples()));

  it('takes the fastest predicted candidate for each size, with the runner-up', () => {
    // Small work: the CPU's tiny overhead wins; big work: the GPU's rate wins.
    expect(picker.pick('values', 16, 64, 64)!.id).toBe('cpu');
    const big = picker.pick('values', 65536, 1024, 1024)!;
    expect(big.id).toBe('gpu-tiled');
    expect(big.runnerUp!.id).toBe('cpu');
    expect(big.ms).toBeLessThan(big.runnerUp!.ms);
    expect(picker.pick('regions', 65536, 1024, 1024)!.id).toBe('gpu-regions');
  });

  it('says whether the size was measured, and filters by backend and network', () => {
    expect(picker.pick('values', 16, 64, 64)!.measured).toBe(true);
    expect(picker.pick('values', 17, 64, 64)!.measured).toBe(false);
    expect(picker.pick('values', 16, 64, 64, undefined, 'gpu')!.id).toBe('gpu-tiled');
    // The row sweep needs piecewise-linear units: sigmoid networks go to the GPU kernel.
    const sigmoid = { ...randomNetwork(2, 16, 1), activation: 'sigmoid' as const };
    expect(picker.pick('values', 16, 64, 64, sigmoid)!.id).toBe('gpu-tiled');
  });

  it('keeps the CPU at a few units on a big grid where a CPU-like adapter’s kernel pays per point (the 7.3× miss)', () => {
    // SwiftShader-like figures: the kernel's per-point cost is 5× the CPU's, its per-unit-point cost far less.
    const cpu = (n: number, s: number) => 0.02 + 3e-5 * s * s + (n < SWEEP_2D_MIN_UNITS ? 4e-6 * n * s * s : 9e-4 * s * n);
    const gpu = (n: number, s: number) => 0.4 + 1.5e-4 * s * s + 1.5e-6 * n * s * s;
    const samples: Sample2D[] = LADDER.flatMap(({ n, side }) => [
      { id: 'cpu', output: 'values' as const, n, nx: side, ny: side, ms: cpu(n, side) },
      { id: 'gpu-cache8sg', output: 'values' as const, n, nx: side, ny: side, ms: gpu(n, side) },
    ]);
    const p = new Picker2D(calibration(samples));
    for (const n of [1, 2, 4, 8, 16, 64]) expect(p.pick('values', n, 512, 512)!.id).toBe('cpu');
    for (const n of [1, 16]) expect(p.pick('values', n, 512, 512)!.ms / cpu(n, 512)).toBeCloseTo(1, 3);
  });

  it('picks the tile kernel at large N on 512² once the ladder times the row sweep past its cache knee (the 2.5× miss)', () => {
    // This machine's shapes (bench/NOTES.md): the row sweep at 13 ns a unit-row, 24 ns past ~10,000 units, plus
    // 100 ns a unit of setup; the tile kernel's rows·N. Each is timed only where the calibration would time it:
    // the CPU under its 40 ms budget (its ladder ends at 4,096 units on the big grids) and on its CPU-only sizes.
    const cpu = (n: number, s: number) =>
      0.05 + 6e-6 * s * s + (n < SWEEP_2D_MIN_UNITS ? 3e-6 * s * s : 1e-4 * n + 1.3e-5 * s * n + 1.1e-5 * s * Math.max(0, n - SWEEP_CACHE_KNEE));
    const tiles = (n: number, s: number) => 0.5 + 2e-5 * s * s + 9e-6 * s * n;
    const samples: Sample2D[] = LADDER.flatMap(({ n, side, backend, always }) => [
      ...(backend !== 'gpu' && (always || cpu(n, side) <= 40) ? [{ id: 'cpu', output: 'values' as const, n, nx: side, ny: side, ms: cpu(n, side) }] : []),
      ...(backend !== 'cpu' && tiles(n, side) <= 60 ? [{ id: 'gpu-tiles', output: 'values' as const, n, nx: side, ny: side, ms: tiles(n, side) }] : []),
    ]);
    expect(samples.filter((s) => s.id === 'cpu' && s.n > SWEEP_CACHE_KNEE).length).toBe(2);
    const p = new Picker2D(calibration(samples));
    expect(predictMs(p.model('cpu', 'values')!, 65536, 512, 512) / cpu(65536, 512)).toBeCloseTo(1, 2);
    for (const side of [128, 512]) {
      for (let n = 1; n <= 65536; n *= 2) {
        const [c, t] = [cpu(n, side), tiles(n, side)];
        if (Math.max(c, t) / Math.min(c, t) < 1.1) continue;
        expect(p.pick('values', n, side, side)!.id, `N = ${n} on ${side}²`).toBe(c < t ? 'cpu' : 'gpu-tiles');
      }
    }
  });

  it('returns null when nothing was measured for an output', () => {
    const p = new Picker2D(calibration(syntheticSamples().filter((s) => s.output === 'values')));
    expect(p.pick('regions', 16, 64, 64)).toBeNull();
  });

  it('builds a table over the size classes whose pick has the least time in its row', () => {
    const rows = picker.table();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.times[r.pick]).toBe(Math.min(...Object.values(r.times)));
  });

  it('describes a pick for the status line', () => {
    const text = describePick(picker.pick('values', 16, 128, 128)!, 128);
    expect(text).toMatch(/^2D: CPU row sweep \(\S+ ms vs \S+ ms for the GPU tiled kernel at 128², predicted from what was measured at startup\)$/);
    expect(describePick(picker.pick('regions', 16, 64, 64)!, 64, 'regions')).toMatch(/^2D regions: CPU row sweep \(.* at 64², measured at startup\)$/);
  });
});

describe('cached calibrations', () => {
  const key = calibrationKey({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device' }, '0.1.0', ['cpu', 'gpu-tiled']);
  const good = { ...calibration(syntheticSamples().filter((s) => s.id !== 'gpu-regions'), ['cpu', 'gpu-tiled']), key };

  it('reads back what was stored', () => {
    expect(parseCalibration(JSON.stringify(good), key)).toEqual(good);
  });

  it('rejects damaged JSON, other adapters, older versions and other kernel sets', () => {
    expect(parseCalibration('{"version": 1, "key"', key)).toBeNull();
    expect(parseCalibration(null, key)).toBeNull();
    expect(parseCalibration('"text"', key)).toBeNull();
    const otherAdapter = calibrationKey({ vendor: 'nvidia', architecture: 'hopper' }, '0.1.0', ['cpu', 'gpu-tiled']);
    expect(otherAdapter).not.toBe(key);
    expect(parseCalibration(JSON.stringify(good), otherAdapter)).toBeNull();
    expect(parseCalibration(JSON.stringify({ ...good, version: CALIBRATION_VERSION - 1 }), key)).toBeNull();
    expect(calibrationKey(null, '0.2.0', ['cpu'])).not.toBe(calibrationKey(null, '0.1.0', ['cpu']));
    expect(calibrationKey(null, '0.1.0', ['cpu', 'gpu-tiles'])).not.toBe(calibrationKey(null, '0.1.0', ['cpu']));
  });

  it('rejects malformed samples and unknown candidates', () => {
    const bad = (patch: Partial<Sample2D> | Record<string, unknown>) => JSON.stringify({ ...good, samples: [{ ...good.samples[0], ...patch }] });
    expect(parseCalibration(bad({ ms: -1 }), key)).toBeNull();
    expect(parseCalibration(bad({ ms: 'fast' }), key)).toBeNull();
    expect(parseCalibration(bad({ nx: 0 }), key)).toBeNull();
    expect(parseCalibration(bad({ output: 'both' }), key)).toBeNull();
    expect(parseCalibration(bad({ id: 'gpu-regions' }), key)).toBeNull();
    expect(parseCalibration(JSON.stringify({ ...good, candidates: ['cpu', 'gpu-magic'] }), key)).toBeNull();
  });
});

describe('calibrate2D', () => {
  it('times each available candidate on the ladder, skipping sizes predicted over the budget, yielding between timings', async () => {
    let clock = 0;
    const cost: Record<string, (n: number, s: number) => number> = {
      cpu: (n, s) => 1e-6 * s * s + 1e-7 * s * n,
      'gpu-tiled': (n, s) => 0.2 + 1e-9 * n * s * s,
      'gpu-regions': (n, s) => 0.2 + 2e-9 * n * s * s,
    };
    const registry: Candidate2D[] = CANDIDATES_2D.filter((c) => c.id in cost);
    let yields = 0;
    const runs: string[] = [];
    const cal = await calibrate2D({
      device: {} as GPUDevice,
      registry,
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      run: async (c, output, net, grid) => {
        runs.push(`${c.id}/${output}`);
        clock += cost[c.id](net.a.length, grid.nx);
      },
      yieldToHost: async () => void yields++,
      maxRunMs: 10,
      maxGpuRunMs: 10,
    });
    expect(cal.candidates).toEqual(['cpu', 'gpu-tiled', 'gpu-regions']);
    expect(new Set(cal.samples.map((s) => `${s.id}/${s.output}`))).toEqual(new Set(['cpu/values', 'cpu/regions', 'gpu-tiled/values', 'gpu-regions/regions']));
    for (const s of cal.samples) expect(s.ms).toBeLessThanOrEqual(10 * 2);
    // The brute-force kernel at 65,536 units on 1024² (69 ms here) is never run.
    expect(cal.samples.some((s) => s.id === 'gpu-tiled' && s.n === 65536)).toBe(false);
    expect(yields).toBeGreaterThan(cal.samples.length);
    // The measured times are the model's (the fake clock is exact).
    const s = cal.samples.find((x) => x.id === 'gpu-tiled')!;
    expect(s.ms).toBeCloseTo(cost['gpu-tiled'](s.n, s.nx), 9);
    const picker = new Picker2D(cal, registry);
    expect(picker.pick('values', 16, 128, 128)!.id).toBe('cpu');
  });

  it('goes on past one timing spoilt by a busy machine (bounds come from every earlier size)', async () => {
    let clock = 0;
    const registry = CANDIDATES_2D.filter((c) => c.id === 'cpu');
    const cal = await calibrate2D({
      device: null,
      registry,
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      // Every timing at (64 units, 128²) is 500 ms: another program had the CPU.
      run: async (_c, _o, net, grid) => void (clock += net.a.length === 64 && grid.nx === 128 ? 500 : 1e-6 * grid.nx * grid.ny),
      yieldToHost: async () => undefined,
    });
    const sizes = cal.samples.filter((s) => s.output === 'values').map((s) => `${s.n}/${s.nx}`);
    expect(sizes).toContain('64/128');
    expect(sizes).toContain('256/256');
    expect(sizes).toContain('1024/256');
  });

  it('times the size that bounds a skip once more before skipping (a burst of load spoilt all its first timings)', async () => {
    let clock = 0;
    let spoilt = 4;
    const cal = await calibrate2D({
      device: null,
      registry: CANDIDATES_2D.filter((c) => c.id === 'cpu'),
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      // A ladder whose only CPU size before the fourth is (16 units, 64²), so that size bounds the fourth (the
      // GPU-only sizes fill the first three steps, which are timed whatever their bound).
      ladder: [
        { n: 1, side: 64, backend: 'gpu' },
        { n: 16, side: 64 },
        { n: 1, side: 256, backend: 'gpu' },
        ...LADDER.filter(({ n, side }) => n >= 64 && side <= 256),
      ],
      // The first four runs of the row sweep at (16 units, 64²) take 500 ms each (the untimed first run, both
      // timings of that size, and the first of its second look); every other run is cheap.
      run: async (_c, output, net, grid) => {
        const hit = output === 'values' && net.a.length === 16 && grid.nx === 64 && spoilt > 0;
        if (hit) spoilt--;
        clock += hit ? 500 : 1e-6 * grid.nx * grid.ny;
      },
      yieldToHost: async () => undefined,
    });
    const values = cal.samples.filter((s) => s.output === 'values');
    expect(values.find((s) => s.n === 16 && s.nx === 64)!.ms).toBeLessThan(1);
    expect(values.map((s) => `${s.n}/${s.nx}`)).toEqual(expect.arrayContaining(['64/128', '256/256', '1024/256']));
  });

  it('takes as many timings as the fastest so far calls for, not the first (spoilt) one', async () => {
    let clock = 0;
    let calls = 0;
    const cal = await calibrate2D({
      device: null,
      registry: CANDIDATES_2D.filter((c) => c.id === 'cpu'),
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      ladder: [{ n: 1, side: 64 }],
      // The warm-up and the first timed run of the values are slow (37 ms); a run really takes 0.05 ms.
      run: async (_c, output) => {
        if (output === 'values') calls++;
        clock += output === 'values' && calls <= 2 ? 37 : 0.05;
      },
      yieldToHost: async () => undefined,
    });
    expect(cal.samples.find((s) => s.output === 'values')!.ms).toBeCloseTo(0.05, 9);
    // Besides the warm-up and the spoilt probe: one single run (sized by the probe), then three more timings
    // batched to 1 ms (about 20 runs each), as for any 0.05 ms run.
    expect(calls).toBeGreaterThanOrEqual(3 + 3 * 20);
  });

  it('times the first sizes whatever a spoilt first timing predicts, and interleaves the candidates size by size', async () => {
    let clock = 0;
    const registry = CANDIDATES_2D.filter((c) => c.id === 'cpu' || c.id === 'gpu-tiled');
    const order: string[] = [];
    const cal = await calibrate2D({
      device: {} as GPUDevice,
      registry,
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      // The GPU kernel's runs at the first size take 500 ms (a busy machine); later ones 0.5 ms.
      run: async (c, output, net, grid) => {
        order.push(`${c.id}/${output}/${net.a.length}/${grid.nx}`);
        clock += c.id === 'gpu-tiled' && net.a.length === 1 ? 500 : 0.5;
      },
      yieldToHost: async () => undefined,
    });
    const gpu = cal.samples.filter((s) => s.id === 'gpu-tiled').map((s) => `${s.n}/${s.nx}`);
    expect(gpu.slice(0, 3)).toEqual(LADDER.slice(0, 3).map(({ n, side }) => `${n}/${side}`));
    // Size-major: every series' first size before any series' second.
    const firstSecond = order.findIndex((o) => o.endsWith(`/${LADDER[1].n}/${LADDER[1].side}`));
    expect(order.slice(firstSecond).some((o) => o.endsWith(`/${LADDER[0].n}/${LADDER[0].side}`))).toBe(false);
    expect(new Set(order.slice(0, firstSecond).map((o) => o.split('/').slice(0, 2).join('/')))).toEqual(new Set(['cpu/values', 'cpu/regions', 'gpu-tiled/values']));
  });

  it('times the CPU-only sizes on the CPU alone, whatever their bound', async () => {
    let clock = 0;
    const registry = CANDIDATES_2D.filter((c) => c.id === 'cpu' || c.id === 'gpu-tiled');
    const cal = await calibrate2D({
      device: {} as GPUDevice,
      registry,
      key: 'k',
      adapter: 'fake',
      now: () => clock,
      // 100 ns a unit of setup, 20 ns a unit-row: bounded term by term from the big grids at 4,096 units, the small
      // grids at 16,384 and 65,536 units look over the 40 ms budget (the N term grows 4–16×), yet take 10–30 ms.
      run: async (c, _o, net, grid) => void (clock += c.backend === 'cpu' ? 1e-4 * net.a.length + 2e-5 * grid.ny * net.a.length : 0.5),
      yieldToHost: async () => undefined,
    });
    const at = (id: string) => cal.samples.filter((s) => s.id === id && s.output === 'values').map((s) => `${s.n}/${s.nx}`);
    expect(at('cpu')).toEqual(expect.arrayContaining(['16384/32', '65536/16']));
    expect(at('gpu-tiled').some((s) => s === '16384/32' || s === '65536/16')).toBe(false);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      calibrate2D({ device: null, key: 'k', adapter: 'x', now: () => 0, run: async () => undefined, signal: ac.signal, yieldToHost: async () => undefined }),
    ).rejects.toThrow(/cancelled/);
  });
});
