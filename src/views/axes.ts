/** Axis helpers shared by the plots: "nice" tick positions, labels and the data ↔ pixel mapping. */

/** Ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [];
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const first = Math.ceil(lo / step);
  const last = Math.floor(hi / step);
  const out: number[] = [];
  for (let k = first; k <= last && out.length < 100; k++) out.push(k * step === 0 ? 0 : k * step);
  return out;
}

/** A short label for a tick value: trims float noise, switches to exponent form for huge/tiny numbers. */
export function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(1);
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step > 0 ? step : a) + 1e-9)));
  return v.toFixed(decimals);
}

/** The plot rectangle inside a canvas, in CSS pixels. */
export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A linear map from a data window onto a plot rectangle (y grows upward in data, downward on screen). */
export class Transform {
  constructor(
    readonly rect: PlotRect,
    readonly xMin: number,
    readonly xMax: number,
    readonly yMin: number,
    readonly yMax: number,
  ) {}
  px(x: number): number {
    return this.rect.left + ((x - this.xMin) / (this.xMax - this.xMin)) * this.rect.width;
  }
  py(y: number): number {
    return this.rect.top + ((this.yMax - y) / (this.yMax - this.yMin)) * this.rect.height;
  }
  dataX(px: number): number {
    return this.xMin + ((px - this.rect.left) / this.rect.width) * (this.xMax - this.xMin);
  }
  dataY(py: number): number {
    return this.yMax - ((py - this.rect.top) / this.rect.height) * (this.yMax - this.yMin);
  }
}
