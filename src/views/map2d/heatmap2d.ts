/**
 * The 2D network's heat map (blue < 0 < red, white at 0, scaled by max |v|) with axes and a colour-bar legend.
 * Two modes: `draw` colours an array of values on the CPU (the fallback without WebGPU), `drawAround` draws
 * only what surrounds a map that Map2DGpu paints on a WebGPU canvas stacked between `background` and `overlay`.
 */
import { LayeredCanvas } from '../layeredCanvas.ts';
import type { ViewRange } from '../../state/state.ts';
import { type PlotRect, Transform, niceTicks, tickLabel } from '../axes.ts';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import { colourGrid, colourOf, maxAbs } from './colormap.ts';

export interface HeatmapFrame {
  view: ViewRange;
  nx: number;
  ny: number;
  /** Row-major values, row j at y = yMin + j·dy (bottom row first). */
  values: ArrayLike<number>;
}

const MARGIN = { left: 58, right: 14, top: 12, bottom: 38 };
/** Room (CSS pixels) the legend needs to the right of the map; with less it sits inside the map's top-left corner. */
const LEGEND_SIDE = 76;

function rgbCss(c: [number, number, number]): string {
  return `rgb(${Math.round(255 * c[0])}, ${Math.round(255 * c[1])}, ${Math.round(255 * c[2])})`;
}

export class Heatmap2D extends LayeredCanvas {
  /** The CPU mode's coloured grid: one canvas and one pixel store, reused; the ImageData is rebuilt only when the grid's shape changes. */
  private grid: HTMLCanvasElement | null = null;
  private pixels = new Uint8ClampedArray(0);
  private image: ImageData | null = null;

