import { describe, expect, it } from 'vitest';
import { bendsInView, captionOf } from '../../src/app/explore.ts';
import { errorStats } from '../../src/model/errorStats.ts';
import { interpolateNetwork } from '../../src/model/fit1d.ts';
import { evaluatePiecewise, piecewise1D } from '../../src/model/piecewise1d.ts';
import { TARGETS, resolveTarget } from '../../src/model/targets.ts';
import { STATE_KEYS, initialState, reduce } from '../../src/state/state.ts';
import { FIRST_2D_STEP, TOUR } from '../../src/ui/tour.ts';

describe('the tour', () => {
  it('has patches the state accepts, the 1D chapter first', () => {
    let s = initialState();
    TOUR.forEach((step, k) => {
      s = reduce(s, step.patch()).state;
      expect(s.mode).toBe(k < FIRST_2D_STEP ? '1d' : '2d');
    });
    expect(FIRST_2D_STEP).toBeGreaterThan(0);
  });

  it('hides the target in steps 1–5 (so no error is shown) and shows it from step 6', () => {
    for (let k = 0; k < 5; k++) expect((TOUR[k].patch().show as { target: boolean }).target).toBe(false);
    for (let k = 5; k < 8; k++) expect((TOUR[k].patch().show as { target: boolean }).target).toBe(true);
  });

  it('step 7: one unit per sample, and the sum equals the data target over the whole view', () => {
    const step = TOUR[6].patch();
    const net = step.network as { dim: 1; w: number[]; b: number[]; a: number[]; c: number };
    const noisy = TARGETS.find((t) => t.id === 'noisy')!.samples!;
    expect(net.a.length).toBe(noisy.xs.length);
    const t = resolveTarget({ kind: 'builtin', id: 'noisy' });
    const view = step.view as { xMin: number; xMax: number };
    const xs = Array.from({ length: 4001 }, (_, i) => view.xMin + ((view.xMax - view.xMin) * i) / 4000);
    const st = errorStats(evaluatePiecewise(piecewise1D(net), xs), xs.map(t.f));
    expect(st.max).toBeLessThan(1e-12);
    expect(TOUR[6].caption).toMatch(/max error reads 0/);
  });

  it('step 8 names the current target and counts the bends its multiples show', () => {
    const step = TOUR[7];
    expect(step.multiples).toEqual([3, 5, 10, 100]);
    const s = reduce(initialState(), { target: { kind: 'builtin', id: 'abs' } }).state;
    expect(captionOf(step, s)).toContain('|x|');
    // Interpolating sin on [−π, π]: 3 units bend at −π, −π/3 and π/3; with 2 units sin is 0 at all three nodes.
    const sin = resolveTarget({ kind: 'builtin', id: 'sin' });
    const view = { xMin: -3.5, xMax: 3.5 };
    const bends = (n: number) => bendsInView(piecewise1D(interpolateNetwork(sin.f, n, sin.domain)), view.xMin, view.xMax, 1e-9);
    expect(bends(3)).toBe(3);
    expect(bends(2)).toBe(0);
    expect(bends(5)).toBe(5);
  });

  it('joins the linear control step only once the state has an activation field', () => {
    const has = (STATE_KEYS as readonly string[]).includes('activation');
    const linear = TOUR.filter((step) => step.patch().activation === 'linear');
    expect(linear.length).toBe(has ? 1 : 0);
  });
});
