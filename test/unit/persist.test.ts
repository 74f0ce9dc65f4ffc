import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SaveError, Saves, estimateJsonLength, migrateLegacy, openSaves, refusal } from '../../src/state/persist.ts';
import { LEGACY_AUTOSAVE_KEY, LEGACY_PRESETS_KEY, LOCAL_PREFIX, idbKv, localKv, pack, unpack, type KvStore } from '../../src/state/storage.ts';
import { StateError } from '../../src/state/errors.ts';
import { Store, initialState, type AppState } from '../../src/state/state.ts';
import { validateNetwork } from '../../src/model/network.ts';

/** A Map-backed stand-in for the browser's localStorage. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

const g = globalThis as { localStorage?: Storage; indexedDB?: IDBFactory };
const withUnits = (units: number): AppState => ({ ...initialState(), units });
/** Restores the autosave into a fresh store, as the app does at startup. */
async function restoreUnits(saves: Saves): Promise<number | null> {
  const store = new Store(initialState());
  return (await saves.restoreAutosave((p) => store.replace(p))).restored ? store.state.units : null;
}

beforeEach(() => {
  // A fresh, empty browser database and localStorage for every test.
  g.indexedDB = new IDBFactory();
  g.localStorage = memoryStorage();
});
afterEach(() => {
  delete g.localStorage;
  vi.restoreAllMocks();
});

