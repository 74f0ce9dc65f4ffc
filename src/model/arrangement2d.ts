/**
 * The exact arrangement of a 2D network's unit lines inside a view rectangle: how many linear regions (cells)
 * the lines cut the OPEN rectangle into, and for up to MAX_EXACT_UNITS units each cell's polygon, activation
 * pattern and plane.
 *
 * Every line that crosses the open rectangle is a chord of it, so the topology is decided on the border: two
 * chords cross inside iff their endpoints interleave along the perimeter. Endpoints (and the corners) that lie
 * within rounding of each other are one border point, which merges duplicate lines (any scale, either sign: a
 * chord is its pair of border points) and makes lines through a corner or through a common border point meet
 * there, not inside. Interior crossings are found by interleaving; only their order along each line and their
 * grouping into points where three or more lines meet use coordinates.
 *
 * Tolerances are rounding-error bounds, not a fixed epsilon: a unit's line w·p + b = 0 is known to within
 * e = 2^-48 · (|w1|·max|x| + |w2|·max|y| + |b|) / |w| (max over the view), a border crossing to within
 * 2e / sin(angle with the side), an interior crossing of lines i, j along line i to within (eᵢ + eⱼ) / sin θᵢⱼ.
 * Lines or points closer than those bounds are taken as coincident: cells narrower than a few float64 ulps of
 * the view's coordinates are not counted. That makes degenerate inputs built in float64 (scaled or negated
 * copies, lines through a corner or along the border, three lines through one point) come out exact.
 *
 * Counting: cells = 1 + L + Σₚ (kₚ − 1), L distinct lines crossing the open rectangle, p over the interior points
 * where kₚ ≥ 2 lines meet. The number of crossing pairs I = Σₚ kₚ(kₚ − 1)/2 comes from the chords' interleaving
 * with a Fenwick tree in O(L log L). When I ≤ `maxCheckedCrossings` (default MAX_CHECKED_CROSSINGS) the crossings
 * are listed (O(L + I)) and grouped along each line, so points where three or more lines meet are counted
 * exactly; above it the count assumes no three lines meet at one interior point (cells = 1 + L + I; duplicates,
 * parallels and border meetings are still exact) and says so in `concurrencyChecked: false`.
 */
import { InvalidNetworkError, type Network, validateNetwork } from './network.ts';
import type { Rect } from './lines2d.ts';
import { unitHash } from './regions.ts';

/** Largest number of units for which `arrangement2D` returns the cells' polygons. */
export const MAX_EXACT_UNITS = 1000;

/**
 * Most interior crossings that `countRegions` lists to find points where three or more lines meet (about 50 MB
 * of working memory; reached near 3,500 random lines through the view). Above it the count assumes general position.
 */
export const MAX_CHECKED_CROSSINGS = 4_000_000;

/** A plane f = gx·x + gy·y + c. */
export interface Plane2D {
  gx: number;
  gy: number;
  c: number;
}

/** One cell of the arrangement (a linear region of the network inside the view). */
export interface Region2D {
  /** x0, y0, x1, y1, … counter-clockwise, no vertex repeated. */
  vertices: number[];
  /** XOR of unitHash(i) over the active units (w·p + b > 0), as the GPU's regions kernel computes it. */
  pattern: number;
  /** Number of active units. */
  active: number;
  /** The network on the cell: f = gx·x + gy·y + c. */
  plane: Plane2D;
}

/** What `arrangement2D` finds. */
export interface Arrangement2D {
  /** Number of cells into which the distinct lines cut the open view rectangle. */
  exact: number;
  /** Distinct lines crossing the open view rectangle. */
  lines: number;
  /** Pairs of distinct lines crossing inside the open rectangle (a point where k lines meet counts k(k−1)/2). */
  crossings: number;
  /** True when points where three or more lines meet were looked for (always with polygons); false: assumed none. */
  concurrencyChecked: boolean;
  /** The cells, when asked for and N ≤ MAX_EXACT_UNITS. */
  polygons?: Region2D[];
}

/** Options of `arrangement2D` and `countRegions`. */
export interface ArrangementOptions {
  /** Compute the cells' polygons (default true; only for N ≤ MAX_EXACT_UNITS). */
  polygons?: boolean;
  /** Most crossings listed to find concurrent points (default MAX_CHECKED_CROSSINGS). */
  maxCheckedCrossings?: number;
}

/** The activation pattern and plane at one point (`regionAt`). */
export interface RegionAt {
  pattern: number;
  active: number;
  plane: Plane2D;
  /** Indices of the active units, ascending. */
  activeUnits: number[];
}

/** Thrown for a view that is not a finite rectangle of positive width and height. */
export class InvalidViewError extends Error {
  override name = 'InvalidViewError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid view: ${field}: ${message}`);
  }
}

/** Relative size of the rounding-error bounds (about 32 ulps): see the module comment. */
const ERR = 2 ** -48;

