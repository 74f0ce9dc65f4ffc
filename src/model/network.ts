/**
 * The network format shared by the app, the JSON export and the scripting API.
 *
 * A single hidden layer of N units over a `dim`-dimensional input, stored column-wise:
 *   f(x) = c + Σ_i a_i · φ(w_i · x + b_i), φ = ReLU max(0, z) unless `activation` says otherwise
 * `w` is row-major N × dim (unit i's weights are w[i*dim .. i*dim+dim-1]).
 * The format is kept open to deeper networks: `layers` is reserved and rejected for now.
 */

import { MAX_ABS_VALUE, outsideRange } from './limits.ts';
import { ownFields } from './ownFields.ts';
import { type Activation, ACTIVATIONS, isActivation } from './activation.ts';

export type { Activation } from './activation.ts';

/** Largest number of hidden units any backend accepts. */
export const MAX_UNITS = 65_536;

/** The largest magnitude of a weight, bias or output bias: the sandbox's one range (see limits.ts). */
export const MAX_PARAM = MAX_ABS_VALUE;

export type Dim = 1 | 2;

export interface Network {
  dim: Dim;
  /** Row-major N × dim input weights. */
  w: number[];
  /** N biases. */
  b: number[];
  /** N output weights. */
  a: number[];
  /** Output bias. */
  c: number;
  /** The units' activation φ (model/activation.ts); absent means 'relu', so ReLU networks stay as they were. */
  activation?: Activation;
}

declare const validBrand: unique symbol;

/**
 * A network that passed `validateNetwork`: a fresh copy, frozen (object and arrays), so the fact cannot go stale.
 * The brand is compile-time only; `isValidNetwork` checks it at run time in O(1).
 */
export type ValidNetwork = Network & { readonly [validBrand]: true };

/** Every network `validateNetwork` returned: the run-time side of the brand. */
const validated = new WeakSet<object>();

/** True when `x` is a network `validateNetwork` returned (O(1), no re-validation). */
export function isValidNetwork(x: unknown): x is ValidNetwork {
  return typeof x === 'object' && x !== null && validated.has(x);
}

/** Thrown for any malformed network; `field` names the offending field (e.g. `"w[3]"`). */
export class InvalidNetworkError extends Error {
  override name = 'InvalidNetworkError';
  constructor(
    readonly field: string,
    /** What is wrong with the field, without the prefix (for callers that name the field their own way). */
    readonly detail: string,
  ) {
    super(`Invalid network: ${field}: ${detail}`);
  }
}

/** The fields a network may have (`layers` only to say that deeper networks are not supported). */
const NETWORK_FIELDS = ['dim', 'w', 'b', 'a', 'c', 'activation', 'layers'] as const;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function finiteArray(field: string, value: unknown, length: number | null): number[] {
  const isTyped = ArrayBuffer.isView(value) && !(value instanceof DataView);
  if (!Array.isArray(value) && !isTyped) {
    throw new InvalidNetworkError(field, 'must be an array of numbers');
  }
  const arr = value as ArrayLike<unknown>;
  if (length !== null && arr.length !== length) {
    throw new InvalidNetworkError(field, `must have ${length} entries, got ${arr.length}`);
  }
  const out = new Array<number>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidNetworkError(`${field}[${i}]`, `must be a finite number, got ${describe(v)}`);
    }
    if (Math.abs(v) > MAX_PARAM) throw new InvalidNetworkError(`${field}[${i}]`, outsideRange(v));
    out[i] = v;
  }
  return out;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (typeof v === 'string') return `"${v.length > 20 ? v.slice(0, 20) + '…' : v}"`;
  return typeof v;
}

/**
 * Checks an untrusted value against the network format and returns a fresh, plain copy (the object frozen, the
 * arrays left fast: see below); a network this function returned before comes back as it is, without a copy.
 * Throws InvalidNetworkError naming the first bad field; never returns a partially valid network.
 */
