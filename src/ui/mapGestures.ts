/**
 * Mouse, touch and keyboard on the 2D top-down map: the wheel zooms about the cursor, dragging empty space
 * pans, clicking a unit's line (crease) selects it, dragging the selected line's middle handle moves it and its
 * end handle turns it; hovering reads out the point. Keys: arrows pan (or move the selected line), + and −
 * zoom, [ and ] select units, Escape deselects, Q and W turn the selected line.
 */
import { cloneNetwork, type Network } from '../model/network.ts';
import type { AppState, Store, ViewRange } from '../state/state.ts';
import type { PlotRect } from '../views/axes.ts';
import { type CreaseLine as LineUnit, dragLine } from '../views/map2d/creases.ts';
import { panView, zoomView } from './gestures.ts';

/** What the gestures need from the map view: where its plot area is, and what lies under a pixel. */
export interface MapSurface {
  readonly rect: PlotRect;
  /** The unit whose drawn line passes within a few pixels of (px, py), or −1. */
  hitCrease(px: number, py: number): number;
  /** Which handle of the selected unit's line is at (px, py), if any. */
  handleAt(px: number, py: number): 'move' | 'turn' | null;
}

type Drag =
  | { kind: 'pan'; startX: number; startY: number; view: ViewRange; moved: boolean }
  | { kind: 'line'; handle: 'move' | 'turn'; unit: number; from: [number, number]; start: LineUnit };

/** Unit i of a 2D network as a line. */
export function lineOf(net: Network, i: number): LineUnit {
  return { w1: net.w[2 * i], w2: net.w[2 * i + 1], b: net.b[i] };
}

/** A copy of a 2D network with unit i's line replaced (its output weight kept). */
export function withLine(net: Network, i: number, line: LineUnit): Network {
  const out = cloneNetwork(net);
  out.w[2 * i] = line.w1;
  out.w[2 * i + 1] = line.w2;
  out.b[i] = line.b;
  return out;
}

/** Rotates a unit's line by `angle` radians about its point nearest the window's centre (|w| kept). */
export function turnLine(u: LineUnit, angle: number, view: ViewRange): LineUnit {
  const cx = (view.xMin + view.xMax) / 2;
  const cy = (view.yMin + view.yMax) / 2;
  const nn = u.w1 * u.w1 + u.w2 * u.w2;
  if (!(nn > 0)) return u;
  const s = (u.w1 * cx + u.w2 * cy + u.b) / nn;
  const px = cx - s * u.w1;
  const py = cy - s * u.w2;
  const c = Math.cos(angle);
  const sn = Math.sin(angle);
  const w1 = c * u.w1 - sn * u.w2;
  const w2 = sn * u.w1 + c * u.w2;
  return { w1, w2, b: -(w1 * px + w2 * py) };
}

export class MapGestures {
  private drag: Drag | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly map: MapSurface,
    private readonly store: Store,
    /** Called with the data point under the pointer, or null when it leaves the map. */
    private readonly onHover: (p: { x: number; y: number } | null) => void,
    private readonly onError: (message: string) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
    canvas.addEventListener('pointerleave', () => {
      if (!this.drag && this.store.state.mode === '2d') this.onHover(null);
    });
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  private local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private inside(p: { x: number; y: number }): boolean {
    const r = this.map.rect;
    return p.x >= r.left && p.x <= r.left + r.width && p.y >= r.top && p.y <= r.top + r.height;
  }

  /** Data coordinates of a pixel of the plot area (y grows upwards). */
  private data(p: { x: number; y: number }, v: ViewRange): [number, number] {
    const r = this.map.rect;
    return [v.xMin + ((p.x - r.left) / r.width) * (v.xMax - v.xMin), v.yMax - ((p.y - r.top) / r.height) * (v.yMax - v.yMin)];
  }

  private set(patch: object): void {
    try {
      this.store.set(patch);
    } catch (err) {
      this.onError(err instanceof Error ? err.message : String(err));
    }
  }

