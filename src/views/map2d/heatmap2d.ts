/**
 * The 2D network's top-down map with axes, a colour legend, contour lines, the units' creases and a hovered
 * region. Colours in three modes (colormap.ts): the values, the error against the target, or the linear
 * regions. Two paths: `draw` colours arrays on the CPU (the fallback without WebGPU, and CPU-like adapters);
 * `drawAround` draws only what surrounds a map that Map2DGpu paints on a WebGPU canvas stacked between
 * `background` and `overlay` (there the contours and the highlight are the fragment stage's).
 * The overlay (frame, contours, highlight, creases, legend) is redrawn alone on hover and selection changes.
 *
 * Exact cells (`setExactRegions`, issue 9): with the arrangement's polygons for the frame's view, values and
 * regions maps are painted from them instead of the grid (regionPaint.ts: each pixel from the cell under its
 * centre, outlines one device pixel wide, contours exact on each cell's plane) into an offscreen canvas kept
 * until the cells, view, size, mode or contours change, so hover and selection repaints only blit it. On the
 * CPU path it replaces the grid on the background; on the GPU path it covers the GPU map from the overlay, and
 * the highlight (the hovered region's cells, filled and outlined) is drawn here on both paths.
 */
import { LayeredCanvas } from '../layeredCanvas.ts';
import type { ViewRange } from '../../state/state.ts';
import { type PlotRect, Transform, niceTicks, tickLabel } from '../axes.ts';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import {
  ERROR_OVER,
  ERROR_UNDER,
  HIGHLIGHT_LIGHTEN,
  HIGHLIGHT_OUTLINE,
  type MapMode,
  type Rgb,
  colourOf,
  contourLevels,
  nearestSample,
  patternColour,
} from '../../model/colormap.ts';
import { colourMapImage } from '../../model/mapImage.ts';
import { type CreaseLine, CreaseGeometry, HANDLE_RADIUS, type HandleKind, creaseGeometrySteps } from './creases.ts';
import type { Network } from '../../model/network.ts';
import type { PackedRegions, Region2D } from '../../model/arrangement2d.ts';
import { type PixelFrame, cellContours, cellToPixels, cellsWithPattern, packRegions, paintCells, rasterizeCells, regionsMaxAbs } from './regionPaint.ts';

/** A frame whose map is already coloured (see `Heatmap2D.drawColoured`). */
export interface ColouredFrame {
  view: ViewRange;
  nx: number;
  ny: number;
  mode: MapMode;
  /** The coloured grid: a bitmap, or RGBA bytes (rows top-down); its scale and contour segments (grid coordinates). */
  image: { rgba: Uint8ClampedArray | null; bitmap?: ImageBitmap | null; scale: number; contours: Float32Array | null };
  /** Activation-pattern ids of the grid: needed in regions mode, and for `setHighlight`. */
  pattern?: ArrayLike<number> | null;
  /** Whether the frame shows contours (the image's, or the exact cells'). */
  contours?: boolean;
  legendLabel?: string;
}

export interface HeatmapFrame {
  view: ViewRange;
  nx: number;
  ny: number;
  /** Row-major values, row j at y = yMin + j·dy (bottom row first; the grid spans the view edge to edge). */
  values: ArrayLike<number>;
  /** 'values' unless given. */
  mode?: MapMode;
  /** Target values of the same grid (NaN where undefined): needed in error mode. */
  target?: ArrayLike<number> | null;
  /** Activation-pattern ids of the same grid: needed in regions mode, and for `setHighlight`. */
  pattern?: ArrayLike<number> | null;
  /** Contour lines of the values (of the error in error mode) at the legend's nice levels. */
  contours?: boolean;
  /** The legend's text instead of its mode's title, e.g. "37 regions in view" (regions mode), or a note in the others. */
  legendLabel?: string;
}

/** What the legend shows: the mode, its scale (null until a GPU frame's number is read), and regions' text. */
export interface LegendSpec {
  mode?: MapMode;
  scale?: number | null;
  label?: string;
}

const MARGIN = { left: 58, right: 14, top: 12, bottom: 38 };
/** Room (CSS pixels) the legend needs to the right of the map; with less it sits inside the map's top-left corner. */
const LEGEND_SIDE = 76;
/** Height (CSS pixels, under the x tick labels) of the legend laid out across the foot of a tall box. */
const LEGEND_BELOW = 64;
/** Where the legend goes: beside the map, across its foot (tall boxes), or inside its top-left corner. */
type LegendPlace = 'side' | 'below' | 'inside';
const CONTOUR_STYLE = 'rgba(20, 20, 26, 0.45)';
const CREASE_STYLE = 'rgba(30, 30, 40, 0.5)';
/** The hovered point's active units' lines. */
const ACTIVE_STYLE = 'rgba(24, 100, 171, 0.85)';
/** Active units' lines drawn at most on hover (beyond, they would only darken the map). */
const ACTIVE_LINES_DRAWN = 512;
/**
 * From this many stroked creases on, they are stroked once into an off-screen layer (per geometry and canvas size)
 * that every overlay repaint blits: restroking 4,096 of them on each pointer move over a 65,536-unit network cost
 * the page tens of milliseconds per hover on a slow CPU. Fewer are stroked directly.
 */
export const CREASE_LAYER_FROM = 256;
const MODE_TITLE: Record<MapMode, string> = { values: 'value', error: 'error', regions: 'regions' };

function rgbCss(c: Rgb, alpha = 1): string {
  const rgb = `${Math.round(255 * c[0])}, ${Math.round(255 * c[1])}, ${Math.round(255 * c[2])}`;
  return alpha === 1 ? `rgb(${rgb})` : `rgba(${rgb}, ${alpha})`;
}

/** The error map's colour stops for the legend, −max to +max. */
function errorStops(): Rgb[] {
  return [ERROR_UNDER, [1, 1, 1], ERROR_OVER];
}

/**
 * Highlight mask of region `id` over an nx × ny pattern grid, as RGBA bytes with image rows top-down: samples
 * of the region lightened (white at HIGHLIGHT_LIGHTEN alpha), those with a 4-neighbour in another region in
 * the outline colour. `out` must hold 4·nx·ny bytes; everything else is cleared.
 */
