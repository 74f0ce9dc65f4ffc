import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autosave, loadAutosave, loadPreset, presetNames, savePreset } from '../../src/state/persist.ts';
import { StateError } from '../../src/state/errors.ts';
import { initialState } from '../../src/state/state.ts';

/** A Map-backed stand-in for the browser's localStorage. */
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

describe('autosave and presets', () => {
  beforeEach(() => {
    (globalThis as { localStorage?: Storage }).localStorage = memoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: Storage }).localStorage;
  });

  it('keep names like "__proto__" and "constructor" as presets, and never find inherited members', () => {
    expect(() => loadPreset('constructor')).toThrow(/no preset named "constructor"/);
    expect(() => loadPreset('__proto__')).toThrow(/no preset named "__proto__"/);
    const s = initialState();
    savePreset('__proto__', { ...s, units: 12 });
    savePreset('constructor', { ...s, units: 13 });
    expect(presetNames()).toEqual(['__proto__', 'constructor']);
    expect((loadPreset('__proto__') as { units: number }).units).toBe(12);
    expect((loadPreset('constructor') as { units: number }).units).toBe(13);
  });

  it('a damaged autosave is reported (StateError), not dropped; none at all is null; a good one reads back', () => {
    expect(loadAutosave()).toBeNull();
    localStorage.setItem('relu-sandbox:state:v1', '{"units": 12');
    expect(() => loadAutosave()).toThrow(StateError);
    expect(() => loadAutosave()).toThrow(/autosave: is not valid JSON/);
    expect(autosave({ ...initialState(), units: 21 })).toBeNull();
    expect((loadAutosave() as { units: number }).units).toBe(21);
  });
});
