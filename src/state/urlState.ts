/**
 * The state in the URL hash. The current format (v=2) is derived from the schema table: each kept field
 * under its key, written with its codec. Readers of older versions stay here, frozen, so every link ever
 * shared still opens as it did.
 */
import { buildCodec, LinkError, networkCodec, numberCodec, placementCodec, showCodec, targetCodec, viewCodec, type LinkCodec } from './linkCodecs.ts';
import { SCHEMA, decodeLink, encodeLink } from './schema.ts';
import type { AppState } from './types.ts';

export { LinkError } from './linkCodecs.ts';

/** The version links are written in. Bump when a key changes meaning, and freeze a reader for the old one. */
export const URL_VERSION = 2;
/** Longest hash we put in a link; beyond it the page offers the JSON export instead. */
export const MAX_LINK_LENGTH = 8000;

type Patch = Record<string, unknown>;

/** The v=1 format (until eab34cb): key → field and codec, as its encoder wrote them. */
const V1: ReadonlyArray<readonly [string, keyof AppState, LinkCodec<unknown>]> = [
  ['t', 'target', targetCodec],
  ['n', 'units', numberCodec],
  ['m', 'build', buildCodec],
  ['p', 'placement', placementCodec],
  ['r', 'ridge', numberCodec],
  ['lr', 'lr', numberCodec],
  ['view', 'view', viewCodec],
  ['view2', 'view2d', viewCodec],
  ['s', 'show', showCodec],
  ['sel', 'selected', numberCodec],
  ['net', 'network', networkCodec],
];

function readV1(q: URLSearchParams): Patch {
  const known = new Set(['v', ...V1.map(([key]) => key)]);
  for (const k of q.keys()) if (!known.has(k)) throw new LinkError(k, 'is not a known key');
  const patch: Patch = {};
  for (const [key, field, codec] of V1) {
    const text = q.get(key);
    if (text !== null) patch[field] = codec.read(text, key);
  }
  return patch;
}

/**
 * Links written before the 2D mode existed have no `mode` key: a 2D network was shown as a map beside a 1D
 * target. They open in the 2D mode now, the network as it was, and their 1D target waits for the 1D mode.
 */
function fromBeforeModes(patch: Patch): Patch {
  const net = patch.network as { dim?: unknown } | undefined;
  if (patch.mode !== undefined || typeof net !== 'object' || net === null || net.dim !== 2) return patch;
  const { target, ...rest } = patch;
  return target === undefined ? { ...rest, mode: '2d' } : { ...rest, mode: '2d', other: { mode: '1d', target } };
}

/** The hash (without '#') that encodes the state. */
export function stateToHash(s: AppState): string {
  return encodeLink(SCHEMA, s, URL_VERSION);
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
  if (version === '1') return fromBeforeModes(readV1(q));
  if (version === String(URL_VERSION)) return fromBeforeModes(decodeLink(SCHEMA, q));
  throw new LinkError('v', `version ${version} is not supported (this page reads versions 1 to ${URL_VERSION})`);
}

/**
 * What makes a state's link long, for the note that says there is none: the field whose text is longest, e.g.
 * "its data set of 5,000 points (61,234 characters)" or "its 300 custom units (12,001 characters)".
 */
export function linkBulk(s: AppState): string {
  let best: keyof AppState | null = null;
  let bestLength = -1;
  for (const k of Object.keys(SCHEMA) as Array<keyof AppState>) {
    const f = SCHEMA[k];
    if (!(f.linked ?? f.kept)(s)) continue;
    // A hopelessly big network is not written out to be measured: 4 characters a number is a floor.
    const length = k === 'network' && s.network.a.length > 100_000 ? s.network.a.length * (s.network.dim + 2) * 4 : (f.link.codec as LinkCodec<unknown>).write(s[k]).length;
    if (length > bestLength) [best, bestLength] = [k, length];
  }
  const chars = `${bestLength.toLocaleString('en-US')} characters`;
  if (best === 'network') return `its ${s.network.a.length.toLocaleString('en-US')} custom units (${chars})`;
  if (best === 'target' && s.target.kind === 'data') return `its data set of ${s.target.xs.length.toLocaleString('en-US')} points (${chars})`;
  if (best === 'target' && s.target.kind === 'expression') return `its expression (${chars})`;
  return best === null ? 'its contents' : `its ${best} (${chars})`;
}
