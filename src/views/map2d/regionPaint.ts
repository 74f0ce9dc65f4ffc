/**
 * The exact arrangement's cells (src/model/arrangement2d.ts) painted pixel by pixel, without canvas paths:
 * 270k cells for 1,000 lines are too many `fill()` calls, but a scanline pass over all their vertices and one
 * pass over the pixels are cheap. Each pixel takes the cell that contains its centre (the rule below gives every
 * centre exactly one cell when neighbours share their vertices bit for bit, as the arrangement's do), then its
 * colour from that cell: the pattern's colour, or the value of the cell's plane at the pixel's centre (exact,
 * where the grid map interpolates). A pixel whose right or lower neighbour lies in another cell is darkened: a
 * one-device-pixel outline of every cell, faded as cells get small so dense arrangements keep their colours.
 * Pure functions over typed arrays (no DOM): Heatmap2D puts the bytes on a canvas.
 *
 * Pixel space: an image of `width` × `height` pixels spans the view edge to edge, row 0 at the top (yMax);
 * pixel (i, j) covers u ∈ [i, i + 1), v ∈ [j, j + 1), its centre at (i + ½, j + ½).
 */
import type { PackedRegions, Region2D } from '../../model/arrangement2d.ts';
import type { ViewRange } from '../../state/state.ts';
import { patternColour } from '../../model/colormap.ts';

/** A view mapped onto an image of width × height pixels. */
export interface PixelFrame {
  view: ViewRange;
  width: number;
  height: number;
}

/** The map modes the exact cells can paint (the error needs the target, which is not linear on a cell). */
export type ExactMode = 'values' | 'regions';

/** Colour of the cells' outlines (as the contours'), blended in at `outlineAlpha`. */
export const OUTLINE_RGB: readonly [number, number, number] = [20, 20, 26];

/** Thrown for a frame that is not a whole positive image size over a finite view. */
export class InvalidPixelFrameError extends Error {
  override name = 'InvalidPixelFrameError';
}

function checkFrame(f: PixelFrame): void {
  if (!(Number.isInteger(f.width) && Number.isInteger(f.height) && f.width >= 1 && f.height >= 1)) {
    throw new InvalidPixelFrameError(`a pixel frame needs a whole size of at least 1×1, got ${f.width}×${f.height}`);
  }
  const v = f.view;
  if (!(v.xMax - v.xMin > 0 && v.yMax - v.yMin > 0) || !Number.isFinite(v.xMax - v.xMin) || !Number.isFinite(v.yMax - v.yMin)) {
    throw new InvalidPixelFrameError('a pixel frame needs a finite view of positive width and height');
  }
}

/** The cells as flat arrays: the packed form as is, `Region2D` objects copied into one. */
export function packRegions(regions: PackedRegions | readonly Region2D[]): PackedRegions {
  if (!Array.isArray(regions)) return regions as PackedRegions;
  const cells = regions as readonly Region2D[];
  const count = cells.length;
  const offsets = new Int32Array(count + 1);
  for (let k = 0; k < count; k++) offsets[k + 1] = offsets[k] + (cells[k].vertices.length >> 1);
  const vertices = new Float64Array(2 * offsets[count]);
  const pattern = new Uint32Array(count);
  const active = new Int32Array(count);
  const planes = new Float64Array(3 * count);
  for (let k = 0; k < count; k++) {
    const c = cells[k];
    vertices.set(c.vertices.slice(0, 2 * (offsets[k + 1] - offsets[k])), 2 * offsets[k]);
    pattern[k] = c.pattern >>> 0;
    active[k] = c.active;
    planes[3 * k] = c.plane.gx;
    planes[3 * k + 1] = c.plane.gy;
    planes[3 * k + 2] = c.plane.c;
  }
  return { count, offsets, vertices, pattern, active, planes };
}

/**
 * Cell k's vertices in pixel coordinates (u to the right, v down) written to `out` as u, v pairs; returns the
 * number of vertices. `out` must hold twice that many entries.
 */
export function cellToPixels(regions: PackedRegions, k: number, frame: PixelFrame, out: Float64Array): number {
  const { view, width, height } = frame;
  const sx = width / (view.xMax - view.xMin);
  const sy = height / (view.yMax - view.yMin);
  const a = 2 * regions.offsets[k];
  const b = 2 * regions.offsets[k + 1];
  if (out.length < b - a) throw new RangeError(`cellToPixels needs ${b - a} entries, got ${out.length}`);
  const V = regions.vertices;
  for (let q = a; q < b; q += 2) {
    out[q - a] = (V[q] - view.xMin) * sx;
    out[q - a + 1] = (view.yMax - V[q + 1]) * sy;
  }
  return (b - a) >> 1;
}

