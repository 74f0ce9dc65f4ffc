import { describe, expect, it } from 'vitest';
import { SCHEMA, type Schema, decodeLink, encodeLink, fieldNames, initialOf, keptFields, snapshotOf, unknownField } from '../../src/state/schema.ts';
import { numberCodec } from '../../src/state/linkCodecs.ts';
import { STATE_KEYS, Store, initialState, reduce } from '../../src/state/state.ts';
import { InProcessFitRunner } from '../../src/state/fitRunner.ts';
import { hashToPatch, stateToHash } from '../../src/state/urlState.ts';
import { parseImport, storableState } from '../../src/state/persist.ts';
import { randomNetwork } from '../../src/model/network.ts';
import type { AppState } from '../../src/state/types.ts';

interface Zoomed extends AppState {
  zoom: number;
}

describe('the schema table', () => {
  it('is where the known fields, the link keys and the saved fields all come from', () => {
    expect([...STATE_KEYS]).toEqual(fieldNames(SCHEMA));
    expect(() => reduce(initialState(), { zoom: 2 })).toThrow(`zoom: is not a known field (known: ${STATE_KEYS.join(', ')})`);
    const custom = reduce(initialState(), { network: randomNetwork(1, 5, 3) }).state;
    const linkKeys = [...new URLSearchParams(stateToHash(custom)).keys()];
    // Links carry the mode on screen only; saves keep the other mode's settings once it was visited.
    // ReLU (the default activation) is left out, so ReLU links and saves are what they were before activations.
    const carried = STATE_KEYS.filter((k) => k !== 'other' && k !== 'activation');
    expect(linkKeys).toEqual(['v', ...carried.map((k) => SCHEMA[k].link.key)]);
    expect(Object.keys(storableState(custom))).toEqual(carried);
    const sigmoid = reduce(custom, { activation: 'sigmoid' }).state;
    expect(new URLSearchParams(stateToHash(sigmoid)).get('act')).toBe('sigmoid');
    expect(storableState(sigmoid).activation).toBe('sigmoid');
    const visited = reduce(custom, { mode: '2d' }).state;
    expect(Object.keys(storableState(visited))).toContain('other');
    expect(new URLSearchParams(stateToHash(visited)).has('other')).toBe(false);
    // A constructed network is rebuilt from its inputs: neither links nor saves carry it.
    const built = initialState();
    expect(new URLSearchParams(stateToHash(built)).has('net')).toBe(false);
    expect('network' in storableState(built)).toBe(false);
  });

  it('a field added to the table appears in known fields, links, saves, snapshots and defaults', () => {
    const zoomed: Schema<Zoomed> = {
      ...SCHEMA,
      zoom: {
        check(v) {
          if (typeof v !== 'number') throw new Error('zoom must be a number');
          return v;
        },
        initial: () => 1.5,
        copy: (z) => z,
        link: { key: 'z', codec: numberCodec },
        kept: () => true,
      },
    };
    expect(fieldNames(zoomed)).toContain('zoom');
    expect(unknownField(zoomed, 'pan').message).toMatch(/known: mode, network, .*other, zoom\)/);
    const s: Zoomed = { ...initialOf(zoomed), zoom: 0.3125 };
    expect(initialOf(zoomed).zoom).toBe(1.5);
    expect(snapshotOf(zoomed, s).zoom).toBe(0.3125);
    expect(keptFields(zoomed, s).zoom).toBe(0.3125);
    const link = encodeLink(zoomed, s, 7);
    expect(new URLSearchParams(link).get('z')).toBe('0.3125');
    expect(decodeLink(zoomed, new URLSearchParams(link)).zoom).toBe(0.3125);
    // The same link is refused by the app's own table, which does not know the key.
    expect(() => decodeLink(SCHEMA, new URLSearchParams(link))).toThrow(/z: is not a known key/);
  });

  it('saved states open as they were saved', async () => {
    const store = new Store(initialState(), new InProcessFitRunner());
    store.set({ target: { kind: 'builtin', id: 'gaussian' }, build: 'least-squares', units: 19, ridge: 0.5, show: { error: true } });
    await store.settled();
    const saved = JSON.parse(JSON.stringify(storableState(store.state)));
    const other = new Store(initialState(), new InProcessFitRunner());
    other.replace(saved);
    await other.settled();
    expect(other.state).toEqual(store.state);
    expect(hashToPatch('#' + stateToHash(other.state))).toEqual(hashToPatch('#' + stateToHash(store.state)));
  });
});

describe('JSON import', () => {
  it('reads a network or a saved state, and names what is wrong', () => {
    expect(parseImport(JSON.stringify({ dim: 1, w: [1], b: [0], a: [2], c: 1 }))).toEqual({ kind: 'network', patch: { network: { dim: 1, w: [1], b: [0], a: [2], c: 1 } } });
    expect(parseImport('{"units": 5}').kind).toBe('state');
    expect(() => parseImport('{not json')).toThrow(/json: not valid JSON/);
    expect(() => parseImport('[1,2]')).toThrow(/json: must be a JSON object/);
    expect(() => parseImport('{"dim": 2, "w": [1], "b": [0], "a": [1], "c": 0}')).toThrow(/network/);
  });
});

describe('import messages', () => {
  it('say that a text is not JSON in plain words, not in the engine\'s', () => {
    for (const text of ['xyz', '{not json', '', '{"a": 1,}']) {
      let message = '';
      try {
        parseImport(text);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, text).toMatch(/^Invalid state: json: not valid JSON: use a file saved with Export JSON/);
      expect(message, text).not.toMatch(/Unexpected|position|token/i);
    }
  });
});
