import { describe, expect, it } from 'vitest';
import { type AppState, StateError, applyPatch, initialState, snapshot } from '../../src/state/state.ts';
import { LinkError, hashToPatch, stateToHash } from '../../src/state/urlState.ts';
import { parseImport } from '../../src/state/persist.ts';
import { randomNetwork } from '../../src/model/network.ts';

/** What a user would do with a link: read it and apply it to a fresh page's state. */
function followLink(s: AppState): AppState {
  const patch = hashToPatch('#' + stateToHash(s));
  if (!patch) throw new Error('no state in the link');
  return applyPatch(initialState(), patch);
}

describe('state patches', () => {
  it('rejects bad input with the field named and leaves the state untouched', () => {
    const s = initialState();
    const before = JSON.stringify(snapshot(s));
    const bad: Array<[unknown, RegExp]> = [
      [null, /patch/],
      [{ units: 0 }, /units/],
      [{ units: 65537 }, /units/],
      [{ units: 2.5 }, /units/],
      [{ ridge: NaN }, /ridge/],
      [{ lr: Infinity }, /lr/],
      [{ view: { xMin: 1, xMax: 0 } }, /view\.xMax/],
      [{ network: { dim: 1, w: [1, NaN], b: [0, 0], a: [1, 1], c: 0 } }, /network\.w\[1\]/],
      [{ target: { kind: 'expression', source: 'sin(3*x' } }, /target/],
      [{ target: { kind: 'expression', source: 'foo(x)' } }, /target/],
      [{ zoom: 2 }, /zoom/],
    ];
    for (const [patch, field] of bad) {
      expect(() => applyPatch(s, patch)).toThrow(StateError);
      expect(() => applyPatch(s, patch)).toThrow(field);
      expect(JSON.stringify(snapshot(s))).toBe(before);
    }
  });

  it('keeps the syntax error position of an expression target', () => {
    try {
      applyPatch(initialState(), { target: { kind: 'expression', source: 'sin(3*x' } });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(StateError);
      expect(typeof (e as StateError).position).toBe('number');
    }
  });
});

describe('links', () => {
  it('round-trip the initial state, a custom network, an expression and a data target exactly', () => {
    const base = initialState();
    const custom = applyPatch(base, { network: randomNetwork(1, 37, 9) });
    const expr = applyPatch(base, { target: { kind: 'expression', source: 'sin(3*x) + 0.3*abs(x)' }, units: 21, placement: 'curvature' });
    const data = applyPatch(base, { target: { kind: 'data', xs: [-1, 0.25, 2], ys: [0.1, -3e-7, 1e5] }, build: 'least-squares', ridge: 0.125 });
    for (const s of [base, custom, expr, data]) {
      expect(JSON.stringify(snapshot(followLink(s)))).toBe(JSON.stringify(snapshot(s)));
    }
  });

  it('malformed links are refused with the key named', () => {
    expect(hashToPatch('')).toBeNull();
    expect(hashToPatch('#x=1')).toBeNull();
    expect(() => hashToPatch('#v=99&n=3')).toThrow(LinkError);
    expect(() => hashToPatch('#v=1&zz=3')).toThrow(/zz/);
    expect(() => hashToPatch('#v=1&n=abc')).toThrow(/n: "abc" is not a number/);
    expect(() => hashToPatch('#v=1&t=q:sin')).toThrow(/t:/);
    expect(() => hashToPatch('#v=1&net=1;0;1,2')).toThrow(/net/);
    // A link that parses but holds an invalid state is refused when applied.
    const patch = hashToPatch('#v=1&n=0');
    expect(() => applyPatch(initialState(), patch)).toThrow(/units/);
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
