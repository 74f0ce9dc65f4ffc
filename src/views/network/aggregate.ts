/**
 * The network diagram's geometry, free of the DOM: which units it draws (all of a small network; for a large one
 * the most influential few plus one group node that stands for the rest), how wide an edge is for a weight,
 * and each unit's small picture (its term over the view in 1D, its active half-plane in 2D).
 */
import type { Network } from '../../model/network.ts';

/** Draw every unit up to this many; above it, the `top` largest and a group node. */
export const SHOW_ALL_UP_TO = 24;
/** How many units a large network shows individually (besides the selected one). */
export const TOP_UNITS = 12;

/** What the group node stands for: every unit the diagram does not draw on its own. */
export interface RestGroup {
  count: number;
  /** Σ|a_i| over the rest: the width of the group's edge to the output. */
  sumAbsA: number;
  /** Σa_i over the rest (signed). */
  sumA: number;
  /** Σ|w_ij| over the rest, per input j: the widths of the input edges into the group. */
  sumAbsW: number[];
  /** How many of the rest have a > 0 and a < 0 (the group's output edge takes one sign's colour only when all agree). */
  positiveA: number;
  negativeA: number;
  /** The same per input for w. */
  positiveW: number[];
  negativeW: number[];
}

/** The units the diagram draws and the group for the others. */
export interface Aggregation {
  total: number;
  /** Indices of the units drawn on their own, ascending. */
  shown: number[];
  /** `all`: every unit is drawn; `largest`: the `top` largest by |a|·‖w‖ (plus the selected unit). */
  rule: 'all' | 'largest';
  /** Null when every unit is drawn. */
  rest: RestGroup | null;
  /** The selected unit when it was drawn only because it is selected (not among the largest), else null. */
  extra: number | null;
}

/** A unit's influence: |a|·‖w‖, the size of the slope change (1D) or the gradient jump (2D) it makes at its crease. */
export function importanceOf(net: Network, i: number): number {
  const d = net.dim;
  let norm2 = 0;
  for (let j = 0; j < d; j++) norm2 += net.w[i * d + j] ** 2;
  return Math.abs(net.a[i]) * Math.sqrt(norm2);
}

/**
 * The units to draw: all of them up to `showAllUpTo`, else the `top` largest by |a|·‖w‖ (ties to the lower index)
 * and the selected unit, with every other unit summed into the group. O(N·top) time, O(top) extra memory.
 */
export function aggregateUnits(net: Network, opts: { showAllUpTo?: number; top?: number; selected?: number } = {}): Aggregation {
  return withSelection(largestUnits(net, opts), net, opts.selected ?? -1);
}

/** The aggregation without a selection: O(N·top) once per network (a selection is added in O(top)). */
export function largestUnits(net: Network, opts: { showAllUpTo?: number; top?: number } = {}): Aggregation {
  const total = net.a.length;
  const showAllUpTo = opts.showAllUpTo ?? SHOW_ALL_UP_TO;
  const top = opts.top ?? TOP_UNITS;
  if (total <= showAllUpTo) return { total, shown: Array.from({ length: total }, (_, i) => i), rule: 'all', rest: null, extra: null };
  // Keep the `top` largest in a small array sorted by importance, largest first.
  const best: number[] = [];
  const score: number[] = [];
  const d = net.dim;
  // Runs once per network, so mostly before the JIT has optimized it: arrays in locals, the importance inlined
  // (the same arithmetic as importanceOf), and a threshold in a local keep the unoptimized loop short too (it took
  // 30–260 ms of a 65,536-unit 2D network's first frame under load, against 1.5 ms once optimized).
  const { a: as, w: ws } = net;
  let floor = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < total; i++) {
    let v: number;
    if (d === 1) v = Math.abs(as[i] * ws[i]);
    else if (d === 2) v = Math.abs(as[i]) * Math.sqrt(0 + ws[2 * i] ** 2 + ws[2 * i + 1] ** 2);
    else v = importanceOf(net, i);
    if (!(v > floor)) continue;
    let k: number;
    if (best.length < top) {
      best.push(i);
      score.push(v);
      k = best.length - 1;
    } else k = top - 1;
    while (k > 0 && v > score[k - 1]) {
      best[k] = best[k - 1];
      score[k] = score[k - 1];
      k--;
    }
    best[k] = i;
    score[k] = v;
    if (best.length === top) floor = score[top - 1];
  }
  const shown = best.sort((p, q) => p - q);
  const rest: RestGroup = {
    count: 0,
    sumAbsA: 0,
    sumA: 0,
    sumAbsW: new Array<number>(d).fill(0),
    positiveA: 0,
    negativeA: 0,
    positiveW: new Array<number>(d).fill(0),
    negativeW: new Array<number>(d).fill(0),
  };
  // The group's sums in one tight pass (locals, no calls: this is the O(N) part of a new network).
  let next = 0;
  let sumAbsA = 0;
  let sumA = 0;
  let positiveA = 0;
  let negativeA = 0;
  for (let i = 0; i < total; i++) {
    if (i === shown[next]) {
      next++;
      continue;
    }
    const a = as[i];
    sumAbsA += Math.abs(a);
    sumA += a;
    if (a > 0) positiveA++;
    else if (a < 0) negativeA++;
    for (let j = 0; j < d; j++) {
      const w = ws[i * d + j];
      rest.sumAbsW[j] += Math.abs(w);
      if (w > 0) rest.positiveW[j]++;
      else if (w < 0) rest.negativeW[j]++;
    }
  }
  Object.assign(rest, { count: total - shown.length, sumAbsA, sumA, positiveA, negativeA });
  return { total, shown, rule: 'largest', rest, extra: null };
}

