import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXPRESSION_FUNCTIONS,
  ExpressionSyntaxError,
  MAX_EXPRESSION_LENGTH,
  WGSL_EXPRESSION_PRELUDE,
  compileExpression,
  wgslF32Literal,
} from '../../src/model/expression.ts';
import { seededRandom } from '../../src/model/network.ts';

const at = (src: string, x: number) => compileExpression(src).evaluate(x);

describe('expression compiler: grammar and precedence', () => {
  it.each([
    ['1 + 2 * 3', 0, 7],
    ['(1 + 2) * 3', 0, 9],
    ['10 - 4 - 3', 0, 3],
    ['12 / 3 / 2', 0, 2],
    ['2 ^ 3 ^ 2', 0, 512],
    ['2 ** 3 ** 2', 0, 512],
    ['-x^2', 3, -9],
    ['(-x)^2', 3, 9],
    ['-2^-2', 0, -0.25],
    ['2 * -x', 3, -6],
    ['--x', 3, 3],
    ['+x', 3, 3],
    ['x - -x', 3, 6],
    ['.5 + 1e-3 + 2.5E+2', 0, 250.501],
    ['  x\t*\n2  ', 4, 8],
    ['2^-x', 2, 0.25],
    ['-x^2^-1', 4, -2],
    ['pi + e + tau', 0, Math.PI + Math.E + 2 * Math.PI],
    ['min(3, x, 5) + max(1, 2, x, 0)', 4, 7],
  ])('%s at x = %d is %d', (src, x, want) => {
    expect(at(src, x)).toBeCloseTo(want, 12);
  });

  it('evaluates every function like Math on random inputs inside its domain', () => {
    const rnd = seededRandom(3);
    const one: Array<[string, (v: number) => number, number, number]> = [
      ['sin', Math.sin, -10, 10],
      ['cos', Math.cos, -10, 10],
      ['tan', Math.tan, -1.5, 1.5],
      ['asin', Math.asin, -1, 1],
      ['acos', Math.acos, -1, 1],
      ['atan', Math.atan, -10, 10],
      ['sinh', Math.sinh, -5, 5],
      ['cosh', Math.cosh, -5, 5],
      ['tanh', Math.tanh, -5, 5],
      ['exp', Math.exp, -10, 10],
      ['log', Math.log, 0.01, 10],
      ['log2', Math.log2, 0.01, 10],
      ['log10', Math.log10, 0.01, 10],
      ['sqrt', Math.sqrt, 0, 10],
      ['abs', Math.abs, -10, 10],
      ['sign', Math.sign, -10, 10],
      ['floor', Math.floor, -10, 10],
      ['ceil', Math.ceil, -10, 10],
      ['trunc', Math.trunc, -10, 10],
      ['round', (v) => Math.floor(v + 0.5), -10, 10],
      ['relu', (v) => Math.max(0, v), -10, 10],
      ['step', (v) => (v >= 0 ? 1 : 0), -10, 10],
      ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), -30, 30],
    ];
    for (const [name, ref, lo, hi] of one) {
      const c = compileExpression(`${name}(x)`);
      for (let k = 0; k < 200; k++) {
        const x = lo + (hi - lo) * rnd();
        expect(c.evaluate(x), `${name}(${x})`).toBeCloseTo(ref(x), 12);
      }
    }
    expect(at('atan2(x, -1)', 1)).toBeCloseTo(Math.atan2(1, -1), 14);
    expect(at('mod(x, 3)', -7)).toBe(2);
    expect(at('clamp(x, -1, 1)', 5)).toBe(1);
    expect(at('pow(x, 3)', -2)).toBe(-8);
    expect(at('step(x)', 0)).toBe(1);
    expect(at('round(x)', -2.5)).toBe(-2);
  });

  it('keeps the source and exposes a documented function list', () => {
    expect(compileExpression('sin(x)').source).toBe('sin(x)');
    const names = EXPRESSION_FUNCTIONS.map((f) => f.name);
    for (const required of 'sin cos tan asin acos atan exp log sqrt abs sign floor ceil min max pow tanh sinh cosh relu step'.split(' ')) {
      expect(names).toContain(required);
    }
  });
});

