/**
 * The `Params` uniform shared by eval1d, eval2d and regions2d, defined once here.
 * Offsets follow WGSL's layout rules (vec4<f32> aligns to 16, vec2<f32> to 8, scalars to 4); test/gpu/params.test.ts
 * parses each shader's `struct Params` and checks it matches this table, so the two sides cannot drift.
 */
export const PARAMS_LAYOUT = [
  { name: 'origin', type: 'vec2<f32>', offset: 0 },
  { name: 'step', type: 'vec2<f32>', offset: 8 },
  { name: 'nx', type: 'u32', offset: 16 },
  { name: 'pointCount', type: 'u32', offset: 20 },
  { name: 'unitStart', type: 'u32', offset: 24 },
  { name: 'unitCount', type: 'u32', offset: 28 },
  { name: 'mode', type: 'u32', offset: 32 },
  { name: 'accumulate', type: 'u32', offset: 36 },
  { name: 'threadsPerRow', type: 'u32', offset: 40 },
  { name: 'pad', type: 'u32', offset: 44 },
  { name: 'affine', type: 'vec4<f32>', offset: 48 },
] as const;

export const PARAMS_SIZE = 64;

export const MODE_GRID = 0;
export const MODE_POINTS = 1;

export interface Params {
  origin: [number, number];
  step: [number, number];
  nx: number;
  pointCount: number;
  unitStart: number;
  unitCount: number;
  mode: number;
  accumulate: boolean;
  threadsPerRow: number;
  /** (A, B, C): the affine part A·x + B·y + C of the sum, see UnitBuffer.affine. */
  affine: [number, number, number];
}

/** Packs `p` into the 64-byte uniform layout above. */
export function packParams(p: Params, target = new ArrayBuffer(PARAMS_SIZE)): ArrayBuffer {
  const f = new Float32Array(target);
  const u = new Uint32Array(target);
  f[0] = p.origin[0];
  f[1] = p.origin[1];
  f[2] = p.step[0];
  f[3] = p.step[1];
  u[4] = p.nx;
  u[5] = p.pointCount;
  u[6] = p.unitStart;
  u[7] = p.unitCount;
  u[8] = p.mode;
  u[9] = p.accumulate ? 1 : 0;
  u[10] = p.threadsPerRow;
  u[11] = 0;
  f[12] = p.affine[0];
  f[13] = p.affine[1];
  f[14] = p.affine[2];
  f[15] = 0;
  return target;
}