export function validateNetwork(value: unknown): ValidNetwork {
  if (isValidNetwork(value)) return value;
  if (!isObject(value)) throw new InvalidNetworkError('network', 'must be an object');
  // Own fields only: a `dim` or `w` inherited from a prototype is not the network's.
  const own = ownFields(value, NETWORK_FIELDS);
  if (own.layers !== undefined) {
    throw new InvalidNetworkError('layers', 'deeper networks are not supported yet (one hidden layer only)');
  }
  const dim = own.dim;
  if (dim !== 1 && dim !== 2) throw new InvalidNetworkError('dim', `must be 1 or 2, got ${describe(dim)}`);
  const a = finiteArray('a', own.a, null);
  const n = a.length;
  if (n > MAX_UNITS) {
    throw new InvalidNetworkError('a', `at most ${MAX_UNITS} units are supported, got ${n}`);
  }
  const b = finiteArray('b', own.b, n);
  const w = finiteArray('w', own.w, n * dim);
  const c = own.c === undefined ? 0 : own.c;
  if (typeof c !== 'number' || !Number.isFinite(c)) {
    throw new InvalidNetworkError('c', `must be a finite number, got ${describe(c)}`);
  }
  if (Math.abs(c) > MAX_PARAM) throw new InvalidNetworkError('c', outsideRange(c));
  const activation = own.activation === undefined ? 'relu' : own.activation;
  if (!isActivation(activation)) {
    throw new InvalidNetworkError('activation', `must be ${ACTIVATIONS.map((x) => `"${x}"`).join(', ')} (or absent for "relu"), got ${describe(activation)}`);
  }
  // The object is frozen, its arrays are not: V8 boxes every double of a frozen array, which made the hot
  // evaluation loops about 20× slower (a 65,536-unit brute-force check took 22 s instead of 1 s). Code that
  // edits a network copies it first (cloneNetwork), so the arrays of a validated one are never written.
  // ReLU stays implicit, so a ReLU network's JSON is what it always was.
  const net = Object.freeze(activation === 'relu' ? { dim, w, b, a, c } : { dim, w, b, a, c, activation }) as ValidNetwork;
  validated.add(net);
  return net;
}

/** A deep copy, for states that must not alias the caller's arrays. */
export function cloneNetwork(net: Network): Network {
  const copy: Network = { dim: net.dim, w: net.w.slice(), b: net.b.slice(), a: net.a.slice(), c: net.c };
  if (net.activation !== undefined && net.activation !== 'relu') copy.activation = net.activation;
  return copy;
}

/** `net` with activation `act` (validated; the same object when it already has it). */
export function withActivation(net: ValidNetwork, act: Activation): ValidNetwork {
  if ((net.activation ?? 'relu') === act) return net;
  return validateNetwork({ ...net, activation: act });
}

/** Knot of 1D unit i (where w·x + b = 0), or null for a unit with w = 0 (no bend). */
export function knotOf(net: Network, i: number): number | null {
  if (net.dim !== 1) throw new InvalidNetworkError('dim', 'knots exist for 1D networks only');
  const w = net.w[i];
  return w === 0 ? null : -net.b[i] / w;
}

/**
 * Deterministic pseudo-random generator (mulberry32), so tests, demos and benchmarks are reproducible.
 * Returns floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random network with no zero parameters: weights in ±[0.25, 1.5], knots spread over `span`,
 * output weights in ±[0.1, 1] scaled by 1/√N so sums stay O(1) whatever N is.
 */
export function randomNetwork(dim: Dim, n: number, seed = 1, span: [number, number] = [-1, 1]): Network {
  const rnd = seededRandom(seed);
  const sign = () => (rnd() < 0.5 ? -1 : 1);
  const nonZero = (lo: number, hi: number) => sign() * (lo + (hi - lo) * rnd());
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  const scale = 1 / Math.sqrt(Math.max(1, n));
  for (let i = 0; i < n; i++) {
    let dot = 0;
    const p = [span[0] + (span[1] - span[0]) * rnd(), span[0] + (span[1] - span[0]) * rnd()];
    for (let d = 0; d < dim; d++) {
      const wi = nonZero(0.25, 1.5);
      w.push(wi);
      dot += wi * p[d];
    }
    // Bias places the unit's knot (or crease) through a random point in the span.
    const bias = -dot;
    b.push(bias === 0 ? 1e-3 : bias);
    a.push(nonZero(0.1, 1) * scale);
  }
  return { dim, w, b, a, c: nonZero(0.1, 1) };
}
