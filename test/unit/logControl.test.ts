import { describe, expect, it } from 'vitest';
import { RIDGE_SCALE, UNITS_SCALE, formatRidge } from '../../src/ui/logControl.ts';

describe('log-scale controls', () => {
  it('N: the slider covers 1 … 65,536 in log steps; the box takes any whole N', () => {
    expect(UNITS_SCALE.valueAt(0)).toBe(1);
    expect(UNITS_SCALE.valueAt(UNITS_SCALE.steps)).toBe(65536);
    expect(UNITS_SCALE.valueAt(UNITS_SCALE.positionOf(256))).toBe(256);
    // N below 600 no longer sits in the first pixel: more than half the slider is below 600.
    expect(UNITS_SCALE.positionOf(600)).toBeGreaterThan(UNITS_SCALE.steps / 2);
    expect(UNITS_SCALE.parse('12')).toBe(12);
    expect(UNITS_SCALE.parse(' 65,536 ')).toBe(65536);
    expect(UNITS_SCALE.parse('812x')).toMatch(/Units N: type a whole number from 1 to 65,536/);
    expect(UNITS_SCALE.parse('0')).toMatch(/Units N/);
    expect(UNITS_SCALE.parse('1.5')).toMatch(/Units N/);
    expect(UNITS_SCALE.parse('70000')).toMatch(/Units N/);
  });

  it('λ: shown in full (1e-6, not 0.00000), slider 0 and 1, 2, 5 per decade, box any 0 … 1000', () => {
    expect(formatRidge(1e-6)).toBe('1e-6');
    expect(formatRidge(2.5e-7)).toBe('2.5e-7');
    expect(formatRidge(0)).toBe('0');
    expect(formatRidge(0.5)).toBe('0.5');
    expect(formatRidge(1000)).toBe('1000');
    expect(RIDGE_SCALE.valueAt(0)).toBe(0);
    expect(RIDGE_SCALE.valueAt(1)).toBe(1e-12);
    expect(RIDGE_SCALE.valueAt(RIDGE_SCALE.steps)).toBe(1000);
    for (const v of [1e-12, 2e-9, 5e-7, 1e-6, 1e-3, 0.2, 1, 500, 1000]) expect(RIDGE_SCALE.valueAt(RIDGE_SCALE.positionOf(v))).toBe(v);
    expect(RIDGE_SCALE.valueAt(RIDGE_SCALE.positionOf(3e-6))).toBe(2e-6);
    expect(RIDGE_SCALE.positionOf(0)).toBe(0);
    expect(RIDGE_SCALE.parse('1e-6')).toBe(1e-6);
    expect(RIDGE_SCALE.parse('0')).toBe(0);
    expect(RIDGE_SCALE.parse('-1')).toMatch(/Ridge λ: type a number from 0 to 1000/);
    expect(RIDGE_SCALE.parse('2000')).toMatch(/Ridge λ/);
    expect(RIDGE_SCALE.parse('abc')).toMatch(/Ridge λ/);
  });
});
