/**
 * Keeping work: autosave and named presets in the browser's database (IndexedDB; see storage.ts), and the
 * JSON/PNG exports and the JSON import. Everything read back goes through the store's validation.
 */
import { InvalidNetworkError, validateNetwork, type Network } from '../model/network.ts';
import { firstLine } from '../model/messages.ts';
import { StateError, nestedStateError, refusalText } from './errors.ts';
import { SCHEMA, fieldNames } from './schema.ts';
import { LEGACY_AUTOSAVE_KEY, LEGACY_PRESETS_KEY, LOCAL_PREFIX, StoredValueError, browserLocalStorage, openKv, type KvStore } from './storage.ts';
import type { AppState } from './types.ts';

/** Keys in the store: one entry per preset, so saving one never rewrites the others. */
const AUTOSAVE = 'autosave';
const REJECTED = 'autosave:rejected';
const PRESET = 'preset:';
const MIGRATED = 'meta:migrated-from-localstorage';
/**
 * localStorage keys (in every storage mode) of the copy written synchronously when the page is left while the
 * newest state is not yet in the database (IndexedDB does not finish a write started in `pagehide`), and of the
 * time the last database autosave started (the copy is restored only when it is newer).
 */
export const UNLOAD_COPY_KEY = `${LOCAL_PREFIX}unload-copy`;
export const AUTOSAVED_AT_KEY = `${LOCAL_PREFIX}autosaved-at`;
/**
 * The unload copy in `local` when it is newer than the database's autosave; undefined when there is none, it is
 * stale (another tab saved later, or the write finished after all) or damaged (only a fallback: the database's
 * autosave is restored, and reported if damaged).
 */
function readUnloadCopy(local: Storage | null): { hash: string; state: object } | { damaged: string } | undefined {
  if (!local) return undefined;
  let text: string | null;
  try {
    text = local.getItem(UNLOAD_COPY_KEY);
  } catch {
    return undefined;
  }
  if (text === null) return undefined;
  try {
    const copy = JSON.parse(text) as { at?: unknown; hash?: unknown; state?: unknown };
    if (typeof copy !== 'object' || copy === null || typeof copy.at !== 'number' || typeof copy.state !== 'object' || copy.state === null) return { damaged: text };
    const savedAt = Number(local.getItem(AUTOSAVED_AT_KEY) ?? Number.NEGATIVE_INFINITY);
    // Equal times: the copy was written right after that write started, in the same millisecond (it is as new).
    if (!(copy.at >= savedAt)) return undefined;
    return { hash: typeof copy.hash === 'string' ? copy.hash : '', state: copy.state };
  } catch {
    return { damaged: text };
  }
}

/**
 * Whether the address's state link `hash` is the one this page wrote before it was left with a newer unload copy
 * (a reload within the autosave's throttle): then the copy, not that stale link, is the state to restore. A link
 * pasted or opened from elsewhere differs and wins as always.
 */
export function unloadCopySupersedes(hash: string, local: Storage | null = browserLocalStorage()): boolean {
  const copy = readUnloadCopy(local);
  return copy !== undefined && 'hash' in copy && copy.hash === hash;
}

/** Largest copy written at unload (characters): localStorage holds about 5 MB in all, and the presets may live there. */
const MAX_UNLOAD_COPY = 1_000_000;

/**
 * The state as stored: the fields the schema keeps (constructed networks are rebuilt on load, custom ones kept; the
 * other mode's too, so its constructed network is left out). Not a copy: it shares the state's objects and arrays,
 * which are never changed in place (a change replaces them), and every store copies what it is given (packing,
 * JSON, a structured clone); copying 65,536 units here first doubled the work of every save.
 */
export function storableState(s: AppState): Partial<AppState> {
  const out: Partial<Record<keyof AppState, unknown>> = {};
  for (const k of fieldNames(SCHEMA)) if (SCHEMA[k].kept(s)) out[k] = s[k];
  const other = s.other;
  if (other && other.build !== 'custom') {
    // Rebuilt from its inputs when its mode is shown again (see checkOther in state.ts): not worth storing.
    const { network: _built, ...rest } = other;
    out.other = rest;
  }
  return out as Partial<AppState>;
}

