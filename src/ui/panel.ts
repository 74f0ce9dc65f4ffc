/**
 * The lil-gui panel. Controls write patches to the store or call actions; the panel redraws its controls
 * from the state it is given (`update`), never from its own widgets.
 */
import { ACTIVATIONS, ACTIVATION_LABELS } from '../model/activation.ts';
import GUI, { type Controller } from 'lil-gui';
import { MAX_UNITS } from '../model/network.ts';
import { TARGETS } from '../model/targets.ts';
import { TARGETS_2D } from '../model/targets2d.ts';
import { FIRST_2D_STEP, TOUR } from './tour.ts';
import type { AppState, Store } from '../state/state.ts';

/** What the panel's buttons do; implemented by main.ts. */
export interface PanelActions {
  toggleTraining(): void;
  resetView(): void;
  toggleAnimateN(): void;
  computeErrorChart(): void;
  copyLink(): void;
  exportPng(): void;
  exportJson(): void;
  importJson(): void;
  addUnit(): void;
  removeUnit(): void;
  startTour(): void;
  /** Saves the state as a named preset; false when that failed (the action says why). */
  savePreset(name: string): boolean;
  loadPreset(name: string): void;
  presetNames(): string[];
  /** 2D: draws a new set of random hidden units (a new seed). */
  newRandomUnits(): void;
  /** 2D: puts the surface's camera back where it starts. */
  resetCamera(): void;
  /** 2D: downloads the exact regions (polygons, planes, patterns) as JSON. */
  exportRegions(): void;
}

/** Runtime readouts shown read-only in the panel (not part of the state). */
export interface PanelStatus {
  training: boolean;
  steps: number;
  loss: number;
  animating: boolean;
}

/**
 * lil-gui clamps a typed number to the field's range without a word: this watches what was typed and, when
 * the value that arrives differs, says so. Returns the check to call from the field's onFinishChange.
 */
function clampNotice(c: Controller, label: string, say: (message: string) => void): (value: number) => void {
  let typed: number | null = null;
  const input = (c as unknown as { $input?: HTMLInputElement }).$input;
  input?.addEventListener('input', () => {
    const v = parseFloat(input.value);
    typed = Number.isNaN(v) ? null : v;
  });
  return (value) => {
    if (typed !== null && typed !== value && Math.abs(typed - value) > 1e-9 * Math.max(1, Math.abs(value))) {
      say(`${label}: ${typed} is not a value this field takes (its range and steps); using ${value} instead.`);
    }
    typed = null;
  };
}

const CUSTOM_TARGETS = { 'custom expression': 'expression', 'your data': 'data' } as const;

export class Panel {
  readonly gui: GUI;
  // lil-gui binds to plain objects; these mirror the state and are rewritten from it on every update.
  private readonly model = {
    mode: '1D plot',
    target: 'sin',
    target2d: 'bump',
    build2d: 'least-squares',
    colour: 'regions',
    creases: true,
    contours: false,
    exact: true,
    targetStyle: 'wireframe',
    grid: 512,
    regions: '',
    build: 'interpolate',
    log2Units: 3,
    units: 8,
    placement: 'uniform',
    activation: 'relu',
    ridge: 1e-6,
    lr: 0.01,
    terms: true,
    knots: true,
    showTarget: true,
    error: false,
    steps: 0,
    loss: '',
    pieces: '',
    maxError: '',
    rmsError: '',
  };
  private readonly trainButton: Controller;
  private readonly animateButton: Controller;
  /** Controllers shown only in one mode. */
  private readonly only1d: Controller[] = [];
  private readonly only2d: Controller[] = [];
  private readonly look2d: GUI;
  private shownMode: AppState['mode'] | null = null;

