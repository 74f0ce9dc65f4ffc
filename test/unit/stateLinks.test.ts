import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/links-v1.json';
import { type AppState, Store, initialState, reduce, snapshot } from '../../src/state/state.ts';
import { InProcessFitRunner } from '../../src/state/fitRunner.ts';
import { LinkError, URL_VERSION, hashToPatch, stateToHash } from '../../src/state/urlState.ts';
import { randomNetwork, seededRandom } from '../../src/model/network.ts';
import { TARGETS } from '../../src/model/targets.ts';

/** What a page does with a link: read it and replace its state, then wait for the construction. */
async function open(hash: string): Promise<AppState> {
  const patch = hashToPatch(hash);
  if (!patch) throw new Error('no state in the link');
  const store = new Store(initialState(), new InProcessFitRunner());
  store.replace(patch);
  return store.settled();
}

describe('links', () => {
  it('every v=1 link made before v=2 opens as it did (least squares with a ridge: same inputs and knots, refitted)', async () => {
    expect(fixtures.links.length).toBeGreaterThan(15);
    for (const { name, hash, state } of fixtures.links) {
      expect(hash.startsWith('v=1&')).toBe(true);
      const s = await open('#' + hash);
      // Compared through JSON, the form the fixture was stored in (it keeps every double exactly, but not −0's sign),
      // on the fields links had then; a 2D network opens in the 2D mode, its old 1D target kept for the 1D mode.
      const got = JSON.parse(JSON.stringify(snapshot(s))) as Record<string, unknown>;
      const was = { ...(state as Record<string, unknown>) };
      if ((was.network as { dim: number }).dim === 2) {
        expect(got.mode, name).toBe('2d');
        expect((got.other as { target: unknown }).target, name).toEqual(was.target);
        delete was.target;
      } else expect(got.mode, name).toBe('1d');
      const old = Object.fromEntries(Object.keys(was).map((k) => [k, got[k]]));
      if (was.build === 'least-squares' && (was.ridge as number) > 0) {
        // The 1D ridge is relative to the knot spacing since issue 10 (λ = 1e-6 flattened "where it bends"): the same
        // inputs and knots, but output weights fitted under the new penalty.
        const [n, m] = [old.network as { w: number[]; b: number[]; a: number[] }, was.network as { w: number[]; b: number[]; a: number[] }];
        expect([n.w, n.b, n.a.length], name).toEqual([m.w, m.b, m.a.length]);
        delete old.network;
        delete was.network;
      }
      expect(old, name).toEqual(was);
      expect(JSON.stringify(old), name).toBe(JSON.stringify(was));
    }
  });

  it('v=2 round-trips random states exactly, every field', () => {
    const rnd = seededRandom(20261130);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const awkward = () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4);
    for (let trial = 0; trial < 60; trial++) {
      const kind = pick(['builtin', 'expression', 'data'] as const);
      const target =
        kind === 'builtin'
          ? { kind, id: pick(TARGETS).id }
          : kind === 'expression'
            ? { kind, source: pick(['sin(3*x) + 0.3*abs(x)', 'exp(-x^2) * cos(4*x)', 'x^3 - 1e-7*x', 'max(x, 0.25) / (1 + x^2)']) }
            : { kind, xs: Array.from({ length: 3 + Math.floor(rnd() * 9) }, awkward), ys: Array.from({ length: 0 }, awkward) };
      if (target.kind === 'data') target.ys = target.xs.map(() => awkward());
      const custom = rnd() < 0.4;
      const view = { xMin: awkward(), xMax: 0, yMin: -Math.PI * rnd(), yMax: 1 + rnd() * 1e6 };
      view.xMax = view.xMin + 1e-3 + rnd() * 100;
      const patch: Record<string, unknown> = {
        target,
        units: 1 + Math.floor(rnd() * 3000),
        build: pick(['interpolate', 'least-squares'] as const),
        placement: pick(['uniform', 'curvature'] as const),
        ridge: rnd() < 0.2 ? 0 : rnd() * 1e3,
        lr: 1e-6 + rnd() * 9,
        view,
        view2d: { xMin: -rnd(), xMax: rnd() * 7 + 0.1, yMin: awkward() - 1e3, yMax: 1e3 + rnd() },
        show: { target: rnd() < 0.5, terms: rnd() < 0.5, knots: rnd() < 0.5, error: rnd() < 0.5 },
      };
      const n = patch.units as number;
      if (custom) patch.network = randomNetwork(1, Math.floor(rnd() * 40), trial + 1, [-3, 3]);
      if (custom) patch.build = 'custom';
      patch.selected = Math.floor(rnd() * (custom ? (patch.network as { a: number[] }).a.length + 1 : n + 1)) - 1;
      const s = reduce(initialState(), patch).state;
      const hash = stateToHash(s);
      expect(hash.startsWith(`v=${URL_VERSION}&`)).toBe(true);
      const back = reduce(initialState(), hashToPatch('#' + hash));
      const expected = snapshot(s);
      const got = snapshot(back.state);
      if (!custom) {
        // A constructed network is not in the link: the same construction is asked for instead.
        expect(back.fit).toEqual({ mode: '1d', seed: 0, target: s.target, units: s.units, placement: s.placement, ridge: s.ridge, build: s.build });
        got.network = expected.network;
      }
      expect(got).toEqual(expected);
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    }
  });

  it('malformed links are refused with the key named', () => {
    expect(hashToPatch('')).toBeNull();
    expect(hashToPatch('#x=1')).toBeNull();
    expect(() => hashToPatch('#v=99&n=3')).toThrow(LinkError);
    for (const v of [1, 2]) {
      expect(() => hashToPatch(`#v=${v}&zz=3`)).toThrow(/zz/);
      expect(() => hashToPatch(`#v=${v}&n=abc`)).toThrow(/n: "abc" is not a number/);
      expect(() => hashToPatch(`#v=${v}&t=q:sin`)).toThrow(/t:/);
      expect(() => hashToPatch(`#v=${v}&net=1;0;1,2`)).toThrow(/net/);
      expect(() => hashToPatch(`#v=${v}&m=x`)).toThrow(/m: must be i, l or c/);
      expect(() => hashToPatch(`#v=${v}&p=x`)).toThrow(/p: must be u or c/);
      // A link that parses but holds an invalid state is refused when applied.
      expect(() => reduce(initialState(), hashToPatch(`#v=${v}&n=0`))).toThrow(/units/);
    }
  });
});
