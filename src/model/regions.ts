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

/**
 * How many distinct ids `ids` holds. An open-addressing table of typed arrays: a `Set` of the 262,144 ids of a 512²
 * count grid took the main thread over 100 ms; this takes a few.
 */
export function countDistinct(ids: ArrayLike<number>): number {
  const n = ids.length;
  if (n === 0) return 0;
  // At most half full, a power of two (masking replaces the modulo).
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const keys = new Uint32Array(size);
  const used = new Uint8Array(size);
  let count = 0;
  for (let k = 0; k < n; k++) {
    const id = ids[k] >>> 0;
    // The ids are hashes already; one more mix spreads ids that differ only in high bits.
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b) & mask;
    while (used[h] && keys[h] !== id) h = (h + 1) & mask;
    if (!used[h]) {
      used[h] = 1;
      keys[h] = id;
      count++;
    }
  }
  return count;
}
