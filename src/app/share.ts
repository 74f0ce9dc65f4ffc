/**
 * Sharing and keeping work: the first state (link, else autosave, else defaults), the link and autosave kept
 * in step with the state, presets, JSON export/import and PNG export.
 */
import { SaveError, download, networkJson, openSaves, parseImport, type Saves, unloadCopySupersedes } from '../state/persist.ts';
import { StateError } from '../state/errors.ts';
import type { AppState, Store } from '../state/state.ts';
import { MAX_LINK_LENGTH, hashToPatch, linkBulk, stateToHash } from '../state/urlState.ts';
import { el, messageOf, type Say } from './dom.ts';

export class ShareController {
  private persistTimer = 0;
  private tooBig = false;
  private lastSaved: AppState | null = null;
  private rejected = false;
  private lastLink: string | null = null;
  private readonly fileInput = el<HTMLInputElement>('import-file');
  /** The browser storage, opening from construction on, while the backend starts. */
  private readonly saves: Promise<Saves>;
  /** The same once open (the unload copy is written synchronously). */
  private resolvedSaves: Saves | null = null;
  /** The state last copied to localStorage on leaving the page. */
  private copied: AppState | null = null;
  /** Why the last autosave failed (shown in the note with the JSON export), or null. */
  private saveError: string | null = null;
  /** Off when the autosave could not be read: writing would replace a copy the user has not seen. */
  private autosaving = true;

  constructor(
    private readonly store: Store,
    private readonly say: Say,
    /** The picture as on screen (for Export PNG). */
    private readonly picture: () => Promise<HTMLCanvasElement>,
  ) {
    this.fileInput.addEventListener('change', () => this.importChosenFile());
    el('link-note-export').addEventListener('click', () => this.exportJson());
    el('link-note-rejected').addEventListener('click', () => void this.exportRejected());
    this.saves = openSaves().then(({ saves, notices }) => {
      for (const n of notices) say(n, 'info');
      this.resolvedSaves = saves;
      return saves;
    });
    // Leaving the page: write what the throttle still holds back. IndexedDB does not finish a write started now,
    // so while the newest state is not stored yet it is also copied to localStorage, synchronously (restored at
    // the next start when newer than the database's autosave). Not while saving fails: the note offers Export.
    const flush = () => {
      // The address a reload now goes to still has the link of before the edit (replaced below, too late for it).
      const hashBefore = location.hash;
      const pending = this.persistTimer !== 0;
      if (pending) {
        clearTimeout(this.persistTimer);
        this.persistTimer = 0;
        this.persist();
      }
      const s = this.store.state;
      // Once per state: `visibilitychange` and `pagehide` both come, and the second sees the link already replaced.
      if (s === this.copied || !this.resolvedSaves || !this.autosaving || this.saveError || !(pending || this.resolvedSaves.busy)) return;
      if (this.resolvedSaves.writeUnloadCopy(s, hashBefore)) this.copied = s;
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.hidden && flush());
    // A link pasted into this tab changes only the hash (no reload): apply it like a fresh load.
    window.addEventListener('hashchange', () => {
      try {
        const patch = hashToPatch(location.hash);
        if (patch) store.replace(patch);
      } catch (e) {
        say(messageOf(e));
      }
    });
    // Throttled, not debounced, so a long training run is saved as it goes; big custom networks less often.
    store.subscribe((s) => {
      if (this.persistTimer) return;
      const wait = s.build === 'custom' && s.network.a.length > 4096 ? 2000 : 300;
      this.persistTimer = window.setTimeout(() => {
        this.persistTimer = 0;
        this.persist();
      }, wait);
    });
  }

