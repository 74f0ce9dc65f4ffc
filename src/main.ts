/**
 * Boot and wiring: pick the backend, restore the state (link, then autosave, then defaults), connect
 * panel / gestures / keyboard → state → evaluator → views, and expose `window.sandbox`.
 * State flows one way; the render loop always draws the latest state.
 */
import { AutoEvaluator, type BackendStatus, preferenceFromQuery } from './engine/backend.ts';
import { errorStats, errorVsN, powersOfTwo, type Construction, type ErrorVsN } from './model/errorStats.ts';
import { gridXs } from './model/grid.ts';
import { cloneNetwork, type Network } from './model/network.ts';
import { evaluatePiecewise, piecesInRange, piecewise1D, type PiecewiseLinear } from './model/piecewise1d.ts';
import { sampleTarget } from './model/targets.ts';
import { Trainer1D } from './model/train1d.ts';
import { GpuTarget1D } from './engine/gpu/target1d.ts';
import { GpuTrainer1D } from './engine/gpu/train1d.ts';
import { createSandboxApi, type PlotGeometry } from './app/api.ts';
import { mountBenchmarkPanel } from './ui/benchPanel.ts';
import { fmt, formulaLines } from './ui/formula.ts';
import { PlotGestures } from './ui/gestures.ts';
import { Panel } from './ui/panel.ts';
import { autosave, download, loadAutosave, loadPreset, networkJson, parseImport, presetNames, savePreset } from './state/persist.ts';
import { RenderLoop } from './app/renderLoop.ts';
import { TargetEditor, UnitInspector } from './ui/sidebar.ts';
import { type AppState, Store, construct, snapshot, targetOf, viewForTarget } from './state/state.ts';
import { TOUR } from './ui/tour.ts';
import { MAX_LINK_LENGTH, hashToPatch, stateToHash } from './state/urlState.ts';
import { ErrorChart } from './views/charts/errorChart.ts';
import { Heatmap2D } from './views/map2d/heatmap2d.ts';
import { Plot1D } from './views/plot1d/plot1d.ts';
import { PlotGpu } from './views/plot1d/plotGpu.ts';

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

const statusEl = el('backend-status');
const noticeEl = el('backend-notice');
const messageEl = el('message');
const canvas = el<HTMLCanvasElement>('plot');
const bgCanvas = el<HTMLCanvasElement>('plot-bg');
const gpuCanvas = el<HTMLCanvasElement>('plot-gpu');

function showStatus(s: BackendStatus): void {
  statusEl.textContent = s.label;
  statusEl.dataset.backend = s.kind;
  noticeEl.textContent = s.notice ?? '';
  noticeEl.hidden = !s.notice;
}

let messageTimer = 0;
/** A transient message for the user (validation errors from gestures, link notes, exports). */
function say(text: string, kind: 'info' | 'error' = 'error'): void {
  messageEl.textContent = text;
  messageEl.dataset.kind = kind;
  messageEl.hidden = false;
  clearTimeout(messageTimer);
  messageTimer = window.setTimeout(() => (messageEl.hidden = true), 8000);
}

/** The first state: the link's, else the autosaved one, else the defaults. Bad input is reported, not applied. */
function restoreState(store: Store): void {
  try {
    const fromLink = hashToPatch(location.hash);
    if (fromLink) {
      store.replace(fromLink);
      return;
    }
  } catch (e) {
    say(`${e instanceof Error ? e.message : String(e)} — showing the last saved state instead.`);
  }
  const saved = loadAutosave();
  if (saved) {
    try {
      store.replace(saved);
    } catch (e) {
      say(`The autosaved state could not be restored (${e instanceof Error ? e.message : String(e)}); starting fresh.`);
    }
  }
}

/** Trainer1D (CPU) and GpuTrainer1D share this shape; the GPU one answers asynchronously. */
interface Trainer {
  step(k: number): number | Promise<number>;
  network(): Network | Promise<Network>;
  setOptions(opts: { lr: number }): void;
  destroy?(): void;
}

