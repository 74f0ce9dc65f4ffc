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
import { LogControl, RIDGE_SCALE, UNITS_SCALE } from './logControl.ts';
import type { AppState, Store } from '../state/state.ts';
import { type TrainingActions, TrainingPanel, type TrainingPanelStatus } from './trainingPanel.ts';

/** What the panel's buttons do; implemented by main.ts. */
export interface PanelActions extends TrainingActions {
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
  savePreset(name: string): Promise<boolean>;
  loadPreset(name: string): void;
  presetNames(): Promise<string[]>;
  /** 2D: draws a new set of random hidden units (a new seed). */
  newRandomUnits(): void;
  /** 2D: puts the surface's camera back where it starts. */
  resetCamera(): void;
  /** 2D: downloads the exact regions (polygons, planes, patterns) as JSON. */
  exportRegions(): void;
}

/** Runtime readouts shown read-only in the panel (not part of the state). */
export interface PanelStatus extends TrainingPanelStatus {
  animating: boolean;
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
    // Rows whose widgets LogControl replaces (lil-gui needs a property to make the row).
    unitsRow: '',
    ridgeRow: '',
    placement: 'uniform',
    activation: 'relu',
    terms: true,
    knots: true,
    showTarget: true,
    error: false,
    pieces: '',
    maxError: '',
    rmsError: '',
  };
  private readonly training: TrainingPanel;
  /** The one N control and the ridge λ control (log sliders with number boxes). */
  readonly unitsControl: LogControl;
  readonly ridgeControl: LogControl;
  private readonly animateButton: Controller;
  /** Controllers shown only in one mode. */
  private readonly only1d: Controller[] = [];
  private readonly only2d: Controller[] = [];
  private readonly look2d: GUI;
  private shownMode: AppState['mode'] | null = null;

  constructor(
    store: Store,
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
    const gui = new GUI({ title: 'Controls', container });
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
    // One N control: a slider in log steps (1 … 65,536) and a box for any N.
    this.unitsControl = new LogControl(build.add(this.model, 'unitsRow').name('Units N'), {
      scale: UNITS_SCALE,
      live: true,
      commit: (v) => set({ units: Math.max(1, Math.min(MAX_UNITS, v)) }),
      error: onError,
    });
    // The control experiment: the same construction with another activation (ReLU is the sandbox's subject).
    build
      .add(this.model, 'activation', Object.fromEntries(ACTIVATIONS.map((a) => [ACTIVATION_LABELS[a], a])))
      .name('Activation')
      .onChange((v: string) => set({ activation: v }));
    this.only1d.push(
      build
        .add(this.model, 'placement', { uniform: 'uniform', 'where it bends': 'curvature' })
        .name('Knot placement')
        .onChange((v: string) => set({ placement: v })),
    );
    this.only2d.push(build.add(actions, 'newRandomUnits').name('New random units'));
    // λ spans fifteen decades: a log slider (1, 2, 5 per decade, and 0) and a box showing it in full (1e-6).
    this.ridgeControl = new LogControl(build.add(this.model, 'ridgeRow').name('Ridge λ (least sq.)'), {
      scale: RIDGE_SCALE,
      live: false,
      commit: (v) => set({ ridge: v }),
      error: onError,
    });
    this.ridgeControl.controller.domElement.title = 'Relative ridge: each slope change times its knot spacing (1D), or the mean feature energy (2D), against the squared error';
    build.add(actions, 'addUnit').name('Add unit');
    build.add(actions, 'removeUnit').name('Remove selected unit');

    this.training = new TrainingPanel(gui, store, actions, set);

    // The same figures show under the plot: closed by default so the panel fits the screen.
    const readouts = gui.addFolder('Readouts (view ∩ domain)').close();
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
    this.animateButton = explore.add(actions, 'toggleAnimateN').name('Animate N 1 → 100');
    explore.add(actions, 'computeErrorChart').name('Error vs N chart');
    explore.add(actions, 'startTour').name(`Tour (${TOUR.length} steps; 2D from step ${FIRST_2D_STEP + 1})`);

    const share = gui.addFolder('Share and keep').close();
    share.add(actions, 'copyLink').name('Copy link');
    share.add(actions, 'exportPng').name('Export PNG');
    share.add(actions, 'exportJson').name('Export JSON (E)');
    share.add(actions, 'importJson').name('Import JSON…');
    // Presets: named full states, saved and loaded from here.
    const presets = { name: 'my preset', load: '' };
    share.add(presets, 'name').name('Preset name');
    const save = () =>
      void actions.savePreset(presets.name).then((ok) => {
        if (ok) void addLoad();
      });
    share.add({ save }, 'save').name('Save preset');
    // lil-gui's options() rebuilds a controller without its handlers: rebuild it here, handler included. The names
    // come from the browser's database (asynchronously): only the newest list is shown.
    let loadCtl: Controller | null = null;
    let listed = 0;
    const addLoad = async () => {
      const ask = ++listed;
      const names = await actions.presetNames();
      if (ask !== listed) return;
      loadCtl?.destroy();
      loadCtl = share
        .add(presets, 'load', ['', ...names])
        .name('Load preset')
        .onChange((name: string) => {
          if (name) actions.loadPreset(name);
        });
    };
    void addLoad();

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
    this.unitsControl.set(s.units);
    m.placement = s.placement;
    this.ridgeControl.set(s.ridge);
    m.activation = s.activation;
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
    this.training.status(st);
    // Words, not ⏸/▶: those glyphs are missing from common Linux fonts and showed as boxes.
    this.animateButton.name(st.animating ? 'Stop animating N' : 'Animate N 1 → 100');
    for (const c of this.gui.controllersRecursive()) c.updateDisplay();
  }
}
