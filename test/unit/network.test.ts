import { describe, expect, it } from 'vitest';
import { InvalidNetworkError, MAX_UNITS, randomNetwork, validateNetwork, cloneNetwork, knotOf, isValidNetwork } from '../../src/model/network.ts';
import { piecewise1D, piecewiseOf } from '../../src/model/piecewise1d.ts';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidNetworkError);
    return (e as InvalidNetworkError).field;
  }
  throw new Error('expected a throw');
}

describe('validateNetwork', () => {
  it('accepts 1D and 2D networks and returns plain copies', () => {
    const src = { dim: 2, w: new Float32Array([1, 2, 3, 4]), b: [0.5, -1], a: [1, 2], c: 3 };
    const net = validateNetwork(src);
    expect(net).toEqual({ dim: 2, w: [1, 2, 3, 4], b: [0.5, -1], a: [1, 2], c: 3 });
    expect(Array.isArray(net.w)).toBe(true);
    src.b[0] = 99;
    expect(net.b[0]).toBe(0.5);
    expect(validateNetwork({ dim: 1, w: [], b: [], a: [], c: 0 })).toEqual({ dim: 1, w: [], b: [], a: [], c: 0 });
  });

  it('defaults a missing c to 0', () => {
    expect(validateNetwork({ dim: 1, w: [1], b: [0], a: [1] }).c).toBe(0);
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validateNetwork(null))).toBe('network');
    expect(fieldOf(() => validateNetwork([1]))).toBe('network');
    expect(fieldOf(() => validateNetwork({ dim: 3, w: [], b: [], a: [], c: 0 }))).toBe('dim');
    expect(fieldOf(() => validateNetwork({ dim: '1', w: [], b: [], a: [], c: 0 }))).toBe('dim');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0], a: 'x', c: 0 }))).toBe('a');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1, 2], b: [0], a: [1], c: 0 }))).toBe('w');
    expect(fieldOf(() => validateNetwork({ dim: 2, w: [1], b: [0], a: [1], c: 0 }))).toBe('w');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0, 1], a: [1], c: 0 }))).toBe('b');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1, NaN], b: [0, 0], a: [1, 1], c: 0 }))).toBe('w[1]');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [Infinity], a: [1], c: 0 }))).toBe('b[0]');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0], a: [-Infinity], c: 0 }))).toBe('a[0]');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0], a: ['1'], c: 0 }))).toBe('a[0]');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0], a: [1], c: NaN }))).toBe('c');
    expect(fieldOf(() => validateNetwork({ dim: 1, w: [1], b: [0], a: [1], c: 0, layers: [] }))).toBe('layers');
  });

  it('enforces 0 ≤ N ≤ 65,536', () => {
    const ok = randomNetwork(1, MAX_UNITS, 3);
    expect(validateNetwork(ok).a.length).toBe(MAX_UNITS);
    const n = MAX_UNITS + 1;
    const tooMany = { dim: 1, w: new Array(n).fill(1), b: new Array(n).fill(0), a: new Array(n).fill(1), c: 0 };
    expect(fieldOf(() => validateNetwork(tooMany))).toBe('a');
    expect(() => validateNetwork(tooMany)).toThrow(/at most 65536/);
  });

  it('messages say what was wrong', () => {
    expect(() => validateNetwork({ dim: 1, w: [1, 2], b: [0], a: [1], c: 0 })).toThrow('Invalid network: w: must have 1 entries, got 2');
    expect(() => validateNetwork({ dim: 1, w: [null], b: [0], a: [1], c: 0 })).toThrow(/w\[0\]: must be a finite number, got null/);
  });
});

describe('validated networks', () => {
  it('carry the fact: isValidNetwork, no second copy, the object frozen and its arrays fast', () => {
    const raw = randomNetwork(2, 37, 5);
    expect(isValidNetwork(raw)).toBe(false);
    expect(isValidNetwork(null)).toBe(false);
    expect(isValidNetwork(42)).toBe(false);
    const v = validateNetwork(raw);
    expect(isValidNetwork(v)).toBe(true);
    expect(validateNetwork(v)).toBe(v);
    // A structurally equal copy is not validated until it passes through validateNetwork.
    expect(isValidNetwork({ ...v })).toBe(false);
    expect(Object.isFrozen(v)).toBe(true);
    expect(() => {
      (v as { a: number[] }).a = [];
    }).toThrow(TypeError);
    // Frozen arrays would box their doubles (V8): the arrays stay plain, and are copied before any edit.
    expect(Object.isFrozen(v.w) || Object.isFrozen(v.b) || Object.isFrozen(v.a)).toBe(false);
    // Editing goes through a copy, which is mutable and unvalidated again.
    const edited = cloneNetwork(v);
    edited.a[0] = 3;
    expect(isValidNetwork(edited)).toBe(false);
    expect(v.a[0]).toBe(raw.a[0]);
  });

  it('piecewiseOf sorts the knots once per validated network and agrees with piecewise1D', () => {
    const v = validateNetwork(randomNetwork(1, 513, 8));
    const pl = piecewiseOf(v);
    expect(piecewiseOf(v)).toBe(pl);
    expect(pl).toEqual(piecewise1D(v));
    const other = validateNetwork(cloneNetwork(v));
    expect(piecewiseOf(other)).not.toBe(pl);
    expect(piecewiseOf(other)).toEqual(pl);
  });

  it('piecewise1D refuses a 2D network with a typed error', () => {
    expect(() => piecewise1D(randomNetwork(2, 3))).toThrow(InvalidNetworkError);
    expect(() => piecewise1D(randomNetwork(2, 3))).toThrow(/needs a 1D network, got a 2D one/);
  });
});

describe('helpers', () => {
  it('randomNetwork has no zero parameters and is reproducible', () => {
    const a = randomNetwork(2, 500, 42);
    expect(a).toEqual(randomNetwork(2, 500, 42));
    for (const arr of [a.w, a.b, a.a]) expect(arr.every((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    expect(a.c).not.toBe(0);
  });

  it('cloneNetwork does not alias', () => {
    const a = randomNetwork(1, 3);
    const b = cloneNetwork(a);
    b.w[0] = 123;
    expect(a.w[0]).not.toBe(123);
  });

  it('knotOf is −b/w, and null for flat units', () => {
    const net = validateNetwork({ dim: 1, w: [2, 0], b: [-1, 3], a: [1, 1], c: 0 });
    expect(knotOf(net, 0)).toBe(0.5);
    expect(knotOf(net, 1)).toBeNull();
  });
});

describe('the value bound (what float32 holds with headroom)', () => {
  it('refuses weights, biases and output weights beyond ±1e15 with the field named, and takes 1e15 itself', () => {
    const ok = { dim: 1, w: [1e15, -1], b: [0, -1e15], a: [1, 1e15], c: -1e15 };
    expect(validateNetwork(ok).a[1]).toBe(1e15);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...ok, a: [1e39, 1] }, /a\[0\]: 1e39 is outside ±1e15/],
      [{ ...ok, w: [1, 1e308] }, /w\[1\]: 1e308 is outside ±1e15/],
      [{ ...ok, b: [-2e15, 0] }, /b\[0\]: -2e15 is outside ±1e15/],
      [{ ...ok, c: 1e308 }, /c: 1e308 is outside ±1e15/],
    ];
    for (const [net, message] of cases) {
      expect(() => validateNetwork(net)).toThrow(InvalidNetworkError);
      expect(() => validateNetwork(net)).toThrow(message);
    }
  });
});
