/**
 * Pointer, touch, wheel and keyboard controls for the surface's orbit camera. Drag rotates, shift- or right-drag
 * pans, two fingers pinch to zoom and move to pan, the wheel zooms toward the cursor; arrows rotate, + and − zoom,
 * 0 resets. The element never takes the page's scrolling while it is not focused: the wheel zooms only once it has
 * focus (a click or tap gives it), or with ctrl (a trackpad pinch), and touch panning of the page stays possible
 * until the first tap focuses it. The camera is changed in place; `onChange` tells the caller to store and redraw.
 */
import type { OrbitCamera } from '../views/surface3d/camera.ts';

export interface OrbitControlsOptions {
  /** Degrees of rotation per pixel dragged (default 0.4). */
  rotateSpeed?: number;
  /** Degrees per arrow key press (default 5; shift: three times as much). */
  keyStep?: number;
  /** Zoom factor per + or − press (default 1.15). */
  keyZoom?: number;
}

type Mode = 'rotate' | 'pan' | 'pinch';

/**
 * Attaches the controls to `el` (its tabindex set to 0 if it had none) and returns a function that detaches them,
 * restoring what it changed. Pointer positions are read relative to the element's bounding box.
 */
export function attachOrbitControls(el: HTMLElement, camera: OrbitCamera, onChange: () => void, options: OrbitControlsOptions = {}): () => void {
  const rotateSpeed = options.rotateSpeed ?? 0.4;
  const keyStep = options.keyStep ?? 5;
  const keyZoom = options.keyZoom ?? 1.15;
  const pointers = new Map<number, { x: number; y: number }>();
  let mode: Mode = 'rotate';
  /** The pinch's first two pointers and the camera when it began: each move applies the whole gesture since. */
  let pinch = { distance: 0, x: 0, y: 0, start: camera.toJSON() };
  const addedTabIndex = !el.hasAttribute('tabindex');
  if (addedTabIndex) el.tabIndex = 0;
  const touchAction = el.style.touchAction;

  const focused = () => el.ownerDocument.activeElement === el;
  const local = (e: { clientX: number; clientY: number }) => {
    const r = el.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top, width: Math.max(1, r.width), height: Math.max(1, r.height) };
  };
  /** The first two pointers' distance and midpoint. */
  const pair = () => {
    const [a, b] = [...pointers.values()];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };
  /** A point of the element in the camera's pan units: half heights from the centre, y up. */
  const panUnits = (x: number, y: number, width: number, height: number): [number, number] => [(x - width / 2) / (height / 2), -(y - height / 2) / (height / 2)];

  const down = (e: PointerEvent) => {
    if (e.pointerType === 'mouse' && e.button !== 0 && e.button !== 2) return;
    el.focus({ preventScroll: true });
    const p = local(e);
    pointers.set(e.pointerId, { x: p.x, y: p.y });
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      // A pointer that is already gone cannot be captured; its moves simply stop.
    }
    if (pointers.size >= 2) {
      mode = 'pinch';
      pinch = { ...pair(), start: camera.toJSON() };
    } else mode = e.button === 2 || e.shiftKey ? 'pan' : 'rotate';
    e.preventDefault();
  };

  const move = (e: PointerEvent) => {
    const last = pointers.get(e.pointerId);
    if (!last) return;
    const p = local(e);
    const dx = p.x - last.x;
    const dy = p.y - last.y;
    pointers.set(e.pointerId, { x: p.x, y: p.y });
    if (mode === 'pinch') {
      if (pointers.size < 2) return;
      // From the state at the start, so the result does not depend on which finger's event came first.
      const now = pair();
      camera.set(pinch.start);
      if (pinch.distance > 0 && now.distance > 0) camera.zoom(now.distance / pinch.distance, panUnits(pinch.x, pinch.y, p.width, p.height));
      camera.pan((now.x - pinch.x) / p.height, (now.y - pinch.y) / p.height);
    } else if (mode === 'pan') {
      camera.pan(dx / p.height, dy / p.height);
    } else {
      // Dragging right turns the scene's front to the right; dragging down looks from higher up.
      camera.rotate(-dx * rotateSpeed, dy * rotateSpeed);
    }
    if (dx !== 0 || dy !== 0) onChange();
  };

  const up = (e: PointerEvent) => {
    if (!pointers.delete(e.pointerId)) return;
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    // Lifting one finger of a pinch goes on rotating with the other.
    if (mode === 'pinch' && pointers.size === 1) mode = 'rotate';
  };

  const wheel = (e: WheelEvent) => {
    if (!focused() && !e.ctrlKey) return;
    e.preventDefault();
    const p = local(e);
    const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? p.height : 1;
    const step = Math.max(-1, Math.min(1, e.deltaY * lines * 0.0015));
    camera.zoom(Math.exp(-step), panUnits(p.x, p.y, p.width, p.height));
    onChange();
  };

  const key = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const step = keyStep * (e.shiftKey ? 3 : 1);
    switch (e.key) {
      case 'ArrowLeft':
        camera.rotate(step, 0);
        break;
      case 'ArrowRight':
        camera.rotate(-step, 0);
        break;
      case 'ArrowUp':
        camera.rotate(0, step);
        break;
      case 'ArrowDown':
        camera.rotate(0, -step);
        break;
      case '+':
      case '=':
        camera.zoom(keyZoom);
        break;
      case '-':
      case '_':
        camera.zoom(1 / keyZoom);
        break;
      case '0':
        camera.reset();
        break;
      default:
        return;
    }
    e.preventDefault();
    onChange();
  };

  // Touch gestures belong to the element only while it has focus, so a page scrolled by touch is not trapped.
  const focus = () => {
    el.style.touchAction = 'none';
  };
  const blur = () => {
    el.style.touchAction = touchAction;
    pointers.clear();
  };
  const menu = (e: Event) => e.preventDefault();

  const listeners: [string, EventListener, AddEventListenerOptions?][] = [
    ['pointerdown', down as EventListener],
    ['pointermove', move as EventListener],
    ['pointerup', up as EventListener],
    ['pointercancel', up as EventListener],
    ['wheel', wheel as EventListener, { passive: false }],
    ['keydown', key as EventListener],
    ['focus', focus],
    ['blur', blur],
    ['contextmenu', menu],
  ];
  for (const [type, fn, opts] of listeners) el.addEventListener(type, fn, opts);
  if (focused()) focus();
  return () => {
    for (const [type, fn] of listeners) el.removeEventListener(type, fn);
    el.style.touchAction = touchAction;
    if (addedTabIndex) el.removeAttribute('tabindex');
    pointers.clear();
  };
}
