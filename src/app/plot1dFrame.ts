/**
 * The 1D explorer's frame: evaluates the sum (and the target) on the active backend, draws them with the
 * WebGPU line layer where it works (else on the 2D canvas), and fills the readouts. On WebGPU the sum stays on
 * the device: the line layer draws the evaluator's buffer, and the readouts come from the exact knot form.
 * On CPU-like adapters (SwiftShader) the frame computes on the CPU and draws on the 2D canvas, measured faster
 * there (see `cpuPath`); `?plot=gpu|canvas` and `?eval1d=gpu|cpu` override the choice.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { CpuEvaluator } from '../engine/cpu/evaluator.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { type GpuError, GpuTargetCompileError, isDeviceLoss, plainGpuFault } from '../engine/gpu/errors.ts';
import { GpuTarget1D } from '../engine/gpu/target1d.ts';
import { errorStats } from '../model/errorStats.ts';
import { gridXs, type Grid1D } from '../model/grid.ts';
import { type ValidNetwork, randomNetwork, validateNetwork } from '../model/network.ts';
import { evaluateNetwork1D, piecesInRange, piecewiseOrNull } from '../model/piecewise1d.ts';
import type { ResolvedTarget } from '../model/targets.ts';
import { type AppState, targetOf } from '../state/state.ts';
import { type LevelOfDetail, Plot1D } from '../views/plot1d/plot1d.ts';
import { LOD_MIN_UNITS, LOD_TERMS, largestTerms, termBand } from '../views/plot1d/lod.ts';
import { PlotGpu } from '../views/plot1d/plotGpu.ts';
import { type DeviceValues, isDeviceValues } from '../views/deviceValues.ts';
import type { Say } from './dom.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { HoverReadout, Readouts } from './readouts.ts';
import { nextTask } from '../state/nextTask.ts';

/** GPU root module keys of this view. */
const PLOT_LINES = 'plot1d.lines';
const TARGET_KERNEL = 'plot1d.target';

