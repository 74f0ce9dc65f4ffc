import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVED_AT_KEY, Saves, UNLOAD_COPY_KEY } from '../../src/state/persist.ts';
import { idbKv } from '../../src/state/storage.ts';
import { Store, initialState, type AppState } from '../../src/state/state.ts';

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

const withUnits = (units: number): AppState => ({ ...initialState(), units });
async function restore(saves: Saves): Promise<{ units: number | null; note: string | null }> {
  const store = new Store(initialState());
  const r = await saves.restoreAutosave((p) => store.replace(p));
  return { units: r.restored ? store.state.units : null, note: r.note };
}

let local: Storage;
let now = 1_000;
beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
  local = memoryStorage();
  now = 1_000;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
});

describe('the copy written when the page is left before its autosave is stored', () => {
  it('is restored when newer than the database autosave, once', async () => {
    const saves = new Saves(idbKv(), local);
    expect(await saves.autosave(withUnits(20))).toBeNull();
    expect(local.getItem(AUTOSAVED_AT_KEY)).toBe('1000');
    now = 2_000;
    // The edit within the throttle: only the unload copy has it.
    expect(saves.writeUnloadCopy(withUnits(21))).toBe(true);
    expect(await restore(new Saves(idbKv(), local))).toEqual({ units: 21, note: null });
    // Taken out: a later start reads the database (which the restored state's autosave then updates).
    expect(local.getItem(UNLOAD_COPY_KEY)).toBeNull();
    expect((await restore(new Saves(idbKv(), local))).units).toBe(20);
  });

  it('loses to a database autosave that started after it (another tab, or the write finished after all)', async () => {
    const saves = new Saves(idbKv(), local);
    expect(saves.writeUnloadCopy(withUnits(33))).toBe(true);
    now = 3_000;
    await saves.autosave(withUnits(34));
    expect((await restore(new Saves(idbKv(), local))).units).toBe(34);
    expect(local.getItem(UNLOAD_COPY_KEY)).toBeNull();
  });

  it('wins over a write that was still running when the page was left', async () => {
    const saves = new Saves(idbKv(), local);
    const writing = saves.autosave(withUnits(40));
    now = 1_500;
    expect(saves.busy).toBe(true);
    saves.writeUnloadCopy(withUnits(41));
    await writing;
    expect((await restore(new Saves(idbKv(), local))).units).toBe(41);
  });

  it('is reported and kept aside when damaged, and the database autosave is restored (or reported) as before', async () => {
    const saves = new Saves(idbKv(), local);
    await saves.autosave(withUnits(12));
    local.setItem(UNLOAD_COPY_KEY, '{"at": 5000, "state": ');
    const got = await restore(new Saves(idbKv(), local));
    expect(got.units).toBe(12);
    expect(got.note).toMatch(/^The newest autosave, written as the page was left, was damaged .*the autosave before it is restored instead, and the damaged saved copy is kept aside/);
    expect((await new Saves(idbKv(), local).rejectedAutosave())!.text).toBe('{"at": 5000, "state": ');
    local.setItem(UNLOAD_COPY_KEY, JSON.stringify({ at: 9_000, state: { units: 'many' } }));
    await expect(restore(new Saves(idbKv(), local))).rejects.toThrow(/could not be restored/);
  });

  it('is reported when damaged and there is no earlier autosave: the page starts from the defaults', async () => {
    local.setItem(UNLOAD_COPY_KEY, 'not json');
    const got = await restore(new Saves(idbKv(), local));
    expect(got.units).toBeNull();
    expect(got.note).toMatch(/was damaged .*there is no earlier autosave, so the page starts from the defaults/);
  });

  it('is not written without localStorage or when too big', () => {
    expect(new Saves(idbKv(), null).writeUnloadCopy(withUnits(5))).toBe(false);
    const s = withUnits(5);
    const big = { ...s, network: { ...s.network, w: new Array(400_000).fill(0.123456789) } } as unknown as AppState;
    // storableState keeps only custom networks; a too-big copy is refused either way, never thrown.
    expect(typeof new Saves(idbKv(), local).writeUnloadCopy(big)).toBe('boolean');
  });
});
