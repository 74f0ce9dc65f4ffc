/**
 * The state in the URL hash, as a declarative, versioned table (one row per field: key, writer, reader).
 * Numbers are written with JavaScript's shortest round-trip form, so a link restores the state exactly.
 * Constructed networks are not written (they are rebuilt from their inputs); custom ones are.
 */
import type { Network } from '../model/network.ts';
import type { TargetSpec } from '../model/targets.ts';
import type { AppState, BuildMode, ViewRange } from './state.ts';

/** Bump when a key changes meaning; readers for older versions stay below. */
export const URL_VERSION = 1;
/** Longest hash we put in a link; beyond it the page offers the JSON export instead. */
export const MAX_LINK_LENGTH = 8000;

/** A link that cannot be read: names the key. */
export class LinkError extends Error {
  override name = 'LinkError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`This link's state is invalid: ${key}: ${message}`);
  }
}

type Patch = Record<string, unknown>;

interface UrlField {
  key: string;
  write(s: AppState): string | null;
  read(value: string, patch: Patch): void;
}

function num(key: string, v: string): number {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) throw new LinkError(key, `"${v.slice(0, 20)}" is not a number`);
  return Number(v);
}

function nums(key: string, v: string): number[] {
  return v === '' ? [] : v.split(',').map((x) => num(key, x));
}

const BUILD: Record<string, BuildMode> = { i: 'interpolate', l: 'least-squares', c: 'custom' };
const SHOW_KEYS = ['target', 'terms', 'knots', 'error'] as const;

function writeView(v: ViewRange): string {
  return [v.xMin, v.xMax, v.yMin, v.yMax].join(',');
}
function readView(key: string, v: string): ViewRange {
  const p = nums(key, v);
  if (p.length !== 4) throw new LinkError(key, 'needs xMin,xMax,yMin,yMax');
  return { xMin: p[0], xMax: p[1], yMin: p[2], yMax: p[3] };
}

function writeTarget(t: TargetSpec): string {
  switch (t.kind) {
    case 'builtin':
      return `b:${t.id}`;
    case 'expression':
      return `e:${t.source}`;
    case 'data':
      return `d:${t.xs.join(',')};${t.ys.join(',')}`;
  }
}
function readTarget(v: string): TargetSpec {
  const kind = v.slice(0, 2);
  const body = v.slice(2);
  if (kind === 'b:') return { kind: 'builtin', id: body };
  if (kind === 'e:') return { kind: 'expression', source: body };
  if (kind === 'd:') {
    const [xs, ys] = body.split(';');
    return { kind: 'data', xs: nums('t', xs ?? ''), ys: nums('t', ys ?? '') };
  }
  throw new LinkError('t', 'must start with b:, e: or d:');
}

function writeNetwork(n: Network): string {
  return [n.dim, n.c, n.w.join(','), n.b.join(','), n.a.join(',')].join(';');
}
function readNetwork(v: string): Network {
  const parts = v.split(';');
  if (parts.length !== 5) throw new LinkError('net', 'needs dim;c;w;b;a');
  const dim = num('net', parts[0]);
  return { dim: dim as 1 | 2, c: num('net', parts[1]), w: nums('net', parts[2]), b: nums('net', parts[3]), a: nums('net', parts[4]) };
}

/** The table: order is the order in the link. */
export const URL_FIELDS: readonly UrlField[] = [
  { key: 't', write: (s) => writeTarget(s.target), read: (v, p) => (p.target = readTarget(v)) },
  { key: 'n', write: (s) => String(s.units), read: (v, p) => (p.units = num('n', v)) },
  {
    key: 'm',
    write: (s) => s.build[0],
    read: (v, p) => {
      if (!(v in BUILD)) throw new LinkError('m', 'must be i, l or c');
      p.build = BUILD[v];
    },
  },
  {
    key: 'p',
    write: (s) => s.placement[0],
    read: (v, p) => {
      if (v !== 'u' && v !== 'c') throw new LinkError('p', 'must be u or c');
      p.placement = v === 'u' ? 'uniform' : 'curvature';
    },
  },
  { key: 'r', write: (s) => String(s.ridge), read: (v, p) => (p.ridge = num('r', v)) },
  { key: 'lr', write: (s) => String(s.lr), read: (v, p) => (p.lr = num('lr', v)) },
  { key: 'view', write: (s) => writeView(s.view), read: (v, p) => (p.view = readView('view', v)) },
  { key: 'view2', write: (s) => writeView(s.view2d), read: (v, p) => (p.view2d = readView('view2', v)) },
  {
    key: 's',
    write: (s) => SHOW_KEYS.map((k) => (s.show[k] ? '1' : '0')).join(''),
    read: (v, p) => {
      if (!/^[01]{4}$/.test(v)) throw new LinkError('s', 'must be 4 digits of 0 or 1');
      p.show = Object.fromEntries(SHOW_KEYS.map((k, i) => [k, v[i] === '1']));
    },
  },
  { key: 'sel', write: (s) => String(s.selected), read: (v, p) => (p.selected = num('sel', v)) },
  { key: 'net', write: (s) => (s.build === 'custom' ? writeNetwork(s.network) : null), read: (v, p) => (p.network = readNetwork(v)) },
];

/** The hash (without '#') that encodes the state. */
export function stateToHash(s: AppState): string {
  const q = new URLSearchParams();
  q.set('v', String(URL_VERSION));
  for (const f of URL_FIELDS) {
    const v = f.write(s);
    if (v !== null) q.set(f.key, v);
  }
  return q.toString();
}

/**
 * Reads a hash into a full-state patch (to be validated by the store), or null when the hash holds no state.
 * Throws LinkError for a malformed or future-version link.
 */
export function hashToPatch(hash: string): Patch | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === '') return null;
  const q = new URLSearchParams(h);
  const version = q.get('v');
  if (version === null) return null;
  if (version !== String(URL_VERSION)) throw new LinkError('v', `version ${version} is not supported (this page reads version ${URL_VERSION})`);
  const known = new Set(['v', ...URL_FIELDS.map((f) => f.key)]);
  for (const k of q.keys()) if (!known.has(k)) throw new LinkError(k, 'is not a known key');
  const patch: Patch = {};
  for (const f of URL_FIELDS) {
    const v = q.get(f.key);
    if (v !== null) f.read(v, patch);
  }
  return patch;
}
