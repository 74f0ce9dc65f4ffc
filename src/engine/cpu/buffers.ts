/**
 * Output arrays the CPU evaluators write into instead of allocating one per call. On the bench's VM a fresh
 * Float64Array of a 512² grid (2 MiB) cost about 6 ms of page faults when glibc mapped new pages for it, against
 * about 1 ms for the evaluation itself at a few units (bench/NOTES.md), so a caller that evaluates again and again
 * (the bench's timed runs, the calibration, the grid worker's readouts) passes arrays it keeps.
 */

type NumericArray = Float64Array | Uint32Array | Int32Array;

/**
 * The first `n` entries of `out` (itself when its length is `n`, else a view of its start), or a new array of `n`
 * when `out` is absent. Every caller overwrites all `n` entries, so what `out` held before never shows through.
 * RangeError when `out` is shorter than `n`.
 */
export function outputArray<T extends NumericArray>(out: T | undefined, n: number, make: new (n: number) => T): T {
  if (!out) return new make(n);
  if (out.length < n) throw new RangeError(`an output array of ${out.length} entries cannot hold ${n}`);
  return (out.length === n ? out : out.subarray(0, n)) as T;
}

/** `buf` when it holds at least `n` entries, else a new one of exactly `n` (its old contents are not kept). */
export function grown<T extends NumericArray>(buf: T, n: number, make: new (n: number) => T): T {
  return buf.length >= n ? buf : new make(n);
}

/**
 * A Float64Array kept between calls and grown only when a call needs more: `get(n)` is a view of its first `n`
 * entries, whose contents are whatever the last call left (the evaluators overwrite them all).
 */
export class ReusedF64 {
  private buf = new Float64Array(0);
  get(n: number): Float64Array {
    this.buf = grown(this.buf, n, Float64Array);
    return this.buf.length === n ? this.buf : this.buf.subarray(0, n);
  }
}

/** The same for the regions' two Uint32Arrays (active count, pattern id). */
export class ReusedRegions {
  private active = new Uint32Array(0);
  private pattern = new Uint32Array(0);
  get(n: number): { active: Uint32Array; pattern: Uint32Array } {
    this.active = grown(this.active, n, Uint32Array);
    this.pattern = grown(this.pattern, n, Uint32Array);
    return { active: this.active.subarray(0, n), pattern: this.pattern.subarray(0, n) };
  }
}
