/**
 * Activation patterns of 2D ReLU sums. Each linear region of f is a set of points sharing one
 * activation pattern (which units are active). A pattern is identified by a 32-bit id: the XOR of
 * a hash of each active unit's index. XOR is order-free, so the GPU and the CPU agree bit for bit,
 * and two regions collide only by hash accident (about 1 in 2^32 per pair).
 * The WGSL twin of `unitHash` lives in shaders/regions2d.compute.wgsl; a test keeps them equal.
 */

/** lowbias32 (Wellons) of i + 1, so unit 0 does not hash to 0. */
export function unitHash(i: number): number {
  let x = (i + 1) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Per-point region data: the number of active units and the activation-pattern id. */
export interface Regions {
  active: Uint32Array;
  pattern: Uint32Array;
}
