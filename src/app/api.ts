/**
 * `window.sandbox`: the scripting API. A thin layer over the store and the feature controllers: every call
 * goes through the same validation as the GUI.
 */
import { type WorkerEvaluator, defaultWorkerEvaluator } from '../engine/cpu/workerEvaluator.ts';
import type { AutoEvaluator } from '../engine/backend.ts';
import { InvalidInputError, checkPoints, type BackendKind } from '../engine/evaluator.ts';
import { MAX_ABS_VALUE, outsideRange } from '../model/limits.ts';
import { nextTask } from '../state/nextTask.ts';
import { networkJson } from '../state/persist.ts';
import { type AppState, type Store, snapshot } from '../state/state.ts';
import { TOUR } from '../ui/tour.ts';
import type { LazyBenchPanel } from './benchmark.ts';
import type { CalibrationController, CalibrationInfo } from './calibration.ts';
import type { ExploreController } from './explore.ts';
import type { FrameController } from './frame.ts';
import type { Explorer2DFrame } from './explorer2dFrame.ts';
import type { Plot1DFrame } from './plot1dFrame.ts';
import type { RegionsController, RegionsResult } from './regions.ts';
import type { ShareController } from './share.ts';
import type { TrainingController, TrainingStatus } from './training.ts';

/** Where the plot sits on the page, for scripts that map data to pixels (CSS pixels, page coordinates). */
export interface PlotGeometry {
  /** The plot area (inside the axes) in page coordinates. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** The data window shown in that area. */
  view: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** Which view is on screen: the 1D plot, or the 2D explorer's top-down map (its plot area is the map's). */
  kind: 'plot1d' | 'map2d';
}

export interface SandboxApi {
  /** Resolves after the first frame has been drawn. */
  readonly ready: Promise<void>;
  /** The backend that computes right now (it can change after a device loss). */
  readonly backend: BackendKind;
  /** A deep, JSON-serialisable copy of the whole state. */
  getState(): AppState;
  /** Validates the whole patch, applies it, and resolves after the redraw; rejects and changes nothing on bad input. */
  setState(patch: unknown): Promise<AppState>;
  /** Values of the current network at the given inputs (1D: xs; 2D: interleaved x, y), computed by the active backend. */
  evaluate(inputs: ArrayLike<number>): Promise<number[]>;
  /** Where the plot is on the page and which data window it shows. */
  geometry(): PlotGeometry;
  /** The shareable link of the current state, or null when the state is too big for a link. */
  link(): string | null;
  /** Resolves once the current state is autosaved (IndexedDB): the throttle flushed and every write finished. */
  saved(): Promise<void>;
  /** The current network as JSON in the engine format `{dim, w, b, a, c}`. */
  exportJson(): string;
  /** Imports a network (engine format) or a saved state; rejects and changes nothing on bad input. */
  importJson(text: string): Promise<AppState>;
  /**
   * Runs `steps` training steps now (the WebGPU trainer where available) and resolves after the redraw with the
   * training loss and, with a held-out set (`holdout` > 0), the test loss. `options.signal` (an AbortSignal) or
   * `stopTraining()` cancels it: the steps completed so far are kept (committed, unless the state changed
   * meanwhile) and the promise rejects with a TrainingCancelledError saying how many. `options.onProgress`
   * is called about every 100 ms with `{ done, of }`.
   */
  train(steps: number, options?: { signal?: AbortSignal; onProgress?: (p: { done: number; of: number }) => void }): Promise<{ loss: number; testLoss: number | null; steps: number; backend: BackendKind }>;
  /** Stops training: the live loop and every `train()` call running or queued (each keeps its completed steps). */
  stopTraining(): void;
  /**
   * Where training stands: live or not, steps and epochs of the current run (full batch: one step is one
   * epoch), the training and test losses, sample counts, the learning rate in use, the live rate, and the
   * loss history the chart draws (a copy).
   */
  trainingStatus(): TrainingStatus;
  /** The error-against-N study of the current target and construction (also drawn as the chart). */
  errorVsN(): Promise<{ ns: number[]; rms: number[]; max: number[]; slopeRms: number; slopeMax: number }>;
  /** Opens tour step k (1 … 8), or closes the tour with 0. */
  tour(step: number): Promise<AppState>;
  /** The hover readout at data x (as the mouse would show it); 1D. */
  readout(x: number): { x: number; target: number; sum: number; error: number; active: number };
  /**
   * 2D: the linear regions in the current window: `exact`, the number of cells into which the units' lines
   * (units with w = (0, 0) have none) divide the open `view2d` rectangle; `counted`, the distinct activation
   * patterns at the centres of the cells of the count grid (side `grid`: the 2D grid, at most 512); and for
   * N ≤ 1,000 `polygons`, each cell's vertices, activation pattern id and plane. Rejects in the 1D mode.
   */
  regions(): Promise<RegionsResult>;
  /** 2D: the hover readout at (x, y): the value, the target, the error, the active units and the region's plane. */
  readout2d(x: number, y: number): { x: number; y: number; value: number; target: number; error: number; active: number; activeUnits: number[]; pattern: number; plane: { gx: number; gy: number; c: number } };
  /**
   * Where the last frame's target values, its values (`values`) and the last training steps were computed, and what
   * drew the picture (and in 2D the surface); `uncaught`: errors and rejections no code handled since the page
   * loaded (the global safety net counts them; 0 is the goal).
   */
  info(): { target: BackendKind; trainer: BackendKind | null; plot: BackendKind; surface: BackendKind | null; values: BackendKind; uncaught: number };
  /** The picture as on screen (axes, curves, overlay), as a PNG data URL — what Export PNG downloads. */
  pngDataUrl(): Promise<string>;
  /**
   * Loses the GPU device on purpose (as a driver reset would) and resolves after the next frame with the
   * notice the page shows; for testing recovery. Rejects on the CPU backend.
   */
  simulateDeviceLoss(): Promise<string>;
  /** The Benchmark panel, loaded on first use: `run()`, `cancel()`, `result`, `load()`. */
  readonly benchmark: LazyBenchPanel;
  /**
   * The 2D method calibration: starts it if it has not started (it starts by itself after the first 2D frame) and
   * resolves once it is known (measured, or read from this adapter's cache) or failed, with the candidates, the
   * raw timings and the table (predicted ms per candidate and the pick, per size class).
   */
  calibration(): Promise<CalibrationInfo>;
}

