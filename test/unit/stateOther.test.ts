import { describe, expect, it } from 'vitest';
import { storableState } from '../../src/state/persist.ts';
import { Store, snapshot } from '../../src/state/state.ts';

describe('the other mode waiting in `other`', () => {
  it('saves and restores when a mode switch overtook its fit (the network from before the fit is not checked)', async () => {
    const store = new Store();
    store.set({ units: 40, target: { kind: 'builtin', id: 'abs' } });
    // A 2D network at once: the 1D fit of 40 units is dropped by the switch, `other` keeps the 8-unit network.
    store.set({ network: { dim: 2, w: [1, 0.5], b: [0.1], a: [1], c: 0 } });
    await store.settled();
    const saved = JSON.parse(JSON.stringify(storableState(store.state)));
    const again = new Store();
    again.replace(saved);
    expect(again.state.other?.units).toBe(40);
    expect(() => new Store().replace(snapshot(store.state))).not.toThrow();
    // Shown again, the 1D mode rebuilds its 40 units.
    again.set({ mode: '1d' });
    await again.settled();
    expect(again.state.network.a.length).toBe(40);
  });
});
