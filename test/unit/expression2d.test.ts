import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError, MAX_EXPRESSION_LENGTH, compileExpression, parseExpression } from '../../src/model/expression.ts';
import { seededRandom } from '../../src/model/network.ts';

const at = (src: string, x: number, y: number) => compileExpression(src, 2).evaluate(x, y);

function syntaxError(src: string, dim: 1 | 2 = 2): ExpressionSyntaxError {
  try {
    compileExpression(src, dim);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionSyntaxError);
    return e as ExpressionSyntaxError;
  }
  throw new Error(`expected '${src}' to be rejected`);
}

describe('expressions of x and y (dimension 2)', () => {
  it.each([
    ['x + y', 2, 3, 5],
    ['x - y - 1', 2, 3, -2],
    ['x * y', -2, 3, -6],
    ['x*y^2', 2, 3, 18],
    ['-y^2', 0, 3, -9],
    ['(x - y)^2', 1, 4, 9],
    ['x / y / 2', 12, 3, 2],
    ['x^y^2', 2, 1.5, 2 ** 2.25],
    ['2*-y + x', 1, 3, -5],
    ['atan2(y, x)', -1, 1, Math.atan2(1, -1)],
    ['min(x, y, 0.5) + max(x, y)', 0.7, 0.9, 1.4],
    ['-x*-y', 2, 3, 6],
  ])('%s at (%d, %d)', (src, x, y, want) => {
    expect(at(src, x, y)).toBeCloseTo(want, 12);
  });

  it('evaluates like a direct float64 formula on random points', () => {
    const rnd = seededRandom(7);
    const cases: Array<[string, (x: number, y: number) => number]> = [
      ['sin(3*x) * cos(2*y) + x*y', (x, y) => Math.sin(3 * x) * Math.cos(2 * y) + x * y],
      ['exp(-(x^2 + y^2) / (2*0.35^2))', (x, y) => Math.exp(-(x * x + y * y) / (2 * 0.35 ** 2))],
      ['sqrt(x^2 + y^2)', (x, y) => Math.hypot(x, y)],
      ['mod(x + y, 0.3) - tanh(x - y)', (x, y) => x + y - 0.3 * Math.floor((x + y) / 0.3) - Math.tanh(x - y)],
      ['relu(x) * step(y) + sigmoid(x*y)', (x, y) => Math.max(0, x) * (y >= 0 ? 1 : 0) + 1 / (1 + Math.exp(-x * y))],
    ];
    for (const [src, f] of cases) {
      const c = compileExpression(src, 2);
      for (let i = 0; i < 200; i++) {
        const x = 4 * rnd() - 2;
        const y = 4 * rnd() - 2;
        expect(c.evaluate(x, y), `${src} at (${x}, ${y})`).toBeCloseTo(f(x, y), 12);
      }
    }
  });

  it('keeps the undefined-point rules: NaN (never ±∞) on domain errors and beyond the float32 range', () => {
    expect(at('1/(x - y)', 2, 2)).toBeNaN();
    expect(at('1/(x - y)', 2, 1)).toBe(1);
    expect(at('log(x*y)', -1, 2)).toBeNaN();
    expect(at('sqrt(1 - x^2 - y^2)', 1, 1)).toBeNaN();
    expect(at('sqrt(1 - x^2 - y^2)', 0.6, 0)).toBeCloseTo(0.8, 15);
    expect(at('asin(x + y)', 0.7, 0.7)).toBeNaN();
    expect(at('x^y', -2, 0.5)).toBeNaN();
    expect(at('x^y', 0, -1)).toBeNaN();
    expect(at('x * y', 1e20, 1e20)).toBeNaN();
    expect(at('exp(x) - exp(y)', 100, 100)).toBeNaN();
    expect(at('x + y', Number.NaN, 1)).toBeNaN();
    expect(at('x + y', 1, Number.POSITIVE_INFINITY)).toBeNaN();
    expect(compileExpression('x + y', 2).evaluate(1, undefined as unknown as number)).toBeNaN();
  });

  it('takes x-only and constant expressions too', () => {
    expect(at('x^2', 3, 100)).toBe(9);
    expect(at('y', 3, -4)).toBe(-4);
    expect(at('pi', 3, -4)).toBe(Math.PI);
  });

  it('rejects y in dimension 1 exactly as before, with its position', () => {
    const e = syntaxError('x + y', 1);
    expect(e.message).toBe("unknown name 'y' at 4");
    expect(e.position).toBe(4);
    expect(() => compileExpression('x + y')).toThrow("unknown name 'y' at 4");
    expect(() => parseExpression('y')).toThrow(ExpressionSyntaxError);
    // The 1D result keeps its shape: evaluate of x alone.
    expect(compileExpression('2*x').evaluate(3)).toBe(6);
  });

  it('reports errors with their positions', () => {
    expect(syntaxError('x + z').message).toBe("unknown name 'z' at 4");
    expect(syntaxError('x + Y').message).toBe("unknown name 'Y' (names are case-sensitive: did you mean 'y'?) at 4");
    expect(syntaxError('2y').position).toBe(1);
    expect(syntaxError('y(2)').message).toBe("'y' is not a function at 0");
    expect(syntaxError('x * (y + 1').position).toBe(10);
    expect(syntaxError('atan2(y)').message).toMatch(/atan2 takes 2 arguments, got 1 at 0/);
    expect(syntaxError('x + constructor').message).toMatch(/unknown name 'constructor' at 4/);
    expect(syntaxError('__proto__(y)').message).toMatch(/unknown name '__proto__' at 0/);
    expect(syntaxError('x y').message).toMatch(/expected an operator before 'y' at 2/);
  });

  it('keeps the length and depth limits', () => {
    expect(() => compileExpression('x+y+'.repeat(MAX_EXPRESSION_LENGTH / 4) + 'x', 2)).toThrow(/too long/);
    expect(() => compileExpression('('.repeat(80) + 'y' + ')'.repeat(80), 2)).toThrow(/nested too deeply/);
    expect(() => compileExpression(Array(70).fill('y').join('*'), 2)).toThrow(/nested too deeply/);
    expect(compileExpression('('.repeat(30) + 'y' + ')'.repeat(30), 2).evaluate(1, 2)).toBe(2);
    expect(() => compileExpression('x', 3 as 2)).toThrow(RangeError);
  });

  it('emits a WGSL function of (x, y) that raises rs_invalid, and checks its name', () => {
    const c = compileExpression('x*y + 1/y', 2);
    expect(c.wgsl).toBe('rs_chk(rs_chk(x * y) + rs_div(1.0f, y))');
    const fn = c.wgslFunction();
    expect(fn).toContain('fn rs_target(x: f32, y: f32) -> vec2<f32>');
    expect(fn).toContain('rs_invalid = false;');
    expect(c.wgslFunction('my_t')).toContain('fn my_t(x: f32, y: f32)');
    expect(() => c.wgslFunction('bad name')).toThrow(/invalid WGSL function name/);
    // 1D unchanged.
    expect(compileExpression('x').wgslFunction()).toContain('fn rs_target(x: f32) -> vec2<f32>');
  });
});
