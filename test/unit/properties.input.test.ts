/**
 * Property tests of every entrance for outside input (issue 11): random malformed patches, links, JSON imports,
 * CSV text and expressions go to the real parsers and to the store. Each is either accepted or refused with the
 * entrance's documented error type (StateError, LinkError, CsvError, ExpressionSyntaxError), the message names
 * a field without a doubled prefix, the state is unchanged after every refusal, and nothing takes long (inputs
 * are bounded in size).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsvPoints, parseCsvPoints3 } from '../../src/model/csv.ts';
import { ExpressionSyntaxError, compileExpression } from '../../src/model/expression.ts';
import { MAX_ABS_VALUE } from '../../src/model/limits.ts';
import { messageOf } from '../../src/model/messages.ts';
import { parseImport } from '../../src/state/persist.ts';
import { type AppState, STATE_KEYS, StateError, Store, initialState, snapshot } from '../../src/state/state.ts';
import { LinkError, hashToPatch, stateToHash } from '../../src/state/urlState.ts';
import type { FitRunner } from '../../src/state/fitRunner.ts';
import { construct } from '../../src/state/construction.ts';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) };

/** Fits at once (a resolved promise), so a property run never waits on timers. */
const quickRunner: FitRunner = { fit: async (inputs) => construct(inputs, inputs.build) };

/** A message that repeats a prefix ("Invalid state: network: Invalid network: …") or a field ("network.network"). */
function doubled(message: string): boolean {
  // Quoted input ("…1.1e-269…") is the user's text, not a field path: only the message's own words count.
  const own = message.replace(/"[^"]*"?/g, '""');
  return /Invalid \w+: .*Invalid \w+:/.test(own) || /\b([A-Za-z_]\w*)\.\1\b/.test(own);
}

/** Runs `act` on the store: accepted, or refused with StateError and the state exactly as it was. */
function acceptOrRefuse(store: Store, act: () => unknown, allowed: Array<new (...args: never[]) => Error> = [StateError]): boolean {
  const before = JSON.stringify(snapshot(store.state));
  const version = store.version;
  try {
    act();
    return true;
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw new Error(`expected ${allowed.map((c) => c.name).join(' or ')}, got ${String(e)}`);
    // A link's unknown key is the user's text too (LinkError names it first): only the message's own words count.
    const message = e instanceof LinkError ? (e as Error).message.replace(e.key, '""') : (e as Error).message;
    expect(doubled(message), (e as Error).message).toBe(false);
    expect(store.version).toBe(version);
    expect(JSON.stringify(snapshot(store.state))).toBe(before);
    return false;
  }
}

/** Numbers that probe the bounds: huge, tiny, non-finite, just inside and just outside ±1e15. */
const edgyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(1e39, -1e39, 1e308, Number.MAX_VALUE, MAX_ABS_VALUE, -MAX_ABS_VALUE, 1.0000001e15, NaN, Infinity, -Infinity, -0, 5e-324),
  fc.integer({ min: -70_000, max: 70_000 }),
);

/** Any value: JSON-like, numbers at the edges, and things JSON cannot hold (BigInt, functions' absence, typed arrays). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.anything({ maxDepth: 3, maxKeys: 5, withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }),
  edgyNumber,
  fc.array(edgyNumber, { maxLength: 6 }),
);

/** A network that is nearly right: one field broken at a time. */
const nearNetwork = fc
  .record({
    dim: fc.oneof(fc.constantFrom(1, 2), anyValue),
    n: fc.integer({ min: 0, max: 5 }),
    bad: fc.constantFrom('w', 'b', 'a', 'c', 'dim', 'none'),
    value: anyValue,
    at: fc.nat(6),
  })
  .map(({ dim, n, bad, value, at }) => {
    const d = dim === 2 ? 2 : 1;
    const net: Record<string, unknown> = { dim, w: Array.from({ length: n * d }, (_, i) => 0.5 + i), b: Array.from({ length: n }, () => 0.1), a: Array.from({ length: n }, () => 1), c: 0 };
    if (bad === 'c' || bad === 'dim') net[bad] = value;
    else if (bad !== 'none') (net[bad] as unknown[])[at] = value;
    return net;
  });

