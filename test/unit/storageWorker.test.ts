import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createStore, del, get, keys, set, setMany } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import { Saves } from '../../src/state/persist.ts';
import { Store, initialState, type AppState } from '../../src/state/state.ts';
import { DB_NAME, STORE_NAME, type RawStore, type StorageReply, type StorageRequest, buffersOf, handleStorageRequest } from '../../src/state/storageProtocol.ts';
import { type StorageWorker, idbKv, memoryKv, pack, packInSlices, unpack, workerKv } from '../../src/state/storage.ts';

const g = globalThis as { indexedDB?: IDBFactory };

/** The worker's database operations, over the test's fake IndexedDB (what storage.worker.ts runs). */
function rawStore(): RawStore {
  const store = createStore(DB_NAME, STORE_NAME);
  return { get: (k) => get(k, store), set: (k, v) => set(k, v, store), setMany: (e) => setMany(e, store), del: (k) => del(k, store), keys: () => keys(store) };
}

/** A stand-in storage worker: structured clones with transfer both ways, the real handler, one request at a time. */
class FakeStorageWorker implements StorageWorker {
  onmessage: ((e: MessageEvent<StorageReply>) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  posted: Array<{ req: StorageRequest; transfer: Transferable[] }> = [];
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly db: RawStore = rawStore()) {}
  postMessage(req: StorageRequest, transfer: Transferable[]): void {
    this.posted.push({ req, transfer });
    const copy = structuredClone(req, { transfer });
    this.queue = this.queue.then(async () => {
      await new Promise((r) => setTimeout(r, 0));
      const reply = await handleStorageRequest(copy, this.db);
      const back = structuredClone(reply, { transfer: reply.ok ? buffersOf(reply.value) : [] });
      this.onmessage?.({ data: back } as MessageEvent<StorageReply>);
    });
  }
  terminate(): void {}
}

/** A 2D state with a custom network of n units (its arrays are the ones a save must pack). */
function bigState(n: number, c = 0.25): AppState {
  const store = new Store(initialState());
  const w = Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 2);
  const b = Array.from({ length: n }, (_, i) => (i === 3 ? -0 : Math.cos(i) * 1e-300 + i * 1e-3));
  const a = Array.from({ length: n }, (_, i) => ((i % 7) - 3) * 1e-4);
  store.set({ network: { dim: 2, w, b, a, c } });
  return store.state;
}

beforeEach(() => {
  g.indexedDB = new IDBFactory();
});

