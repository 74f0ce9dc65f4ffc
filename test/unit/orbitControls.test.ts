import { describe, expect, it } from 'vitest';
import { attachOrbitControls } from '../../src/ui/orbitControls.ts';
import { DEFAULT_CAMERA, OrbitCamera } from '../../src/views/surface3d/camera.ts';

/** Just enough of an HTMLElement for the controls: events, focus, capture, a box at (10, 20) of 400 × 200. */
class FakeElement extends EventTarget {
  style = { touchAction: 'auto' };
  tabIndex = -1;
  attributes = new Set<string>();
  captured = new Set<number>();
  ownerDocument: { activeElement: unknown } = { activeElement: null };
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  getBoundingClientRect() {
    return { left: 10, top: 20, width: 400, height: 200 };
  }
  focus(): void {
    if (this.ownerDocument.activeElement === this) return;
    this.ownerDocument.activeElement = this;
    this.dispatchEvent(new Event('focus'));
  }
  blur(): void {
    this.ownerDocument.activeElement = null;
    this.dispatchEvent(new Event('blur'));
  }
  setPointerCapture(id: number): void {
    this.captured.add(id);
  }
  releasePointerCapture(id: number): void {
    this.captured.delete(id);
  }
  hasPointerCapture(id: number): boolean {
    return this.captured.has(id);
  }
}

function fire(el: FakeElement, type: string, props: Record<string, unknown> = {}): Event {
  const e = Object.assign(new Event(type, { cancelable: true }), { button: 0, pointerType: 'mouse', pointerId: 1, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, deltaMode: 0, ...props });
  el.dispatchEvent(e);
  return e;
}

function setup() {
  const el = new FakeElement();
  const camera = new OrbitCamera({ azimuth: 0, elevation: 30, distance: 5 });
  let changes = 0;
  const detach = attachOrbitControls(el as unknown as HTMLElement, camera, () => changes++);
  return { el, camera, detach, changes: () => changes };
}

