import { describe, expect, it } from 'vitest';
import { MAX_CSV_POINTS } from '../../src/model/csv.ts';
import { compileExpression } from '../../src/model/expression.ts';
import { gridPoints2D } from '../../src/model/grid.ts';
import { seededRandom } from '../../src/model/network.ts';
import { InvalidTargetError } from '../../src/model/targets.ts';
import {
  DEFAULT_TARGET_2D_ID,
  EXPRESSION_DOMAIN_2D,
  TARGETS_2D,
  type Target2DSpec,
  interpolateSamples2D,
  resolveTarget2D,
  sampleTarget2D,
  validateTarget2D,
} from '../../src/model/targets2d.ts';

function invalid(value: unknown): InvalidTargetError {
  try {
    validateTarget2D(value);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidTargetError);
    return e as InvalidTargetError;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('2D target library', () => {
  it('has the ids in menu order, distinct labels, and the bump as default', () => {
    expect(TARGETS_2D.map((t) => t.id)).toEqual(['plane', 'cone', 'bump', 'saddle', 'ripple', 'checker', 'noisy2d']);
    expect(new Set(TARGETS_2D.map((t) => t.label)).size).toBe(TARGETS_2D.length);
    expect(DEFAULT_TARGET_2D_ID).toBe('bump');
    for (const t of TARGETS_2D) {
      expect(t.domain).toEqual({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });
      expect(Boolean(t.expression) !== Boolean(t.samples), t.id).toBe(true);
    }
  });

  it('each target is finite on its domain and not constant', () => {
    for (const t of TARGETS_2D) {
      const r = resolveTarget2D({ kind: 'builtin', id: t.id });
      expect(r.label).toBe(t.label);
      expect(r.spec).toEqual({ kind: 'builtin', id: t.id });
      const v = sampleTarget2D(r, { ...r.domain, nx: 97, ny: 89 });
      expect(v.every(Number.isFinite), t.id).toBe(true);
      expect(Math.max(...v) - Math.min(...v), t.id).toBeGreaterThan(0.5);
      if (t.expression) {
        expect(r.expression?.source).toBe(t.expression);
        expect(r.wgsl).toBe(compileExpression(t.expression, 2).wgsl);
        expect(r.samples).toBeUndefined();
      } else {
        expect(r.wgsl).toBeUndefined();
        expect(r.samples?.xs.length).toBeGreaterThanOrEqual(150);
      }
    }
  });

  it('has the shapes it names', () => {
    const f = (id: string) => resolveTarget2D({ kind: 'builtin', id }).f;
    expect(f('plane')(1, 1)).toBeCloseTo(0.4, 14);
    expect(f('cone')(0, 0)).toBe(1);
    expect(f('cone')(0.6, 0.8)).toBeCloseTo(0, 14);
    expect(f('bump')(0, 0)).toBe(1);
    expect(f('bump')(0.35, 0)).toBeCloseTo(Math.exp(-0.5), 14);
    expect(f('saddle')(0.5, 1)).toBeCloseTo(-0.75, 14);
    expect(f('ripple')(0, 0)).toBe(0);
    expect(f('ripple')(1 / 6, 0)).toBeCloseTo(1, 12);
    const checker = f('checker');
    expect([checker(0.1, 0.1), checker(0.6, 0.1), checker(0.6, 0.6), checker(-0.1, 0.1)]).toEqual([1, -1, 1, -1]);
    // The noisy set is fixed: the same on every load.
    const a = resolveTarget2D({ kind: 'builtin', id: 'noisy2d' }).samples!;
    const b = resolveTarget2D({ kind: 'builtin', id: 'noisy2d' }).samples!;
    expect(Array.from(a.zs)).toEqual(Array.from(b.zs));
    expect(a.xs.every((x) => x > -1 && x < 1) && a.ys.every((y) => y > -1 && y < 1)).toBe(true);
  });
});

describe('validateTarget2D', () => {
  it('accepts and normalises good specs', () => {
    expect(validateTarget2D({ kind: 'builtin', id: 'saddle', extra: 1 })).toEqual({ kind: 'builtin', id: 'saddle' });
    expect(validateTarget2D({ kind: 'expression', source: 'x*y' })).toEqual({ kind: 'expression', source: 'x*y' });
    expect(validateTarget2D({ kind: 'data', xs: [1, 0, 1], ys: [0, 0, 0], zs: [2, 5, 4] })).toEqual({
      kind: 'data',
      xs: [0, 1],
      ys: [0, 0],
      zs: [5, 3],
    });
    expect(validateTarget2D({ kind: 'data', xs: new Float64Array([1]), ys: [2], zs: new Float32Array([3]) })).toEqual({ kind: 'data', xs: [1], ys: [2], zs: [3] });
  });

  it('rejects unknown and prototype ids, listing the 2D ids', () => {
    for (const id of ['sin', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      const e = invalid({ kind: 'builtin', id });
      expect(e.field).toBe('id');
      expect(e.message).toContain('known: plane, cone, bump, saddle, ripple, checker, noisy2d');
    }
    expect(invalid({ kind: 'builtin', id: 3 }).field).toBe('id');
    expect(invalid({ kind: 'builtin' }).field).toBe('id');
  });

  it('rejects wrong types and kinds', () => {
    for (const v of [null, undefined, 3, 'bump', [], [{ kind: 'builtin', id: 'bump' }]]) expect(invalid(v).field).toBe('target');
    for (const kind of [undefined, 'Builtin', '__proto__', 'constructor', 7]) expect(invalid({ kind, id: 'bump' }).field).toBe('kind');
    expect(invalid(JSON.parse('{"__proto__": {"kind": "builtin"}, "id": "bump"}')).field).toBe('kind');
    expect(invalid({ kind: 'expression', source: 5 }).field).toBe('source');
  });

  it('reports expression errors with positions, in x and y', () => {
    const e = invalid({ kind: 'expression', source: 'x + y + z' });
    expect(e.field).toBe('source');
    expect(e.position).toBe(8);
    expect(e.message).toBe("Invalid target: source: unknown name 'z' at 8");
    expect(invalid({ kind: 'expression', source: 'x * (y' }).position).toBe(6);
    expect(invalid({ kind: 'expression', source: '' }).position).toBe(0);
    expect(invalid({ kind: 'expression', source: 'x'.repeat(501) }).message).toMatch(/too long/);
  });

  it('rejects bad data: non-arrays, NaN and ±Infinity, out-of-range values, mismatched lengths, empty, too many', () => {
    const ok = { kind: 'data', xs: [0, 1], ys: [0, 1], zs: [0, 1] };
    expect(invalid({ ...ok, xs: 'nope' }).field).toBe('xs');
    expect(invalid({ ...ok, zs: { length: 2, 0: 1, 1: 2 } }).field).toBe('zs');
    expect(invalid({ ...ok, zs: new DataView(new ArrayBuffer(8)) }).field).toBe('zs');
    expect(invalid({ ...ok, ys: [0, Number.NaN] }).field).toBe('ys[1]');
    expect(invalid({ ...ok, zs: [Number.POSITIVE_INFINITY, 0] }).field).toBe('zs[0]');
    expect(invalid({ ...ok, xs: [0, Number.NEGATIVE_INFINITY] }).field).toBe('xs[1]');
    expect(invalid({ ...ok, xs: [0, '1'] }).field).toBe('xs[1]');
    expect(invalid({ ...ok, zs: [0, 2e15] }).message).toMatch(/±1e15/);
    expect(invalid({ ...ok, ys: [0] }).field).toBe('ys');
    expect(invalid({ ...ok, zs: [0, 1, 2] }).field).toBe('zs');
    expect(invalid({ kind: 'data', xs: [], ys: [], zs: [] }).message).toMatch(/at least 1 point/);
    const many = new Array(MAX_CSV_POINTS + 1).fill(0);
    expect(invalid({ kind: 'data', xs: many, ys: many, zs: many }).message).toMatch(`at most ${MAX_CSV_POINTS} points`);
  });
});

describe('resolveTarget2D and sampleTarget2D', () => {
  it('samples row-major like gridPoints2D: index j·nx + i is (x_i, y_j)', () => {
    const grid = { xMin: -1, xMax: 2, yMin: 0, yMax: 5, nx: 4, ny: 3 };
    const t = resolveTarget2D({ kind: 'expression', source: 'x + 10*y' });
    const v = sampleTarget2D(t, grid);
    const pts = gridPoints2D(grid);
    expect(v).toHaveLength(12);
    for (let k = 0; k < 12; k++) expect(v[k]).toBeCloseTo(pts[2 * k] + 10 * pts[2 * k + 1], 12);
    expect(Array.from(v.slice(0, 4))).toEqual([-1, 0, 1, 2]);
    expect(v[4]).toBe(24);
    expect(sampleTarget2D(t, { ...grid, nx: 1, ny: 1 })).toEqual(new Float64Array([-1]));
    expect(() => sampleTarget2D(t, { ...grid, nx: 0 })).toThrow(/nx/);
    expect(() => sampleTarget2D(t, { ...grid, yMax: -1 })).toThrow(/yMax/);
  });

  it('gives NaN where an expression is undefined, and the default domain [−1, 1]²', () => {
    const t = resolveTarget2D({ kind: 'expression', source: 'sqrt(1 - x^2 - y^2)' });
    expect(t.label).toBe('sqrt(1 - x^2 - y^2)');
    expect(t.domain).toEqual(EXPRESSION_DOMAIN_2D);
    const v = sampleTarget2D(t, { ...t.domain, nx: 3, ny: 3 });
    expect(Array.from(v, Number.isNaN)).toEqual([true, false, true, false, false, false, true, false, true]);
    expect(v[4]).toBe(1);
    // A domain handed out is a copy: editing it cannot change the next target's.
    t.domain.xMin = -5;
    expect(resolveTarget2D({ kind: 'expression', source: 'x' }).domain.xMin).toBe(-1);
  });

  it('validates untrusted specs when resolving', () => {
    expect(() => resolveTarget2D({ kind: 'builtin', id: 'constructor' })).toThrow(InvalidTargetError);
    expect(() => resolveTarget2D({ kind: 'expression', source: 'x +' } as Target2DSpec)).toThrow(InvalidTargetError);
  });

  it('data: hits the samples exactly, stays within their range, pads the bounding box', () => {
    const rnd = seededRandom(5);
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let i = 0; i < 500; i++) {
      xs.push(10 + 4 * rnd());
      ys.push(-3 + 2 * rnd());
      zs.push(Math.sin(xs[i]) + ys[i]);
    }
    const t = resolveTarget2D({ kind: 'data', xs, ys, zs });
    expect(t.label).toBe('data (500 points)');
    expect(t.wgsl).toBeUndefined();
    const s = t.samples!;
    expect(s.xs).toBeInstanceOf(Float64Array);
    for (let i = 0; i < s.xs.length; i++) expect(t.f(s.xs[i], s.ys[i])).toBe(s.zs[i]);
    const lo = Math.min(...zs);
    const hi = Math.max(...zs);
    const v = sampleTarget2D(t, { ...t.domain, nx: 40, ny: 40 });
    expect(v.every((z) => z >= lo && z <= hi)).toBe(true);
    const d = t.domain;
    expect(d.xMin).toBeLessThan(Math.min(...xs));
    expect(d.xMax).toBeGreaterThan(Math.max(...xs));
    expect(d.yMin).toBeLessThan(Math.min(...ys));
    expect(d.yMax - d.yMin).toBeLessThan(2.5);
    // Close to the smooth function between samples (500 points on 4 × 2).
    let worst = 0;
    for (let k = 0; k < 200; k++) {
      const x = 10.2 + 3.6 * rnd();
      const y = -2.9 + 1.8 * rnd();
      worst = Math.max(worst, Math.abs(t.f(x, y) - (Math.sin(x) + y)));
    }
    expect(worst).toBeLessThan(0.15);
    expect(t.f(Number.NaN, 0)).toBeNaN();
  });

  it('data: one point, or points on a line, still get a non-empty domain', () => {
    const one = resolveTarget2D({ kind: 'data', xs: [2], ys: [3], zs: [7] });
    expect(one.domain.xMin).toBeLessThan(2);
    expect(one.domain.xMax).toBeGreaterThan(2);
    expect(one.domain.yMin).toBeLessThan(3);
    expect(sampleTarget2D(one, { ...one.domain, nx: 5, ny: 5 }).every((z) => z === 7)).toBe(true);
    const line = resolveTarget2D({ kind: 'data', xs: [0, 1, 2], ys: [5, 5, 5], zs: [0, 1, 2] });
    expect(line.domain.yMax - line.domain.yMin).toBeGreaterThan(1);
    const far = resolveTarget2D({ kind: 'data', xs: [1e15, 1e15], ys: [0, 1e-6], zs: [0, 1] });
    expect(far.domain.xMin).toBeLessThan(far.domain.xMax);
  });

  it('interpolateSamples2D: matches a brute-force inverse-distance blend of the nearest samples on clustered data', () => {
    const rnd = seededRandom(11);
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    // A lattice (repeated coordinates), a tight cluster and a few far points.
    for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++) (xs.push(i / 19), ys.push(j / 19), zs.push(rnd()));
    for (let i = 0; i < 300; i++) (xs.push(0.5 + 1e-4 * rnd()), ys.push(0.5 + 1e-4 * rnd()), zs.push(rnd()));
    for (let i = 0; i < 5; i++) (xs.push(3 + rnd()), ys.push(-2 + rnd()), zs.push(rnd()));
    const f = interpolateSamples2D(xs, ys, zs);
    const x0 = Math.min(...xs);
    const sx = Math.max(...xs) - x0;
    const y0 = Math.min(...ys);
    const sy = Math.max(...ys) - y0;
    for (let q = 0; q < 300; q++) {
      const x = -1 + 5 * rnd();
      const y = -3 + 5 * rnd();
      const v = f(x, y);
      // Brute force: the 8 nearest (scaled distances); the tree may take neighbours up to 1.25× the 8th distance.
      const d = xs.map((_, i) => ((xs[i] - x) / sx) ** 2 + ((ys[i] - y) / sy) ** 2);
      const order = d.map((_, i) => i).sort((a, b) => d[a] - d[b]);
      const exact = order.slice(0, 8);
      const lo = Math.min(...exact.map((i) => zs[i]));
      const hi = Math.max(...exact.map((i) => zs[i]));
      const near = order.filter((i) => d[i] <= 1.25 ** 2 * d[order[7]]);
      const nlo = Math.min(...near.map((i) => zs[i]));
      const nhi = Math.max(...near.map((i) => zs[i]));
      expect(v).toBeGreaterThanOrEqual(Math.min(lo, nlo) - 1e-12);
      expect(v).toBeLessThanOrEqual(Math.max(hi, nhi) + 1e-12);
    }
    expect(() => interpolateSamples2D([], [], [])).toThrow();
    expect(() => interpolateSamples2D([1], [1, 2], [1])).toThrow();
  });

  it('data: 256² evaluations over 100,000 samples (the k-d tree at full size) follow the data', () => {
    const rnd = seededRandom(99);
    const n = MAX_CSV_POINTS;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const zs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = rnd();
      ys[i] = rnd();
      zs[i] = xs[i] * ys[i];
    }
    const f = interpolateSamples2D(xs, ys, zs);
    const v = sampleTarget2D({ f }, { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 256, ny: 256 });
    let worst = 0;
    for (let j = 0; j < 256; j++) for (let i = 0; i < 256; i++) worst = Math.max(worst, Math.abs(v[j * 256 + i] - (i / 255) * (j / 255)));
    expect(worst).toBeLessThan(0.02);
  });
});