const fieldName = fc.oneof(fc.constantFrom(...STATE_KEYS), fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'zoom', ''));

/** Patches: known and inherited field names with any values, malformed nested objects, near-valid networks. */
const patch: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(fieldName, anyValue, { maxKeys: 4 }),
  fc.record({ network: nearNetwork }),
  fc.record({ view: fc.dictionary(fc.constantFrom('xMin', 'xMax', 'yMin', 'yMax', 'constructor', 'w'), edgyNumber, { maxKeys: 4 }) }),
  fc.record({ view2d: fc.record({ xMin: edgyNumber, xMax: edgyNumber, yMin: edgyNumber, yMax: edgyNumber }) }),
  fc.record({ show: fc.dictionary(fc.constantFrom('target', 'terms', 'knots', 'error', 'constructor', 'toString'), anyValue, { maxKeys: 3 }) }),
  fc.record({ look: fc.dictionary(fc.constantFrom('colour', 'camera', 'grid', 'creases', 'valueOf', '__proto__'), anyValue, { maxKeys: 3 }) }),
  fc.record({ target: fc.record({ kind: fc.constantFrom('data', 'expression', 'builtin', 'toString'), xs: fc.array(edgyNumber, { maxLength: 5 }), ys: fc.array(edgyNumber, { maxLength: 5 }), zs: fc.array(edgyNumber, { maxLength: 5 }), source: fc.string({ maxLength: 20 }), id: fc.string({ maxLength: 8 }) }) }),
  fc.record({ mode: fc.constantFrom('1d', '2d'), other: anyValue }),
  anyValue,
);

describe('malformed patches (Store.set, Store.replace)', () => {
  it('are accepted or refused with a StateError, the state unchanged after every refusal', async () => {
    const store = new Store(initialState(), quickRunner);
    await fc.assert(
      fc.asyncProperty(patch, fc.boolean(), async (p, whole) => {
        acceptOrRefuse(store, () => (whole ? store.replace(p) : store.set(p)));
        await store.settled().catch((e: unknown) => expect(e).toBeInstanceOf(StateError));
      }),
      RUNS,
    );
  });

  it('refuse inherited names as fields anywhere', () => {
    const store = new Store(initialState(), quickRunner);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const p of [JSON.parse(`{"${name}": 1}`), { show: JSON.parse(`{"${name}": true}`) }, { look: JSON.parse(`{"${name}": 1}`) }, { look: { camera: JSON.parse(`{"${name}": 1}`) } }, { view: JSON.parse(`{"${name}": 1}`) }, { mode: '2d', other: JSON.parse(`{"mode": "1d", "${name}": 1}`) }]) {
        expect(acceptOrRefuse(store, () => store.set(p))).toBe(false);
      }
    }
  });
});

/** Link text: a valid link with one key's value replaced, or random key=value pairs. */
const linkText = fc.oneof(
  fc
    .record({ key: fc.constantFrom('v', 'mode', 'net', 't', 'n', 'm', 'p', 'r', 'seed', 'lr', 'view', 'view2', 'look', 's', 'sel', 'other', 'constructor', 'x'), value: fc.oneof(fc.string({ maxLength: 40 }), edgyNumber.map(String), fc.array(edgyNumber, { maxLength: 5 }).map((a) => a.join(','))) })
    .map(({ key, value }) => {
      const q = new URLSearchParams(stateToHash(initialState()));
      q.set(key, value);
      return q.toString();
    }),
  fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 })), { maxLength: 5 }).map((pairs) => `v=2&${new URLSearchParams(pairs).toString()}`),
  fc.string({ maxLength: 200 }),
);

describe('malformed links (hashToPatch, then Store.replace)', () => {
  it('throw LinkError or StateError only, the state unchanged', async () => {
    const store = new Store(initialState(), quickRunner);
    await fc.assert(
      fc.asyncProperty(linkText, async (hash) => {
        acceptOrRefuse(store, () => {
          const p = hashToPatch(hash);
          if (p) store.replace(p);
        }, [StateError, LinkError]);
        await store.settled().catch((e: unknown) => expect(e).toBeInstanceOf(StateError));
      }),
      RUNS,
    );
  });
});

