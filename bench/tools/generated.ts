import { cacheVariant } from './genCache.ts';
import { fullVariant } from './genDirect.ts';
import { stepVariant } from './genStep.ts';
import { tilesSweep } from './genTiles.ts';

/** A shader written by a generator here: its path from the repository root and the call that produces its text. */
export interface GeneratedShader {
  file: string;
  generate: () => string;
}

/** The command that rewrites every generated shader from its generator. */
export const EMIT_COMMAND = 'npx tsx bench/tools/emit.ts';

/** Every generated shader; bench/tools/emit.ts writes them and test/unit/generatedShaders.test.ts checks them. */
export const GENERATED_SHADERS: readonly GeneratedShader[] = [
  {
    file: 'shaders/generated/eval2d_direct.compute.wgsl',
    generate: () => fullVariant(4, 4, 'eval2d_direct', 'units are read straight from the storage buffer by every invocation (a uniform index, so caches broadcast it) instead of being staged through workgroup memory: no barriers, no tile copy; 16 points per invocation as in eval2d.'),
  },
  {
    file: 'shaders/generated/eval2d_direct64.compute.wgsl',
    generate: () => fullVariant(16, 1, 'eval2d_direct64', 'as eval2d_direct, with 64 points per invocation (16 vec4 chains) so each unit load feeds 64 lanes; for CPU-like adapters (SwiftShader) where loads, not lanes, are scarce. Real GPUs want more invocations: few threads on small grids.'),
  },
  {
    file: 'shaders/generated/eval2d_step.compute.wgsl',
    generate: () => stepVariant(4, 4, 'eval2d_step', 'the grid path steps z along the row instead of holding x values, so registers go to accumulators; 16 points per invocation, unit loop unrolled by 4 (the shape for hardware GPUs, which want many invocations).'),
  },
  {
    file: 'shaders/generated/eval2d_step128.compute.wgsl',
    generate: () => stepVariant(32, 4, 'eval2d_step128', 'as eval2d_step with 128 points per invocation (32 vec4 accumulators), so each unit read and its z start feed 128 lanes; the fastest shape measured on SwiftShader (CPU Vulkan), where loads and spills, not lanes, are scarce. Hardware GPUs want eval2d_step (more invocations).'),
  },
  { file: 'shaders/generated/eval2d_cache8.compute.wgsl', generate: () => cacheVariant('eval2d_cache8', 'gather') },
  { file: 'shaders/generated/eval2d_cache8sg.compute.wgsl', generate: () => cacheVariant('eval2d_cache8sg', 'subgroup') },
  {
    file: 'shaders/generated/eval2d_tiled8.compute.wgsl',
    generate: () => fullVariant(2, 4, 'eval2d_tiled8', 'as eval2d (units staged 256 at a time in workgroup memory) with 8 points per invocation, so grids under 1024² give a big GPU twice the invocations: on an H200 a 512² grid at 16 points is 64 workgroups for 132 SMs (37 % of its FMA peak), at 8 points 57 %. GpuEvaluator takes it on hardware adapters for grids under 2^20 points.', 'tile'),
  },
  { file: 'shaders/generated/eval2d_tiles_sweep.wgsl', generate: () => tilesSweep() },
];

/** Where a generated shader lies on disk. */
export function generatedShaderUrl(shader: GeneratedShader): URL {
  return new URL(`../../${shader.file}`, import.meta.url);
}
