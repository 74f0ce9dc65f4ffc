/**
 * A 2D unit's line w1·x + w2·y + b = 0 (its crease: where it switches on) and its exact clip to a rectangle.
 * Shared by the crease overlays, the surface view and the exact arrangement.
 */

/** An axis-aligned rectangle of the plane. */
export interface Rect {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** A line segment [x0, y0, x1, y1]. */
export type Segment = [number, number, number, number];

/**
 * The part of the line w1·x + w2·y + b = 0 inside the closed rectangle, or null when the line misses it, touches it
 * in a single point, or is not a line (w = (0, 0)). Liang–Barsky on a parametrisation centred at the point of the
 * line nearest the rectangle's centre, so the result stays accurate for lines far from the origin.
 */
export function clipLine(w1: number, w2: number, b: number, r: Rect): Segment | null {
  const out: Segment = [0, 0, 0, 0];
  return clipLineInto(w1, w2, b, r, out, 0) ? out : null;
}

/**
 * `clipLine` written into out[at..at+3] (true) instead of a new array, or false where clipLine gives null: a map
 * clips all 65,536 units' lines per frame, and the allocations took as long as the clipping.
 */
export function clipLineInto(w1: number, w2: number, b: number, r: Rect, out: { [k: number]: number }, at: number): boolean {
  const nn = w1 * w1 + w2 * w2;
  if (!(nn > 0) || !Number.isFinite(nn)) return false;
  const cx = 0.5 * (r.xMin + r.xMax);
  const cy = 0.5 * (r.yMin + r.yMax);
  // Foot of the perpendicular from the centre onto the line, and the unit direction along it.
  const s = (w1 * cx + w2 * cy + b) / nn;
  const px = cx - s * w1;
  const py = cy - s * w2;
  const len = Math.sqrt(nn);
  const dx = -w2 / len;
  const dy = w1 / len;
  let t0 = -Infinity;
  let t1 = Infinity;
  // Liang–Barsky against x, then y.
  if (dx === 0) {
    if (px < r.xMin || px > r.xMax) return false;
  } else {
    let a = (r.xMin - px) / dx;
    let c = (r.xMax - px) / dx;
    if (a > c) [a, c] = [c, a];
    if (a > t0) t0 = a;
    if (c < t1) t1 = c;
  }
  if (dy === 0) {
    if (py < r.yMin || py > r.yMax) return false;
  } else {
    let a = (r.yMin - py) / dy;
    let c = (r.yMax - py) / dy;
    if (a > c) [a, c] = [c, a];
    if (a > t0) t0 = a;
    if (c < t1) t1 = c;
  }
  if (!(t1 > t0)) return false;
  out[at] = px + t0 * dx;
  out[at + 1] = py + t0 * dy;
  out[at + 2] = px + t1 * dx;
  out[at + 3] = py + t1 * dy;
  return true;
}
