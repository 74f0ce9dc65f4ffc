/**
 * The 2D method calibration in the app (issue 12): after the first 2D frame, a short calibration times the 2D
 * candidates on this adapter in slices (one timing per macrotask, so input and frames go first, and none while
 * the user is moving the pointer or typing: see inputQuiet.ts), or reads the
 * last one cached for this adapter, app version and kernel set from localStorage; the evaluator then takes the
 * fastest method for each size. The status line says what was picked for the current size and why.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import {
  CANDIDATES_2D,
  type Calibration2D,
  type CalibrationTableRow,
  type Output2D,
  type Pick2D,
  Picker2D,
  calibrate2D,
  calibrationKey,
  candidateById,
  describePick,
  parseCalibration,
} from '../engine/calibrate2d.ts';
import { messageOf } from '../model/messages.ts';
import type { Network } from '../model/network.ts';
import type { Grid2D } from '../model/grid.ts';
import type { Regions } from '../model/regions.ts';
import type { Values } from '../engine/evaluator.ts';
import { defaultWorkerEvaluator } from '../engine/cpu/workerEvaluator.ts';
import { InputQuiet } from './inputQuiet.ts';

/**
 * What times the CPU candidate: the app computes its CPU 2D grids in a worker (explorer2dFrame.ts), so the
 * calibration times them there too, postMessage and transfer included, in a worker of its own (not the frame's:
 * its timings would wait behind the frame's jobs), stopped when the calibration ends.
 */
export interface CpuGrids {
  evaluateGrid2D(net: Network, grid: Grid2D): Promise<Values>;
  regions2D(net: Network, grid: Grid2D): Promise<Regions>;
  destroy(): void;
}

/**
 * The app's build, for the cache key: this module's URL, which carries the bundle's content hash in a build (so a
 * release that changes any kernel or path measures again) and is the source path in development.
 */
const APP_VERSION = new URL(import.meta.url).pathname;

/** How long after the first 2D frame the measuring starts, ms. */
const START_DELAY_MS = 500;

/** localStorage key of the cached calibration (one adapter at a time: a browser profile rarely changes GPUs). */
export const CALIBRATION_STORAGE_KEY = 'relu-sandbox:calibration2d';

/** Where the calibration stands, for the status line, the Benchmark panel and `sandbox.calibration()`. */
export interface CalibrationInfo {
  /**
   * 'cpu-only': no GPU (the CPU computes everything, nothing to choose); 'pending': not started (it starts after
   * the first 2D frame); 'running'; 'measured' (this page measured it) or 'cached' (read back, no measuring);
   * 'failed' (the default choice stays; `error` says why); 'off': turned off by `?calibrate=off` (the default
   * choice, for measurements of the page that must not include the calibration's work).
   */
  state: 'cpu-only' | 'off' | 'pending' | 'running' | 'measured' | 'cached' | 'failed';
  /** The candidates (id, label, what runs) on this adapter. */
  candidates: Array<{ id: string; label: string; detail: string; backend: 'cpu' | 'gpu'; outputs: readonly Output2D[] }>;
  /** The raw timings and when they were taken; null until known. */
  calibration: Calibration2D | null;
  /** Predicted ms per candidate and the pick, for each size class (see SIZE_CLASSES). */
  table: CalibrationTableRow[];
  error?: string;
}

/** The app's calibration: starts once, caches, and answers picks (null until known: the defaults then). */
export class CalibrationController {
  private stateNow: CalibrationInfo['state'];
  private picker: Picker2D | null = null;
  private error: string | undefined;
  private running: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  /** Between timings the calibration waits for the user's input to be still (see inputQuiet.ts). */
  private readonly input = new InputQuiet(typeof window === 'undefined' ? null : window);

