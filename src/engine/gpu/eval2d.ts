import code from '../../../shaders/eval2d.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import { MODE_GRID } from './params.ts';
import type { Job } from './unitKernel.ts';
import { VALUE_POINTS_PER_THREAD, ValueKernel } from './valueKernel.ts';

/** Rows per job: as many as fit `maxPoints`, rounded so every job's slice starts at an aligned offset. */
export function rowsPerJob(nx: number, maxPoints: number, alignPoints: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = alignPoints / gcd(nx, alignPoints);
  return Math.max(step, Math.floor(Math.floor(maxPoints / nx) / step) * step);
}

/**
 * The 2D value kernel (shaders/eval2d.compute.wgsl): f(x, y) over a grid or a list of (x, y) points.
 * Large grids are split into jobs of whole rows that fit one storage binding.
 */
export class Eval2DKernel extends ValueKernel<Grid2D> {
  /** The tiled kernel by default; the tuning variants (eval2dVariant.ts) pass their own shader and PPT. */
  constructor(device: GPUDevice, label = 'eval2d', shader = code, pointsPerThread = VALUE_POINTS_PER_THREAD, constants?: Record<string, number>) {
    super(device, label, shader, 2, pointsPerThread, constants);
  }

  protected gridCount(grid: Grid2D): number {
    return grid.nx * grid.ny;
  }

  protected gridJobs(grid: Grid2D, affine: [number, number, number]): Job[] {
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const rows = rowsPerJob(nx, this.maxJobPoints, this.alignPoints);
    const threadsPerRow = Math.ceil(nx / this.pointsPerThread);
    const jobs: Job[] = [];
    for (let j0 = 0; j0 < ny; j0 += rows) {
      const r = Math.min(rows, ny - j0);
      jobs.push({
        params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount: r * nx, mode: MODE_GRID, threadsPerRow, affine },
        threads: r * threadsPerRow,
        outputOffset: 4 * j0 * nx,
      });
    }
    return jobs;
  }
}