describe('IndexedDB through the storage worker', () => {
  it('round-trips a big state exactly; only the arrays packed for the write are transferred, the state keeps its own', async () => {
    const worker = new FakeStorageWorker();
    const kv = workerKv(() => worker);
    // 20,000 units: w (40,000 numbers) is packed in slices, a task each.
    const s = bigState(20_000);
    const saves = new Saves(kv);
    expect(await saves.autosave(s)).toBeNull();
    const { req, transfer } = worker.posted.find((p) => p.req.op === 'set')!;
    const value = (req as { value: { network: { w: unknown; b: unknown; a: unknown } } }).value;
    expect(value.network.w).toBeInstanceOf(Float64Array);
    expect(transfer).toHaveLength(3);
    // The state's arrays are untouched (a transferred array would be emptied).
    expect(s.network.w).toHaveLength(40_000);
    // What the database holds is what the page reads through IndexedDB directly, too.
    const direct = (await idbKv().get('autosave')) as { network: AppState['network'] };
    expect(direct.network.w).toEqual(s.network.w);
    const store = new Store(initialState());
    expect((await new Saves(workerKv(() => new FakeStorageWorker())).restoreAutosave((p) => store.replace(p))).restored).toBe(true);
    expect(store.state.network.w).toEqual(s.network.w);
    expect(Object.is(store.state.network.b[3], -0)).toBe(true);
    expect(store.state.network.c).toBe(0.25);
  });

  it('reads a network back typed for the restore (validation makes the one copy) and every other array plain', async () => {
    const kv = workerKv(() => new FakeStorageWorker());
    const s = bigState(1000, 3);
    const xs = Array.from({ length: 100 }, (_, i) => i / 10);
    await kv.set('v', { network: s.network, other: { network: s.network, target: { kind: 'data', xs, ys: xs } }, list: [xs] });
    const typed = (await kv.get('v', { networks: 'typed' })) as { network: { w: unknown; b: unknown; a: unknown }; other: { network: { w: unknown }; target: { xs: unknown } }; list: unknown[] };
    expect(typed.network.w).toBeInstanceOf(Float64Array);
    expect(typed.network.a).toBeInstanceOf(Float64Array);
    expect(typed.other.network.w).toBeInstanceOf(Float64Array);
    expect(typed.other.target.xs).toEqual(xs);
    expect(typed.list[0]).toEqual(xs);
    expect(Array.from(typed.network.w as Float64Array)).toEqual(s.network.w);
    // IndexedDB on this thread (the worker's fallback) reads it the same way.
    expect(((await idbKv().get('v', { networks: 'typed' })) as { network: { w: unknown } }).network.w).toBeInstanceOf(Float64Array);
    // The default read stays plain, as every other caller expects.
    expect(((await kv.get('v')) as { network: { w: unknown } }).network.w).toEqual(s.network.w);
    expect(unpack(pack({ dim: 2, w: s.network.w }), true)).toEqual({ dim: 2, w: Float64Array.from(s.network.w) });

    // The restore: the store validates the typed arrays into plain ones, exactly.
    const saves = new Saves(kv);
    expect(await saves.autosave(s)).toBeNull();
    const store = new Store(initialState());
    expect((await saves.restoreAutosave((p) => store.replace(p))).restored).toBe(true);
    expect(Array.isArray(store.state.network.w)).toBe(true);
    expect(store.state.network.w).toEqual(s.network.w);
    expect(Object.is(store.state.network.b[3], -0)).toBe(true);
    // A refused restore keeps the copy aside as the JSON it was saved as (arrays, not typed arrays' index objects).
    await expect(saves.restoreAutosave(() => {
      throw new Error('refused');
    })).rejects.toThrow(/could not be restored/);
    const kept = JSON.parse((await saves.rejectedAutosave())!.text) as { network: { w: unknown } };
    expect(kept.network.w).toEqual(s.network.w);
    // A preset comes back the same way.
    await saves.savePreset('p', s);
    const preset = (await saves.loadPreset('p')) as { network: { w: unknown } };
    expect(preset.network.w).toBeInstanceOf(Float64Array);
    const other = new Store(initialState());
    other.replace(preset);
    expect(other.state.network.w).toEqual(s.network.w);
  });

  it('keeps writes in order: after many autosaves the newest is stored', async () => {
    const kv = workerKv(() => new FakeStorageWorker());
    const saves = new Saves(kv);
    const states = [1, 2, 3, 4, 5].map((c) => bigState(100, c));
    const results = await Promise.all(states.map((s) => saves.autosave(s)));
    expect(results).toEqual([null, null, null, null, null]);
    expect(((await kv.get('autosave')) as { network: { c: number } }).network.c).toBe(5);
    await kv.setMany([
      ['preset:a', { units: 3 }],
      ['preset:b', { units: 4 }],
    ]);
    expect((await kv.keys()).sort()).toEqual(['autosave', 'preset:a', 'preset:b']);
    await kv.del('preset:a');
    expect(await kv.get('preset:a')).toBeUndefined();
  });

  it('a refused write says so in plain words, and the last good save survives', async () => {
    const db = rawStore();
    let full = false;
    const refusing: RawStore = {
      ...db,
      set: async (k, v) => {
        if (full) throw new DOMException("Failed to execute 'put' on 'IDBObjectStore': quota", 'QuotaExceededError');
        return db.set(k, v);
      },
    };
    const kv = workerKv(() => new FakeStorageWorker(refusing));
    const saves = new Saves(kv);
    expect(await saves.autosave(bigState(100, 1))).toBeNull();
    full = true;
    const msg = await saves.autosave(bigState(100, 2));
    expect(msg).toMatch(/^Autosave failed: the browser's storage for this page is full\. The last good save is kept; use Export JSON/);
    expect(msg).not.toMatch(/Failed to execute|QuotaExceededError|IDBObjectStore/);
    expect(((await kv.get('autosave')) as { network: { c: number } }).network.c).toBe(1);
  });

  it('falls back to this thread for pending and later operations when the worker fails to load, from the values as given', async () => {
    const fallback = memoryKv();
    let failed: StorageWorker | null = null;
    const kv = workerKv(() => {
      const w: StorageWorker = {
        onmessage: null,
        onerror: null,
        postMessage: () => setTimeout(() => w.onerror?.({ preventDefault() {} } as Event), 0),
        terminate: () => void (failed = w),
      };
      return w;
    }, () => fallback);
    const s = bigState(1000, 7);
    await kv.set('autosave', { network: s.network });
    expect(failed).not.toBeNull();
    expect(((await fallback.get('autosave')) as { network: { w: number[] } }).network.w).toEqual(s.network.w);
    await kv.set('x', 1);
    expect(await fallback.get('x')).toBe(1);
  });

  it('falls back at once where no worker can start', async () => {
    const fallback = memoryKv();
    const kv = workerKv(() => {
      throw new Error('blocked');
    }, () => fallback);
    await kv.set('k', [1, 2, 3]);
    expect(await kv.get('k')).toEqual([1, 2, 3]);
    expect(await fallback.keys()).toEqual(['k']);
  });
});

describe('packing in slices', () => {
  it('gives what pack gives, for long arrays, nested ones and arrays that are not all numbers', async () => {
    const long = Array.from({ length: 40_000 }, (_, i) => (i === 5 ? -0 : i * 1.5e-300 + (i % 3) * 1e15));
    const mixed: unknown[] = long.slice();
    mixed[30_000] = 'x';
    const v = JSON.parse('{"__proto__": {"a": [1, 2]}}') as Record<string, unknown>;
    Object.assign(v, { long, mixed, nested: [long.slice(0, 100), [1, 2], null], small: long.slice(0, 80) });
    const made: ArrayBuffer[] = [];
    const sliced = (await packInSlices(v, made)) as Record<string, unknown>;
    expect(sliced.long).toBeInstanceOf(Float64Array);
    expect(Array.isArray(sliced.mixed)).toBe(true);
    expect(sliced).toEqual(pack(v));
    // long, nested[0] and small: every buffer made, none of the caller's.
    expect(made).toHaveLength(3);
    const back = unpack(sliced) as Record<string, unknown>;
    expect(back).toEqual(v);
    expect(Object.is((back.long as number[])[5], -0)).toBe(true);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
  });
});