describe('autosave and presets in IndexedDB', () => {
  it('open IndexedDB when the browser has it, with no notice', async () => {
    const { saves, notices } = await openSaves();
    expect(saves.kv.kind).toBe('indexeddb');
    expect(notices).toEqual([]);
  });

  it('keep names like "__proto__" and "constructor" as presets, and never find inherited members', async () => {
    const { saves } = await openSaves();
    await expect(saves.loadPreset('constructor')).rejects.toThrow(/no preset named "constructor"/);
    await expect(saves.loadPreset('__proto__')).rejects.toThrow(/no preset named "__proto__"/);
    await expect(saves.loadPreset('toString')).rejects.toThrow(StateError);
    expect(await saves.savePreset('  __proto__ ', withUnits(12))).toBe('__proto__');
    await saves.savePreset('constructor', withUnits(13));
    expect(await saves.presetNames()).toEqual(['__proto__', 'constructor']);
    // Read back through a new connection: they are in the database, not in this object.
    const again = new Saves(idbKv());
    expect((await again.loadPreset('__proto__')) as { units: number }).toMatchObject({ units: 12 });
    expect((await again.loadPreset('constructor')) as { units: number }).toMatchObject({ units: 13 });
    await again.deletePreset('__proto__');
    expect(await again.presetNames()).toEqual(['constructor']);
    await expect(saves.savePreset('   ', withUnits(3))).rejects.toThrow(/1 to 60 characters/);
  });

  it('restores the newest state after many autosaves in a row, with at most two writes (last write wins)', async () => {
    const kv = idbKv();
    const writes: number[] = [];
    const counting: KvStore = { ...kv, set: (k, v) => (writes.push((v as { units: number }).units), kv.set(k, v)) };
    const saves = new Saves(counting);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => saves.autosave(withUnits(i + 1))));
    expect(results.every((r) => r === null)).toBe(true);
    // The first write starts at once; the 49 later calls only replace the one waiting behind it.
    expect(writes).toEqual([1, 50]);
    expect(await restoreUnits(new Saves(idbKv()))).toBe(50);
  });

  it('never writes an older state after a newer one, whatever the write times', async () => {
    const kv = idbKv();
    const order: number[] = [];
    const slow: KvStore = {
      ...kv,
      // Each write takes a random time; if two ran at once, an older one could land last.
      set: async (k, v) => {
        await new Promise((r) => setTimeout(r, Math.random() * 8));
        await kv.set(k, v);
        order.push((v as { units: number }).units);
      },
    };
    const saves = new Saves(slow);
    for (let i = 1; i <= 30; i++) {
      void saves.autosave(withUnits(i));
      if (i % 4 === 0) await new Promise((r) => setTimeout(r, Math.random() * 10));
    }
    await saves.idle();
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.at(-1)).toBe(30);
    expect(await restoreUnits(new Saves(idbKv()))).toBe(30);
  });

  it('keeps the last good save when a write fails, and says so in plain words', async () => {
    const saves = new Saves(idbKv());
    expect(await saves.autosave(withUnits(21))).toBeNull();
    await saves.savePreset('good', withUnits(22));
    // The browser refuses the next writes: a quota error thrown by put, then a transaction that aborts.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException("Failed to execute 'put' on 'IDBObjectStore': quota", 'QuotaExceededError');
    });
    const msg = await saves.autosave(withUnits(40_000));
    expect(msg).toMatch(/^Autosave failed: the browser's storage for this page is full\. The last good save is kept; use Export JSON/);
    expect(msg).not.toMatch(/Failed to execute|QuotaExceededError|IDBObjectStore/);
    await expect(saves.savePreset('good', withUnits(40_000))).rejects.toThrow(SaveError);
    await expect(saves.savePreset('good', withUnits(40_000))).rejects.toThrow(/^Preset "good" was not saved: the browser's storage for this page is full\. Use Export JSON/);
    put.mockRestore();
    const original = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const req = original.call(this, value, key);
      this.transaction.abort();
      return req;
    });
    expect(await saves.autosave(withUnits(50_000))).toMatch(/^Autosave failed: the browser refused to store it\./);
    vi.restoreAllMocks();
    expect(await restoreUnits(new Saves(idbKv()))).toBe(21);
    expect(await new Saves(idbKv()).loadPreset('good')).toMatchObject({ units: 22 });
  });

  it('reports an autosave that fails validation and keeps it aside for export, also after the next autosave', async () => {
    const kv = idbKv();
    const bad = { units: 'many', target: { kind: 'builtin', id: 'sin' } };
    await kv.set('autosave', bad);
    const saves = new Saves(kv);
    const store = new Store(initialState());
    const err = await saves.restoreAutosave((p) => store.replace(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toMatch(/autosave: could not be restored: .*units.*; the saved copy is kept aside/);
    // The reason once, without a second "Invalid state:" inside the autosave's own message.
    expect((err as StateError).detail).toMatch(/^could not be restored: units: /);
    expect((err as Error).message.match(/Invalid state/g)).toHaveLength(1);
    expect(store.state).toEqual(initialState());
    expect(await saves.autosave(withUnits(7))).toBeNull();
    const kept = await saves.rejectedAutosave();
    expect(JSON.parse(kept!.text)).toEqual(bad);
    expect(kept!.reason).toMatch(/units/);
  });

  it('restores the work on screen when only the other mode\'s settings are bad, and keeps the whole copy aside', async () => {
    const kv = idbKv();
    const good = { ...withUnits(14) } as Record<string, unknown>;
    const saved = { mode: '1d', units: 14, other: { mode: '2d', units: -3 } };
    await kv.set('autosave', saved);
    const saves = new Saves(kv);
    const store = new Store(initialState());
    const got = await saves.restoreAutosave((p) => store.replace(p));
    expect(got.restored).toBe(true);
    expect(got.note).toMatch(/^The autosaved state was restored without the other mode's settings \(.*other.*\); the saved copy is kept aside/);
    expect(got.note).not.toMatch(/Invalid state/);
    expect(store.state.units).toBe(good.units);
    expect(JSON.parse((await saves.rejectedAutosave())!.text)).toEqual(saved);
  });

  it('reports an autosave that is not valid JSON (moved from localStorage) and keeps its text', async () => {
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, '{"units": 12');
    const { saves } = await openSaves();
    await expect(saves.restoreAutosave(() => undefined)).rejects.toThrow(/autosave: could not be restored: it is not valid JSON/);
    expect((await saves.rejectedAutosave())!.text).toBe('{"units": 12');
    expect(await new Saves(idbKv()).rejectedAutosave()).not.toBeNull();
  });

  it('with no autosave, restores nothing and reports nothing', async () => {
    const { saves } = await openSaves();
    expect(await restoreUnits(saves)).toBeNull();
    expect(await saves.rejectedAutosave()).toBeNull();
  });
});

describe('packing long number arrays for IndexedDB', () => {
  it('round-trips exactly (−0, tiny and huge values, nested, a "__proto__" key) and stores Float64Arrays', async () => {
    const w = Array.from({ length: 200 }, (_, i) => (i === 3 ? -0 : (i - 100) * 1.1e-300 + i * 1e15));
    const v = JSON.parse('{"__proto__": {"a": [1, 2]}}') as Record<string, unknown>;
    v.network = { dim: 2, w, b: [0.5, -1], a: w.slice(0, 64), c: 0.25 };
    v.list = [w, 'x', null];
    const packed = pack(v) as { network: { w: unknown; b: unknown } };
    expect(packed.network.w).toBeInstanceOf(Float64Array);
    expect(packed.network.b).toEqual([0.5, -1]);
    const back = unpack(packed) as typeof v;
    expect(back).toEqual(v);
    expect(Object.is((back.network as { w: number[] }).w[3], -0)).toBe(true);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    const kv = idbKv();
    await kv.set('x', v);
    expect(await kv.get('x')).toEqual(v);
  });
});

