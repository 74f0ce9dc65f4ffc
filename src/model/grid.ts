/**
 * Grid specifications: evenly spaced samples over a range, inclusive of both ends.
 * 1D: x_i = xMin + i·dx, dx = (xMax − xMin)/(nx − 1), i = 0 … nx−1 (dx = 0 when nx = 1).
 * 2D: row-major, index = j·nx + i for x_i and y_j (row j has constant y).
 */

/** Largest 1D grid (2^24 samples) and largest side of a 2D grid. */
export const MAX_GRID_1D = 1 << 24;
export const MAX_GRID_SIDE_2D = 4096;

export interface Grid1D {
  xMin: number;
  xMax: number;
  nx: number;
}

export interface Grid2D {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  nx: number;
  ny: number;
}

export class InvalidGridError extends Error {
  override name = 'InvalidGridError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid grid: ${field}: ${message}`);
  }
}

function checkRange(lo: string, hi: string, min: unknown, max: unknown): void {
  for (const [name, v] of [
    [lo, min],
    [hi, max],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidGridError(name, 'must be a finite number');
  }
  if (!((min as number) < (max as number))) throw new InvalidGridError(hi, `must be greater than ${lo}`);
}

function checkCount(name: string, v: unknown, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new InvalidGridError(name, `must be an integer from 1 to ${max}`);
  }
}

export function validateGrid1D(g: Grid1D): Grid1D {
  checkRange('xMin', 'xMax', g.xMin, g.xMax);
  checkCount('nx', g.nx, MAX_GRID_1D);
  return { xMin: g.xMin, xMax: g.xMax, nx: g.nx };
}

export function validateGrid2D(g: Grid2D): Grid2D {
  checkRange('xMin', 'xMax', g.xMin, g.xMax);
  checkRange('yMin', 'yMax', g.yMin, g.yMax);
  checkCount('nx', g.nx, MAX_GRID_SIDE_2D);
  checkCount('ny', g.ny, MAX_GRID_SIDE_2D);
  return { ...g };
}

export function gridStep(min: number, max: number, n: number): number {
  return n > 1 ? (max - min) / (n - 1) : 0;
}

/** The sample positions of a 1D grid, in float64. */
export function gridXs(g: Grid1D): Float64Array {
  const dx = gridStep(g.xMin, g.xMax, g.nx);
  const xs = new Float64Array(g.nx);
  for (let i = 0; i < g.nx; i++) xs[i] = g.xMin + i * dx;
  return xs;
}

/** Interleaved (x, y) pairs of a 2D grid in row-major order, in float64. */
export function gridPoints2D(g: Grid2D): Float64Array {
  const dx = gridStep(g.xMin, g.xMax, g.nx);
  const dy = gridStep(g.yMin, g.yMax, g.ny);
  const out = new Float64Array(2 * g.nx * g.ny);
  let k = 0;
  for (let j = 0; j < g.ny; j++) {
    const y = g.yMin + j * dy;
    for (let i = 0; i < g.nx; i++) {
      out[k++] = g.xMin + i * dx;
      out[k++] = y;
    }
  }
  return out;
}

/** Relative L2 error ‖got − want‖ / ‖want‖ (absolute when ‖want‖ = 0). */
export function relativeL2(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length mismatch: ${got.length} vs ${want.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    const d = got[i] - want[i];
    num += d * d;
    den += want[i] * want[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}