  constructor(
    private readonly store: Store,
    actions: PanelActions,
    onError: (message: string) => void,
    container?: HTMLElement,
  ) {
    const set = (patch: object) => {
      try {
        store.set(patch);
      } catch (e) {
        onError(e instanceof Error ? e.message : String(e));
        this.update(store.state);
      }
    };
    const gui = new GUI({ title: 'ReLU Sandbox', container });
    this.gui = gui;
    gui
      .add(this.model, 'mode', ['1D plot', '2D surface'])
      .name('Inputs')
      .onChange((v: string) => set({ mode: v === '2D surface' ? '2d' : '1d' }));
    const targets: Record<string, string> = Object.fromEntries(TARGETS.map((t) => [t.label, t.id]));
    Object.assign(targets, CUSTOM_TARGETS);
    const targets2d: Record<string, string> = Object.fromEntries(TARGETS_2D.map((t) => [t.label, t.id]));
    Object.assign(targets2d, CUSTOM_TARGETS);
    const pickCustom = (id: string) => {
      // The custom kinds are chosen by typing an expression or giving data (below the panel).
      document.getElementById(id === 'expression' ? 'expr-input' : 'csv-input')?.focus();
      this.update(store.state);
    };
    this.only2d.push(
      gui
        .add(this.model, 'target2d', targets2d)
        .name('Target f(x, y)')
        .onChange((id: string) => (id === 'expression' || id === 'data' ? pickCustom(id) : set({ target: { kind: 'builtin', id } }))),
    );
    const target1d = gui
      .add(this.model, 'target', targets)
      .name('Target')
      .onChange((id: string) => {
        // The custom kinds are chosen by typing an expression or giving data (below the panel).
        if (id === 'expression' || id === 'data') {
          document.getElementById(id === 'expression' ? 'expr-input' : 'csv-input')?.focus();
          this.update(store.state);
          return;
        }
        set({ target: { kind: 'builtin', id } });
      });
    this.only1d.push(target1d);

    const build = gui.addFolder('Build');
    this.only1d.push(
      build
        .add(this.model, 'build', { interpolate: 'interpolate', 'least squares': 'least-squares', 'by hand / trained': 'custom' })
        .name('Construction')
        .onChange((v: string) => set({ build: v })),
    );
    this.only2d.push(
      build
        .add(this.model, 'build2d', { 'random planes + least squares': 'least-squares', 'by hand / trained': 'custom' })
        .name('Construction')
        .onChange((v: string) => set({ build: v })),
    );
    build
      .add(this.model, 'log2Units', 0, Math.log2(MAX_UNITS), 0.01)
      .name('log₂ N (slider)')
      .decimals(2)
      .onChange((v: number) => set({ units: Math.max(1, Math.min(MAX_UNITS, Math.round(2 ** v))) }));
    const units = build.add(this.model, 'units', 1, MAX_UNITS, 1).name('Units N');
    // The control experiment: the same construction with another activation (ReLU is the sandbox's subject).
    build
      .add(this.model, 'activation', Object.fromEntries(ACTIVATIONS.map((a) => [ACTIVATION_LABELS[a], a])))
      .name('Activation')
      .onChange((v: string) => set({ activation: v }));
    const unitsClamped = clampNotice(units, 'Units N', onError);
    units.onFinishChange((v: number) => {
      unitsClamped(v);
      set({ units: Math.max(1, Math.min(MAX_UNITS, Math.round(v))) });
    });
    this.only1d.push(
      build
        .add(this.model, 'placement', { uniform: 'uniform', 'where it bends': 'curvature' })
        .name('Knot placement')
        .onChange((v: string) => set({ placement: v })),
    );
    this.only2d.push(build.add(actions, 'newRandomUnits').name('New random units'));
    const ridge = build.add(this.model, 'ridge', 0, 1, 1e-6).name('Ridge λ (least sq.)');
    const ridgeClamped = clampNotice(ridge, 'Ridge λ', onError);
    ridge.onFinishChange((v: number) => {
      ridgeClamped(v);
      set({ ridge: v });
    });
    build.add(actions, 'addUnit').name('Add unit');
    build.add(actions, 'removeUnit').name('Remove selected unit');

    const train = gui.addFolder('Train (Adam)');
    const lr = train.add(this.model, 'lr', 1e-6, 0.5, 1e-6).name('Learning rate');
    const lrClamped = clampNotice(lr, 'Learning rate', onError);
    lr.onFinishChange((v: number) => {
      lrClamped(v);
      set({ lr: v });
    });
    this.trainButton = train.add(actions, 'toggleTraining').name('▶ Train');
    train.add(this.model, 'steps').name('Steps').disable();
    train.add(this.model, 'loss').name('Loss (MSE)').disable();

    const readouts = gui.addFolder('Readouts (view ∩ domain)');
    this.only1d.push(readouts.add(this.model, 'pieces').name('Linear pieces').disable());
    this.only2d.push(readouts.add(this.model, 'regions').name('Regions (grid / exact)').disable());
    readouts.add(this.model, 'maxError').name('Max error').disable();
    readouts.add(this.model, 'rmsError').name('RMS error').disable();

    const showF = gui.addFolder('Show');
    this.only1d.push(
      showF.add(this.model, 'showTarget').name('Target').onChange((v: boolean) => set({ show: { target: v } })),
      showF.add(this.model, 'terms').name('Unit terms').onChange((v: boolean) => set({ show: { terms: v } })),
      showF.add(this.model, 'knots').name('Knots').onChange((v: boolean) => set({ show: { knots: v } })),
      showF.add(this.model, 'error').name('Error f − target').onChange((v: boolean) => set({ show: { error: v } })),
    );
    showF.add(actions, 'resetView').name('Reset view (R)');

    const look = gui.addFolder('2D view');
    this.look2d = look;
    look
      .add(this.model, 'colour', { 'values f(x, y)': 'values', 'error f − target': 'error', 'linear regions': 'regions' })
      .name('Map colours')
      .onChange((v: string) => set({ look: { colour: v } }));
    look.add(this.model, 'creases').name('Creases (unit lines)').onChange((v: boolean) => set({ look: { creases: v } }));
    look.add(this.model, 'exact').name('Exact regions (N ≤ 1,000)').onChange((v: boolean) => set({ look: { exact: v } }));
    look.add(this.model, 'contours').name('Contour lines').onChange((v: boolean) => set({ look: { contours: v } }));
    look
      .add(this.model, 'targetStyle', { hidden: 'off', wireframe: 'wireframe', translucent: 'translucent' })
      .name('Target surface')
      .onChange((v: string) => set({ look: { target: v } }));
    look
      .add(this.model, 'grid', [128, 256, 512, 1024, 2048])
      .name('Compute grid (side)')
      .onChange((v: number) => set({ look: { grid: Number(v) } }));
    look.add(actions, 'resetCamera').name('Reset camera');
    look.add(actions, 'exportRegions').name('Export regions JSON');

    const explore = gui.addFolder('Explore');
    this.animateButton = explore.add(actions, 'toggleAnimateN').name('▶ Animate N 1 → 100');
    explore.add(actions, 'computeErrorChart').name('Error vs N chart');
    explore.add(actions, 'startTour').name(`Tour (${TOUR.length} steps; 2D from step ${FIRST_2D_STEP + 1})`);

    const share = gui.addFolder('Share and keep');
    share.add(actions, 'copyLink').name('Copy link');
    share.add(actions, 'exportPng').name('Export PNG');
    share.add(actions, 'exportJson').name('Export JSON (E)');
    share.add(actions, 'importJson').name('Import JSON…');
    // Presets: named full states, saved and loaded from here.
    const presets = { name: 'my preset', load: '' };
    share.add(presets, 'name').name('Preset name');
    share.add({ save: () => actions.savePreset(presets.name) && addLoad() }, 'save').name('Save preset');
    // lil-gui's options() rebuilds a controller without its handlers: rebuild it here, handler included.
    let loadCtl: Controller | null = null;
    const addLoad = () => {
      loadCtl?.destroy();
      loadCtl = share
        .add(presets, 'load', ['', ...actions.presetNames()])
        .name('Load preset')
        .onChange((name: string) => {
          if (name) actions.loadPreset(name);
        });
    };
    addLoad();

    store.subscribe((s) => this.update(s));
    this.update(store.state);
  }

