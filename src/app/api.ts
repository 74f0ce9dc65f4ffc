/**
 * `window.sandbox`: the scripting API. A thin layer over the store and the evaluator: every call goes
 * through the same validation as the GUI, and nothing here keeps state of its own.
 */
import { InvalidInputError, checkPoints, type BackendKind } from '../engine/evaluator.ts';
import type { Network } from '../model/network.ts';
import type { BenchPanel } from '../ui/benchPanel.ts';
import { type AppState, type Store, snapshot } from '../state/state.ts';

/** Where the plot sits on the page, for scripts that map data to pixels (CSS pixels, page coordinates). */
export interface PlotGeometry {
  /** The plot area (inside the axes) in page coordinates. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** The data window shown in that area. */
  view: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** Which view is on screen. */
  kind: 'plot1d' | 'heatmap2d';
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
  /** The current network as JSON in the engine format `{dim, w, b, a, c}`. */
  exportJson(): string;
  /** Imports a network (engine format) or a saved state; rejects and changes nothing on bad input. */
  importJson(text: string): Promise<AppState>;
  /** Runs `steps` training steps now (the WebGPU trainer where available) and resolves after the redraw. */
  train(steps: number): Promise<{ loss: number; backend: BackendKind }>;
  /** The error-against-N study of the current target and construction (also drawn as the chart). */
  errorVsN(): Promise<{ ns: number[]; rms: number[]; max: number[]; slopeRms: number; slopeMax: number }>;
  /** Opens tour step k (1 … 8), or closes the tour with 0. */
  tour(step: number): Promise<AppState>;
  /** The hover readout at data x (as the mouse would show it). */
  readout(x: number): { x: number; target: number; sum: number; error: number; active: number };
  /** Where the last frame's target values and the last training steps were computed. */
  info(): { target: BackendKind; trainer: BackendKind | null; plot: BackendKind };
  /** The picture as on screen (axes, curves, overlay), as a PNG data URL — what Export PNG downloads. */
  pngDataUrl(): Promise<string>;
  /**
   * Loses the GPU device on purpose (as a driver reset would) and resolves after the next frame with the
   * notice the page shows; for testing recovery. Rejects on the CPU backend.
   */
  simulateDeviceLoss(): Promise<string>;
  /** The Benchmark panel (issue 4): `run()`, `cancel()`, `result`. */
  readonly benchmark: BenchPanel;
}

/** Extra entry points implemented by main.ts. */
export type ApiExtras = Pick<SandboxApi, 'link' | 'exportJson' | 'importJson' | 'train' | 'errorVsN' | 'tour' | 'readout' | 'info' | 'pngDataUrl' | 'benchmark' | 'simulateDeviceLoss'>;

export interface ApiDeps {
  store: Store;
  evaluator: { readonly kind: BackendKind; evaluatePoints(net: Network, points: ArrayLike<number>): Promise<ArrayLike<number>> };
  ready: Promise<void>;
  /** Resolves once every state change made so far is on screen. */
  whenDrawn(): Promise<void>;
  geometry(): PlotGeometry;
  extras: ApiExtras;
}

export function createSandboxApi(deps: ApiDeps): SandboxApi {
  return {
    ...deps.extras,
    ready: deps.ready,
    get backend() {
      return deps.evaluator.kind;
    },
    getState: () => snapshot(deps.store.state),
    async setState(patch: unknown) {
      deps.store.set(patch);
      await deps.whenDrawn();
      return snapshot(deps.store.state);
    },
    async evaluate(inputs: ArrayLike<number>) {
      const isTyped = inputs instanceof Float32Array || inputs instanceof Float64Array;
      if (!Array.isArray(inputs) && !isTyped) {
        throw new InvalidInputError('inputs must be an array of numbers, a Float32Array or a Float64Array');
      }
      const net = deps.store.state.network;
      checkPoints(inputs, net.dim);
      const values = await deps.evaluator.evaluatePoints(net, inputs);
      return Array.from(values);
    },
    geometry: () => deps.geometry(),
  };
}

declare global {
  interface Window {
    sandbox: SandboxApi;
  }
}