function checkView(view: Rect): void {
  for (const k of ['xMin', 'xMax', 'yMin', 'yMax'] as const) {
    const v = (view as unknown as Record<string, unknown>)?.[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidViewError(k, 'must be a finite number');
  }
  if (!(view.xMax - view.xMin > 0) || !Number.isFinite(view.xMax - view.xMin)) throw new InvalidViewError('xMax', 'must be greater than xMin (and the width finite)');
  if (!(view.yMax - view.yMin > 0) || !Number.isFinite(view.yMax - view.yMin)) throw new InvalidViewError('yMax', 'must be greater than yMin (and the height finite)');
}

function checkNetwork(net: Network): Network {
  const v = validateNetwork(net);
  if (v.dim !== 2) throw new InvalidNetworkError('dim', 'the arrangement of lines needs a 2D network');
  return v;
}

/**
 * The chords: the distinct lines crossing the open rectangle, with their border points, in coordinates relative
 * to the view's centre (cx, cy).
 */
interface Chords {
  cx: number;
  cy: number;
  /** Corners relative to the centre, counter-clockwise from bottom-left. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Number of border points (clusters), counter-clockwise from the bottom-left corner (point 0). */
  nb: number;
  /** Border points relative to the centre. */
  bx: Float64Array;
  by: Float64Array;
  /** Number of chords; chord i joins border points ca[i] < cb[i]. */
  L: number;
  ca: Int32Array;
  cb: Int32Array;
  /** Unit normal, offset and its error bound: the line is nx·q + ny·q + g = 0 for q relative to the centre. */
  nx: Float64Array;
  ny: Float64Array;
  g: Float64Array;
  e: Float64Array;
  /** Unit direction from border point ca to cb. */
  dx: Float64Array;
  dy: Float64Array;
  /** The units on each chord (duplicates share one chord). */
  units: number[][];
  /** Units whose state is constant over the open view (no line, a line outside, along the border, or through a corner only). */
  constant: number[];
}

function buildChords(net: Network, view: Rect): Chords {
  const n = net.a.length;
  const { xMin, xMax, yMin, yMax } = view;
  const cx = 0.5 * xMin + 0.5 * xMax;
  const cy = 0.5 * yMin + 0.5 * yMax;
  const x0 = xMin - cx;
  const x1 = xMax - cx;
  const y0 = yMin - cy;
  const y1 = yMax - cy;
  const W = xMax - xMin;
  const H = yMax - yMin;
  const P = 2 * (W + H);
  const mx = Math.max(Math.abs(xMin), Math.abs(xMax));
  const my = Math.max(Math.abs(yMin), Math.abs(yMax));
  // Corners counter-clockwise: bottom-left, bottom-right, top-right, top-left; their perimeter positions.
  const CX = [xMin, xMax, xMax, xMin];
  const CY = [yMin, yMin, yMax, yMax];
  const QX = [x0, x1, x1, x0];
  const QY = [y0, y0, y1, y1];
  const U = [0, W, W + H, 2 * W + H];
  const LEN = [W, H, W, H];
  const floor = ERR * P;

  // Border points: the corners, then two per crossing line (perimeter position, error bound, position).
  const pu: number[] = [0, W, W + H, 2 * W + H];
  const perr: number[] = [0, 0, 0, 0];
  const pqx: number[] = QX.slice();
  const pqy: number[] = QY.slice();
  const crossing: number[] = [];
  const lnx: number[] = [];
  const lny: number[] = [];
  const lg: number[] = [];
  const le: number[] = [];
  const constant: number[] = [];
  const v = [0, 0, 0, 0];
  const s = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w1 = net.w[2 * i];
    const w2 = net.w[2 * i + 1];
    const b = net.b[i];
    const nn = Math.hypot(w1, w2);
    if (!(nn > 0)) {
      constant.push(i);
      continue;
    }
    const e = (ERR * (Math.abs(w1) * mx + Math.abs(w2) * my + Math.abs(b))) / nn;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < 4; k++) {
      v[k] = (w1 * CX[k] + w2 * CY[k] + b) / nn;
      s[k] = v[k] > e ? 1 : v[k] < -e ? -1 : 0;
      lo = Math.min(lo, v[k]);
      hi = Math.max(hi, v[k]);
    }
    if (!(lo < -e && hi > e)) {
      constant.push(i);
      continue;
    }
    // The two border crossings: a corner within e of the line, or a side whose ends lie strictly apart.
    const start = pu.length;
    for (let k = 0; k < 4; k++) {
      const k1 = (k + 1) & 3;
      if (s[k] === 0) {
        pu.push(U[k]);
        perr.push(0);
        pqx.push(QX[k]);
        pqy.push(QY[k]);
      } else if (s[k] * s[k1] < 0) {
        const f = v[k] / (v[k] - v[k1]);
        pu.push(U[k] + f * LEN[k]);
        perr.push((2 * e * LEN[k]) / Math.abs(v[k] - v[k1]) + floor);
        pqx.push(QX[k] + f * (QX[k1] - QX[k]));
        pqy.push(QY[k] + f * (QY[k1] - QY[k]));
      }
    }
    if (pu.length - start !== 2) {
      // Convexity makes this impossible; a unit that slipped through is treated as constant, never as half a chord.
      pu.length = perr.length = pqx.length = pqy.length = start;
      constant.push(i);
      continue;
    }
    crossing.push(i);
    lnx.push(w1 / nn);
    lny.push(w2 / nn);
    lg.push((w1 * cx + w2 * cy + b) / nn);
    le.push(e);
  }

  // Cluster the border points along the perimeter: neighbours within their error bounds are one point.
  const m = pu.length;
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  // The corners first among equals, so a cluster holding a corner is represented by it.
  order.sort((p, q) => pu[p] - pu[q] || p - q);
  const cluster = new Int32Array(m);
  let nb = 0;
  const repCorner: number[] = [];
  const sumU: number[] = [];
  const cnt: number[] = [];
  for (let k = 0; k < m; k++) {
    const p = order[k];
    // Two corners never merge (a line within rounding of a whole side could chain them): the sides stay apart.
    if (k === 0 || pu[p] - pu[order[k - 1]] > perr[p] + perr[order[k - 1]] || (p < 4 && repCorner[nb - 1] >= 0)) {
      nb++;
      repCorner.push(-1);
      sumU.push(0);
      cnt.push(0);
    }
    const c = nb - 1;
    cluster[p] = c;
    if (p < 4 && repCorner[c] < 0) repCorner[c] = p;
    sumU[c] += pu[p];
    cnt[c]++;
  }
  // Wrap-around: the last cluster joins the first (which holds the bottom-left corner) when close across u = 0.
  const last = order[m - 1];
  if (nb > 1 && repCorner[nb - 1] < 0 && P - pu[last] + pu[order[0]] <= perr[last] + perr[order[0]]) {
    for (let p = 0; p < m; p++) if (cluster[p] === nb - 1) cluster[p] = 0;
    nb--;
  }
  const bx = new Float64Array(nb);
  const by = new Float64Array(nb);
  for (let c = 0; c < nb; c++) {
    const k = repCorner[c];
    if (k >= 0) {
      bx[c] = QX[k];
      by[c] = QY[k];
    } else {
      const [qx, qy] = perimeterPoint(sumU[c] / cnt[c], W, H, x0, x1, y0, y1);
      bx[c] = qx;
      by[c] = qy;
    }
  }

  // One chord per distinct pair of border points; a line whose two ends merged cuts no cell off.
  const byPair = new Map<number, number>();
  const units: number[][] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  const keep: number[] = [];
  for (let j = 0; j < crossing.length; j++) {
    let a = cluster[4 + 2 * j];
    let b = cluster[5 + 2 * j];
    if (a === b) {
      constant.push(crossing[j]);
      continue;
    }
    if (a > b) [a, b] = [b, a];
    const key = a * nb + b;
    const at = byPair.get(key);
    if (at !== undefined) {
      units[at].push(crossing[j]);
      continue;
    }
    byPair.set(key, units.length);
    units.push([crossing[j]]);
    ca.push(a);
    cb.push(b);
    keep.push(j);
  }
  const L = units.length;
  const nx = new Float64Array(L);
  const ny = new Float64Array(L);
  const g = new Float64Array(L);
  const e = new Float64Array(L);
  const dx = new Float64Array(L);
  const dy = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    const j = keep[i];
    nx[i] = lnx[j];
    ny[i] = lny[j];
    g[i] = lg[j];
    e[i] = le[j];
    const sign = -ny[i] * (bx[cb[i]] - bx[ca[i]]) + nx[i] * (by[cb[i]] - by[ca[i]]) >= 0 ? 1 : -1;
    dx[i] = -ny[i] * sign;
    dy[i] = nx[i] * sign;
  }
  constant.sort((p, q) => p - q);
  return { cx, cy, x0, x1, y0, y1, nb, bx, by, L, ca: Int32Array.from(ca), cb: Int32Array.from(cb), nx, ny, g, e, dx, dy, units, constant };
}

