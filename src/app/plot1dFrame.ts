/**
 * The 1D explorer's frame: evaluates the sum (and the target) on the active backend, draws them with the
 * WebGPU line layer where it works (else on the 2D canvas), and fills the readouts. On WebGPU the sum stays on
 * the device: the line layer draws the evaluator's buffer, and the readouts come from the exact knot form.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { type GpuError, isDeviceLoss } from '../engine/gpu/errors.ts';
import { GpuTarget1D } from '../engine/gpu/target1d.ts';
import { errorStats } from '../model/errorStats.ts';
import { gridXs, type Grid1D } from '../model/grid.ts';
import type { ValidNetwork } from '../model/network.ts';
import { evaluateNetwork1D, piecesInRange, piecewiseOrNull } from '../model/piecewise1d.ts';
import type { ResolvedTarget } from '../model/targets.ts';
import { type AppState, targetOf } from '../state/state.ts';
import { Plot1D } from '../views/plot1d/plot1d.ts';
import { PlotGpu } from '../views/plot1d/plotGpu.ts';
import { type DeviceValues, isDeviceValues } from '../views/deviceValues.ts';
import { messageOf, type Say } from './dom.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { HoverReadout, Readouts } from './readouts.ts';

/** GPU root module keys of this view. */
const PLOT_LINES = 'plot1d.lines';
const TARGET_KERNEL = 'plot1d.target';

export class Plot1DFrame implements FrameView {
  readonly kind = 'plot1d' as const;
  readonly plot: Plot1D;
  /** Data x under the mouse, or null (set by the plot's gestures). */
  hoverX: number | null = null;
  /** `?plot=canvas` keeps the curves on the 2D canvas even with WebGPU (the render path's CPU twin). */
  private plotGpuFailed = new URLSearchParams(location.search).get('plot') === 'canvas';
  /** The root generation (device) on which the target kernel failed: not tried again there. */
  private targetGpuFailedOn = -1;
  /** Where the last frame's target and curves were computed and drawn. */
  targetOnGpu = false;
  plotOnGpu = false;

  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly canvases: PlotCanvases,
    private readonly readouts: Readouts,
    private readonly say: Say,
    /** Asks for another frame (after a render failure switched layers). */
    private readonly redraw: () => void,
  ) {
    this.plot = new Plot1D(canvases.background, canvases.overlay);
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
    this.say(`Drawing with WebGPU failed (${messageOf(e)}); drawing on a 2D canvas instead.`);
    this.redraw();
  }

  /** The WebGPU line layer, a module of the GPU root (rebuilt after a device loss); null on the canvas path. */
  private async gpuLayer(): Promise<PlotGpu | null> {
    const root = this.evaluator.root;
    if (!root?.device || this.plotGpuFailed) return null;
    try {
      return await root.module(PLOT_LINES, (device) => PlotGpu.create(device, this.canvases.gpu));
    } catch (e) {
      this.renderFailed(e);
      return null;
    }
  }

  /** Target values on the grid: expression targets on the GPU when there is one, else on the CPU. */
  private async targetValues(t: ResolvedTarget, grid: Grid1D, xs: Float64Array): Promise<ArrayLike<number>> {
    const root = this.evaluator.root;
    this.targetOnGpu = false;
    const expression = t.expression;
    if (root?.device && expression && this.targetGpuFailedOn !== root.generation) {
      const generation = root.generation;
      try {
        const kernel = await root.module(TARGET_KERNEL, (device) => GpuTarget1D.create(device, expression));
        await kernel.setExpression(expression);
        const values = await kernel.evaluateGrid(grid);
        this.targetOnGpu = true;
        return values;
      } catch (e) {
        root.drop(TARGET_KERNEL);
        if (isDeviceLoss(e)) return xs.map(t.f);
        // Not again on this device (a new device after a loss gets a fresh try).
        this.targetGpuFailedOn = generation;
        this.say(`The target could not be evaluated on the GPU (${messageOf(e)}); using the CPU for it.`);
      }
    }
    return xs.map(t.f);
  }

  /** The sum for the frame: the evaluator's device buffer when the line layer draws, else an array. */
  private async sumFor(net: ValidNetwork, grid: Grid1D, gpu: PlotGpu | null): Promise<ArrayLike<number> | DeviceValues> {
    if (gpu) {
      const values = await this.evaluator.gridValues1D(net, grid);
      // Null when the backend fell back to the CPU meanwhile; a buffer of another device is stale.
      if (values && values.device === gpu.device) return values;
    }
    return this.evaluator.evaluateGrid1D(net, grid);
  }

  async draw(s: AppState): Promise<void> {
    const plot = this.plot;
    plot.resize();
    const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: plot.sampleCount };
    const xs = gridXs(grid);
    const t = targetOf(s.target);
    const target = await this.targetValues(t, grid, xs);
    let gpu = await this.gpuLayer();
    const sum = await this.sumFor(s.network, grid, gpu);
    if (!isDeviceValues(sum)) gpu = gpu?.device === this.evaluator.device ? gpu : null;
    this.canvases.gpu.hidden = !gpu;
    plot.draw({ view: s.view, show: s.show, xs, target, sum, network: s.network, samples: t.samples, selected: s.selected, hoverX: this.hoverX }, gpu);
    // A frame the device rejected (validation, out of memory) switches the curves to the 2D canvas, with a message.
    // A lost device is not a render failure: the evaluator recovers and the next frame gets a new layer.
    if (gpu) {
      void plot.lastGpuFrame?.then((err: GpuError | null) => {
        if (err && !this.plotGpuFailed) this.renderFailed(err);
      });
    }
    this.plotOnGpu = gpu !== null;
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
    this.readouts.show(s.network.a.length, pieces && piecesInRange(pieces, s.view.xMin, s.view.xMax), stats.max, stats.rms);
    this.readouts.hover(this.hoverX === null ? null : this.hoverReadout(s, this.hoverX));
  }
}
