import { describe, expect, it } from 'vitest';
import { EditController } from '../../src/app/edit.ts';
import { Store, snapshot } from '../../src/state/state.ts';
import { InProcessFitRunner } from '../../src/state/fitRunner.ts';

describe('edits by hand that the store refuses', () => {
  it('Reset view with a network whose fitted view leaves the range: a message naming the field, nothing changed', () => {
    const store = new Store(undefined, new InProcessFitRunner());
    // Accepted as it is (the current view keeps its values in range), but the view fitted to the target would
    // show this unit's values beyond the documented bound.
    store.set({ network: { dim: 1, w: [0.95e30 / (Math.PI * 1e15)], b: [0], a: [1e15], c: 0 }, view: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 } });
    const before = JSON.stringify(snapshot(store.state));
    const said: string[] = [];
    const edit = new EditController(store, (text) => said.push(text));
    expect(() => edit.resetView()).not.toThrow();
    expect(JSON.stringify(snapshot(store.state))).toBe(before);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^Reset view was not done: \S+: /);
    expect(said[0]).not.toMatch(/Invalid state:.*Invalid state:/);
  });
});