/** The point at perimeter position u (counter-clockwise from the bottom-left corner), relative to the centre. */
function perimeterPoint(u: number, W: number, H: number, x0: number, x1: number, y0: number, y1: number): [number, number] {
  if (u <= W) return [x0 + u, y0];
  if (u <= W + H) return [x1, y0 + (u - W)];
  if (u <= 2 * W + H) return [x1 - (u - W - H), y1];
  return [x0, y1 - Math.min(H, u - 2 * W - H)];
}

/** Chords opening and closing at each border point (CSR), for the sweeps along the perimeter. */
interface Events {
  openOff: Int32Array;
  open: Int32Array;
  closeOff: Int32Array;
  close: Int32Array;
}

function events(ch: Chords): Events {
  const { nb, L, ca, cb } = ch;
  const openOff = new Int32Array(nb + 1);
  const closeOff = new Int32Array(nb + 1);
  for (let i = 0; i < L; i++) {
    openOff[ca[i] + 1]++;
    closeOff[cb[i] + 1]++;
  }
  for (let c = 0; c < nb; c++) {
    openOff[c + 1] += openOff[c];
    closeOff[c + 1] += closeOff[c];
  }
  const open = new Int32Array(L);
  const close = new Int32Array(L);
  const po = openOff.slice(0, nb);
  const pc = closeOff.slice(0, nb);
  for (let i = 0; i < L; i++) {
    open[po[ca[i]]++] = i;
    close[pc[cb[i]]++] = i;
  }
  // Chords opening together in descending order of their far end, closing together in descending order of their
  // start: the list walk in forEachCrossing relies on both (see there).
  for (let c = 0; c < nb; c++) {
    open.subarray(openOff[c], openOff[c + 1]).sort((p, q) => cb[q] - cb[p]);
    close.subarray(closeOff[c], closeOff[c + 1]).sort((p, q) => ca[q] - ca[p]);
  }
  return { openOff, open, closeOff, close };
}

/** Number of interleaving chord pairs (interior crossings, with multiplicity), by a Fenwick tree over border points. */
function countCrossings(ch: Chords, ev: Events): number {
  const { nb, ca } = ch;
  const tree = new Int32Array(nb + 1);
  const add = (i: number, d: number) => {
    for (let k = i + 1; k <= nb; k += k & -k) tree[k] += d;
  };
  const prefix = (i: number) => {
    let s = 0;
    for (let k = i + 1; k > 0; k -= k & -k) s += tree[k];
    return s;
  };
  let openCount = 0;
  let total = 0;
  for (let x = 0; x < nb; x++) {
    const c0 = ev.closeOff[x];
    const c1 = ev.closeOff[x + 1];
    for (let k = c0; k < c1; k++) add(ca[ev.close[k]], -1);
    openCount -= c1 - c0;
    // A chord closing at x crosses exactly the open chords that started strictly after it.
    for (let k = c0; k < c1; k++) total += openCount - prefix(ca[ev.close[k]]);
    for (let k = ev.openOff[x]; k < ev.openOff[x + 1]; k++) add(x, 1);
    openCount += ev.openOff[x + 1] - ev.openOff[x];
  }
  return total;
}

