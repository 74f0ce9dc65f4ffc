/**
 * The 1D plot on a 2D canvas: axes with ticks and labels, the target, and the network's sum.
 * It only draws what it is given (values computed elsewhere by the evaluator); it never reads state.
 */
import type { ViewRange } from '../ui/state.ts';
import { type PlotRect, Transform, niceTicks, tickLabel } from './axes.ts';

/** Colours, shared with the tests' pixel checks. */
export const PLOT_COLORS = {
  background: '#ffffff',
  grid: '#e9ecef',
  axis: '#495057',
  text: '#343a40',
  target: '#1c7ed6',
  sum: '#e8590c',
} as const;

export interface Plot1DFrame {
  view: ViewRange;
  /** Sample positions of both curves, ascending. */
  xs: ArrayLike<number>;
  /** Target values at xs, or null when there is no target to draw. */
  target: ArrayLike<number> | null;
  /** The network's sum at xs. */
  sum: ArrayLike<number>;
}

const MARGIN = { left: 58, right: 14, top: 12, bottom: 38 };

export class Plot1D {
  private readonly ctx: CanvasRenderingContext2D;
  private cssWidth = 0;
  private cssHeight = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
  }

  /** Matches the backing store to the element's CSS size and the device pixel ratio. */
  resize(): void {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.cssWidth = Math.max(1, Math.round(r.width));
    this.cssHeight = Math.max(1, Math.round(r.height));
    const w = Math.round(this.cssWidth * dpr);
    const h = Math.round(this.cssHeight * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
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

  draw(frame: Plot1DFrame): void {
    const ctx = this.ctx;
    const t = this.transform(frame.view);
    ctx.fillStyle = PLOT_COLORS.background;
    ctx.fillRect(0, 0, this.cssWidth, this.cssHeight);
    this.drawAxes(t);
    ctx.save();
    const r = t.rect;
    ctx.beginPath();
    ctx.rect(r.left, r.top, r.width, r.height);
    ctx.clip();
    if (frame.target) this.curve(t, frame.xs, frame.target, PLOT_COLORS.target, 2);
    this.curve(t, frame.xs, frame.sum, PLOT_COLORS.sum, 2.5);
    ctx.restore();
  }

  private curve(t: Transform, xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, width: number): void {
    const ctx = this.ctx;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      // Clamp far-off points so the canvas never sees huge coordinates (lines stay straight: clamping only
      // touches points well outside the visible area).
      const py = Math.max(-1e4, Math.min(1e4, t.py(y)));
      if (pen) ctx.lineTo(t.px(xs[i]), py);
      else ctx.moveTo(t.px(xs[i]), py);
      pen = true;
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.stroke();
  }

  private drawAxes(t: Transform): void {
    const ctx = this.ctx;
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