export interface ApiDeps {
  store: Store;
  evaluator: AutoEvaluator;
  /** Resolves after the first frame. */
  ready: Promise<void>;
  /** Resolves once every change so far (fits included) is on screen; rejects when a fit failed. */
  whenDrawn(): Promise<void>;
  frame: FrameController;
  plot1d: Plot1DFrame;
  explorer2d: Explorer2DFrame;
  regions: RegionsController;
  training: TrainingController;
  explore: ExploreController;
  share: ShareController;
  benchmark: LazyBenchPanel;
  /** How many errors the page's global safety net caught (see `info().uncaught`). */
  uncaught?: () => number;
  calibration: CalibrationController;
}

/** Inputs to evaluate keep to the one range of every number (the GPU evaluates them in float32; see limits.ts). */
function checkInRange(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) > MAX_ABS_VALUE) throw new InvalidInputError(`${values.length === 1 && name !== 'inputs' ? name : `${name}[${i}]`}: ${outsideRange(values[i])}`);
  }
}

/** The scripting API over the app's controllers; nothing here keeps state of its own. */
export function createSandboxApi(deps: ApiDeps): SandboxApi {
  const { store, evaluator, frame, whenDrawn } = deps;
  /**
   * The state on screen once every change so far is drawn, copied in a task of its own: the copy of a 65,536-unit
   * state (with the other mode's network, twice the numbers after a mode switch) took 20–40 ms, and it ran in the
   * task of the frame's last slice. States are replaced, never changed, so the one drawn is the one copied.
   */
  const drawnSnapshot = async (): Promise<AppState> => {
    await whenDrawn();
    const drawn = store.state;
    await nextTask();
    return snapshot(drawn);
  };
  let pointsWorker: WorkerEvaluator | null = null;
  return {
    ready: deps.ready,
    get backend() {
      return evaluator.kind;
    },
    getState: () => snapshot(store.state),
    async setState(patch: unknown) {
      store.set(patch);
      return drawnSnapshot();
    },
    async evaluate(inputs: ArrayLike<number>) {
      const isTyped = inputs instanceof Float32Array || inputs instanceof Float64Array;
      if (!Array.isArray(inputs) && !isTyped) {
        throw new InvalidInputError('inputs must be an array of numbers, a Float32Array or a Float64Array');
      }
      const net = store.state.network;
      checkPoints(inputs, net.dim);
      checkInRange('inputs', inputs);
      // Without a GPU the points go to a worker of their own: 65,536 2D points at N = 65,536 took 50 s of main
      // thread; the GPU evaluates off the main thread already.
      const ev = evaluator.root ? evaluator : (pointsWorker ??= defaultWorkerEvaluator('CPU'));
      return Array.from(await ev.evaluatePoints(net, inputs));
    },
    geometry: () => frame.geometry(),
    link: () => deps.share.link(),
    saved: () => deps.share.saved(),
    exportJson: () => networkJson(store.state.network),
    async importJson(text: string) {
      deps.share.importText(text);
      return drawnSnapshot();
    },
    async train(steps: number, options: { signal?: AbortSignal; onProgress?: (p: { done: number; of: number }) => void } = {}) {
      if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) throw new RangeError(`steps must be an integer from 1 to 100000, got ${steps}`);
      if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object { signal?, onProgress? }');
      if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
      if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
      const loss = await deps.training.run(steps, options);
      await whenDrawn();
      const st = deps.training.status;
      return { loss, testLoss: st.testSamples > 0 ? st.testLoss : null, steps: st.steps, backend: deps.training.kind };
    },
    stopTraining: () => deps.training.cancel(),
    trainingStatus() {
      const st = deps.training.status;
      return { ...st, progress: st.progress && { ...st.progress }, timing: { ...st.timing }, history: { steps: st.history.steps.slice(), train: st.history.train.slice(), test: st.history.test.slice() } };
    },
    async errorVsN() {
      const st = await deps.explore.errorChart();
      return { ns: st.ns, rms: st.rms, max: st.max, slopeRms: st.slopeRms, slopeMax: st.slopeMax };
    },
    async tour(k: number) {
      if (!Number.isInteger(k) || k < 0 || k > TOUR.length) throw new RangeError(`tour step must be an integer from 0 to ${TOUR.length}`);
      await deps.explore.showTour(k - 1);
      return drawnSnapshot();
    },
    readout(x: number) {
      if (store.state.mode !== '1d') throw new Error('readout(x) reads the 1D plot; in 2D use readout2d(x, y)');
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidInputError(`readout needs a finite number x, got ${String(x)}`);
      checkInRange('x', [x]);
      return deps.plot1d.hoverReadout(store.state, x);
    },
    async regions() {
      await whenDrawn();
      const s = store.state;
      if (s.mode !== '2d') throw new Error('regions() counts the 2D explorer\'s regions: setState({ mode: "2d" }) first');
      return deps.regions.regions(s);
    },
    readout2d(x: number, y: number) {
      const s = store.state;
      if (s.mode !== '2d') throw new Error('readout2d(x, y) reads the 2D explorer: setState({ mode: "2d" }) first');
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
        throw new InvalidInputError(`readout2d needs finite numbers x and y, got ${String(x)}, ${String(y)}`);
      }
      checkInRange('x', [x]);
      checkInRange('y', [y]);
      return deps.explorer2d.readoutAt(s, x, y);
    },
    info: () => ({
      target: store.state.mode === '1d' ? (deps.plot1d.targetOnGpu ? 'webgpu' : 'cpu') : deps.explorer2d.targetOnGpu ? 'webgpu' : 'cpu',
      trainer: deps.training.started ? deps.training.kind : null,
      plot: frame.current?.usesGpuCanvas ? 'webgpu' : 'cpu',
      surface: store.state.mode === '2d' ? (deps.explorer2d.surfaceOnGpu ? 'webgpu' : 'cpu') : null,
      values: store.state.mode === '2d' ? (deps.explorer2d.valuesOnGpu ? 'webgpu' : 'cpu') : deps.plot1d.valuesOnGpu ? 'webgpu' : 'cpu',
      uncaught: deps.uncaught?.() ?? 0,
    }),
    pngDataUrl: async () => (await frame.picture()).toDataURL('image/png'),
    benchmark: deps.benchmark,
    async calibration() {
      await deps.calibration.start();
      return deps.calibration.info();
    },
    async simulateDeviceLoss() {
      const root = evaluator.root;
      if (!root || root.failed) throw new Error('there is no GPU device to lose (the CPU backend is running)');
      const device = root.device;
      if (!device) throw new Error('a GPU recovery is already under way; try again when it is done');
      // destroy() from outside the root looks exactly like a loss to it: it notices at once and recovers.
      const handled = new Promise<void>((resolve) => {
        const offs = [root.onRecovered(() => done()), root.onFallback(() => done())];
        const timer = setTimeout(() => done(), 10_000);
        function done() {
          clearTimeout(timer);
          for (const off of offs) off();
          resolve();
        }
      });
      device.destroy();
      await handled;
      await frame.request();
      return evaluator.status.notice ?? evaluator.status.label;
    },
  };
}

declare global {
  interface Window {
    sandbox: SandboxApi;
  }
}