async function boot(): Promise<void> {
  statusEl.textContent = 'Starting…';
  const store = new Store();
  restoreState(store);
  const evaluator = await AutoEvaluator.create({
    prefer: preferenceFromQuery(location.search),
    gpu: navigator.gpu ?? null,
    onChange: (s) => {
      showStatus(s);
      void loop.request();
    },
  });
  showStatus(evaluator.status);

  const plot = new Plot1D(bgCanvas, canvas);
  const heatmap = new Heatmap2D(bgCanvas);
  // The curves are drawn with WebGPU on the evaluator's device when there is one (rebuilt after a device loss).
  let plotGpu: PlotGpu | null = null;
  // `?plot=canvas` keeps the curves on the 2D canvas even with WebGPU (the render path's CPU twin, for comparison).
  let plotGpuFailed = new URLSearchParams(location.search).get('plot') === 'canvas';
  function renderFailed(e: unknown): void {
    plotGpuFailed = true;
    plotGpu?.destroy();
    plotGpu = null;
    say(`Drawing with WebGPU failed (${e instanceof Error ? e.message : String(e)}); drawing on a 2D canvas instead.`);
    void loop.request();
  }
  async function gpuLayer(): Promise<PlotGpu | null> {
    const device = evaluator.device;
    if (!device || plotGpuFailed) {
      plotGpu?.destroy();
      plotGpu = null;
      return null;
    }
    if (plotGpu?.device !== device) {
      plotGpu?.destroy();
      plotGpu = null;
      try {
        plotGpu = await PlotGpu.create(device, gpuCanvas);
      } catch (e) {
        renderFailed(e);
      }
    }
    return plotGpu;
  }
  let snapshotNext: ((composite: HTMLCanvasElement) => void) | null = null;
  function takeSnapshot(gpuShown: boolean): void {
    if (!snapshotNext) return;
    const out = document.createElement('canvas');
    out.width = canvas.width;
    out.height = canvas.height;
    plot.composite(out.getContext('2d')!, gpuShown ? gpuCanvas : null);
    const done = snapshotNext;
    snapshotNext = null;
    done(out);
  }
  let onScreen: PlotGeometry['kind'] = 'plot1d';
  let hoverX: number | null = null;
  let pieces: { net: Network; pl: PiecewiseLinear } | null = null;
  const piecewiseOf = (net: Network) => {
    if (!pieces || pieces.net !== net) pieces = { net, pl: piecewise1D(net) };
    return pieces.pl;
  };

  // Set once the panel exists; frames drawn before that (a device loss during boot) skip the panel.
  let panelRef: Panel | null = null;
  const readoutEls = { n: el('readout-n'), pieces: el('readout-pieces'), max: el('readout-max'), rms: el('readout-rms') };
  const liveEl = el('readout-live');
  let liveTimer = 0;
  function setReadouts(n: number, pieceCount: number | null, max: number, rms: number): void {
    readoutEls.n.textContent = String(n);
    readoutEls.pieces.textContent = pieceCount === null ? '—' : String(pieceCount);
    readoutEls.max.textContent = Number.isFinite(max) ? max.toPrecision(3) : '—';
    readoutEls.rms.textContent = Number.isFinite(rms) ? rms.toPrecision(3) : '—';
    panelRef?.readouts(pieceCount, max, rms);
    // Screen readers get a calm summary, at most every 800 ms, rather than every frame.
    clearTimeout(liveTimer);
    liveTimer = window.setTimeout(() => {
      liveEl.textContent =
        `${n} units, ${pieceCount ?? 'no'} linear pieces in view, ` +
        `max error ${Number.isFinite(max) ? max.toPrecision(3) : 'not available'}, RMS error ${Number.isFinite(rms) ? rms.toPrecision(3) : 'not available'}`;
    }, 800);
  }

  function hoverReadout(s: AppState, x: number) {
    const net = s.network;
    const sum = evaluatePiecewise(piecewiseOf(net), [x])[0];
    const target = targetOf(s.target).f(x);
    let active = 0;
    for (let i = 0; i < net.a.length; i++) if (net.w[i] * x + net.b[i] > 0) active++;
    return { x, target, sum, error: sum - target, active };
  }

  // Expression targets (the built-in ones included) are evaluated on the GPU when there is one.
  let gpuTarget: { device: GPUDevice; kernel: GpuTarget1D } | null = null;
  let targetOnGpu = false;
  let targetGpuFailedOn: GPUDevice | null = null;
  let plotOnGpu = false;
  async function targetValues(t: ReturnType<typeof targetOf>, grid: { xMin: number; xMax: number; nx: number }, xs: Float64Array): Promise<ArrayLike<number>> {
    const device = evaluator.device;
    targetOnGpu = false;
    if (device && t.expression && targetGpuFailedOn !== device) {
      try {
        if (!gpuTarget || gpuTarget.device !== device) {
          gpuTarget?.kernel.destroy();
          gpuTarget = { device, kernel: await GpuTarget1D.create(device, t.expression) };
        } else await gpuTarget.kernel.setExpression(t.expression);
        const values = await gpuTarget.kernel.evaluateGrid(grid);
        targetOnGpu = true;
        return values;
      } catch (e) {
        gpuTarget?.kernel.destroy();
        gpuTarget = null;
        // Not again on this device (a new device after a loss gets a fresh try).
        targetGpuFailedOn = device;
        say(`The target could not be evaluated on the GPU (${e instanceof Error ? e.message : String(e)}); using the CPU for it.`);
      }
    }
    return xs.map(t.f);
  }

  async function drawFrame(): Promise<void> {
    const s = store.state;
    const formula = formulaLines(s.network);
    el('formula-symbolic').textContent = formula.symbolic;
    el('formula-numeric').textContent = formula.numeric;
    if (s.network.dim === 2) {
      heatmap.resize();
      const n = heatmap.resolution;
      const values = await evaluator.evaluateGrid2D(s.network, { ...s.view2d, nx: n, ny: n });
      heatmap.draw({ view: s.view2d, nx: n, ny: n, values });
      canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
      gpuCanvas.hidden = true;
      takeSnapshot(false);
      onScreen = 'heatmap2d';
      setReadouts(s.network.a.length, null, Number.NaN, Number.NaN);
      el('hover-readout').textContent = '';
      return;
    }
    plot.resize();
    const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: plot.sampleCount };
    const sum = await evaluator.evaluateGrid1D(s.network, grid);
    const xs = gridXs(grid);
    const t = targetOf(s.target);
    const target = await targetValues(t, grid, xs);
    const gpu = await gpuLayer();
    gpuCanvas.hidden = !gpu;
    plot.draw({ view: s.view, show: s.show, xs, target, sum, network: s.network, samples: t.samples, selected: s.selected, hoverX }, gpu);
    // A frame the device rejected (validation, out of memory) switches the curves to the 2D canvas, with a message.
    // A lost device is not a render failure: the evaluator recovers and the next frame gets a new layer.
    if (gpu) {
      void plot.lastGpuFrame?.then((err) => {
        if (err && err.kind !== 'device-lost' && plotGpu === gpu) renderFailed(err);
      });
    }
    plotOnGpu = gpu !== null;
    takeSnapshot(plotOnGpu);
    onScreen = 'plot1d';
    // Error over the part of the view inside the target's domain: outside it the sum only extrapolates.
    const [lo, hi] = t.domain;
    const inSum: number[] = [];
    const inTarget: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] >= lo && xs[i] <= hi) {
        inSum.push(sum[i]);
        inTarget.push(target[i]);
      }
    }
    const stats = errorStats(inSum, inTarget);
    setReadouts(s.network.a.length, piecesInRange(piecewiseOf(s.network), s.view.xMin, s.view.xMax), stats.max, stats.rms);
    const hover = el('hover-readout');
    if (hoverX === null) hover.textContent = 'Hover over the plot to read values.';
    else {
      const r = hoverReadout(s, hoverX);
      hover.textContent = `x = ${fmt(r.x)} · target ${Number.isFinite(r.target) ? fmt(r.target) : 'undefined'} · sum ${fmt(r.sum)} · error ${Number.isFinite(r.error) ? fmt(r.error) : '—'} · ${r.active} active unit${r.active === 1 ? '' : 's'}`;
    }
  }

  const loop = new RenderLoop(drawFrame, (e) => say(`Drawing failed: ${e instanceof Error ? e.message : String(e)}`));

  // Keep the link and the autosave in step with the state, at most every 300 ms.
  let persistTimer = 0;
  let lastLink: string | null = null;
  function persist(): void {
    const s = store.state;
    // Every custom unit costs at least (dim + 2) numbers of several characters: skip building hopeless links.
    const hopeless = s.build === 'custom' && s.network.a.length * (s.network.dim + 2) * 4 > MAX_LINK_LENGTH;
    const hash = hopeless ? '' : stateToHash(s);
    const linkNote = el('link-note');
    if (!hopeless && hash.length <= MAX_LINK_LENGTH) {
      history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
      lastLink = location.href;
      linkNote.hidden = true;
    } else {
      history.replaceState(null, '', `${location.pathname}${location.search}`);
      lastLink = null;
      el('link-note-text').textContent =
        `This state (${s.network.a.length} custom units) is too big for a practical link. Export it as JSON to share or keep it.`;
      linkNote.hidden = false;
    }
    const err = autosave(s);
    if (err) say(err);
  }
  store.subscribe((s) => {
    void loop.request();
    // Throttled, not debounced, so a long training run is saved as it goes; big custom networks less often.
    if (persistTimer) return;
    const wait = s.build === 'custom' && s.network.a.length > 4096 ? 2000 : 300;
    persistTimer = window.setTimeout(() => {
      persistTimer = 0;
      persist();
    }, wait);
  });

  // Training: the trainer follows the state; an edit elsewhere restarts it from the edited network.
  let training = false;
  let trainer: Trainer | null = null;
  let trainerNet: Network | null = null;
  let trainerTarget: AppState['target'] | null = null;
  let trainSteps = 0;
  let trainLoss = Number.NaN;
  let animating = 0;
  function status(): void {
    panelRef?.status({ training, steps: trainSteps, loss: trainLoss, animating: animating !== 0 });
  }
  let trainerDevice: GPUDevice | null = null;
  let trainerKind: 'webgpu' | 'cpu' = 'cpu';
  async function trainerFor(s: AppState): Promise<Trainer> {
    const device = evaluator.device;
    if (!trainer || trainerNet !== s.network || trainerTarget !== s.target || trainerDevice !== device) {
      trainer?.destroy?.();
      trainer = null;
      const t = targetOf(s.target);
      const samples = t.samples ?? sampleTarget(t.f, t.domain, 512);
      if (device) {
        try {
          trainer = await GpuTrainer1D.create(device, s.network, samples, { lr: s.lr });
          trainerKind = 'webgpu';
        } catch (e) {
          say(`Training on the GPU failed to start (${e instanceof Error ? e.message : String(e)}); training on the CPU.`, 'info');
        }
      }
      if (!trainer) {
        trainer = new Trainer1D(s.network, samples, { lr: s.lr });
        trainerKind = 'cpu';
      }
      trainerTarget = s.target;
      trainerDevice = device;
    }
    return trainer;
  }
  async function trainSteps1(k: number): Promise<number> {
    const s = store.state;
    if (s.network.dim !== 1) throw new Error('training works on 1D networks');
    if (s.network.a.length === 0) throw new Error('add a unit before training');
    const tr = await trainerFor(s);
    tr.setOptions({ lr: s.lr });
    const loss = await tr.step(k);
    const net = await tr.network();
    store.set({ network: net, selected: s.selected < net.a.length ? s.selected : -1 });
    trainerNet = store.state.network;
    trainSteps += k;
    trainLoss = loss;
    status();
    return loss;
  }
  let stepsPerFrame = 1;
  async function trainTick(): Promise<void> {
    if (!training) return;
    const t0 = performance.now();
    try {
      await trainSteps1(stepsPerFrame);
    } catch (e) {
      training = false;
      status();
      say(`Training stopped: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // Aim at ~20 ms of training per frame so the plot stays fluid.
    const dt = performance.now() - t0;
    stepsPerFrame = Math.max(1, Math.min(500, Math.round(stepsPerFrame * (dt > 0 ? Math.min(2, 20 / dt) : 2))));
    await loop.idle();
    requestAnimationFrame(() => void trainTick());
  }
  function toggleTraining(): void {
    training = !training;
    if (training) {
      const s = store.state;
      const n = s.network.a.length;
      // Adam moves every parameter by about lr per step whatever its gradient, so N units can move the sum
      // by about N·lr at once: warn before a fine fit is thrown off.
      if (n * s.lr > 1) {
        say(`With ${n} units, each Adam step can move the sum by about N·lr = ${fmt(n * s.lr)}; if the fit jumps, lower the learning rate (e.g. ${fmt(0.5 / n)}).`, 'info');
      }
      stopAnimate();
      void trainTick();
    }
    status();
  }

  const ANIMATE_NS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100];
  function stopAnimate(): void {
    clearInterval(animating);
    animating = 0;
  }
  function toggleAnimateN(): void {
    if (animating) {
      stopAnimate();
      status();
      return;
    }
    training = false;
    let i = 0;
    const stepN = () => {
      try {
        store.set({ build: store.state.build === 'least-squares' ? 'least-squares' : 'interpolate', units: ANIMATE_NS[i] });
      } catch (e) {
        say(e instanceof Error ? e.message : String(e));
      }
      i++;
      if (i >= ANIMATE_NS.length) {
        stopAnimate();
        status();
      }
    };
    stepN();
    animating = window.setInterval(stepN, 450);
    status();
  }

  // The error-against-N study, drawn with uPlot.
  const chart = new ErrorChart(el('error-chart'));
  function constructionOf(s: AppState): Construction {
    if (s.build === 'least-squares') return 'least-squares';
    return s.placement === 'curvature' ? 'interpolate-curvature' : 'interpolate-uniform';
  }
  async function computeErrorChart(): Promise<ErrorVsN> {
    const s = store.state;
    const section = el('error-section');
    section.hidden = false;
    el('error-slope').textContent = 'Computing…';
    await new Promise((r) => setTimeout(r, 20));
    const t = targetOf(s.target);
    const construction = constructionOf(s);
    const study = errorVsN(t.f, t.domain, powersOfTwo(65_536), construction);
    const name = `${t.label}, ${construction}${s.build === 'custom' ? ' (the network is custom: its construction is shown)' : ''}`;
    chart.show(study, `Error vs N: ${name}`);
    el('error-slope').textContent =
      `Fitted log-log slope: RMS ${fmt(study.slopeRms)}, max ${fmt(study.slopeMax)} ` +
      `(piecewise-linear interpolation of a smooth target gives about −2).`;
    return study;
  }

  // The tour: each step is a state patch plus a caption; any step can be left to explore from there.
  let tourStep = -1;
  const multiples = el('tour-multiples');
  async function drawMultiples(ns: number[]): Promise<void> {
    multiples.replaceChildren();
    multiples.hidden = false;
    const s = store.state;
    const t = targetOf(s.target);
    for (const n of ns) {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      const cap = document.createElement('figcaption');
      fig.append(c, cap);
      multiples.append(fig);
      const small = new Plot1D(c);
      small.resize();
      const patch = { ...s, units: n };
      const net = construct(patch, 'interpolate');
      const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: small.sampleCount };
      const sum = await evaluator.evaluateGrid1D(net, grid);
      const xs = gridXs(grid);
      const target = xs.map(t.f);
      small.draw({ view: s.view, show: { target: true, terms: false, knots: true, error: false }, xs, target, sum, network: net, selected: -1, hoverX: null });
      const dense = sampleTarget(t.f, t.domain, 4097);
      const st = errorStats(evaluatePiecewise(piecewise1D(net), dense.xs), dense.ys);
      cap.textContent = `N = ${n}: max error ${st.max.toPrecision(2)}, RMS ${st.rms.toPrecision(2)}`;
    }
  }
  async function showTour(k: number): Promise<void> {
    const box = el('tour');
    multiples.hidden = true;
    if (k < 0 || k >= TOUR.length) {
      tourStep = -1;
      box.hidden = true;
      return;
    }
    tourStep = k;
    const step = TOUR[k];
    training = false;
    stopAnimate();
    status();
    store.set(step.patch());
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
    el('tour-title').textContent = `Step ${k + 1} of ${TOUR.length}: ${step.title}`;
    el('tour-caption').textContent = step.caption;
    el<HTMLButtonElement>('tour-prev').disabled = k === 0;
    el<HTMLButtonElement>('tour-next').disabled = k === TOUR.length - 1;
    await loop.idle();
    if (step.multiples) await drawMultiples(step.multiples);
  }
  el('tour-prev').addEventListener('click', () => void showTour(tourStep - 1));
  el('tour-next').addEventListener('click', () => void showTour(tourStep + 1));
  el('tour-close').addEventListener('click', () => void showTour(-1));

  function exportJson(): void {
    download('relu-network.json', new Blob([networkJson(store.state.network)], { type: 'application/json' }));
  }
  function importText(text: string): AppState {
    const parsed = parseImport(text);
    if (parsed.kind === 'network') return store.set(parsed.patch);
    return store.replace(parsed.patch);
  }
  const fileInput = el<HTMLInputElement>('import-file');
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    void file.text().then((text) => {
      try {
        importText(text);
        say(`Imported ${file.name}.`, 'info');
      } catch (e) {
        say(`Import failed, nothing changed: ${e instanceof Error ? e.message : String(e)}`);
      }
      fileInput.value = '';
    });
  });
  el('link-note-export').addEventListener('click', exportJson);

  function addUnit(): void {
    const s = store.state;
    if (s.network.dim !== 1) return say('Units can be added by hand to 1D networks only.');
    const net = cloneNetwork(s.network);
    // A new unit bends at the middle of the view with a small, visible output weight.
    const mid = (s.view.xMin + s.view.xMax) / 2;
    net.w.push(1);
    net.b.push(-mid);
    net.a.push(0.25 * (s.view.yMax - s.view.yMin) / (s.view.xMax - s.view.xMin));
    try {
      store.set({ network: net, selected: net.a.length - 1 });
    } catch (e) {
      say(e instanceof Error ? e.message : String(e));
    }
  }
  function removeUnit(): void {
    const s = store.state;
    const i = s.selected;
    if (i < 0) return say('Select a unit first (click its knot mark, pick it in the list, or press [ or ]).', 'info');
    const net = cloneNetwork(s.network);
    net.w.splice(i * net.dim, net.dim);
    net.b.splice(i, 1);
    net.a.splice(i, 1);
    store.set({ network: net, selected: Math.min(i, net.a.length - 1) });
  }
  function resetView(): void {
    store.set({ view: viewForTarget(store.state.target), view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 } });
  }
  /** The picture as on screen: the next frame's layers composited into one canvas. */
  function pictureCanvas(): Promise<HTMLCanvasElement> {
    const p = new Promise<HTMLCanvasElement>((resolve) => (snapshotNext = resolve));
    void loop.request();
    return p;
  }
  function exportPng(): void {
    void pictureCanvas().then((c) =>
      c.toBlob((blob) => (blob ? download('relu-sandbox.png', blob) : say('The picture could not be exported.')), 'image/png'),
    );
  }

  const panel = new Panel(
    store,
    {
      toggleTraining,
      resetView,
      toggleAnimateN,
      computeErrorChart: () => void computeErrorChart().catch((e) => say(String(e))),
      copyLink: () => {
        persist();
        if (lastLink === null) return say('This state is too big for a link: use Export JSON.', 'info');
        void navigator.clipboard?.writeText(lastLink).then(
          () => say('Link copied.', 'info'),
          () => say(`Copy this link: ${lastLink}`, 'info'),
        );
      },
      exportPng,
      exportJson,
      importJson: () => fileInput.click(),
      addUnit,
      removeUnit,
      startTour: () => void showTour(0),
    },
    (m) => say(m),
    el('panel'),
  );
  panelRef = panel;
  // Presets: named full states in localStorage, chosen from the panel.
  const presets = { name: 'my preset', load: '' };
  const presetFolder = panel.gui.folders.find((f) => f._title === 'Share and keep') ?? panel.gui;
  presetFolder.add(presets, 'name').name('Preset name');
  presetFolder
    .add(
      {
        save: () => {
          try {
            savePreset(presets.name, store.state);
            loadCtl.options(['', ...presetNames()]);
            say(`Saved preset "${presets.name.trim()}".`, 'info');
          } catch (e) {
            say(e instanceof Error ? e.message : String(e));
          }
        },
      },
      'save',
    )
    .name('Save preset');
  const loadCtl = presetFolder
    .add(presets, 'load', ['', ...presetNames()])
    .name('Load preset')
    .onChange((name: string) => {
      if (!name) return;
      try {
        store.replace(loadPreset(name));
      } catch (e) {
        say(`Preset "${name}" could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      }
    });

  new TargetEditor(store);
  new UnitInspector(store, (m) => say(m));
  new PlotGestures(
    canvas,
    plot,
    store,
    (x) => {
      hoverX = x;
      void loop.request();
    },
    (m) => say(m),
  );
  new ResizeObserver(() => void loop.request()).observe(canvas);

  // A link pasted into this tab changes only the hash (no reload): apply it like a fresh load.
  window.addEventListener('hashchange', () => {
    try {
      const patch = hashToPatch(location.hash);
      if (patch) store.replace(patch);
    } catch (e) {
      say(e instanceof Error ? e.message : String(e));
    }
  });

  // Global shortcuts; they stay out of the way while a text field (or a button, for Space) has focus.
  window.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    const tag = t?.tagName ?? '';
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t?.isContentEditable) return;
    if (e.key === ' ' && tag !== 'BUTTON') {
      e.preventDefault();
      toggleTraining();
    } else if (e.key === 'r' || e.key === 'R') resetView();
    else if (e.key === 'e' || e.key === 'E') exportJson();
  });

  // The benchmark panel (issue 4) runs on the app's device; its accuracy study uses the current target.
  const benchmark = mountBenchmarkPanel(el('bench-container'), {
    getDevice: () => evaluator.device,
    getBackendLabel: () => evaluator.status.label,
    getKernel2D: () => evaluator.kernel2D,
    getTargetForAccuracy: () => {
      const t = targetOf(store.state.target);
      return { label: t.label, f: t.f, domain: t.domain };
    },
  });

  const ready = loop.request();
  window.sandbox = createSandboxApi({
    store,
    evaluator,
    ready,
    whenDrawn: () => loop.idle(),
    geometry: () => {
      const box = canvas.getBoundingClientRect();
      const r = onScreen === 'plot1d' ? plot.rect : heatmap.rect;
      const v = onScreen === 'plot1d' ? store.state.view : store.state.view2d;
      return { left: box.left + window.scrollX + r.left, top: box.top + window.scrollY + r.top, width: r.width, height: r.height, view: { ...v }, kind: onScreen };
    },
    extras: {
      link: () => {
        persist();
        return lastLink;
      },
      exportJson: () => networkJson(store.state.network),
      importJson: async (text: string) => {
        importText(text);
        await loop.idle();
        return snapshot(store.state);
      },
      train: async (steps: number) => {
        if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) throw new RangeError(`steps must be an integer from 1 to 100000, got ${steps}`);
        const loss = await trainSteps1(steps);
        await loop.idle();
        return { loss, backend: trainerKind };
      },
      errorVsN: async () => {
        const st = await computeErrorChart();
        return { ns: st.ns, rms: st.rms, max: st.max, slopeRms: st.slopeRms, slopeMax: st.slopeMax };
      },
      tour: async (k: number) => {
        if (!Number.isInteger(k) || k < 0 || k > TOUR.length) throw new RangeError(`tour step must be an integer from 0 to ${TOUR.length}`);
        await showTour(k - 1);
        await loop.idle();
        return snapshot(store.state);
      },
      readout: (x: number) => hoverReadout(store.state, x),
      info: () => ({ target: targetOnGpu ? 'webgpu' : 'cpu', trainer: trainer ? trainerKind : null, plot: plotOnGpu ? 'webgpu' : 'cpu' }),
      pngDataUrl: async () => (await pictureCanvas()).toDataURL('image/png'),
      benchmark,
      simulateDeviceLoss: async () => {
        const device = evaluator.device;
        if (!device) throw new Error('there is no GPU device to lose (the CPU backend is running)');
        // destroy() from outside the evaluator looks exactly like a loss to it: the next call recovers.
        device.destroy();
        await loop.request();
        return evaluator.status.notice ?? evaluator.status.label;
      },
    },
  });
  await ready;
  persist();
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  statusEl.textContent = `Failed to start: ${e instanceof Error ? e.message : String(e)}`;
  statusEl.dataset.backend = 'none';
  console.error(e);
});
