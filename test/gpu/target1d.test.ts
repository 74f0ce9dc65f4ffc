import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from './dawn.ts';
import { GpuTarget1D } from '../../src/engine/gpu/target1d.ts';
import { GpuTargetCompileError } from '../../src/engine/gpu/errors.ts';
import { compileExpression } from '../../src/model/expression.ts';
import { gridXs } from '../../src/model/grid.ts';
import { seededRandom } from '../../src/model/network.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
});
afterAll(() => device?.destroy());

/** [expression, domain, discontinuous?]: every function, operator and undefined-point rule is exercised. */
const CASES: Array<[string, [number, number], boolean]> = [
  ['sin(3*x) + 0.3*abs(x)', [-4, 4], false],
  ['-x^2 + 2^x - x**3 / 7', [-3, 3], false],
  ['x^-2 + (-x)^3 - pow(x, 4)', [-2, 2], false],
  ['(x - 1)^0.5 + x^(1/3)', [-2, 3], false],
  ['log(x) + log2(x) - log10(x)', [-2, 5], false],
  ['sqrt(1 - x^2)', [-2, 2], false],
  ['asin(x/2) + acos(x/3) + atan(x) + atan2(x, 1 - x)', [-4, 4], false],
  ['exp(x) / (1 + exp(x)) - sigmoid(3*x)', [-20, 20], false],
  ['tanh(x) * cosh(x/4) - sinh(x/5)', [-30, 30], false],
  ['tan(x) + cos(x)', [-1.4, 1.4], false],
  ['pi*x + e - tau + relu(x - 1)', [-3, 3], false],
  ['min(x, 1, x^2) + max(x, -1) + clamp(x, -0.5, 0.5)', [-3, 3], false],
  ['sign(x) * floor(x) + ceil(x) - round(x) + trunc(x) + step(x + 0.5)', [-3, 3], true],
  ['mod(x, 0.7) + mod(-x, 2)', [-3, 3], true],
  ['exp(x)', [80, 100], false],
  ['1/(x - x)', [-1, 1], false],
  ['1/(1/x)', [-1, 1], false],
  ['sinh(x)', [-95, 95], false],
];

