/**
 * The one table of state fields: for each, its validation, default, deep copy, link key and codec, and
 * whether links and saves carry it. The reducer's known fields, the link format, autosave/preset contents
 * and snapshots are all derived from it (the helpers take the table, so tests can extend it).
 */
import { type KnotPlacement } from '../model/fit1d.ts';
import { MAX_ABS_VALUE, outsideRange } from '../model/limits.ts';
import { type ValidNetwork, InvalidNetworkError, MAX_UNITS, cloneNetwork, validateNetwork } from '../model/network.ts';
import { InvalidTargetError, validateTargetSpec } from '../model/targets.ts';
import { validateTarget2D } from '../model/targets2d.ts';
import { MAX_HOLDOUT } from '../model/trainSetup.ts';
import { construct, viewForTarget } from './construction.ts';
import { StateError, nestedStateError } from './errors.ts';
import { ACTIVATIONS, type Activation } from '../model/activation.ts';
import { type LinkCodec, LinkError, activationCodec, buildCodec, lookCodec, modeCodec, networkCodec, numberCodec, placementCodec, showCodec, targetCodec, viewCodec } from './linkCodecs.ts';
import type { AnyTarget, AppState, BuildMode, Camera3D, Look2D, Mode, ModeSettings, ShowFlags, ViewRange } from './types.ts';

/** One field of a state shape S. */
export interface FieldSpec<V, S> {
  /** Validates a patch value; `base` is the value it replaces (partial objects are merged into it). */
  check(value: unknown, base: V, next: Readonly<S>): V;
  /** The value of a fresh page. */
  initial(): V;
  /** A deep, JSON-serialisable copy. */
  copy(v: V): V;
  /** The field's key and text codec in links (what `read` gives is patch input, validated by `check`). */
  link: { key: string; codec: LinkCodec<V, unknown> };
  /** Whether links, autosave and presets carry the value in this state (false: it is rebuilt from other fields). */
  kept(s: S): boolean;
  /** Checked after the other fields of a patch, against the network and target the patch leads to. */
  late?: true;
  /** Whether links carry the value (default: `kept`); autosave and presets follow `kept`. */
  linked?(s: S): boolean;
}

/** A table of fields for a state shape S; key order is the order of links, snapshots and messages. */
export type Schema<S> = { readonly [K in keyof S]: FieldSpec<S[K], S> };


function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** A short description of a bad value for messages. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

function checkInt(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new StateError(field, `must be an integer from ${lo} to ${hi}, got ${describe(v)}`);
  }
  return v;
}

function checkNumber(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new StateError(field, `must be a number from ${lo} to ${hi}, got ${describe(v)}`);
  }
  return v;
}

function checkOneOf<V extends string>(field: string, v: unknown, values: readonly V[]): V {
  if (!(values as readonly unknown[]).includes(v)) {
    const list = values.map((x) => `"${x}"`).join(', ').replace(/, (?=[^,]*$)/, ' or ');
    throw new StateError(field, `must be ${list}, got ${describe(v)}`);
  }
  return v as V;
}

function checkTarget(v: unknown, mode: Mode): AnyTarget {
  try {
    return mode === '2d' ? validateTarget2D(v) : validateTargetSpec(v);
  } catch (e) {
    if (e instanceof InvalidTargetError) throw nestedStateError('target', e);
    throw e;
  }
}

function checkNetwork(v: unknown): ValidNetwork {
  try {
    return validateNetwork(v);
  } catch (e) {
    if (e instanceof InvalidNetworkError) throw nestedStateError('network', e);
    throw e;
  }
}