/**
 * Calls visit(i, j) once for every crossing pair, in O(L + I): the open chords are kept in a list in order of
 * their start; a chord closing at x crosses the open chords after it in that list. Chords opening at one point are
 * appended in descending order of their far end (those after a chord with the same start have closed before it),
 * and chords closing at one point are unlinked in descending order of start, each remembering its successor then.
 */
function forEachCrossing(ch: Chords, ev: Events, visit: (i: number, j: number) => void): void {
  const { nb, L } = ch;
  const END = L;
  const next = new Int32Array(L + 1);
  const prev = new Int32Array(L + 1);
  const succ = new Int32Array(L);
  next[END] = END;
  prev[END] = END;
  for (let x = 0; x < nb; x++) {
    const c0 = ev.closeOff[x];
    const c1 = ev.closeOff[x + 1];
    for (let k = c0; k < c1; k++) {
      const c = ev.close[k];
      succ[c] = next[c];
      next[prev[c]] = next[c];
      prev[next[c]] = prev[c];
    }
    for (let k = c0; k < c1; k++) {
      const c = ev.close[k];
      for (let j = succ[c]; j !== END; j = next[j]) visit(c, j);
    }
    for (let k = ev.openOff[x]; k < ev.openOff[x + 1]; k++) {
      const c = ev.open[k];
      const tail = prev[END];
      next[tail] = c;
      prev[c] = tail;
      next[c] = END;
      prev[END] = c;
    }
  }
}

/** Position along chord i (from border point ca to cb) of its crossing with chord j, and the error bound. */
function crossingOn(ch: Chords, i: number, j: number, out: { t: number; err: number; qx: number; qy: number }): void {
  const { nx, ny, g, e, dx, dy } = ch;
  const det = nx[i] * ny[j] - ny[i] * nx[j];
  const qx = (-g[i] * ny[j] + g[j] * ny[i]) / det;
  const qy = (-g[j] * nx[i] + g[i] * nx[j]) / det;
  out.qx = qx;
  out.qy = qy;
  out.t = dx[i] * qx + dy[i] * qy;
  out.err = (e[i] + e[j]) / Math.abs(det) + ERR * (Math.abs(qx) + Math.abs(qy) + Math.abs(ch.x1 - ch.x0) + Math.abs(ch.y1 - ch.y0));
}

/**
 * Σₚ (kₚ − 1) over interior points by grouping the crossings along each line: a point where k lines meet shows
 * on each of its k lines as a group of k − 1 crossings, so it adds (k − 1)/k once per line.
 */
function concurrentSum(ch: Chords, ev: Events, crossings: number): number {
  const { L } = ch;
  const deg = new Int32Array(L + 1);
  forEachCrossing(ch, ev, (i, j) => {
    deg[i + 1]++;
    deg[j + 1]++;
  });
  for (let i = 0; i < L; i++) deg[i + 1] += deg[i];
  const other = new Int32Array(2 * crossings);
  const fill = deg.slice(0, L);
  forEachCrossing(ch, ev, (i, j) => {
    other[fill[i]++] = j;
    other[fill[j]++] = i;
  });
  let sum = 0;
  const x = { t: 0, err: 0, qx: 0, qy: 0 };
  for (let i = 0; i < L; i++) {
    const k0 = deg[i];
    const m = deg[i + 1] - k0;
    if (m === 0) continue;
    const t = new Float64Array(m);
    const err = new Float64Array(m);
    let maxErr = 0;
    for (let k = 0; k < m; k++) {
      crossingOn(ch, i, other[k0 + k], x);
      t[k] = x.t;
      err[k] = x.err;
      if (x.err > maxErr) maxErr = x.err;
    }
    const sorted = t.slice().sort();
    // Neighbours further apart than twice the largest bound are distinct points; only the rare closer gaps
    // look up their own bounds (by value: equal values need no bound).
    const errAt = (value: number) => {
      let worst = 0;
      for (let k = 0; k < m; k++) if (t[k] === value && err[k] > worst) worst = err[k];
      return worst;
    };
    let size = 1;
    for (let k = 1; k <= m; k++) {
      let same = false;
      if (k < m) {
        const gap = sorted[k] - sorted[k - 1];
        same = gap === 0 || (gap <= 2 * maxErr && gap <= errAt(sorted[k]) + errAt(sorted[k - 1]));
      }
      if (same) size++;
      else {
        sum += size / (size + 1);
        size = 1;
      }
    }
  }
  return Math.round(sum);
}

interface Counted {
  ch: Chords;
  exact: number;
  crossings: number;
  concurrencyChecked: boolean;
}

function count(net: Network, view: Rect, maxChecked: number): Counted {
  const ch = buildChords(net, view);
  const ev = events(ch);
  const crossings = countCrossings(ch, ev);
  if (crossings === 0) return { ch, exact: 1 + ch.L, crossings, concurrencyChecked: true };
  if (crossings > maxChecked) return { ch, exact: 1 + ch.L + crossings, crossings, concurrencyChecked: false };
  return { ch, exact: 1 + ch.L + concurrentSum(ch, ev, crossings), crossings, concurrencyChecked: true };
}

/**
 * Exact number of cells into which the distinct lines of a 2D network's units cut the open view rectangle
 * (see the module comment for what "exact" assumes above `maxCheckedCrossings`). O(N log N + I log I).
 * Throws InvalidNetworkError or InvalidViewError for bad input.
 */
export function countRegions(net: Network, view: Rect, opts: Pick<ArrangementOptions, 'maxCheckedCrossings'> = {}): number {
  checkView(view);
  return count(checkNetwork(net), view, opts.maxCheckedCrossings ?? MAX_CHECKED_CROSSINGS).exact;
}

