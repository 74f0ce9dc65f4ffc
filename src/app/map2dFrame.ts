/** The 2D network's frame: its values on a grid of the 2D window, shown as a heat map. */
import type { AutoEvaluator } from '../engine/backend.ts';
import type { AppState } from '../state/state.ts';
import { Heatmap2D } from '../views/map2d/heatmap2d.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { Readouts } from './readouts.ts';

export class Map2DFrame implements FrameView {
  readonly kind = 'heatmap2d' as const;
  readonly usesGpuCanvas = false;
  private readonly heatmap: Heatmap2D;

  constructor(
    private readonly evaluator: AutoEvaluator,
    private readonly canvases: PlotCanvases,
    private readonly readouts: Readouts,
  ) {
    this.heatmap = new Heatmap2D(canvases.background);
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

  async draw(s: AppState): Promise<void> {
    const heatmap = this.heatmap;
    heatmap.resize();
    const n = heatmap.resolution;
    const values = await this.evaluator.evaluateGrid2D(s.network, { ...s.view2d, nx: n, ny: n });
    heatmap.draw({ view: s.view2d, nx: n, ny: n, values });
    const overlay = this.canvases.overlay;
    overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height);
    this.canvases.gpu.hidden = true;
    this.readouts.show(s.network.a.length, null, Number.NaN, Number.NaN);
    this.readouts.hover('none');
  }
}