  /**
   * `route`: whether the evaluator itself follows the picks (false under `?eval2d=gpu|cpu`, which fixes who
   * computes the 2D grids); `off`: never calibrate (`?calibrate=off`); `storage`: where the calibration is cached
   * (null: measured on every load); `cpuGrids`: starts what times the CPU candidate (default: a grid worker).
   */
  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly route = true,
    off = false,
    private readonly storage: Storage | null = safeLocalStorage(),
    private readonly cpuGrids: () => CpuGrids = () => defaultWorkerEvaluator('CPU calibration'),
  ) {
    this.stateNow = !evaluator.root ? 'cpu-only' : off ? 'off' : 'pending';
  }

  /** Calls `f` whenever the state changes (to refresh the status line). */
  onChange(f: () => void): void {
    this.listeners.add(f);
  }

  private set(state: CalibrationInfo['state']): void {
    this.stateNow = state;
    for (const f of this.listeners) f();
  }

  /** The adapter's cache key (adapter, app version, available candidates); null without a GPU. */
  private key(): { key: string; ids: string[]; adapter: string } | null {
    const startup = this.evaluator.root?.startup;
    if (!startup) return null;
    const ids = CANDIDATES_2D.filter((c) => c.available(startup.device)).map((c) => c.id);
    return { key: calibrationKey(startup.adapter.info ?? null, APP_VERSION, ids), ids, adapter: startup.adapterName };
  }

  /**
   * Starts the calibration once (a cached one is used at once); resolves when it is known or failed. Safe to call
   * on every 2D frame. Never rejects: a failure keeps the default choice and is reported in `info()`.
   */
  start(): Promise<void> {
    if (this.running) return this.running;
    if (this.stateNow === 'off') return Promise.resolve();
    const k = this.key();
    if (!k) return Promise.resolve();
    this.running = (async () => {
      let cached: Calibration2D | null = null;
      try {
        cached = parseCalibration(this.storage?.getItem(CALIBRATION_STORAGE_KEY), k.key);
      } catch {
        cached = null;
      }
      if (cached) {
        this.use(cached);
        this.set('cached');
        return;
      }
      this.set('running');
      let cpu: CpuGrids | null = null;
      try {
        // A moment after the frame that asked: the first picture (and what it compiles) is never held up by measuring.
        await new Promise((r) => setTimeout(r, START_DELAY_MS));
        const worker = (cpu = this.cpuGrids());
        const cal = await calibrate2D({
          device: this.evaluator.device,
          // The CPU candidate where the app runs it (the worker); the GPU ones through the evaluator (its recovery).
          run: (c, output, net, grid) =>
            c.backend === 'cpu' ? (output === 'values' ? worker.evaluateGrid2D(net, grid) : worker.regions2D(net, grid)) : this.evaluator.runCandidate2D(c, output, net, grid),
          now: () => performance.now(),
          key: k.key,
          adapter: k.adapter,
          yieldToHost: () => this.input.wait(),
        });
        this.use(cal);
        try {
          this.storage?.setItem(CALIBRATION_STORAGE_KEY, JSON.stringify(cal));
        } catch {
          // Storage full or blocked: the next page load measures again, nothing else changes.
        }
        this.set('measured');
      } catch (e) {
        this.error = messageOf(e);
        this.set('failed');
      } finally {
        cpu?.destroy();
      }
    })();
    return this.running;
  }

  private use(cal: Calibration2D): void {
    this.picker = new Picker2D(cal);
    if (this.route) this.evaluator.picker = this.picker;
  }

  /** Whether a calibration (measured or cached) is in use. */
  get known(): boolean {
    return this.picker !== null;
  }

  /** The pick for a 2D grid of this network and side, or null while unknown (the default choice applies). */
  pick(net: Network, side: number, output: Output2D): Pick2D | null {
    return this.picker?.pick(output, net.a.length, side, side, net) ?? null;
  }

  /** The status line's note for the 2D grid the state shows ('' when there is nothing to say). */
  note(net: Network, side: number): string {
    const p = this.pick(net, side, 'values');
    return p ? describePick(p, side) : '';
  }

  /** Where the calibration stands, with its table. */
  info(): CalibrationInfo {
    const device = this.evaluator.device;
    const candidates = CANDIDATES_2D.filter((c) => c.available(device)).map((c) => ({ id: c.id, label: c.label, detail: c.detail, backend: c.backend, outputs: c.outputs }));
    return {
      state: this.stateNow,
      candidates,
      calibration: this.picker?.calibration ?? null,
      table: this.picker?.table() ?? [],
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** The label of a candidate id (for tables). */
  static label(id: string): string {
    return candidateById(id)?.label ?? id;
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
