/**
 * The 1D plot's legend: a DOM strip along the plot's top edge that names what is drawn (target, sum, terms,
 * knots, selected unit, error, data points) with swatches in the plot's own colours and strokes. Only entries
 * that are on screen are listed. It is DOM rather than canvas pixels, outside the canvas, so it never fights
 * the plot's drawing, never hides a curve, and stays readable (by tests and screen readers too).
 */
import type { Activation } from '../model/activation.ts';
import { PLOT_COLORS } from './plot1d/plot1d.ts';

/** How an entry's swatch is drawn: a line (solid or dashed), a knot tick, a dot or a faint fan of lines. */
export type SwatchKind = 'line' | 'dash' | 'tick' | 'dot' | 'terms';

export interface LegendEntry {
  /** Stable key (tests read it from data-key): target, sum, terms, knots, selected, error, samples. */
  key: string;
  label: string;
  kind: SwatchKind;
  color: string;
  /** Stroke width in CSS pixels, as the plot draws it. */
  width: number;
}

/** What the 1D plot shows, as far as the legend needs to know. */
export interface Legend1DInput {
  show: { target: boolean; terms: boolean; knots: boolean; error: boolean };
  /** Units in the network. */
  units: number;
  /** The selected unit's index, or −1. */
  selected: number;
  /** Whether the target is data points (drawn as dots over the curve through them: CSV data, noisy samples). */
  dataTarget: boolean;
  /** The units' activation (absent: ReLU): names the terms, and linear units have no knots to list. */
  activation?: Activation;
}

/** How the legend writes one term for each activation. */
const TERM_LABELS: Readonly<Record<Activation, string>> = {
  relu: 'unit terms a·ReLU(w·x + b)',
  'leaky-relu': 'unit terms a·LeakyReLU(w·x + b)',
  linear: 'unit terms a·(w·x + b) (linear)',
  sigmoid: 'unit terms a·σ(w·x + b)',
};

/** The entries for what the 1D plot draws, in the plot's colours and strokes (see Plot1D.draw). */
export function legendEntries1D(s: Legend1DInput): LegendEntry[] {
  const e: LegendEntry[] = [];
  if (s.show.target) {
    e.push({ key: 'target', label: s.dataTarget ? 'target (through the points)' : 'target f(x)', kind: 'line', color: PLOT_COLORS.target, width: 2 });
    if (s.dataTarget) e.push({ key: 'samples', label: 'data points', kind: 'dot', color: PLOT_COLORS.samples, width: 5 });
  }
  e.push({ key: 'sum', label: `sum of ${s.units.toLocaleString('en-US')} term${s.units === 1 ? '' : 's'} (the network)`, kind: 'line', color: PLOT_COLORS.sum, width: 2.5 });
  const activation = s.activation ?? 'relu';
  if (s.show.terms && s.units > 0) e.push({ key: 'terms', label: TERM_LABELS[activation], kind: 'terms', color: PLOT_COLORS.term, width: 1 });
  // Linear units never bend, and the plot marks no knots for them.
  if (s.show.knots && s.units > 0 && activation !== 'linear') e.push({ key: 'knots', label: 'knots (drag them)', kind: 'tick', color: PLOT_COLORS.sum, width: 2 });
  if (s.selected >= 0 && s.selected < s.units) e.push({ key: 'selected', label: `selected unit #${s.selected + 1}`, kind: 'line', color: PLOT_COLORS.selected, width: 2.5 });
  if (s.show.error) e.push({ key: 'error', label: 'error: sum − target', kind: 'dash', color: PLOT_COLORS.error, width: 1.5 });
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';

function swatch(entry: LegendEntry): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '12');
  svg.setAttribute('viewBox', '0 0 22 12');
  svg.setAttribute('aria-hidden', 'true');
  const line = (x1: number, y1: number, x2: number, y2: number, opacity = 1) => {
    const l = document.createElementNS(SVG, 'line');
    l.setAttribute('x1', String(x1));
    l.setAttribute('y1', String(y1));
    l.setAttribute('x2', String(x2));
    l.setAttribute('y2', String(y2));
    l.setAttribute('stroke', entry.color);
    l.setAttribute('stroke-width', String(entry.width));
    if (opacity < 1) l.setAttribute('stroke-opacity', String(opacity));
    if (entry.kind === 'dash') l.setAttribute('stroke-dasharray', '5 3');
    svg.append(l);
  };
  if (entry.kind === 'line' || entry.kind === 'dash') line(1, 6, 21, 6);
  else if (entry.kind === 'tick') {
    line(7, 12, 7, 2);
    line(15, 12, 15, 2);
  } else if (entry.kind === 'terms') {
    // Two faint hinges, the way terms look on the plot.
    line(1, 9, 8, 9, 0.6);
    line(8, 9, 21, 2, 0.6);
    line(1, 11, 13, 11, 0.6);
    line(13, 11, 21, 6, 0.6);
  } else {
    const c = document.createElementNS(SVG, 'circle');
    c.setAttribute('cx', '11');
    c.setAttribute('cy', '6');
    c.setAttribute('r', String(entry.width / 2));
    c.setAttribute('fill', entry.color);
    svg.append(c);
  }
  return svg;
}

/** The legend element; `update` redraws it only when its entries change. */
export class PlotLegend {
  private shown = '';

  constructor(private readonly root: HTMLElement) {
    root.setAttribute('role', 'list');
    root.setAttribute('aria-label', 'Legend');
  }

  /** Shows these entries (none: the legend hides). */
  update(entries: LegendEntry[]): void {
    const key = JSON.stringify(entries);
    if (key === this.shown) return;
    this.shown = key;
    this.root.replaceChildren(
      ...entries.map((entry) => {
        const row = document.createElement('div');
        row.setAttribute('role', 'listitem');
        row.dataset.key = entry.key;
        row.append(swatch(entry), document.createTextNode(entry.label));
        return row;
      }),
    );
    this.root.hidden = entries.length === 0;
  }

  /** Hides the legend (2D mode draws its own colour legend on the map). */
  hide(): void {
    this.update([]);
  }
}
