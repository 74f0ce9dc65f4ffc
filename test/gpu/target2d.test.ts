import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstLine, messageOf } from '../../src/model/messages.ts';
import { nodeDevice } from './dawn.ts';
import { GpuTarget2D, GpuTarget2DCompileError } from '../../src/engine/gpu/target2d.ts';
import { type CompiledExpression2D, compileExpression } from '../../src/model/expression.ts';
import { type Grid2D, gridStep } from '../../src/model/grid.ts';
import { seededRandom } from '../../src/model/network.ts';
import { TARGETS_2D, resolveTarget2D, sampleTarget2D } from '../../src/model/targets2d.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
});
afterAll(() => device?.destroy());

type Box = [number, number, number, number];

/** [expression, (xMin, xMax, yMin, yMax), discontinuous?]: functions, x·y products and undefined points in 2D. */
const CASES: Array<[string, Box, boolean]> = [
  ...TARGETS_2D.filter((t) => t.expression).map((t): [string, Box, boolean] => [t.expression!, [-1.3, 1.1, -0.9, 1.2], t.id === 'checker']),
  ['sin(3*x) * cos(2*y) + 0.3*abs(x*y)', [-4, 4, -3, 3], false],
  ['x*y^2 - y*x^3 / 7 + 2^(x - y)', [-3, 3, -2, 2], false],
  ['sqrt(1 - x^2 - y^2)', [-1.2, 1.2, -1.2, 1.2], false],
  ['log(x*y) + log2(y) - log10(x)', [-2, 5, -1, 4], false],
  ['1/(x - y)', [-1, 1, -1, 1], false],
  ['atan2(y, x) + asin(x/2) * acos(y/3)', [-4, 4, -4, 4], false],
  ['(x - 1)^y', [-2, 3, -1.5, 1.5], false],
  ['exp(x + y)', [40, 50, 38, 48], false],
  ['tanh(x) * cosh(y/4) - sinh(x*y/5) + sigmoid(x - y)', [-9, 9, -9, 9], false],
  ['min(x, y, x*y) + max(x, -y) + clamp(x + y, -0.5, 0.5) + relu(y - 1)', [-3, 3, -3, 3], false],
  ['sign(x) * floor(y) + ceil(x) - round(y) + trunc(x*y) + step(x - y) + mod(x, y)', [-3, 3, -3, 3], true],
];

/** Awkward grid shapes: a single point, odd sizes around a workgroup, a long thin grid. */
const SHAPES: Array<[number, number]> = [
  [1, 1],
  [63, 65],
  [257, 3],
];

/** The CPU twin at the GPU's inputs: the grid axes as the kernel gets them (float64 formula, rounded once to f32). */
function cpuGrid(expr: CompiledExpression2D, g: Grid2D): Float64Array {
  const dx = gridStep(g.xMin, g.xMax, g.nx);
  const dy = gridStep(g.yMin, g.yMax, g.ny);
  const out = new Float64Array(g.nx * g.ny);
  for (let j = 0; j < g.ny; j++) {
    const y = Math.fround(g.yMin + j * dy);
    for (let i = 0; i < g.nx; i++) out[j * g.nx + i] = expr.evaluate(Math.fround(g.xMin + i * dx), y);
  }
  return out;
}

/** Points defined on one side only, and defined points off by more than `tol` relative. */
function compare(got: Float32Array, want: ArrayLike<number>, tol: number): { definedMismatch: number; valueMismatch: number; defined: number; worst: number } {
  let definedMismatch = 0;
  let valueMismatch = 0;
  let defined = 0;
  let worst = 0;
  for (let k = 0; k < want.length; k++) {
    const w = want[k];
    const g = got[k];
    if (Number.isFinite(w) !== Number.isFinite(g)) {
      definedMismatch++;
      continue;
    }
    if (!Number.isFinite(w)) continue;
    defined++;
    const err = Math.abs(g - w) / (1 + Math.abs(w));
    if (err > tol) valueMismatch++;
    else worst = Math.max(worst, err);
  }
  return { definedMismatch, valueMismatch, defined, worst };
}