/**
 * The index of the cell containing each pixel's centre, row-major with row 0 at the top (width·height entries,
 * `out` reused when large enough). A centre on an edge goes to one side only: a cell takes the centres with
 * vMin ≤ v < vMax and, on each row, uLeft ≤ u < uRight, each edge's crossing computed from its upper end so
 * both cells sharing it get the same number. Centres left without a cell (neighbours whose shared vertices
 * differ in the last bits, or no cells at all) take their left neighbour's cell, else the one above, else
 * below; −1 only when there are no cells.
 */
export function rasterizeCells(regions: PackedRegions, frame: PixelFrame, out?: Int32Array): Int32Array {
  checkFrame(frame);
  const { width: W, height: H } = frame;
  const labels = out && out.length >= W * H ? out : new Int32Array(W * H);
  labels.fill(-1, 0, W * H);
  let scratch = new Float64Array(64);
  for (let k = 0; k < regions.count; k++) {
    const m = regions.offsets[k + 1] - regions.offsets[k];
    if (m < 3) continue;
    if (scratch.length < 2 * m) scratch = new Float64Array(4 * m);
    const P = scratch;
    cellToPixels(regions, k, frame, P);
    let vMin = Infinity;
    let vMax = -Infinity;
    for (let q = 1; q < 2 * m; q += 2) {
      if (P[q] < vMin) vMin = P[q];
      if (P[q] > vMax) vMax = P[q];
    }
    // Rows whose centre j + ½ lies in [vMin, vMax).
    const j0 = Math.max(0, Math.ceil(vMin - 0.5));
    const j1 = Math.min(H, Math.ceil(vMax - 0.5));
    for (let j = j0; j < j1; j++) {
      const cv = j + 0.5;
      let uL = Infinity;
      let uR = -Infinity;
      for (let e = 0; e < m; e++) {
        const f = e + 1 === m ? 0 : e + 1;
        let au = P[2 * e];
        let av = P[2 * e + 1];
        let bu = P[2 * f];
        let bv = P[2 * f + 1];
        if (av === bv) continue;
        if (av > bv) {
          [au, bu] = [bu, au];
          [av, bv] = [bv, av];
        }
        if (cv < av || cv >= bv) continue;
        const u = au + ((cv - av) * (bu - au)) / (bv - av);
        if (u < uL) uL = u;
        if (u > uR) uR = u;
      }
      if (!(uR > uL)) continue;
      const i0 = Math.max(0, Math.ceil(uL - 0.5));
      const i1 = Math.min(W, Math.ceil(uR - 0.5));
      if (i1 > i0) labels.fill(k, j * W + i0, j * W + i1);
    }
  }
  fillGaps(labels, W, H);
  return labels;
}

/** Gives unlabelled pixels (−1) a neighbour's label: the left one, else the one above, else below. */
function fillGaps(labels: Int32Array, W: number, H: number): void {
  let firstFull = -1;
  for (let j = 0; j < H; j++) {
    const row = j * W;
    let last = -1;
    let lead = 0; // unlabelled pixels at the start of the row
    for (let i = 0; i < W; i++) {
      const l = labels[row + i];
      if (l >= 0) last = l;
      else if (last >= 0) labels[row + i] = last;
      else lead++;
    }
    if (lead === 0) {
      if (firstFull < 0) firstFull = j;
      continue;
    }
    if (j > 0 && firstFull >= 0) {
      for (let i = 0; i < lead; i++) labels[row + i] = labels[row - W + i];
      continue;
    }
    // No full row above yet: take the first label of this row, or leave it for the pass below.
    const first = lead < W ? labels[row + lead] : -1;
    if (first >= 0) {
      labels.fill(first, row, row + lead);
      if (firstFull < 0) firstFull = j;
    }
  }
  if (firstFull <= 0) return;
  // Rows above the first labelled one (all unlabelled) copy it.
  for (let j = firstFull - 1; j >= 0; j--) labels.copyWithin(j * W, (j + 1) * W, (j + 2) * W);
}

