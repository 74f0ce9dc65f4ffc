import { EVAL2D_VARIANTS } from '../engine/gpu/eval2dVariant.ts';
import { RESEARCH_VARIANTS } from './researchVariants.ts';

/** A tuning variant of the 2D value kernel, benchmarked beside the app's kernel (see bench/NOTES.md). */
export interface GpuVariant {
  id: string;
  label: string;
  /** FLOP per unit-evaluation the variant executes (see FLOP_NOTE). */
  flopPerUnitEval: number;
  /** WGSL following the unit-kernel convention (driven by UnitKernelHarness). */
  code: string;
  /** A WebGPU feature the shader needs. */
  feature?: GPUFeatureName;
}

/** The variants tried so far; `--methods` selects them by id (not in the default sweep). */
export const GPU_VARIANTS: GpuVariant[] = [
  {
    id: 'gpu-v-direct',
    label: 'GPU variant: units read from storage, no workgroup tile (shaders/generated/eval2d_direct.compute.wgsl)',
    flopPerUnitEval: 5,
    code: RESEARCH_VARIANTS.direct.code,
  },
  {
    id: 'gpu-v-direct64',
    label: 'GPU variant: as direct, 64 points per invocation (shaders/generated/eval2d_direct64.compute.wgsl)',
    flopPerUnitEval: 5,
    code: RESEARCH_VARIANTS.direct64.code,
  },
  {
    id: 'gpu-v-step',
    label: 'GPU variant: z stepped along rows, units from storage, 16 points per invocation (shaders/generated/eval2d_step.compute.wgsl)',
    flopPerUnitEval: 5,
    code: RESEARCH_VARIANTS.step.code,
  },
  {
    id: 'gpu-v-step128',
    label: 'GPU variant: as step, 128 points per invocation (shaders/generated/eval2d_step128.compute.wgsl)',
    flopPerUnitEval: 5,
    code: RESEARCH_VARIANTS.step128.code,
  },
  {
    id: 'gpu-v-cache8',
    label: 'GPU variant: 256 points per invocation in register chunks of 8 over a 64-unit cache (shaders/generated/eval2d_cache8.compute.wgsl)',
    flopPerUnitEval: 5,
    code: EVAL2D_VARIANTS.cache8.code,
  },
  {
    id: 'gpu-v-tiled8',
    label: 'GPU variant: the tiled eval2d with 8 points per invocation (shaders/generated/eval2d_tiled8.compute.wgsl; the GPU kernel for grids under 2^20 points)',
    flopPerUnitEval: 5,
    code: EVAL2D_VARIANTS.tiled8.code,
  },
  {
    id: 'gpu-v-cache8sg',
    label: 'GPU variant: cache8 with its unit cache filled by subgroup broadcasts (shaders/generated/eval2d_cache8sg.compute.wgsl; needs subgroups)',
    flopPerUnitEval: 5,
    code: EVAL2D_VARIANTS.cache8sg.code,
    feature: 'subgroups',
  },
];
