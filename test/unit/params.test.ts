import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_SHADERS } from '../../bench/tools/generated.ts';
import { PARAMS_LAYOUT, PARAMS_SIZE, packParams } from '../../src/engine/gpu/params.ts';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';

// The unit kernels and every generated eval2d variant (drop-in twins driven by the same Params); generated
// fragments of other kernels (not *.compute.wgsl, e.g. eval2d_tiles_sweep.wgsl) declare no uniform.
const SHADERS = [
  'eval1d.compute.wgsl',
  'eval2d.compute.wgsl',
  'regions2d.compute.wgsl',
  'eval2d_reduce.compute.wgsl',
  ...GENERATED_SHADERS.filter((s) => s.file.endsWith('.compute.wgsl')).map((s) => s.file.replace(/^shaders\//, '')),
];
describe('Params uniform layout', () => {
  for (const file of SHADERS) {
    it(`${file} declares the same Params as src/engine/gpu/params.ts`, () => {
      const { members, size } = wgslStructLayout(readFileSync(new URL(`../../shaders/${file}`, import.meta.url), 'utf8'), 'Params');
      expect(members).toEqual(PARAMS_LAYOUT.map((m) => ({ ...m })));
      // A uniform binding's size is a multiple of 16 bytes.
      expect(Math.ceil(size / 16) * 16).toBe(PARAMS_SIZE);
    });
  }

  it('packParams writes each field at its offset', () => {
    const bytes = packParams({ origin: [1.5, -2], step: [0.25, 0.5], nx: 7, pointCount: 9, unitStart: 256, unitCount: 3, mode: 1, accumulate: true, threadsPerRow: 2, affine: [3, -1, 4] });
    const view = new DataView(bytes);
    expect(view.getFloat32(0, true)).toBe(1.5);
    expect(view.getFloat32(12, true)).toBe(0.5);
    expect(view.getUint32(16, true)).toBe(7);
    expect(view.getUint32(24, true)).toBe(256);
    expect(view.getUint32(36, true)).toBe(1);
    expect(view.getUint32(40, true)).toBe(2);
    expect(view.getFloat32(48, true)).toBe(3);
    expect(view.getFloat32(52, true)).toBe(-1);
    expect(view.getFloat32(56, true)).toBe(4);
  });
});
