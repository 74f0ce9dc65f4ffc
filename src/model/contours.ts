/**
 * Contour lines of a sampled field by marching squares: the CPU map's level lines (the GPU map draws its own in
 * the fragment stage, from the values it already has on the device, so nothing is read back for them).
 */

/**
 * The segments of the level sets of `values` (an nx × ny row-major grid, row j at the j-th y from the bottom)
 * at each of `levels`, as [x0, y0, x1, y1, …] in grid coordinates (x = column i, y = row j, both from 0).
 * Each grid square is split by the corners at or above the level; ends are interpolated linearly along the
 * square's edges, so a field linear on the grid gives its exact level lines. A saddle square (opposite
 * corners above) is split by the mean of its corners. Squares with a non-finite corner are skipped.
 * Every segment shares its ends exactly with its neighbours' (the same edge gives the same point), so a
 * closed level curve comes back as a closed chain of segments.
 */
export function contourSegments(values: ArrayLike<number>, nx: number, ny: number, levels: ArrayLike<number>): Float32Array {
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`contourSegments needs a grid of at least 1×1, got ${nx}×${ny}`);
  if (values.length < nx * ny) throw new RangeError(`a ${nx}×${ny} grid needs ${nx * ny} values, got ${values.length}`);
  // Finite levels, ascending, so a square visits only the levels between its lowest and highest corner.
  const lv = Float64Array.from(Array.from(levels).filter((l) => Number.isFinite(l))).sort();
  let out = new Float32Array(1024);
  let n = 0;
  // Edge points of the current square: 0 bottom, 1 right, 2 top, 3 left.
  const ex = new Float64Array(4);
  const ey = new Float64Array(4);
  const seg = (p: number, q: number) => {
    if (n + 4 > out.length) {
      const grown = new Float32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = ex[p];
    out[n++] = ey[p];
    out[n++] = ex[q];
    out[n++] = ey[q];
  };
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const a = values[j * nx + i]; // bottom-left
      const b = values[j * nx + i + 1]; // bottom-right
      const c = values[(j + 1) * nx + i + 1]; // top-right
      const d = values[(j + 1) * nx + i]; // top-left
      const lo = Math.min(a, b, c, d);
      const hi = Math.max(a, b, c, d);
      // NaN makes lo and hi NaN; an infinity makes the interpolation meaningless: skip both.
      if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo === hi) continue;
      // First level above the lowest corner (a square with every corner ≥ level has no crossing).
      let L = 0;
      let top = lv.length;
      while (L < top) {
        const mid = (L + top) >> 1;
        if (lv[mid] <= lo) L = mid + 1;
        else top = mid;
      }
      for (; L < lv.length && lv[L] <= hi; L++) {
        const level = lv[L];
        const code = (a >= level ? 1 : 0) | (b >= level ? 2 : 0) | (c >= level ? 4 : 0) | (d >= level ? 8 : 0);
        // Crossings along each edge, always interpolated from the same end so neighbours agree bit for bit.
        ex[0] = i + (level - a) / (b - a);
        ey[0] = j;
        ex[1] = i + 1;
        ey[1] = j + (level - b) / (c - b);
        ex[2] = i + (level - d) / (c - d);
        ey[2] = j + 1;
        ex[3] = i;
        ey[3] = j + (level - a) / (d - a);
        switch (code) {
          case 1:
          case 14:
            seg(3, 0);
            break;
          case 2:
          case 13:
            seg(0, 1);
            break;
          case 3:
          case 12:
            seg(3, 1);
            break;
          case 4:
          case 11:
            seg(1, 2);
            break;
          case 6:
          case 9:
            seg(0, 2);
            break;
          case 7:
          case 8:
            seg(3, 2);
            break;
          case 5:
          case 10: {
            // Saddle: the centre's side decides which corners connect.
            const centreAbove = (a + b + c + d) / 4 >= level;
            if (centreAbove === (code === 5)) {
              seg(3, 2);
              seg(0, 1);
            } else {
              seg(3, 0);
              seg(1, 2);
            }
            break;
          }
        }
      }
    }
  }
  return out.slice(0, n);
}
