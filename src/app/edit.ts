/** Edits by hand that are not gestures: adding and removing units, and resetting the views. */
import { cloneNetwork } from '../model/network.ts';
import { type Store, type Target2DSpec, initialLook, view2dForTarget, viewForTarget } from '../state/state.ts';
import type { TargetSpec } from '../model/targets.ts';
import { refusalText } from '../state/errors.ts';
import type { Say } from './dom.ts';

export class EditController {
  constructor(
    private readonly store: Store,
    private readonly say: Say,
  ) {}

  /**
   * A new unit bends at the middle of the view with a small, visible output weight; in 2D its crease runs
   * through the middle of the window in a direction that turns with each added unit, so they do not coincide.
   */
  addUnit(): void {
    const s = this.store.state;
    const net = cloneNetwork(s.network);
    if (net.dim === 2) {
      const v = s.view2d;
      const cx = (v.xMin + v.xMax) / 2;
      const cy = (v.yMin + v.yMax) / 2;
      // The golden angle spreads successive directions evenly around the circle.
      const angle = net.a.length * 2.399963229728653;
      const scale = 2 / Math.max(v.xMax - v.xMin, v.yMax - v.yMin);
      const w1 = Math.cos(angle) * scale;
      const w2 = Math.sin(angle) * scale;
      net.w.push(w1, w2);
      net.b.push(-(w1 * cx + w2 * cy));
      net.a.push(0.5);
      this.apply('Add unit', { network: net, selected: net.a.length - 1 });
      return;
    }
    const mid = (s.view.xMin + s.view.xMax) / 2;
    net.w.push(1);
    net.b.push(-mid);
    net.a.push((0.25 * (s.view.yMax - s.view.yMin)) / (s.view.xMax - s.view.xMin));
    this.apply('Add unit', { network: net, selected: net.a.length - 1 });
  }

  removeUnit(): void {
    const s = this.store.state;
    const i = s.selected;
    if (i < 0) return this.say('Select a unit first (click its knot mark, pick it in the list, or press [ or ]).', 'info');
    const net = cloneNetwork(s.network);
    net.w.splice(i * net.dim, net.dim);
    net.b.splice(i, 1);
    net.a.splice(i, 1);
    this.apply('Remove unit', { network: net, selected: Math.min(i, net.a.length - 1) });
  }

  /** Puts the surface's camera back where it starts. */
  resetCamera(): void {
    this.apply('Reset camera', { look: { camera: initialLook().camera } });
  }

  resetView(): void {
    const s = this.store.state;
    if (s.mode === '2d') this.apply('Reset view', { view2d: view2dForTarget(s.target as Target2DSpec), look: { camera: initialLook().camera } });
    else this.apply('Reset view', { view: viewForTarget(s.target as TargetSpec) });
  }

  /**
   * Applies an edit, or says why it was refused and changes nothing (a view fitted to a network whose values
   * leave the documented range is refused by the store, like any other entrance).
   */
  private apply(what: string, patch: Parameters<Store['set']>[0]): void {
    try {
      this.store.set(patch);
    } catch (e) {
      this.say(`${what} was not done: ${refusalText(e)}`);
    }
  }
}

