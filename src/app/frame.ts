/**
 * Frames: one render loop draws the newest state with the first registered view that accepts it. Adding a
 * view means registering a FrameView here, not adding a branch. Also takes the picture as on screen
 * (the next frame's layers composited) for Export PNG.
 */
import type { AppState, ViewRange } from '../state/state.ts';
import type { PlotRect } from '../views/axes.ts';
import type { PlotGeometry } from './api.ts';
import { RenderLoop } from './renderLoop.ts';

/** A view the frame controller can show: it draws a whole state into the stacked plot canvases. */
export interface FrameView {
  readonly kind: PlotGeometry['kind'];
  /** True when this view shows the state (the first registered view that accepts it draws). */
  accepts(s: AppState): boolean;
  /** Draws the state; resolves when the frame is submitted. */
  draw(s: AppState): Promise<void>;
  /** The plot area inside the canvases, in CSS pixels. */
  readonly rect: PlotRect;
  /** The data window this view shows for a state. */
  windowOf(s: AppState): ViewRange;
  /** Whether the WebGPU canvas holds part of the last frame (for the composite picture). */
  readonly usesGpuCanvas: boolean;
  /** Called when another view takes the screen: hide what only this view shows. */
  leave?(): void;
  /** More canvases of the picture beside the plot's (bottom to top), e.g. the 2D explorer's surface. */
  extraLayers?(): HTMLCanvasElement[];
  /** Resolves once the last frame's GPU work is done (the frame counts as drawn after it). */
  settled?(): Promise<void>;
  /** Forgets what is on the canvases (the browser cleared them): the next draw paints everything again. */
  invalidate?(): void;
}

/** The stacked canvases every view draws into: background (2D), WebGPU layer, overlay (2D). */
export interface PlotCanvases {
  background: HTMLCanvasElement;
  gpu: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

export class FrameController {
  private readonly loop: RenderLoop;
  private onScreen: FrameView | null = null;
  /** Callers of picture() waiting for the next frame (rejected if it fails). */
  private pictureWaiters: { resolve(c: HTMLCanvasElement): void; reject(e: unknown): void }[] = [];
  /** Work waiting for the picture (see afterPicture), by key, oldest first. */
  private readonly later = new Map<string, () => void>();
  private laterArmed = false;
  /**
   * What waiting work also waits for, and whether more is under way (the app: the fits started so far, whose
   * networks are pictures to come): their frames go first.
   */
  pictureSource: { settled(): Promise<unknown>; readonly pending: boolean } = { settled: () => Promise.resolve(), pending: false };

  constructor(
    private readonly state: () => AppState,
    private readonly views: readonly FrameView[],
    private readonly canvases: PlotCanvases,
    onError: (e: unknown) => void,
  ) {
    this.loop = new RenderLoop(() => this.drawFrame(), onError);
  }

  /** Asks for a frame of the newest state; resolves once it (or a newer one) is drawn. */
  request(): Promise<void> {
    return this.loop.request();
  }

  /** Resolves once every state change made so far is on screen. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /**
   * Runs `job` once the picture is on screen: after every frame asked for so far is drawn, in the browser's idle
   * time (after the paint), one job per idle period, and again later when a frame was asked for meanwhile (the
   * frame goes first). A newer job under the same key replaces one not run yet. For what the page shows beside
   * the plot (a big network's formula, the network diagram, the Units list): when a 65,536-unit fit lands, that
   * work ran in the tasks between the frame's own and put the picture off by a few hundred ms.
   */
  afterPicture(key: string, job: () => void): void {
    this.later.delete(key);
    this.later.set(key, job);
    this.armLater();
  }

  private armLater(): void {
    if (this.laterArmed || this.later.size === 0) return;
    this.laterArmed = true;
    // A failed fit or frame is said elsewhere; the waiting work runs all the same.
    void this.pictureSource
      .settled()
      .catch(() => undefined)
      .then(() => this.loop.idle())
      .catch(() => undefined)
      .then(() =>
        whenIdle(() => {
          this.laterArmed = false;
          if (this.loop.isIdle && !this.pictureSource.pending) {
            const [key, job] = this.later.entries().next().value!;
            this.later.delete(key);
            try {
              job();
            } finally {
              this.armLater();
            }
          } else this.armLater();
        }),
      );
  }

