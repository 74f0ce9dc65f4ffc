/**
 * The network diagram (the article's two figures, live): the inputs, the hidden units and the output, as an SVG
 * built with DOM calls. Edges are coloured by sign (blue +, orange −) and sized by magnitude (input → unit by w,
 * unit → output by a); each unit shows its bias as a small square and its own term over the view (1D: the bent
 * line a·ReLU(w·x + b); 2D: its active half-plane and crease), as TensorFlow Playground does. Large networks show
 * the most influential units and one group node for the rest. It draws what it is given; clicking a unit asks
 * the owner to select it.
 */
import type { Network } from '../../model/network.ts';
import type { ViewRange } from '../../state/state.ts';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import { type Aggregation, type EdgeSign, activeRegion2D, edgeWidth, groupSign, largestUnits, signOf, termPoints, withSelection } from './aggregate.ts';

/** Edge and term colours by sign, shared with the tests. */
export const DIAGRAM_COLORS: Record<EdgeSign, string> & { selected: string; box: string; text: string } = {
  positive: '#1971c2',
  negative: '#e8590c',
  zero: '#ced4da',
  mixed: '#868e96',
  selected: PLOT_COLORS.selected,
  box: '#adb5bd',
  text: '#343a40',
};

/** What one drawing needs: the network, the selected unit (−1 for none) and the window its terms are drawn over. */
export interface DiagramFrame {
  network: Network;
  selected: number;
  /** 1D: the plot's window (its x range is used); 2D: the map's window. */
  view: ViewRange;
}

const SVG = 'http://www.w3.org/2000/svg';
/** Size used while the container has none (hidden, not laid out yet). */
const DEFAULT_SIZE = { width: 260, height: 200 };
/** Numbers on edges and biases are written out up to this many units (the article's neuron and small layers). */
const LABEL_UP_TO = 3;

function node<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function text(parent: Element, x: number, y: number, content: string, attrs: Record<string, string | number> = {}): SVGTextElement {
  const t = node('text', { x, y, 'font-size': 10, fill: DIAGRAM_COLORS.text, ...attrs }, parent);
  t.textContent = content;
  return t;
}

function title(parent: Element, content: string): void {
  node('title', {}, parent).textContent = content;
}

/** Below this a weight or bias is float noise (an interpolant's c = sin(−π) ≈ −1.2e-16) and reads 0. */
const NOISE = 1e-12;

/** A short number: 3 significant digits, float noise trimmed, a real minus sign. */
export function short(v: number): string {
  if (Math.abs(v) < NOISE) return '0';
  const s = Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
  return s.replace('-', '−');
}

const count = (n: number) => n.toLocaleString('en-US');

/** "+ 0.5" or "− 0.5": a term added to what comes before it. */
function plus(v: number): string {
  const t = short(v);
  return t.startsWith('−') ? `− ${t.slice(1)}` : `+ ${t}`;
}

/** A smooth edge from (x0, y0) to (x1, y1), leaving and arriving horizontally. */
function edgePath(x0: number, y0: number, x1: number, y1: number): string {
  const mx = (x0 + x1) / 2;
  return `M${x0.toFixed(1)} ${y0.toFixed(1)} C${mx.toFixed(1)} ${y0.toFixed(1)} ${mx.toFixed(1)} ${y1.toFixed(1)} ${x1.toFixed(1)} ${y1.toFixed(1)}`;
}

/** The sentence above the diagram: how many units it draws and which. */
export function headline(agg: Aggregation): string {
  if (agg.total === 0) return 'No hidden units: the output is the constant c';
  if (agg.total === 1) return '1 unit: x × w + b → ReLU → × a, summed with c';
  if (agg.rule === 'all') return `${count(agg.total)} units, all shown`;
  const top = agg.shown.length - (agg.extra !== null ? 1 : 0);
  return `${count(agg.shown.length)} of ${count(agg.total)} shown: top ${top} by |a|·‖w‖${agg.extra !== null ? ' + selected' : ''}`;
}

/** Above this many units a drawing goes through the owner's `defer` (see the constructor). */
export const DEFER_ABOVE = 4096;
/** `pending` while a drawing waits in `defer` (animation frame ids are positive). */
const DEFERRED = -1;

