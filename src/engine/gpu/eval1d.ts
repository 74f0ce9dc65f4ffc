import code from '../../../shaders/eval1d.compute.wgsl?raw';
import type { Grid1D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import { MODE_GRID } from './params.ts';
import type { UnitBuffer } from './units.ts';
import { VALUE_POINTS_PER_THREAD, ValueKernel } from './valueKernel.ts';

/**
 * The 1D value kernel (shaders/eval1d.compute.wgsl): f(x) over a grid or a list of x values,
 * split into jobs that fit one storage binding.
 */
export class Eval1DKernel extends ValueKernel {
  constructor(device: GPUDevice) {
    super(device, 'eval1d', code, 1);
  }

  /** Values over `grid` (already validated) for the units in `units`. */
  async evaluateGrid(units: UnitBuffer, grid: Grid1D): Promise<Float32Array> {
    const dx = gridStep(grid.xMin, grid.xMax, grid.nx);
    const result = new Float32Array(grid.nx);
    for (let p0 = 0; p0 < grid.nx; p0 += this.maxJobPoints) {
      const pointCount = Math.min(this.maxJobPoints, grid.nx - p0);
      const params = { origin: [grid.xMin + p0 * dx, 0] as [number, number], step: [dx, 0] as [number, number], nx: pointCount, pointCount, mode: MODE_GRID, threadsPerRow: 1 };
      await this.runJob(units, params, Math.ceil(pointCount / VALUE_POINTS_PER_THREAD), result, p0);
    }
    return result;
  }
}
