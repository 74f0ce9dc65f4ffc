/**
 * The 2D map's picture as numbers: the field a mode colours (values, or the error against the target), its scale,
 * its contour segments and its RGBA bytes. Pure, so the CPU grid worker colours the map beside the values it
 * computed (at 2048² the colouring alone kept the main thread busy for hundreds of milliseconds) and the canvas
 * map colours the same way where no worker is at hand.
 */
import { type MapMode, colourGrid, contourLevels, maxAbs } from './colormap.ts';
import { contourSegments } from './contours.ts';

/** What to colour: the map's mode, and whether its contour lines are wanted. */
export interface MapImageSpec {
  mode: MapMode;
  contours: boolean;
}

/** A coloured map: RGBA bytes (image rows top-down), the scale its colours use, its contours in grid coordinates. */
export interface MapImage {
  nx: number;
  ny: number;
  mode: MapMode;
  rgba: Uint8ClampedArray;
  /** max |field| (the legend's ±max). */
  scale: number;
  /** Contour segments of the field (see contourSegments), or null when not asked for. */
  contours: Float32Array | null;
}

/** The lowest and highest finite value, or null when there is none. */
export function finiteRange(values: ArrayLike<number>, count = values.length): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < count; k++) {
    const x = values[k];
    if (x < lo && x > -Infinity) lo = x;
    if (x > hi && x < Infinity) hi = x;
  }
  return hi >= lo ? [lo, hi] : null;
}

/**
 * Colours an nx × ny grid in `spec.mode`: values as they are, error as values − target (NaN where the target is),
 * regions by `pattern`. Throws a RangeError when the grid is empty or an array the mode needs is missing or short.
 */
export function colourMapImage(
  values: ArrayLike<number>,
  target: ArrayLike<number> | null,
  pattern: ArrayLike<number> | null,
  nx: number,
  ny: number,
  spec: MapImageSpec,
): MapImage {
  const n = nx * ny;
  const mode = spec.mode;
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a map needs a grid of at least 1×1, got ${nx}×${ny}`);
  if (values.length < n) throw new RangeError(`a ${nx}×${ny} map needs ${n} values, got ${values.length}`);
  if (mode === 'error' && (!target || target.length < n)) throw new RangeError(`the error map needs ${n} target values`);
  if (mode === 'regions' && (!pattern || pattern.length < n)) throw new RangeError(`the region map needs ${n} pattern ids`);
  let field: ArrayLike<number> = values;
  if (mode === 'error') {
    const e = new Float64Array(n);
    for (let k = 0; k < n; k++) e[k] = values[k] - target![k];
    field = e;
  }
  const scale = maxAbs(field, n);
  const rgba = new Uint8ClampedArray(4 * n);
  colourGrid(field, nx, ny, scale, rgba, mode, pattern);
  const contours = spec.contours ? contourSegments(field, nx, ny, contourLevels(scale)) : null;
  return { nx, ny, mode, rgba, scale, contours };
}
