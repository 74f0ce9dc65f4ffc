/**
 * The 2D network's frame: its values on a grid of the 2D window as a colour map. On WebGPU the values stay
 * on the device and a fragment shader colours them (the legend's number is read lazily, after the frame);
 * on the CPU they are coloured into a reused canvas.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import type { GpuError } from '../engine/gpu/errors.ts';
import type { AppState } from '../state/state.ts';
import { configureGpuCanvas } from '../views/gpuCanvas.ts';
import { Heatmap2D } from '../views/map2d/heatmap2d.ts';
import { Map2DGpu } from '../views/map2d/map2dGpu.ts';
import { messageOf, type Say } from './dom.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { Readouts } from './readouts.ts';

/** GPU root module key of the map renderer (with the canvas context it draws into). */
const MAP_LAYER = 'map2d.colours';

interface MapLayer {
  map: Map2DGpu;
  context: GPUCanvasContext;
  destroy(): void;
}

export class Map2DFrame implements FrameView {
  readonly kind = 'heatmap2d' as const;
  usesGpuCanvas = false;
  private readonly heatmap: Heatmap2D;
  private gpuFailed = false;
  /** Counts frames, so a late legend number from an older frame is not shown. */
  private frameNo = 0;

  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly canvases: PlotCanvases,
    private readonly readouts: Readouts,
    private readonly say: Say,
    private readonly redraw: () => void,
  ) {
    this.heatmap = new Heatmap2D(canvases.background, canvases.overlay);
  }

  accepts(s: AppState): boolean {
    return s.network.dim === 2;
  }
  get rect() {
    return this.heatmap.rect;
  }
  windowOf(s: AppState) {
    return s.view2d;
  }
  hide(): void {}

  private renderFailed(e: unknown): void {
    this.gpuFailed = true;
    this.evaluator.root?.drop(MAP_LAYER);
    this.say(`Drawing the 2D map with WebGPU failed (${messageOf(e)}); colouring it on the CPU instead.`);
    this.redraw();
  }

  private async gpuLayer(): Promise<MapLayer | null> {
    const root = this.evaluator.root;
    if (!root?.device || this.gpuFailed) return null;
    try {
      return await root.module(MAP_LAYER, async (device) => {
        const { context, format } = configureGpuCanvas(device, this.canvases.gpu);
        const map = await Map2DGpu.create(device, format);
        return { map, context, destroy: () => map.destroy() };
      });
    } catch (e) {
      this.renderFailed(e);
      return null;
    }
  }

  async draw(s: AppState): Promise<void> {
    const heatmap = this.heatmap;
    heatmap.resize();
    const n = heatmap.resolution;
    const grid = { ...s.view2d, nx: n, ny: n };
    const frameNo = ++this.frameNo;
    const layer = await this.gpuLayer();
    const values = layer ? await this.evaluator.gridValues2D(s.network, grid) : null;
    if (layer && values && values.device === layer.map.device) {
      this.canvases.gpu.hidden = false;
      this.usesGpuCanvas = true;
      heatmap.drawAround(s.view2d);
      const size = heatmap.size;
      void layer.map.draw(layer.context, size.width, size.height, heatmap.rect, { values, nx: n, ny: n }).then((err: GpuError | null) => {
        if (err && err.kind !== 'device-lost' && !this.gpuFailed) this.renderFailed(err);
      });
      void layer.map.readScale().then(
        (scale) => frameNo === this.frameNo && heatmap.setScale(scale),
        () => undefined,
      );
    } else {
      this.canvases.gpu.hidden = true;
      this.usesGpuCanvas = false;
      heatmap.draw({ view: s.view2d, nx: n, ny: n, values: await this.evaluator.evaluateGrid2D(s.network, grid) });
    }
    this.readouts.show(s.network.a.length, null, Number.NaN, Number.NaN);
    this.readouts.hover('none');
  }
}
