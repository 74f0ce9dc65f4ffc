import directCode from '../../../shaders/generated/eval2d_direct.compute.wgsl?raw';
import direct64Code from '../../../shaders/generated/eval2d_direct64.compute.wgsl?raw';
import stepCode from '../../../shaders/generated/eval2d_step.compute.wgsl?raw';
import step128Code from '../../../shaders/generated/eval2d_step128.compute.wgsl?raw';
import cache8Code from '../../../shaders/generated/eval2d_cache8.compute.wgsl?raw';
import cache8sgCode from '../../../shaders/generated/eval2d_cache8sg.compute.wgsl?raw';
import tiled8Code from '../../../shaders/generated/eval2d_tiled8.compute.wgsl?raw';
import { Eval2DKernel } from './eval2d.ts';

/**
 * Tuning variants of the 2D value kernel (see bench/NOTES.md), drop-in twins of Eval2DKernel: same bindings,
 * Params, UnitBuffer and error bound, different inner loop.
 *  - direct: units read straight from storage by every invocation (no workgroup tile, no barriers), 16 points each;
 *  - direct64: the same with 64 points per invocation, for CPU-like adapters (SwiftShader);
 *  - step: grid rows step z by 4·w1·dx instead of holding x values (fewer live registers), 16 points each;
 *  - step128: the same with 128 points per invocation;
 *  - cache8: 256 points per invocation swept in register-resident chunks of 8 over a 64-unit cache in function
 *    memory, shaped for SwiftShader's Subzero JIT (2.2–2.6× step128);
 *  - cache8sg: cache8 whose cache is filled with one gather per 4 units and subgroupBroadcast: the fastest shape
 *    measured on SwiftShader (about 1.15–1.3× cache8). Needs the device feature 'subgroups';
 *  - tiled8: the tiled eval2d with 8 points per invocation, for hardware GPUs on grids under 2^20 points, where 16
 *    points per invocation leave a big GPU's SMs idle (H200, 512²: 57 % of its FMA peak against 37 %).
 */
export const EVAL2D_VARIANTS = {
  direct: { code: directCode, pointsPerThread: 16 },
  direct64: { code: direct64Code, pointsPerThread: 64 },
  step: { code: stepCode, pointsPerThread: 16 },
  step128: { code: step128Code, pointsPerThread: 128 },
  cache8: { code: cache8Code, pointsPerThread: 256 },
  cache8sg: { code: cache8sgCode, pointsPerThread: 256, feature: 'subgroups' },
  tiled8: { code: tiled8Code, pointsPerThread: 8 },
} as const satisfies Record<string, { code: string; pointsPerThread: number; feature?: GPUFeatureName }>;

export type Eval2DVariantName = keyof typeof EVAL2D_VARIANTS;

/** The device feature a variant needs, if any. */
export function variantFeature(name: Eval2DVariantName): GPUFeatureName | null {
  const v = EVAL2D_VARIANTS[name];
  return 'feature' in v ? v.feature : null;
}

/** A tuning variant as a drop-in Eval2DKernel: same jobs, passes and readback, its own shader and PPT. */
export class Eval2DVariantKernel extends Eval2DKernel {
  constructor(
    device: GPUDevice,
    readonly variant: Eval2DVariantName,
  ) {
    const feature = variantFeature(variant);
    if (feature && !device.features.has(feature)) {
      throw new Error(`eval2d_${variant} needs the WebGPU feature '${feature}', which this device was not created with`);
    }
    const v = EVAL2D_VARIANTS[variant];
    super(device, `eval2d_${variant}`, v.code, v.pointsPerThread);
  }
}