/** A save the browser refused (storage full, blocked); the message is for the user, in plain words. */
export class SaveError extends Error {
  override name = 'SaveError';
}

/** An autosave that could not be restored, kept aside so it can be exported: `text` is what was saved. */
export interface RejectedAutosave {
  text: string;
  reason: string;
  /** When it was set aside (ms since 1970). */
  at: number;
}

/** Why the browser refused a write, in words a user understands (never the browser's own exception text). */
export function refusal(e: unknown): string {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  const text = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError' || /quota|storage.*full|disk.*full/i.test(text)) return "the browser's storage for this page is full";
  return 'the browser refused to store it';
}

function saveFailure(what: string, e: unknown): string {
  return `${what} failed: ${refusal(e)}. The last good save is kept; use Export JSON to keep this state.`;
}

/**
 * About how long `v`'s JSON is, with each long numeric array measured on a sample of at most 256 of its entries
 * (evenly spaced) and scaled: a state far over a size limit is known without stringifying it.
 */
export function estimateJsonLength(v: unknown, depth = 8): number {
  if (typeof v === 'string') return v.length + 2;
  if (v === null || typeof v !== 'object' || depth === 0) return String(v).length;
  if (ArrayBuffer.isView(v) || (Array.isArray(v) && v.length > 256 && typeof v[0] === 'number')) {
    const list = v as unknown as ArrayLike<number>;
    const n = list.length ?? 0;
    if (n === 0) return 2;
    const k = Math.min(n, 256);
    let chars = 0;
    for (let i = 0; i < k; i++) chars += String(list[Math.floor((i * n) / k)]).length + 1;
    return 2 + Math.round((chars * n) / k);
  }
  if (Array.isArray(v)) {
    let n = 2;
    for (const x of v) n += estimateJsonLength(x, depth - 1) + 1;
    return n;
  }
  let n = 2;
  for (const [k, x] of Object.entries(v)) n += k.length + 4 + estimateJsonLength(x, depth - 1);
  return n;
}

/**
 * Autosave and presets over a KvStore. Autosaves are coalesced: while one write runs, later calls only replace
 * the value waiting to be written, so a drag queues at most one write and the newest state is always the last
 * one written (writes are issued one at a time, in order).
 */
export class Saves {
  /** The newest state waiting to be written: packed only when its write starts, so a superseded one costs nothing. */
  private waiting: { state: AppState; done: Array<(error: string | null) => void> } | null = null;
  private writing: Promise<void> | null = null;

  /** `local` holds the copy written at unload and the last autosave's time (null: no such copy). */
  constructor(
    readonly kv: KvStore,
    private readonly local: Storage | null = null,
  ) {}

  /** Whether an autosave is waiting or being written (the newest state is not yet known to be stored). */
  get busy(): boolean {
    return this.writing !== null;
  }

