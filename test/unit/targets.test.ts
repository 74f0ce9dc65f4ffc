import { describe, expect, it } from 'vitest';
import {
  InvalidTargetError,
  TARGETS,
  interpolateSamples,
  resolveTarget,
  sampleTarget,
  validateTargetSpec,
} from '../../src/model/targets.ts';

function invalid(value: unknown): InvalidTargetError {
  try {
    validateTargetSpec(value);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidTargetError);
    return e as InvalidTargetError;
  }
  throw new Error('expected InvalidTargetError');
}

describe('built-in targets', () => {
  it('has the required library with unique ids, and each resolves to a function defined on its domain', () => {
    const ids = TARGETS.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['sin', 'abs', 'square', 'step', 'sawtooth', 'gaussian', 'noisy']) expect(ids).toContain(id);
    for (const t of TARGETS) {
      const r = resolveTarget({ kind: 'builtin', id: t.id });
      expect(r.domain).toEqual(t.domain);
      expect(r.label).toBe(t.label);
      const s = sampleTarget(r.f, r.domain, 501);
      expect(s.xs.length, t.id).toBe(501);
      if (t.expression) expect(r.wgsl).toBeTypeOf('string');
      else expect(r.samples?.xs.length).toBeGreaterThan(10);
    }
  });

  it('evaluates the library as documented', () => {
    const f = (id: string) => resolveTarget({ kind: 'builtin', id }).f;
    expect(f('sin')(1)).toBeCloseTo(Math.sin(1), 15);
    expect(f('abs')(-0.5)).toBe(0.5);
    expect(f('square')(-0.5)).toBe(0.25);
    expect([f('step')(-0.1), f('step')(0), f('step')(0.1)]).toEqual([0, 1, 1]);
    expect(f('sawtooth')(0.25)).toBeCloseTo(0.5, 15);
    expect(f('sawtooth')(0.75)).toBeCloseTo(-0.5, 15);
    expect(f('gaussian')(0)).toBe(1);
  });

  it('the noisy sample set is fixed (same numbers every time) and sorted', () => {
    const a = TARGETS.find((t) => t.id === 'noisy')!.samples!;
    expect(a.xs).toHaveLength(40);
    for (let i = 1; i < a.xs.length; i++) expect(a.xs[i]).toBeGreaterThan(a.xs[i - 1]);
    // Pinned: a change to the generator or its seed would silently change every saved link using it.
    expect([a.xs[0], a.ys[0], a.xs[39], a.ys[39]]).toEqual([-1.923886425383389, 0.14193645021912046, 1.984307838869281, -0.1135095874541602]);
    const r = resolveTarget({ kind: 'builtin', id: 'noisy' });
    expect(r.samples!.ys).toEqual(a.ys);
  });
});

describe('validateTargetSpec', () => {
  it('accepts the three kinds and normalises data', () => {
    expect(validateTargetSpec({ kind: 'builtin', id: 'sin', extra: 1 })).toEqual({ kind: 'builtin', id: 'sin' });
    expect(validateTargetSpec({ kind: 'expression', source: 'x^2' })).toEqual({ kind: 'expression', source: 'x^2' });
    expect(validateTargetSpec({ kind: 'data', xs: [2, 0, 2], ys: [1, 5, 3] })).toEqual({ kind: 'data', xs: [0, 2], ys: [5, 2] });
  });

  it('rejects bad specs with clear messages', () => {
    expect(invalid(null).message).toMatch(/must be an object/);
    expect(invalid({ kind: 'magic' }).message).toMatch(/kind: must be 'builtin', 'expression' or 'data', got "magic"/);
    expect(invalid({ kind: 'builtin', id: 'nope' }).message).toMatch(/unknown built-in target 'nope' \(known: sin, /);
    expect(invalid({ kind: 'builtin', id: 'toString' }).message).toMatch(/unknown built-in target/);
    const e = invalid({ kind: 'expression', source: 'sin(x) + foo' });
    expect(e.field).toBe('source');
    expect(e.position).toBe(9);
    expect(e.message).toMatch(/unknown name 'foo' at 9/);
    expect(invalid({ kind: 'expression', source: 3 }).message).toMatch(/source: must be a string/);
    expect(invalid({ kind: 'data', xs: [0, 1], ys: [1] }).message).toMatch(/ys: must have as many entries as xs \(2\), got 1/);
    expect(invalid({ kind: 'data', xs: [0, Number.NaN], ys: [1, 2] }).field).toBe('xs[1]');
    expect(invalid({ kind: 'data', xs: [0, 1], ys: [1, '2'] }).field).toBe('ys[1]');
    expect(invalid({ kind: 'data', xs: [1, 1], ys: [1, 2] }).message).toMatch(/at least 2 points with different x/);
    expect(invalid({ kind: 'data', xs: 'abc', ys: [] }).message).toMatch(/xs: must be an array/);
  });
});

describe('data targets', () => {
  it('interpolate linearly between the sorted samples and stay constant beyond the ends', () => {
    const r = resolveTarget({ kind: 'data', xs: [0, 1, 3], ys: [0, 2, -2] });
    expect(r.domain).toEqual([0, 3]);
    expect([r.f(-5), r.f(0), r.f(0.5), r.f(1), r.f(2), r.f(3), r.f(10)]).toEqual([0, 0, 1, 2, 0, -2, -2]);
    expect(r.f(Number.NaN)).toBeNaN();
    expect(r.wgsl).toBeUndefined();
  });

  it('interpolateSamples is exact at every sample of a large set', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i * i * 0.001);
    const ys = xs.map((x) => Math.cos(x));
    const f = interpolateSamples(xs, ys);
    for (let i = 0; i < xs.length; i++) expect(f(xs[i])).toBe(ys[i]);
  });
});

describe('expression targets and sampling', () => {
  it('resolve with the default domain and WGSL, and sampleTarget drops undefined points', () => {
    const r = resolveTarget({ kind: 'expression', source: 'log(x)' });
    expect(r.domain[0]).toBeCloseTo(-Math.PI, 15);
    expect(r.wgsl).toBe('rs_log(x)');
    const s = sampleTarget(r.f, [-1, 1], 201);
    expect(s.xs.length).toBe(100);
    expect(Math.min(...s.xs)).toBeGreaterThan(0);
    expect(() => sampleTarget(r.f, [1, 1], 10)).toThrow(/invalid domain/);
    expect(() => sampleTarget(r.f, [0, 1], 0)).toThrow(/positive integer/);
  });
});

describe('targets and networks are read by their own fields only', () => {
  it('refuses a target or network whose fields are only inherited', async () => {
    const { validateTarget2D } = await import('../../src/model/targets2d.ts');
    const { validateNetwork } = await import('../../src/model/network.ts');
    expect(() => validateTargetSpec(Object.create({ kind: 'builtin', id: 'abs' }))).toThrow(/kind/);
    expect(() => validateTarget2D(Object.create({ kind: 'builtin', id: 'cone' }))).toThrow(/kind/);
    expect(() => validateTargetSpec(Object.assign(Object.create({ id: 'abs' }), { kind: 'builtin' }))).toThrow(/id/);
    expect(() => validateNetwork(Object.create({ dim: 1, w: [1], b: [0], a: [1], c: 0 }))).toThrow(/dim/);
    // Own fields of the prototype's name ("__proto__" from JSON) are not taken for anything.
    expect(validateTargetSpec(JSON.parse('{"kind":"builtin","id":"abs","__proto__":{"id":"sin"}}'))).toEqual({ kind: 'builtin', id: 'abs' });
  });
});
