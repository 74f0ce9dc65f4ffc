/**
 * The units' zero lines (creases) on the top-down map, as pure geometry: each line clipped exactly to the view
 * (src/model/lines2d.ts `clipLine`) and placed in CSS pixels, the selected unit's handles, hit tests, and what
 * dragging a handle does to the unit. Heatmap2D draws from it; kept free of the DOM so it is unit-tested.
 */
import { clipLineInto } from '../../model/lines2d.ts';
import type { Network } from '../../model/network.ts';
import type { PlotRect } from '../axes.ts';

/** A 2D unit's line w1·x + w2·y + b = 0 (its output weight plays no part in where it lies). */
export interface CreaseLine {
  w1: number;
  w2: number;
  b: number;
}

/** Lines as a 2D network holds them: w interleaved (w1, w2 per unit), b per unit. */
export type LineArrays = Pick<Network, 'w' | 'b'> | { w: ArrayLike<number>; b: ArrayLike<number> };

/** The lines of a 2D network's units, in unit order (w is interleaved w1, w2 per unit). */
export function creaseLines(net: Pick<Network, 'w' | 'b'>): CreaseLine[] {
  const out: CreaseLine[] = new Array(net.b.length);
  for (let i = 0; i < net.b.length; i++) out[i] = { w1: net.w[2 * i], w2: net.w[2 * i + 1], b: net.b[i] };
  return out;
}

/** The view rectangle in data coordinates (the state's view2d has this shape). */
export interface ViewWindow {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Which handle of the selected line: its midpoint moves the line, its end handle turns it. */
export type HandleKind = 'move' | 'turn';

/**
 * At most this many creases are stroked per frame (a stride over the units, the selected one always); beyond
 * a few thousand thin lines the map is covered anyway and stroking 65,536 would cost more than the map itself.
 * Hit tests still see every unit.
 */
export const MAX_DRAWN_CREASES = 4096;
/** Pointer distance (CSS pixels) within which a crease or a handle is hit. */
export const HIT_TOLERANCE = 6;
export const HANDLE_RADIUS = 6;
/** Where the turn handle sits along the selected segment, from its midpoint (0) to its second end (1). */
export const TURN_HANDLE_AT = 0.8;

/**
 * The creases of a frame in CSS pixels: built once per (lines, view, rect, selection), then drawn and
 * hit-tested against without clipping again.
 */
export class CreaseGeometry {
  /** Clipped segments in CSS pixels, [x0, y0, x1, y1] per visible unit, and each one's unit index. */
  readonly segments: Float64Array;
  readonly units: Int32Array;
  /** The units whose segments are stroked (indices into `units`, a stride when there are too many). */
  readonly drawn: Int32Array;
  /** The selected unit's segment in data coordinates, or null when it is not selected or misses the view. */
  readonly selectedSegment: [number, number, number, number] | null;

  /**
   * `lines` as objects, or a network's arrays (read in place: 65,536 line objects per frame cost as much as clipping
   * them). `clipped` is what `creaseGeometrySteps` clipped already for the same arguments (else they are clipped here).
   */
  constructor(
    readonly lines: readonly CreaseLine[] | LineArrays,
    readonly view: ViewWindow,
    readonly rect: PlotRect,
    readonly selected = -1,
    cap = MAX_DRAWN_CREASES,
    clipped?: Clipping,
  ) {
    let c = clipped;
    if (!c) {
      c = startClipping(lines, view, rect, selected);
      clipUnits(c, c.count);
    }
    const n = c.n;
    this.segments = c.seg.subarray(0, 4 * n);
    this.units = c.units.subarray(0, n);
    this.selectedSegment = c.sel;
    const stride = Math.max(1, Math.ceil(n / Math.max(1, cap)));
    const drawn = new Int32Array(Math.ceil(n / stride));
    for (let k = 0, q = 0; k < n; k += stride) drawn[q++] = k;
    this.drawn = drawn;
  }