  /**
   * Writes `s` synchronously to localStorage, for a page that is being left before its autosave is stored; the
   * next start restores it when it is newer than the database's autosave. False when it was not written (too
   * big, or refused: then only the database's copy remains, as before).
   */
  writeUnloadCopy(s: AppState, hash = ''): boolean {
    if (!this.local) return false;
    try {
      const stored = storableState(s);
      // A 65,536-unit state's JSON takes 100+ ms to build on the page's way out, only to be refused for its size:
      // one estimated at over twice the limit is not built.
      if (estimateJsonLength(stored) > 2 * MAX_UNLOAD_COPY) return false;
      const text = JSON.stringify({ at: Date.now(), hash, state: stored });
      if (text.length > MAX_UNLOAD_COPY) return false;
      this.local.setItem(UNLOAD_COPY_KEY, text);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The copy written at unload when it is newer than the database's autosave, or its text when it is damaged (then
   * taken out of localStorage either way).
   */
  private takeUnloadCopy(): { state: object } | { damaged: string } | undefined {
    const copy = readUnloadCopy(this.local);
    try {
      this.local?.removeItem(UNLOAD_COPY_KEY);
    } catch {
      // Left there it is stale by the next autosave's time.
    }
    return copy;
  }

  /** Saves the state (coalesced); resolves with null once it (or a newer state) is stored, or with a plain message why not. */
  autosave(s: AppState): Promise<string | null> {
    return new Promise((resolve) => {
      const done = this.waiting?.done ?? [];
      done.push(resolve);
      this.waiting = { state: s, done };
      this.writing ??= this.drain();
    });
  }

  /** Remembers when the stored autosave's write started: a copy written at unload before then is older. */
  private noteAutosaved(startedAt: number): void {
    try {
      this.local?.setItem(AUTOSAVED_AT_KEY, String(startedAt));
    } catch {
      // Without the time a later unload copy still wins over this save, which it is newer than.
    }
  }

  /** Resolves once no autosave is waiting or being written. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting) {
        const job = this.waiting;
        this.waiting = null;
        let error: string | null = null;
        const startedAt = Date.now();
        try {
          await this.kv.set(AUTOSAVE, storableState(job.state));
          this.noteAutosaved(startedAt);
        } catch (e) {
          error = saveFailure('Autosave', e);
        }
        for (const resolve of job.done) resolve(error);
      }
    } finally {
      this.writing = null;
    }
  }

  /**
   * Hands the autosaved state (an unvalidated patch) to `apply`, e.g. `Store.replace`; `restored` is false when
   * there is none. When it cannot be restored (damaged JSON, or `apply` throws) it is kept aside (see
   * `rejectedAutosave`) before the next autosave can replace it, and a StateError says why. When only the other
   * mode's settings are bad, the rest is restored, the whole copy kept aside, and `note` says so. Read failures
   * throw a SaveError.
   */
  async restoreAutosave(apply: (patch: unknown) => void): Promise<{ restored: boolean; note: string | null }> {
    let saved: unknown;
    // The copy of a page left within the autosave's throttle (or mid-write) is newer than the database's autosave.
    const copy = this.takeUnloadCopy();
    // A damaged one is reported and kept aside (never dropped in silence); the database's autosave is restored.
    let damagedNote: string | null = null;
    if (copy !== undefined && 'damaged' in copy) {
      const where = await this.keepAside(copy.damaged, 'the copy written as the page was left is not valid JSON (it was damaged)');
      damagedNote = `The newest autosave, written as the page was left, was damaged and could not be restored; the autosave before it is restored instead, and ${where.replace(/^the /, 'the damaged ')}.`;
    }
    if (copy !== undefined && 'state' in copy) {
      saved = copy.state;
    } else {
      try {
        // A network's arrays stay typed: the store's validation copies them (the one copy of a 65,536-unit network).
        saved = await this.kv.get(AUTOSAVE, { networks: 'typed' });
      } catch (e) {
        if (e instanceof StoredValueError) return this.reject(e.raw, 'it is not valid JSON (it was damaged)');
        throw new SaveError('The autosaved state could not be read from the browser\'s storage.');
      }
    }
    if (saved === undefined || saved === null) return { restored: false, note: damagedNote?.replace('the autosave before it is restored instead', 'there is no earlier autosave, so the page starts from the defaults') ?? null };
    // Saves moved over from localStorage are still the JSON text they were there.
    if (typeof saved === 'string') {
      try {
        saved = JSON.parse(saved);
      } catch {
        return this.reject(saved as string, 'it is not valid JSON (it was damaged)');
      }
    }
    try {
      apply(saved);
    } catch (e) {
      // "units: must be …", not "Invalid state: units: must be …" inside the autosave's own message.
      const reason = refusalText(e);
      // Only the other mode's settings are bad: the work on screen is restored, the whole copy kept aside.
      if (e instanceof StateError && /^other\b/.test(e.field) && typeof saved === 'object' && Object.hasOwn(saved as object, 'other')) {
        const rest: Record<string, unknown> = { ...(saved as Record<string, unknown>) };
        delete rest.other;
        try {
          apply(rest);
        } catch {
          return this.reject(saved, reason);
        }
        const where = await this.keepAside(saved, reason);
        return { restored: true, note: `The autosaved state was restored without the other mode's settings (${reason}); ${where}.` };
      }
      return this.reject(saved, reason);
    }
    return { restored: true, note: damagedNote };
  }

  /** Keeps `value` under the rejected key; says where it is, for the user. */
  private async keepAside(value: unknown, reason: string): Promise<string> {
    const kept: RejectedAutosave = { text: typeof value === 'string' ? value : JSON.stringify(value, plainArrays), reason, at: Date.now() };
    try {
      await this.kv.set(REJECTED, kept);
      return 'the saved copy is kept aside (Export the unrestored autosave, in the note under the readouts)';
    } catch {
      return 'the saved copy could not be kept aside (the browser refused to store it)';
    }
  }

  private async reject(value: unknown, reason: string): Promise<never> {
    // The reason is clipped on its own, so what the user can do (after it) is never cut off.
    throw new StateError('autosave', `could not be restored: ${firstLine(reason)}; ${await this.keepAside(value, reason)}`);
  }

  /** The last autosave that could not be restored, or null. */
  async rejectedAutosave(): Promise<RejectedAutosave | null> {
    const v = await this.kv.get(REJECTED).catch(() => undefined);
    return typeof v === 'object' && v !== null && typeof (v as RejectedAutosave).text === 'string' ? (v as RejectedAutosave) : null;
  }

  /** The names of the saved presets, sorted. */
  async presetNames(): Promise<string[]> {
    return (await this.kv.keys())
      .filter((k) => k.startsWith(PRESET))
      .map((k) => k.slice(PRESET.length))
      .sort();
  }

  /**
   * Saves the state's kept fields under a name (1 to 60 characters after trimming), replacing any preset of that
   * name; returns the trimmed name. Throws StateError for a bad name, SaveError when the browser refuses.
   */
  async savePreset(name: string, s: AppState): Promise<string> {
    const trimmed = checkName(name);
    try {
      await this.kv.set(PRESET + trimmed, storableState(s));
    } catch (e) {
      throw new SaveError(`Preset "${trimmed}" was not saved: ${refusal(e)}. Use Export JSON to keep this state.`);
    }
    return trimmed;
  }

  /**
   * The preset's state as an unvalidated patch (for `Store.replace`; a network's arrays may be Float64Arrays, which
   * validation copies); throws StateError when there is none of that name.
   */
  async loadPreset(name: string): Promise<unknown> {
    let v: unknown;
    try {
      v = await this.kv.get(PRESET + name, { networks: 'typed' });
    } catch (e) {
      if (e instanceof StoredValueError) throw new StateError('preset', `"${name}" is damaged (not valid JSON)`);
      throw new SaveError(`Preset "${name}" could not be read from the browser's storage.`);
    }
    if (v === undefined) throw new StateError('preset', `no preset named "${name}"`);
    return v;
  }

  /** Removes a preset (nothing happens when there is none of that name). */
  async deletePreset(name: string): Promise<void> {
    await this.kv.del(PRESET + name);
  }
}

/** A JSON.stringify replacer: a network's arrays read back typed (see KvStore.get) are written as the arrays they were. */
function plainArrays(_key: string, v: unknown): unknown {
  return v instanceof Float64Array ? Array.from(v) : v;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 60) throw new StateError('preset', 'a preset name needs 1 to 60 characters');
  return trimmed;
}

