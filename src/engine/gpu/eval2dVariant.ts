import cache8Code from '../../../shaders/generated/eval2d_cache8.compute.wgsl?raw';
import cache8sgCode from '../../../shaders/generated/eval2d_cache8sg.compute.wgsl?raw';
import tiled8Code from '../../../shaders/generated/eval2d_tiled8.compute.wgsl?raw';
import { Eval2DKernel } from './eval2d.ts';

/** A 2D value kernel's shader with its points per invocation (and the device feature it needs, if any). */
export interface Eval2DVariantSpec {
  code: string;
  pointsPerThread: number;
  feature?: GPUFeatureName;
}

/**
 * The variants of the 2D value kernel the sandbox runs (see bench/NOTES.md), drop-in twins of Eval2DKernel: same
 * bindings, Params, UnitBuffer and error bound, different inner loop. The research variants that lost the
 * comparison live in src/bench/researchVariants.ts, so the app does not ship them.
 *  - cache8: 256 points per invocation swept in register-resident chunks of 8 over a 64-unit cache in function
 *    memory, shaped for SwiftShader's Subzero JIT;
 *  - cache8sg: cache8 whose cache is filled with one gather per 4 units and subgroupBroadcast: the fastest shape
 *    measured on SwiftShader (about 1.15–1.3× cache8). Needs the device feature 'subgroups';
 *  - tiled8: the tiled eval2d with 8 points per invocation, for hardware GPUs on grids under 2^20 points, where 16
 *    points per invocation leave a big GPU's SMs idle (H200, 512²: 57 % of its FMA peak against 37 %).
 */
export const EVAL2D_VARIANTS = {
  cache8: { code: cache8Code, pointsPerThread: 256 },
  cache8sg: { code: cache8sgCode, pointsPerThread: 256, feature: 'subgroups' },
  tiled8: { code: tiled8Code, pointsPerThread: 8 },
} as const satisfies Record<string, Eval2DVariantSpec>;

export type Eval2DVariantName = keyof typeof EVAL2D_VARIANTS;

/** A variant as a drop-in Eval2DKernel: same jobs, passes and readback, its own shader and PPT. */
export class Eval2DVariantKernel extends Eval2DKernel {
  /** One of the app's variants by name, or any spec (the benchmark's research variants) under a name. */
  constructor(
    device: GPUDevice,
    readonly variant: string,
    spec: Eval2DVariantSpec = EVAL2D_VARIANTS[variant as Eval2DVariantName],
  ) {
    if (spec.feature && !device.features.has(spec.feature)) {
      throw new Error(`eval2d_${variant} needs the WebGPU feature '${spec.feature}', which this device was not created with`);
    }
    super(device, `eval2d_${variant}`, spec.code, spec.pointsPerThread);
  }
}