/** JSON text of a value, or a broken text when JSON cannot hold it (BigInt). */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{';
  }
}

/** JSON text: random JSON, a valid state or network with one value replaced, or broken text. */
const jsonText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.record({ key: fc.constantFrom('units', 'target', 'view', 'network', 'show', 'look', 'mode', 'other', 'selected', 'build'), value: anyValue.filter((v) => typeof v !== 'bigint') }).map(({ key, value }) => {
    const s = snapshot(initialState()) as unknown as Record<string, unknown>;
    s[key] = value;
    return safeJson(s);
  }),
  nearNetwork.map(safeJson),
  fc.string({ maxLength: 80 }),
);

describe('malformed JSON imports (parseImport, then the store as the Import button does)', () => {
  it('throw StateError only, the state unchanged', async () => {
    const store = new Store(initialState(), quickRunner);
    await fc.assert(
      fc.asyncProperty(jsonText, async (text) => {
        acceptOrRefuse(store, () => {
          const parsed = parseImport(text);
          if (parsed.kind === 'network') store.set(parsed.patch);
          else store.replace(parsed.patch);
        });
        await store.settled().catch((e: unknown) => expect(e).toBeInstanceOf(StateError));
      }),
      RUNS,
    );
  });
});

/** CSV-like text from the characters that matter (digits, signs, separators, quotes, comments, line ends). */
const csvText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789.,;\t -+eE"#x\n\r'), maxLength: 300 }),
  fc.array(fc.tuple(edgyNumber, edgyNumber, edgyNumber), { maxLength: 30 }).map((rows) => rows.map((r) => r.join(',')).join('\n')),
  fc.string({ maxLength: 200 }),
);

describe('malformed CSV (parseCsvPoints, parseCsvPoints3, then the store)', () => {
  it('throws CsvError or StateError only, with values within ±1e15, the state unchanged', async () => {
    const store = new Store(initialState(), quickRunner);
    const store2 = new Store(initialState(), quickRunner);
    store2.set({ mode: '2d' });
    await store2.settled();
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        acceptOrRefuse(store, () => {
          const p = parseCsvPoints(text);
          for (const v of [...p.xs, ...p.ys]) expect(Math.abs(v)).toBeLessThanOrEqual(MAX_ABS_VALUE);
          store.set({ target: { kind: 'data', xs: p.xs, ys: p.ys } });
        }, [CsvError, StateError]);
        acceptOrRefuse(store2, () => {
          const p = parseCsvPoints3(text);
          store2.set({ target: { kind: 'data', xs: p.xs, ys: p.ys, zs: p.zs } });
        }, [CsvError, StateError]);
        await Promise.all([store.settled(), store2.settled()]).catch((e: unknown) => expect(e).toBeInstanceOf(StateError));
      }),
      RUNS,
    );
  });
});

const TOKENS = ['x', 'y', '1', '2.5', '1e15', '1e16', '1e39', '-', '+', '*', '/', '^', '(', ')', ',', 'sin', 'min', 'max', 'clamp', 'log', 'sqrt', 'pi', 'e', 'mod', 'constructor', '__proto__', 'toString', ' ', '#', '.', 'abs', 'exp'];
const expressionText = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join('')),
  fc.string({ maxLength: 60 }),
  fc.integer({ min: 1, max: 300 }).map((n) => `min(${Array.from({ length: n }, (_, i) => `x+${i}`).join(',')})`),
);

