import { describe, expect, it } from 'vitest';
import { legendEntries1D } from '../../src/views/legend.ts';
import { PLOT_COLORS } from '../../src/views/plot1d/plot1d.ts';

const all = { target: true, terms: true, knots: true, error: true };

describe('1D legend entries', () => {
  it('list what the plot draws, in its colours', () => {
    const e = legendEntries1D({ show: all, units: 8, selected: 2, dataTarget: false });
    expect(e.map((x) => x.key)).toEqual(['target', 'sum', 'terms', 'knots', 'selected', 'error']);
    expect(e.find((x) => x.key === 'sum')).toMatchObject({ color: PLOT_COLORS.sum, width: 2.5, kind: 'line', label: 'sum of 8 terms (the network)' });
    expect(e.find((x) => x.key === 'error')).toMatchObject({ color: PLOT_COLORS.error, kind: 'dash' });
    expect(e.find((x) => x.key === 'selected')?.label).toBe('selected unit #3');
  });
  it('leave out what is hidden: target, terms, knots, error, no selection, no units', () => {
    expect(legendEntries1D({ show: { target: false, terms: false, knots: false, error: false }, units: 8, selected: -1, dataTarget: false }).map((x) => x.key)).toEqual(['sum']);
    expect(legendEntries1D({ show: all, units: 0, selected: -1, dataTarget: false }).map((x) => x.key)).toEqual(['target', 'sum', 'error']);
    expect(legendEntries1D({ show: all, units: 1, selected: 5, dataTarget: true }).map((x) => x.key)).toEqual(['target', 'samples', 'sum', 'terms', 'knots', 'error']);
  });
  it('name the terms by their activation; linear units have no knots to list', () => {
    const linear = legendEntries1D({ show: all, units: 8, selected: -1, dataTarget: false, activation: 'linear' });
    expect(linear.map((x) => x.key)).toEqual(['target', 'sum', 'terms', 'error']);
    expect(linear.find((x) => x.key === 'terms')?.label).toBe('unit terms a·(w·x + b) (linear)');
    expect(legendEntries1D({ show: all, units: 8, selected: -1, dataTarget: false, activation: 'sigmoid' }).find((x) => x.key === 'terms')?.label).toBe('unit terms a·σ(w·x + b)');
    expect(legendEntries1D({ show: all, units: 8, selected: -1, dataTarget: false, activation: 'leaky-relu' }).map((x) => x.key)).toContain('knots');
  });
});