/** The cells as flat arrays (what the worker transfers without copying, and what views upload for drawing). */
export interface PackedRegions {
  /** Number of cells. */
  count: number;
  /** Cell k's vertices are pairs offsets[k] … offsets[k + 1] − 1 of `vertices` (count + 1 entries). */
  offsets: Int32Array;
  /** x, y pairs, each cell counter-clockwise. */
  vertices: Float64Array;
  /** Activation-pattern id of each cell. */
  pattern: Uint32Array;
  /** Active units of each cell. */
  active: Int32Array;
  /** gx, gy, c of each cell's plane. */
  planes: Float64Array;
}

/** `arrangement2D` with the cells packed (`regions`) instead of as objects. */
export interface PackedArrangement2D {
  exact: number;
  lines: number;
  crossings: number;
  concurrencyChecked: boolean;
  regions?: PackedRegions;
}

/**
 * The arrangement of a 2D network's unit lines inside the open view rectangle: the cell count, and for
 * N ≤ MAX_EXACT_UNITS (unless `polygons: false`) every cell's polygon, activation pattern and plane.
 * Throws InvalidNetworkError or InvalidViewError for bad input.
 */
export function arrangement2D(net: Network, view: Rect, opts: ArrangementOptions = {}): Arrangement2D {
  const { regions, ...rest } = arrangement2DPacked(net, view, opts);
  return regions ? { ...rest, polygons: unpackRegions(regions) } : rest;
}

/**
 * `arrangement2D` with the cells as flat typed arrays. Polygons: O(N² log N) — lines crossed pairwise, the
 * crossings sorted along each line, faces traced once; the pattern and plane are evaluated directly at the first
 * cell's vertex centroid and carried across each shared edge to the next cell (crossing a line switches exactly
 * its units), which matches evaluating w·p + b > 0 at every cell's interior.
 */
export function arrangement2DPacked(net: Network, view: Rect, opts: ArrangementOptions = {}): PackedArrangement2D {
  checkView(view);
  const valid = checkNetwork(net);
  const wantPolygons = (opts.polygons ?? true) && valid.a.length <= MAX_EXACT_UNITS;
  if (!wantPolygons) {
    const c = count(valid, view, opts.maxCheckedCrossings ?? MAX_CHECKED_CROSSINGS);
    return { exact: c.exact, lines: c.ch.L, crossings: c.crossings, concurrencyChecked: c.concurrencyChecked };
  }
  return cells(valid, view);
}

/** The cells of a packed arrangement as `Region2D` objects. */
export function unpackRegions(p: PackedRegions): Region2D[] {
  const out = new Array<Region2D>(p.count);
  for (let k = 0; k < p.count; k++) {
    const v0 = 2 * p.offsets[k];
    const vertices = new Array<number>(2 * p.offsets[k + 1] - v0);
    for (let q = 0; q < vertices.length; q++) vertices[q] = p.vertices[v0 + q];
    out[k] = {
      vertices,
      pattern: p.pattern[k],
      active: p.active[k],
      plane: { gx: p.planes[3 * k], gy: p.planes[3 * k + 1], c: p.planes[3 * k + 2] },
    };
  }
  return out;
}

/** Union–find with path halving. */
function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/**
 * Sorts the first m entries of an index array by a key, in O(m) for keys spread over their range (bucket by
 * value, then an insertion pass over the nearly sorted result), falling back to a comparison sort when many keys
 * crowd one bucket (lines through one point). About 5× faster than Array.prototype.sort with a comparator here.
 */
class KeySorter {
  private readonly count: Int32Array;
  private readonly tmp: Int32Array;
  constructor(capacity: number) {
    this.count = new Int32Array(capacity + 1);
    this.tmp = new Int32Array(capacity);
  }

  sort(idx: Int32Array, m: number, key: Float64Array): void {
    if (m < 2) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < m; k++) {
      const v = key[idx[k]];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) return;
    const count = this.count;
    const tmp = this.tmp;
    const scale = (m - 1) / (hi - lo);
    count.fill(0, 0, m + 1);
    for (let k = 0; k < m; k++) count[Math.floor((key[idx[k]] - lo) * scale) + 1]++;
    let crowded = 0;
    for (let b = 0; b < m; b++) {
      if (count[b + 1] > crowded) crowded = count[b + 1];
      count[b + 1] += count[b];
    }
    if (crowded > 32) {
      const sorted = Array.from(idx.subarray(0, m)).sort((p, q) => key[p] - key[q]);
      idx.set(sorted);
      return;
    }
    for (let k = 0; k < m; k++) tmp[count[Math.floor((key[idx[k]] - lo) * scale)]++] = idx[k];
    for (let k = 0; k < m; k++) {
      const j = tmp[k];
      const v = key[j];
      let q = k - 1;
      while (q >= 0 && key[idx[q]] > v) {
        idx[q + 1] = idx[q];
        q--;
      }
      idx[q + 1] = j;
    }
  }
}

/** A key increasing with the angle of (x, y) over [−π, π) like atan2, without the trigonometry. */
function pseudoAngle(x: number, y: number): number {
  const p = x / (Math.abs(x) + Math.abs(y));
  return y < 0 ? p - 1 : 1 - p;
}

