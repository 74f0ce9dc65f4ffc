import code from '../../../shaders/eval2d.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import { MODE_GRID } from './params.ts';
import type { UnitBuffer } from './units.ts';
import { VALUE_POINTS_PER_THREAD, ValueKernel } from './valueKernel.ts';

/**
 * The 2D value kernel (shaders/eval2d.compute.wgsl): f(x, y) over a grid or a list of (x, y) points.
 * Large grids are split into jobs of whole rows that fit one storage binding.
 */
export class Eval2DKernel extends ValueKernel {
  /** The tiled kernel by default; the tuning variants (eval2dVariant.ts) pass their own shader and PPT. */
  constructor(device: GPUDevice, label = 'eval2d', shader = code, pointsPerThread = VALUE_POINTS_PER_THREAD) {
    super(device, label, shader, 2, pointsPerThread);
  }

  /** Row-major values over `grid` (already validated), for the units in `units`. */
  async evaluateGrid(units: UnitBuffer, grid: Grid2D): Promise<Float32Array> {
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const result = new Float32Array(nx * ny);
    const rowsPerJob = Math.max(1, Math.floor(this.maxJobPoints / nx));
    const threadsPerRow = Math.ceil(nx / this.pointsPerThread);
    for (let j0 = 0; j0 < ny; j0 += rowsPerJob) {
      const rows = Math.min(rowsPerJob, ny - j0);
      const origin: [number, number] = [grid.xMin, grid.yMin + j0 * dy];
      const params = { origin, step: [dx, dy] as [number, number], nx, pointCount: rows * nx, mode: MODE_GRID, threadsPerRow };
      await this.runJob(units, params, rows * threadsPerRow, result, j0 * nx);
    }
    return result;
  }
}