/**
 * Moves saves kept in localStorage into `kv`, once: those made before IndexedDB (one key for the autosave, one
 * for all presets) and presets saved in localStorage fallback mode. The copies and a marker are written in one
 * step, and only then are the old keys removed; a value already in `kv` wins, and an old key not copied stays.
 * In fallback mode only the old presets key is split into one key per preset (the autosave keeps its key).
 * Returns a message when something could not be moved (nothing is lost: it stays in localStorage).
 */
export async function migrateLegacy(kv: KvStore, storage: Storage | null): Promise<string | null> {
  if (!storage || kv.kind === 'memory') return null;
  if ((await kv.get(MIGRATED)) !== undefined) return null;
  const toIdb = kv.kind === 'indexeddb';
  const have = new Set(await kv.keys());
  const entries: Array<[string, unknown]> = [];
  const moved: string[] = [];
  let note: string | null = null;
  // The autosave moves as its text: restoring it validates it (and reports a damaged one) like any autosave.
  const auto = storage.getItem(LEGACY_AUTOSAVE_KEY);
  if (toIdb && auto !== null && !have.has(AUTOSAVE)) {
    entries.push([AUTOSAVE, auto]);
    moved.push(LEGACY_AUTOSAVE_KEY);
  }
  const presetsText = storage.getItem(LEGACY_PRESETS_KEY);
  if (presetsText !== null) {
    let presets: unknown;
    try {
      presets = JSON.parse(presetsText);
    } catch {
      presets = undefined;
    }
    if (typeof presets === 'object' && presets !== null && !Array.isArray(presets)) {
      for (const name of Object.keys(presets)) {
        if (!have.has(PRESET + name)) entries.push([PRESET + name, (presets as Record<string, unknown>)[name]]);
      }
      moved.push(LEGACY_PRESETS_KEY);
    } else {
      note = `The presets saved before this version could not be read (damaged); they are left in localStorage under "${LEGACY_PRESETS_KEY}".`;
    }
  }
  if (toIdb) {
    // Presets saved while the database was refused (fallback mode), one key each.
    const damaged: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (!k?.startsWith(LOCAL_PREFIX + PRESET)) continue;
      const text = storage.getItem(k);
      const key = k.slice(LOCAL_PREFIX.length);
      try {
        if (text !== null && !have.has(key)) entries.push([key, JSON.parse(text)]);
        moved.push(k);
      } catch {
        // A damaged one stays where it is, and is reported.
        damaged.push(key.slice(PRESET.length));
      }
    }
    if (damaged.length > 0) {
      const names = damaged.map((n) => `"${n.length > 40 ? `${n.slice(0, 40)}…` : n}"`).join(', ');
      const said = `${damaged.length === 1 ? 'The preset' : 'The presets'} ${names} could not be read (damaged); ${damaged.length === 1 ? 'it is' : 'they are'} left in localStorage.`;
      note = note ? `${note} ${said}` : said;
    }
  }
  entries.push([MIGRATED, { at: Date.now() }]);
  try {
    await kv.setMany(entries);
  } catch (e) {
    return `The saves from before this version could not be moved (${refusal(e)}); they stay in localStorage.`;
  }
  for (const key of moved) storage.removeItem(key);
  return note;
}