/** max |f| over the cells: f is linear on each convex cell, so the largest magnitude sits at a vertex. 0 for none. */
export function regionsMaxAbs(regions: PackedRegions): number {
  let m = 0;
  const V = regions.vertices;
  const G = regions.planes;
  for (let k = 0; k < regions.count; k++) {
    const gx = G[3 * k];
    const gy = G[3 * k + 1];
    const c = G[3 * k + 2];
    for (let q = 2 * regions.offsets[k]; q < 2 * regions.offsets[k + 1]; q += 2) {
      const a = Math.abs(gx * V[q] + gy * V[q + 1] + c);
      if (a > m && a !== Infinity) m = a;
    }
  }
  return m;
}

/**
 * Outline strength for `count` cells over a width × height image: 0.55 while cells average 64 pixels or
 * more, fading with the cells' mean side below that (to 0.12), so 270k cells in a megapixel stay coloured.
 */
export function outlineAlpha(count: number, width: number, height: number): number {
  if (count <= 1) return 0.55;
  const side = Math.sqrt((width * height) / count);
  return Math.max(0.12, Math.min(0.55, (0.55 * side) / 8));
}

/** How `paintCells` colours. */
export interface PaintOptions {
  mode: ExactMode;
  /** Values mode: the |f| that takes the full colour (usually `regionsMaxAbs`). */
  scale?: number;
  /** Outline alpha in [0, 1] (default `outlineAlpha` of the cells and the image); 0 for none. */
  outline?: number;
}

/**
 * RGBA bytes (rows top-down, opaque) of the cells over the frame from `labels` (`rasterizeCells`): regions mode
 * each cell's pattern colour, values mode each pixel's value on its cell's plane at the pixel's centre in the
 * values colours; then the outlines. `out` must hold 4·width·height bytes.
 */
export function paintCells(regions: PackedRegions, labels: Int32Array, frame: PixelFrame, opts: PaintOptions, out: Uint8ClampedArray): void {
  checkFrame(frame);
  const { view, width: W, height: H } = frame;
  const n = W * H;
  if (out.length < 4 * n) throw new RangeError(`paintCells needs ${4 * n} bytes, got ${out.length}`);
  if (labels.length < n) throw new RangeError(`paintCells needs ${n} labels, got ${labels.length}`);
  // Whole pixels are written as 32-bit words (one store instead of four); an unaligned store gets a copy.
  const aligned = out.byteOffset % 4 === 0;
  const bytes = aligned ? out : new Uint8ClampedArray(4 * n);
  const px = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  const alpha = opts.outline ?? outlineAlpha(regions.count, W, H);
  const keep = 1 - alpha;
  const [or, og, ob] = OUTLINE_RGB.map((c) => c * alpha + 0.5);
  const white = rgba(255, 255, 255);
  const regionsMode = opts.mode === 'regions';
  // Pattern colours as pixel words, computed the first time a cell is met (0: not yet; opaque words are never 0).
  const cellWord = regionsMode ? new Uint32Array(regions.count) : null;
  const scale = opts.scale ?? (regionsMode ? 0 : regionsMaxAbs(regions));
  const inv = scale > 0 ? 1 / scale : 0;
  const G = regions.planes;
  const dx = (view.xMax - view.xMin) / W;
  const dy = (view.yMax - view.yMin) / H;
  const xs = new Float64Array(W);
  for (let i = 0; i < W; i++) xs[i] = view.xMin + (i + 0.5) * dx;
  for (let j = 0; j < H; j++) {
    const y = view.yMax - (j + 0.5) * dy;
    for (let i = 0, p = j * W; i < W; i++, p++) {
      const l = labels[p];
      let r: number;
      let g: number;
      let b: number;
      if (l < 0) {
        px[p] = white;
        continue;
      }
      const edge = alpha > 0 && ((i + 1 < W && labels[p + 1] !== l) || (j + 1 < H && labels[p + W] !== l));
      if (cellWord) {
        let word = cellWord[l];
        if (word === 0) word = cellWord[l] = patternWord(regions.pattern[l]);
        if (!edge) {
          px[p] = word;
          continue;
        }
        r = LITTLE_ENDIAN ? word & 0xff : word >>> 24;
        g = LITTLE_ENDIAN ? (word >>> 8) & 0xff : (word >>> 16) & 0xff;
        b = LITTLE_ENDIAN ? (word >>> 16) & 0xff : (word >>> 8) & 0xff;
      } else {
        // colormap.ts's values colour (writeColour), in bytes.
        const v = G[3 * l] * xs[i] + G[3 * l + 1] * y + G[3 * l + 2];
        const m = Math.min(1, Math.abs(v) * inv);
        const lo = 255 * (1 - m);
        r = v > 0 && inv > 0 ? 255 : lo;
        g = 255 * (1 - 0.85 * m);
        b = v < 0 && inv > 0 ? 255 : lo;
      }
      if (edge) {
        r = r * keep + or;
        g = g * keep + og;
        b = b * keep + ob;
      } else {
        r += 0.5;
        g += 0.5;
        b += 0.5;
      }
      px[p] = rgba(r | 0, g | 0, b | 0);
    }
  }
  if (!aligned) out.set(bytes.subarray(0, 4 * n));
}