export class Plot1DFrame implements FrameView {
  readonly kind = 'plot1d' as const;
  readonly plot: Plot1D;
  /** Data x under the mouse, or null (set by the plot's gestures). */
  hoverX: number | null = null;
  private readonly query = new URLSearchParams(location.search);
  /** `?plot=gpu|canvas`: the curves on the WebGPU layer or the 2D canvas whatever the adapter (for tests). */
  private readonly plotForced = choice(this.query.get('plot'), 'gpu', 'canvas');
  /** `?eval1d=gpu|cpu`: who computes the sum and the target, whatever the adapter. */
  private readonly evalForced = choice(this.query.get('eval1d'), 'gpu', 'cpu');
  /** The whole picture on the overlay canvas (the curves never go on the WebGPU layer); see the constructor. */
  private readonly singleCanvas: boolean;
  /** Set when a WebGPU frame failed: the curves stay on the 2D canvas from then on. */
  private plotGpuFailed = this.plotForced === 'canvas';
  private readonly cpu = new CpuEvaluator('CPU');
  /** The device the last frame drew on with WebGPU (its work is awaited in `settled`), or null. */
  private drewOn: GPUDevice | null = null;
  /** The root generation (device) on which the target kernel failed: not tried again there. */
  private targetGpuFailedOn = -1;
  /** Expression sources whose WGSL did not compile: those targets are sampled on the CPU (others stay on the GPU). */
  private readonly cpuTargets = new Set<string>();
  /** Where the last frame's target, sum and curves were computed and drawn. */
  targetOnGpu = false;
  valuesOnGpu = false;
  plotOnGpu = false;
  /** What the last 2D-canvas frame drew from, or null: a frame with the same inputs is already on screen. */
  private lastDrawn: DrawnInputs | null = null;
  /** The network whose level of detail was last computed apart (see draw). */
  private lodNetwork: AppState['network'] | null = null;
  /** Both 1D paths timed on this adapter (see measurePaths), or null before (or without WebGPU). */
  private measured: PathTiming | null = null;
  /** Whether measurePaths is timing (the status line says so) or gave up (it falls back to the adapter type). */
  private measuring: 'no' | 'yes' | 'failed' = 'no';

  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly canvases: PlotCanvases,
    private readonly readouts: Readouts,
    private readonly say: Say,
    /** Asks for another frame (after a render failure switched layers). */
    private readonly redraw: () => void,
  ) {
    // With a software WebGPU adapter the page's canvases are rasterised by that same software GPU: a CPU-backed
    // canvas (willReadFrequently) draws the plot faster there (as the 2D explorer's surface does). The CPU fallback
    // draws on a CPU-backed canvas too: where it runs because the GPU is software, an accelerated canvas made a
    // 65,536-unit pan 430 ms against 82 ms (`npm run bench:frames -- --backends cpu-gl,webgpu`), and on a real GPU
    // the plot's few hundred paths raster on the CPU in a few ms.
    const settings = { willReadFrequently: this.cpuLike() || !this.evaluator.root };
    this.measured = readPathTiming(this.adapterKey());
    // Where the curves never go on the WebGPU layer (the CPU fallback, CPU-like adapters, ?plot=canvas) the whole
    // picture goes on the overlay alone: every canvas changed in a frame is another texture the compositor
    // uploads, and where the browser composites through SwiftShader that costs more than drawing the plot (see
    // the GPU-process column of scripts/frame-timing.ts, `webgpu` against `webgpu-sw`). The background canvas
    // then stays hidden in 1D.
    this.singleCanvas = !evaluator.root || (this.plotForced ? this.plotForced === 'canvas' : this.preferCpu());
    if (this.singleCanvas) {
      // The 2D map draws on the background later: its first context fixes its kind, so it is asked for as before.
      canvases.background.getContext('2d', settings);
      this.plot = new Plot1D(canvases.overlay, canvases.overlay, settings);
    } else {
      this.plot = new Plot1D(canvases.background, canvases.overlay, settings);
    }
  }

  accepts(s: AppState): boolean {
    return s.network.dim === 1;
  }
  get rect() {
    return this.plot.rect;
  }
  windowOf(s: AppState) {
    return s.view;
  }
  get usesGpuCanvas(): boolean {
    return this.plotOnGpu;
  }

  /**
   * Whether the adapter is a CPU in disguise (SwiftShader, llvmpipe). There one pan step at N = 65,536 (terms
   * hidden) took about 100 ms through WebGPU against 30 ms on the CPU evaluator and the 2D canvas, and the
   * frame then needs no GPU pipeline at all (scripts/frame-timing.ts, both backends in one run).
   */
  private cpuLike(): boolean {
    const startup = this.evaluator.root?.startup;
    return startup ? isCpuLikeAdapter(startup.adapter) : false;
  }

  /**
   * Whether the CPU evaluator and the 2D canvas draw the 1D plot rather than WebGPU: as measured on this adapter
   * (measurePaths, cached), else by the adapter's type until it is. The canvases are laid out once (see the
   * constructor): where they were laid out for the CPU path, a measurement for WebGPU takes effect at the next load.
   */
  private preferCpu(): boolean {
    if (this.singleCanvas && !this.plotForced && this.evaluator.root) return true;
    return this.measured ? this.measured.cpuMs <= this.measured.gpuMs : this.cpuLike();
  }

  /** The adapter the 1D paths are timed on (its name), or null without WebGPU. */
  private adapterKey(): string | null {
    const startup = this.evaluator.root?.startup;
    return startup ? startup.adapterName : null;
  }

  /** True when this frame computes on the CPU although WebGPU runs (measured faster, or `?eval1d=cpu`). */
  private evalOnCpu(): boolean {
    if (!this.evaluator.root) return false;
    return this.evalForced ? this.evalForced === 'cpu' : this.preferCpu();
  }

  /** True when the curves go on the 2D canvas although WebGPU runs. */
  private drawOnCanvas(): boolean {
    return this.singleCanvas || this.plotGpuFailed || (this.plotForced ? this.plotForced === 'canvas' : this.preferCpu());
  }

  /** For the status line: how the 1D plot is drawn and why, when that is not the backend's own way or was measured, else ''. */
  get pathNote(): string {
    if (!this.evaluator.root) return '';
    const cpuEval = this.evalOnCpu();
    const canvas = this.drawOnCanvas();
    const m = this.measured;
    const forced = this.plotForced !== null || this.evalForced !== null;
    if (cpuEval && canvas) {
      if (forced) return '1D plot: CPU and 2D canvas';
      if (m && m.cpuMs <= m.gpuMs) return `1D plot: CPU and 2D canvas (measured ${ratio(m.gpuMs, m.cpuMs)}× faster than WebGPU on this adapter)`;
      if (m) return '1D plot: CPU and 2D canvas (WebGPU measured faster on this adapter: used from the next load)';
      if (this.measuring === 'failed') return this.cpuLike() ? '1D plot: CPU and 2D canvas (a CPU-like adapter; the timing of both paths failed)' : '1D plot: CPU and 2D canvas';
      return this.cpuLike() ? '1D plot: CPU and 2D canvas (a CPU-like adapter; both paths are timed after the first frame)' : '1D plot: CPU and 2D canvas';
    }
    if (cpuEval) return '1D plot computed on the CPU';
    if (canvas) return '1D plot drawn on a 2D canvas';
    if (m && !forced) return `1D plot: WebGPU (measured ${ratio(m.cpuMs, m.gpuMs)}× faster than the CPU and 2D canvas on this adapter)`;
    return '';
  }

  /**
   * Times both 1D paths on this adapter once, unless a timing of this adapter and build is cached (localStorage) or
   * a path is forced: one frame of a 4,096-unit network on the plot's grid (target, terms and their band, sum,
   * knots), computed and drawn on the CPU and a 2D canvas, and on WebGPU (the evaluator's buffer drawn by the line
   * layer, until the GPU is done), each the best of three after a warm-up, on canvases of the plot's size off
   * screen. For after the first frame (it adds nothing before it); the frames after it take the faster path.
   * Resolves true when it measured. A failure leaves the choice by adapter type.
   */
  async measurePaths(): Promise<boolean> {
    const root = this.evaluator.root;
    const key = this.adapterKey();
    if (!root || key === null || this.measured || this.plotForced || this.evalForced || this.measuring !== 'no') return false;
    this.measuring = 'yes';
    const { width, height } = this.plot.size;
    const host = document.createElement('div');
    host.setAttribute('aria-hidden', 'true');
    host.style.cssText = `position: fixed; left: -20000px; top: 0; width: ${width}px; height: ${height}px; pointer-events: none;`;
    const canvas = () => {
      const c = host.appendChild(document.createElement('canvas'));
      c.style.cssText = 'position: absolute; inset: 0; width: 100%; height: 100%;';
      return c;
    };
    const [cpuCanvas, bg, overlay] = [canvas(), canvas(), canvas()];
    document.body.append(host);
    let gpu: PlotGpu | null = null;
    try {
      const net = validateNetwork(randomNetwork(1, 4096, 1, [-2, 2]));
      const settings = { willReadFrequently: this.cpuLike() };
      const cpuPlot = new Plot1D(cpuCanvas, cpuCanvas, settings);
      const gpuPlot = new Plot1D(bg, overlay, settings);
      const device = root.device;
      if (!device) throw new Error('no WebGPU device');
      // Drawn into a texture, not a WebGPU canvas: presenting one where the page is composited in software (a
      // browser with WebGPU on SwiftShader and no GPU) dropped the GPU process's instance.
      const plotGpu = (gpu = await PlotGpu.offscreen(device, navigator.gpu.getPreferredCanvasFormat()));
      const frame = (plot: Plot1D) => {
        plot.resize();
        const view = { xMin: -3, xMax: 3, yMin: -3, yMax: 3 };
        const grid = { xMin: view.xMin, xMax: view.xMax, nx: plot.sampleCount };
        const xs = gridXs(grid);
        return { grid, base: { view, show: { target: true, terms: true, knots: true, error: false }, xs, target: xs.map(Math.sin), network: net, selected: -1, hoverX: null } };
      };
      const cpuFrame = async () => {
        const { grid, base } = frame(cpuPlot);
        cpuPlot.draw({ ...base, sum: await this.cpu.evaluateGrid1D(net, grid) });
      };
      const gpuFrame = async () => {
        const { grid, base } = frame(gpuPlot);
        const sum = await this.evaluator.gridValues1D(net, grid);
        if (!sum || sum.device !== plotGpu.device) throw new Error('no WebGPU buffer for the 1D sum');
        gpuPlot.draw({ ...base, sum }, plotGpu);
        await plotGpu.device.queue.onSubmittedWorkDone();
        // A frame the device refused (or a lost device) fails the timing, rather than going unheard.
        const refused = await gpuPlot.lastGpuFrame;
        if (refused) throw refused;
      };
      const best = async (run: () => Promise<void>) => {
        await run();
        let t = Infinity;
        for (let k = 0; k < 3; k++) {
          // A task of its own per timing: input and the page's frames go first.
          await nextTask();
          const start = performance.now();
          await run();
          t = Math.min(t, performance.now() - start);
        }
        return t;
      };
      const cpuMs = await best(cpuFrame);
      const gpuMs = await best(gpuFrame);
      this.measured = { cpuMs, gpuMs };
      writePathTiming(key, this.measured);
      this.measuring = 'no';
      // The next frame takes the faster path (its WebGPU layer, if any, is built then).
      this.lastDrawn = null;
      return true;
    } catch {
      this.measuring = 'failed';
      return false;
    } finally {
      gpu?.destroy();
      host.remove();
    }
  }

  /** The 2D explorer takes the canvases: its picture has no level-of-detail sentence. */
  leave(): void {
    delete this.canvases.overlay.dataset.note;
    this.canvases.background.hidden = false;
    this.lastDrawn = null;
  }

  /** Resolves once the GPU has done the last frame's work (the picture is on screen then, on every adapter). */
  async settled(): Promise<void> {
    const device = this.drewOn;
    if (!device) return;
    // A lost device has nothing more to show; its loss is reported elsewhere.
    await device.queue.onSubmittedWorkDone().catch(() => undefined);
  }

  /** What the hover readout shows at x: exact values from the sorted knots. */
  hoverReadout(s: AppState, x: number): HoverReadout {
    const net = s.network;
    const sum = evaluateNetwork1D(net, [x])[0];
    const target = targetOf(s.target).f(x);
    let active = 0;
    for (let i = 0; i < net.a.length; i++) if (net.w[i] * x + net.b[i] > 0) active++;
    return { x, target, sum, error: sum - target, active };
  }

  private renderFailed(e: unknown): void {
    // A lost device is being replaced (the root rebuilds the layer): not a reason to leave WebGPU.
    if (isDeviceLoss(e)) return this.redraw();
    this.plotGpuFailed = true;
    this.evaluator.root?.drop(PLOT_LINES);
    this.say(`Drawing with WebGPU failed (${plainGpuFault(e)}); drawing on a 2D canvas instead.`);
    this.redraw();
  }

  /**
   * The WebGPU line layer, a module of the GPU root (rebuilt after a device loss); null on the canvas path. While
   * the root replaces a lost device this waits for the new one, so the frame after a loss is drawn as before.
   */
  private async gpuLayer(): Promise<PlotGpu | null> {
    const root = this.evaluator.root;
    if (!root || this.drawOnCanvas()) return null;
    try {
      return await root.module(PLOT_LINES, (device) => PlotGpu.create(device, this.canvases.gpu));
    } catch (e) {
      // No device after all (the root fell back to the CPU): the canvas draws, and the backend line says why.
      if (!this.evaluator.root) return null;
      this.renderFailed(e);
      return null;
    }
  }

  /**
   * Target values on the grid: expression targets on the GPU when there is one, else on the CPU. An expression
   * whose WGSL does not compile is sampled on the CPU alone; the next expression tries the GPU again.
   */
  private async targetValues(t: ResolvedTarget, grid: Grid1D, xs: Float64Array): Promise<ArrayLike<number>> {
    const root = this.evaluator.root;
    this.targetOnGpu = false;
    const expression = t.expression;
    if (root && expression && !this.cpuTargets.has(expression.source) && !this.evalOnCpu() && this.targetGpuFailedOn !== root.generation) {
      let generation = root.generation;
      try {
        const kernel = await root.module(TARGET_KERNEL, (device) => {
          generation = root.generation;
          return GpuTarget1D.create(device);
        });
        await kernel.setExpression(expression);
        const values = await kernel.evaluateGrid(grid);
        this.targetOnGpu = true;
        return values;
      } catch (e) {
        if (e instanceof GpuTargetCompileError) {
          // Only this expression moves to the CPU; the kernel stays for the next one.
          this.cpuTargets.add(expression.source);
          this.say(`${capitalise(e.message)}; it is evaluated on the CPU instead.`, 'info');
          return xs.map(t.f);
        }
        root.drop(TARGET_KERNEL);
        // A lost device is being replaced: this frame samples on the CPU, the redraw after the recovery uses the GPU.
        if (isDeviceLoss(e) || !this.evaluator.root) return xs.map(t.f);
        // Not again on this device (a new device after a loss gets a fresh try).
        this.targetGpuFailedOn = generation;
        this.say(`The target could not be evaluated on the GPU (${plainGpuFault(e)}); using the CPU for it.`);
      }
    }
    return xs.map(t.f);
  }

  /** The sum for the frame: the evaluator's device buffer when the line layer draws, else an array. */
  private async sumFor(net: ValidNetwork, grid: Grid1D, gpu: PlotGpu | null): Promise<ArrayLike<number> | DeviceValues> {
    if (this.evalOnCpu()) return this.cpu.evaluateGrid1D(net, grid);
    if (gpu) {
      const values = await this.evaluator.gridValues1D(net, grid);
      // Null when the backend fell back to the CPU meanwhile; a buffer of another device is stale.
      if (values && values.device === gpu.device) return values;
    }
    return this.evaluator.evaluateGrid1D(net, grid);
  }

  invalidate(): void {
    this.lastDrawn = null;
  }

  async draw(s: AppState): Promise<void> {
    const plot = this.plot;
    plot.resize();
    // States are replaced, never changed in place: while the N slider is dragged, every step changes the state
    // but not the network until its fit lands, and redrawing 65,536 units' level of detail each time was most of
    // the drag's main-thread work. Only the 2D canvas keeps its picture between frames (a WebGPU canvas may not).
    const inputs: DrawnInputs = {
      network: s.network, view: s.view, show: s.show, selected: s.selected, target: s.target, hoverX: this.hoverX,
      width: plot.size.width, height: plot.size.height, dpr: window.devicePixelRatio || 1, status: this.evaluator.status,
    };
    if (this.lastDrawn && !this.plotOnGpu && sameInputs(this.lastDrawn, inputs)) return;
    this.lastDrawn = null;
    const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: plot.sampleCount };
    const xs = gridXs(grid);
    const t = targetOf(s.target);
    const target = await this.targetValues(t, grid, xs);
    let gpu = await this.gpuLayer();
    const sum = await this.sumFor(s.network, grid, gpu);
    if (!isDeviceValues(sum)) gpu = gpu?.device === this.evaluator.device ? gpu : null;
    // The first frame of a newly landed big network (a fit, an N-slider step) picks its terms and builds its band
    // in tasks of its own, so input between them is not held up by one long task (pans of the same network keep
    // one task: their band's envelopes are kept).
    let lod: LevelOfDetail | null | undefined;
    if (s.network !== this.lodNetwork && s.network.dim === 1 && s.show.terms && s.network.a.length > LOD_MIN_UNITS) {
      // levelOfDetail in two tasks: the largest terms, then the band of the others (each tens of ms at 65,536 units).
      await nextTask();
      const drawn = largestTerms(s.network, s.view.xMin, s.view.xMax, LOD_TERMS, s.selected);
      await nextTask();
      lod = { drawn, band: termBand(s.network, drawn, xs) };
      this.lodNetwork = s.network;
      await nextTask();
    }
    this.canvases.gpu.hidden = !gpu;
    // Under an opaque overlay the background would only cost compositing (and may still hold the 2D map).
    if (this.singleCanvas) this.canvases.background.hidden = true;
    plot.draw({ view: s.view, show: s.show, xs, target, sum, network: s.network, samples: t.samples, selected: s.selected, hoverX: this.hoverX, lod }, gpu);
    // A frame the device rejected (validation, out of memory) switches the curves to the 2D canvas, with a message.
    // A lost device is not a render failure: the evaluator recovers and the next frame gets a new layer.
    if (gpu) {
      void plot.lastGpuFrame?.then(
        (err: GpuError | null) => {
          if (err && !this.plotGpuFailed) this.renderFailed(err);
        },
        // The device went away while the frame was checked (popErrorScope rejects after a GPU-process crash).
        (e: unknown) => this.renderFailed(e),
      );
    }
    this.plotOnGpu = gpu !== null;
    this.valuesOnGpu = isDeviceValues(sum) || (!this.evalOnCpu() && this.evaluator.kind === 'webgpu');
    this.drewOn = gpu?.device ?? null;
    // The level-of-detail sentence drawn on the plot, also readable from the page (tests, assistive tools).
    if (plot.note) this.canvases.overlay.dataset.note = plot.note;
    else delete this.canvases.overlay.dataset.note;
    // Error over the part of the view inside the target's domain: outside it the sum only extrapolates. The
    // sum there comes from the exact knot form (sorted once per network), so the GPU's buffer is never read.
    const [lo, hi] = t.domain;
    const inXs: number[] = [];
    const inTarget: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] >= lo && xs[i] <= hi) {
        inXs.push(xs[i]);
        inTarget.push(target[i]);
      }
    }
    // Sigmoid sums have no linear pieces: the readout says "—".
    const pieces = piecewiseOrNull(s.network);
    const stats = errorStats(evaluateNetwork1D(s.network, inXs), inTarget);
    this.readouts.show(s.network.a.length, pieces && piecesInRange(pieces, s.view.xMin, s.view.xMax), stats.max, stats.rms, s.show.target);
    this.readouts.hover(this.hoverX === null ? null : this.hoverReadout(s, this.hoverX));
    if (!this.plotOnGpu) this.lastDrawn = inputs;
  }
}

