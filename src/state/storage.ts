/**
 * Where saved work lives: a small key-value interface over IndexedDB (through idb-keyval), with localStorage
 * and then page memory as fallbacks for browsers that refuse the database (private modes, blocked storage).
 * Every `set` writes one value in one step: a failed write leaves the previous value as it was.
 */
import { createStore, del as idbDel, get as idbGet, keys as idbKeys, set as idbSet, setMany as idbSetMany, type UseStore } from 'idb-keyval';
import { DB_NAME, STORE_NAME, type StorageReply, type StorageRequest, replyError } from './storageProtocol.ts';
import { nextTask } from './nextTask.ts';

/** The key-value store the autosave and presets are kept in. */
export interface KvStore {
  /** Which browser storage holds the values. */
  readonly kind: 'indexeddb' | 'localstorage' | 'memory';
  /**
   * The value under `key`, or undefined when there is none; throws StoredValueError for a damaged one. With
   * `networks: 'typed'` a network's `w`, `b` and `a` (in any object with a `dim`) may come back as Float64Arrays,
   * for a caller that validates them (validation copies them into plain arrays in its one pass; unpacking them
   * first copied every number of a 65,536-unit state twice).
   */
  get(key: string, opts?: ReadOptions): Promise<unknown>;
  /** Writes `value` under `key` in one step (the old value survives a failure). */
  set(key: string, value: unknown): Promise<void>;
  /** Writes several values; all or none (as far as the storage allows: see LocalKv). */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** How `KvStore.get` returns a network's long arrays (see there). */
export interface ReadOptions {
  networks?: 'plain' | 'typed';
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

export { DB_NAME, STORE_NAME } from './storageProtocol.ts';

/**
 * IndexedDB through idb-keyval: values are stored as structured clones, with long number arrays as Float64Array
 * (see `pack`): a 65,536-unit 2D network is then a few memory copies to store and read, not 262,144 numbers
 * serialized one by one.
 */
export function idbKv(store: UseStore = createStore(DB_NAME, STORE_NAME)): KvStore {
  return {
    kind: 'indexeddb',
    get: async (key, opts) => unpack(await idbGet(key, store), opts?.networks === 'typed'),
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
 * `made` collects the buffers of the typed arrays made here (a Float64Array given in `v` is passed through, not
 * copied, and not listed: it is the caller's), so they can be transferred to the storage worker.
 */
export function pack(v: unknown, made?: ArrayBuffer[]): unknown {
  if (Array.isArray(v)) {
    if (v.length >= PACK_MIN) {
      const packed = numbersOf(v);
      if (packed) {
        made?.push(packed.buffer as ArrayBuffer);
        return packed;
      }
    }
    return v.map((x) => pack(x, made));
  }
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named "__proto__" stays a key.
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: pack((v as Record<string, unknown>)[k], made), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/** `v` as a Float64Array when every entry is a number, else null: one pass that checks and copies (a 65,536-unit network's arrays are most of a save). */
function numbersOf(v: readonly unknown[]): Float64Array | null {
  if (typeof v[0] !== 'number') return null;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number') return null;
    out[i] = x;
  }
  return out;
}

/** Numbers packed per task by `packInSlices`: a few milliseconds on a slow machine. */
const SLICE = 16_384;

/**
 * `pack` in slices of SLICE numbers, a task each, so a 65,536-unit 2D state (262,144 numbers) never blocks input
 * while it is packed. The value must not change meanwhile (states never do: a change replaces them).
 */
export async function packInSlices(v: unknown, made: ArrayBuffer[]): Promise<unknown> {
  if (Array.isArray(v)) {
    if (v.length < PACK_MIN) return v.map((x) => pack(x, made));
    if (v.length <= SLICE || typeof v[0] !== 'number') {
      const packed = numbersOf(v);
      if (packed) made.push(packed.buffer as ArrayBuffer);
      return packed ?? Promise.all(v.map((x) => packInSlices(x, made)));
    }
    const out = new Float64Array(v.length);
    for (let from = 0; from < v.length; from += SLICE) {
      if (from > 0) await nextTask();
      const to = Math.min(v.length, from + SLICE);
      for (let i = from; i < to; i++) {
        const x: unknown = v[i];
        // Not all numbers after all: packed as `pack` would (rare, and never a state's network).
        if (typeof x !== 'number') return pack(v, made);
        out[i] = x;
      }
    }
    made.push(out.buffer);
    return out;
  }
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: await packInSlices((v as Record<string, unknown>)[k], made), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/**
 * The inverse of `pack`: Float64Arrays back to plain number arrays; with `typedNetworks`, except a network's `w`, `b`
 * and `a` (the arrays of an object with a `dim`), which stay typed for the validation that copies them anyway.
 */
export function unpack(v: unknown, typedNetworks = false): unknown {
  if (v instanceof Float64Array) {
    // A plain loop: Array.from walks a typed array through its iterator, several times slower.
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i];
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => unpack(x, typedNetworks));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    const network = typedNetworks && Object.hasOwn(v, 'dim');
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      const value = network && (k === 'w' || k === 'b' || k === 'a') && x instanceof Float64Array ? x : unpack(x, typedNetworks);
      Object.defineProperty(out, k, { value, enumerable: true, configurable: true, writable: true });
    }
    return out;
  }
  return v;
}

/** The part of a Worker the storage client uses (a real Worker, or a stand-in in tests). */
export interface StorageWorker {
  onmessage: ((e: MessageEvent<StorageReply>) => void) | null;
  onerror: ((e: Event) => void) | null;
  postMessage(req: StorageRequest, transfer: Transferable[]): void;
  terminate(): void;
}

type Op = { op: 'get'; key: string; typed: boolean } | { op: 'set'; key: string; value: unknown } | { op: 'setMany'; entries: ReadonlyArray<readonly [string, unknown]> } | { op: 'del'; key: string } | { op: 'keys' };

/**
 * IndexedDB through a worker (see storageProtocol.ts): values are packed here (one pass over the long arrays) and
 * their buffers transferred, so neither the write's serialization nor the read's runs on the main thread. The
 * worker runs the operations one at a time, in order. If it fails to load, every operation still pending and
 * every later one runs through `fallback` (IndexedDB on this thread), from the values as given.
 */
export function workerKv(spawn: () => StorageWorker, fallback: () => KvStore = idbKv): KvStore {
  let worker: StorageWorker | null = null;
  let direct: KvStore | null = null;
  let nextId = 1;
  let posting: Promise<void> = Promise.resolve();
  const pending = new Map<number, { op: Op; resolve(v: unknown): void; reject(e: unknown): void }>();
  const runDirect = (kv: KvStore, op: Op): Promise<unknown> => {
    switch (op.op) {
      case 'get':
        return kv.get(op.key, { networks: op.typed ? 'typed' : 'plain' });
      case 'set':
        return kv.set(op.key, op.value);
      case 'setMany':
        return kv.setMany(op.entries);
      case 'del':
        return kv.del(op.key);
      case 'keys':
        return kv.keys();
    }
  };
  const start = (): StorageWorker => {
    const w = spawn();
    w.onmessage = (e) => {
      const job = pending.get(e.data.id);
      if (!job) return;
      pending.delete(e.data.id);
      if (e.data.ok) job.resolve(job.op.op === 'get' ? unpack(e.data.value, job.op.typed) : e.data.value);
      else job.reject(replyError(e.data));
    };
    w.onerror = (e) => {
      // Only a worker that failed to load gets here (the handler turns every failure into a reply).
      e.preventDefault();
      w.terminate();
      worker = null;
      const kv = (direct ??= fallback());
      const jobs = [...pending.values()];
      pending.clear();
      for (const job of jobs) runDirect(kv, job.op).then(job.resolve, job.reject);
    };
    return w;
  };
  const run = (op: Op): Promise<unknown> => {
    if (direct) return runDirect(direct, op);
    let w: StorageWorker;
    try {
      w = worker ??= start();
    } catch {
      // No worker here (blocked by a policy): this thread from now on.
      return runDirect((direct = fallback()), op);
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { op, resolve, reject });
      // Packed in slices, then posted in call order (a later small write must not overtake a big one being packed).
      posting = posting.then(async () => {
        try {
          const made: ArrayBuffer[] = [];
          let req: StorageRequest;
          if (op.op === 'set') req = { id, op: 'set', key: op.key, value: await packInSlices(op.value, made) };
          else if (op.op === 'setMany') {
            const entries: Array<[string, unknown]> = [];
            for (const [k, v] of op.entries) entries.push([k, await packInSlices(v, made)]);
            req = { id, op: 'setMany', entries };
          } else if (op.op === 'get') req = { id, op: 'get', key: op.key };
          else req = { id, ...op };
          // The worker failed to load meanwhile: the op already ran through the fallback.
          if (!pending.has(id) || worker !== w) return;
          // Only arrays made by packing are handed over: the caller's own stay usable (the op keeps the values as given).
          w.postMessage(req, made);
        } catch (e) {
          // A value that cannot be cloned (never a state): refused like a failed write.
          if (pending.delete(id)) reject(e);
        }
      });
    });
  };
  return {
    kind: 'indexeddb',
    get: (key, opts) => run({ op: 'get', key, typed: opts?.networks === 'typed' }),
    set: (key, value) => run({ op: 'set', key, value }) as Promise<void>,
    setMany: (entries) => run({ op: 'setMany', entries }) as Promise<void>,
    del: (key) => run({ op: 'del', key }) as Promise<void>,
    keys: () => run({ op: 'keys' }) as Promise<string[]>,
  };
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
      // In a worker where there are workers: a big state's write or read then costs the main thread one pass.
      const kv = typeof Worker === 'function' ? workerKv(() => new Worker(new URL('./storage.worker.ts', import.meta.url), { type: 'module' }) as unknown as StorageWorker) : idbKv();
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
