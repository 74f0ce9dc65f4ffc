/**
 * Mouse, touch and keyboard on the 1D plot. Every gesture becomes a state patch (pan and zoom move the
 * view; dragging a knot or the slope handle edits a unit); only the hover position is kept here, as it
 * is not part of the state.
 */
import { act, activationOf } from '../model/activation.ts';
import { cloneNetwork, type Network } from '../model/network.ts';
import { KNOT_STRIP, type Plot1D, slopeHandle } from '../views/plot1d/plot1d.ts';
import type { Store, ViewRange } from '../state/state.ts';

type Drag =
  | { kind: 'pan'; startX: number; startY: number; view: ViewRange }
  | { kind: 'knot'; unit: number }
  | { kind: 'slope'; unit: number; handleX: number };

/** Nearest knot to a pixel column within `tolerance` px, or −1. */
export function knotNear(net: Network, toPx: (x: number) => number, px: number, tolerance: number): number {
  let best = -1;
  let bestD = tolerance;
  for (let i = 0; i < net.a.length; i++) {
    if (net.w[i] === 0) continue;
    const d = Math.abs(toPx(-net.b[i] / net.w[i]) - px);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** The unit whose term a·φ(w·x + b) passes within `tolerance` px of (x, py) — the nearest — or −1. */
export function termNear(net: Network, x: number, toPy: (y: number) => number, py: number, tolerance: number): number {
  let best = -1;
  let bestD = tolerance;
  const activation = activationOf(net);
  for (let i = 0; i < net.a.length; i++) {
    const d = Math.abs(toPy(net.a[i] * act(activation, net.w[i] * x + net.b[i])) - py);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Zooms a view by `factor` (> 1 zooms out) about the data point (cx, cy). */
export function zoomView(v: ViewRange, factor: number, cx: number, cy: number, axes: 'xy' | 'x' | 'y' = 'xy'): ViewRange {
  const fx = axes === 'y' ? 1 : factor;
  const fy = axes === 'x' ? 1 : factor;
  return {
    xMin: cx - (cx - v.xMin) * fx,
    xMax: cx + (v.xMax - cx) * fx,
    yMin: cy - (cy - v.yMin) * fy,
    yMax: cy + (v.yMax - cy) * fy,
  };
}

export function panView(v: ViewRange, dx: number, dy: number): ViewRange {
  return { xMin: v.xMin + dx, xMax: v.xMax + dx, yMin: v.yMin + dy, yMax: v.yMax + dy };
}

/** A copy of the network with unit i's knot moved to k (its slope w kept). */
export function withKnot(net: Network, i: number, k: number): Network {
  const out = cloneNetwork(net);
  out.b[i] = -out.w[i] * k;
  return out;
}

/** A copy with unit i's output weight set. */
export function withOutputWeight(net: Network, i: number, a: number): Network {
  const out = cloneNetwork(net);
  out.a[i] = a;
  return out;
}

export class PlotGestures {
  private drag: Drag | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly plot: Plot1D,
    private readonly store: Store,
    private readonly onHover: (x: number | null) => void,
    private readonly onError: (message: string) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
    canvas.addEventListener('pointerleave', () => {
      if (!this.drag) this.hover(null);
    });
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /** Whether the last hover reported was a point (a cleared hover is reported once, not on every move). */
  private hovering = true;

  /**
   * Reports the hovered x, or null once: this canvas is also the 2D map's overlay, where every pointer move
   * reported null and so asked for a whole 2D frame (its surface redrawn) per move.
   */
  private hover(x: number | null): void {
    if (x === null && !this.hovering) return;
    this.hovering = x !== null;
    this.onHover(x);
  }

  private local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
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
    if (s.mode !== '1d' || e.button !== 0) return;
    const t = this.plot.transform(s.view);
    const p = this.local(e);
    const r = t.rect;
    if (p.x < r.left || p.x > r.left + r.width || p.y < r.top || p.y > r.top + r.height) return;
    this.canvas.focus();
    if (s.selected >= 0) {
      const h = slopeHandle(s.network, s.selected, s.view);
      if (h && Math.hypot(t.px(h.x) - p.x, t.py(h.y) - p.y) <= 9) {
        this.drag = { kind: 'slope', unit: s.selected, handleX: h.x };
      }
    }
    if (!this.drag && p.y >= r.top + r.height - KNOT_STRIP - 6) {
      const i = knotNear(s.network, (x) => t.px(x), p.x, 6);
      if (i >= 0) {
        this.drag = { kind: 'knot', unit: i };
        this.set({ selected: i });
      }
    }
    if (!this.drag) this.drag = { kind: 'pan', startX: p.x, startY: p.y, view: s.view };
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    const s = this.store.state;
    const t = this.plot.transform(s.view);
    const p = this.local(e);
    const d = this.drag;
    if (!d) {
      const r = t.rect;
      const inside = p.x >= r.left && p.x <= r.left + r.width && p.y >= r.top && p.y <= r.top + r.height;
      this.hover(inside && s.mode === '1d' ? t.dataX(p.x) : null);
      return;
    }
    if (d.kind === 'pan') {
      const sx = (d.view.xMax - d.view.xMin) / t.rect.width;
      const sy = (d.view.yMax - d.view.yMin) / t.rect.height;
      this.set({ view: panView(d.view, -(p.x - d.startX) * sx, (p.y - d.startY) * sy) });
    } else if (d.kind === 'knot') {
      this.set({ network: withKnot(s.network, d.unit, t.dataX(p.x)), selected: d.unit });
      this.hover(t.dataX(p.x));
    } else {
      const net = s.network;
      const z = net.w[d.unit] * d.handleX + net.b[d.unit];
      // The handle sits where the unit is on (z > 0): there a = y / φ(z), whatever the activation.
      const phi = act(activationOf(net), z);
      if (z > 0 && phi > 0) this.set({ network: withOutputWeight(net, d.unit, t.dataY(p.y) / phi), selected: d.unit });
    }
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (d && this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.drag = null;
    if (d?.kind !== 'pan') return;
    const p = this.local(e);
    // A click (no drag) on a unit's term selects that unit; a click on nothing clears the selection.
    if (Math.hypot(p.x - d.startX, p.y - d.startY) > 3) return;
    const s = this.store.state;
    if (!s.show.terms) return;
    const t = this.plot.transform(s.view);
    const i = termNear(s.network, t.dataX(p.x), (y) => t.py(y), p.y, 5);
    this.set({ selected: i });
  }

  private wheel(e: WheelEvent): void {
    const s = this.store.state;
    if (s.mode !== '1d') return;
    e.preventDefault();
    const t = this.plot.transform(s.view);
    const p = this.local(e);
    const factor = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.0015)));
    const axes = e.shiftKey ? 'x' : e.altKey ? 'y' : 'xy';
    this.set({ view: zoomView(s.view, factor, t.dataX(p.x), t.dataY(p.y), axes) });
  }

  /**
   * Keys on the focused plot: [ and ] select the previous/next unit, Escape deselects; with a unit selected,
   * ←/→ move its knot and ↑/↓ scale its output weight; without one, arrows pan. + and − zoom.
   * Shift makes every step ten times larger.
   */
  private key(e: KeyboardEvent): void {
    const s = this.store.state;
    if (s.mode !== '1d') return;
    const n = s.network.a.length;
    const v = s.view;
    const big = e.shiftKey ? 10 : 1;
    const dx = 0.01 * big * (v.xMax - v.xMin);
    const dy = 0.01 * big * (v.yMax - v.yMin);
    const i = s.selected;
    let handled = true;
    switch (e.key) {
      case ']':
        if (n > 0) this.set({ selected: (i + 1) % n });
        break;
      case '[':
        if (n > 0) this.set({ selected: i <= 0 ? n - 1 : i - 1 });
        break;
      case 'Escape':
        this.set({ selected: -1 });
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const sign = e.key === 'ArrowLeft' ? -1 : 1;
        if (i >= 0 && s.network.w[i] !== 0) this.set({ network: withKnot(s.network, i, -s.network.b[i] / s.network.w[i] + sign * dx), selected: i });
        else this.set({ view: panView(v, sign * dx, 0) });
        break;
      }
      case 'ArrowUp':
      case 'ArrowDown': {
        const sign = e.key === 'ArrowDown' ? -1 : 1;
        if (i >= 0) {
          const a = s.network.a[i];
          const step = 0.05 * big * Math.max(Math.abs(a), 0.02);
          this.set({ network: withOutputWeight(s.network, i, a + sign * step), selected: i });
        } else this.set({ view: panView(v, 0, sign * dy) });
        break;
      }
      case '+':
      case '=':
        this.set({ view: zoomView(v, 1 / 1.25, (v.xMin + v.xMax) / 2, (v.yMin + v.yMax) / 2) });
        break;
      case '-':
      case '_':
        this.set({ view: zoomView(v, 1.25, (v.xMin + v.xMax) / 2, (v.yMin + v.yMax) / 2) });
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }
}