  /**
   * The first state: the link's (at once), else the autosaved one, else the defaults. Bad input is reported, not
   * applied; an autosave that cannot be restored is kept aside for export. Never rejects.
   */
  async restore(): Promise<void> {
    try {
      const fromLink = hashToPatch(location.hash);
      // The page's own link of before an edit it was left with (a reload within the throttle): the copy wins.
      if (fromLink && !unloadCopySupersedes(location.hash)) {
        this.store.replace(fromLink);
        return;
      }
    } catch (e) {
      this.say(`${messageOf(e)} — showing the last saved state instead.`);
    }
    const basis = this.store.version;
    try {
      const saves = await this.saves;
      // Applied only while nothing else changed the state since startup (a link pasted meanwhile wins).
      const { note } = await saves.restoreAutosave((patch) => void (this.store.version === basis && this.store.replace(patch)));
      if (note) {
        this.say(note);
        this.rejected = true;
        this.updateNote();
      }
    } catch (e) {
      if (e instanceof SaveError) {
        this.autosaving = false;
        this.say(`${e.message} Autosave is off for this page so that copy is not replaced; use Export JSON to keep your work.`);
        return;
      }
      // The autosave's own message in full (messageOf would clip it, cutting off where the copy was kept).
      const why = e instanceof StateError && e.field === 'autosave' ? e.detail : messageOf(e);
      this.say(`The autosaved state ${why}. Starting from the defaults.`);
      this.rejected = true;
      this.updateNote();
    }
  }

  /** Downloads the autosave that could not be restored, as it was saved. */
  private async exportRejected(): Promise<void> {
    const kept = await (await this.saves).rejectedAutosave();
    if (!kept) return this.say('There is no unrestored autosave to export.', 'info');
    download('relu-autosave-unrestored.json', new Blob([kept.text], { type: 'application/json' }));
  }

  /**
   * The note under the plot: the link too big, a failed save (both offer Export JSON), and an autosave that could
   * not be restored (with its own export).
   */
  private updateNote(): void {
    const s = this.store.state;
    const parts: string[] = [];
    if (this.tooBig) {
      // Say what makes it big: the custom units, or the data set the target carries.
      parts.push(`This state is too big for a practical link because of ${this.bulkOf(s)}. Export it as JSON to share or keep it.`);
    }
    if (this.saveError) parts.push(this.saveError);
    if (this.rejected) parts.push('The autosave found at startup could not be restored in full; it is kept aside.');
    el('link-note-text').textContent = parts.join(' ');
    el('link-note-export').hidden = !(this.tooBig || this.saveError);
    el('link-note-rejected').hidden = !this.rejected;
    el('link-note').hidden = parts.length === 0;
  }

  private bulk: { s: AppState; text: string } | null = null;
  /**
   * What makes the state's link long, once per state: at 65,536 units writing the network out to measure it took
   * 300 ms of main thread at every training commit.
   */
  private bulkOf(s: AppState): string {
    if (this.bulk?.s === s) return this.bulk.text;
    const n = s.network.a.length;
    // Every unit costs at least (dim + 2) numbers of 4 characters: past the limit on that floor alone, the units are
    // what makes it long unless a data set does (then measured).
    const floor = n * (s.network.dim + 2) * 4;
    const text = floor > MAX_LINK_LENGTH && s.target.kind !== 'data' ? `its ${n.toLocaleString('en-US')} custom units (over ${floor.toLocaleString('en-US')} characters)` : linkBulk(s);
    this.bulk = { s, text };
    return this.bulk.text;
  }