describe('2D target expressions: WGSL (Dawn) against the float64 JS evaluation', () => {
  for (const [src, [x0, x1, y0, y1], discontinuous] of CASES) {
    it(`${src} on [${x0}, ${x1}] × [${y0}, ${y1}]`, async () => {
      const expr = compileExpression(src, 2);
      const rnd = seededRandom(src.length * 7919 + 1);
      device.pushErrorScope('validation');
      const k = await GpuTarget2D.create(device, expr);
      let definedTotal = 0;
      for (const [nx, ny] of SHAPES) {
        // Random sub-rectangles, so grids do not always land on the same values.
        const a = x0 + 0.1 * (x1 - x0) * rnd();
        const b = y0 + 0.1 * (y1 - y0) * rnd();
        const grid = { xMin: a, xMax: x1 - 0.1 * (x1 - x0) * rnd(), yMin: b, yMax: y1 - 0.1 * (y1 - y0) * rnd(), nx, ny };
        const got = await k.evaluateGrid(grid);
        expect(got).toHaveLength(nx * ny);
        const r = compare(got, cpuGrid(expr, grid), 2e-5);
        definedTotal += r.defined;
        // Definedness may differ only where float32 and float64 round to opposite sides of a domain edge.
        expect(r.definedMismatch, `${nx}×${ny}: points defined on one side only`).toBeLessThanOrEqual(1);
        // Discontinuous targets may jump where a float32 rounding crosses a step; smooth ones never.
        expect(r.valueMismatch, `${nx}×${ny}: values off by > 2e-5 relative (worst of the rest ${r.worst})`).toBeLessThanOrEqual(discontinuous ? 3 : 0);
      }
      // Point mode at random float32 points, with (0, 0) and a corner.
      const count = 4099;
      const xy = new Float32Array(2 * count);
      for (let i = 0; i < count; i++) {
        xy[2 * i] = x0 + (x1 - x0) * rnd();
        xy[2 * i + 1] = y0 + (y1 - y0) * rnd();
      }
      xy.set([0, 0, x0, y1], 0);
      const got = await k.evaluatePoints(xy);
      const want = Array.from({ length: count }, (_, i) => expr.evaluate(xy[2 * i], xy[2 * i + 1]));
      const r = compare(got, want, 2e-5);
      expect(r.definedMismatch, 'points defined on one side only').toBeLessThanOrEqual(1);
      expect(r.valueMismatch, `values off by > 2e-5 relative (worst of the rest ${r.worst})`).toBeLessThanOrEqual(discontinuous ? 3 : 0);
      k.destroy();
      k.destroy();
      expect(await device.popErrorScope()).toBeNull();
      // Partly defined: the domain edges (and exp's float32 overflow at x + y ≈ 88.7) cross the sampled box.
      if (src === 'sqrt(1 - x^2 - y^2)' || src.startsWith('log(') || src === '(x - 1)^y' || src === 'exp(x + y)') {
        expect(r.defined).toBeGreaterThan(100);
        expect(r.defined).toBeLessThan(count - 100);
      }
      expect(definedTotal).toBeGreaterThan(0);
    });
  }

  it('lays out values like sampleTarget2D (row-major, row j has constant y)', async () => {
    const t = resolveTarget2D({ kind: 'expression', source: 'x + 10*y' });
    const grid = { xMin: -1, xMax: 2, yMin: 0, yMax: 5, nx: 63, ny: 65 };
    const k = await GpuTarget2D.create(device, t.expression!);
    const got = await k.evaluateGrid(grid);
    const want = sampleTarget2D(t, grid);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])));
    expect(got[0]).toBe(-1);
    expect(got[63]).toBeCloseTo(-1 + 10 * (5 / 64), 5);
    k.destroy();
  });

  it('random expressions of x and y (fuzz, fixed seed): the emitted WGSL agrees with the JS evaluation', async () => {
    const rnd = seededRandom(4048);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    // Smooth, bounded building blocks, so float32 vs float64 differences stay at rounding level.
    const gen = (depth: number): string => {
      if (depth === 0 || rnd() < 0.25) return pick(['x', 'y', 'x', 'y', 'pi', (rnd() * 6 - 3).toFixed(3)]);
      switch (pick(['bin', 'bin', 'fn', 'neg', 'pow', 'div'])) {
        case 'bin':
          return `(${gen(depth - 1)} ${pick(['+', '-', '*'])} ${gen(depth - 1)})`;
        case 'fn': {
          const fn = pick(['sin', 'cos', 'tanh', 'atan', 'sigmoid', 'abs', 'relu']);
          // sin/cos of a huge argument is ill-conditioned (one float32 ulp of it is a different phase).
          return fn === 'sin' || fn === 'cos' ? `${fn}(4*tanh(${gen(depth - 1)}))` : `${fn}(${gen(depth - 1)})`;
        }
        case 'neg':
          return `-${gen(depth - 1)}`;
        case 'pow':
          return `${gen(depth - 1)}^${pick(['2', '3', '-1', '0.5'])}`;
        default:
          return `${gen(depth - 1)} / (2.5 + sin(tanh(${gen(depth - 1)})))`;
      }
    };
    const k = await GpuTarget2D.create(device);
    let checked = 0;
    let bad = 0;
    const worst: string[] = [];
    for (let e = 0; e < 30; e++) {
      const src = gen(4);
      const expr = compileExpression(src, 2);
      await k.setExpression(expr);
      const [nx, ny] = SHAPES[e % SHAPES.length][0] === 1 ? [31, 33] : SHAPES[e % SHAPES.length];
      const grid = { xMin: -3 + rnd(), xMax: 3 - rnd(), yMin: -3 + rnd(), yMax: 3 - rnd(), nx, ny };
      const got = await k.evaluateGrid(grid);
      const want = cpuGrid(expr, grid);
      let exprBad = 0;
      for (let i = 0; i < want.length; i++) {
        if (Number.isFinite(want[i]) !== Number.isFinite(got[i])) exprBad++;
        else if (Number.isFinite(want[i])) {
          checked++;
          if (Math.abs(got[i] - want[i]) > 1e-4 * (1 + Math.abs(want[i]))) exprBad++;
        }
      }
      bad += exprBad;
      if (exprBad > 0) worst.push(`${src}: ${exprBad}`);
    }
    k.destroy();
    console.log(`target2d fuzz: ${checked} defined points of 30 random expressions, ${bad} off by > 1e-4 relative${worst.length ? ` (${worst.join('; ')})` : ''}`);
    expect(checked).toBeGreaterThan(20_000);
    // x^-1 and x^0.5 near their edges and sums that cancel may differ beyond 1e-4 at a few points.
    expect(bad / checked, worst.join('; ')).toBeLessThan(0.002);
  });

  it('an expression whose WGSL does not compile fails typed, alone: the kernel keeps working for the next ones', async () => {
    // min of 240 arguments becomes 239 nested min() calls, deeper than the WGSL compiler takes; the CPU evaluates it.
    // (Numbers in expressions keep to ±1e15, so a constant overflow such as 1e38*1e38 no longer gets this far.)
    const overflow = compileExpression(`min(${Array(240).fill('x').join(',')}) + y`, 2);
    expect(overflow.evaluate(1, 2)).toBe(3);
    const garbage: CompiledExpression2D = {
      ...compileExpression('x + y', 2),
      source: 'not wgsl',
      wgslFunction: () => 'fn rs_target(x: f32, y: f32) -> vec2<f32> { return no_such_fn(x); }\n',
    };
    const good = compileExpression('x*y', 2);
    const k = await GpuTarget2D.create(device, good);
    expect(k.source).toBe('x*y');
    expect(Array.from(await k.evaluatePoints([2, 3, -1, 4]))).toEqual([6, -4]);

    for (const bad of [overflow, garbage]) {
      const err = await k.setExpression(bad).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, bad.source).toBeInstanceOf(GpuTarget2DCompileError);
      expect((err as GpuTarget2DCompileError).source).toBe(bad.source);
      // What the user reads is one short line, never the shader source.
      expect(messageOf(err)).not.toMatch(/\n|fn rs_target|vec2<f32>/);
      expect(messageOf(err).length).toBeLessThanOrEqual(200);
      expect(firstLine((err as GpuTarget2DCompileError).detail)).not.toMatch(/fn rs_target|vec2<f32>/);
      expect(k.source).toBeNull();
      // Nothing is evaluated with a stale pipeline.
      await expect(k.evaluatePoints([1, 1])).rejects.toThrow(/no target expression/);
      // Known failures fail again at once, with the same error.
      await expect(k.setExpression(bad)).rejects.toBe(err);
      // The next expression works (and a cached one is reused).
      await k.setExpression(compileExpression('x - y', 2));
      expect(Array.from(await k.evaluatePoints([2, 3]))).toEqual([-1]);
      await k.setExpression(good);
      expect(k.source).toBe('x*y');
      expect(Array.from(await k.evaluateGrid({ xMin: 1, xMax: 2, yMin: 3, yMax: 4, nx: 2, ny: 2 }))).toEqual([3, 6, 4, 8]);
    }
    k.destroy();
    // create with a failing expression rejects typed too.
    await expect(GpuTarget2D.create(device, overflow)).rejects.toBeInstanceOf(GpuTarget2DCompileError);
  });

  it('leaves grid values on the GPU (gridValues) equal to the read-back ones', async () => {
    const expr = compileExpression('sin(x) * y', 2);
    const k = await GpuTarget2D.create(device, expr);
    const grid = { xMin: -2, xMax: 2, yMin: -1, yMax: 3, nx: 257, ny: 3 };
    const read = await k.evaluateGrid(grid);
    const values = await k.gridValues(grid);
    expect(values.count).toBe(257 * 3);
    expect(values.offset).toBe(0);
    expect(values.device).toBe(device);
    expect(values.buffer.usage & GPUBufferUsage.STORAGE).toBeTruthy();
    const staging = device.createBuffer({ size: 4 * values.count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(values.buffer, values.offset, staging, 0, 4 * values.count);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    expect(new Float32Array(staging.getMappedRange().slice(0))).toEqual(read);
    staging.destroy();
    k.destroy();
  });

  it('rejects bad input, and every call after destroy', async () => {
    const k = await GpuTarget2D.create(device);
    expect(k.source).toBeNull();
    await expect(k.evaluateGrid({ xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 2, ny: 2 })).rejects.toThrow(/setExpression first/);
    await k.setExpression(compileExpression('x^2 + y', 2));
    expect(Array.from(await k.evaluatePoints([3, 1, -2, 0.5]))).toEqual([10, 4.5]);
    await expect(k.evaluatePoints([1, Number.NaN])).rejects.toThrow(/points\[1\]/);
    await expect(k.evaluatePoints([1, 2, 3])).rejects.toThrow(/pairs/);
    expect(() => k.evaluateGrid({ xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 0, ny: 2 })).toThrow(/nx/);
    expect(await k.evaluatePoints([])).toHaveLength(0);
    k.destroy();
    k.destroy();
    await expect(k.evaluatePoints([1, 1])).rejects.toThrow(/destroyed/);
    await expect(k.setExpression(compileExpression('x', 2))).rejects.toThrow(/destroyed/);
  });
});
