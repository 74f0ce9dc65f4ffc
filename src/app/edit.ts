/** Edits by hand that are not gestures: adding and removing units, and resetting the views. */
import { cloneNetwork } from '../model/network.ts';
import { type Store, viewForTarget } from '../state/state.ts';
import { messageOf, type Say } from './dom.ts';

export class EditController {
  constructor(
    private readonly store: Store,
    private readonly say: Say,
  ) {}

  /** A new unit bends at the middle of the view with a small, visible output weight. */
  addUnit(): void {
    const s = this.store.state;
    if (s.network.dim !== 1) return this.say('Units can be added by hand to 1D networks only.');
    const net = cloneNetwork(s.network);
    const mid = (s.view.xMin + s.view.xMax) / 2;
    net.w.push(1);
    net.b.push(-mid);
    net.a.push((0.25 * (s.view.yMax - s.view.yMin)) / (s.view.xMax - s.view.xMin));
    try {
      this.store.set({ network: net, selected: net.a.length - 1 });
    } catch (e) {
      this.say(messageOf(e));
    }
  }

  removeUnit(): void {
    const s = this.store.state;
    const i = s.selected;
    if (i < 0) return this.say('Select a unit first (click its knot mark, pick it in the list, or press [ or ]).', 'info');
    const net = cloneNetwork(s.network);
    net.w.splice(i * net.dim, net.dim);
    net.b.splice(i, 1);
    net.a.splice(i, 1);
    this.store.set({ network: net, selected: Math.min(i, net.a.length - 1) });
  }

  resetView(): void {
    this.store.set({ view: viewForTarget(this.store.state.target), view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 } });
  }
}
