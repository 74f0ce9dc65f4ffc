/**
 * The 2D map's colours and sampling, in plain TypeScript: the CPU twin of shaders/map2d.frag.wgsl and what the
 * canvas fallback colours with. Three modes:
 * - values: blue below 0, white at 0, red above, scaled by max |v| over the frame;
 * - error (f − target): purple below 0 (under the target), white at 0, orange above, scaled by max |error|;
 *   points where the target is undefined (NaN) are a neutral grey;
 * - regions: one colour per activation-pattern id, a pure function of the id, so a region keeps its colour
 *   however the view moves.
 * The grid's samples lie on the map's edges and evenly between them (grid point i at fraction i/(nx − 1)), as
 * the evaluator samples the view (src/model/grid.ts), so creases drawn exactly line up with the colours.
 */

/** An RGB colour with channels in [0, 1]. */
export type Rgb = [number, number, number];

/** What the map colours: the network's values, its error against the target, or its linear regions. */
export type MapMode = 'values' | 'error' | 'regions';

/** max |v| over the values (0 for none); non-finite values are skipped so one cannot blank the map. */
export function maxAbs(values: ArrayLike<number>, count = values.length): number {
  let m = 0;
  for (let i = 0; i < count; i++) {
    const a = Math.abs(values[i]);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/** The colour of value v when the frame's max |v| is `scale` (white everywhere when scale is 0). */
export function colourOf(v: number, scale: number): Rgb {
  const out: Rgb = [0, 0, 0];
  writeColour(v, scale, out, 0, 1);
  return out;
}

/** The one formula: writes v's colour times `unit` (1 or 255) at out[k..k+2]. */
function writeColour(v: number, scale: number, out: { [k: number]: number }, k: number, unit: number): void {
  const m = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  const s = scale > 0 ? v : 0;
  out[k] = unit * (s > 0 ? 1 : 1 - m);
  out[k + 1] = unit * (1 - 0.85 * m);
  out[k + 2] = unit * (s < 0 ? 1 : 1 - m);
}

/** Full-strength colours of the error map's two sides, and the grey of points without a target. */
export const ERROR_UNDER: Rgb = [0.37, 0.23, 0.6];
export const ERROR_OVER: Rgb = [0.8, 0.4, 0.02];
export const NO_TARGET: Rgb = [0.62, 0.62, 0.62];

/** The colour of error e = f − target when the frame's max |error| is `scale`: white at 0, grey for NaN. */
export function errorColourOf(e: number, scale: number): Rgb {
  const out: Rgb = [0, 0, 0];
  writeErrorColour(e, scale, out, 0, 1);
  return out;
}

function writeErrorColour(e: number, scale: number, out: { [k: number]: number }, k: number, unit: number): void {
  if (Number.isNaN(e)) {
    out[k] = unit * NO_TARGET[0];
    out[k + 1] = unit * NO_TARGET[1];
    out[k + 2] = unit * NO_TARGET[2];
    return;
  }
  const m = scale > 0 ? Math.min(1, Math.abs(e) / scale) : 0;
  const end = e < 0 ? ERROR_UNDER : ERROR_OVER;
  for (let c = 0; c < 3; c++) out[k + c] = unit * (1 + (end[c] - 1) * m);
}

/** murmur3's 32-bit finaliser: re-mixes a pattern id (itself an XOR of unit hashes) into well-spread bits. */
export function mixId(id: number): number {
  let x = id >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The colour of the linear region with activation-pattern id `id`: a hue from 24 bits of the mixed id, with
 * saturation 0.5–0.75 and lightness 0.6–0.75 from 8 more, so colours are light enough for dark creases and
 * contour lines on top and neighbours rarely look alike. HSL → RGB exactly as the WGSL twin (`patternColour`
 * in shaders/map2d.frag.wgsl) computes it in f32; the GPU test compares them.
 */
export function patternColour(id: number): Rgb {
  const h = mixId(id);
  const hue = (h >>> 8) / 16777216;
  const sat = 0.5 + (0.25 * (h & 15)) / 15;
  const light = 0.6 + (0.15 * ((h >>> 4) & 15)) / 15;
  const chroma = (1 - Math.abs(2 * light - 1)) * sat;
  const hp = hue * 6;
  const x = chroma * (1 - Math.abs((hp % 2) - 1));
  const m = light - chroma / 2;
  const sector = Math.floor(hp);
  let r = 0;
  let g = 0;
  let b = 0;
  if (sector === 0) [r, g, b] = [chroma, x, 0];
  else if (sector === 1) [r, g, b] = [x, chroma, 0];
  else if (sector === 2) [r, g, b] = [0, chroma, x];
  else if (sector === 3) [r, g, b] = [0, x, chroma];
  else if (sector === 4) [r, g, b] = [x, 0, chroma];
  else [r, g, b] = [chroma, 0, x];
  return [r + m, g + m, b + m];
}

/** How much a highlighted region is lightened toward white, and the colour of its outline (both paths). */
export const HIGHLIGHT_LIGHTEN = 0.4;
export const HIGHLIGHT_OUTLINE: Rgb = [0.1, 0.1, 0.12];

/** A colour lightened like a hovered region's: mixed toward white by HIGHLIGHT_LIGHTEN. */
export function lighten(c: Rgb): Rgb {
  return [c[0] + (1 - c[0]) * HIGHLIGHT_LIGHTEN, c[1] + (1 - c[1]) * HIGHLIGHT_LIGHTEN, c[2] + (1 - c[2]) * HIGHLIGHT_LIGHTEN];
}

/** The colour of a grid sample in `mode` (`v` is the value or the error; `id` the pattern id in regions mode). */
export function modeColour(mode: MapMode, v: number, id: number, scale: number): Rgb {
  if (mode === 'regions') return patternColour(id);
  return mode === 'error' ? errorColourOf(v, scale) : colourOf(v, scale);
}

/**
 * Grid coordinate of fraction f across a side of n samples, and its two neighbours and weight: the samples
 * sit at fractions i/(n − 1) (one sample covers the whole side).
 */
function axis(f: number, n: number): { a: number; b: number; t: number } {
  if (n === 1) return { a: 0, b: 0, t: 0 };
  const g = Math.min(n - 1, Math.max(0, f * (n - 1)));
  const a = Math.min(n - 2, Math.floor(g));
  return { a, b: a + 1, t: g - a };
}

/**
 * The values-mode colour at fraction (fx, fy) of the map (fx from the left, fy from the bottom, each in [0, 1]):
 * bilinear between the colours of the four surrounding grid samples, sample i at fx = i/(nx − 1) —
 * what a smoothed `drawImage` of the coloured grid's texel centres onto the map shows.
 * `values` is row-major, row j at the j-th y from the bottom (index j·nx + i).
 */
export function sampleColour(values: ArrayLike<number>, nx: number, ny: number, scale: number, fx: number, fy: number): Rgb {
  return sampleModeColour('values', values, null, nx, ny, scale, fx, fy);
}

/**
 * Index (j·nx + i) of the grid sample nearest fraction (fx, fy) of the map (fx from the left, fy from the
 * bottom), the sample whose pattern colour regions mode shows there; −1 outside [0, 1]².
 */
export function nearestSample(nx: number, ny: number, fx: number, fy: number): number {
  if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) return -1;
  const X = axis(fx, nx);
  const Y = axis(fy, ny);
  return (Y.t < 0.5 ? Y.a : Y.b) * nx + (X.t < 0.5 ? X.a : X.b);
}

/**
 * The colour in `mode` at fraction (fx, fy) of the map, as both paths draw it: values and error bilinear
 * between the four samples' colours (error = values − target, NaN where the target is), regions the nearest
 * sample's pattern colour (regions are discrete: no blending across a crease).
 */
export function sampleModeColour(
  mode: MapMode,
  values: ArrayLike<number>,
  aux: ArrayLike<number> | null,
  nx: number,
  ny: number,
  scale: number,
  fx: number,
  fy: number,
): Rgb {
  const X = axis(fx, nx);
  const Y = axis(fy, ny);
  if (mode === 'regions') return patternColour(aux![nearestSample(nx, ny, Math.min(1, Math.max(0, fx)), Math.min(1, Math.max(0, fy)))]);
  const at = (i: number, j: number): Rgb => {
    const k = j * nx + i;
    return mode === 'error' ? errorColourOf(values[k] - aux![k], scale) : colourOf(values[k], scale);
  };
  const c00 = at(X.a, Y.a);
  const c10 = at(X.b, Y.a);
  const c01 = at(X.a, Y.b);
  const c11 = at(X.b, Y.b);
  const out: Rgb = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const bottom = c00[k] + (c10[k] - c00[k]) * X.t;
    const top = c01[k] + (c11[k] - c01[k]) * X.t;
    out[k] = bottom + (top - bottom) * Y.t;
  }
  return out;
}

/**
 * Colours an nx × ny grid into RGBA bytes, image rows top-down (grid rows run bottom-up), opaque.
 * `out` must hold at least 4·nx·ny bytes. In values and error mode `values` holds the value or the error;
 * in regions mode `pattern` gives the colours and `values` is not read.
 */
export function colourGrid(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  scale: number,
  out: Uint8ClampedArray,
  mode: MapMode = 'values',
  pattern: ArrayLike<number> | null = null,
): void {
  if (out.length < 4 * nx * ny) throw new RangeError(`colourGrid needs ${4 * nx * ny} bytes, got ${out.length}`);
  if (mode === 'regions' && (!pattern || pattern.length < nx * ny)) throw new RangeError(`regions mode needs ${nx * ny} pattern ids`);
  let lastId = Number.NaN;
  let lastColour: Rgb = [0, 0, 0];
  for (let j = 0; j < ny; j++) {
    const row = ny - 1 - j;
    for (let i = 0; i < nx; i++) {
      // Uint8ClampedArray rounds to the nearest byte on store.
      const k = 4 * (row * nx + i);
      const v = values[j * nx + i];
      if (mode === 'values') writeColour(v, scale, out, k, 255);
      else if (mode === 'error') writeErrorColour(v, scale, out, k, 255);
      else {
        // Neighbours mostly share a region: its colour is computed once per run, not per sample.
        const id = pattern![j * nx + i];
        if (id !== lastId) {
          lastId = id;
          lastColour = patternColour(id);
        }
        out[k] = 255 * lastColour[0];
        out[k + 1] = 255 * lastColour[1];
        out[k + 2] = 255 * lastColour[2];
      }
      out[k + 3] = 255;
    }
  }
}

/** The values' "nice" contour spacing for a frame scaled by `scale`: 1, 2 or 5 × 10^k, about 10 levels over ±scale. */
export function contourStep(scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) return 0;
  const raw = (2 * scale) / 10;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
}

/** The contour levels k·step inside [−scale, scale] (0 included: the zero set is a level like any other). */
export function contourLevels(scale: number): number[] {
  const step = contourStep(scale);
  if (step === 0) return [];
  const out: number[] = [];
  const k = Math.floor(scale / step);
  for (let i = -k; i <= k; i++) out.push(i * step);
  return out;
}
