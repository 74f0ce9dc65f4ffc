/**
 * The Benchmark panel, loaded on demand: its runner, charts and research kernels are a separate chunk that
 * is fetched when the section is opened (or a script calls `sandbox.benchmark.run()`), not on first load.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import type { BenchResult } from '../bench/runner.ts';
import type { PeersResult } from '../bench/peers.ts';
import type { BenchPanel } from '../ui/benchPanel.ts';
import type { Store } from '../state/state.ts';
import { targetOf } from '../state/state.ts';
import { el, messageOf, type Say } from './dom.ts';
import type { CalibrationController } from './calibration.ts';

/** What `sandbox.benchmark` offers; the panel itself loads on first use. */
export interface LazyBenchPanel {
  /** The panel's element once loaded, else null. */
  readonly element: HTMLElement | null;
  /** Loads the panel (once) and resolves with it. */
  load(): Promise<BenchPanel>;
  run(): Promise<BenchResult | null>;
  cancel(): void;
  readonly result: BenchResult | null;
  /** The last run's TensorFlow.js comparison (the panel's "Compare with TensorFlow.js"), or null. */
  readonly peers: PeersResult | null;
}

export function lazyBenchmark(evaluator: AutoEvaluator, store: Store, say: Say, calibration?: CalibrationController): LazyBenchPanel {
  let panel: BenchPanel | null = null;
  let loading: Promise<BenchPanel> | null = null;
  const load = () =>
    (loading ??= import('../ui/benchPanel.ts').then(({ mountBenchmarkPanel }) => {
      // The benchmark runs on the app's device; its accuracy study uses the current target.
      panel = mountBenchmarkPanel(el('bench-container'), {
        getDevice: () => evaluator.device,
        getBackendLabel: () => evaluator.status.label,
        getKernel2D: () => evaluator.kernel2D,
        getCalibration: calibration ? async () => (await calibration.start(), calibration.info()) : undefined,
        getTargetForAccuracy: () => {
          // The accuracy study is 1D: in the 2D mode it uses its default target (sin).
          if (store.state.mode !== '1d') return null;
          const t = targetOf(store.state.target);
          return { label: t.label, f: t.f, domain: t.domain };
        },
      });
      return panel;
    }));
  const section = el<HTMLDetailsElement>('bench-section');
  section.addEventListener('toggle', () => {
    if (section.open) load().catch((e) => say(`The benchmark could not be loaded: ${messageOf(e)}`));
  });
  return {
    get element() {
      return panel?.element ?? null;
    },
    load,
    run: async () => (await load()).run(),
    cancel: () => panel?.cancel(),
    get result() {
      return panel?.result ?? null;
    },
    get peers() {
      return panel?.peers ?? null;
    },
  };
}