  update(s: AppState): void {
    const m = this.model;
    m.mode = s.mode === '2d' ? '2D surface' : '1D plot';
    const targetId = s.target.kind === 'builtin' ? s.target.id : s.target.kind;
    if (s.mode === '2d') m.target2d = targetId;
    else m.target = targetId;
    m.build = s.build;
    m.build2d = s.build;
    m.colour = s.look.colour;
    m.creases = s.look.creases;
    m.contours = s.look.contours;
    m.exact = s.look.exact;
    m.targetStyle = s.look.target;
    m.grid = s.look.grid;
    if (this.shownMode !== s.mode) {
      this.shownMode = s.mode;
      for (const c of this.only1d) c.show(s.mode === '1d');
      for (const c of this.only2d) c.show(s.mode === '2d');
      this.look2d.show(s.mode === '2d');
    }
    m.units = s.units;
    // Keep the slider where the user left it when it already rounds to this N.
    if (Math.round(2 ** m.log2Units) !== s.units) m.log2Units = Math.log2(s.units);
    m.placement = s.placement;
    m.activation = s.activation;
    m.ridge = s.ridge;
    m.lr = s.lr;
    m.showTarget = s.show.target;
    m.terms = s.show.terms;
    m.knots = s.show.knots;
    m.error = s.show.error;
    for (const c of this.gui.controllersRecursive()) c.updateDisplay();
  }

  /** Shows the frame's measurements (they depend on the view, so they are not part of the state). */
  readouts(pieces: number | null, max: number, rms: number): void {
    this.model.pieces = pieces === null ? '—' : String(pieces);
    this.model.maxError = Number.isFinite(max) ? max.toPrecision(3) : '—';
    this.model.rmsError = Number.isFinite(rms) ? rms.toPrecision(3) : '—';
    for (const c of this.gui.controllersRecursive()) if (c.property === 'pieces' || c.property === 'maxError' || c.property === 'rmsError') c.updateDisplay();
  }

  /** Shows the 2D region counts: on the grid, and exact (null while unknown or above the exact limit). */
  regions(counted: number | null, exact: number | null, note?: string): void {
    this.model.regions = note ?? `${counted === null ? '—' : counted.toLocaleString('en-US')} / ${exact === null ? '—' : exact.toLocaleString('en-US')}`;
    for (const c of this.gui.controllersRecursive()) if (c.property === 'regions') c.updateDisplay();
  }

  /** Shows the runtime status (training, animation) in the panel. */
  status(st: PanelStatus): void {
    this.model.steps = st.steps;
    this.model.loss = Number.isFinite(st.loss) ? st.loss.toPrecision(4) : '';
    this.trainButton.name(st.training ? '⏸ Pause training (Space)' : '▶ Train (Space)');
    this.animateButton.name(st.animating ? '⏸ Stop animating N' : '▶ Animate N 1 → 100');
    for (const c of this.gui.controllersRecursive()) c.updateDisplay();
  }
}