  /** The view on screen (after the first frame). */
  get current(): FrameView | null {
    return this.onScreen;
  }

  private async drawFrame(): Promise<void> {
    const s = this.state();
    const view = this.views.find((v) => v.accepts(s));
    try {
      if (!view) throw new Error(`no view shows a ${s.network.dim}D network`);
      if (this.onScreen && this.onScreen !== view) this.onScreen.leave?.();
      this.onScreen = view;
      await view.draw(s);
    } catch (e) {
      for (const w of this.pictureWaiters.splice(0)) w.reject(e);
      throw e;
    }
    this.takeSnapshot(view);
    await view.settled?.();
  }

  /**
   * Paints the whole picture again: after the browser lost and restored a 2D canvas (a GPU-process crash clears
   * GPU-backed canvases, with or without WebGPU), a frame that skips unchanged layers would leave them blank.
   */
  repaint(): Promise<void> {
    for (const v of this.views) v.invalidate?.();
    return this.loop.request();
  }

  /** Where the plot area is on the page and what it shows, for scripts that map data to pixels. */
  geometry(): PlotGeometry {
    const s = this.state();
    const view = this.onScreen ?? this.views.find((v) => v.accepts(s)) ?? this.views[0];
    const box = this.canvases.overlay.getBoundingClientRect();
    const r = view.rect;
    return { left: box.left + window.scrollX + r.left, top: box.top + window.scrollY + r.top, width: r.width, height: r.height, view: { ...view.windowOf(s) }, kind: view.kind };
  }

  /** The picture as on screen: the next frame's layers composited into one canvas. */
  picture(): Promise<HTMLCanvasElement> {
    const p = new Promise<HTMLCanvasElement>((resolve, reject) => this.pictureWaiters.push({ resolve, reject }));
    // The frame's own failure reaches the waiters above (and the page's message); nothing more to do here.
    this.loop.request().catch(() => undefined);
    return p;
  }

  private takeSnapshot(view: FrameView): void {
    if (this.pictureWaiters.length === 0) return;
    const { background, gpu, overlay } = this.canvases;
    const extra = view.extraLayers?.() ?? [];
    const out = document.createElement('canvas');
    // Extra layers sit to the right of the plot, as on the page.
    const extraWidth = extra.reduce((w, c) => Math.max(w, c.width), 0);
    out.width = overlay.width + extraWidth;
    out.height = Math.max(overlay.height, ...extra.map((c) => c.height));
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(background, 0, 0);
    if (view.usesGpuCanvas) ctx.drawImage(gpu, 0, 0);
    ctx.drawImage(overlay, 0, 0);
    for (const c of extra) ctx.drawImage(c, overlay.width, 0);
    for (const w of this.pictureWaiters.splice(0)) w.resolve(out);
  }
}

/** Idle time a waiting job asks for: the browser's idle periods last up to 50 ms, or until the next frame is due. */
const IDLE_NEEDED_MS = 20;

/**
 * Calls `f` in the browser's idle time: a period of at least IDLE_NEEDED_MS (so it does not put off a frame that is
 * due), or once a second has passed (so a page that is never idle still gets it); after a frame's time where
 * there is no requestIdleCallback.
 */
function whenIdle(f: () => void, since = performance.now()): void {
  if (typeof requestIdleCallback !== 'function') {
    setTimeout(f, 16);
    return;
  }
  requestIdleCallback(
    (deadline) => {
      if (deadline.didTimeout || deadline.timeRemaining() >= IDLE_NEEDED_MS || performance.now() - since > 1000) f();
      else whenIdle(f, since);
    },
    { timeout: Math.max(1, 1000 - (performance.now() - since)) },
  );
}