describe('malformed expressions (compileExpression, then the store)', () => {
  it('throw ExpressionSyntaxError (or StateError from the store) only; compiled ones evaluate to a number, never ±∞', async () => {
    const store = new Store(initialState(), quickRunner);
    await fc.assert(
      fc.asyncProperty(expressionText, fc.constantFrom(1 as const, 2 as const), async (src, dim) => {
        try {
          const one = dim === 1 ? compileExpression(src, 1) : null;
          const two = dim === 2 ? compileExpression(src, 2) : null;
          for (const [x, y] of [[0.5, -0.25], [1e15, 1e-9], [-3, 7]]) {
            const v = one ? one.evaluate(x) : two!.evaluate(x, y);
            expect(typeof v).toBe('number');
            expect(v === Infinity || v === -Infinity).toBe(false);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionSyntaxError);
        }
        if (dim === 1) {
          acceptOrRefuse(store, () => store.set({ target: { kind: 'expression', source: src } }));
          await store.settled().catch((e: unknown) => expect(e).toBeInstanceOf(StateError));
        }
      }),
      RUNS,
    );
  });
});

describe('messages', () => {
  it('turn browser exceptions into plain words and keep no diagnostic beyond its first line', () => {
    expect(messageOf(new DOMException("Failed to execute 'setItem' on 'Storage': Setting the value of 'x' exceeded the quota.", 'QuotaExceededError'))).toBe("the browser's storage for this page is full");
    expect(messageOf(new DOMException("Failed to execute 'mapAsync' on 'GPUBuffer': Device is lost", 'AbortError'))).toMatch(/GPU stopped working/);
    expect(messageOf(new DOMException('Instance dropped in popErrorScope', 'OperationError'))).toMatch(/GPU stopped working/);
    const wgsl = `Error while parsing WGSL: :3:5 error: too many arguments\n${'fn rs_target(x: f32) -> vec2<f32> { return min(x, 1.0f); }\n'.repeat(10)}`;
    expect(messageOf(new Error(wgsl))).toBe('Error while parsing WGSL: :3:5 error: too many arguments');
    expect(messageOf(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(200);
    expect(messageOf(new TypeError("Cannot read properties of undefined (reading 'a')"))).toMatch(/internal error \(TypeError\)/);
    expect(messageOf(new StateError('units', 'must be an integer from 1 to 65536, got 0'))).toBe('Invalid state: units: must be an integer from 1 to 65536, got 0');
    expect(messageOf(undefined)).toBe('an unknown error');
  });

  it('name the field once on JSON imports ("network.a[1]", not "network: Invalid network: a[1]" or "network.network")', () => {
    const catchOf = (f: () => unknown): Error => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    };
    expect(catchOf(() => parseImport('{"dim": 1, "w": [1, 2], "b": [0, 0], "a": [1, 1e39], "c": 0}')).message).toBe('Invalid state: network.a[1]: 1e39 is outside ±1e15 (what float32 holds with headroom)');
    expect(catchOf(() => new Store(initialState(), quickRunner).set({ network: 5 })).message).toBe('Invalid state: network: must be an object');
  });
});

// A reference of what the suite is about, for readers: a state the store accepted always has values within range.
describe('accepted states', () => {
  it('hold every network value, view bound and data value within ±1e15', async () => {
    const store = new Store(initialState(), quickRunner);
    await fc.assert(
      fc.asyncProperty(patch, async (p) => {
        acceptOrRefuse(store, () => store.set(p));
        await store.settled().catch(() => undefined);
        const s: AppState = store.state;
        const values = [...s.network.w, ...s.network.b, ...s.network.a, s.network.c, ...Object.values(s.view), ...Object.values(s.view2d)];
        if (s.target.kind === 'data') values.push(...s.target.xs, ...s.target.ys, ...('zs' in s.target ? s.target.zs : []));
        for (const v of values) expect(Math.abs(v)).toBeLessThanOrEqual(MAX_ABS_VALUE);
      }),
      RUNS,
    );
  });
});

describe('inherited fields', () => {
  it('are never read from a patch (only its own fields count)', () => {
    const store = new Store(initialState(), quickRunner);
    const before = JSON.stringify(snapshot(store.state));
    const inherited = Object.create({ units: 0, network: 5 }) as object;
    expect(acceptOrRefuse(store, () => store.set(inherited))).toBe(true);
    expect(JSON.stringify(snapshot(store.state))).toBe(before);
    expect(acceptOrRefuse(store, () => store.set({ mode: '2d', other: Object.create({ mode: '1d' }) }))).toBe(false);
  });
});