describe('target expressions: WGSL (Dawn) against the float64 JS evaluation', () => {
  for (const [src, [lo, hi], discontinuous] of CASES) {
    it(`${src} on [${lo}, ${hi}]`, async () => {
      const expr = compileExpression(src);
      const rnd = seededRandom(src.length * 7919);
      const count = 4099;
      // Inputs are float32 values, so both sides see the same x.
      const xs = new Float32Array(count);
      for (let i = 0; i < count; i++) xs[i] = lo + (hi - lo) * rnd();
      xs[0] = 0;
      xs[1] = Math.fround(lo);
      device.pushErrorScope('validation');
      const k = await GpuTarget1D.create(device, expr);
      const got = await k.evaluatePoints(xs);
      const grid = { xMin: lo, xMax: hi, nx: 1001 };
      const gotGrid = await k.evaluateGrid(grid);
      k.destroy();
      k.destroy();
      expect(await device.popErrorScope()).toBeNull();

      let definedMismatch = 0;
      let valueMismatch = 0;
      let worst = 0;
      let defined = 0;
      for (let i = 0; i < count; i++) {
        const want = expr.evaluate(xs[i]);
        const g = got[i];
        if (Number.isFinite(want) !== Number.isFinite(g)) {
          definedMismatch++;
          continue;
        }
        if (!Number.isFinite(want)) continue;
        defined++;
        const err = Math.abs(g - want) / (1 + Math.abs(want));
        if (err > 2e-5) valueMismatch++;
        else worst = Math.max(worst, err);
      }
      // Definedness may differ only where float32 and float64 round to opposite sides of a domain edge.
      expect(definedMismatch, 'points defined on one side only').toBeLessThanOrEqual(1);
      // Discontinuous targets may jump where a float32 rounding crosses a step; smooth ones never.
      expect(valueMismatch, `values off by > 2e-5 relative (worst of the rest ${worst})`).toBeLessThanOrEqual(discontinuous ? 2 : 0);

      // The grid path computes x in float32 on the GPU: compare against JS at those float32 x.
      const gx = gridXs(grid);
      const dx = Math.fround((hi - lo) / 1000);
      let gridBad = 0;
      for (let i = 0; i < gx.length; i++) {
        const x = Math.fround(Math.fround(lo) + Math.fround(Math.fround(i) * dx));
        const want = expr.evaluate(x);
        const g = gotGrid[i];
        if (Number.isFinite(want) !== Number.isFinite(g)) gridBad++;
        else if (Number.isFinite(want) && Math.abs(g - want) / (1 + Math.abs(want)) > 1e-4) gridBad++;
      }
      expect(gridBad).toBeLessThanOrEqual(discontinuous ? 3 : 1);
      if (src === '1/(x - x)') expect(defined).toBe(0);
      if (src === 'sqrt(1 - x^2)' || src.startsWith('log(')) expect(defined).toBeGreaterThan(100);
    });
  }

  it('random expressions (fuzz, fixed seed): the emitted WGSL agrees with the JS evaluation', async () => {
    const rnd = seededRandom(2024);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    // Smooth, bounded building blocks, so float32 vs float64 differences stay at rounding level.
    const gen = (depth: number): string => {
      if (depth === 0 || rnd() < 0.25) return pick(['x', 'x', 'pi', (rnd() * 6 - 3).toFixed(3), '2']);
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
    const xs = new Float32Array(1024);
    for (let i = 0; i < xs.length; i++) xs[i] = -3 + 6 * rnd();
    let checked = 0;
    let bad = 0;
    const worst: string[] = [];
    for (let e = 0; e < 30; e++) {
      const src = gen(4);
      const expr = compileExpression(src);
      const k = await GpuTarget1D.create(device, expr);
      const got = await k.evaluatePoints(xs);
      k.destroy();
      let exprBad = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = expr.evaluate(xs[i]);
        if (Number.isFinite(want) !== Number.isFinite(got[i])) exprBad++;
        else if (Number.isFinite(want)) {
          checked++;
          if (Math.abs(got[i] - want) > 1e-4 * (1 + Math.abs(want))) exprBad++;
        }
      }
      bad += exprBad;
      if (exprBad > 0) worst.push(`${src}: ${exprBad}`);
    }
    console.log(`target1d fuzz: ${checked} defined points of 30 random expressions, ${bad} off by > 1e-4 relative${worst.length ? ` (${worst.join('; ')})` : ''}`);
    expect(checked).toBeGreaterThan(20_000);
    // x^-1 and x^0.5 near their edges and sums that cancel may differ beyond 1e-4 at a few points.
    expect(bad / checked, worst.join('; ')).toBeLessThan(0.002);
  });

  it('switches expressions without rebuilding for the same source, and rejects non-finite inputs', async () => {
    const k = await GpuTarget1D.create(device, compileExpression('x^2'));
    expect(Array.from(await k.evaluatePoints([3, -2]))).toEqual([9, 4]);
    await k.setExpression(compileExpression('abs(x) - 1'));
    expect(Array.from(await k.evaluatePoints([3, -2, 0.5]))).toEqual([2, 1, -0.5]);
    await expect(k.evaluatePoints([1, Number.NaN])).rejects.toThrow(/xs\[1\]/);
    expect(await k.evaluatePoints([])).toHaveLength(0);
    k.destroy();
    await expect(k.evaluatePoints([1])).rejects.toThrow(/destroyed/);
  });
  it('an expression whose WGSL does not compile fails typed, alone, without WGSL in its message; the kernel keeps working', async () => {
    // min of 160 arguments (and of 240) nests min() calls deeper than the WGSL compiler allows (numbers past ±1e15,
    // which WGSL's constant folding refused, are now refused by the expression parser itself).
    const deep = compileExpression(`min(${Array.from({ length: 160 }, () => 'x').join(',')})`);
    const overflow = compileExpression(`max(${Array.from({ length: 240 }, () => 'x').join(',')})`);
    const k = await GpuTarget1D.create(device);
    await k.setExpression(compileExpression('x^2'));
    expect(Array.from(await k.evaluatePoints([3]))).toEqual([9]);
    for (const bad of [deep, overflow]) {
      const err = await k.setExpression(bad).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, bad.source.slice(0, 40)).toBeInstanceOf(GpuTargetCompileError);
      const message = (err as Error).message;
      expect(message).toMatch(/could not build the target/);
      expect(message).not.toMatch(/fn |rs_target|vec2|f32/);
      expect(message.length).toBeLessThan(200);
      // Nothing is evaluated with a stale pipeline; a known failure fails again at once, with the same error.
      await expect(k.evaluatePoints([1])).rejects.toThrow(/no target expression/);
      await expect(k.setExpression(bad)).rejects.toBe(err);
      // The next, different expression goes to the GPU again.
      await k.setExpression(compileExpression('abs(x) - 1'));
      expect(Array.from(await k.evaluatePoints([-3]))).toEqual([2]);
    }
    k.destroy();
    await expect(GpuTarget1D.create(device, deep)).rejects.toBeInstanceOf(GpuTargetCompileError);
  });
});
