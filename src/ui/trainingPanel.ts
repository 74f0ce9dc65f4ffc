/**
 * The panel's "Training" folder: learning rate (a number, or 'auto' = min(0.01, 0.5/N)), noise and the
 * train/test split of the samples, Play/Pause, Step, Reset and Random init, the step and epoch counters, both
 * losses, and the live loss chart. Controls write patches to the store or call actions; readouts come from
 * `status`, never from the widgets.
 */
import type GUI from 'lil-gui';
import type { Controller } from 'lil-gui';
import type { AppState, Store } from '../state/state.ts';
import { MAX_HOLDOUT } from '../model/trainSetup.ts';
import { LossChart, type LossSeries } from '../views/charts/lossChart.ts';

/** What the training buttons do (implemented by the app's training controller). */
export interface TrainingActions {
  toggleTraining(): void;
  /** One Adam step. */
  stepTraining(): void;
  /** Back to the network the run started from (the construction, or the random or custom network). */
  resetTraining(): void;
  /** A network of the current N with seeded random weights (the state's seed). */
  randomInit(): void;
}

/** What the folder shows (the app's TrainingStatus has these fields and more). */
export interface TrainingPanelStatus {
  training: boolean;
  busy: boolean;
  steps: number;
  epochs: number;
  loss: number;
  testLoss: number;
  samples: number;
  testSamples: number;
  lr: number;
  lrAuto: boolean;
  stepsPerSecond: number;
  progress: { done: number; of: number } | null;
  history: LossSeries;
}

const num = (v: number, digits = 4) => (Number.isFinite(v) ? v.toPrecision(digits) : '—');

export class TrainingPanel {
  private readonly model = {
    lr: 0.01,
    lrAuto: true,
    noise: 0,
    holdout: 0,
    seed: 1,
    steps: '0',
    epochs: '0',
    loss: '—',
    testLoss: '—',
    samples: '—',
    rate: '—',
  };
  private readonly folder: GUI;
  private readonly playButton: Controller;
  /** The loss chart's container (inside the folder), `#loss-chart`. */
  readonly chartElement: HTMLElement;
  private readonly chart: LossChart;

  constructor(
    parent: GUI,
    store: Store,
    actions: TrainingActions,
    set: (patch: object) => void,
  ) {
    const m = this.model;
    // A refused patch leaves the state as it was: put the widgets back to it.
    const apply = (patch: object) => {
      set(patch);
      this.update(store.state);
    };
    const f = parent.addFolder('Training');
    this.folder = f;
    this.playButton = f.add(actions, 'toggleTraining').name('Train (Space)');
    f.add(actions, 'stepTraining').name('Step (one Adam step)');
    f.add(actions, 'resetTraining').name('Reset (back to the start)');
    f.add(actions, 'randomInit').name('Random init (seeded)');
    // Plain number fields (no range): a typed value is checked by the state, which says what is wrong.
    f.add(m, 'lr').name('Learning rate').onFinishChange((v: number) => apply({ lr: v }));
    f.add(m, 'lrAuto').name('lr auto: ≤ min(0.01, 0.5/N)').onChange((v: boolean) => apply({ lr: v ? 'auto' : m.lr }));
    f.add(m, 'noise').name('Noise σ (on samples)').onFinishChange((v: number) => apply({ noise: v }));
    // A plain field too: lil-gui's slider clamped a typed 5 to 0.9 and snapped 0.12 to 0.1 without a word.
    f.add(m, 'holdout').name(`Test fraction (held out, 0–${MAX_HOLDOUT})`).onFinishChange((v: number) => apply({ holdout: v }));
    f.add(m, 'seed').name('Seed (init, noise, split)').onFinishChange((v: number) => apply({ seed: v }));
    f.add(m, 'steps').name('Steps').disable();
    f.add(m, 'epochs').name('Epochs (full batch: 1 step = 1)').disable();
    f.add(m, 'loss').name('Train loss (MSE)').disable();
    f.add(m, 'testLoss').name('Test loss (MSE)').disable();
    f.add(m, 'samples').name('Samples train / test').disable();
    f.add(m, 'rate').name('Steps per second').disable();
    this.chartElement = document.createElement('div');
    this.chartElement.id = 'loss-chart';
    this.chartElement.setAttribute('aria-label', 'Training and test loss against the step (log scale)');
    this.chartElement.style.cssText = 'padding: 2px 4px; background: #fff; min-height: 150px;';
    f.$children.appendChild(this.chartElement);
    this.chart = new LossChart(this.chartElement);
    store.subscribe((s) => this.update(s));
    this.update(store.state);
  }

  /** Mirrors the state's training fields into the widgets. */
  update(s: AppState): void {
    const m = this.model;
    m.lrAuto = s.lr === 'auto';
    if (s.lr !== 'auto') m.lr = s.lr;
    m.noise = s.noise;
    m.holdout = s.holdout;
    m.seed = s.seed;
    for (const c of this.folder.controllers) c.updateDisplay();
  }

  /** Shows the trainer's status: buttons, counters, losses and the chart. */
  status(st: TrainingPanelStatus): void {
    const m = this.model;
    // The learning rate in use: with 'auto' it follows N.
    m.lr = st.lr;
    m.lrAuto = st.lrAuto;
    m.steps = st.progress ? `${st.steps} (+${st.progress.done} of ${st.progress.of})` : String(st.steps);
    m.epochs = String(st.epochs);
    m.loss = num(st.loss);
    m.testLoss = st.testSamples > 0 ? num(st.testLoss) : 'no test set';
    m.samples = st.samples > 0 ? `${st.samples} / ${st.testSamples}` : '—';
    m.rate = Number.isFinite(st.stepsPerSecond) ? st.stepsPerSecond.toFixed(st.stepsPerSecond < 10 ? 1 : 0) : '—';
    this.playButton.name(st.training ? 'Pause training (Space)' : 'Train (Space)');
    for (const c of this.folder.controllers) c.updateDisplay();
    this.chart.update(st.history);
  }
}
