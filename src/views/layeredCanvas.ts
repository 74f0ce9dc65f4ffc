/**
 * Two stacked 2D canvases a view draws on: the background (below a WebGPU canvas, if any) and the overlay
 * (above it; the same canvas when there is no WebGPU layer), kept at the elements' CSS size × the device pixel
 * ratio. The 1D plot and the 2D map extend it.
 */
export class LayeredCanvas {
  protected readonly bg: CanvasRenderingContext2D;
  protected readonly top: CanvasRenderingContext2D;
  protected cssWidth = 0;
  protected cssHeight = 0;

  /** `settings` are the 2D contexts' (e.g. willReadFrequently for a CPU-backed canvas); a canvas's first context fixes them. */
  constructor(
    protected readonly background: HTMLCanvasElement,
    protected readonly overlay: HTMLCanvasElement = background,
    settings?: CanvasRenderingContext2DSettings,
  ) {
    const bg = background.getContext('2d', settings);
    const top = overlay.getContext('2d', settings);
    if (!bg || !top) throw new Error('2D canvas is not available');
    this.bg = bg;
    this.top = top;
  }

  /** Matches the backing stores to the elements' CSS size and the device pixel ratio. */
  resize(): void {
    const r = this.overlay.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.cssWidth = Math.max(1, Math.round(r.width));
    this.cssHeight = Math.max(1, Math.round(r.height));
    const w = Math.round(this.cssWidth * dpr);
    const h = Math.round(this.cssHeight * dpr);
    for (const [c, ctx] of [
      [this.background, this.bg],
      [this.overlay, this.top],
    ] as const) {
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }

  /** CSS size of the canvases (a WebGPU layer between them is sized alike). */
  get size(): { width: number; height: number } {
    return { width: this.cssWidth, height: this.cssHeight };
  }
}
