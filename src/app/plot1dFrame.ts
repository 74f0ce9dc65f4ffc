/**
 * The 1D explorer's frame: evaluates the sum (and the target) on the active backend, draws them with the
 * WebGPU line layer where it works (else on the 2D canvas), and fills the readouts.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import type { GpuError } from '../engine/gpu/errors.ts';
import { GpuTarget1D } from '../engine/gpu/target1d.ts';
import { errorStats } from '../model/errorStats.ts';
import { gridXs, type Grid1D } from '../model/grid.ts';
import type { Network } from '../model/network.ts';
import { evaluatePiecewise, piecesInRange, piecewise1D, type PiecewiseLinear } from '../model/piecewise1d.ts';
import type { ResolvedTarget } from '../model/targets.ts';
import { type AppState, targetOf } from '../state/state.ts';
import { Plot1D } from '../views/plot1d/plot1d.ts';
import { PlotGpu } from '../views/plot1d/plotGpu.ts';
import { messageOf, type Say } from './dom.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { HoverReadout, Readouts } from './readouts.ts';

export class Plot1DFrame implements FrameView {
  readonly kind = 'plot1d' as const;
  readonly plot: Plot1D;
  /** Data x under the mouse, or null (set by the plot's gestures). */
  hoverX: number | null = null;
  private plotGpu: PlotGpu | null = null;
  /** `?plot=canvas` keeps the curves on the 2D canvas even with WebGPU (the render path's CPU twin). */
  private plotGpuFailed = new URLSearchParams(location.search).get('plot') === 'canvas';
  private gpuTarget: { device: GPUDevice; kernel: GpuTarget1D } | null = null;
  private targetGpuFailedOn: GPUDevice | null = null;
  private pieces: { net: Network; pl: PiecewiseLinear } | null = null;
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

  hide(): void {
    this.plotGpu?.clear();
  }

  /** The knots of a network, sorted once per network object (networks are immutable). */
  piecewiseOf(net: Network): PiecewiseLinear {
    if (!this.pieces || this.pieces.net !== net) this.pieces = { net, pl: piecewise1D(net) };
    return this.pieces.pl;
  }

  /** What the hover readout shows at x: exact values from the sorted knots. */
  hoverReadout(s: AppState, x: number): HoverReadout {
    const net = s.network;
    const sum = evaluatePiecewise(this.piecewiseOf(net), [x])[0];
    const target = targetOf(s.target).f(x);
    let active = 0;
    for (let i = 0; i < net.a.length; i++) if (net.w[i] * x + net.b[i] > 0) active++;
    return { x, target, sum, error: sum - target, active };
  }

  private renderFailed(e: unknown): void {
    this.plotGpuFailed = true;
    this.plotGpu?.destroy();
    this.plotGpu = null;
    this.say(`Drawing with WebGPU failed (${messageOf(e)}); drawing on a 2D canvas instead.`);
    this.redraw();
  }

  /** The WebGPU line layer on the evaluator's device, rebuilt after a device loss; null on the canvas path. */
  private async gpuLayer(): Promise<PlotGpu | null> {
    const device = this.evaluator.device;
    if (!device || this.plotGpuFailed) {
      this.plotGpu?.destroy();
      this.plotGpu = null;
      return null;
    }
    if (this.plotGpu?.device !== device) {
      this.plotGpu?.destroy();
      this.plotGpu = null;
      try {
        this.plotGpu = await PlotGpu.create(device, this.canvases.gpu);
      } catch (e) {
        this.renderFailed(e);
      }
    }
    return this.plotGpu;
  }

  /** Target values on the grid: expression targets on the GPU when there is one, else on the CPU. */
  private async targetValues(t: ResolvedTarget, grid: Grid1D, xs: Float64Array): Promise<ArrayLike<number>> {
    const device = this.evaluator.device;
    this.targetOnGpu = false;
    if (device && t.expression && this.targetGpuFailedOn !== device) {
      try {
        if (!this.gpuTarget || this.gpuTarget.device !== device) {
          this.gpuTarget?.kernel.destroy();
          this.gpuTarget = { device, kernel: await GpuTarget1D.create(device, t.expression) };
        } else await this.gpuTarget.kernel.setExpression(t.expression);
        const values = await this.gpuTarget.kernel.evaluateGrid(grid);
        this.targetOnGpu = true;
        return values;
      } catch (e) {
        this.gpuTarget?.kernel.destroy();
        this.gpuTarget = null;
        // Not again on this device (a new device after a loss gets a fresh try).
        this.targetGpuFailedOn = device;
        this.say(`The target could not be evaluated on the GPU (${messageOf(e)}); using the CPU for it.`);
      }
    }
    return xs.map(t.f);
  }

  async draw(s: AppState): Promise<void> {
    const plot = this.plot;
    plot.resize();
    const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: plot.sampleCount };
    const sum = await this.evaluator.evaluateGrid1D(s.network, grid);
    const xs = gridXs(grid);
    const t = targetOf(s.target);
    const target = await this.targetValues(t, grid, xs);
    const gpu = await this.gpuLayer();
    this.canvases.gpu.hidden = !gpu;
    plot.draw({ view: s.view, show: s.show, xs, target, sum, network: s.network, samples: t.samples, selected: s.selected, hoverX: this.hoverX }, gpu);
    // A frame the device rejected (validation, out of memory) switches the curves to the 2D canvas, with a message.
    // A lost device is not a render failure: the evaluator recovers and the next frame gets a new layer.
    if (gpu) {
      void plot.lastGpuFrame?.then((err: GpuError | null) => {
        if (err && err.kind !== 'device-lost' && this.plotGpu === gpu) this.renderFailed(err);
      });
    }
    this.plotOnGpu = gpu !== null;
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
    this.readouts.show(s.network.a.length, piecesInRange(this.piecewiseOf(s.network), s.view.xMin, s.view.xMax), stats.max, stats.rms);
    this.readouts.hover(this.hoverX === null ? null : this.hoverReadout(s, this.hoverX));
  }
}
