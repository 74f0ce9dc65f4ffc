/**
 * The research variants of the 2D value kernel that the app does not run (see bench/NOTES.md for how each
 * fared): benchmarked by the `gpu-v-*` methods and parity-tested, shipped only with the benchmark.
 *  - direct: units read straight from storage by every invocation (no workgroup tile, no barriers), 16 points each;
 *  - direct64: the same with 64 points per invocation, for CPU-like adapters (SwiftShader);
 *  - step: grid rows step z by 4·w1·dx instead of holding x values (fewer live registers), 16 points each;
 *  - step128: the same with 128 points per invocation.
 */
import directCode from '../../shaders/generated/eval2d_direct.compute.wgsl?raw';
import direct64Code from '../../shaders/generated/eval2d_direct64.compute.wgsl?raw';
import stepCode from '../../shaders/generated/eval2d_step.compute.wgsl?raw';
import step128Code from '../../shaders/generated/eval2d_step128.compute.wgsl?raw';
import type { Eval2DVariantSpec } from '../engine/gpu/eval2dVariant.ts';

export const RESEARCH_VARIANTS = {
  direct: { code: directCode, pointsPerThread: 16 },
  direct64: { code: direct64Code, pointsPerThread: 64 },
  step: { code: stepCode, pointsPerThread: 16 },
  step128: { code: step128Code, pointsPerThread: 128 },
} as const satisfies Record<string, Eval2DVariantSpec>;