export function highlightMask(pattern: ArrayLike<number>, nx: number, ny: number, id: number, out: Uint8ClampedArray): void {
  if (out.length < 4 * nx * ny) throw new RangeError(`highlightMask needs ${4 * nx * ny} bytes, got ${out.length}`);
  out.fill(0, 0, 4 * nx * ny);
  const inside = (i: number, j: number) => i < 0 || j < 0 || i >= nx || j >= ny || pattern[j * nx + i] === id;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (pattern[j * nx + i] !== id) continue;
      const k = 4 * ((ny - 1 - j) * nx + i);
      const edge = !inside(i - 1, j) || !inside(i + 1, j) || !inside(i, j - 1) || !inside(i, j + 1);
      if (edge) {
        out[k] = 255 * HIGHLIGHT_OUTLINE[0];
        out[k + 1] = 255 * HIGHLIGHT_OUTLINE[1];
        out[k + 2] = 255 * HIGHLIGHT_OUTLINE[2];
        out[k + 3] = 255;
      } else {
        out[k] = out[k + 1] = out[k + 2] = 255;
        out[k + 3] = 255 * HIGHLIGHT_LIGHTEN;
      }
    }
  }
}

/**
 * The pattern ids of an nx×ny grid (row-major, rows bottom-up) at mx×my samples (mx ≤ nx, my ≤ ny): each kept
 * sample is the one nearest to where it lands when both grids are drawn edge to edge over the same rectangle
 * (sample c of mx sits where sample c·(nx−1)/(mx−1) of nx does). A grid finer than the screen's pixels is
 * reduced this way before its highlight mask is built, so a hover at 2048² costs what one at the map's size does.
 */
export function subsamplePattern(pattern: ArrayLike<number>, nx: number, ny: number, mx: number, my: number, out: Uint32Array): Uint32Array {
  if (!(Number.isInteger(mx) && Number.isInteger(my) && mx >= 1 && my >= 1 && mx <= nx && my <= ny)) throw new RangeError(`subsamplePattern: ${mx}×${my} is not within 1×1 … ${nx}×${ny}`);
  if (pattern.length < nx * ny) throw new RangeError(`subsamplePattern needs ${nx * ny} pattern ids, got ${pattern.length}`);
  if (out.length < mx * my) throw new RangeError(`subsamplePattern needs room for ${mx * my} ids, got ${out.length}`);
  const cols = new Int32Array(mx);
  for (let c = 0; c < mx; c++) cols[c] = mx === nx ? c : Math.round((c * (nx - 1)) / (mx - 1));
  for (let r = 0; r < my; r++) {
    const j = my === ny ? r : Math.round((r * (ny - 1)) / (my - 1));
    const row = j * nx;
    const o = r * mx;
    for (let c = 0; c < mx; c++) out[o + c] = pattern[row + cols[c]];
  }
  return out;
}

/** Packed copies of `Region2D[]` arrays, so passing the same array again repaints nothing. */
const packedOf = new WeakMap<readonly Region2D[], PackedRegions>();

const sameView = (a: ViewRange, b: ViewRange) => a.xMin === b.xMin && a.xMax === b.xMax && a.yMin === b.yMin && a.yMax === b.yMax;

/** The exact cells' painted layer and what it was painted from. */
interface ExactLayer {
  canvas: HTMLCanvasElement;
  regions: PackedRegions;
  key: string;
  /** Cell index per pixel (rows top-down), for `exactCellAt`. */
  labels: Int32Array;
  frame: PixelFrame;
  /** Device-pixel position of the layer's top-left corner on the canvases. */
  x: number;
  y: number;
  dpr: number;
}

export class Heatmap2D extends LayeredCanvas {
  /** The CPU mode's coloured grid: a canvas the bytes are put on (reused), or the bitmap a worker made. */
  private grid: HTMLCanvasElement | null = null;
  private bitmap: ImageBitmap | null = null;
  private source: CanvasImageSource | null = null;
  /** The highlight mask's canvas and store (CPU mode), reused like the grid's. */
  private mask: HTMLCanvasElement | null = null;
  private maskImage: ImageData | null = null;
  /** What the mask canvas holds (a hover that keeps the region repaints the overlay without rebuilding it). */
  private maskOf: { pattern: ArrayLike<number>; id: number; nx: number; ny: number; mx: number; my: number } | null = null;
  private maskIds = new Uint32Array(0);

  /** What the overlay is drawn from, kept so that hover and selection redraw it alone. */
  private view: ViewRange | null = null;
  /** True after `draw` (the map is on the background canvas), false after `drawAround` (a GPU map). */
  private cpuMap = false;
  private mode: MapMode = 'values';
  private nx = 0;
  private ny = 0;
  private pattern: ArrayLike<number> | null = null;
  /** Contour segments of the last CPU frame in grid coordinates (x = column, y = row from the bottom). */
  private contours: Float32Array | null = null;
  private legend: LegendSpec = {};
  private highlight: number | null = null;
  /**
   * The hovered point's active units (their lines drawn stronger), or null: the units' indices as given, and a
   * byte per unit (1: active) for the lookups while stroking (a Set of 32,000 units was built on every pointer move).
   */
  private active: readonly number[] | null = null;
  private activeMask = new Uint8Array(0);
  /** The creases stroked into a layer of their own (see CREASE_LAYER_FROM), and what it was stroked from. */
  private creaseLayer: { canvas: HTMLCanvasElement; drawn: Int32Array; left: number; top: number; width: number; height: number; dpr: number; x: number; y: number } | null = null;
  private lines: readonly CreaseLine[] | Pick<Network, 'w' | 'b'> | null = null;
  private selected = -1;
  private geometry: CreaseGeometry | null = null;
  /** Exact cells and the view they were computed for (null: paint from the grid). */
  private exact: { regions: PackedRegions; view: ViewRange; scale: number } | null = null;
  private layer: ExactLayer | null = null;
  private layerPixels = new Uint8ClampedArray(0);
  /** Whether the frame asked for contours (they are drawn exactly on the cells when those are painted). */
  private wantContours = false;
  /** Cells of the highlighted pattern id in the current layer's cells. */
  private highlightCells: { regions: PackedRegions; id: number; cells: number[] } | null = null;