  /**
   * `background` gets the background, the ticks and (in CPU mode) the map; `overlay` (the same canvas, or one
   * stacked above a WebGPU canvas) gets the map's frame and the legend.
   */
  constructor(background: HTMLCanvasElement, overlay: HTMLCanvasElement = background) {
    super(background, overlay);
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

  /** CPU mode: colours the values here (bilinear-smoothed like Map2DGpu) and draws axes and legend around them. */
  draw(frame: HeatmapFrame): void {
    const { nx, ny } = frame;
    if (frame.values.length < nx * ny) throw new RangeError(`a ${nx}×${ny} map needs ${nx * ny} values, got ${frame.values.length}`);
    const scale = maxAbs(frame.values, nx * ny);
    this.drawBackground(frame.view);
    const image = this.imageFor(nx, ny);
    colourGrid(frame.values, nx, ny, scale, image.data);
    const grid = this.grid!;
    grid.getContext('2d')!.putImageData(image, 0, 0);
    const r = this.rect;
    this.bg.imageSmoothingEnabled = true;
    this.bg.drawImage(grid, r.left, r.top, r.width, r.height);
    this.drawOverlay(scale);
  }

  /**
   * GPU mode: draws the background, ticks, frame and legend around a map drawn by Map2DGpu (into the same
   * `rect`; the frame and a corner legend need `overlay` to be a canvas above the WebGPU one). With `scale` null the legend reads −max … +max until `setScale` gives the number.
   */
  drawAround(view: ViewRange, scale: number | null = null): void {
    this.drawBackground(view);
    this.drawOverlay(scale);
  }

  /** Relabels the legend once the frame's max |v| is known (a lazy read-back); the rest is left as drawn. */
  setScale(scale: number): void {
    this.drawLegend(scale);
  }

  /** The ImageData for an nx × ny grid over the reused pixel store, which grows (power of two) with the grid. */
  private imageFor(nx: number, ny: number): ImageData {
    if (this.image && this.image.width === nx && this.image.height === ny) return this.image;
    const bytes = 4 * nx * ny;
    if (this.pixels.length < bytes) this.pixels = new Uint8ClampedArray(2 ** Math.ceil(Math.log2(bytes)));
    this.grid ??= document.createElement('canvas');
    this.grid.width = nx;
    this.grid.height = ny;
    this.image = new ImageData(this.pixels.subarray(0, bytes), nx, ny);
    return this.image;
  }

  private drawBackground(view: ViewRange): void {
    const ctx = this.bg;
    const r = this.rect;
    const t = new Transform(r, view.xMin, view.xMax, view.yMin, view.yMax);
    ctx.fillStyle = PLOT_COLORS.background;
    ctx.fillRect(0, 0, this.cssWidth, this.cssHeight);
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
  }

  /** The frame around the map and the legend, on the overlay (above a WebGPU map). */
  private drawOverlay(scale: number | null): void {
    const ctx = this.top;
    const r = this.rect;
    if (this.overlay !== this.background) ctx.clearRect(0, 0, this.cssWidth, this.cssHeight);
    ctx.strokeStyle = PLOT_COLORS.axis;
    ctx.lineWidth = 1;
    ctx.strokeRect(r.left + 0.5, r.top + 0.5, r.width - 1, r.height - 1);
    this.drawLegend(scale);
  }

  /**
   * A colour bar labelled −max, 0, +max (numbers when the scale is known), in an opaque box so that redrawing
   * it with a new scale needs nothing else: to the right of the map when there is room, else inside its corner.
   */
  private drawLegend(scale: number | null): void {
    const ctx = this.top;
    const r = this.rect;
    const known = scale !== null && Number.isFinite(scale);
    const hi = known ? `+${scale.toPrecision(3)}` : '+max';
    const lo = known ? `−${scale.toPrecision(3)}` : '−max';
    const side = this.cssWidth - (r.left + r.width) >= LEGEND_SIDE;
    ctx.font = '12px system-ui, sans-serif';
    ctx.lineWidth = 1;
    if (side) {
      const x = r.left + r.width + 12;
      const h = Math.max(40, Math.min(r.height - 16, 160));
      const box = { x: x - 2, y: r.top, w: this.cssWidth - (x - 2), h: h + 16 };
      ctx.fillStyle = PLOT_COLORS.background;
      ctx.fillRect(box.x, box.y, box.w, box.h);
      const y0 = r.top + 8;
      const g = ctx.createLinearGradient(0, y0 + h, 0, y0);
      g.addColorStop(0, rgbCss(colourOf(-1, 1)));
      g.addColorStop(0.5, rgbCss(colourOf(0, 1)));
      g.addColorStop(1, rgbCss(colourOf(1, 1)));
      ctx.fillStyle = g;
      ctx.fillRect(x, y0, 12, h);
      ctx.strokeStyle = PLOT_COLORS.axis;
      ctx.strokeRect(x + 0.5, y0 + 0.5, 11, h - 1);
      ctx.fillStyle = PLOT_COLORS.text;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(hi, x + 16, y0 + 4);
      ctx.fillText('0', x + 16, y0 + h / 2);
      ctx.fillText(lo, x + 16, y0 + h - 4);
    } else {
      const box = { x: r.left + 6, y: r.top + 6, w: Math.min(150, r.width - 12), h: 34 };
      if (box.w < 40) return;
      ctx.fillStyle = PLOT_COLORS.background;
      ctx.fillRect(box.x, box.y, box.w, box.h);
      const x0 = box.x + 6;
      const w = box.w - 12;
      const g = ctx.createLinearGradient(x0, 0, x0 + w, 0);
      g.addColorStop(0, rgbCss(colourOf(-1, 1)));
      g.addColorStop(0.5, rgbCss(colourOf(0, 1)));
      g.addColorStop(1, rgbCss(colourOf(1, 1)));
      ctx.fillStyle = g;
      ctx.fillRect(x0, box.y + 4, w, 10);
      ctx.fillStyle = PLOT_COLORS.text;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      ctx.fillText(lo, x0, box.y + 17);
      ctx.textAlign = 'center';
      ctx.fillText('0', x0 + w / 2, box.y + 17);
      ctx.textAlign = 'right';
      ctx.fillText(hi, x0 + w, box.y + 17);
    }
  }
}
