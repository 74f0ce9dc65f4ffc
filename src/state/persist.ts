/**
 * Keeping work: autosave to localStorage, named presets, and the JSON/PNG exports and the JSON import.
 * Everything read back goes through the store's validation.
 */
import { InvalidNetworkError, validateNetwork, type Network } from '../model/network.ts';
import { StateError, nestedStateError } from './errors.ts';
import { SCHEMA, keptFields } from './schema.ts';
import type { AppState } from './types.ts';

const AUTOSAVE_KEY = 'relu-sandbox:state:v1';
const PRESETS_KEY = 'relu-sandbox:presets:v1';

/** The state as stored: the fields the schema keeps (constructed networks are rebuilt on load, custom ones kept). */
export function storableState(s: AppState): Partial<AppState> {
  return keptFields(SCHEMA, s);
}

/** Saves the state; returns an error message when the browser refuses (quota, private mode). */
export function autosave(s: AppState): string | null {
  try {
    localStorage.setItem(AUTOSAVE_KEY, JSON.stringify(storableState(s)));
    return null;
  } catch (e) {
    return `Autosave failed (${e instanceof Error ? e.message : String(e)}); export JSON to keep this state.`;
  }
}

/**
 * The autosaved state as an unvalidated patch, or null when there is none. Throws a StateError when there is
 * one that cannot be read (damaged JSON), so the page says so instead of dropping it without a word.
 */
export function loadAutosave(): unknown {
  let text: string | null;
  try {
    text = localStorage.getItem(AUTOSAVE_KEY);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new StateError('autosave', 'is not valid JSON (it was damaged); starting from the defaults');
  }
}

function readPresets(): Record<string, unknown> {
  try {
    const v = JSON.parse(localStorage.getItem(PRESETS_KEY) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** The names of the saved presets, sorted. */
export function presetNames(): string[] {
  return Object.keys(readPresets()).sort();
}

/** Saves the state's kept fields under a name (1 to 60 characters after trimming), replacing any preset of that name. */
export function savePreset(name: string, s: AppState): void {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 60) throw new StateError('preset', 'a preset name needs 1 to 60 characters');
  const all = readPresets();
  // defineProperty, not assignment: a preset named "__proto__" is a preset, not the object's prototype.
  Object.defineProperty(all, trimmed, { value: storableState(s), enumerable: true, configurable: true, writable: true });
  localStorage.setItem(PRESETS_KEY, JSON.stringify(all));
}

/** The preset's state as an unvalidated patch (for `Store.replace`); throws StateError when there is none of that name. */
export function loadPreset(name: string): unknown {
  const all = readPresets();
  // Own names only: "__proto__" or "constructor" must not find Object.prototype's members.
  if (!Object.hasOwn(all, name)) throw new StateError('preset', `no preset named "${name}"`);
  return all[name];
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
  } catch (e) {
    throw new StateError('json', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
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
