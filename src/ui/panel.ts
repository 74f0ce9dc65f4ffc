/**
 * The lil-gui panel. Controls write patches to the store; the panel redraws its controls from the
 * state it is given (`update`), never from its own widgets.
 */
import GUI from 'lil-gui';
import { MAX_UNITS } from '../model/network.ts';
import { BASIC_TARGETS } from './basicTargets.ts';
import type { AppState, Store } from './state.ts';

export class Panel {
  readonly gui: GUI;
  // lil-gui binds to plain objects; these mirror the state and are rewritten from it on every update.
  private readonly model = { target: 'sin', log2Units: 3, units: 8 };

  constructor(store: Store, container?: HTMLElement) {
    this.gui = new GUI({ title: 'ReLU Sandbox', container });
    const targets = Object.fromEntries(BASIC_TARGETS.map((t) => [t.label, t.id]));
    this.gui
      .add(this.model, 'target', targets)
      .name('Target')
      .onChange((id: string) => store.set({ target: { kind: 'builtin', id } }));
    const net = this.gui.addFolder('Network');
    net
      .add(this.model, 'log2Units', 0, Math.log2(MAX_UNITS), 0.01)
      .name('log₂ N (slider)')
      .decimals(2)
      .onChange((v: number) => store.set({ units: Math.max(1, Math.min(MAX_UNITS, Math.round(2 ** v))) }));
    net
      .add(this.model, 'units', 1, MAX_UNITS, 1)
      .name('Units N')
      .onFinishChange((v: number) => store.set({ units: Math.max(1, Math.min(MAX_UNITS, Math.round(v))) }));
    store.subscribe((s) => this.update(s));
    this.update(store.state);
  }

  update(s: AppState): void {
    this.model.target = s.target.id;
    this.model.units = s.units;
    // Keep the slider where the user left it when it already rounds to this N.
    if (Math.round(2 ** this.model.log2Units) !== s.units) this.model.log2Units = Math.log2(s.units);
    for (const c of this.gui.controllersRecursive()) c.updateDisplay();
  }
}
