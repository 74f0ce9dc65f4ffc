/**
 * The entry module: composes the app. Boot picks the backend and restores the state (link, then autosave,
 * then defaults); each feature lives in its controller under src/app/. State flows one way: an input
 * changes the store, the store asks for a frame, the frame draws the newest state.
 */
import { createSandboxApi } from './app/api.ts';
import { lazyBenchmark } from './app/benchmark.ts';
import { Notices, el, messageOf } from './app/dom.ts';
import { EditController } from './app/edit.ts';
import { ExploreController } from './app/explore.ts';
import { FrameController, type PlotCanvases } from './app/frame.ts';
import { installShortcuts } from './app/keyboard.ts';
import { Explorer2DFrame } from './app/explorer2dFrame.ts';
import { CalibrationController } from './app/calibration.ts';
import { RegionsController } from './app/regions.ts';
import { Plot1DFrame } from './app/plot1dFrame.ts';
import { Readouts } from './app/readouts.ts';
import { ShareController } from './app/share.ts';
import { TrainingController } from './app/training.ts';
import { AutoEvaluator, type BackendStatus, preferenceFromQuery } from './engine/backend.ts';
import { isDeviceLoss, isGpuFault, plainGpuFault } from './engine/gpu/errors.ts';
import { defaultFitRunner } from './state/fitRunner.ts';
import { Store, initialState } from './state/state.ts';
import { GpuGramFitRunner } from './app/gramFit.ts';
import { PlotGestures } from './ui/gestures.ts';
import { MapGestures } from './ui/mapGestures.ts';
import { attachOrbitControls } from './ui/orbitControls.ts';
import { FIRST_2D_STEP } from './ui/tour.ts';
import { OrbitCamera } from './views/surface3d/camera.ts';
import { NetworkDiagram, diagramFrameOf } from './views/network/diagram.ts';
import { Panel } from './ui/panel.ts';
import { TargetEditor, UnitInspector } from './ui/sidebar.ts';
import { PlotLegend, legendEntries1D } from './views/legend.ts';
import { targetOf } from './state/construction.ts';
import type { AppState } from './state/types.ts';

const notices = new Notices();
const say = notices.say;

/**
 * The safety net, not the fix: an error or promise rejection nothing handled becomes a plain message (a lost
 * device is said by the backend line and needs nothing more) and is counted for `sandbox.info().uncaught`. The
 * browser still reports it in the console, for whoever debugs.
 */
let uncaught = 0;
function caughtByTheNet(e: unknown): void {
  uncaught++;
  if (isDeviceLoss(e)) return;
  const what = isGpuFault(e) ? plainGpuFault(e) : e instanceof Error ? e.name : 'an unexpected value';
  say(`Something failed in the background (${what}); the page goes on. Reload it if the picture looks wrong.`);
}
window.addEventListener('unhandledrejection', (ev) => caughtByTheNet(ev.reason));
window.addEventListener('error', (ev) => caughtByTheNet(ev.error ?? ev.message));