function checkView(field: string, v: unknown, current: ViewRange): ViewRange {
  if (!isPlainObject(v)) throw new StateError(field, `must be an object {xMin, xMax, yMin, yMax}, got ${describe(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (k !== 'xMin' && k !== 'xMax' && k !== 'yMin' && k !== 'yMax') throw new StateError(`${field}.${k}`, 'is not a known field');
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new StateError(`${field}.${k}`, `must be a finite number, got ${describe(value)}`);
    if (Math.abs(value) > MAX_ABS_VALUE) throw new StateError(`${field}.${k}`, outsideRange(value));
    out[k] = value;
  }
  for (const [lo, hi] of [
    ['xMin', 'xMax'],
    ['yMin', 'yMax'],
  ] as const) {
    const span = out[hi] - out[lo];
    if (!(span > 0)) throw new StateError(`${field}.${hi}`, `must be greater than ${lo} (${out[lo]}), got ${out[hi]}`);
    if (span < 1e-9 * Math.max(1, Math.abs(out[lo]), Math.abs(out[hi]))) {
      throw new StateError(`${field}.${hi}`, `the range ${lo}…${hi} is too narrow to draw`);
    }
  }
  return out;
}

function checkShow(v: unknown, current: ShowFlags): ShowFlags {
  if (!isPlainObject(v)) throw new StateError('show', `must be an object like {"terms": true}, got ${describe(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (!Object.hasOwn(current, k)) throw new StateError(`show.${k}`, `is not a known field (known: ${Object.keys(current).join(', ')})`);
    if (typeof value !== 'boolean') throw new StateError(`show.${k}`, `must be true or false, got ${describe(value)}`);
    out[k as keyof ShowFlags] = value;
  }
  return out;
}

function checkBool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new StateError(field, `must be true or false, got ${describe(v)}`);
  return v;
}

/** Camera limits: angles in degrees, distance in scene units (the window spans 2). */
export const CAMERA_LIMITS = { elevation: [5, 89], distance: [1.2, 30], pan: 4 } as const;

function checkCamera(v: unknown, current: Camera3D): Camera3D {
  if (!isPlainObject(v)) throw new StateError('look.camera', `must be an object {azimuth, elevation, distance, panX, panY}, got ${describe(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (!Object.hasOwn(current, k)) throw new StateError(`look.camera.${k}`, `is not a known field (known: ${Object.keys(current).join(', ')})`);
    const field = `look.camera.${k}`;
    if (k === 'azimuth') {
      // Kept in [−180, 180): any number of turns means the same camera.
      const a = checkNumber(field, value, -1e6, 1e6);
      out.azimuth = a - 360 * Math.floor((a + 180) / 360);
    }
    else if (k === 'elevation') out.elevation = checkNumber(field, value, CAMERA_LIMITS.elevation[0], CAMERA_LIMITS.elevation[1]);
    else if (k === 'distance') out.distance = checkNumber(field, value, CAMERA_LIMITS.distance[0], CAMERA_LIMITS.distance[1]);
    else out[k as 'panX' | 'panY'] = checkNumber(field, value, -CAMERA_LIMITS.pan, CAMERA_LIMITS.pan);
  }
  return out;
}

function checkLook(v: unknown, current: Look2D): Look2D {
  if (!isPlainObject(v)) throw new StateError('look', `must be an object like {"colour": "regions"}, got ${describe(v)}`);
  const out = { ...current };
  for (const [k, value] of Object.entries(v)) {
    const field = `look.${k}`;
    if (!Object.hasOwn(current, k)) throw new StateError(field, `is not a known field (known: ${Object.keys(current).join(', ')})`);
    if (k === 'colour') out.colour = checkOneOf(field, value, ['values', 'error', 'regions'] as const);
    else if (k === 'target') out.target = checkOneOf(field, value, ['off', 'wireframe', 'translucent'] as const);
    else if (k === 'camera') out.camera = checkCamera(value, current.camera);
    else if (k === 'grid') out.grid = checkInt(field, value, MIN_GRID_2D, MAX_GRID_2D);
    else out[k as 'creases' | 'contours' | 'exact'] = checkBool(field, value);
  }
  return out;
}

/** The 2D compute grid's side: from coarse to the finest the explorer computes (4 M points). */
export const MIN_GRID_2D = 16;
export const MAX_GRID_2D = 2048;

/** The 2D explorer's first look: the map coloured by region, creases drawn, the camera from the front-left. */
export function initialLook(): Look2D {
  return { colour: 'regions', creases: true, contours: false, exact: true, target: 'wireframe', grid: 512, camera: { azimuth: -30, elevation: 32, distance: 4.6, panX: 0, panY: 0 } };
}

/** Largest seed accepted (any integer in 0 … 2³¹ − 1). */
export const MAX_SEED = 2 ** 31 - 1;

/** The unit count the state's network has once its construction (if any) is done. */
export function expectedUnits(s: Pick<AppState, 'build' | 'units' | 'network'>): number {
  return s.build === 'custom' ? s.network.a.length : s.units;
}

const always = () => true;
const copyView = (v: ViewRange): ViewRange => ({ ...v });

/** The app state's fields. */
export const SCHEMA: Schema<AppState> = {
  mode: {
    // The reducer switches modes before the other fields are checked (see state.ts).
    check: (v) => checkOneOf<Mode>('mode', v, ['1d', '2d']),
    initial: () => '1d',
    copy: (m) => m,
    link: { key: 'mode', codec: modeCodec },
    kept: always,
  },
  network: {
    check: (v) => checkNetwork(v),
    // The page starts with what the default construction builds from the default inputs.
    initial: () => construct({ target: SCHEMA.target.initial(), units: SCHEMA.units.initial(), placement: SCHEMA.placement.initial(), ridge: SCHEMA.ridge.initial() }, 'interpolate'),
    // A snapshot's network is a plain, writable copy of a valid one (scripts may edit it and set it back).
    copy: (n) => cloneNetwork(n) as ValidNetwork,
    link: { key: 'net', codec: networkCodec },
    // A constructed network is rebuilt from its inputs; only a custom one must travel.
    kept: (s) => s.build === 'custom',
  },
  target: {
    check: (v, _base, next) => checkTarget(v, next.mode),
    initial: () => ({ kind: 'builtin', id: 'sin' }),
    copy: copyTarget,
    link: { key: 't', codec: targetCodec },
    kept: always,
  },
  units: {
    check: (v) => checkInt('units', v, 1, MAX_UNITS),
    initial: () => 8,
    copy: (n) => n,
    link: { key: 'n', codec: numberCodec },
    kept: always,
  },
  build: {
    check: (v) => checkOneOf<BuildMode>('build', v, ['interpolate', 'least-squares', 'custom']),
    initial: () => 'interpolate',
    copy: (b) => b,
    link: { key: 'm', codec: buildCodec },
    kept: always,
  },
  placement: {
    check: (v) => checkOneOf<KnotPlacement>('placement', v, ['uniform', 'curvature']),
    initial: () => 'uniform',
    copy: (p) => p,
    link: { key: 'p', codec: placementCodec },
    kept: always,
  },
  ridge: {
    check: (v) => checkNumber('ridge', v, 0, 1e3),
    initial: () => 1e-6,
    copy: (r) => r,
    link: { key: 'r', codec: numberCodec },
    kept: always,
  },
  seed: {
    check: (v) => checkInt('seed', v, 0, MAX_SEED),
    initial: () => 1,
    copy: (n) => n,
    link: { key: 'seed', codec: numberCodec },
    kept: always,
  },
  lr: {
    check(v) {
      // 'auto': the trainer uses defaultLr(N) (model/trainSetup.ts), so a change of N keeps training stable.
      if (v === 'auto') return 'auto';
      if (typeof v === 'string') throw new StateError('lr', `must be "auto" or a number from 0 to 10, got ${describe(v)}`);
      const lr = checkNumber('lr', v, 0, 10);
      if (lr === 0) throw new StateError('lr', 'must be greater than 0');
      return lr;
    },
    initial: () => 'auto',
    copy: (r) => r,
    link: { key: 'lr', codec: { write: (v) => String(v), read: (t, key) => (t === 'auto' ? 'auto' : numberCodec.read(t, key)) } },
    kept: always,
  },
  noise: {
    check: (v) => checkNumber('noise', v, 0, 1e3),
    initial: () => 0,
    copy: (n) => n,
    link: { key: 'noise', codec: numberCodec },
    kept: always,
  },
  holdout: {
    check: (v) => checkNumber('holdout', v, 0, MAX_HOLDOUT),
    initial: () => 0,
    copy: (n) => n,
    link: { key: 'test', codec: numberCodec },
    kept: always,
  },
  view: {
    check: (v, base) => checkView('view', v, base),
    initial: () => viewForTarget(SCHEMA.target.initial()),
    copy: copyView,
    link: { key: 'view', codec: viewCodec },
    kept: always,
    late: true,
  },
  view2d: {
    check: (v, base) => checkView('view2d', v, base),
    initial: () => ({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 }),
    copy: copyView,
    link: { key: 'view2', codec: viewCodec },
    kept: always,
    late: true,
  },
  look: {
    check: (v, base) => checkLook(v, base),
    initial: initialLook,
    copy: (l) => ({ ...l, camera: { ...l.camera } }),
    link: { key: 'look', codec: lookCodec },
    kept: always,
  },
  show: {
    check: (v, base) => checkShow(v, base),
    initial: () => ({ target: true, terms: true, knots: true, error: false }),
    copy: (s) => ({ ...s }),
    link: { key: 's', codec: showCodec },
    kept: always,
  },
  activation: {
    // The reducer then gives the network this activation (state.ts).
    check: (v) => checkOneOf<Activation>('activation', v, ACTIVATIONS),
    initial: () => 'relu',
    copy: (a) => a,
    link: { key: 'act', codec: activationCodec },
    // ReLU is the default: links and saves of ReLU states stay what they were.
    kept: (s) => s.activation !== 'relu',
  },
  selected: {
    check: (v, _base, next) => checkInt('selected', v, -1, expectedUnits(next) - 1),
    initial: () => -1,
    copy: (n) => n,
    link: { key: 'sel', codec: numberCodec },
    kept: always,
    late: true,
  },
  other: {
    // Checked by the reducer as a patch over the other mode's defaults (see state.ts `checkOther`).
    check: (v, base, next) => checkOtherHook(v, base, next),
    initial: () => null,
    copy: (o) => (o === null ? null : copySettings(o)),
    // Links carry the mode on screen only; autosave and presets keep both (a constructed network is rebuilt).
    link: { key: 'other', codec: { write: () => '', read: (_t, key) => { throw new LinkError(key, 'is not carried by links'); } } },
    kept: (s) => s.other !== null,
    linked: () => false,
  },
};

/** A deep copy of a target spec. */
export function copyTarget(t: AnyTarget): AnyTarget {
  if (t.kind !== 'data') return { ...t };
  return 'zs' in t ? { kind: 'data', xs: t.xs.slice(), ys: t.ys.slice(), zs: t.zs.slice() } : { kind: 'data', xs: t.xs.slice(), ys: t.ys.slice() };
}

/** A deep copy of a mode's settings; a constructed network is left out of saves (it is rebuilt on the way back). */
export function copySettings(o: ModeSettings): ModeSettings {
  return { ...o, network: cloneNetwork(o.network) as ValidNetwork, target: copyTarget(o.target), show: { ...o.show } };
}

/** The reducer installs the check of `other` (it needs the reducer itself); until then it refuses. */
let checkOtherHook: (v: unknown, base: ModeSettings | null, next: Readonly<AppState>) => ModeSettings | null = () => {
  throw new StateError('other', 'cannot be checked yet');
};
/** Installs the check of `other` (called once by state.ts). */
export function setOtherCheck(check: typeof checkOtherHook): void {
  checkOtherHook = check;
}

/** The field names of a table, in its order. */
export function fieldNames<S>(table: Schema<S>): Array<keyof S & string> {
  return Object.keys(table) as Array<keyof S & string>;
}

/** The error for a patch key the table does not know. */
export function unknownField<S>(table: Schema<S>, key: string): StateError {
  return new StateError(key, `is not a known field (known: ${fieldNames(table).join(', ')})`);
}

/** A fresh state: every field's default. */
export function initialOf<S>(table: Schema<S>): S {
  const out: Partial<S> = {};
  for (const k of fieldNames(table)) out[k] = table[k].initial();
  return out as S;
}

/** A deep, JSON-serialisable copy of a state. */
export function snapshotOf<S>(table: Schema<S>, s: S): S {
  const out: Partial<S> = {};
  for (const k of fieldNames(table)) out[k] = table[k].copy(s[k]);
  return out as S;
}

/** What autosave and presets store: a deep copy of the fields the state keeps (a patch over a fresh state). */
export function keptFields<S>(table: Schema<S>, s: S): Partial<S> {
  const out: Partial<S> = {};
  for (const k of fieldNames(table)) if (table[k].kept(s)) out[k] = table[k].copy(s[k]);
  return out;
}

/** The link query (without '#'): `v` first, then each kept field under its key. */
export function encodeLink<S>(table: Schema<S>, s: S, version: number): string {
  const q = new URLSearchParams();
  q.set('v', String(version));
  for (const k of fieldNames(table)) {
    const f = table[k];
    if ((f.linked ?? f.kept)(s)) q.set(f.link.key, f.link.codec.write(s[k]));
  }
  return q.toString();
}

/** Reads a link query into a patch (unvalidated values); throws LinkError for an unknown key or bad text. */
export function decodeLink<S>(table: Schema<S>, q: URLSearchParams): Partial<Record<keyof S & string, unknown>> {
  const byKey = new Map(fieldNames(table).map((k) => [table[k].link.key, k] as const));
  for (const key of q.keys()) if (key !== 'v' && !byKey.has(key)) throw new LinkError(key, 'is not a known key');
  const patch: Partial<Record<keyof S & string, unknown>> = {};
  for (const [key, k] of byKey) {
    const text = q.get(key);
    if (text !== null) patch[k] = table[k].link.codec.read(text, key);
  }
  return patch;
}
