import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argsortFloat64 } from '../../src/model/argsort.ts';

const reference = (keys: number[]) => [...keys.keys()].sort((p, q) => keys[p] - keys[q] || p - q);

describe('argsortFloat64', () => {
  it('sorts ascending and stably, as a comparator sort does, at awkward sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, min: -1e300, max: 1e300 }), fc.constantFrom(0, 1, -1, 2.5, -7, Infinity, -Infinity)), { minLength: 0, maxLength: 3000 }),
        (keys) => {
          const got = Array.from(argsortFloat64(keys));
          // −0 and +0 compare equal in the reference; the radix sort puts −0 first, which is still ascending.
          const sortedGot = got.map((i) => keys[i]);
          for (let k = 1; k < sortedGot.length; k++) expect(sortedGot[k - 1] <= sortedGot[k]).toBe(true);
          if (!keys.some((x) => Object.is(x, -0))) expect(got).toEqual(reference(keys));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('handles 65,537 keys with many repeats', () => {
    const keys = Array.from({ length: 65537 }, (_, i) => ((i * 7919) % 1000) / 7 - 50);
    expect(Array.from(argsortFloat64(keys))).toEqual(reference(keys));
  });
});
