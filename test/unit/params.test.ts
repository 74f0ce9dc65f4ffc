import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_SHADERS } from '../../bench/tools/generated.ts';
import { PARAMS_LAYOUT, PARAMS_SIZE, packParams } from '../../src/engine/gpu/params.ts';

// The unit kernels and every eval2d variant (the variants are drop-in twins driven by the same Params).
const SHADERS = [
  'eval1d.compute.wgsl',
  'eval2d.compute.wgsl',
  'regions2d.compute.wgsl',
  'eval2d_split.compute.wgsl',
  'eval2d_reduce.compute.wgsl',
  'regions2d_split.compute.wgsl',
  ...GENERATED_SHADERS.map((s) => s.file.replace(/^shaders\//, '')),
];
const SIZE_ALIGN: Record<string, [number, number]> = { 'f32': [4, 4], 'u32': [4, 4], 'vec2<f32>': [8, 8], 'vec4<f32>': [16, 16] };

/** Members of `struct Params` in declaration order, with offsets by WGSL's alignment rules. */
function wgslParams(source: string): Array<{ name: string; type: string; offset: number }> {
  const body = /struct Params \{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!body) throw new Error('no struct Params');
  let offset = 0;
  return body
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^(\w+)\s*:\s*([\w<>]+),?$/.exec(line);
      if (!m) throw new Error(`cannot parse member "${line}"`);
      const [size, align] = SIZE_ALIGN[m[2]];
      offset = Math.ceil(offset / align) * align;
      const member = { name: m[1], type: m[2], offset };
      offset += size;
      return member;
    });
}

describe('Params uniform layout', () => {
  for (const file of SHADERS) {
    it(`${file} declares the same Params as src/engine/gpu/params.ts`, () => {
      const members = wgslParams(readFileSync(new URL(`../../shaders/${file}`, import.meta.url), 'utf8'));
      expect(members).toEqual(PARAMS_LAYOUT.map((m) => ({ ...m })));
      const last = members[members.length - 1];
      expect(Math.ceil((last.offset + SIZE_ALIGN[last.type][0]) / 16) * 16).toBe(PARAMS_SIZE);
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
