/**
 * The 1D plot on a 2D canvas: axes with ticks and labels, each unit's faint term (past LOD_MIN_UNITS the largest
 * LOD_TERMS of them and a band for the rest, with a sentence saying so; see lod.ts), the target, the network's
 * sum (always exact), the error trace, knot marks (a density strip past LOD_MIN_UNITS), the selected unit's
 * handles and the hover crosshair.
 * It only draws what it is given (values computed elsewhere by the evaluator); it never reads state.
 */
import { type Activation, act, activationOf, isPiecewiseLinear } from '../../model/activation.ts';
import { LayeredCanvas } from '../layeredCanvas.ts';
import type { Network } from '../../model/network.ts';
import type { ShowFlags, ViewRange } from '../../state/state.ts';
import { type PlotRect, Transform, niceTicks, tickLabel } from '../axes.ts';
import type { GpuPlotLayer, PlotGpu } from './plotGpu.ts';
import { type DeviceValues, isDeviceValues } from '../deviceValues.ts';
import type { GpuError } from '../../engine/gpu/errors.ts';
import { LOD_MIN_UNITS, LOD_TERMS, knotHistogram, largestTerms, lodNote, termBand } from './lod.ts';

/** The level-of-detail band's fill and edge (the term colour, light). */
export const PLOT_BAND = { fill: 'rgba(73, 80, 87, 0.16)', edge: 'rgba(73, 80, 87, 0.35)' } as const;

/** Colours, shared with the tests' pixel checks. */
export const PLOT_COLORS = {
  background: '#ffffff',
  grid: '#e9ecef',
  axis: '#495057',
  text: '#343a40',
  target: '#1c7ed6',
  sum: '#e8590c',
  term: '#495057',
  selected: '#0ca678',
  error: '#ae3ec9',
  samples: '#1864ab',
} as const;

export interface Plot1DFrame {
  view: ViewRange;
  show: ShowFlags;
  /** Sample positions of the curves, ascending. */
  xs: ArrayLike<number>;
  /** Target values at xs (NaN where undefined), or null when there is no target. */
  target: ArrayLike<number> | null;
  /**
   * The network's sum at xs: an array, or the evaluator's device buffer (drawn without a read-back; needs the
   * WebGPU layer, and then the error trace is drawn on the GPU as that buffer minus the target).
   */
  sum: ArrayLike<number> | DeviceValues;
  network: Network;
  /** Data targets: the points themselves. */
  samples?: { xs: ArrayLike<number>; ys: ArrayLike<number> };
  selected: number;
  /** Hover position in data x, or null. */
  hoverX: number | null;
  /**
   * The frame's level of detail when the caller computed it already (see `levelOfDetail`, e.g. in a task of its
   * own); absent: computed while drawing.
   */
  lod?: LevelOfDetail | null;
}

/** The level-of-detail picture of a frame: the terms drawn as lines, and the band of the others (null: none). */
export interface LevelOfDetail {
  drawn: number[];
  band: ReturnType<typeof termBand>;
}

/**
 * The level of detail a frame of `net` over [x0, x1] at samples `xs` draws, or null when it draws every term (up to
 * LOD_MIN_UNITS units, or terms hidden). O(N) per view; the band's envelopes are kept per network (see lod.ts).
 */
export function levelOfDetail(net: Network, showTerms: boolean, xs: ArrayLike<number>, x0: number, x1: number, selected: number): LevelOfDetail | null {
  if (!showTerms || net.dim !== 1 || net.a.length <= LOD_MIN_UNITS) return null;
  const drawn = largestTerms(net, x0, x1, LOD_TERMS, selected);
  return { drawn, band: termBand(net, drawn, xs) };
}

const MARGIN = { left: 58, right: 14, top: 12, bottom: 38 };
/** Height of the strip along the bottom of the plot where knots are marked (and grabbed). */
export const KNOT_STRIP = 12;
/** Distance from the knot, as a fraction of the view width, of the selected unit's slope handle. */
export const SLOPE_HANDLE_OFFSET = 0.12;

/** Where the selected unit's slope handle sits (data coordinates), or null when it has no knot. */
export function slopeHandle(net: Network, i: number, view: ViewRange): { x: number; y: number } | null {
  const w = net.w[i];
  if (!w) return null;
  const k = -net.b[i] / w;
  const x = k + Math.sign(w) * SLOPE_HANDLE_OFFSET * (view.xMax - view.xMin);
  return { x, y: net.a[i] * act(activationOf(net), w * x + net.b[i]) };
}

