/**
 * Text codecs of the link format, one writer/reader pair per kind of value. Numbers are written in
 * JavaScript's shortest round-trip form, so a link restores them exactly. Shared by the current schema and
 * the frozen readers of older link versions.
 */
import { ACTIVATIONS, type Activation, isActivation } from '../model/activation.ts';
import type { Network } from '../model/network.ts';
import type { KnotPlacement } from '../model/fit1d.ts';
import type { AnyTarget, BuildMode, Look2D, Mode, ShowFlags, ViewRange } from './types.ts';

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

/** A text codec for one link key (`key` names it in errors). */
/** Writes a value as link text and reads it back (as R: a read value is patch input, validated later). */
export interface LinkCodec<V, R = V> {
  write(v: V): string;
  read(text: string, key: string): R;
}

function num(key: string, v: string): number {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) throw new LinkError(key, `"${v.slice(0, 20)}" is not a number`);
  return Number(v);
}

function nums(key: string, v: string): number[] {
  return v === '' ? [] : v.split(',').map((x) => num(key, x));
}

/** A plain number (range checks are the state's). */
export const numberCodec: LinkCodec<number> = { write: (v) => String(v), read: (t, key) => num(key, t) };

/** xMin,xMax,yMin,yMax. */
export const viewCodec: LinkCodec<ViewRange> = {
  write: (v) => [v.xMin, v.xMax, v.yMin, v.yMax].join(','),
  read(t, key) {
    const p = nums(key, t);
    if (p.length !== 4) throw new LinkError(key, 'needs xMin,xMax,yMin,yMax');
    return { xMin: p[0], xMax: p[1], yMin: p[2], yMax: p[3] };
  },
};

/** b:ID, e:SOURCE, d:XS;YS or (2D) d:XS;YS;ZS. */
export const targetCodec: LinkCodec<AnyTarget> = {
  write(t) {
    switch (t.kind) {
      case 'builtin':
        return `b:${t.id}`;
      case 'expression':
        return `e:${t.source}`;
      case 'data':
        return 'zs' in t ? `d:${t.xs.join(',')};${t.ys.join(',')};${t.zs.join(',')}` : `d:${t.xs.join(',')};${t.ys.join(',')}`;
    }
  },
  read(v, key) {
    const kind = v.slice(0, 2);
    const body = v.slice(2);
    if (kind === 'b:') return { kind: 'builtin', id: body };
    if (kind === 'e:') return { kind: 'expression', source: body };
    if (kind === 'd:') {
      const [xs, ys, zs, ...rest] = body.split(';');
      if (rest.length > 0) throw new LinkError(key, 'data needs XS;YS or XS;YS;ZS');
      if (zs !== undefined) return { kind: 'data', xs: nums(key, xs ?? ''), ys: nums(key, ys ?? ''), zs: nums(key, zs) };
      return { kind: 'data', xs: nums(key, xs ?? ''), ys: nums(key, ys ?? '') };
    }
    throw new LinkError(key, 'must start with b:, e: or d:');
  },
};

/** dim;c;w;b;a. */
export const networkCodec: LinkCodec<Network> = {
  write: (n) => [n.dim, n.c, n.w.join(','), n.b.join(','), n.a.join(',')].join(';'),
  read(v, key) {
    const parts = v.split(';');
    if (parts.length !== 5) throw new LinkError(key, 'needs dim;c;w;b;a');
    const dim = num(key, parts[0]);
    return { dim: dim as 1 | 2, c: num(key, parts[1]), w: nums(key, parts[2]), b: nums(key, parts[3]), a: nums(key, parts[4]) };
  },
};

/** The activation's name as it is (relu, leaky-relu, linear, sigmoid); links leave relu out. */
export const activationCodec: LinkCodec<Activation> = {
  write: (a) => a,
  read(t, key) {
    if (!isActivation(t)) throw new LinkError(key, `must be ${ACTIVATIONS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}`);
    return t;
  },
};

/** One letter per value: the value's first letter. */
function letterCodec<V extends string>(values: readonly V[]): LinkCodec<V> {
  return {
    write: (v) => v[0],
    read(t, key) {
      const v = values.find((x) => x[0] === t);
      if (v === undefined) throw new LinkError(key, `must be ${values.map((x) => x[0]).join(', ').replace(/, (?=[^,]*$)/, ' or ')}`);
      return v;
    },
  };
}

/** i, l or c. */
export const buildCodec = letterCodec<BuildMode>(['interpolate', 'least-squares', 'custom']);
/** u or c. */
export const placementCodec = letterCodec<KnotPlacement>(['uniform', 'curvature']);

/** 1 or 2. */
export const modeCodec: LinkCodec<Mode> = {
  write: (m) => (m === '2d' ? '2' : '1'),
  read(t, key) {
    if (t !== '1' && t !== '2') throw new LinkError(key, 'must be 1 or 2');
    return t === '2' ? '2d' : '1d';
  },
};

/** colour letter, creases/contours/exact as 0/1, target letter; azimuth,elevation,distance,panX,panY; grid: `r101w;-30,32,4.6,0,0;512`. */
export const lookCodec: LinkCodec<Look2D> = {
  write: (l) =>
    `${l.colour[0]}${[l.creases, l.contours, l.exact].map((b) => (b ? '1' : '0')).join('')}${l.target[0]};` +
    [l.camera.azimuth, l.camera.elevation, l.camera.distance, l.camera.panX, l.camera.panY].join(',') +
    `;${l.grid}`,
  read(v, key) {
    const m = /^([ver])([01])([01])([01])([owt]);([^;]*);(\d+)$/.exec(v);
    if (!m) throw new LinkError(key, 'must look like r101w;-30,32,4.6,0,0;512');
    const cam = nums(key, m[6]);
    if (cam.length !== 5) throw new LinkError(key, 'needs the camera as azimuth,elevation,distance,panX,panY');
    const colour = ({ v: 'values', e: 'error', r: 'regions' } as const)[m[1] as 'v' | 'e' | 'r'];
    const target = ({ o: 'off', w: 'wireframe', t: 'translucent' } as const)[m[5] as 'o' | 'w' | 't'];
    return {
      colour,
      creases: m[2] === '1',
      contours: m[3] === '1',
      exact: m[4] === '1',
      target,
      grid: Number(m[7]),
      camera: { azimuth: cam[0], elevation: cam[1], distance: cam[2], panX: cam[3], panY: cam[4] },
    };
  },
};

const SHOW_KEYS = ['target', 'terms', 'knots', 'error'] as const;
/** Four digits 0/1: target, terms, knots, error. */
export const showCodec: LinkCodec<ShowFlags> = {
  write: (s) => SHOW_KEYS.map((k) => (s[k] ? '1' : '0')).join(''),
  read(v, key) {
    if (!/^[01]{4}$/.test(v)) throw new LinkError(key, 'must be 4 digits of 0 or 1');
    return Object.fromEntries(SHOW_KEYS.map((k, i) => [k, v[i] === '1'])) as unknown as ShowFlags;
  },
};
