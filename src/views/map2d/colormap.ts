/**
 * The 2D map's colour map and sampling, in plain TypeScript: the CPU twin of shaders/map2d.frag.wgsl and
 * what the canvas fallback colours with. Blue below 0, white at 0, red above, scaled by max |v| over the frame.
 */

/** An RGB colour with channels in [0, 1]. */
export type Rgb = [number, number, number];

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

/**
 * The colour at fraction (fx, fy) of the map (fx from the left, fy from the bottom, each in [0, 1]):
 * bilinear between the colours of the four nearest grid cells, cell centres at ((i + ½)/nx, (j + ½)/ny),
 * clamped at the edges — what a smoothed `drawImage` of the coloured grid shows.
 * `values` is row-major, row j at the j-th y from the bottom (index j·nx + i).
 */
export function sampleColour(values: ArrayLike<number>, nx: number, ny: number, scale: number, fx: number, fy: number): Rgb {
  const gx = fx * nx - 0.5;
  const gy = fy * ny - 0.5;
  const i0 = Math.floor(gx);
  const j0 = Math.floor(gy);
  const tx = gx - i0;
  const ty = gy - j0;
  const ia = Math.min(nx - 1, Math.max(0, i0));
  const ib = Math.min(nx - 1, Math.max(0, i0 + 1));
  const ja = Math.min(ny - 1, Math.max(0, j0));
  const jb = Math.min(ny - 1, Math.max(0, j0 + 1));
  const c00 = colourOf(values[ja * nx + ia], scale);
  const c10 = colourOf(values[ja * nx + ib], scale);
  const c01 = colourOf(values[jb * nx + ia], scale);
  const c11 = colourOf(values[jb * nx + ib], scale);
  const out: Rgb = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const bottom = c00[k] + (c10[k] - c00[k]) * tx;
    const top = c01[k] + (c11[k] - c01[k]) * tx;
    out[k] = bottom + (top - bottom) * ty;
  }
  return out;
}

/**
 * Colours an nx × ny grid into RGBA bytes, image rows top-down (grid rows run bottom-up), opaque.
 * `out` must hold at least 4·nx·ny bytes.
 */
export function colourGrid(values: ArrayLike<number>, nx: number, ny: number, scale: number, out: Uint8ClampedArray): void {
  if (out.length < 4 * nx * ny) throw new RangeError(`colourGrid needs ${4 * nx * ny} bytes, got ${out.length}`);
  for (let j = 0; j < ny; j++) {
    const row = ny - 1 - j;
    for (let i = 0; i < nx; i++) {
      // Uint8ClampedArray rounds to the nearest byte on store.
      const k = 4 * (row * nx + i);
      writeColour(values[j * nx + i], scale, out, k, 255);
      out[k + 3] = 255;
    }
  }
}