export class NetworkDiagram {
  readonly svg: SVGSVGElement;
  private frame: DiagramFrame | null = null;
  private drawn: { frame: DiagramFrame; width: number; height: number } | null = null;
  private pending = 0;
  /** The container's border-box size as its ResizeObserver last reported it, or null before the first report. */
  private observed: { width: number; height: number } | null = null;
  /** The largest units of the last network (O(N) once per network; a selection is added in O(top)). */
  private agg: { network: Network; value: Aggregation } | null = null;
  /** The 1D units' term pictures of the last drawing, so a new window only moves their lines (see draw). */
  private terms: TermPicture[] = [];

  constructor(
    private readonly container: HTMLElement,
    /** Called with a unit's index when it is clicked (or chosen with Enter/Space). */
    private readonly onSelect: (unit: number) => void,
    /**
     * Where drawings of networks above DEFER_ABOVE units are scheduled instead of the next animation frame (the
     * app passes its frame controller's `afterPicture`, so the plot's picture of a big network goes first).
     */
    private readonly defer: ((job: () => void) => void) | null = null,
  ) {
    this.svg = node('svg', { role: 'group', 'aria-label': 'Network diagram', width: '100%', height: '100%' });
    this.svg.style.display = 'block';
    container.replaceChildren(this.svg);
    this.svg.addEventListener('click', (e) => this.pick(e.target));
    this.svg.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      if (this.pick(e.target)) e.preventDefault();
    });
    // The size as observed, so a draw never forces a layout of the page (see LayeredCanvas.followSize).
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.borderBoxSize?.[0];
      this.observed = box ? { width: box.inlineSize, height: box.blockSize } : null;
      this.schedule();
    }).observe(container);
  }

  private pick(target: EventTarget | null): boolean {
    const g = target instanceof Element ? target.closest('g.unit') : null;
    const i = g ? Number(g.getAttribute('data-unit')) : NaN;
    if (!Number.isInteger(i)) return false;
    this.onSelect(i);
    return true;
  }

  /** Shows this frame: drawn once per animation frame at most, and not at all when nothing it shows changed. */
  update(frame: DiagramFrame): void {
    this.frame = frame;
    this.schedule();
  }

  private schedule(): void {
    const big = this.defer !== null && (this.frame?.network.a.length ?? 0) > DEFER_ABOVE;
    if (this.pending === DEFERRED || (this.pending && !big)) return;
    const draw = () => {
      this.pending = 0;
      if (this.frame) this.draw(this.frame);
    };
    if (big) {
      // A big network's diagram waits for the plot: a drawing already asked for the next frame gives way.
      if (this.pending) cancelAnimationFrame(this.pending);
      this.pending = DEFERRED;
      this.defer!(draw);
    } else this.pending = requestAnimationFrame(draw);
  }

  /** The units drawn for this frame (the network's scan cached; the selection added on top). */
  aggregation(frame: DiagramFrame): Aggregation {
    if (this.agg?.network !== frame.network) this.agg = { network: frame.network, value: largestUnits(frame.network) };
    return withSelection(this.agg.value, frame.network, frame.selected);
  }

  /** Draws now: O(units shown), after the aggregation (O(N) when the network or the selection changed). */
  draw(frame: DiagramFrame): void {
    const r = this.observed ?? this.container.getBoundingClientRect();
    const width = r.width > 0 ? r.width : DEFAULT_SIZE.width;
    const height = r.height > 0 ? r.height : DEFAULT_SIZE.height;
    const last = this.drawn;
    const same = last !== null && last.width === width && last.height === height && last.frame.network === frame.network && last.frame.selected === frame.selected;
    if (same && sameView(last.frame.view, frame.view)) return;
    this.drawn = { frame, width, height };
    // A new window over the same 1D picture (a pan, a zoom) changes only the units' small terms: their lines move,
    // the rest of the SVG stays (rebuilding it on every pan was most of the diagram's cost).
    if (same && frame.network.dim === 1 && this.terms.length > 0) {
      const flatBelow = NOISE * largestTerm(frame.network, this.terms.map((t) => t.unit), frame.view);
      for (const t of this.terms) drawTerm(t, frame.network, frame.view, flatBelow);
      return;
    }
    this.terms = [];
    const net = frame.network;
    const d = net.dim;
    const agg = this.aggregation(frame);
    const svg = this.svg;
    // A unit chosen from the keyboard keeps the focus across the redraw its selection causes.
    const focused = svg.contains(document.activeElement) ? document.activeElement?.getAttribute('data-unit') : null;
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const head = headline(agg);
    svg.setAttribute('aria-label', `Network diagram: ${head}`);
    svg.dataset.total = String(agg.total);
    svg.dataset.shown = String(agg.shown.length);
    svg.dataset.rest = String(agg.rest?.count ?? 0);
    svg.dataset.rule = agg.rule;
    svg.dataset.dim = String(d);
    text(svg, 4, 11, head, { 'font-size': 10, class: 'headline' });

    const top = 18;
    const rows = agg.shown.length + (agg.rest ? 1 : 0);
    const rowH = (height - top - 4) / Math.max(1, rows);
    const boxH = Math.max(3, Math.min(30, rowH - 3));
    const boxW = d === 1 ? Math.min(52, width * 0.18) : Math.min(boxH, Math.min(52, width * 0.18));
    const inX = 16;
    const boxX = Math.round(width * 0.38);
    const outX = width - 18;
    const midY = top + (height - top - 4) / 2;
    const rowY = (k: number) => top + rowH * (k + 0.5);
    const inputY = d === 1 ? [midY] : [midY - Math.min(28, rowH * 1.5 + 6), midY + Math.min(28, rowH * 1.5 + 6)];
    const labels = agg.total <= LABEL_UP_TO;
    // Without written-out weights each unit's number sits right of its box, and its output edge starts after it.
    const numberW = labels ? 0 : 6 + 5.2 * (count(agg.total).length + 1);
    const outStart = boxX + boxW + numberW;

    // Widths are relative to the largest single unit's weight of the same layer; the group may exceed it (capped).
    let refW = 0;
    let refA = 0;
    for (const i of agg.shown) {
      for (let j = 0; j < d; j++) refW = Math.max(refW, Math.abs(net.w[i * d + j]));
      refA = Math.max(refA, Math.abs(net.a[i]));
    }
    const edges = node('g', { class: 'edges', fill: 'none' }, svg);
    const selectedEdges = node('g', { class: 'edges-selected', fill: 'none' }, svg);
    const edge = (parent: Element, path: string, sign: EdgeSign, widthPx: number, attrs: Record<string, string | number>, tip: string) => {
      const p = node('path', { d: path, stroke: DIAGRAM_COLORS[sign], 'stroke-width': widthPx.toFixed(2), 'stroke-opacity': 0.8, 'data-sign': sign, ...attrs }, parent);
      title(p, tip);
      return p;
    };
    const inputName = d === 1 ? ['x'] : ['x', 'y'];

    agg.shown.forEach((i, k) => {
      const y = rowY(k);
      const parent = i === frame.selected ? selectedEdges : edges;
      for (let j = 0; j < d; j++) {
        const w = net.w[i * d + j];
        edge(parent, edgePath(inX + 7, inputY[j], boxX, y), signOf(w), edgeWidth(Math.abs(w), refW), { 'data-edge': 'in', 'data-to': i, 'data-input': j }, `${inputName[j]} → unit #${i + 1}: w${d === 2 ? j + 1 : ''} = ${short(w)}`);
      }
      const a = net.a[i];
      edge(parent, edgePath(outStart, y, outX - 9, midY), signOf(a), edgeWidth(Math.abs(a), refA), { 'data-edge': 'out', 'data-from': i }, `unit #${i + 1} → output: a = ${short(a)}`);
    });
    if (agg.rest) {
      const g = agg.rest;
      const y = rowY(agg.shown.length);
      for (let j = 0; j < d; j++) {
        edge(edges, edgePath(inX + 7, inputY[j], boxX - 34, y), groupSign(g.positiveW[j], g.negativeW[j]), edgeWidth(g.sumAbsW[j], refW), { 'data-edge': 'in', 'data-to': 'rest', 'data-input': j }, `${inputName[j]} → the other ${count(g.count)} units: Σ|w${d === 2 ? j + 1 : ''}| = ${short(g.sumAbsW[j])}`);
      }
      edge(edges, edgePath(outStart, y, outX - 9, midY), groupSign(g.positiveA, g.negativeA), edgeWidth(g.sumAbsA, refA), { 'data-edge': 'out', 'data-from': 'rest' }, `the other ${count(g.count)} units → output: Σ|a| = ${short(g.sumAbsA)}, Σa = ${short(g.sumA)}`);
    }

    // Inputs and output.
    inputName.forEach((name, j) => {
      node('circle', { cx: inX, cy: inputY[j], r: 7, fill: '#fff', stroke: DIAGRAM_COLORS.text, 'stroke-width': 1 }, svg);
      text(svg, inX, inputY[j] + 3.5, name, { 'text-anchor': 'middle', 'font-style': 'italic' });
    });
    const out = node('g', { class: 'output' }, svg);
    node('circle', { cx: outX, cy: midY, r: 9, fill: '#fff', stroke: DIAGRAM_COLORS.text, 'stroke-width': 1.2 }, out);
    text(out, outX, midY + 4, 'Σ', { 'text-anchor': 'middle', 'font-size': 11 });
    text(out, width - 3, midY + 22, plus(net.c), { 'text-anchor': 'end', 'font-size': 9 });
    title(out, `output: the sum of the units' terms plus c = ${short(net.c)}`);

    // A term a million-millionth the size of the largest drawn is float noise (an interpolant's a ≈ 1e-17): drawn flat.
    const largest = d === 1 ? largestTerm(net, agg.shown, frame.view) : 0;
    const look = { view: frame.view, labels, flatBelow: NOISE * largest };
    agg.shown.forEach((i, k) => this.unitNode(svg, net, i, boxX, rowY(k) - boxH / 2, boxW, boxH, i === frame.selected, look));
    if (agg.rest) {
      const y = rowY(agg.shown.length);
      const g = node('g', { class: 'rest', 'data-count': agg.rest.count }, svg);
      node('rect', { x: boxX - 34, y: y - boxH / 2, width: boxW + 34 + numberW, height: boxH, rx: 3, fill: '#f1f3f5', stroke: DIAGRAM_COLORS.box, 'stroke-dasharray': '3 2' }, g);
      text(g, boxX - 30, y + 3.5, `+ ${count(agg.rest.count)} more`, { 'font-size': Math.min(10, Math.max(7, boxH - 1)) });
      title(g, `${count(agg.rest.count)} units not drawn one by one: their edges' widths are the sums Σ|w| and Σ|a| (Σ|a| = ${short(agg.rest.sumAbsA)})`);
    }
    if (focused != null) svg.querySelector<SVGGElement>(`g.unit[data-unit="${focused}"]`)?.focus();
  }

  /** One unit: its box with its term (1D) or active half-plane (2D), its bias square and its number. */
  private unitNode(svg: SVGSVGElement, net: Network, i: number, x: number, y: number, w: number, h: number, selected: boolean, look: { view: ViewRange; labels: boolean; flatBelow: number }): void {
    const { view, labels } = look;
    const d = net.dim;
    const a = net.a[i];
    const b = net.b[i];
    const ws = Array.from({ length: d }, (_, j) => net.w[i * d + j]);
    const formula = d === 1 ? `${short(a)}·ReLU(${short(ws[0])}·x ${plus(b)})` : `${short(a)}·ReLU(${short(ws[0])}·x ${plus(ws[1])}·y ${plus(b)})`;
    const g = node('g', { class: 'unit', 'data-unit': i, tabindex: 0, role: 'button', 'aria-pressed': String(selected), 'aria-label': `Unit #${i + 1}: ${formula}${selected ? ' (selected)' : ''}` }, svg);
    g.style.cursor = 'pointer';
    title(g, `unit #${i + 1}: ${formula}${selected ? ' (selected)' : ' — click to select'}`);
    node('rect', { x, y, width: w, height: h, rx: 2, fill: '#fff', stroke: selected ? DIAGRAM_COLORS.selected : DIAGRAM_COLORS.box, 'stroke-width': selected ? 2.5 : 1 }, g);
    const colour = DIAGRAM_COLORS[signOf(a)];
    if (d === 1) {
      const t: TermPicture = {
        unit: i,
        box: { x, y, w, h },
        zero: h >= 8 ? node('line', { x1: x + 1, x2: x + w - 1, stroke: '#dee2e6', 'stroke-width': 1 }, g) : null,
        line: node('polyline', { fill: 'none', 'stroke-width': 1.6, class: 'term' }, g),
      };
      drawTerm(t, net, view, look.flatBelow);
      this.terms.push(t);
    } else {
      // The window fitted into the box at one scale, so the crease keeps its direction.
      const s = Math.min(w / (view.xMax - view.xMin), h / (view.yMax - view.yMin));
      const ox = x + (w - s * (view.xMax - view.xMin)) / 2;
      const oy = y + (h - s * (view.yMax - view.yMin)) / 2;
      const px = (p: [number, number]) => `${(ox + (p[0] - view.xMin) * s).toFixed(1)},${(oy + (view.yMax - p[1]) * s).toFixed(1)}`;
      const region = activeRegion2D(ws[0], ws[1], b, view);
      if (region.polygon.length >= 3) node('polygon', { points: region.polygon.map(px).join(' '), fill: colour, 'fill-opacity': 0.35, stroke: 'none', class: 'term' }, g);
      if (region.crease) node('polyline', { points: region.crease.map(px).join(' '), stroke: colour, 'stroke-width': 1.4, fill: 'none' }, g);
    }
    // The bias: a small square at the box's lower left, coloured by its sign.
    const side = Math.max(2, Math.min(6, h / 3));
    node('rect', { x: x - side - 1, y: y + h - side, width: side, height: side, fill: DIAGRAM_COLORS[signOf(b)], class: 'bias', 'data-sign': signOf(b) }, g);
    if (labels) {
      const my = y + h / 2;
      text(g, x - 3, my - 3, d === 1 ? `× ${short(ws[0])}` : `× (${short(ws[0])}, ${short(ws[1])})`, { 'text-anchor': 'end', 'font-size': 9 });
      text(g, x - side - 3, y + h + 1, plus(b), { 'text-anchor': 'end', 'font-size': 9 });
      text(g, x + w / 2, y + h + 10, 'ReLU', { 'text-anchor': 'middle', 'font-size': 8.5, fill: '#868e96' });
      text(g, x + w + 4, my - 3, `× ${short(a)}`, { 'font-size': 9 });
    } else if (h >= 7) {
      text(g, x + w + 4, y + h / 2 + 3, `#${count(i + 1)}`, { 'font-size': Math.min(9, h), fill: selected ? DIAGRAM_COLORS.selected : '#868e96' });
    }
  }
}

