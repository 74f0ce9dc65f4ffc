/**
 * What the page and the storage worker say to each other. The database is written and read in a worker because
 * IndexedDB serializes a value on the calling thread: putting a 65,536-unit 2D state (2 MB of Float64Arrays) took
 * 50–300 ms of main thread under load, reading it back as long, while handing the same arrays to a worker takes
 * none (they are transferred, not copied). Values travel packed (see `pack` in storage.ts) both ways.
 */

/** The database and object store of this app (one store, string keys). */
export const DB_NAME = 'relu-sandbox';
export const STORE_NAME = 'kv';

/** One key-value operation. */
export type StorageRequest =
  | { id: number; op: 'get'; key: string }
  | { id: number; op: 'set'; key: string; value: unknown }
  | { id: number; op: 'setMany'; entries: Array<[string, unknown]> }
  | { id: number; op: 'del'; key: string }
  | { id: number; op: 'keys' };

/** Its answer: the value read (for get and keys), or the error's name and message (for `refusal` to word). */
export type StorageReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; name: string; message: string };

/** The raw database operations the worker runs (idb-keyval over the app's store; values stored as they come). */
export interface RawStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  setMany(entries: Array<[string, unknown]>): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<IDBValidKey[]>;
}

/** Runs one request; never rejects (every failure becomes a reply). */
export async function handleStorageRequest(req: StorageRequest, db: RawStore): Promise<StorageReply> {
  try {
    switch (req.op) {
      case 'get':
        return { id: req.id, ok: true, value: await db.get(req.key) };
      case 'set':
        await db.set(req.key, req.value);
        return { id: req.id, ok: true };
      case 'setMany':
        await db.setMany(req.entries);
        return { id: req.id, ok: true };
      case 'del':
        await db.del(req.key);
        return { id: req.id, ok: true };
      case 'keys':
        return { id: req.id, ok: true, value: (await db.keys()).filter((k): k is string => typeof k === 'string') };
    }
  } catch (e) {
    const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : 'Error';
    return { id: req.id, ok: false, name, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The buffers of the Float64Arrays in `v` (a packed value), to transfer rather than copy. */
export function buffersOf(v: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (v instanceof Float64Array) {
    if (v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
  } else if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null) buffersOf(x, out);
  } else if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) buffersOf((v as Record<string, unknown>)[k], out);
  }
  return out;
}

/** The error a failed reply stands for: a DOMException of the same name where there is one (so `refusal` words it). */
export function replyError(reply: { name: string; message: string }): Error {
  if (typeof DOMException !== 'undefined') return new DOMException(reply.message, reply.name) as unknown as Error;
  return Object.assign(new Error(reply.message), { name: reply.name });
}
