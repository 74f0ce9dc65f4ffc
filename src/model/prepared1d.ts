/**
 * What a newly built 1D network needs before its first frame that costs O(N log N): its exact piecewise form
 * (knots sorted) and its units sorted by the slope a·w of their lines (for the plot's level-of-detail band).
 * At 65,536 units these sorts were most of the longest main-thread task when a fit landed, so the fit worker
 * computes them beside the network (`prepare1D`) and the main thread adopts them for the validated network
 * (`adoptPrepared1D`) instead of sorting again. Both are pure functions of the network's numbers.
 */
import { argsortFloat64 } from './argsort.ts';
import { activationOf } from './activation.ts';
import type { Network, ValidNetwork } from './network.ts';
import { type PiecewiseLinear, adoptPiecewise, piecewise1D } from './piecewise1d.ts';

/** Unit indices by the slope a·w of their line a·(w·x + b): a > 0 and a < 0 apart, each ascending; `zero` counts a = 0. */
export interface SlopeOrder {
  pos: Int32Array;
  neg: Int32Array;
  zero: number;
}

/** The slope order of `net` (O(N): radix argsort). Equal slopes come in any order. */
export function slopeOrder(net: Network): SlopeOrder {
  const n = net.a.length;
  const { a, w } = net;
  // Typed arrays throughout (it runs in the fit worker between the N slider's last input and the picture).
  const pos = new Int32Array(n);
  const neg = new Int32Array(n);
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] > 0) pos[nPos++] = i;
    else if (a[i] < 0) neg[nNeg++] = i;
  }
  const bySlope = (units: Int32Array): Int32Array => {
    const keys = new Float64Array(units.length);
    for (let k = 0; k < units.length; k++) keys[k] = a[units[k]] * w[units[k]];
    const order = argsortFloat64(keys);
    const out = new Int32Array(units.length);
    for (let k = 0; k < units.length; k++) out[k] = units[order[k]];
    return out;
  };
  return { pos: bySlope(pos.subarray(0, nPos)), neg: bySlope(neg.subarray(0, nNeg)), zero: n - nPos - nNeg };
}

const slopeOrders = new WeakMap<Network, SlopeOrder>();

/** `slopeOrder(net)`, once per network object (networks in the state are never written): read it, never write. */
export function slopeOrderOf(net: Network): SlopeOrder {
  let s = slopeOrders.get(net);
  if (!s) {
    s = slopeOrder(net);
    slopeOrders.set(net, s);
  }
  return s;
}

/** The sorted forms of a 1D network, built where the network is (typed arrays only, so they transfer between threads). */
export interface Prepared1D {
  /** Null for sigmoid units (no pieces). */
  pieces: PiecewiseLinear | null;
  slopes: SlopeOrder;
}

/** The sorted forms of a 1D network (null for a 2D one). O(N). */
export function prepare1D(net: Network): Prepared1D | null {
  if (net.dim !== 1) return null;
  return { pieces: activationOf(net) === 'sigmoid' ? null : piecewise1D(net), slopes: slopeOrder(net) };
}

/**
 * Makes `piecewiseOf(net)` and `slopeOrderOf(net)` return `p`'s forms, which must have been computed by
 * `prepare1D` from a network with exactly `net`'s numbers and activation (the fit worker's copy of it).
 */
export function adoptPrepared1D(net: ValidNetwork, p: Prepared1D): void {
  if (net.dim !== 1 || p.slopes.pos.length + p.slopes.neg.length + p.slopes.zero !== net.a.length) return;
  if (p.pieces) adoptPiecewise(net, p.pieces);
  if (!slopeOrders.has(net)) slopeOrders.set(net, p.slopes);
}