/** Segments of a sigmoid term across the view: σ bends everywhere, so it is drawn as a polyline. */
export const SIGMOID_TERM_SEGMENTS = 48;

/**
 * Traces one unit's term a·φ(w·x + b) across [x0, x1] into `ctx`'s path: a piecewise-linear term is exact with
 * its ends and its knot (where it is 0), a sigmoid one is a polyline of SIGMOID_TERM_SEGMENTS segments.
 */
export function traceTerm(
  ctx: CanvasRenderingContext2D,
  px: (x: number) => number,
  py: (y: number) => number,
  x0: number,
  x1: number,
  unit: { w: number; b: number; a: number },
  activation: Activation,
): void {
  const { w, b, a } = unit;
  const term = (x: number) => a * act(activation, w * x + b);
  ctx.moveTo(px(x0), py(term(x0)));
  if (activation === 'sigmoid') {
    for (let s = 1; s < SIGMOID_TERM_SEGMENTS; s++) {
      const x = x0 + ((x1 - x0) * s) / SIGMOID_TERM_SEGMENTS;
      ctx.lineTo(px(x), py(term(x)));
    }
  } else if (w !== 0 && activation !== 'linear') {
    const k = -b / w;
    if (k > x0 && k < x1) ctx.lineTo(px(k), py(0));
  }
  ctx.lineTo(px(x1), py(term(x1)));
}

function errorValues(sum: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
  const err = new Float64Array(sum.length);
  for (let i = 0; i < err.length; i++) err[i] = sum[i] - target[i];
  return err;
}

export class Plot1D extends LayeredCanvas {
  /** The last WebGPU frame's error check (null result: it drew cleanly). */
  lastGpuFrame: Promise<GpuError | null> | null = null;
  /** Which pixel columns already have a knot mark this frame (reused, grown on demand). */
  private columns: Uint8Array | null = null;
  /** The last frame's level-of-detail sentence (drawn on the plot), or null when every term was drawn. */
  note: string | null = null;

  /**
   * `background` gets the axes; `overlay` (the same canvas, or one stacked above it) gets knots, the
   * selection and the hover line, and the curves too unless a WebGPU layer draws them in between. `settings` go
   * to both 2D contexts.
   */
  constructor(background: HTMLCanvasElement, overlay: HTMLCanvasElement = background, settings?: CanvasRenderingContext2DSettings) {
    super(background, overlay, settings);
  }

  /** The plot area inside the canvas, in CSS pixels. */
  get rect(): PlotRect {
    return {
      left: MARGIN.left,
      top: MARGIN.top,
      width: Math.max(1, this.cssWidth - MARGIN.left - MARGIN.right),
      height: Math.max(1, this.cssHeight - MARGIN.top - MARGIN.bottom),
    };
  }

  /** How many samples a frame should have so every CSS pixel column gets two. */
  get sampleCount(): number {
    return Math.max(2, Math.min(8192, 2 * Math.round(this.rect.width) + 1));
  }

  transform(view: ViewRange): Transform {
    return new Transform(this.rect, view.xMin, view.xMax, view.yMin, view.yMax);
  }

  /** Faint-term opacity: fades as N grows so the sum stays readable. */
  static termAlpha(n: number): number {
    return Math.max(0.03, Math.min(0.45, 6 / Math.sqrt(Math.max(1, n))));
  }

