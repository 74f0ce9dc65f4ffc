/** The storage worker: runs the page's IndexedDB reads and writes off the main thread, one at a time, in order. */
import { createStore, del, get, keys, set, setMany } from 'idb-keyval';
import { DB_NAME, STORE_NAME, type StorageReply, type StorageRequest, buffersOf, handleStorageRequest } from './storageProtocol.ts';

// `self` is typed as a Window under the DOM lib; this is the part of a dedicated worker's scope used here.
const scope = self as unknown as { onmessage: ((e: MessageEvent<StorageRequest>) => void) | null; postMessage(reply: StorageReply, transfer: Transferable[]): void };
const store = createStore(DB_NAME, STORE_NAME);
const db = {
  get: (key: string) => get(key, store),
  set: (key: string, value: unknown) => set(key, value, store),
  setMany: (entries: Array<[string, unknown]>) => setMany(entries, store),
  del: (key: string) => del(key, store),
  keys: () => keys(store),
};
// One request at a time, in the order posted: a write never overtakes an earlier one.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  queue = queue.then(async () => {
    const reply = await handleStorageRequest(e.data, db);
    // A value read is handed over, not copied (the worker keeps nothing).
    scope.postMessage(reply, reply.ok ? buffersOf(reply.value) : []);
  });
};