  /** Writes the link into the address bar (or says why there is none) and autosaves. */
  /**
   * Resolves once the state as it is now is in the browser's storage: the throttled autosave is written at once and
   * every write under way has finished (for scripts that reload the page; the API's `saved()`).
   */
  async saved(): Promise<void> {
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = 0;
    }
    if (this.lastSaved !== this.store.state) this.persist();
    await (await this.saves).idle();
  }

  persist(): void {
    const s = this.store.state;
    // Every custom unit costs at least (dim + 2) numbers of several characters: skip building hopeless links.
    const hopeless = s.build === 'custom' && s.network.a.length * (s.network.dim + 2) * 4 > MAX_LINK_LENGTH;
    const hash = hopeless ? '' : stateToHash(s);
    this.tooBig = hopeless || hash.length > MAX_LINK_LENGTH;
    if (!this.tooBig) {
      history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
      this.lastLink = location.href;
    } else {
      history.replaceState(null, '', `${location.pathname}${location.search}`);
      this.lastLink = null;
    }
    this.updateNote();
    // States are replaced, never changed in place: the same object is already saved (or being saved).
    if (this.autosaving && s !== this.lastSaved) {
      this.lastSaved = s;
      void this.autosave(s);
    }
  }

  private async autosave(s: AppState): Promise<void> {
    let error: string | null;
    try {
      error = await (await this.saves).autosave(s);
    } catch {
      error = "Autosave failed: the browser's storage could not be opened. Use Export JSON to keep this state.";
    }
    // A failed state is tried again at the next persist (copy link, the next change).
    if (error && this.lastSaved === s) this.lastSaved = null;
    // Said once when saving starts failing; the note keeps offering the export while it fails.
    if (error && !this.saveError) this.say(error);
    if (error !== this.saveError) {
      this.saveError = error;
      this.updateNote();
    }
  }

  /** The shareable link of the current state, or null when it is too big for one. */
  link(): string | null {
    this.persist();
    return this.lastLink;
  }

  copyLink(): void {
    const link = this.link();
    if (link === null) return this.say('This state is too big for a link: use Export JSON.', 'info');
    void navigator.clipboard?.writeText(link).then(
      () => this.say('Link copied.', 'info'),
      () => this.say(`Copy this link: ${link}`, 'info'),
    );
  }

  /** Downloads the exact regions of the 2D window (polygons, planes, patterns) as JSON. */
  async exportRegions(regions: { exportJson(s: AppState): Promise<string> }): Promise<void> {
    const s = this.store.state;
    if (s.mode !== '2d') return this.say('Regions are exported from the 2D explorer (Inputs: 2D surface).', 'info');
    this.say('Computing the exact regions…', 'info');
    download('relu-regions.json', new Blob([await regions.exportJson(s)], { type: 'application/json' }));
    this.say('Exported the exact regions.', 'info');
  }

  exportJson(): void {
    download('relu-network.json', new Blob([networkJson(this.store.state.network)], { type: 'application/json' }));
  }

  exportPng(): void {
    void this.picture().then((c) =>
      c.toBlob((blob) => (blob ? download('relu-sandbox.png', blob) : this.say('The picture could not be exported.')), 'image/png'),
    );
  }

  /** A network (engine format) or a saved state; throws and changes nothing on bad input. */
  importText(text: string): AppState {
    const parsed = parseImport(text);
    if (parsed.kind === 'network') return this.store.set(parsed.patch);
    return this.store.replace(parsed.patch);
  }

  chooseImportFile(): void {
    this.fileInput.click();
  }

  private importChosenFile(): void {
    const file = this.fileInput.files?.[0];
    if (!file) return;
    void file.text().then((text) => {
      try {
        this.importText(text);
        this.say(`Imported ${file.name}.`, 'info');
      } catch (e) {
        this.say(`Import failed, nothing changed: ${messageOf(e)}`);
      }
      this.fileInput.value = '';
    });
  }

  /** The names of the saved presets, sorted (none when the storage cannot be read). */
  async presetNames(): Promise<string[]> {
    try {
      return await (await this.saves).presetNames();
    } catch {
      this.say("The presets could not be read from the browser's storage.");
      return [];
    }
  }

  /** Saves the state under a name; false (with a message) when that fails. */
  async savePreset(name: string): Promise<boolean> {
    try {
      const saved = await (await this.saves).savePreset(name, this.store.state);
      this.say(`Saved preset "${saved}".`, 'info');
      return true;
    } catch (e) {
      this.say(e instanceof SaveError ? e.message : messageOf(e));
      if (e instanceof SaveError) this.offerExport(e.message);
      return false;
    }
  }

  /**
   * Replaces the state with a preset's once it is read (a few ms); says why when it cannot. Choosing a preset is a
   * user action, so it applies even if background work (a training step) changed the state meanwhile.
   */
  async loadPreset(name: string): Promise<void> {
    try {
      this.store.replace(await (await this.saves).loadPreset(name));
    } catch (e) {
      this.say(`Preset "${name}" could not be loaded: ${messageOf(e)}`);
    }
  }

  private offerExport(message: string): void {
    this.saveError = message;
    this.updateNote();
  }
}