/** A 1D unit's small term in its box: the zero line (boxes of 8 px and more) and the term's bent line. */
interface TermPicture {
  unit: number;
  box: { x: number; y: number; w: number; h: number };
  zero: SVGLineElement | null;
  line: SVGPolylineElement;
}

/** The largest |a·ReLU(w·x + b)| of `units` at the window's ends (where a ReLU term peaks). */
function largestTerm(net: Network, units: readonly number[], view: ViewRange): number {
  let largest = 0;
  for (const i of units) for (const x of [view.xMin, view.xMax]) largest = Math.max(largest, Math.abs(net.a[i] * Math.max(0, net.w[i] * x + net.b[i])));
  return largest;
}

/**
 * Draws a unit's term over the window into its picture, scaled to its box (a term within `flatBelow` of 0 is float
 * noise and is drawn flat, in the zero colour).
 */
function drawTerm(t: TermPicture, net: Network, view: ViewRange, flatBelow: number): void {
  const { x, y, w, h } = t.box;
  const a = net.a[t.unit];
  const pts = termPoints(net.w[t.unit], net.b[t.unit], a, view.xMin, view.xMax);
  const vs = pts.map((p) => p[1]);
  const flat = Math.max(...vs.map(Math.abs)) <= flatBelow;
  const lo = flat ? 0 : Math.min(0, ...vs);
  const hi = flat ? 0 : Math.max(0, ...vs);
  const pad = Math.min(3, h / 4);
  const px = (v: number) => x + ((v - view.xMin) / (view.xMax - view.xMin)) * w;
  const py = (v: number) => (hi > lo ? y + pad + ((hi - v) / (hi - lo)) * (h - 2 * pad) : y + h / 2);
  if (t.zero) {
    t.zero.setAttribute('y1', String(py(0)));
    t.zero.setAttribute('y2', String(py(0)));
  }
  t.line.setAttribute('points', pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' '));
  t.line.setAttribute('stroke', hi > lo ? DIAGRAM_COLORS[signOf(a)] : DIAGRAM_COLORS.zero);
}

function sameView(p: ViewRange, q: ViewRange): boolean {
  return p.xMin === q.xMin && p.xMax === q.xMax && p.yMin === q.yMin && p.yMax === q.yMax;
}

/** The diagram's frame of an app state: its network and selection, over the window of the mode shown. */
export function diagramFrameOf(s: { mode: '1d' | '2d'; network: Network; selected: number; view: ViewRange; view2d: ViewRange }): DiagramFrame {
  return { network: s.network, selected: s.selected, view: s.mode === '2d' ? s.view2d : s.view };
}