  /**
   * Draws a frame; with `gpu` the curves go to the WebGPU layer, otherwise onto the overlay canvas.
   * Throws a TypeError when the sum is a device buffer and there is no WebGPU layer to draw it.
   */
  draw(frame: Plot1DFrame, gpu: PlotGpu | null = null): void {
    const sum = frame.sum;
    if (isDeviceValues(sum) && !gpu) throw new TypeError('the 2D-canvas plot needs the sum as an array, not a device buffer');
    const t = this.transform(frame.view);
    const r = t.rect;
    this.bg.fillStyle = PLOT_COLORS.background;
    this.bg.fillRect(0, 0, this.cssWidth, this.cssHeight);
    this.drawAxes(this.bg, t);
    const ctx = this.top;
    if (this.overlay !== this.background) ctx.clearRect(0, 0, this.cssWidth, this.cssHeight);
    ctx.save();
    try {
      ctx.beginPath();
      ctx.rect(r.left, r.top, r.width, r.height);
      ctx.clip();
      const net = frame.network;
      const showError = frame.show.error && frame.target !== null;
      // Past LOD_MIN_UNITS: the largest terms as lines, the rest as a band (on the background, under every curve).
      const n = net.a.length;
      const lod = frame.lod !== undefined ? frame.lod : levelOfDetail(net, frame.show.terms, frame.xs, t.xMin, t.xMax, frame.selected);
      let terms: Network = net;
      this.note = null;
      if (lod) {
        const { drawn, band } = lod;
        if (band) this.drawBand(t, frame.xs, band.lo, band.hi);
        terms = { dim: 1, w: drawn.map((i) => net.w[i]), b: drawn.map((i) => net.b[i]), a: drawn.map((i) => net.a[i]), c: 0 };
        this.note = lodNote(Math.min(LOD_TERMS, n), n, band !== null || isPiecewiseLinear(activationOf(net)));
      }
      if (gpu) {
        const n = frame.xs.length;
        const x0 = frame.xs[0];
        const dx = n > 1 ? (frame.xs[n - 1] - x0) / (n - 1) : 0;
        const layers: GpuPlotLayer[] = [];
        if (frame.show.terms && net.dim === 1 && n > 0) layers.push({ kind: 'terms', network: terms, color: PLOT_COLORS.term, alpha: Plot1D.termAlpha(terms.a.length), width: 1 });
        if (frame.show.target && frame.target) layers.push({ kind: 'curve', x0, dx, ys: frame.target, color: PLOT_COLORS.target, width: 2 });
        const errorStyle = { x0, dx, color: PLOT_COLORS.error, width: 1.5, dash: 8 };
        const sumStyle = { x0, dx, color: PLOT_COLORS.sum, width: 2.5 };
        if (isDeviceValues(sum)) {
          if (showError) layers.push({ kind: 'curve-buffer', values: sum, minus: frame.target!, ...errorStyle });
          layers.push({ kind: 'curve-buffer', values: sum, ...sumStyle });
        } else {
          if (showError) layers.push({ kind: 'curve', ys: errorValues(sum, frame.target!), ...errorStyle });
          layers.push({ kind: 'curve', ys: sum, ...sumStyle });
        }
        this.lastGpuFrame = gpu.draw(frame.view, r, this.cssWidth, this.cssHeight, layers);
      } else {
        // An array: a device buffer without a WebGPU layer was refused at the top.
        const ys = sum as ArrayLike<number>;
        if (frame.show.terms) this.drawTerms(t, terms);
        if (frame.show.target && frame.target) this.curve(t, frame.xs, frame.target, PLOT_COLORS.target, 2);
        if (showError) this.curve(t, frame.xs, errorValues(ys, frame.target!), PLOT_COLORS.error, 1.5, [5, 3]);
        this.curve(t, frame.xs, ys, PLOT_COLORS.sum, 2.5);
      }
      if (frame.show.target && frame.samples) this.drawSamples(t, frame.samples);
      if (frame.selected >= 0 && frame.selected < net.a.length) this.drawSelected(t, net, frame.selected, frame.view);
      if (frame.show.knots) this.drawKnots(t, net, frame.selected);
      if (this.note) this.drawNote(r, this.note);
      if (frame.hoverX !== null) {
        const p = Math.round(t.px(frame.hoverX)) + 0.5;
        ctx.strokeStyle = 'rgba(33, 37, 41, 0.35)';
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(p, r.top);
        ctx.lineTo(p, r.top + r.height);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    } finally {
      // Balanced even when a layer throws, so clips never pile up frame after frame.
      ctx.restore();
    }
  }


  private curve(t: Transform, xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, width: number, dash: number[] = []): void {
    const ctx = this.top;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      // Clamp far-off points so the canvas never sees huge coordinates.
      const py = Math.max(-1e4, Math.min(1e4, t.py(y)));
      if (pen) ctx.lineTo(t.px(xs[i]), py);
      else ctx.moveTo(t.px(xs[i]), py);
      pen = true;
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.setLineDash(dash);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** Each term a·φ(w·x + b): exact with at most three points for ReLU/leaky/linear, a polyline for sigmoid (traceTerm). */
  private drawTerms(t: Transform, net: Network): void {
    const ctx = this.top;
    const n = net.a.length;
    if (n === 0 || net.dim !== 1) return;
    const x0 = t.xMin;
    const x1 = t.xMax;
    const clampY = (y: number) => Math.max(-1e4, Math.min(1e4, t.py(y)));
    const activation = activationOf(net);
    const px = (x: number) => t.px(x);
    ctx.beginPath();
    for (let i = 0; i < n; i++) traceTerm(ctx, px, clampY, x0, x1, { w: net.w[i], b: net.b[i], a: net.a[i] }, activation);
    ctx.strokeStyle = PLOT_COLORS.term;
    ctx.globalAlpha = Plot1D.termAlpha(n);
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** The band of the terms not drawn: filled between their lowest and highest value at each sample. */
  private drawBand(t: Transform, xs: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): void {
    const ctx = this.bg;
    const r = t.rect;
    const clampY = (y: number) => Math.max(-1e4, Math.min(1e4, t.py(y)));
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.left, r.top, r.width, r.height);
    ctx.clip();
    ctx.beginPath();
    for (let s = 0; s < xs.length; s++) ctx.lineTo(t.px(xs[s]), clampY(hi[s]));
    for (let s = xs.length - 1; s >= 0; s--) ctx.lineTo(t.px(xs[s]), clampY(lo[s]));
    ctx.closePath();
    ctx.fillStyle = PLOT_BAND.fill;
    ctx.fill();
    ctx.strokeStyle = PLOT_BAND.edge;
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.restore();
  }

  /** The level-of-detail sentence, small, at the bottom left of the plot above the knot strip, on a light backing so curves cannot hide it. */
  private drawNote(r: PlotRect, text: string): void {
    const ctx = this.top;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const w = ctx.measureText(text).width;
    const x = r.left + 6;
    const y = r.top + r.height - KNOT_STRIP - 20;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.8)';
    ctx.fillRect(x - 3, y - 2, w + 6, 16);
    ctx.fillStyle = PLOT_COLORS.text;
    ctx.fillText(text, x, y);
  }

  private drawSelected(t: Transform, net: Network, i: number, view: ViewRange): void {
    const ctx = this.top;
    ctx.beginPath();
    traceTerm(ctx, (x) => t.px(x), (y) => t.py(y), t.xMin, t.xMax, { w: net.w[i], b: net.b[i], a: net.a[i] }, activationOf(net));
    ctx.strokeStyle = PLOT_COLORS.selected;
    ctx.lineWidth = 2.5;
    ctx.stroke();
    const h = slopeHandle(net, i, view);
    if (h) {
      ctx.beginPath();
      ctx.arc(t.px(h.x), t.py(h.y), 5, 0, 2 * Math.PI);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.stroke();
    }
  }

  private drawKnots(t: Transform, net: Network, selected: number): void {
    const ctx = this.top;
    const r = t.rect;
    const bottom = r.top + r.height;
    // Linear units never bend: no knot to mark (−b/w is only where a term crosses zero).
    if (activationOf(net) === 'linear') return;
    if (net.a.length > LOD_MIN_UNITS) {
      this.drawKnotDensity(t, net);
    } else {
      ctx.beginPath();
      // One mark per pixel column: thousands of knots share columns, and the same mark drawn twice adds nothing
      // (65,536 knots made a path of 65,536 segments; now it has at most one per column).
      const marked = this.knotColumns(Math.ceil(r.left + r.width) + 2);
      for (let i = 0; i < net.a.length; i++) {
        const w = net.w[i];
        if (w === 0) continue;
        const k = -net.b[i] / w;
        if (k < t.xMin || k > t.xMax) continue;
        // 2 px wide on whole pixels, so each mark is solid whatever the antialiasing.
        const p = Math.round(t.px(k));
        if (p < 0 || p >= marked.length || marked[p]) continue;
        marked[p] = 1;
        ctx.moveTo(p, bottom);
        ctx.lineTo(p, bottom - KNOT_STRIP);
      }
      ctx.strokeStyle = PLOT_COLORS.sum;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    if (selected >= 0 && selected < net.a.length && net.w[selected] !== 0) {
      const k = -net.b[selected] / net.w[selected];
      ctx.beginPath();
      ctx.moveTo(t.px(k), bottom - KNOT_STRIP - 2);
      ctx.lineTo(t.px(k) - 6, bottom);
      ctx.lineTo(t.px(k) + 6, bottom);
      ctx.closePath();
      ctx.fillStyle = PLOT_COLORS.selected;
      ctx.fill();
    }
  }

  /**
   * Many knots as a density strip: one bar per 2-pixel column whose opacity grows with the share of knots in it
   * (against the fullest column), so clusters and gaps show where 65,536 ticks made one solid bar.
   */
  private drawKnotDensity(t: Transform, net: Network): void {
    const ctx = this.top;
    const r = t.rect;
    const bins = Math.max(1, Math.floor(r.width / 2));
    const counts = knotHistogram(net, t.xMin, t.xMax, bins);
    let most = 0;
    for (const c of counts) most = Math.max(most, c);
    if (most === 0) return;
    const bottom = r.top + r.height;
    const binWidth = r.width / bins;
    ctx.fillStyle = PLOT_COLORS.sum;
    for (let k = 0; k < bins; k++) {
      if (counts[k] === 0) continue;
      // A square root, so a column with a few knots stays visible beside one with thousands.
      ctx.globalAlpha = 0.15 + 0.85 * Math.sqrt(counts[k] / most);
      ctx.fillRect(r.left + k * binWidth, bottom - KNOT_STRIP, binWidth, KNOT_STRIP);
    }
    ctx.globalAlpha = 1;
  }

  /** A cleared per-column flag array of at least `columns` entries, reused across frames. */
  private knotColumns(columns: number): Uint8Array {
    if (!this.columns || this.columns.length < columns) this.columns = new Uint8Array(columns);
    else this.columns.fill(0);
    return this.columns;
  }
  private drawSamples(t: Transform, s: { xs: ArrayLike<number>; ys: ArrayLike<number> }): void {
    const ctx = this.top;
    ctx.fillStyle = PLOT_COLORS.samples;
    ctx.beginPath();
    const n = s.xs.length;
    const rad = n > 2000 ? 1.2 : 2.5;
    for (let i = 0; i < n; i++) {
      const x = t.px(s.xs[i]);
      const y = t.py(s.ys[i]);
      if (x < t.rect.left - 5 || x > t.rect.left + t.rect.width + 5) continue;
      ctx.moveTo(x + rad, y);
      ctx.arc(x, y, rad, 0, 2 * Math.PI);
    }
    ctx.fill();
  }

  private drawAxes(ctx: CanvasRenderingContext2D, t: Transform): void {
    const r = t.rect;
    const xt = niceTicks(t.xMin, t.xMax, Math.max(2, Math.round(r.width / 90)));
    const yt = niceTicks(t.yMin, t.yMax, Math.max(2, Math.round(r.height / 60)));
    ctx.lineWidth = 1;
    ctx.strokeStyle = PLOT_COLORS.grid;
    ctx.beginPath();
    for (const x of xt) {
      const p = Math.round(t.px(x)) + 0.5;
      ctx.moveTo(p, r.top);
      ctx.lineTo(p, r.top + r.height);
    }
    for (const y of yt) {
      const p = Math.round(t.py(y)) + 0.5;
      ctx.moveTo(r.left, p);
      ctx.lineTo(r.left + r.width, p);
    }
    ctx.stroke();
    ctx.strokeStyle = PLOT_COLORS.axis;
    ctx.beginPath();
    ctx.rect(r.left + 0.5, r.top + 0.5, r.width - 1, r.height - 1);
    // The zero lines, where they are in view, anchor the eye.
    if (t.yMin < 0 && t.yMax > 0) {
      const p = Math.round(t.py(0)) + 0.5;
      ctx.moveTo(r.left, p);
      ctx.lineTo(r.left + r.width, p);
    }
    if (t.xMin < 0 && t.xMax > 0) {
      const p = Math.round(t.px(0)) + 0.5;
      ctx.moveTo(p, r.top);
      ctx.lineTo(p, r.top + r.height);
    }
    ctx.stroke();
    ctx.fillStyle = PLOT_COLORS.text;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xStep = xt.length > 1 ? xt[1] - xt[0] : t.xMax - t.xMin;
    for (const x of xt) ctx.fillText(tickLabel(x, xStep), t.px(x), r.top + r.height + 5);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yStep = yt.length > 1 ? yt[1] - yt[0] : t.yMax - t.yMin;
    for (const y of yt) ctx.fillText(tickLabel(y, yStep), r.left - 6, t.py(y));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText('x', r.left + r.width / 2, this.cssHeight - 1);
  }
}