  /**
   * `background` gets the background, the ticks and (in CPU mode) the map; `overlay` (the same canvas, or one
   * stacked above a WebGPU canvas) gets the map's frame, contours, highlight, creases and the legend.
   * `settings` are the 2D contexts' (see LayeredCanvas), the map's own off-screen canvases (grid, highlight mask,
   * exact-cell layer) included: a GPU-backed off-screen canvas that is drawn on again before it is ever shown
   * makes Chromium wait at the end of the task until the GPU process has run its commands (a canvas "rate
   * limiter"), and behind a software adapter's long WebGPU dispatches that wait blocked the page for 1–2 s.
   */
  constructor(
    background: HTMLCanvasElement,
    overlay: HTMLCanvasElement = background,
    private readonly settings?: CanvasRenderingContext2DSettings,
  ) {
    super(background, overlay, settings);
  }

  /** The 2D context of one of the map's own off-screen canvases, of the same kind as the page's (see the constructor). */
  private scratch(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
    return canvas.getContext('2d', this.settings)!;
  }

  /**
   * A square plot area, as large as fits. In a box tall enough for the full-width square and a legend under it
   * (the map beside the surface at 1280×720 and 1400×900) the legend goes across the foot, so the square takes
   * the whole width and the height under it is used; in other tall, narrow boxes the legend gets its room on the
   * right, so it never covers the map's top-left corner. What height is left over is split above and below.
   */
  get rect(): PlotRect {
    const w = this.cssWidth - MARGIN.left - MARGIN.right;
    const h = this.cssHeight - MARGIN.top - MARGIN.bottom;
    const place = this.legendPlace();
    const side = Math.max(1, place === 'below' ? w : place === 'side' && h >= w ? w - LEGEND_SIDE : Math.min(w, h));
    // Centred in a taller box (as the surface beside it is), the legend under it included.
    const spare = h - side - (place === 'below' ? LEGEND_BELOW : 0);
    return { left: MARGIN.left, top: MARGIN.top + Math.max(0, Math.floor(spare / 2)), width: side, height: side };
  }

  /** Where the legend fits (see `rect`). */
  private legendPlace(): LegendPlace {
    const w = this.cssWidth - MARGIN.left - MARGIN.right;
    const h = this.cssHeight - MARGIN.top - MARGIN.bottom;
    if (w >= 120 && h >= w + LEGEND_BELOW) return 'below';
    if (h >= w) return w - LEGEND_SIDE >= 0.6 * w ? 'side' : 'inside';
    return this.cssWidth - (MARGIN.left + Math.min(w, h)) >= LEGEND_SIDE ? 'side' : 'inside';
  }

  /** Grid resolution per side for the current size (one sample per ~2 CSS pixels, at most 512). */
  get resolution(): number {
    return Math.max(2, Math.min(512, Math.round(this.rect.width / 2)));
  }

  /** Data ↔ CSS pixel mapping of the last drawn view (null before the first frame). */
  get transform(): Transform | null {
    const v = this.view;
    return v ? new Transform(this.rect, v.xMin, v.xMax, v.yMin, v.yMax) : null;
  }

  /** Creases visible in the view and how many of them are stroked (at most MAX_DRAWN_CREASES). */
  get creaseCounts(): { visible: number; drawn: number } {
    const g = this.geometryNow();
    return { visible: g?.visible ?? 0, drawn: g?.drawn.length ?? 0 };
  }

  /**
   * CPU mode: colours the frame here (values and error bilinear-smoothed, regions as blocks, like Map2DGpu) and
   * draws axes, contours, creases and the legend around it. Throws a RangeError when the arrays and the shape
   * disagree or the mode lacks its array.
   */
  draw(frame: HeatmapFrame): void {
    const mode = frame.mode ?? 'values';
    const image = colourMapImage(frame.values, frame.target ?? null, frame.pattern ?? null, frame.nx, frame.ny, { mode, contours: frame.contours === true });
    this.drawColoured({ ...frame, mode, image });
  }