describe('moving localStorage saves into IndexedDB', () => {
  it('moves the autosave and every preset once, then removes the old keys', async () => {
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, JSON.stringify({ units: 17 }));
    // JSON.parse makes "__proto__" an own name: it must move as a preset too.
    localStorage.setItem(LEGACY_PRESETS_KEY, '{"a": {"units": 5}, "__proto__": {"units": 6}}');
    localStorage.setItem('other-app', 'x');
    const { saves, notices } = await openSaves();
    expect(notices).toEqual([]);
    expect(await restoreUnits(saves)).toBe(17);
    expect(await saves.presetNames()).toEqual(['__proto__', 'a']);
    expect(await saves.loadPreset('__proto__')).toEqual({ units: 6 });
    expect(localStorage.getItem(LEGACY_AUTOSAVE_KEY)).toBeNull();
    expect(localStorage.getItem(LEGACY_PRESETS_KEY)).toBeNull();
    expect(localStorage.getItem('other-app')).toBe('x');
    // Once: a later start finds the marker and leaves localStorage alone (the database's saves are newer).
    await saves.autosave(withUnits(30));
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, JSON.stringify({ units: 18 }));
    const { saves: later } = await openSaves();
    expect(await restoreUnits(later)).toBe(30);
    expect(localStorage.getItem(LEGACY_AUTOSAVE_KEY)).not.toBeNull();
  });

  it('leaves localStorage as it was when the copy fails, and says so plainly', async () => {
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, JSON.stringify({ units: 17 }));
    const kv = idbKv();
    const failing: KvStore = {
      ...kv,
      setMany: async () => {
        throw new DOMException('QuotaExceededError: quota', 'QuotaExceededError');
      },
    };
    const note = await migrateLegacy(failing, localStorage);
    expect(note).toBe("The saves from before this version could not be moved (the browser's storage for this page is full); they stay in localStorage.");
    expect(localStorage.getItem(LEGACY_AUTOSAVE_KEY)).toBe('{"units":17}');
    // The next start tries again and succeeds.
    expect(await migrateLegacy(kv, localStorage)).toBeNull();
    expect(await restoreUnits(new Saves(kv))).toBe(17);
  });

  it('keeps damaged old presets in localStorage and says so', async () => {
    localStorage.setItem(LEGACY_PRESETS_KEY, '{"a": ');
    const { notices } = await openSaves();
    expect(notices.join(' ')).toMatch(/presets saved before this version could not be read/);
    expect(localStorage.getItem(LEGACY_PRESETS_KEY)).toBe('{"a": ');
  });

  it('moves the presets saved in fallback mode, and names a damaged one, left in localStorage', async () => {
    localStorage.setItem(LOCAL_PREFIX + 'preset:good', JSON.stringify({ units: 6 }));
    localStorage.setItem(LOCAL_PREFIX + 'preset:broken', '{"units": ');
    const { saves, notices } = await openSaves();
    expect(notices.join(' ')).toMatch(/The preset "broken" could not be read \(damaged\); it is left in localStorage/);
    expect(await saves.loadPreset('good')).toMatchObject({ units: 6 });
    expect(localStorage.getItem(LOCAL_PREFIX + 'preset:broken')).toBe('{"units": ');
  });
});