/** The planar graph of chords and border, its faces traced, patterns and planes carried from cell to cell. */
function cells(net: Network, view: Rect): PackedArrangement2D {
  const ch = buildChords(net, view);
  const { L, nb, ca, cb, dx, dy } = ch;
  const crossings = countCrossings(ch, events(ch));

  // Crossings along each chord, sorted, grouped into points: groupOf[i·L + j] is the group on chord i of its
  // crossing with chord j; a chord's groups are numbered consecutively in order along it (groupStart).
  const groupOf = new Int32Array(L * L);
  const gsx = new Float64Array(2 * crossings);
  const gsy = new Float64Array(2 * crossings);
  const gcnt = new Int32Array(2 * crossings);
  const groupStart = new Int32Array(L + 1);
  let G = 0;
  const x = { t: 0, err: 0, qx: 0, qy: 0 };
  const tt = new Float64Array(L);
  const te = new Float64Array(L);
  const tq = new Float64Array(2 * L);
  const partners = new Int32Array(L);
  const sorter = new KeySorter(L);
  for (let i = 0; i < L; i++) {
    let m = 0;
    const ai = ca[i];
    const bi = cb[i];
    for (let j = 0; j < L; j++) {
      const a = ca[j];
      const b = cb[j];
      // Ends strictly interleaved cross inside; a shared end is a meeting on the border.
      if ((a > ai && a < bi && (b > bi || b < ai)) || (b > ai && b < bi && (a < ai || a > bi))) {
        crossingOn(ch, i, j, x);
        tt[j] = x.t;
        te[j] = x.err;
        tq[2 * j] = x.qx;
        tq[2 * j + 1] = x.qy;
        partners[m++] = j;
      }
    }
    sorter.sort(partners, m, tt);
    groupStart[i] = G;
    for (let k = 0; k < m; k++) {
      const j = partners[k];
      if (k === 0 || tt[j] - tt[partners[k - 1]] > te[j] + te[partners[k - 1]]) G++;
      const gid = G - 1;
      groupOf[i * L + j] = gid;
      gsx[gid] += tq[2 * j];
      gsy[gid] += tq[2 * j + 1];
      gcnt[gid]++;
    }
  }
  groupStart[L] = G;

  // Groups of the lines through one point are one vertex; vertices 0 … nb − 1 are the border points.
  const parent = new Int32Array(G);
  for (let k = 0; k < G; k++) parent[k] = k;
  // Each crossing joins the group holding it on one chord with the group holding it on the other.
  for (let i = 0; i < L; i++) {
    const row = i * L;
    for (let j = i + 1; j < L; j++) {
      const ai = ca[i];
      const bi = cb[i];
      const a = ca[j];
      const b = cb[j];
      if (!((a > ai && a < bi && (b > bi || b < ai)) || (b > ai && b < bi && (a < ai || a > bi)))) continue;
      const ri = find(parent, groupOf[row + j]);
      const rj = find(parent, groupOf[j * L + i]);
      if (ri !== rj) parent[ri] = rj;
    }
  }
  const vertexOf = new Int32Array(G).fill(-1);
  let nv = nb;
  for (let k = 0; k < G; k++) {
    const r = find(parent, k);
    if (vertexOf[r] < 0) vertexOf[r] = nv++;
    vertexOf[k] = vertexOf[r];
  }
  const vx = new Float64Array(nv);
  const vy = new Float64Array(nv);
  const vn = new Float64Array(nv);
  vx.set(ch.bx);
  vy.set(ch.by);
  for (let k = 0; k < G; k++) {
    const v = vertexOf[k];
    vx[v] += gsx[k];
    vy[v] += gsy[k];
    vn[v] += gcnt[k];
  }
  for (let v = nb; v < nv; v++) {
    vx[v] = Math.min(ch.x1, Math.max(ch.x0, vx[v] / vn[v]));
    vy[v] = Math.min(ch.y1, Math.max(ch.y0, vy[v] / vn[v]));
  }
  // Σₚ (kₚ − 1), kₚ counted as the distinct lines with a group at the point.
  const lastLine = new Int32Array(nv).fill(-1);
  let concurrent = 0;
  for (let i = 0; i < L; i++) {
    for (let k = groupStart[i]; k < groupStart[i + 1]; k++) {
      const v = vertexOf[k];
      if (lastLine[v] === -1) lastLine[v] = i;
      else if (lastLine[v] !== i) {
        lastLine[v] = i;
        concurrent++;
      }
    }
  }
  const exact = 1 + L + concurrent;

  // Edges: the border between consecutive border points, then each chord between consecutive points on it
  // (from ca towards cb). Half-edge 2k runs from → to, 2k + 1 back; `key` orders each vertex's half-edges
  // counter-clockwise.
  const maxE = nb + G + L;
  const from = new Int32Array(maxE);
  const to = new Int32Array(maxE);
  const along = new Int32Array(maxE);
  let E = 0;
  for (let c = 0; c < nb; c++) {
    from[E] = c;
    to[E] = (c + 1) % nb;
    along[E++] = -1;
  }
  for (let i = 0; i < L; i++) {
    let prev = ca[i];
    for (let k = groupStart[i]; k < groupStart[i + 1]; k++) {
      const v = vertexOf[k];
      if (v === prev) continue;
      from[E] = prev;
      to[E] = v;
      along[E++] = i;
      prev = v;
    }
    from[E] = prev;
    to[E] = cb[i];
    along[E++] = i;
  }
  const H = 2 * E;
  const heFrom = new Int32Array(H);
  const key = new Float64Array(H);
  for (let k = 0; k < E; k++) {
    const i = along[k];
    for (let s = 0; s < 2; s++) {
      const h = 2 * k + s;
      const v = s === 0 ? from[k] : to[k];
      heFrom[h] = v;
      if (i < 0) key[h] = s === 0 ? -1 : nb; // forward along the border first, backward last
      else if (v < nb) key[h] = (v === ca[i] ? cb[i] - v + nb : ca[i] - v + nb) % nb; // far ends, counter-clockwise
      else key[h] = s === 0 ? pseudoAngle(dx[i], dy[i]) : pseudoAngle(-dx[i], -dy[i]);
    }
  }
  const rotOff = new Int32Array(nv + 1);
  for (let h = 0; h < H; h++) rotOff[heFrom[h] + 1]++;
  for (let v = 0; v < nv; v++) rotOff[v + 1] += rotOff[v];
  const rot = new Int32Array(H);
  const fillAt = rotOff.slice(0, nv);
  for (let h = 0; h < H; h++) rot[fillAt[heFrom[h]]++] = h;
  const rotPos = new Int32Array(H);
  for (let v = 0; v < nv; v++) {
    // Insertion sort: interior vertices have 4 half-edges unless lines meet there.
    const o = rotOff[v];
    const d = rotOff[v + 1] - o;
    for (let p = 1; p < d; p++) {
      const h = rot[o + p];
      let q = p - 1;
      while (q >= 0 && key[rot[o + q]] > key[h]) {
        rot[o + q + 1] = rot[o + q];
        q--;
      }
      rot[o + q + 1] = h;
    }
    for (let p = 0; p < d; p++) rotPos[rot[o + p]] = p;
  }

  // Faces with the face on the left: after u → v, leave v by the half-edge just clockwise of v → u.
  const faceOf = new Int32Array(H).fill(-1);
  const faceHe = new Int32Array(H); // the faces' half-edges, face by face
  const faceOff = new Int32Array(H + 1);
  let F = 0;
  let slot = 0;
  const seen = new Uint8Array(H);
  for (let c = 0; c < nb; c++) seen[2 * c + 1] = 1; // the outer face: the border run clockwise
  for (let h0 = 0; h0 < H; h0++) {
    if (seen[h0]) continue;
    let h = h0;
    do {
      if (seen[h] || slot - faceOff[F] > H) throw new Error('arrangement2D: inconsistent face structure');
      seen[h] = 1;
      faceOf[h] = F;
      faceHe[slot++] = h;
      const at = h & 1 ? from[h >> 1] : to[h >> 1];
      const o = rotOff[at];
      const d = rotOff[at + 1] - o;
      h = rot[o + ((rotPos[h ^ 1] - 1 + d) % d)];
    } while (h !== h0);
    faceOff[++F] = slot;
  }

  const offsets = faceOff.slice(0, F + 1);
  const vertices = new Float64Array(2 * slot);
  for (let k = 0; k < slot; k++) {
    const v = heFrom[faceHe[k]];
    // Clamped again after the shift back: adding the centre rounds.
    vertices[2 * k] = Math.min(view.xMax, Math.max(view.xMin, vx[v] + ch.cx));
    vertices[2 * k + 1] = Math.min(view.yMax, Math.max(view.yMin, vy[v] + ch.cy));
  }

  // Pattern, active count and plane: evaluated in face 0, then carried across shared chord edges (breadth first).
  const sides = chordSides(net, ch);
  const { pos, neg } = sides;
  // Crossing chord i switches all its units: the pattern changes by the XOR of their hashes.
  const flip = new Uint32Array(L);
  for (let i = 0; i < L; i++) flip[i] = sides.hashPos[i] ^ sides.hashNeg[i];
  const pattern = new Uint32Array(F);
  const active = new Int32Array(F);
  const planes = new Float64Array(3 * F);
  const done = new Uint8Array(F);
  const queue = new Int32Array(F);
  if (F > 0) {
    let sx = 0;
    let sy = 0;
    for (let k = faceOff[0]; k < faceOff[1]; k++) {
      sx += vx[heFrom[faceHe[k]]];
      sy += vy[heFrom[faceHe[k]]];
    }
    const m = faceOff[1] - faceOff[0];
    const r0 = sides.at(sx / m, sy / m);
    pattern[0] = r0.pattern;
    active[0] = r0.active;
    planes.set([r0.gx, r0.gy, r0.c], 0);
    done[0] = 1;
    queue[0] = 0;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const f = queue[head++];
      for (let k = faceOff[f]; k < faceOff[f + 1]; k++) {
        const h = faceHe[k];
        const i = along[h >> 1];
        if (i < 0) continue;
        const g = faceOf[h ^ 1];
        if (g < 0 || done[g]) continue;
        done[g] = 1;
        queue[tail++] = g;
        // Face f lies left of h: on chord i's positive side iff the normal points left of h's direction.
        const sgn = h & 1 ? -1 : 1;
        const fPos = sgn * (ch.ny[i] * dx[i] - ch.nx[i] * dy[i]) > 0;
        const into = fPos ? neg : pos;
        const out = fPos ? pos : neg;
        pattern[g] = pattern[f] ^ flip[i];
        active[g] = active[f] + into[4 * i + 3] - out[4 * i + 3];
        planes[3 * g] = planes[3 * f] + (into[4 * i] - out[4 * i]);
        planes[3 * g + 1] = planes[3 * f + 1] + (into[4 * i + 1] - out[4 * i + 1]);
        planes[3 * g + 2] = planes[3 * f + 2] + (into[4 * i + 2] - out[4 * i + 2]);
      }
    }
  }
  return {
    exact,
    lines: L,
    crossings,
    concurrencyChecked: true,
    regions: { count: F, offsets, vertices, pattern, active, planes },
  };
}

