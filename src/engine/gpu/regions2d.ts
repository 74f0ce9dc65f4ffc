import code from '../../../shaders/regions2d.compute.wgsl?raw';
import type { Grid2D } from '../../model/grid.ts';
import { gridStep } from '../../model/grid.ts';
import type { Regions } from '../../model/regions.ts';
import { GrowableBuffer } from './buffers.ts';
import { MODE_GRID } from './params.ts';
import { UnitKernel, readBack } from './unitKernel.ts';
import type { UnitBuffer } from './units.ts';

/** Samples per invocation, as in the shader. */
const POINTS_PER_THREAD = 16;

/**
 * The 2D region kernel (shaders/regions2d.compute.wgsl): per grid point, the active-unit count and the
 * activation-pattern id (see src/model/regions.ts), in jobs of whole rows.
 */
export class Regions2DKernel {
  private readonly kernel: UnitKernel;
  private readonly active: GrowableBuffer;
  private readonly pattern: GrowableBuffer;
  private readonly staging: GrowableBuffer;
  readonly maxJobPoints: number;

  constructor(private readonly device: GPUDevice) {
    this.kernel = new UnitKernel(device, 'regions2d', code);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.active = new GrowableBuffer(device, usage, 'regions2d active');
    this.pattern = new GrowableBuffer(device, usage, 'regions2d pattern');
    this.staging = new GrowableBuffer(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'regions2d readback');
    this.maxJobPoints = Math.min(1 << 22, Math.floor(device.limits.maxStorageBufferBindingSize / 4 / 4) * 4);
  }

  async evaluateGrid(units: UnitBuffer, grid: Grid2D): Promise<Regions> {
    const { nx, ny } = grid;
    const dx = gridStep(grid.xMin, grid.xMax, nx);
    const dy = gridStep(grid.yMin, grid.yMax, ny);
    const active = new Uint32Array(nx * ny);
    const pattern = new Uint32Array(nx * ny);
    const rowsPerJob = Math.max(1, Math.floor(this.maxJobPoints / nx));
    const threadsPerRow = Math.ceil(nx / POINTS_PER_THREAD);
    for (let j0 = 0; j0 < ny; j0 += rowsPerJob) {
      const rows = Math.min(rowsPerJob, ny - j0);
      const pointCount = rows * nx;
      this.active.ensure(4 * pointCount);
      this.pattern.ensure(4 * pointCount);
      this.kernel.run(
        {
          params: { origin: [grid.xMin, grid.yMin + j0 * dy], step: [dx, dy], nx, pointCount, mode: MODE_GRID, threadsPerRow, affine: [0, 0, 0] },
          threads: rows * threadsPerRow,
        },
        units.count,
        units.buffer,
        this.active,
        this.pattern,
      );
      active.set(new Uint32Array(await readBack(this.device, this.staging, this.active.current, 4 * pointCount)), j0 * nx);
      pattern.set(new Uint32Array(await readBack(this.device, this.staging, this.pattern.current, 4 * pointCount)), j0 * nx);
    }
    return { active, pattern };
  }

  destroy(): void {
    this.kernel.destroy();
    this.active.destroy();
    this.pattern.destroy();
    this.staging.destroy();
  }
}