async function boot(): Promise<void> {
  notices.showBoot('Starting…');
  const canvases: PlotCanvases = { background: el('plot-bg'), gpu: el('plot-gpu'), overlay: el('plot') };
  const surfaceCanvases: PlotCanvases = { background: el('surface-bg'), gpu: el('surface-gpu'), overlay: el('surface') };
  // 2D least squares accumulates its Gram matrix on the GPU once the backend is up; fits run in a worker.
  const fits = new GpuGramFitRunner(defaultFitRunner());
  const store = new Store(initialState(), fits);
  let frame: FrameController | null = null;
  const share = new ShareController(store, say, () => frame!.picture());
  // The autosave is read from IndexedDB while the backend starts and the views are built; it lands before any
  // input is wired (nothing the user does can be replaced by it) and before the first frame is asked for.
  const restored = share.restore();
  // The status line also says when the 1D plot takes its own path (the CPU and the canvas on CPU-like adapters).
  let pathNote = () => '';
  const showStatus = (s: BackendStatus) => notices.showStatus(pathNote() ? { ...s, label: `${s.label} · ${pathNote()}` } : s);
  const evaluator = await AutoEvaluator.create({
    prefer: preferenceFromQuery(location.search),
    gpu: navigator.gpu ?? null,
    // A recovery or fallback: the backend line changes at once, its notice ("… redrawn on WebGPU") once the
    // picture is redrawn on the new device (or the CPU).
    onChange: (s) => {
      // A canvas configured on a device whose GPU process crashed presents nothing any more, even configured on
      // the new device: the WebGPU layers get fresh canvases (the views read them from these objects).
      if (s.kind === 'webgpu') for (const c of [canvases, surfaceCanvases]) c.gpu = renewCanvas(c.gpu);
      showStatus({ ...s, notice: undefined });
      // Everything is painted again: a crash also cleared the 2D layers that a plain frame would leave alone.
      const redrawn = frame?.repaint() ?? Promise.resolve();
      void redrawn.catch(() => undefined).then(() => {
        if (evaluator.status === s) showStatus(s);
      });
    },
  });
  fits.evaluator = evaluator;

  const readouts = new Readouts();
  const redraw = () => void frame?.request();
  const plot1d = new Plot1DFrame(evaluator, canvases, readouts, say, redraw);
  pathNote = () => plot1d.pathNote;
  showStatus(evaluator.status);
  let explorer2d: Explorer2DFrame | null = null;
  const regions = new RegionsController((net, side) => explorer2d!.gridEvaluator(net, side, 'regions'));
  explorer2d = new Explorer2DFrame(evaluator, canvases, surfaceCanvases, readouts, regions, say, redraw);
  // The 2D method measured fastest on this adapter (issue 12); the status line says which, in the 2D mode.
  const query = new URLSearchParams(location.search);
  const calibration = new CalibrationController(evaluator, query.get('eval2d') === null, query.get('calibrate') === 'off');
  explorer2d.calibration = calibration;
  const note1d = pathNote;
  pathNote = () => [note1d(), store.state.mode === '2d' ? calibration.note(store.state.network, store.state.look.grid) : ''].filter(Boolean).join(' · ');
  calibration.onChange(() => showStatus(evaluator.status));
  store.subscribe((s, previous) => {
    if (s.mode !== previous?.mode || s.look.grid !== previous.look.grid || s.network.a.length !== previous.network.a.length) showStatus(evaluator.status);
  });
  // A frame cut short by a lost device is redrawn after the recovery: only other failures are said.
  frame = new FrameController(() => store.state, [plot1d, explorer2d], canvases, (e) => isDeviceLoss(e) || say(`Drawing failed: ${plainGpuFault(e)}`));
  // A GPU-process crash clears the GPU-backed 2D canvases of the views (also without WebGPU); the browser restores
  // them blank. The event does not bubble, so it is caught on its way down.
  document.addEventListener('contextrestored', () => void frame!.repaint().catch(() => undefined), true);
  // What is shown beside the plot for a big network (formula, diagram, Units list) waits until its picture is on screen.
  frame.pictureSource = store;
  const afterPicture = (key: string) => (job: () => void) => frame!.afterPicture(key, job);
  readouts.defer = afterPicture('formula');
  // On screen: every fit started so far has landed (or failed) and the frame after it is drawn.
  const whenDrawn = async () => {
    await store.settled();
    await frame!.idle();
  };
  // The 1D plot's legend names what is drawn; 2D draws its own colour legend on the map.
  const legend = new PlotLegend(el('plot-legend'));
  const showLegend = (s: AppState) =>
    s.mode === '2d'
      ? legend.hide()
      : legend.update(legendEntries1D({ show: s.show, units: s.network.a.length, selected: s.selected, dataTarget: targetOf(s.target as Parameters<typeof targetOf>[0]).samples !== undefined, activation: s.activation }));
  store.subscribe((s, _previous, fitError) => {
    if (fitError) say(fitError.message);
    readouts.formula(s.network);
    showLegend(s);
    redraw();
  });
  await restored;
  readouts.formula(store.state.network);
  showLegend(store.state);

  let panel: Panel | null = null;
  const status = () => panel?.status({ ...training.status, animating: explore.animating });
  const training = new TrainingController(store, evaluator, say, whenDrawn, status);
  const explore = new ExploreController(store, evaluator, say, whenDrawn, () => training.stop(), status);
  const edit = new EditController(store, say);
  const toggleTraining = () => {
    if (!training.training) explore.stopAnimate();
    training.toggle();
  };
  const startTour = () => explore.openTour(store.state.mode === '2d' ? FIRST_2D_STEP : 0);
  el('start-tour').addEventListener('click', startTour);
  panel = new Panel(
    store,
    {
      toggleTraining,
      stepTraining: () => void training.stepOnce(),
      resetTraining: () => training.reset(),
      randomInit: () => training.randomInit(),
      resetView: () => edit.resetView(),
      toggleAnimateN: () => explore.toggleAnimateN(),
      computeErrorChart: () => void explore.errorChart().catch((e) => say(messageOf(e))),
      copyLink: () => share.copyLink(),
      exportPng: () => share.exportPng(),
      exportJson: () => share.exportJson(),
      importJson: () => share.chooseImportFile(),
      addUnit: () => edit.addUnit(),
      removeUnit: () => edit.removeUnit(),
      startTour,
      newRandomUnits: () => {
        try {
          store.set({ seed: (store.state.seed * 48_271 + 11) % 2_147_483_647, build: 'least-squares' });
        } catch (e) {
          say(messageOf(e));
        }
      },
      resetCamera: () => edit.resetCamera(),
      exportRegions: () => void share.exportRegions(regions).catch((e) => say(messageOf(e))),
      savePreset: (name) => share.savePreset(name),
      loadPreset: (name) => share.loadPreset(name),
      presetNames: () => share.presetNames(),
    },
    say,
    el('panel'),
  );
  readouts.panel = panel;

  // The network diagram follows the state (network, selection, window); clicking a unit selects it.
  const diagram = new NetworkDiagram(
    el('network-diagram'),
    (i) => {
      try {
        store.set({ selected: i });
      } catch (e) {
        say(messageOf(e));
      }
    },
    afterPicture('diagram'),
  );
  store.subscribe((s) => diagram.update(diagramFrameOf(s)));
  diagram.update(diagramFrameOf(store.state));

  new TargetEditor(store);
  new UnitInspector(store, say, afterPicture('unit-list'));
  new PlotGestures(canvases.overlay, plot1d.plot, store, (x) => ((plot1d.hoverX = x), redraw()), say);
  new MapGestures(canvases.overlay, explorer2d.heatmap, store, (p) => explorer2d.hover(p), say);
  // The surface's camera lives in the state (links, autosave); the controls move this copy and store it.
  const camera = new OrbitCamera(store.state.look.camera);
  store.subscribe((s) => camera.set(s.look.camera));
  attachOrbitControls(surfaceCanvases.overlay, camera, () => {
    try {
      store.set({ look: { camera: camera.toJSON() } });
    } catch (e) {
      say(messageOf(e));
    }
  });
  new ResizeObserver(redraw).observe(canvases.overlay);
  new ResizeObserver(redraw).observe(surfaceCanvases.overlay);
  installShortcuts({ toggleTraining, resetView: () => edit.resetView(), exportJson: () => share.exportJson() });

  // The first frame shows the restored state: its construction (if any) lands first; a failed one was said.
  const ready = store
    .settled()
    .catch(() => undefined)
    .then(() => frame!.request());
  const benchmark = lazyBenchmark(evaluator, store, say, calibration);
  window.sandbox = createSandboxApi({ store, evaluator, ready, whenDrawn, frame, plot1d, explorer2d, regions, training, explore, share, benchmark, uncaught: () => uncaught, calibration });
  await ready;
  // Which 1D path is faster on this adapter, timed once the first picture is on screen (cached per adapter).
  frame.afterPicture('path1d', () => {
    const measured = plot1d.measurePaths();
    showStatus(evaluator.status);
    void measured.then(() => {
      showStatus(evaluator.status);
      redraw();
    });
  });
  share.persist();
  document.body.dataset.ready = 'true';
}

/** A blank copy of a canvas (same id, classes, size and visibility) in its place. */
function renewCanvas(old: HTMLCanvasElement): HTMLCanvasElement {
  const fresh = old.cloneNode(false) as HTMLCanvasElement;
  old.replaceWith(fresh);
  return fresh;
}

boot().catch((e) => {
  notices.showBoot(`Failed to start: ${messageOf(e)}`, true);
  console.error(e);
});