  private down(e: PointerEvent): void {
    const s = this.store.state;
    if (s.mode !== '2d' || e.button !== 0) return;
    const p = this.local(e);
    if (!this.inside(p)) return;
    this.canvas.focus();
    const handle = s.selected >= 0 ? this.map.handleAt(p.x, p.y) : null;
    if (handle) this.drag = { kind: 'line', handle, unit: s.selected, from: this.data(p, s.view2d), start: lineOf(s.network, s.selected) };
    else this.drag = { kind: 'pan', startX: p.x, startY: p.y, view: s.view2d, moved: false };
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    const s = this.store.state;
    if (s.mode !== '2d') return;
    const p = this.local(e);
    const d = this.drag;
    if (!d) {
      if (this.inside(p)) {
        const [x, y] = this.data(p, s.view2d);
        this.onHover({ x, y });
      } else this.onHover(null);
      return;
    }
    if (d.kind === 'pan') {
      if (Math.hypot(p.x - d.startX, p.y - d.startY) > 3) d.moved = true;
      if (!d.moved) return;
      const r = this.map.rect;
      const sx = (d.view.xMax - d.view.xMin) / r.width;
      const sy = (d.view.yMax - d.view.yMin) / r.height;
      this.set({ view2d: panView(d.view, -(p.x - d.startX) * sx, (p.y - d.startY) * sy) });
      return;
    }
    if (d.unit >= s.network.a.length) return;
    const to = this.data(p, s.view2d);
    this.set({ network: withLine(s.network, d.unit, dragLine(d.start, d.handle, d.from, to)), selected: d.unit });
    this.onHover({ x: to[0], y: to[1] });
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (d && this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.drag = null;
    if (d?.kind !== 'pan' || d.moved) return;
    // A click (no drag) on a unit's line selects it; a click elsewhere clears the selection.
    const p = this.local(e);
    const s = this.store.state;
    this.set({ selected: s.look.creases ? this.map.hitCrease(p.x, p.y) : -1 });
  }

  private wheel(e: WheelEvent): void {
    const s = this.store.state;
    if (s.mode !== '2d') return;
    const p = this.local(e);
    if (!this.inside(p)) return;
    e.preventDefault();
    const factor = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.0015)));
    const [x, y] = this.data(p, s.view2d);
    this.set({ view2d: zoomView(s.view2d, factor, x, y) });
  }

  private key(e: KeyboardEvent): void {
    const s = this.store.state;
    if (s.mode !== '2d') return;
    if (!keyOnMap(s, e.key, e.shiftKey, (patch) => this.set(patch))) return;
    e.preventDefault();
  }
}

/**
 * What a key does on the focused map (exported for tests). Returns false for keys it does not use.
 * Shift makes every step ten times larger.
 */
export function keyOnMap(s: AppState, key: string, shift: boolean, set: (patch: object) => void): boolean {
  const n = s.network.a.length;
  const v = s.view2d;
  const big = shift ? 10 : 1;
  const dx = 0.01 * big * (v.xMax - v.xMin);
  const dy = 0.01 * big * (v.yMax - v.yMin);
  const i = s.selected;
  const move = (mx: number, my: number) => {
    if (i >= 0 && i < n) {
      const u = lineOf(s.network, i);
      // Translating a line by (mx, my) changes only its bias.
      set({ network: withLine(s.network, i, { ...u, b: u.b - u.w1 * mx - u.w2 * my }), selected: i });
    } else set({ view2d: panView(v, -mx, -my) });
  };
  switch (key) {
    case ']':
      if (n > 0) set({ selected: (i + 1) % n });
      return true;
    case '[':
      if (n > 0) set({ selected: i <= 0 ? n - 1 : i - 1 });
      return true;
    case 'Escape':
      set({ selected: -1 });
      return true;
    case 'ArrowLeft':
      move(-dx, 0);
      return true;
    case 'ArrowRight':
      move(dx, 0);
      return true;
    case 'ArrowUp':
      move(0, dy);
      return true;
    case 'ArrowDown':
      move(0, -dy);
      return true;
    case 'q':
    case 'Q':
    case 'w':
    case 'W':
      if (i < 0 || i >= n) return false;
      set({ network: withLine(s.network, i, turnLine(lineOf(s.network, i), ((key.toLowerCase() === 'q' ? 1 : -1) * big * Math.PI) / 90, v)), selected: i });
      return true;
    case '+':
    case '=':
      set({ view2d: zoomView(v, 1 / 1.25, (v.xMin + v.xMax) / 2, (v.yMin + v.yMax) / 2) });
      return true;
    case '-':
    case '_':
      set({ view2d: zoomView(v, 1.25, (v.xMin + v.xMax) / 2, (v.yMin + v.yMax) / 2) });
      return true;
    default:
      return false;
  }
}