/** Per chord, what its units add on each side of it; `at` evaluates a point directly. */
interface ChordSides {
  /** gx, gy, c, active count of chord i's units active on its positive side (n·q + g > 0), at 4i … 4i + 3. */
  pos: Float64Array;
  /** The same on the negative side. */
  neg: Float64Array;
  hashPos: Uint32Array;
  hashNeg: Uint32Array;
  /** Pattern, active count and plane at a point inside a cell (relative to the view's centre). */
  at(qx: number, qy: number): { pattern: number; active: number; gx: number; gy: number; c: number };
}

function chordSides(net: Network, ch: Chords): ChordSides {
  const { L, nx, ny, g } = ch;
  // Units with no chord are constant over the open view: their state at the centre holds everywhere.
  const base = sideSums(net, ch.constant, (i) => net.w[2 * i] * ch.cx + net.w[2 * i + 1] * ch.cy + net.b[i] > 0);
  const pos = new Float64Array(4 * L);
  const neg = new Float64Array(4 * L);
  const hashPos = new Uint32Array(L);
  const hashNeg = new Uint32Array(L);
  for (let i = 0; i < L; i++) {
    // A unit on chord i is active on the positive side iff its weights point along the chord's normal.
    const onPos = (u: number) => net.w[2 * u] * nx[i] + net.w[2 * u + 1] * ny[i] > 0;
    const p = sideSums(net, ch.units[i], onPos);
    const q = sideSums(net, ch.units[i], (u) => !onPos(u));
    pos.set([p.gx, p.gy, p.c, p.active], 4 * i);
    neg.set([q.gx, q.gy, q.c, q.active], 4 * i);
    hashPos[i] = p.pattern;
    hashNeg[i] = q.pattern;
  }
  const at = (qx: number, qy: number) => {
    let gx = base.gx;
    let gy = base.gy;
    let c = base.c + net.c;
    let active = base.active;
    let pattern = base.pattern;
    for (let i = 0; i < L; i++) {
      const onPos = nx[i] * qx + ny[i] * qy + g[i] > 0;
      const s = onPos ? pos : neg;
      gx += s[4 * i];
      gy += s[4 * i + 1];
      c += s[4 * i + 2];
      active += s[4 * i + 3];
      pattern ^= onPos ? hashPos[i] : hashNeg[i];
    }
    return { pattern: pattern >>> 0, active, gx, gy, c };
  };
  return { pos, neg, hashPos, hashNeg, at };
}

