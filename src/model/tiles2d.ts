/**
 * Exact 2D evaluation by tiles, in float64: the CPU twin of shaders/eval2d_tiles.*.compute.wgsl.
 *
 * With φ(z) = lin·z + abs·|z| (see activation.ts absSplit), f = c + lin·Σ a·z + ½·Σ a'·|z| with a' = 2·abs·a.
 * Split the grid into tiles of side×side points. A unit whose line z = 0 misses a tile's bounding box has a
 * constant sign s over the tile, so there |z| = s·z: all such units collapse into one plane per tile, written
 * about the tile's centre (xc, yc) as P(x, y) = C + A·(x − xc) + B·(y − yc) with A = Σ a'·s·w1, B = Σ a'·s·w2,
 * C = Σ a'·|z(xc, yc)| (a sum of positive-weight |z| terms, as well conditioned as the brute force). Only the
 * units whose lines cross the tile are evaluated per point. For regions, a non-crossing unit is active on the
 * whole tile or on none of it, so it adds to the tile's count and pattern once.
 *
 * The crossing test is conservative: |z(centre)| ≤ |w1|·hx + |w2|·hy + TILE_MARGIN·(the magnitudes z is formed
 * from), so float32 rounding on the GPU (of the grid coordinates and of z) can only add units to the crossing
 * list, which are evaluated exactly anyway.
 */
import type { Network } from './network.ts';
import { type Grid2D, gridStep } from './grid.ts';
import { absSplit, activationOf } from './activation.ts';
import { type Regions, unitHash } from './regions.ts';

/** Points per tile side, as T in the shaders. */
export const TILE_SIDE = 16;

/**
 * Relative margin of the crossing test (2^-16, about 500 float32 ulps): far above the rounding of z and of the
 * grid coordinates in float32, far below a tile's extent on any grid the sandbox shows.
 */
export const TILE_MARGIN = 2 ** -16;

/** Thrown for activations without creases (sigmoid): tiles need a piecewise-linear sum; use brute force. */
export class TilesNotApplicableError extends Error {
  override name = 'TilesNotApplicableError';
  constructor(readonly activation: string) {
    super(`the tile evaluator needs a piecewise-linear activation; ${activation} units take the brute-force kernel`);
  }
}

/** A tile's bounding box of grid points: centre and half-extents. */
export interface TileBox {
  xc: number;
  yc: number;
  hx: number;
  hy: number;
}

/** Tiles across and down a grid (the last ones may be partial). */
export function tileCounts(grid: Pick<Grid2D, 'nx' | 'ny'>, side = TILE_SIDE): { cols: number; rows: number } {
  return { cols: Math.ceil(grid.nx / side), rows: Math.ceil(grid.ny / side) };
}

/**
 * The box of tile (tx, ty): the points of a whole side×side tile, including virtual points past the grid's
 * last row or column (a larger box only makes the test more conservative).
 */
export function tileBox(grid: Grid2D, tx: number, ty: number, side = TILE_SIDE): TileBox {
  const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
  const dy = gridStep(grid.yMin, grid.yMax, grid.ny);
  const x0 = grid.xMin + tx * side * dx;
  const x1 = grid.xMin + (tx * side + side - 1) * dx;
  const y0 = grid.yMin + ty * side * dy;
  const y1 = grid.yMin + (ty * side + side - 1) * dy;
  return { xc: 0.5 * (x0 + x1), yc: 0.5 * (y0 + y1), hx: 0.5 * (x1 - x0), hy: 0.5 * (y1 - y0) };
}

/** Whether the line w1·x + w2·y + b = 0 may cross the box (conservative; see TILE_MARGIN). */
export function crossesTile(w1: number, w2: number, b: number, box: TileBox): boolean {
  const zc = w1 * box.xc + w2 * box.yc + b;
  const reach = Math.abs(w1) * box.hx + Math.abs(w2) * box.hy;
  const mag = Math.abs(w1) * (Math.abs(box.xc) + box.hx) + Math.abs(w2) * (Math.abs(box.yc) + box.hy) + Math.abs(b);
  return Math.abs(zc) <= reach + TILE_MARGIN * mag;
}

/** What a tile's classification yields: its crossing units and the collapsed rest. */
export interface TileClass {
  /** Indices of the units whose lines may cross the tile, ascending. */
  crossing: number[];
  /** The non-crossing units' plane about the box centre: (A, B, C), see the module comment (a' = 2·abs·a). */
  plane: [number, number, number];
  /** Non-crossing units active (z > 0) on the whole tile: their count and the XOR of their unitHash. */
  active: number;
  pattern: number;
}