describe('fallbacks when IndexedDB is refused', () => {
  it('uses localStorage and says so once when there is no IndexedDB; the old autosave key stays the autosave', async () => {
    delete g.indexedDB;
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, JSON.stringify({ units: 9 }));
    localStorage.setItem(LEGACY_PRESETS_KEY, '{"constructor": {"units": 4}}');
    const { saves, notices } = await openSaves();
    expect(saves.kv.kind).toBe('localstorage');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/IndexedDB.*localStorage.*5 MB/);
    expect(await restoreUnits(saves)).toBe(9);
    expect(await saves.presetNames()).toEqual(['constructor']);
    expect(await saves.loadPreset('constructor')).toEqual({ units: 4 });
    expect(localStorage.getItem(LOCAL_PREFIX + 'preset:constructor')).not.toBeNull();
    await saves.autosave(withUnits(11));
    expect(JSON.parse(localStorage.getItem(LEGACY_AUTOSAVE_KEY)!).units).toBe(11);
  });

  it('falls back when opening IndexedDB hangs', async () => {
    const hanging = { open: () => ({}) as IDBOpenDBRequest } as unknown as IDBFactory;
    g.indexedDB = hanging;
    const { saves, notices } = await openSaves({ timeoutMs: 30 });
    expect(saves.kv.kind).toBe('localstorage');
    expect(notices[0]).toMatch(/localStorage/);
  });

  it('keeps work in memory when no storage at all is allowed, and says so', async () => {
    delete g.indexedDB;
    Object.defineProperty(g, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    const { saves, notices } = await openSaves();
    expect(saves.kv.kind).toBe('memory');
    expect(notices[0]).toMatch(/nothing is kept after a reload/);
    await saves.savePreset('x', withUnits(3));
    expect(await saves.loadPreset('x')).toMatchObject({ units: 3 });
    delete g.localStorage;
  });

  it('reports a damaged autosave in localStorage mode and keeps its text', async () => {
    const storage = memoryStorage();
    storage.setItem(LEGACY_AUTOSAVE_KEY, '{"units": 12');
    const saves = new Saves(localKv(storage, { autosave: LEGACY_AUTOSAVE_KEY }));
    await expect(saves.restoreAutosave(() => undefined)).rejects.toThrow(/not valid JSON/);
    expect((await saves.rejectedAutosave())!.text).toBe('{"units": 12');
  });

  it('localStorage writes of several values are all or none', async () => {
    const storage = memoryStorage();
    const kv = localKv(storage);
    await kv.set('a', 1);
    let n = 0;
    const setItem = storage.setItem;
    storage.setItem = (k, v) => {
      if (++n === 2) throw new DOMException('full', 'QuotaExceededError');
      setItem(k, v);
    };
    await expect(kv.setMany([['a', 2], ['b', 3]])).rejects.toThrow();
    storage.setItem = setItem;
    expect(await kv.get('a')).toBe(1);
    expect(await kv.get('b')).toBeUndefined();
  });
});

describe('refusal messages', () => {
  it('never show the browser exception text', () => {
    expect(refusal(new DOMException("Failed to execute 'setItem' on 'Storage': Setting the value of 'x' exceeded the quota.", 'QuotaExceededError'))).toBe(
      "the browser's storage for this page is full",
    );
    expect(refusal(new Error('UnknownError: internal'))).toBe('the browser refused to store it');
    expect(refusal(null)).toBe('the browser refused to store it');
  });
});

describe('the copy written at unload', () => {
  it('estimates the JSON length from samples of long arrays, and skips a state far too big for the copy without stringifying it', () => {
    const rand = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 12.9898) * 43758.5453 % 1);
    const samples: unknown[] = [
      { a: [1.5, -2, 3e-7], b: 'x"y', c: null, d: { e: [true, false], f: [0.25, 1e15] } },
      [[1, 2], [3]],
      { w: rand(5000, 1), b: rand(1000, 2).map((x) => Math.round(x * 100)), nested: { deeper: [{ n: 1 }, { n: 22 }] } },
      rand(70_000, 3),
    ];
    for (const v of samples) {
      const exact = JSON.stringify(v).length;
      expect(Math.abs(estimateJsonLength(v) - exact)).toBeLessThan(0.1 * exact + 16);
    }
    const local = new Map<string, string>();
    const storage = {
      getItem: (k: string) => local.get(k) ?? null,
      setItem: (k: string, v: string) => void local.set(k, v),
      removeItem: (k: string) => void local.delete(k),
    } as unknown as Storage;
    const saves = new Saves(localKv(storage), storage);
    const small = initialState();
    expect(saves.writeUnloadCopy(small)).toBe(true);
    const n = 65_536;
    const big: AppState = { ...small, build: 'custom', units: n, network: validateNetwork({ dim: 1, w: rand(n, 4), b: rand(n, 5), a: rand(n, 6), c: 0 }) };
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(saves.writeUnloadCopy(big)).toBe(false);
    // Only the sampled entries were stringified, never the state.
    expect(stringify.mock.results.every((r) => typeof r.value !== 'string' || r.value.length < 1000)).toBe(true);
    stringify.mockRestore();
  });
});
