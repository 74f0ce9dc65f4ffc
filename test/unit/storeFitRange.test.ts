import { describe, expect, it } from 'vitest';
import type { FitRunner } from '../../src/state/fitRunner.ts';
import { StateError, Store, initialState } from '../../src/state/state.ts';

describe('a construction that builds a value outside the range', () => {
  it('fails with the value named and the hint to narrow the view; the state stays as it was', async () => {
    // Validation refuses the value in the pass that copies the arrays (no second scan for the range).
    const runner: FitRunner = { fit: async () => ({ dim: 1, w: [1, 1], b: [0, 2e15], a: [1, 1], c: 0 }) };
    const store = new Store(initialState(), runner);
    const before = store.state.network;
    store.set({ units: 2 });
    const err = await store.settled().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).message).toMatch(/construction built a network with b\[1\] = 2e15, outside ±1e15 \(what float32 holds with headroom\): narrow the view/);
    expect(store.state.network).toBe(before);
    expect(store.state.units).toBe(8);
  });
});