/** True on little-endian hosts, where a pixel word's first byte (red) is its low byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An opaque pixel as the 32-bit word whose bytes in memory are r, g, b, 255. */
function rgba(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** A pattern id's colour as an opaque pixel word, channels rounded to bytes. */
function patternWord(id: number): number {
  const c = patternColour(id);
  return rgba(Math.round(255 * c[0]), Math.round(255 * c[1]), Math.round(255 * c[2]));
}

/**
 * Exact contour lines of f at `levels` (ascending) in pixel coordinates of the frame: on each cell f is a plane,
 * so a level crosses the convex cell in one segment, found on the edges where f goes from ≤ level to > level
 * (or back). Returns u0, v0, u1, v1 per segment. A level along a shared edge is drawn once (by the cell above
 * it), flat cells none.
 */
export function cellContours(regions: PackedRegions, levels: readonly number[], frame: PixelFrame): Float64Array {
  checkFrame(frame);
  if (levels.length === 0) return new Float64Array(0);
  const { view, width, height } = frame;
  const sx = width / (view.xMax - view.xMin);
  const sy = height / (view.yMax - view.yMin);
  const V = regions.vertices;
  const G = regions.planes;
  let out = new Float64Array(1024);
  let n = 0;
  let f = new Float64Array(64);
  for (let k = 0; k < regions.count; k++) {
    const gx = G[3 * k];
    const gy = G[3 * k + 1];
    const c = G[3 * k + 2];
    if (gx === 0 && gy === 0) continue;
    const a = regions.offsets[k];
    const m = regions.offsets[k + 1] - a;
    if (m < 3) continue;
    if (f.length < m) f = new Float64Array(2 * m);
    let lo = Infinity;
    let hi = -Infinity;
    for (let q = 0; q < m; q++) {
      const v = gx * V[2 * (a + q)] + gy * V[2 * (a + q) + 1] + c;
      f[q] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // Levels in [lo, hi): the first by binary search.
    let s = 0;
    let e = levels.length;
    while (s < e) {
      const mid = (s + e) >> 1;
      if (levels[mid] < lo) s = mid + 1;
      else e = mid;
    }
    for (let t = s; t < levels.length && levels[t] < hi; t++) {
      const L = levels[t];
      let found = 0;
      for (let q = 0; q < m && found < 2; q++) {
        const r = q + 1 === m ? 0 : q + 1;
        const fa = f[q];
        const fb = f[r];
        if (!((fa <= L && L < fb) || (fb <= L && L < fa))) continue;
        const w = (L - fa) / (fb - fa);
        const x = V[2 * (a + q)] + w * (V[2 * (a + r)] - V[2 * (a + q)]);
        const y = V[2 * (a + q) + 1] + w * (V[2 * (a + r) + 1] - V[2 * (a + q) + 1]);
        if (n + 2 > out.length) {
          const grown = new Float64Array(2 * out.length);
          grown.set(out);
          out = grown;
        }
        out[n++] = (x - view.xMin) * sx;
        out[n++] = (view.yMax - y) * sy;
        found++;
      }
      // A convex cell meets a non-flat level in two edge crossings; a lone one (a vertex at the level's end) is dropped.
      if (found === 1) n -= 2;
    }
  }
  return out.slice(0, n);
}

/** Indices of the cells whose activation-pattern id is `id`. */
export function cellsWithPattern(regions: PackedRegions, id: number): number[] {
  const out: number[] = [];
  const want = id >>> 0;
  for (let k = 0; k < regions.count; k++) if (regions.pattern[k] === want) out.push(k);
  return out;
}