/** Adds (sign 1) or takes out (sign −1) unit i's weights to or from the group's sums and counts. */
function addToGroup(rest: RestGroup, net: Network, i: number, sign: 1 | -1): void {
  const d = net.dim;
  const a = net.a[i];
  rest.count += sign;
  rest.sumAbsA += sign * Math.abs(a);
  rest.sumA += sign * a;
  if (a > 0) rest.positiveA += sign;
  else if (a < 0) rest.negativeA += sign;
  for (let j = 0; j < d; j++) {
    const w = net.w[i * d + j];
    rest.sumAbsW[j] += sign * Math.abs(w);
    if (w > 0) rest.positiveW[j] += sign;
    else if (w < 0) rest.negativeW[j] += sign;
  }
}

/**
 * An aggregation from `largestUnits` with the selected unit drawn too: when it is in the group it moves out of it
 * (its weights leave the sums). O(top), so changing the selection does not scan the network again.
 */
export function withSelection(base: Aggregation, net: Network, selected: number): Aggregation {
  if (!base.rest || selected < 0 || selected >= base.total || base.shown.includes(selected)) return base;
  const rest: RestGroup = { ...base.rest, sumAbsW: [...base.rest.sumAbsW], positiveW: [...base.rest.positiveW], negativeW: [...base.rest.negativeW] };
  addToGroup(rest, net, selected, -1);
  return { ...base, shown: [...base.shown, selected].sort((p, q) => p - q), rest, extra: selected };
}

/** An edge's sign for its colour: one sign, zero, or both (a group whose units disagree). */
export type EdgeSign = 'positive' | 'negative' | 'zero' | 'mixed';

export function signOf(v: number): EdgeSign {
  return v > 0 ? 'positive' : v < 0 ? 'negative' : 'zero';
}

/** The sign of a group's edge from its counts of positive and negative weights. */
export function groupSign(positive: number, negative: number): EdgeSign {
  if (positive > 0 && negative > 0) return 'mixed';
  return positive > 0 ? 'positive' : negative > 0 ? 'negative' : 'zero';
}

/** Thinnest and thickest edge in CSS pixels. */
export const EDGE_MIN_PX = 0.6;
export const EDGE_MAX_PX = 6;

/**
 * Edge width for a magnitude m against the largest magnitude `ref` among the edges of the same layer drawn for
 * single units: √ so small weights stay visible; a group's sum may exceed `ref` and is capped at EDGE_MAX_PX.
 */
export function edgeWidth(m: number, ref: number): number {
  if (!(m > 0) || !(ref > 0)) return EDGE_MIN_PX;
  return Math.min(EDGE_MAX_PX, EDGE_MIN_PX + 2.4 * Math.sqrt(m / ref));
}

/**
 * A 1D unit's term a·ReLU(w·x + b) over [xMin, xMax], exactly: the ends and the knot when it lies inside,
 * as (x, value) pairs in increasing x. Three points at most, so drawing it is O(1).
 */
export function termPoints(w: number, b: number, a: number, xMin: number, xMax: number): Array<[number, number]> {
  const term = (x: number) => a * Math.max(0, w * x + b);
  const pts: Array<[number, number]> = [[xMin, term(xMin)]];
  if (w !== 0) {
    const knot = -b / w;
    if (knot > xMin && knot < xMax) pts.push([knot, 0]);
  }
  pts.push([xMax, term(xMax)]);
  return pts;
}

/**
 * The part of the rectangle where a 2D unit is active (w1·x + w2·y + b > 0), as a polygon (empty when the unit is
 * off everywhere there), and its crease clipped to the rectangle (null when the crease misses it).
 * Sutherland–Hodgman against one half-plane: O(1).
 */
export function activeRegion2D(
  w1: number,
  w2: number,
  b: number,
  r: { xMin: number; xMax: number; yMin: number; yMax: number },
): { polygon: Array<[number, number]>; crease: [[number, number], [number, number]] | null } {
  const corners: Array<[number, number]> = [
    [r.xMin, r.yMin],
    [r.xMax, r.yMin],
    [r.xMax, r.yMax],
    [r.xMin, r.yMax],
  ];
  const g = (p: [number, number]) => w1 * p[0] + w2 * p[1] + b;
  const polygon: Array<[number, number]> = [];
  const crossings: Array<[number, number]> = [];
  for (let k = 0; k < 4; k++) {
    const p = corners[k];
    const q = corners[(k + 1) % 4];
    const gp = g(p);
    const gq = g(q);
    if (gp > 0) polygon.push(p);
    if ((gp > 0) !== (gq > 0) && gp !== gq) {
      const t = gp / (gp - gq);
      const x: [number, number] = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
      polygon.push(x);
      crossings.push(x);
    }
  }
  return { polygon, crease: crossings.length === 2 ? [crossings[0], crossings[1]] : null };
}
