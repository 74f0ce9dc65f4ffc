import type { Network } from '../model/network.ts';
import type { Grid1D, Grid2D } from '../model/grid.ts';
import { Eval1DKernel } from '../engine/gpu/eval1d.ts';
import { Eval2DKernel } from '../engine/gpu/eval2d.ts';
import { Regions2DKernel } from '../engine/gpu/regions2d.ts';
import { UnitBuffer } from '../engine/gpu/units.ts';
import type { PassTimestamps } from '../engine/gpu/timer.ts';

/** Points per invocation as the shader declares it (`const PPT: u32 = 16u;`, or an `override PPT` with that default), 4 where it does not. */
export function pointsPerThread(code: string): number {
  const m = /(?:const|override)\s+PPT\s*:\s*u32\s*=\s*(\d+)u?\s*;/.exec(code);
  return m ? Number(m[1]) : 4;
}

/**
 * Drives any kernel that follows the unit-kernel convention of src/engine/gpu/unitKernel.ts (bindings: 0 Params,
 * 1 units as vec4, 2 and 3 storage outputs or inputs) for the benchmark, through the app's own kernel modules
 * (Eval1DKernel, Eval2DKernel, Regions2DKernel) built on the given shader: the same jobs, pass plan and recorded
 * passes as the app, with points per invocation read from the shader's PPT. `encode` records every pass into
 * one encoder (the app submits them one by one), so the whole evaluation can be timed with timestamp queries,
 * and nothing is read back unless asked.
 */
export class UnitKernelHarness {
  private readonly units: UnitBuffer;
  private values: Eval1DKernel | Eval2DKernel | null = null;
  private regions: Regions2DKernel | null = null;
  private planned: { passes: number; points: number } | null = null;
  private destroyed = false;
  private readonly ppt: number;

  /** `outputs`: 'values' (f32 values; 1D or 2D by the network) or 'regions' (u32 active counts and pattern ids, 2D). */
  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    private readonly code: string,
    private readonly outputs: 'values' | 'regions',
  ) {
    this.ppt = pointsPerThread(code);
    this.units = new UnitBuffer(device);
  }

  /** Uploads the network and plans the passes over `grid` (1D for a 1D network, 2D for a 2D one). */
  prepare(net: Network, grid: Grid1D | Grid2D): void {
    if (this.destroyed) throw new Error('UnitKernelHarness used after destroy()');
    this.units.upload(net);
    if (this.outputs === 'regions') {
      if (net.dim !== 2) throw new RangeError('region kernels take 2D networks');
      this.regions ??= new Regions2DKernel(this.device, this.label, this.code, this.ppt);
      const g = grid as Grid2D;
      this.planned = { passes: this.regions.planGrid(this.units, g), points: g.nx * g.ny };
    } else if (net.dim === 1) {
      const k = (this.values ??= new Eval1DKernel(this.device, this.label, this.code, this.ppt));
      if (!(k instanceof Eval1DKernel)) throw new RangeError('this harness was prepared for a 2D network');
      const g = grid as Grid1D;
      this.planned = { passes: k.planGrid(this.units, g), points: g.nx };
    } else {
      const k = (this.values ??= new Eval2DKernel(this.device, this.label, this.code, this.ppt));
      if (!(k instanceof Eval2DKernel)) throw new RangeError('this harness was prepared for a 1D network');
      const g = grid as Grid2D;
      this.planned = { passes: k.planGrid(this.units, g), points: g.nx * g.ny };
    }
  }

  private plan(): { passes: number; points: number } {
    if (!this.planned) throw new Error('UnitKernelHarness: prepare() first');
    return this.planned;
  }

  /** Compute passes one evaluation records (one per job and unit range). */
  get passes(): number {
    return this.plan().passes;
  }

  /** Records the evaluation into `encoder`, pass k with timestamp writes `ts(k)`. */
  encode(encoder: GPUCommandEncoder, ts: PassTimestamps = () => undefined): void {
    this.plan();
    (this.regions ?? this.values)!.encode(encoder, ts);
  }

  /** The values of the last evaluation ('values' kernels). */
  async readValues(): Promise<Float32Array> {
    const { points } = this.plan();
    if (!this.values) throw new Error('UnitKernelHarness: a regions kernel has no values');
    return this.values.readOutput(points);
  }

  /** Active counts and pattern ids of the last evaluation ('regions' kernels). */
  async readRegions(): Promise<{ active: Uint32Array; pattern: Uint32Array }> {
    this.plan();
    if (!this.regions) throw new Error('UnitKernelHarness: a values kernel has no regions');
    return this.regions.readOutput();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.units.destroy();
    this.values?.destroy();
    this.regions?.destroy();
  }
}
