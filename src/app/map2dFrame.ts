/**
 * The 2D network's frame: its values on a grid of the 2D window as a colour map. On a hardware GPU the values
 * stay on the device and a fragment shader colours them (the legend's number is read lazily, after the frame).
 * On the CPU, and on CPU-like adapters (SwiftShader), they are coloured into a reused canvas: there a pan at
 * N = 4,096 took 131/104 ms with the read-back against 159/162 ms with the fragment shader (`npm run bench:frames
 * -- --backends webgpu --query plot=canvas`, against `plot=gpu`, 9 pans each), so the read-back is what is faster.
 * `?map=gpu` or `?map=canvas` overrides the choice; `?plot=canvas` keeps every view on the canvas.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { type GpuError, isDeviceLoss } from '../engine/gpu/errors.ts';
import type { AppState } from '../state/state.ts';
import { configureGpuCanvas } from '../views/gpuCanvas.ts';
import { Heatmap2D } from '../views/map2d/heatmap2d.ts';
import { Map2DGpu } from '../views/map2d/map2dGpu.ts';
import { messageOf, type Say } from './dom.ts';
import type { FrameView, PlotCanvases } from './frame.ts';
import type { Readouts } from './readouts.ts';

/** GPU root module key of the map renderer (with the canvas context it draws into). */
const MAP_LAYER = 'map2d.colours';

/** `?map=gpu|canvas` picks the colouring; `?plot=canvas` means the canvas for every view. */
function mapOverride(q: URLSearchParams): 'gpu' | 'canvas' | null {
  const map = q.get('map');
  if (map === 'gpu' || map === 'canvas') return map;
  return q.get('plot') === 'canvas' ? 'canvas' : null;
}

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
  /** The colouring the URL asks for, if any (see the module comment). */
  private readonly forced = mapOverride(new URLSearchParams(location.search));
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

  private renderFailed(e: unknown): void {
    // A lost device is being replaced (the root rebuilds the layer): not a reason to leave WebGPU.
    if (isDeviceLoss(e)) return this.redraw();
    this.gpuFailed = true;
    this.evaluator.root?.drop(MAP_LAYER);
    this.say(`Drawing the 2D map with WebGPU failed (${messageOf(e)}); colouring it on the CPU instead.`);
    this.redraw();
  }

  private async gpuLayer(): Promise<MapLayer | null> {
    const root = this.evaluator.root;
    if (!root?.device || this.gpuFailed) return null;
    const cpuLike = root.startup !== null && isCpuLikeAdapter(root.startup.adapter);
    if ((this.forced ?? (cpuLike ? 'canvas' : 'gpu')) === 'canvas') return null;
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
      let drawn: Promise<GpuError | null>;
      try {
        drawn = layer.map.draw(layer.context, size.width, size.height, heatmap.rect, { values, nx: n, ny: n });
      } catch (e) {
        // Thrown at once (say, an unconfigured canvas): colour this frame on the CPU, and the next ones too.
        this.renderFailed(e);
        return;
      }
      void drawn.then((err) => {
        if (err && !this.gpuFailed) this.renderFailed(err);
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