  /**
   * CPU mode from a map coloured elsewhere (`colourMapImage`, in the CPU grid worker): what `draw` does after
   * colouring. An ImageBitmap given is the map's from now on (closed when a later frame replaces it).
   */
  drawColoured(frame: ColouredFrame): void {
    const { nx, ny, mode, image } = frame;
    const n = nx * ny;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a map needs a grid of at least 1×1, got ${nx}×${ny}`);
    if (mode === 'regions' && (!frame.pattern || frame.pattern.length < n)) throw new RangeError(`the region map needs ${n} pattern ids`);
    if (!image.bitmap && !(image.rgba && image.rgba.length >= 4 * n)) throw new RangeError(`a ${nx}×${ny} map needs its bitmap or ${4 * n} colour bytes`);
    this.view = frame.view;
    this.cpuMap = true;
    this.mode = mode;
    this.nx = nx;
    this.ny = ny;
    this.pattern = frame.pattern && frame.pattern.length >= n ? frame.pattern : null;
    // A new frame builds its highlight mask again (its pattern array may be a reused one with new ids).
    this.maskOf = null;
    if (this.highlight !== null && !this.pattern) this.highlight = null;
    this.wantContours = frame.contours === true;
    this.legend = { mode, scale: image.scale, label: frame.legendLabel };
    if (this.exactActive && mode === 'values') this.legend.scale = this.exact!.scale;
    // Kept even under exact cells, so that clearing them (`setExactRegions(null)`) shows the grid's contours.
    this.contours = frame.contours ? image.contours : null;
    if (this.bitmap && this.bitmap !== image.bitmap) this.bitmap.close();
    this.bitmap = image.bitmap ?? null;
    if (this.bitmap) this.source = this.bitmap;
    else {
      this.grid ??= document.createElement('canvas');
      if (this.grid.width !== nx || this.grid.height !== ny) {
        this.grid.width = nx;
        this.grid.height = ny;
      }
      const bytes = image.rgba!.length === 4 * n ? image.rgba! : image.rgba!.subarray(0, 4 * n);
      this.scratch(this.grid).putImageData(new ImageData(bytes as Uint8ClampedArray<ArrayBuffer>, nx, ny), 0, 0);
      this.source = this.grid;
    }
    this.paintBackground();
    this.paintOverlay();
  }

  /** Forgets its off-screen layers (exact cells, highlight, creases): the browser may have cleared them. */
  invalidate(): void {
    this.layer = null;
    this.maskOf = null;
    this.creaseLayer = null;
  }

  /**
   * GPU mode: draws the background, ticks, frame, creases and legend around a map drawn by Map2DGpu (into the
   * same `rect`; the overlay must be a canvas above the WebGPU one). With `scale` null the legend reads
   * −max … +max until `setScale` gives the number. Contours and the highlight are Map2DGpu's here; `nx`, `ny`
   * (the GPU frame's grid) let `sampleAt` map the pointer to a sample. With exact cells set for `view` (values or
   * regions mode) the overlay covers the GPU map with them; `contours` then asks for their exact contours and
   * the values legend takes the cells' exact max |f|.
   */
  drawAround(view: ViewRange, scale: number | null = null, legend: { mode?: MapMode; label?: string; nx?: number; ny?: number; contours?: boolean } = {}): void {
    this.view = view;
    this.nx = legend.nx ?? 0;
    this.ny = legend.ny ?? 0;
    this.cpuMap = false;
    this.mode = legend.mode ?? 'values';
    this.pattern = null;
    this.contours = null;
    this.wantContours = legend.contours === true;
    this.legend = { mode: this.mode, scale, label: legend.label };
    if (this.exactActive && this.mode === 'values') this.legend.scale = this.exact!.scale;
    this.paintBackground();
    this.paintOverlay();
  }

  /** Relabels the legend once the frame's max |v| (or |error|) is known (a lazy read-back); the rest is left as drawn. */
  setScale(scale: number): void {
    // The exact cells' max |f| is the scale their colours use; the grid's read-back would disagree with them.
    if (this.exactActive && this.mode === 'values') return;
    this.legend = { ...this.legend, scale };
    if (this.view) this.drawLegend();
  }

  /**
   * The units' lines to draw as creases (a 2D network's units, or lines; null for none) and the selected unit
   * (−1 for none; drawn bold with its move and turn handles). Redraws the overlay.
   */
  setCreases(lines: readonly CreaseLine[] | Pick<Network, 'w' | 'b'> | null, selected = -1, redraw = true): void {
    // A network's arrays are read in place and its geometry kept while the network stays (validated networks are
    // never written: see validateNetwork), or while a new network has the same lines (a copy of it: comparing
    // 65,536 units costs far less than clipping them again); line objects given anew are clipped anew.
    const old = this.lines;
    const same = lines === old ? !Array.isArray(lines) : lines !== null && old !== null && !Array.isArray(lines) && !Array.isArray(old) && sameLines(lines as Pick<Network, 'w' | 'b'>, old as Pick<Network, 'w' | 'b'>);
    if (!same) {
      this.geometry = null;
      this.lines = lines;
    }
    this.selected = selected;
    if (redraw) this.redrawOverlay();
  }

  /**
   * The clipping of the creases over `view` in steps (a generator: each `next()` clips a few thousand lines; the
   * geometry is kept when done), or null when the kept one serves (as it is, or moved): a caller that paints the
   * map of `view` next (after `setCreases(…, false)`) can spread the clipping over tasks of their own first
   * (65,536 lines took 50–70 ms of a slow CPU in one task).
   */
  creaseSteps(view: ViewRange): Generator<void, void, void> | null {
    if (!this.lines || this.keptGeometry(view)) return null;
    const lines = this.lines;
    const selected = this.selected;
    const steps = creaseGeometrySteps(lines, view, this.rect, selected);
    const done = (g: CreaseGeometry) => {
      // Kept unless the lines or the selection changed meanwhile.
      if (this.lines === lines && this.selected === selected) this.geometry = g;
    };
    return (function* () {
      done(yield* steps);
    })();
  }

  /**
   * The hovered point's active units, whose lines are drawn stronger (blue) over the other creases (at most
   * ACTIVE_LINES_DRAWN of them), or null. Redraws the overlay alone.
   */
  setActiveUnits(units: readonly number[] | null): void {
    const next = units && units.length > 0 ? units : null;
    if (next === null && this.active === null) return;
    // The pointer still in the same region: the same units, nothing to redraw.
    if (next !== null && this.active !== null && sameUnits(next, this.active)) return;
    const mask = this.activeMask;
    if (this.active) for (const u of this.active) if (u >= 0 && u < mask.length) mask[u] = 0;
    if (next) {
      let max = -1;
      for (const u of next) if (u > max) max = u;
      if (max >= this.activeMask.length) {
        this.activeMask = new Uint8Array(Math.max(max + 1, 2 * this.activeMask.length));
      }
      const m = this.activeMask;
      for (const u of next) if (u >= 0) m[u] = 1;
    }
    // A copy: the caller may reuse its array.
    this.active = next ? next.slice() : null;
    this.redrawOverlay();
  }

  /**
   * The region to highlight (its pattern id), or null. CPU mode lightens and outlines it on the overlay from
   * the frame's pattern array (no-op without one); in GPU mode pass it to Map2DGpu's frame instead.
   */
  setHighlight(id: number | null): void {
    if (id === this.highlight) return;
    this.highlight = id;
    if (this.cpuMap || this.exactActive) this.redrawOverlay();
  }

  /**
   * The exact cells (`arrangement2DPacked(...).regions` or `arrangement2D(...).polygons`) computed for `view`,
   * or null to paint from the grid again. They paint values and regions maps while `view` equals the frame's
   * view (a stale arrangement for another view is ignored until the caller replaces it); the caller clears or
   * replaces them when the network changes. Repaints the map if a frame is drawn. Throws a RangeError when
   * cells come without a view.
   */
  setExactRegions(regions: PackedRegions | readonly Region2D[] | null, view: ViewRange | null = null): void {
    if (regions === null) {
      if (!this.exact) return;
      this.exact = null;
      this.layer = null;
    } else {
      if (!view) throw new RangeError('setExactRegions needs the view the cells were computed for');
      let packed: PackedRegions;
      if (Array.isArray(regions)) {
        const list = regions as readonly Region2D[];
        packed = packedOf.get(list) ?? packRegions(list);
        packedOf.set(list, packed);
      } else packed = regions as PackedRegions;
      if (this.exact && this.exact.regions === packed && sameView(this.exact.view, view)) return;
      const scale = this.exact?.regions === packed ? this.exact.scale : regionsMaxAbs(packed);
      this.exact = { regions: packed, view: { ...view }, scale };
    }
    this.highlightCells = null;
    if (!this.view) return;
    if (this.mode === 'values') {
      // The legend follows whichever scale the map is now coloured with (the grid's comes back with the next frame).
      if (this.exactActive) this.legend = { ...this.legend, scale: this.exact!.scale };
    }
    this.paintBackground();
    this.paintOverlay();
  }

  /** Whether the map is painted from exact cells now (cells set for the frame's view, values or regions mode). */
  get exactActive(): boolean {
    const e = this.exact;
    return e !== null && this.view !== null && this.mode !== 'error' && sameView(e.view, this.view);
  }

  /** Index of the exact cell under CSS pixel (px, py) in the regions passed to `setExactRegions`, −1 outside or without them. */
  exactCellAt(px: number, py: number): number {
    const L = this.layerNow();
    if (!L) return -1;
    const i = Math.floor(px * L.dpr - L.x);
    const j = Math.floor(py * L.dpr - L.y);
    if (i < 0 || j < 0 || i >= L.frame.width || j >= L.frame.height) return -1;
    return L.labels[j * L.frame.width + i];
  }

  /** Device pixels per CSS pixel of the canvases (1 before the first resize). */
  private get dpr(): number {
    return this.cssWidth > 0 ? this.overlay.width / this.cssWidth : 1;
  }

  /** The painted exact layer for the current frame, repainted when its key changed; null when not active. */
  private layerNow(): ExactLayer | null {
    if (!this.exactActive) return null;
    const { regions, view, scale } = this.exact!;
    const r = this.rect;
    const dpr = this.dpr;
    const x = Math.round(r.left * dpr);
    const y = Math.round(r.top * dpr);
    const width = Math.max(1, Math.round((r.left + r.width) * dpr) - x);
    const height = Math.max(1, Math.round((r.top + r.height) * dpr) - y);
    const mode = this.mode === 'regions' ? 'regions' : 'values';
    const key = `${view.xMin},${view.xMax},${view.yMin},${view.yMax}|${width}x${height}|${mode}|${this.wantContours}`;
    const old = this.layer;
    if (old && old.regions === regions && old.key === key) {
      old.x = x;
      old.y = y;
      old.dpr = dpr;
      return old;
    }
    const frame: PixelFrame = { view, width, height };
    const labels = rasterizeCells(regions, frame, old?.labels);
    const bytes = 4 * width * height;
    if (this.layerPixels.length < bytes) this.layerPixels = new Uint8ClampedArray(2 ** Math.ceil(Math.log2(bytes)));
    const pixels = this.layerPixels.subarray(0, bytes);
    paintCells(regions, labels, frame, { mode, scale }, pixels);
    const canvas = old?.canvas ?? document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = this.scratch(canvas);
    ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
    if (this.wantContours) {
      const s = cellContours(regions, contourLevels(scale), frame);
      ctx.beginPath();
      for (let k = 0; k < s.length; k += 4) {
        ctx.moveTo(s[k], s[k + 1]);
        ctx.lineTo(s[k + 2], s[k + 3]);
      }
      ctx.strokeStyle = CONTOUR_STYLE;
      ctx.lineWidth = dpr;
      ctx.stroke();
    }
    this.layer = { canvas, regions, key, labels, frame, x, y, dpr };
    return this.layer;
  }

  /** Draws the exact layer at its device-pixel position (no resampling); false when not active. */
  private drawExact(ctx: CanvasRenderingContext2D): boolean {
    const L = this.layerNow();
    if (!L) return false;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(L.canvas, L.x, L.y);
    ctx.restore();
    return true;
  }

  /** The highlighted region's exact cells, lightened and outlined like the grid's highlight. */
  private drawExactHighlight(ctx: CanvasRenderingContext2D): void {
    const id = this.highlight;
    const L = this.layerNow();
    if (id === null || !L) return;
    let h = this.highlightCells;
    if (!h || h.regions !== L.regions || h.id !== id) h = this.highlightCells = { regions: L.regions, id, cells: cellsWithPattern(L.regions, id) };
    if (h.cells.length === 0) return;
    let P = new Float64Array(64);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, L.x, L.y);
    ctx.beginPath();
    for (const k of h.cells) {
      const m = L.regions.offsets[k + 1] - L.regions.offsets[k];
      if (P.length < 2 * m) P = new Float64Array(4 * m);
      cellToPixels(L.regions, k, L.frame, P);
      ctx.moveTo(P[0], P[1]);
      for (let q = 1; q < m; q++) ctx.lineTo(P[2 * q], P[2 * q + 1]);
      ctx.closePath();
    }
    ctx.fillStyle = `rgba(255, 255, 255, ${HIGHLIGHT_LIGHTEN})`;
    ctx.fill();
    ctx.strokeStyle = rgbCss(HIGHLIGHT_OUTLINE);
    ctx.lineWidth = 1.5 * L.dpr;
    ctx.stroke();
    ctx.restore();
  }

  /**
   * Index (j·nx + i) of the grid sample nearest CSS pixel (px, py) of the last frame, −1 outside the map: where
   * to look up the pattern id (and value) under the pointer, on either path.
   */
  sampleAt(px: number, py: number): number {
    if (!this.view || this.nx === 0) return -1;
    const r = this.rect;
    return nearestSample(this.nx, this.ny, (px - r.left) / r.width, 1 - (py - r.top) / r.height);
  }

  /**
   * The pattern id under CSS pixel (px, py): from the exact cells when they paint the map, else from the last
   * CPU frame's pattern array; null without either.
   */
  patternAt(px: number, py: number): number | null {
    if (this.exactActive) {
      const c = this.exactCellAt(px, py);
      return c >= 0 ? this.exact!.regions.pattern[c] : null;
    }
    const k = this.sampleAt(px, py);
    return k >= 0 && this.pattern ? this.pattern[k] : null;
  }

  /** The unit whose crease passes within a few CSS pixels of (px, py), or −1. */
  hitCrease(px: number, py: number): number {
    return this.geometryNow()?.hitCrease(px, py) ?? -1;
  }

  /** The selected crease's handle under (px, py): 'move' (its midpoint), 'turn' (toward its end) or null. */
  handleAt(px: number, py: number): HandleKind | null {
    return this.geometryNow()?.handleAt(px, py) ?? null;
  }

  /** The selected crease's midpoint in the view, in data coordinates: the pivot to pass to `dragLine` for a turn. */
  creaseMidpoint(): [number, number] | null {
    return this.geometryNow()?.midpoint() ?? null;
  }

  /** The creases' geometry, rebuilt only when the lines, the view, the plot area or the selection changed. */
  private geometryNow(): CreaseGeometry | null {
    return this.view ? this.geometryFor(this.view) : null;
  }

  /** The creases' geometry over `view` (the one kept when it serves, else built and kept). */
  private geometryFor(view: ViewRange): CreaseGeometry | null {
    if (!this.lines) return null;
    return this.keptGeometry(view) ?? (this.geometry = new CreaseGeometry(this.lines, { ...view }, this.rect, this.selected));
  }

  /** The kept geometry when it is current for `view`, moved when only the plot area's place changed; else null. */
  private keptGeometry(view: ViewRange): CreaseGeometry | null {
    const g = this.geometry;
    const r = this.rect;
    if (!(g !== null && g.lines === this.lines && g.selected === this.selected && sameView(g.view, view) && g.rect.width === r.width && g.rect.height === r.height)) return null;
    if (g.rect.left === r.left && g.rect.top === r.top) return g;
    // The same plot area moved (the page's layout shifted the map): shifted, not clipped again.
    return (this.geometry = g.movedTo(r));
  }

  /**
   * Draws an nx × ny image of grid samples onto the map so that sample i lands at fraction i/(nx − 1): the
   * source rectangle runs from the first texel's centre to the last one's. Smoothing on blends like the
   * shader's bilinear; off, each pixel takes the nearest sample (regions, the highlight).
   */
  private drawSamples(ctx: CanvasRenderingContext2D, source: CanvasImageSource, nx: number, ny: number, smooth: boolean): void {
    const r = this.rect;
    ctx.imageSmoothingEnabled = smooth;
    const sx = nx > 1 ? 0.5 : 0;
    const sy = ny > 1 ? 0.5 : 0;
    ctx.drawImage(source, sx, sy, nx > 1 ? nx - 1 : 1, ny > 1 ? ny - 1 : 1, r.left, r.top, r.width, r.height);
    ctx.imageSmoothingEnabled = true;
  }

  /** Background, ticks and, in CPU mode, the coloured grid. */
  private paintBackground(): void {
    const view = this.view!;
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
    if (this.cpuMap && !this.drawExact(ctx) && this.source) this.drawSamples(ctx, this.source, this.nx, this.ny, this.mode !== 'regions');
  }

  /** Redraws the overlay from what is kept (the background too when both are one canvas). */
  private redrawOverlay(): void {
    if (!this.view) return;
    if (this.overlay === this.background) this.paintBackground();
    this.paintOverlay();
  }

  /** Frame, contours, highlight, creases and legend, on the overlay (above a WebGPU map). */
  private paintOverlay(): void {
    const ctx = this.top;
    const r = this.rect;
    if (this.overlay !== this.background) ctx.clearRect(0, 0, this.cssWidth, this.cssHeight);
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.left, r.top, r.width, r.height);
    ctx.clip();
    if (this.exactActive) {
      // The exact layer (with its contours) is on the background in CPU mode; above the GPU map it goes here.
      if (!this.cpuMap) this.drawExact(ctx);
      this.drawExactHighlight(ctx);
    } else if (this.cpuMap) {
      this.drawContours(ctx);
      this.drawHighlight(ctx);
    }
    this.drawCreases(ctx);
    ctx.restore();
    ctx.strokeStyle = PLOT_COLORS.axis;
    ctx.lineWidth = 1;
    ctx.strokeRect(r.left + 0.5, r.top + 0.5, r.width - 1, r.height - 1);
    this.drawLegend();
    // The handles go on top of everything, the legend included: they are what the pointer grabs.
    this.drawHandles(ctx);
  }

  private drawContours(ctx: CanvasRenderingContext2D): void {
    const s = this.contours;
    if (!s || s.length === 0) return;
    const r = this.rect;
    const kx = this.nx > 1 ? r.width / (this.nx - 1) : 0;
    const ky = this.ny > 1 ? r.height / (this.ny - 1) : 0;
    const bottom = r.top + r.height;
    ctx.beginPath();
    for (let k = 0; k < s.length; k += 4) {
      ctx.moveTo(r.left + s[k] * kx, bottom - s[k + 1] * ky);
      ctx.lineTo(r.left + s[k + 2] * kx, bottom - s[k + 3] * ky);
    }
    ctx.strokeStyle = CONTOUR_STYLE;
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  private drawHighlight(ctx: CanvasRenderingContext2D): void {
    const id = this.highlight;
    const pattern = this.pattern;
    if (id === null || !pattern) return;
    const { nx, ny } = this;
    // At most one mask sample per device pixel of the map (the finer grid's samples would fall between pixels):
    // a 2048² grid's mask took 100+ ms of the main thread per hover on a slow CPU.
    const r = this.rect;
    const dpr = window.devicePixelRatio || 1;
    const mx = Math.min(nx, Math.max(2, Math.ceil(r.width * dpr)));
    const my = Math.min(ny, Math.max(2, Math.ceil(r.height * dpr)));
    this.mask ??= document.createElement('canvas');
    const m = this.maskOf;
    if (!(m && m.pattern === pattern && m.id === id && m.nx === nx && m.ny === ny && m.mx === mx && m.my === my)) {
      if (!this.maskImage || this.maskImage.width !== mx || this.maskImage.height !== my) {
        this.mask.width = mx;
        this.mask.height = my;
        this.maskImage = new ImageData(mx, my);
      }
      let ids: ArrayLike<number> = pattern;
      if (mx < nx || my < ny) {
        if (this.maskIds.length < mx * my) this.maskIds = new Uint32Array(mx * my);
        ids = subsamplePattern(pattern, nx, ny, mx, my, this.maskIds);
      }
      highlightMask(ids, mx, my, id, this.maskImage.data);
      this.scratch(this.mask).putImageData(this.maskImage, 0, 0);
      this.maskOf = { pattern, id, nx, ny, mx, my };
    }
    this.drawSamples(ctx, this.mask, mx, my, false);
  }

  /**
   * Every visible unit's line, clipped exactly to the view: thin and semi-transparent, one path (a stride over
   * the units beyond MAX_DRAWN_CREASES), fainter the more there are; the selected one bold (its handles are drawn last).
   */
  private drawCreases(ctx: CanvasRenderingContext2D): void {
    const g = this.geometryNow();
    if (!g || g.visible === 0) return;
    const s = g.segments;
    if (g.drawn.length >= CREASE_LAYER_FROM) this.drawCreaseLayer(ctx, g);
    else strokeCreases(ctx, g);
    if (this.active) {
      // The hovered region's active units: their lines in blue, so one sees which hinges make the region's plane.
      ctx.beginPath();
      let shown = 0;
      const mask = this.activeMask;
      for (let k = 0; k < g.units.length && shown < ACTIVE_LINES_DRAWN; k++) {
        if (mask[g.units[k]] !== 1) continue;
        ctx.moveTo(s[4 * k], s[4 * k + 1]);
        ctx.lineTo(s[4 * k + 2], s[4 * k + 3]);
        shown++;
      }
      ctx.strokeStyle = ACTIVE_STYLE;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    const sel = g.selectedSegment;
    if (!sel) return;
    const a = g.toPixel(sel[0], sel[1]);
    const b = g.toPixel(sel[2], sel[3]);
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.strokeStyle = PLOT_COLORS.selected;
    ctx.lineWidth = 3;
    ctx.stroke();
  }

  /**
   * The creases from their layer, stroked into it first when the geometry or the plot area's size changed: the
   * same strokes as `strokeCreases` on the overlay, on a transparent canvas covering the plot area (device pixels),
   * blitted 1:1. A geometry only moved (`CreaseGeometry.movedTo`, same `drawn`) by whole device pixels reuses it.
   */
  private drawCreaseLayer(ctx: CanvasRenderingContext2D, g: CreaseGeometry): void {
    const r = g.rect;
    const dpr = this.dpr;
    let L = this.creaseLayer;
    const reuse =
      L !== null &&
      L.drawn === g.drawn &&
      L.width === r.width &&
      L.height === r.height &&
      L.dpr === dpr &&
      Number.isInteger(dpr * (r.left - L.left)) &&
      Number.isInteger(dpr * (r.top - L.top));
    if (L && reuse) {
      L.x += dpr * (r.left - L.left);
      L.y += dpr * (r.top - L.top);
      L.left = r.left;
      L.top = r.top;
    } else {
      const x = Math.floor(r.left * dpr);
      const y = Math.floor(r.top * dpr);
      const canvas = L?.canvas ?? document.createElement('canvas');
      canvas.width = Math.max(1, Math.ceil((r.left + r.width) * dpr) - x);
      canvas.height = Math.max(1, Math.ceil((r.top + r.height) * dpr) - y);
      const c = this.scratch(canvas);
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, canvas.width, canvas.height);
      c.setTransform(dpr, 0, 0, dpr, -x, -y);
      c.save();
      c.beginPath();
      c.rect(r.left, r.top, r.width, r.height);
      c.clip();
      strokeCreases(c, g);
      c.restore();
      L = this.creaseLayer = { canvas, drawn: g.drawn, left: r.left, top: r.top, width: r.width, height: r.height, dpr, x, y };
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(L.canvas, L.x, L.y);
    ctx.restore();
  }

  /** The selected crease's handles: a filled disc at its midpoint (move), an open square toward its end (turn). */
  private drawHandles(ctx: CanvasRenderingContext2D): void {
    const h = this.geometryNow()?.handles();
    if (!h) return;
    for (const [kind, [x, y]] of [
      ['move', h.move],
      ['turn', h.turn],
    ] as const) {
      ctx.beginPath();
      if (kind === 'move') ctx.arc(x, y, HANDLE_RADIUS, 0, 2 * Math.PI);
      else ctx.rect(x - HANDLE_RADIUS + 1, y - HANDLE_RADIUS + 1, 2 * HANDLE_RADIUS - 2, 2 * HANDLE_RADIUS - 2);
      ctx.fillStyle = kind === 'move' ? PLOT_COLORS.selected : PLOT_COLORS.background;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = PLOT_COLORS.selected;
      ctx.stroke();
    }
  }

  /** The colour bar's stops from bottom (−max) to top (+max), or the regions' sample patches. */
  private legendStops(): Rgb[] {
    if (this.legend.mode === 'error') return errorStops();
    if (this.legend.mode === 'regions') return [1, 2, 3, 4, 5, 6].map((i) => patternColour(i * 0x9e3779b9));
    return [colourOf(-1, 1), colourOf(0, 1), colourOf(1, 1)];
  }

  /**
   * The legend in an opaque box (so relabelling needs nothing else), to the right of the map when there is
   * room, else inside its top-left corner: the mode's name; for values and error a colour bar labelled
   * −max, 0, +max (numbers once the scale is known); for regions colour patches and the caller's text.
   */
  private drawLegend(): void {
    const ctx = this.top;
    const r = this.rect;
    const mode = this.legend.mode ?? 'values';
    const scale = this.legend.scale ?? null;
    const known = scale !== null && Number.isFinite(scale);
    const hi = known ? `+${scale.toPrecision(3)}` : '+max';
    const lo = known ? `−${scale.toPrecision(3)}` : '−max';
    const stops = this.legendStops();
    const place = this.legendPlace();
    const title = MODE_TITLE[mode];
    ctx.font = '12px system-ui, sans-serif';
    ctx.lineWidth = 1;
    if (place === 'below') {
      // Under the x tick labels, as wide as the map: the title (or the caller's text) on one line, then the bar.
      const x0 = r.left;
      const w = r.width;
      const y = r.top + r.height + MARGIN.bottom - 14;
      ctx.fillStyle = PLOT_COLORS.background;
      ctx.fillRect(x0 - 2, y, w + 4, LEGEND_BELOW);
      ctx.fillStyle = PLOT_COLORS.text;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      // Regions' text says what it counts; a note in the other modes follows the mode's name.
      const label = this.legend.label;
      const text = !label ? title : mode === 'regions' ? label : `${title} — ${label}`;
      const lines = wrapText(ctx, text, w).slice(0, 2);
      lines.forEach((line, k) => ctx.fillText(fit(ctx, line, w), x0, y + 2 + 14 * k));
      const barY = y + 6 + 14 * lines.length;
      if (mode === 'regions') {
        const cell = w / stops.length;
        stops.forEach((c, k) => {
          ctx.fillStyle = rgbCss(c);
          ctx.fillRect(x0 + k * cell, barY, cell, 10);
        });
      } else {
        fillGradientBar(ctx, stops, x0, barY, w);
      }
      ctx.strokeStyle = PLOT_COLORS.axis;
      ctx.strokeRect(x0 + 0.5, barY + 0.5, w - 1, 9);
      if (mode !== 'regions') labelBar(ctx, lo, hi, x0, barY + 13, w);
    } else if (place === 'side') {
      const x = r.left + r.width + 12;
      const h = Math.max(40, Math.min(r.height - 34, 160));
      const boxW = this.cssWidth - (x - 2);
      // Region mode's count, or a note in the other modes (e.g. why there are no regions), under the title.
      const labelLines = this.legend.label ? wrapText(ctx, this.legend.label, boxW - 4) : [];
      const box = { x: x - 2, y: r.top, w: boxW, h: h + 34 + 15 * labelLines.length };
      ctx.fillStyle = PLOT_COLORS.background;
      ctx.fillRect(box.x, box.y, box.w, box.h);
      ctx.fillStyle = PLOT_COLORS.text;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(title, x, r.top + 2);
      const y0 = r.top + 22;
      if (mode === 'regions') {
        const cell = h / stops.length;
        stops.forEach((c, k) => {
          ctx.fillStyle = rgbCss(c);
          ctx.fillRect(x, y0 + k * cell, 12, cell);
        });
      } else {
        const g = ctx.createLinearGradient(0, y0 + h, 0, y0);
        stops.forEach((c, k) => g.addColorStop(k / (stops.length - 1), rgbCss(c)));
        ctx.fillStyle = g;
        ctx.fillRect(x, y0, 12, h);
      }
      ctx.strokeStyle = PLOT_COLORS.axis;
      ctx.strokeRect(x + 0.5, y0 + 0.5, 11, h - 1);
      ctx.fillStyle = PLOT_COLORS.text;
      if (mode === 'regions') {
        ctx.textBaseline = 'top';
        labelLines.forEach((line, k) => ctx.fillText(line, x, y0 + h + 6 + 15 * k));
      } else {
        ctx.textBaseline = 'middle';
        ctx.fillText(hi, x + 16, y0 + 4);
        ctx.fillText('0', x + 16, y0 + h / 2);
        ctx.fillText(lo, x + 16, y0 + h - 4);
        ctx.textBaseline = 'top';
        labelLines.forEach((line, k) => ctx.fillText(line, x, y0 + h + 6 + 15 * k));
      }
    } else {
      const box = { x: r.left + 6, y: r.top + 6, w: Math.min(170, r.width - 12), h: 50 };
      if (box.w < 40) return;
      ctx.fillStyle = PLOT_COLORS.background;
      ctx.fillRect(box.x, box.y, box.w, box.h);
      const x0 = box.x + 6;
      const w = box.w - 12;
      ctx.fillStyle = PLOT_COLORS.text;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      const text = this.legend.label ? this.legend.label : title;
      ctx.fillText(fit(ctx, text, w), x0, box.y + 3);
      const barY = box.y + 19;
      if (mode === 'regions') {
        const cell = w / stops.length;
        stops.forEach((c, k) => {
          ctx.fillStyle = rgbCss(c);
          ctx.fillRect(x0 + k * cell, barY, cell, 10);
        });
        return;
      }
      fillGradientBar(ctx, stops, x0, barY, w);
      labelBar(ctx, lo, hi, x0, barY + 13, w);
    }
  }
}

/** Every stroked crease of `g` in one thin, semi-transparent path (fainter the more there are). */
function strokeCreases(ctx: CanvasRenderingContext2D, g: CreaseGeometry): void {
  const s = g.segments;
  ctx.beginPath();
  for (const k of g.drawn) {
    ctx.moveTo(s[4 * k], s[4 * k + 1]);
    ctx.lineTo(s[4 * k + 2], s[4 * k + 3]);
  }
  ctx.globalAlpha = Math.max(0.15, Math.min(1, 12 / Math.sqrt(g.drawn.length)));
  ctx.strokeStyle = CREASE_STYLE;
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/** Whether two networks' lines (w and b) are equal, number for number. */
function sameLines(a: Pick<Network, 'w' | 'b'>, b: Pick<Network, 'w' | 'b'>): boolean {
  if (a.w.length !== b.w.length || a.b.length !== b.b.length) return false;
  for (let k = 0; k < a.b.length; k++) if (a.b[k] !== b.b[k]) return false;
  for (let k = 0; k < a.w.length; k++) if (a.w[k] !== b.w[k]) return false;
  return true;
}

/** Whether two lists of unit indices are equal. */
function sameUnits(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** A horizontal colour bar, 10 px tall, through `stops` evenly from left to right. */
function fillGradientBar(ctx: CanvasRenderingContext2D, stops: ReadonlyArray<Rgb>, x0: number, y: number, w: number): void {
  const g = ctx.createLinearGradient(x0, 0, x0 + w, 0);
  stops.forEach((c, k) => g.addColorStop(k / (stops.length - 1), rgbCss(c)));
  ctx.fillStyle = g;
  ctx.fillRect(x0, y, w, 10);
}

/** A horizontal bar's scale under it: low end, 0 in the middle, high end. */
function labelBar(ctx: CanvasRenderingContext2D, lo: string, hi: string, x0: number, y: number, w: number): void {
  ctx.fillStyle = PLOT_COLORS.text;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(lo, x0, y);
  ctx.textAlign = 'center';
  ctx.fillText('0', x0 + w / 2, y);
  ctx.textAlign = 'right';
  ctx.fillText(hi, x0 + w, y);
  ctx.textAlign = 'left';
}

/** `text` broken into lines of at most `width` pixels at spaces (a word longer than that gets a line of its own). */
export function wrapText(ctx: Pick<CanvasRenderingContext2D, 'measureText'>, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** `text` cut (with an ellipsis) to fit `width` pixels. */
function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}
