/**
 * A plain heat map of a 2D network's values (blue < 0 < red, white at 0), with axes.
 * Stands in for the 2D explorer: it shows what the evaluator computed and nothing more.
 */
import type { ViewRange } from '../../state/state.ts';
import { type PlotRect, Transform, niceTicks, tickLabel } from '../axes.ts';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';

export interface HeatmapFrame {
  view: ViewRange;
  nx: number;
  ny: number;
  /** Row-major values, row j at y = yMin + j·dy (bottom row first). */
  values: ArrayLike<number>;
}

const MARGIN = { left: 58, right: 14, top: 12, bottom: 38 };

export class Heatmap2D {
  private readonly ctx: CanvasRenderingContext2D;
  private cssWidth = 0;
  private cssHeight = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
  }

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

  /** A square plot area, as large as fits. */
  get rect(): PlotRect {
    const side = Math.max(1, Math.min(this.cssWidth - MARGIN.left - MARGIN.right, this.cssHeight - MARGIN.top - MARGIN.bottom));
    return { left: MARGIN.left, top: MARGIN.top, width: side, height: side };
  }

  /** Grid resolution per side for the current size (one sample per ~2 CSS pixels, at most 512). */
  get resolution(): number {
    return Math.max(2, Math.min(512, Math.round(this.rect.width / 2)));
  }

  draw(frame: HeatmapFrame): void {
    const ctx = this.ctx;
    const r = this.rect;
    const t = new Transform(r, frame.view.xMin, frame.view.xMax, frame.view.yMin, frame.view.yMax);
    ctx.fillStyle = PLOT_COLORS.background;
    ctx.fillRect(0, 0, this.cssWidth, this.cssHeight);
    let scale = 0;
    for (let i = 0; i < frame.values.length; i++) scale = Math.max(scale, Math.abs(frame.values[i]));
    const img = new ImageData(frame.nx, frame.ny);
    for (let j = 0; j < frame.ny; j++) {
      // Image rows run top-down, grid rows bottom-up.
      const row = frame.ny - 1 - j;
      for (let i = 0; i < frame.nx; i++) {
        const v = scale > 0 ? frame.values[j * frame.nx + i] / scale : 0;
        const k = 4 * (row * frame.nx + i);
        const m = Math.min(1, Math.abs(v));
        img.data[k] = v > 0 ? 255 : Math.round(255 * (1 - m));
        img.data[k + 1] = Math.round(255 * (1 - m * 0.85));
        img.data[k + 2] = v < 0 ? 255 : Math.round(255 * (1 - m));
        img.data[k + 3] = 255;
      }
    }
    const tmp = document.createElement('canvas');
    tmp.width = frame.nx;
    tmp.height = frame.ny;
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, r.left, r.top, r.width, r.height);
    ctx.strokeStyle = PLOT_COLORS.axis;
    ctx.lineWidth = 1;
    ctx.strokeRect(r.left + 0.5, r.top + 0.5, r.width - 1, r.height - 1);
    ctx.fillStyle = PLOT_COLORS.text;
    ctx.font = '12px system-ui, sans-serif';
    const xt = niceTicks(t.xMin, t.xMax, 5);
    const yt = niceTicks(t.yMin, t.yMax, 5);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const x of xt) ctx.fillText(tickLabel(x, xt[1] - xt[0] || 1), t.px(x), r.top + r.height + 5);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const y of yt) ctx.fillText(tickLabel(y, yt[1] - yt[0] || 1), r.left - 6, t.py(y));
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`2D network, |f| ≤ ${scale.toPrecision(3)} (blue < 0 < red)`, r.left + r.width + 12 > this.cssWidth - 200 ? r.left + 6 : r.left + r.width + 12, r.top + 4);
  }
}