  /**
   * This geometry on a plot area of the same size at another place (`rect`): the segments shifted, nothing clipped
   * again (the page's layout moving the map a few pixels made a 65,536-unit network's creases clipped twice).
   * Shares `units` and `drawn` with this one. Throws a RangeError when the size differs.
   */
  movedTo(rect: PlotRect): CreaseGeometry {
    if (rect.width !== this.rect.width || rect.height !== this.rect.height) throw new RangeError('movedTo: the plot area must keep its size');
    const dx = rect.left - this.rect.left;
    const dy = rect.top - this.rect.top;
    const from = this.segments;
    const seg = new Float64Array(from.length);
    for (let k = 0; k < seg.length; k += 2) {
      seg[k] = from[k] + dx;
      seg[k + 1] = from[k + 1] + dy;
    }
    const moved = Object.create(CreaseGeometry.prototype) as CreaseGeometry;
    return Object.assign(moved, {
      lines: this.lines,
      view: this.view,
      rect: { ...rect },
      selected: this.selected,
      segments: seg,
      units: this.units,
      drawn: this.drawn,
      selectedSegment: this.selectedSegment,
    });
  }

  /** Visible creases (clipped to a segment of positive length inside the view). */
  get visible(): number {
    return this.units.length;
  }

  /** CSS pixel of a data point. */
  toPixel(x: number, y: number): [number, number] {
    const { view, rect } = this;
    return [rect.left + ((x - view.xMin) / (view.xMax - view.xMin)) * rect.width, rect.top + ((view.yMax - y) / (view.yMax - view.yMin)) * rect.height];
  }

  /** The selected line's midpoint inside the view (data coordinates): its move handle and the turn's pivot. */
  midpoint(): [number, number] | null {
    const s = this.selectedSegment;
    return s ? [(s[0] + s[2]) / 2, (s[1] + s[3]) / 2] : null;
  }

  /**
   * The selected line's handles in CSS pixels: move at the segment's midpoint, turn toward the end farther
   * from the map's top-left corner (where a legend may sit).
   */
  handles(): { move: [number, number]; turn: [number, number] } | null {
    const s = this.selectedSegment;
    if (!s) return null;
    const mx = (s[0] + s[2]) / 2;
    const my = (s[1] + s[3]) / 2;
    const a = this.toPixel(s[0], s[1]);
    const b = this.toPixel(s[2], s[3]);
    const [ex, ey] = a[0] + a[1] > b[0] + b[1] ? [s[0], s[1]] : [s[2], s[3]];
    return {
      move: this.toPixel(mx, my),
      turn: this.toPixel(mx + TURN_HANDLE_AT * (ex - mx), my + TURN_HANDLE_AT * (ey - my)),
    };
  }

  /** The unit whose crease passes nearest (px, py) within `tolerance` CSS pixels, or −1; ties go to the lower index. */
  hitCrease(px: number, py: number, tolerance = HIT_TOLERANCE): number {
    let best = -1;
    let bestD = tolerance * tolerance;
    const s = this.segments;
    for (let k = 0; k < this.units.length; k++) {
      const d = distanceSquared(px, py, s[4 * k], s[4 * k + 1], s[4 * k + 2], s[4 * k + 3]);
      if (d < bestD || (d === bestD && best >= 0 && this.units[k] < best)) {
        bestD = d;
        best = this.units[k];
      }
    }
    return best;
  }