/** What a 1D frame is drawn from (compared by identity: states and their parts are replaced, never edited). */
interface DrawnInputs {
  network: AppState['network'];
  view: AppState['view'];
  show: AppState['show'];
  selected: number;
  target: AppState['target'];
  hoverX: number | null;
  width: number;
  height: number;
  dpr: number;
  status: unknown;
}

function sameInputs(p: DrawnInputs, q: DrawnInputs): boolean {
  return (Object.keys(p) as Array<keyof DrawnInputs>).every((k) => p[k] === q[k]);
}

/** What one 1D frame took on each path on an adapter (ms). */
interface PathTiming {
  cpuMs: number;
  gpuMs: number;
}

/** localStorage key of the 1D path timings: one adapter and build at a time. */
const PATH_TIMING_KEY = 'relu-sandbox.path1d';

/** The build, for the cache: this module's URL carries the bundle's content hash. */
const BUILD = import.meta.url;

function readPathTiming(adapter: string | null): PathTiming | null {
  if (adapter === null) return null;
  try {
    const v = JSON.parse(localStorage.getItem(PATH_TIMING_KEY) ?? 'null') as { adapter?: unknown; build?: unknown; cpuMs?: unknown; gpuMs?: unknown } | null;
    if (!v || v.adapter !== adapter || v.build !== BUILD) return null;
    const { cpuMs, gpuMs } = v;
    return typeof cpuMs === 'number' && typeof gpuMs === 'number' && cpuMs > 0 && gpuMs > 0 ? { cpuMs, gpuMs } : null;
  } catch {
    // No storage (a private window, a policy) or a broken entry: measured again.
    return null;
  }
}

function writePathTiming(adapter: string, t: PathTiming): void {
  try {
    localStorage.setItem(PATH_TIMING_KEY, JSON.stringify({ adapter, build: BUILD, ...t }));
  } catch {
    // Not kept: measured again at the next load.
  }
}

/** How many times faster `fast` is than `slow`, for the status line ("2.4"). */
function ratio(slow: number, fast: number): string {
  return (slow / fast).toFixed(1);
}

/** `value` when it is one of the choices, else null. */
function choice<T extends string>(value: string | null, ...choices: T[]): T | null {
  return choices.includes(value as T) ? (value as T) : null;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