describe('attachOrbitControls', () => {
  it('drag rotates: right turns the azimuth down, down raises the eye; the element takes focus and the pointer', () => {
    const { el, camera, changes } = setup();
    expect(el.tabIndex).toBe(0);
    fire(el, 'pointerdown', { clientX: 110, clientY: 120 });
    expect(el.ownerDocument.activeElement).toBe(el);
    expect(el.captured.has(1)).toBe(true);
    fire(el, 'pointermove', { clientX: 160, clientY: 145 });
    expect(camera.azimuth).toBeCloseTo(-20, 9);
    expect(camera.elevation).toBeCloseTo(40, 9);
    expect(changes()).toBe(1);
    fire(el, 'pointerup', { clientX: 160, clientY: 145 });
    expect(el.captured.has(1)).toBe(false);
    // Moves after the button is up do nothing.
    fire(el, 'pointermove', { clientX: 300, clientY: 145 });
    expect(camera.azimuth).toBeCloseTo(-20, 9);
  });

  it('shift-drag and right-drag pan by the fraction of the height dragged', () => {
    const { el, camera } = setup();
    fire(el, 'pointerdown', { clientX: 100, clientY: 100, shiftKey: true });
    fire(el, 'pointermove', { clientX: 140, clientY: 120, shiftKey: true });
    expect(camera.panX).toBeCloseTo((2 * 40) / 200, 12);
    expect(camera.panY).toBeCloseTo((-2 * 20) / 200, 12);
    fire(el, 'pointerup');
    fire(el, 'pointerdown', { clientX: 100, clientY: 100, button: 2 });
    fire(el, 'pointermove', { clientX: 80, clientY: 100, button: 2 });
    expect(camera.panX).toBeCloseTo(0.4 - 0.2, 12);
    expect(camera.azimuth).toBe(0);
    expect(fire(el, 'contextmenu').defaultPrevented).toBe(true);
  });

  it('two fingers pinch to zoom and move together to pan; lifting one goes back to rotating', () => {
    const { el, camera } = setup();
    fire(el, 'pointerdown', { pointerType: 'touch', pointerId: 7, clientX: 160, clientY: 120 });
    fire(el, 'pointerdown', { pointerType: 'touch', pointerId: 8, clientX: 260, clientY: 120 });
    // Spread symmetrically about the centre of the element: pure zoom.
    fire(el, 'pointermove', { pointerType: 'touch', pointerId: 7, clientX: 110, clientY: 120 });
    fire(el, 'pointermove', { pointerType: 'touch', pointerId: 8, clientX: 310, clientY: 120 });
    expect(camera.distance).toBeCloseTo(2.5, 9);
    expect(camera.azimuth).toBe(0);
    expect(Math.abs(camera.panX)).toBeLessThan(1e-9);
    // Both move down 20 px: a pan of 0.1 height.
    fire(el, 'pointermove', { pointerType: 'touch', pointerId: 7, clientX: 110, clientY: 140 });
    fire(el, 'pointermove', { pointerType: 'touch', pointerId: 8, clientX: 310, clientY: 140 });
    expect(camera.panY).toBeCloseTo(-0.2, 9);
    fire(el, 'pointerup', { pointerType: 'touch', pointerId: 8 });
    fire(el, 'pointermove', { pointerType: 'touch', pointerId: 7, clientX: 120, clientY: 140 });
    expect(camera.azimuth).toBeCloseTo(-4, 9);
  });

  it('the wheel zooms only once the element has focus (or with ctrl), never taking the page scroll otherwise', () => {
    const { el, camera, changes } = setup();
    const ignored = fire(el, 'wheel', { deltaY: -100, clientX: 210, clientY: 120 });
    expect(ignored.defaultPrevented).toBe(false);
    expect(camera.distance).toBe(5);
    const pinch = fire(el, 'wheel', { deltaY: -100, ctrlKey: true, clientX: 210, clientY: 120 });
    expect(pinch.defaultPrevented).toBe(true);
    expect(camera.distance).toBeCloseTo(5 / Math.exp(0.15), 9);
    el.focus();
    // Toward the cursor: zooming at the centre leaves the pan alone, elsewhere it shifts it.
    fire(el, 'wheel', { deltaY: 100, clientX: 210, clientY: 120 });
    expect(camera.distance).toBeCloseTo(5, 9);
    expect(Math.abs(camera.panX) + Math.abs(camera.panY)).toBeLessThan(1e-9);
    fire(el, 'wheel', { deltaY: -100, clientX: 410, clientY: 120 });
    expect(camera.panX).toBeLessThan(0);
    expect(changes()).toBe(3);
  });

  it('keys rotate, zoom and reset; other keys and shortcuts pass through', () => {
    const { el, camera } = setup();
    expect(fire(el, 'keydown', { key: 'ArrowLeft' }).defaultPrevented).toBe(true);
    expect(camera.azimuth).toBe(5);
    fire(el, 'keydown', { key: 'ArrowUp', shiftKey: true });
    expect(camera.elevation).toBe(45);
    fire(el, 'keydown', { key: '+' });
    expect(camera.distance).toBeCloseTo(5 / 1.15, 12);
    fire(el, 'keydown', { key: '-' });
    expect(camera.distance).toBeCloseTo(5, 12);
    expect(fire(el, 'keydown', { key: 'a' }).defaultPrevented).toBe(false);
    expect(fire(el, 'keydown', { key: '0', ctrlKey: true }).defaultPrevented).toBe(false);
    fire(el, 'keydown', { key: '0' });
    expect(camera.toJSON()).toEqual({ ...DEFAULT_CAMERA });
  });

  it('claims touch only while focused, and detaching removes everything it added', () => {
    const { el, camera, detach, changes } = setup();
    expect(el.style.touchAction).toBe('auto');
    el.focus();
    expect(el.style.touchAction).toBe('none');
    el.blur();
    expect(el.style.touchAction).toBe('auto');
    el.focus();
    detach();
    expect(el.style.touchAction).toBe('auto');
    expect(el.hasAttribute('tabindex')).toBe(false);
    fire(el, 'keydown', { key: 'ArrowLeft' });
    fire(el, 'pointerdown', { clientX: 0, clientY: 0 });
    fire(el, 'pointermove', { clientX: 50, clientY: 0 });
    expect(camera.azimuth).toBe(0);
    expect(changes()).toBe(0);
  });
});
