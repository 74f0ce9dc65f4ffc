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
import { RegionsController } from './app/regions.ts';
import { Plot1DFrame } from './app/plot1dFrame.ts';
import { Readouts } from './app/readouts.ts';
import { ShareController } from './app/share.ts';
import { TrainingController } from './app/training.ts';
import { AutoEvaluator, preferenceFromQuery } from './engine/backend.ts';
import { defaultFitRunner } from './state/fitRunner.ts';
import { Store, initialState } from './state/state.ts';
import { GpuGramFitRunner } from './app/gramFit.ts';
import { PlotGestures } from './ui/gestures.ts';
import { MapGestures } from './ui/mapGestures.ts';
import { attachOrbitControls } from './ui/orbitControls.ts';
import { FIRST_2D_STEP } from './ui/tour.ts';
import { OrbitCamera } from './views/surface3d/camera.ts';
import { Panel } from './ui/panel.ts';
import { TargetEditor, UnitInspector } from './ui/sidebar.ts';

const notices = new Notices();
const say = notices.say;

async function boot(): Promise<void> {
  notices.showBoot('Starting…');
  const canvases: PlotCanvases = { background: el('plot-bg'), gpu: el('plot-gpu'), overlay: el('plot') };
  const surfaceCanvases: PlotCanvases = { background: el('surface-bg'), gpu: el('surface-gpu'), overlay: el('surface') };
  // 2D least squares accumulates its Gram matrix on the GPU once the backend is up; fits run in a worker.
  const fits = new GpuGramFitRunner(defaultFitRunner());
  const store = new Store(initialState(), fits);
  let frame: FrameController | null = null;
  const share = new ShareController(store, say, () => frame!.picture());
  share.restore();
  const evaluator = await AutoEvaluator.create({
    prefer: preferenceFromQuery(location.search),
    gpu: navigator.gpu ?? null,
    onChange: (s) => {
      notices.showStatus(s);
      void frame?.request();
    },
  });
  notices.showStatus(evaluator.status);
  fits.evaluator = evaluator;

  const readouts = new Readouts();
  const redraw = () => void frame?.request();
  const plot1d = new Plot1DFrame(evaluator, canvases, readouts, say, redraw);
  let explorer2d: Explorer2DFrame | null = null;
  const regions = new RegionsController(() => explorer2d!.gridEvaluator());
  explorer2d = new Explorer2DFrame(evaluator, canvases, surfaceCanvases, readouts, regions, say, redraw);
  frame = new FrameController(() => store.state, [plot1d, explorer2d], canvases, (e) => say(`Drawing failed: ${messageOf(e)}`));
  // On screen: every fit started so far has landed (or failed) and the frame after it is drawn.
  const whenDrawn = async () => {
    await store.settled();
    await frame!.idle();
  };
  store.subscribe((s, _previous, fitError) => {
    if (fitError) say(fitError.message);
    readouts.formula(s.network);
    redraw();
  });
  readouts.formula(store.state.network);

  let panel: Panel | null = null;
  const status = () => panel?.status({ ...training.status, animating: explore.animating });
  const training = new TrainingController(store, evaluator, say, whenDrawn, status);
  const explore = new ExploreController(store, evaluator, say, whenDrawn, () => training.stop(), status);
  const edit = new EditController(store, say);
  const toggleTraining = () => {
    if (!training.training) explore.stopAnimate();
    training.toggle();
  };
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
      startTour: () => explore.openTour(store.state.mode === '2d' ? FIRST_2D_STEP : 0),
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

  new TargetEditor(store);
  new UnitInspector(store, say);
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
  const benchmark = lazyBenchmark(evaluator, store, say);
  window.sandbox = createSandboxApi({ store, evaluator, ready, whenDrawn, frame, plot1d, explorer2d, regions, training, explore, share, benchmark });
  await ready;
  share.persist();
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  notices.showBoot(`Failed to start: ${messageOf(e)}`, true);
  console.error(e);
});