  /** The selected line's handle under (px, py), the turn handle winning where both are in reach; else null. */
  handleAt(px: number, py: number, radius = HANDLE_RADIUS + 3): HandleKind | null {
    const h = this.handles();
    if (!h) return null;
    const r2 = radius * radius;
    if ((px - h.turn[0]) ** 2 + (py - h.turn[1]) ** 2 <= r2) return 'turn';
    if ((px - h.move[0]) ** 2 + (py - h.move[1]) ** 2 <= r2) return 'move';
    return null;
  }
}

/** The clipping of a geometry's lines under way (see `creaseGeometrySteps`). */
interface Clipping {
  lines: readonly CreaseLine[] | LineArrays;
  view: ViewWindow;
  rect: PlotRect;
  selected: number;
  count: number;
  /** Units clipped so far, and visible segments found so far. */
  u: number;
  n: number;
  seg: Float64Array;
  units: Int32Array;
  sel: [number, number, number, number] | null;
}

function startClipping(lines: readonly CreaseLine[] | LineArrays, view: ViewWindow, rect: PlotRect, selected: number): Clipping {
  const count = Array.isArray(lines) ? (lines as readonly CreaseLine[]).length : (lines as LineArrays).b.length;
  return { lines, view, rect, selected, count, u: 0, n: 0, seg: new Float64Array(4 * count), units: new Int32Array(count), sel: null };
}

/** Clips the next units of `c`, up to unit `end` (exclusive), each placed in CSS pixels. */
function clipUnits(c: Clipping, end: number): void {
  const { view, rect, seg, units, selected } = c;
  const objects = Array.isArray(c.lines) ? (c.lines as readonly CreaseLine[]) : null;
  const arrays = objects ? null : (c.lines as LineArrays);
  const sx = rect.width / (view.xMax - view.xMin);
  const sy = rect.height / (view.yMax - view.yMin);
  const { xMin, yMax } = view;
  let n = c.n;
  const stop = Math.min(end, c.count);
  for (let u = c.u; u < stop; u++) {
    const k = 4 * n;
    const hit = objects
      ? clipLineInto(objects[u].w1, objects[u].w2, objects[u].b, view, seg, k)
      : clipLineInto(arrays!.w[2 * u], arrays!.w[2 * u + 1], arrays!.b[u], view, seg, k);
    if (!hit) continue;
    if (u === selected) c.sel = [seg[k], seg[k + 1], seg[k + 2], seg[k + 3]];
    seg[k] = rect.left + (seg[k] - xMin) * sx;
    seg[k + 1] = rect.top + (yMax - seg[k + 1]) * sy;
    seg[k + 2] = rect.left + (seg[k + 2] - xMin) * sx;
    seg[k + 3] = rect.top + (yMax - seg[k + 3]) * sy;
    units[n++] = u;
  }
  c.n = n;
  c.u = stop;
}

/** Units clipped per step of `creaseGeometrySteps`. */
export const CLIP_STEP = 8192;

/**
 * What `new CreaseGeometry(lines, view, rect, selected, cap)` gives, built in steps of `step` units: each `next()`
 * clips the next step and the last returns the geometry, so a caller can spread 65,536 lines over several tasks.
 */
export function* creaseGeometrySteps(
  lines: readonly CreaseLine[] | LineArrays,
  view: ViewWindow,
  rect: PlotRect,
  selected = -1,
  cap = MAX_DRAWN_CREASES,
  step = CLIP_STEP,
): Generator<void, CreaseGeometry, void> {
  const c = startClipping(lines, { ...view }, { ...rect }, selected);
  while (c.u < c.count) {
    clipUnits(c, c.u + Math.max(1, step));
    if (c.u < c.count) yield;
  }
  return new CreaseGeometry(lines, c.view, c.rect, selected, cap, c);
}

/** Squared distance from (px, py) to the segment (x0, y0)–(x1, y1). */
function distanceSquared(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - x0) * dx + (py - y0) * dy) / len2)) : 0;
  const ex = x0 + t * dx - px;
  const ey = y0 + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * What dragging a handle of a unit's line from data point `from` to `to` makes of the line (a new object;
 * the unit's output weight is the caller's):
 * - 'move' translates the line by to − from keeping its normal (w1, w2): a line grabbed on itself then passes
 *   through the pointer, and a grab a pixel off the line does not make it jump;
 * - 'turn' rotates the line about `pivot` (the segment's midpoint in the view, `CreaseGeometry.midpoint()`;
 *   by default the point of the line nearest the origin) by the angle from − pivot turns through to reach
 *   to − pivot, keeping |w| and so the unit's slope; the line keeps passing through the pivot.
 * Degenerate drags (w = 0, a turn with from or to on the pivot) return the line unchanged.
 */
export function dragLine(unit: CreaseLine, kind: HandleKind, from: readonly [number, number], to: readonly [number, number], pivot?: readonly [number, number]): CreaseLine {
  const { w1, w2, b } = unit;
  const nn = w1 * w1 + w2 * w2;
  if (!(nn > 0)) return { w1, w2, b };
  if (kind === 'move') return { w1, w2, b: b - w1 * (to[0] - from[0]) - w2 * (to[1] - from[1]) };
  const p = pivot ?? [(-b * w1) / nn, (-b * w2) / nn];
  const fx = from[0] - p[0];
  const fy = from[1] - p[1];
  const tx = to[0] - p[0];
  const ty = to[1] - p[1];
  if ((fx === 0 && fy === 0) || (tx === 0 && ty === 0)) return { w1, w2, b };
  const angle = Math.atan2(ty, tx) - Math.atan2(fy, fx);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const n1 = c * w1 - s * w2;
  const n2 = s * w1 + c * w2;
  // The rotated line through the pivot (the pivot lies on the old line when it is its midpoint).
  const offset = w1 * p[0] + w2 * p[1] + b;
  return { w1: n1, w2: n2, b: -(n1 * p[0] + n2 * p[1]) + offset };
}
