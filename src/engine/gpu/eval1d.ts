import code from '../../../shaders/eval1d.compute.wgsl?raw';
import type { Grid1D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import { MODE_GRID } from './params.ts';
import type { Job } from './unitKernel.ts';
import { VALUE_POINTS_PER_THREAD, ValueKernel } from './valueKernel.ts';

/**
 * The 1D value kernel (shaders/eval1d.compute.wgsl): f(x) over a grid or a list of x values,
 * split into jobs that fit one storage binding.
 */
export class Eval1DKernel extends ValueKernel<Grid1D> {
  /**
   * The app's eval1d by default; the benchmark may pass another shader of the same convention. `constants`
   * overrides the shader's constants: { SIGMOID: 1 } makes the sigmoid twin (see UnitBuffer for its packing).
   */
  constructor(device: GPUDevice, label = 'eval1d', shader = code, pointsPerThread = VALUE_POINTS_PER_THREAD, constants?: Record<string, number>) {
    super(device, label, shader, 1, pointsPerThread, constants);
  }

  protected gridCount(grid: Grid1D): number {
    return grid.nx;
  }

  protected gridJobs(grid: Grid1D, affine: [number, number, number]): Job[] {
    const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
    const jobs: Job[] = [];
    for (let p0 = 0; p0 < grid.nx; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, grid.nx - p0);
      jobs.push({
        params: { origin: [grid.xMin + p0 * dx, 0], step: [dx, 0], nx: pointCount, pointCount, mode: MODE_GRID, threadsPerRow: 1, affine },
        threads: Math.ceil(pointCount / this.pointsPerThread),
        outputOffset: 4 * p0,
      });
    }
    return jobs;
  }
}