/** Sums a·w1, a·w2, a·b, the count and the XOR of hashes over the given units that `on` says are active. */
function sideSums(net: Network, units: readonly number[], on: (i: number) => boolean) {
  let gx = 0;
  let gy = 0;
  let c = 0;
  let active = 0;
  let pattern = 0;
  for (const i of units) {
    if (!on(i)) continue;
    gx += net.a[i] * net.w[2 * i];
    gy += net.a[i] * net.w[2 * i + 1];
    c += net.a[i] * net.b[i];
    active++;
    pattern ^= unitHash(i);
  }
  return { gx, gy, c, active, pattern };
}

/**
 * The activation pattern, active units and plane of a 2D network at (x, y), by the GPU's rule (unit i active iff
 * w·p + b > 0). Throws InvalidNetworkError for a bad or non-2D network.
 */
export function regionAt(net: Network, x: number, y: number): RegionAt {
  const valid = checkNetwork(net);
  const activeUnits: number[] = [];
  let gx = 0;
  let gy = 0;
  let c = valid.c;
  let pattern = 0;
  for (let i = 0; i < valid.a.length; i++) {
    if (!(valid.w[2 * i] * x + valid.w[2 * i + 1] * y + valid.b[i] > 0)) continue;
    activeUnits.push(i);
    gx += valid.a[i] * valid.w[2 * i];
    gy += valid.a[i] * valid.w[2 * i + 1];
    c += valid.a[i] * valid.b[i];
    pattern ^= unitHash(i);
  }
  return { pattern: pattern >>> 0, active: activeUnits.length, plane: { gx, gy, c }, activeUnits };
}

/** One region of the JSON export. */
export interface RegionJson {
  vertices: number[];
  pattern: number;
  active: number;
  plane: Plane2D;
  /** Indices of the active units (N ≤ MAX_EXACT_UNITS and within `maxActiveEntries` in all). */
  activeUnits?: number[];
}

/** The JSON export of an arrangement. */
export interface ArrangementJson {
  exact: number;
  lines: number;
  crossings: number;
  concurrencyChecked: boolean;
  /** Number of units of the network. */
  units: number;
  /** Why `activeUnits` is missing from the regions, when it is. */
  activeUnitsOmitted?: string;
  regions?: RegionJson[];
}

/**
 * The arrangement as plain JSON data: each region's vertices, pattern, active count and plane, and its active
 * unit indices when N ≤ MAX_EXACT_UNITS and the lists hold at most `maxActiveEntries` indices in all (default
 * 5,000,000: 1,000 random lines give about 250,000 regions of some 500 active units each, far too big a file).
 */
export function arrangementJson(result: Arrangement2D, net: Network, opts: { maxActiveEntries?: number } = {}): ArrangementJson {
  const valid = checkNetwork(net);
  const out: ArrangementJson = {
    exact: result.exact,
    lines: result.lines,
    crossings: result.crossings,
    concurrencyChecked: result.concurrencyChecked,
    units: valid.a.length,
  };
  if (!result.polygons) return out;
  let entries = 0;
  for (const r of result.polygons) entries += r.active;
  const limit = opts.maxActiveEntries ?? 5_000_000;
  const withUnits = valid.a.length <= MAX_EXACT_UNITS && entries <= limit;
  if (!withUnits) {
    out.activeUnitsOmitted = valid.a.length > MAX_EXACT_UNITS ? `more than ${MAX_EXACT_UNITS} units` : `${entries} active-unit entries in all, more than ${limit}`;
  }
  out.regions = result.polygons.map((r) => {
    const json: RegionJson = { vertices: r.vertices.slice(), pattern: r.pattern, active: r.active, plane: { ...r.plane } };
    if (withUnits) {
      const [cx, cy] = centroid(r.vertices);
      json.activeUnits = regionAt(valid, cx, cy).activeUnits;
    }
    return json;
  });
  return out;
}

/** Mean of a polygon's vertices (inside it, since cells are convex). */
function centroid(vertices: readonly number[]): [number, number] {
  let sx = 0;
  let sy = 0;
  const k = vertices.length / 2;
  for (let q = 0; q < vertices.length; q += 2) {
    sx += vertices[q];
    sy += vertices[q + 1];
  }
  return [sx / k, sy / k];
}
