/**
 * Sharing and keeping work: the first state (link, else autosave, else defaults), the link and autosave kept
 * in step with the state, presets, JSON export/import and PNG export.
 */
import { autosave, download, loadAutosave, loadPreset, networkJson, parseImport, presetNames, savePreset } from '../state/persist.ts';
import type { AppState, Store } from '../state/state.ts';
import { MAX_LINK_LENGTH, hashToPatch, linkBulk, stateToHash } from '../state/urlState.ts';
import { el, messageOf, type Say } from './dom.ts';

export class ShareController {
  private persistTimer = 0;
  private lastLink: string | null = null;
  private readonly fileInput = el<HTMLInputElement>('import-file');

  constructor(
    private readonly store: Store,
    private readonly say: Say,
    /** The picture as on screen (for Export PNG). */
    private readonly picture: () => Promise<HTMLCanvasElement>,
  ) {
    this.fileInput.addEventListener('change', () => this.importChosenFile());
    el('link-note-export').addEventListener('click', () => this.exportJson());
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

  /** The first state: the link's, else the autosaved one, else the defaults. Bad input is reported, not applied. */
  restore(): void {
    try {
      const fromLink = hashToPatch(location.hash);
      if (fromLink) {
        this.store.replace(fromLink);
        return;
      }
    } catch (e) {
      this.say(`${messageOf(e)} — showing the last saved state instead.`);
    }
    try {
      const saved = loadAutosave();
      if (saved) this.store.replace(saved);
    } catch (e) {
      this.say(`The autosaved state could not be restored (${messageOf(e)}); starting fresh.`);
    }
  }

  /** Writes the link into the address bar (or says why there is none) and autosaves. */
  persist(): void {
    const s = this.store.state;
    // Every custom unit costs at least (dim + 2) numbers of several characters: skip building hopeless links.
    const hopeless = s.build === 'custom' && s.network.a.length * (s.network.dim + 2) * 4 > MAX_LINK_LENGTH;
    const hash = hopeless ? '' : stateToHash(s);
    const linkNote = el('link-note');
    if (!hopeless && hash.length <= MAX_LINK_LENGTH) {
      history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
      this.lastLink = location.href;
      linkNote.hidden = true;
    } else {
      history.replaceState(null, '', `${location.pathname}${location.search}`);
      this.lastLink = null;
      el('link-note-text').textContent = `This state is too big for a practical link because of ${linkBulk(s)}. Export it as JSON to share or keep it.`;
      linkNote.hidden = false;
    }
    const err = autosave(s);
    if (err) this.say(err);
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

  presetNames(): string[] {
    return presetNames();
  }

  /** Saves the state under a name; false (with a message) when that fails. */
  savePreset(name: string): boolean {
    try {
      savePreset(name, this.store.state);
      this.say(`Saved preset "${name.trim()}".`, 'info');
      return true;
    } catch (e) {
      this.say(messageOf(e));
      return false;
    }
  }

  loadPreset(name: string): void {
    try {
      this.store.replace(loadPreset(name));
    } catch (e) {
      this.say(`Preset "${name}" could not be loaded: ${messageOf(e)}`);
    }
  }
}
