/**
 * Where saved work lives: a small key-value interface over IndexedDB (through idb-keyval), with localStorage
 * and then page memory as fallbacks for browsers that refuse the database (private modes, blocked storage).
 * Every `set` writes one value in one step: a failed write leaves the previous value as it was.
 */
import { createStore, del as idbDel, get as idbGet, keys as idbKeys, set as idbSet, setMany as idbSetMany, type UseStore } from 'idb-keyval';

/** The key-value store the autosave and presets are kept in. */
export interface KvStore {
  /** Which browser storage holds the values. */
  readonly kind: 'indexeddb' | 'localstorage' | 'memory';
  /** The value under `key`, or undefined when there is none; throws StoredValueError for a damaged one. */
  get(key: string): Promise<unknown>;
  /** Writes `value` under `key` in one step (the old value survives a failure). */
  set(key: string, value: unknown): Promise<void>;
  /** Writes several values; all or none (as far as the storage allows: see LocalKv). */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** A stored value that cannot be read back (text that is not JSON); `raw` is that text, kept for export. */
export class StoredValueError extends Error {
  override name = 'StoredValueError';
  constructor(
    readonly key: string,
    readonly raw: string,
  ) {
    super(`the saved "${key}" is not valid JSON (it was damaged)`);
  }
}

/** The database and object store of this app (one store, string keys). */
export const DB_NAME = 'relu-sandbox';
export const STORE_NAME = 'kv';

/**
 * IndexedDB through idb-keyval: values are stored as structured clones, with long number arrays as Float64Array
 * (see `pack`): a 65,536-unit 2D network is then a few memory copies to store and read, not 262,144 numbers
 * serialized one by one.
 */
export function idbKv(store: UseStore = createStore(DB_NAME, STORE_NAME)): KvStore {
  return {
    kind: 'indexeddb',
    get: async (key) => unpack(await idbGet(key, store)),
    set: (key, value) => idbSet(key, pack(value), store),
    setMany: (entries) => idbSetMany(entries.map(([k, v]) => [k, pack(v)]), store),
    del: (key) => idbDel(key, store),
    keys: async () => (await idbKeys(store)).filter((k): k is string => typeof k === 'string'),
  };
}

/** Arrays shorter than this stay as they are (not worth a typed array). */
const PACK_MIN = 64;

/**
 * A copy of `v` with every array of at least PACK_MIN numbers as a Float64Array (exact for any JS number).
 * State values hold no typed arrays of their own, so `unpack` can turn every Float64Array back into an array.
 */
export function pack(v: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length >= PACK_MIN && v.every((x) => typeof x === 'number')) return Float64Array.from(v as number[]);
    return v.map(pack);
  }
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named "__proto__" stays a key.
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: pack((v as Record<string, unknown>)[k]), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/** The inverse of `pack`: Float64Arrays back to plain number arrays. */
export function unpack(v: unknown): unknown {
  if (v instanceof Float64Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(unpack);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: unpack((v as Record<string, unknown>)[k]), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/** Prefix of this app's keys in localStorage (fallback mode). */
export const LOCAL_PREFIX = 'relu-sandbox:kv:';

/**
 * localStorage as a KvStore: JSON text under prefixed keys. `setMany` writes one by one and puts back what it
 * wrote when one fails (localStorage has no transactions). `aliases` maps a key to an existing localStorage key
 * (the autosave keeps the key and format it had before IndexedDB, so nothing needs moving in this mode).
 */
export function localKv(storage: Storage, aliases: Readonly<Record<string, string>> = {}): KvStore {
  const name = (key: string) => (Object.hasOwn(aliases, key) ? aliases[key] : LOCAL_PREFIX + key);
  const set = (key: string, value: unknown) => storage.setItem(name(key), JSON.stringify(value));
  return {
    kind: 'localstorage',
    async get(key) {
      const text = storage.getItem(name(key));
      if (text === null) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        throw new StoredValueError(key, text);
      }
    },
    async set(key, value) {
      set(key, value);
    },
    async setMany(entries) {
      const before = entries.map(([k]) => [k, storage.getItem(name(k))] as const);
      try {
        for (const [k, v] of entries) set(k, v);
      } catch (e) {
        for (const [k, old] of before) {
          if (old === null) storage.removeItem(name(k));
          else storage.setItem(name(k), old);
        }
        throw e;
      }
    },
    async del(key) {
      storage.removeItem(name(key));
    },
    async keys() {
      const out: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k?.startsWith(LOCAL_PREFIX)) out.push(k.slice(LOCAL_PREFIX.length));
      }
      for (const [key, stored] of Object.entries(aliases)) if (storage.getItem(stored) !== null) out.push(key);
      return out;
    },
  };
}

/** Values kept in page memory only: the last resort when the browser allows no storage at all. */
export function memoryKv(): KvStore {
  const m = new Map<string, unknown>();
  return {
    kind: 'memory',
    get: async (key) => structuredClone(m.get(key)),
    set: async (key, value) => void m.set(key, structuredClone(value)),
    setMany: async (entries) => {
      for (const [k, v] of entries) m.set(k, structuredClone(v));
    },
    del: async (key) => void m.delete(key),
    keys: async () => [...m.keys()],
  };
}

/** The browser's localStorage, or null where reading it throws (storage blocked for this page). */
export function browserLocalStorage(): Storage | null {
  try {
    const s = globalThis.localStorage;
    if (!s) return null;
    s.getItem(LOCAL_PREFIX);
    return s;
  } catch {
    return null;
  }
}

/**
 * Opens IndexedDB and checks it answers within `timeoutMs` (some browsers refuse it in private modes, or hang);
 * otherwise falls back to localStorage, then to page memory. `notice` says what the fallback means. The limit is
 * long because a busy page (a GPU backend compiling on the CPU) can take seconds to create the database on a
 * first visit, and a false fallback would put big states where they do not fit.
 */
export async function openKv(opts: { timeoutMs?: number; probe?: string } = {}): Promise<{ kv: KvStore; notice: string | null }> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (typeof indexedDB !== 'undefined') {
    try {
      const kv = idbKv();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)));
      try {
        await Promise.race([kv.get(opts.probe ?? 'meta:probe'), late]);
      } finally {
        clearTimeout(timer);
      }
      return { kv, notice: null };
    } catch {
      // Refused, blocked or hanging: the fallbacks below.
    }
  }
  const local = browserLocalStorage();
  if (local) {
    return {
      kv: localKv(local, LOCAL_ALIASES),
      notice: 'This browser does not let the page use its database (IndexedDB; private mode?), so autosave and presets use localStorage, which holds only about 5 MB: export big states as JSON to keep them.',
    };
  }
  return {
    kv: memoryKv(),
    notice: 'This browser blocks storage for this page, so nothing is kept after a reload: export your work as JSON to keep it.',
  };
}

/** The localStorage keys of the saves made before IndexedDB (migrated from once; still the autosave's key in fallback mode). */
export const LEGACY_AUTOSAVE_KEY = 'relu-sandbox:state:v1';
export const LEGACY_PRESETS_KEY = 'relu-sandbox:presets:v1';

/** In localStorage mode the autosave stays where it always was. */
export const LOCAL_ALIASES: Readonly<Record<string, string>> = { autosave: LEGACY_AUTOSAVE_KEY };
