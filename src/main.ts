/**
 * Boot: pick the backend, build the state, wire panel → state → evaluator → views, expose `window.sandbox`.
 * State flows one way; the render loop always draws the latest state and tells waiters when it is on screen.
 */
import { AutoEvaluator, type BackendStatus, preferenceFromQuery } from './backend.ts';
import { gridXs } from './model/grid.ts';
import { piecesInRange, piecewise1D } from './model/piecewise1d.ts';
import { createSandboxApi, type PlotGeometry } from './ui/api.ts';
import { basicTarget } from './ui/basicTargets.ts';
import { Panel } from './ui/panel.ts';
import { type AppState, Store } from './ui/state.ts';
import { Heatmap2D } from './views/heatmap2d.ts';
import { Plot1D } from './views/plot1d.ts';

const statusEl = document.getElementById('backend-status') as HTMLElement;
const noticeEl = document.getElementById('backend-notice') as HTMLElement;
const readoutEl = document.getElementById('readout') as HTMLElement;
const canvas = document.getElementById('plot') as HTMLCanvasElement;

function showStatus(s: BackendStatus): void {
  statusEl.textContent = s.label;
  statusEl.dataset.backend = s.kind;
  noticeEl.textContent = s.notice ?? '';
  noticeEl.hidden = !s.notice;
}

async function boot(): Promise<void> {
  statusEl.textContent = 'Starting…';
  const store = new Store();
  const evaluator = await AutoEvaluator.create({
    prefer: preferenceFromQuery(location.search),
    gpu: navigator.gpu ?? null,
    onChange: (s) => {
      showStatus(s);
      void requestDraw();
    },
  });
  showStatus(evaluator.status);

  const plot = new Plot1D(canvas);
  const heatmap = new Heatmap2D(canvas);
  let onScreen: PlotGeometry['kind'] = 'plot1d';

  async function drawFrame(s: AppState): Promise<void> {
    if (s.network.dim === 2) {
      heatmap.resize();
      const n = heatmap.resolution;
      const grid = { ...s.view2d, nx: n, ny: n };
      const values = await evaluator.evaluateGrid2D(s.network, grid);
      heatmap.draw({ view: s.view2d, nx: n, ny: n, values });
      onScreen = 'heatmap2d';
      readoutEl.textContent = `2D network · N = ${s.network.a.length} units`;
      return;
    }
    plot.resize();
    const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: plot.sampleCount };
    const sum = await evaluator.evaluateGrid1D(s.network, grid);
    const xs = gridXs(grid);
    const f = basicTarget(s.target.id)!.f;
    const target = xs.map(f);
    plot.draw({ view: s.view, xs, target, sum });
    onScreen = 'plot1d';
    let maxErr = 0;
    let sq = 0;
    for (let i = 0; i < xs.length; i++) {
      const e = sum[i] - target[i];
      maxErr = Math.max(maxErr, Math.abs(e));
      sq += e * e;
    }
    const pieces = piecesInRange(piecewise1D(s.network), s.view.xMin, s.view.xMax);
    readoutEl.textContent =
      `N = ${s.network.a.length} units · ${pieces} linear pieces in view · ` +
      `max error ${maxErr.toPrecision(3)} · RMS error ${Math.sqrt(sq / xs.length).toPrecision(3)}`;
  }

  // Render loop: draws the newest state; each waiter resolves once a frame at least as new as its request is up.
  let requested = 0;
  let drawn = 0;
  let running = false;
  const waiters: { version: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  function settle(version: number, error: unknown): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].version <= version) {
        const w = waiters.splice(i, 1)[0];
        if (error) w.reject(error);
        else w.resolve();
      }
    }
  }
  async function pump(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (drawn < requested) {
        const version = requested;
        let error: unknown = null;
        try {
          await drawFrame(store.state);
        } catch (e) {
          error = e;
          noticeEl.hidden = false;
          noticeEl.textContent = `Drawing failed: ${e instanceof Error ? e.message : String(e)}`;
        }
        drawn = version;
        settle(version, error);
      }
    } finally {
      running = false;
    }
  }
  function requestDraw(): Promise<void> {
    const version = ++requested;
    const done = new Promise<void>((resolve, reject) => waiters.push({ version, resolve, reject }));
    void pump();
    return done;
  }
  function whenDrawn(): Promise<void> {
    if (drawn >= requested && !running) return Promise.resolve();
    return new Promise<void>((resolve, reject) => waiters.push({ version: requested, resolve, reject }));
  }

  store.subscribe(() => void requestDraw());
  new Panel(store, document.getElementById('panel') ?? undefined);
  new ResizeObserver(() => void requestDraw()).observe(canvas);

  const ready = requestDraw();
  window.sandbox = createSandboxApi({
    store,
    evaluator,
    ready,
    whenDrawn,
    geometry: () => {
      const box = canvas.getBoundingClientRect();
      const r = onScreen === 'plot1d' ? plot.rect : heatmap.rect;
      const v = onScreen === 'plot1d' ? store.state.view : store.state.view2d;
      return {
        left: box.left + window.scrollX + r.left,
        top: box.top + window.scrollY + r.top,
        width: r.width,
        height: r.height,
        view: { ...v },
        kind: onScreen,
      };
    },
  });
  await ready;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  statusEl.textContent = `Failed to start: ${e instanceof Error ? e.message : String(e)}`;
  statusEl.dataset.backend = 'none';
  console.error(e);
});