describe('expression compiler: errors carry the position', () => {
  it.each([
    ['', 0, /empty expression/],
    ['   ', 0, /empty expression/],
    ['x + foo', 4, /unknown name 'foo' at 4/],
    ['sin(x', 5, /expected '\)'/],
    ['(x + 1', 6, /expected '\)'/],
    ['2x', 1, /expected an operator before 'x'/],
    ['x 2', 2, /expected an operator before number 2/],
    ['sin(x, 2)', 0, /sin takes 1 argument, got 2/],
    ['atan2(x)', 0, /atan2 takes 2 arguments, got 1/],
    ['max(x)', 0, /max takes at least 2 arguments/],
    ['sin()', 0, /sin takes 1 argument, got 0/],
    ['X + 1', 0, /unknown name 'X'.*did you mean 'x'/],
    ['sin + 1', 0, /function 'sin' needs parentheses/],
    ['x(2)', 0, /'x' is not a function/],
    ['1 +', 3, /unexpected end of expression/],
    ['x)', 1, /unmatched '\)'/],
    ['x * * 2', 4, /unexpected '\*'/],
    ['x # 2', 2, /unexpected character '#'/],
    ['1e39 * x', 0, /number 1e39 is outside ±1e15/],
    ['2e15 + x', 0, /number 2e15 is outside ±1e15/],
    ['sin(x,)', 6, /unexpected '\)'/],
    ['constructor(x)', 0, /unknown name 'constructor'/],
    ['__proto__', 0, /unknown name '__proto__'/],
  ])('%j → position %d', (src, pos, msg) => {
    let err: unknown;
    try {
      compileExpression(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionSyntaxError);
    expect((err as ExpressionSyntaxError).position).toBe(pos);
    expect((err as Error).message).toMatch(msg);
  });

  it('limits the length and the nesting depth', () => {
    const long = 'x+'.repeat(MAX_EXPRESSION_LENGTH / 2) + 'x';
    expect(() => compileExpression(long)).toThrow(/too long/);
    expect(() => compileExpression('('.repeat(80) + 'x' + ')'.repeat(80))).toThrow(/nested too deeply/);
    expect(() => compileExpression('sin('.repeat(70) + 'x' + ')'.repeat(70))).toThrow(/nested too deeply/);
    expect(() => compileExpression(Array(70).fill('x').join('+'))).toThrow(/nested too deeply/);
    expect(compileExpression('('.repeat(30) + 'x' + ')'.repeat(30)).evaluate(2)).toBe(2);
    expect(() => compileExpression(42 as unknown as string)).toThrow(ExpressionSyntaxError);
  });
});

describe('expression compiler: undefined points are NaN, never ±Infinity', () => {
  it.each([
    ['log(x)', -1],
    ['log(x)', 0],
    ['sqrt(x)', -1],
    ['1/x', 0],
    ['1/(1/x)', 0],
    ['asin(x)', 1.5],
    ['x^-1', 0],
    ['x^0.5', -4],
    ['mod(1, x)', 0],
    ['exp(x)', 100],
    ['x * 1e15 * 1e15 * 1e15 * 1e15', 1],
    ['step(log(x))', -1],
    ['sign(sqrt(x))', -1],
    ['relu(log(x))', -1],
    ['min(log(x), 1)', -1],
    ['sinh(x)', 100],
  ])('%s at %d', (src, x) => {
    expect(at(src, x)).toBeNaN();
  });

  it('defines what IEEE leaves awkward, the same way as the WGSL helpers', () => {
    expect(at('x^3', -2)).toBe(-8);
    expect(at('x^2', -3)).toBe(9);
    expect(at('x^0', 0)).toBe(1);
    expect(at('0^x', 2)).toBe(0);
    expect(at('exp(x)', 88)).toBeCloseTo(Math.exp(88), -30);
    expect(at('sigmoid(x)', -800)).toBe(0);
    expect(compileExpression('x').evaluate(Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe('expression compiler: WGSL output', () => {
  it('writes float32 literals with the f suffix and the shortest round-tripping digits', () => {
    expect(wgslF32Literal(0.1)).toBe('0.1f');
    expect(wgslF32Literal(2)).toBe('2.0f');
    expect(wgslF32Literal(Math.PI)).toBe('3.1415927f');
    expect(wgslF32Literal(1e-3)).toBe('0.001f');
    expect(wgslF32Literal(3e20)).toBe('3e+20f');
    expect(wgslF32Literal(1e-45)).toBe('0.0f');
    for (const v of [0.1, 1 / 3, 12345.678, 6.02e23, 1.5e-30]) {
      expect(Math.fround(Number(wgslF32Literal(v).slice(0, -1)))).toBe(Math.fround(v));
    }
  });

  it('uses only helpers the prelude defines, for every function', () => {
    const defined = new Set([...WGSL_EXPRESSION_PRELUDE.matchAll(/fn (rs_\w+)/g)].map((m) => m[1]));
    for (const f of EXPRESSION_FUNCTIONS) {
      const args = Array.from({ length: Number.parseInt(f.arity, 10) }, (_, i) => (i === 0 ? 'x' : '0.5'));
      const c = compileExpression(`${f.name}(${args.join(', ')}) / x ^ 2 - 1`);
      for (const m of c.wgsl.matchAll(/\b(rs_\w+)\(/g)) expect(defined, `${f.name}: ${m[1]}`).toContain(m[1]);
      expect(c.wgslFunction('target_fn')).toMatch(/^fn target_fn\(x: f32\) -> vec2<f32> \{\n  rs_invalid = false;/);
    }
    expect(() => compileExpression('x').wgslFunction('bad name')).toThrow(/invalid WGSL function name/);
    expect(compileExpression('-x + 2').wgsl).toBe('rs_chk((-x) + 2.0f)');
  });

  it('never builds code from text at run time', () => {
    // Comments excluded: the module notes say, in words, what it does not do.
    const src = readFileSync(new URL('../../src/model/expression.ts', import.meta.url), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(src).not.toMatch(/\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(/);
  });
});