/** Classifies every unit of a 2D network against one tile's box (float64). */
export function classifyTile(net: Network, box: TileBox): TileClass {
  const { abs } = absSplit(activationOrThrow(net));
  const crossing: number[] = [];
  let A = 0;
  let B = 0;
  let C = 0;
  let active = 0;
  let pattern = 0;
  for (let i = 0; i < net.a.length; i++) {
    const w1 = net.w[2 * i];
    const w2 = net.w[2 * i + 1];
    const b = net.b[i];
    if (crossesTile(w1, w2, b, box)) {
      crossing.push(i);
      continue;
    }
    const zc = w1 * box.xc + w2 * box.yc + b;
    const ap = 2 * abs * net.a[i];
    const s = zc > 0 ? ap : -ap;
    A += s * w1;
    B += s * w2;
    C += ap * Math.abs(zc);
    if (zc > 0) {
      active++;
      pattern ^= unitHash(i);
    }
  }
  return { crossing, plane: [A, B, C], active, pattern: pattern >>> 0 };
}

function activationOrThrow(net: Network) {
  const activation = activationOf(net);
  if (activation === 'sigmoid') throw new TilesNotApplicableError(activation);
  if (net.dim !== 2) throw new RangeError('tiles2d takes 2D networks');
  return activation;
}

/** Visits each tile of `grid` with its box and classification, and the grid points it holds. */
function forEachTile(net: Network, grid: Grid2D, side: number, visit: (cls: TileClass, box: TileBox, i0: number, i1: number, j0: number, j1: number) => void): void {
  const { cols, rows } = tileCounts(grid, side);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < cols; tx++) {
      const box = tileBox(grid, tx, ty, side);
      visit(classifyTile(net, box), box, tx * side, Math.min(grid.nx, (tx + 1) * side), ty * side, Math.min(grid.ny, (ty + 1) * side));
    }
  }
}

/** f over `grid` (row-major) by tiles, in float64; agrees with evaluate2DBrute to float64 rounding. */
export function evaluate2DTiles(net: Network, grid: Grid2D, side = TILE_SIDE): Float64Array {
  const { lin, abs } = absSplit(activationOrThrow(net));
  const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
  const dy = gridStep(grid.yMin, grid.yMax, grid.ny);
  let LA = 0;
  let LB = 0;
  let LC = net.c;
  for (let i = 0; i < net.a.length; i++) {
    LA += lin * net.a[i] * net.w[2 * i];
    LB += lin * net.a[i] * net.w[2 * i + 1];
    LC += lin * net.a[i] * net.b[i];
  }
  const out = new Float64Array(grid.nx * grid.ny);
  forEachTile(net, grid, side, (cls, box, i0, i1, j0, j1) => {
    const [A, B, C] = cls.plane;
    for (let j = j0; j < j1; j++) {
      const y = grid.yMin + j * dy;
      for (let i = i0; i < i1; i++) {
        const x = grid.xMin + i * dx;
        let s = 0;
        for (const u of cls.crossing) s += 2 * abs * net.a[u] * Math.abs(net.w[2 * u] * x + net.w[2 * u + 1] * y + net.b[u]);
        out[j * grid.nx + i] = LA * x + LB * y + LC + 0.5 * (C + A * (x - box.xc) + B * (y - box.yc) + s);
      }
    }
  });
  return out;
}

/**
 * Active counts and pattern ids over `grid` by tiles, in float64; equal to regions2DBrute. Linear units never
 * bend: all active, one pattern (0) everywhere, as there.
 */
export function regions2DTiles(net: Network, grid: Grid2D, side = TILE_SIDE): Regions {
  if (activationOrThrow(net) === 'linear') {
    return { active: new Uint32Array(grid.nx * grid.ny).fill(net.a.length), pattern: new Uint32Array(grid.nx * grid.ny) };
  }
  const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
  const dy = gridStep(grid.yMin, grid.yMax, grid.ny);
  const active = new Uint32Array(grid.nx * grid.ny);
  const pattern = new Uint32Array(grid.nx * grid.ny);
  forEachTile(net, grid, side, (cls, _box, i0, i1, j0, j1) => {
    for (let j = j0; j < j1; j++) {
      const y = grid.yMin + j * dy;
      for (let i = i0; i < i1; i++) {
        const x = grid.xMin + i * dx;
        let n = cls.active;
        let id = cls.pattern;
        for (const u of cls.crossing) {
          if (net.w[2 * u] * x + net.w[2 * u + 1] * y + net.b[u] > 0) {
            n++;
            id ^= unitHash(u);
          }
        }
        active[j * grid.nx + i] = n;
        pattern[j * grid.nx + i] = id >>> 0;
      }
    }
  });
  return { active, pattern };
}