/**
 * Opens the browser storage (IndexedDB, else localStorage, else memory), moves the old localStorage saves over,
 * and returns the Saves with any messages the user should see once.
 */
export async function openSaves(opts: { timeoutMs?: number } = {}): Promise<{ saves: Saves; notices: string[] }> {
  const { kv, notice } = await openKv({ timeoutMs: opts.timeoutMs, probe: MIGRATED });
  const notices = notice ? [notice] : [];
  try {
    const moved = await migrateLegacy(kv, browserLocalStorage());
    if (moved) notices.push(moved);
  } catch {
    notices.push("The saves from before this version could not be moved to the browser's database; they stay in localStorage.");
  }
  return { saves: new Saves(kv, browserLocalStorage()), notices };
}

/** The network in the engine's JSON format. */
export function networkJson(net: Network): string {
  return JSON.stringify({ dim: net.dim, w: net.w, b: net.b, a: net.a, c: net.c });
}

/**
 * Reads an imported JSON text: a network in the engine format (`{dim, w, b, a, c}`) or a saved state
 * (`{network, target, …}`). Returns the patch to apply; throws a StateError naming what is wrong.
 */
export function parseImport(text: string): { kind: 'network' | 'state'; patch: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the engine's own wording ("Unexpected token 'x', \"xyz\" is not valid JSON"): it means nothing to a user.
    throw new StateError('json', 'not valid JSON: use a file saved with Export JSON, or a network as {"dim", "w", "b", "a", "c"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StateError('json', 'must be a JSON object');
  if (Object.hasOwn(value, 'dim')) {
    try {
      return { kind: 'network', patch: { network: validateNetwork(value) } };
    } catch (e) {
      // The field under "network", once: "Invalid state: network.a[3]: …", not "network: Invalid network: a[3]: …".
      if (e instanceof InvalidNetworkError) throw nestedStateError('network', e);
      throw e;
    }
  }
  return { kind: 'state', patch: value as Record<string, unknown> };
}

/** Starts a download of `data` under `name`. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
