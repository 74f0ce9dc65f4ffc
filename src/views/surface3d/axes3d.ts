/**
 * The surface's axes on a 2D canvas below the surface (the WebGPU layer or the fallback's triangles cover what lies
 * behind them): the floor and the two far walls of the scene box with light grid lines at the ticks, and labelled
 * ticks along the front floor edges (x, y) and a side vertical edge (z). Placement is pure (`axes3dLayout`), so it
 * is tested without a canvas.
 */
import type { Rect } from '../../model/lines2d.ts';
import { niceTicks, tickLabel } from '../axes.ts';
import type { OrbitCamera } from './camera.ts';

/** A line on the canvas, in pixels. */
export type ScreenLine = [number, number, number, number];

/** A label: its text, anchor point (pixels) and alignment, set so the text lies outward from the box. */
export interface AxisLabel {
  axis: 'x' | 'y' | 'z';
  text: string;
  x: number;
  y: number;
  align: CanvasTextAlign;
  baseline: CanvasTextBaseline;
  title: boolean;
}

export interface Axes3DLayout {
  /** Outlines of the floor and the far walls. */
  edges: ScreenLine[];
  /** Grid lines on the floor and the far walls at the ticks. */
  grid: ScreenLine[];
  /** Short tick marks beside the labels. */
  ticks: ScreenLine[];
  labels: AxisLabel[];
}

export interface Axes3DOptions {
  /** Axis titles (default x, y, z). */
  titles?: readonly [string, string, string];
  edgeColour?: string;
  gridColour?: string;
  textColour?: string;
  font?: string;
}

type P3 = [number, number, number];

/**
 * Where the axes go on a `width` × `height` canvas (the units of `camera.project`): which box edges are far (drawn)
 * and which near edges carry the labels follow from the eye's side of the box.
 */
export function axes3dLayout(camera: OrbitCamera, view: Rect, zRange: readonly [number, number], width: number, height: number, titles: readonly [string, string, string] = ['x', 'y', 'z']): Axes3DLayout {
  const [zMin, zMax] = zRange;
  const eye = camera.eye();
  // Far walls sit on the side away from the eye; labels go on the near floor edges.
  const xFar = eye[0] > 0 ? view.xMin : view.xMax;
  const xNear = eye[0] > 0 ? view.xMax : view.xMin;
  const yFar = eye[1] > 0 ? view.yMin : view.yMax;
  const yNear = eye[1] > 0 ? view.yMax : view.yMin;
  const pr = (p: P3) => camera.project(p[0], p[1], p[2], view, zRange, width, height);
  const line = (a: P3, b: P3): ScreenLine => {
    const [ax, ay] = pr(a);
    const [bx, by] = pr(b);
    return [ax, ay, bx, by];
  };
  const edges: ScreenLine[] = [
    line([view.xMin, view.yMin, zMin], [view.xMax, view.yMin, zMin]),
    line([view.xMax, view.yMin, zMin], [view.xMax, view.yMax, zMin]),
    line([view.xMax, view.yMax, zMin], [view.xMin, view.yMax, zMin]),
    line([view.xMin, view.yMax, zMin], [view.xMin, view.yMin, zMin]),
  ];
  const xs = niceTicks(view.xMin, view.xMax, 5);
  const ys = niceTicks(view.yMin, view.yMax, 5);
  const zs = zMax > zMin ? niceTicks(zMin, zMax, 4) : [];
  const grid: ScreenLine[] = [];
  if (zMax > zMin) {
    edges.push(
      line([xFar, view.yMin, zMax], [xFar, view.yMax, zMax]),
      line([view.xMin, yFar, zMax], [view.xMax, yFar, zMax]),
      line([xFar, yFar, zMin], [xFar, yFar, zMax]),
      line([xFar, yNear, zMin], [xFar, yNear, zMax]),
      line([xNear, yFar, zMin], [xNear, yFar, zMax]),
    );
    for (const z of zs) grid.push(line([xFar, view.yMin, z], [xFar, view.yMax, z]), line([view.xMin, yFar, z], [view.xMax, yFar, z]));
    for (const x of xs) grid.push(line([x, yFar, zMin], [x, yFar, zMax]));
    for (const y of ys) grid.push(line([xFar, y, zMin], [xFar, y, zMax]));
  }
  for (const x of xs) grid.push(line([x, view.yMin, zMin], [x, view.yMax, zMin]));
  for (const y of ys) grid.push(line([view.xMin, y, zMin], [view.xMax, y, zMin]));

  // Labels point away from the box's centre on the screen (at their own height), so they sit outside it.
  const labels: AxisLabel[] = [];
  const ticks: ScreenLine[] = [];
  const cx = (view.xMin + view.xMax) / 2;
  const cy = (view.yMin + view.yMax) / 2;
  const place = (axis: AxisLabel['axis'], p: P3, from: P3, text: string, gap: number, title: boolean) => {
    const [sx, sy] = pr(p);
    const [ox, oy] = pr(from);
    let dx = sx - ox;
    let dy = sy - oy;
    const len = Math.hypot(dx, dy);
    if (len > 1e-9) {
      dx /= len;
      dy /= len;
    } else [dx, dy] = [0, 1];
    if (!title) ticks.push([sx, sy, sx + dx * 4, sy + dy * 4]);
    labels.push({
      axis,
      text,
      x: sx + dx * gap,
      y: sy + dy * gap,
      align: dx > 0.35 ? 'left' : dx < -0.35 ? 'right' : 'center',
      baseline: dy > 0.35 ? 'top' : dy < -0.35 ? 'bottom' : 'middle',
      title,
    });
  };
  const step = (t: number[]) => (t.length > 1 ? t[1] - t[0] : 0);
  for (const x of xs) place('x', [x, yNear, zMin], [x, cy, zMin], tickLabel(x, step(xs)), 7, false);
  for (const y of ys) place('y', [xNear, y, zMin], [cx, y, zMin], tickLabel(y, step(ys)), 7, false);
  place('x', [cx, yNear, zMin], [cx, cy, zMin], titles[0], 24, true);
  place('y', [xNear, cy, zMin], [cx, cy, zMin], titles[1], 24, true);
  if (zs.length > 0) {
    // The z ticks go on whichever side vertical edge lies further left on the screen.
    const a: P3 = [xNear, yFar, zMin];
    const b: P3 = [xFar, yNear, zMin];
    const [ex, ey] = pr(a)[0] <= pr(b)[0] ? [a[0], a[1]] : [b[0], b[1]];
    const zc = (zMin + zMax) / 2;
    const floorLabels = labels.slice();
    for (const z of zs) {
      const [sx, sy] = pr([ex, ey, z]);
      // A z label that would sit on a floor label (at the floor's corner) is left out.
      if (floorLabels.some((l) => Math.hypot(l.x - (sx - 7), l.y - sy) < 14)) continue;
      ticks.push([sx, sy, sx - 4, sy]);
      labels.push({ axis: 'z', text: tickLabel(z, step(zs)), x: sx - 7, y: sy, align: 'right', baseline: 'middle', title: false });
    }
    const [tx, ty] = pr([ex, ey, zc]);
    labels.push({ axis: 'z', text: titles[2], x: tx - 40, y: ty, align: 'right', baseline: 'middle', title: true });
  }
  return { edges, grid, ticks, labels };
}

/**
 * The x at which to draw a label of `textWidth` with its alignment so that it stays within [pad, width − pad]:
 * its own x when it fits, else shifted just inside (a narrow canvas put the near corner's tick label past the
 * edge, where the canvas cut it). A label wider than the room starts at `pad`.
 */
export function labelXInside(x: number, align: CanvasTextAlign, textWidth: number, width: number, pad = 2): number {
  const left = align === 'left' || align === 'start' ? x : align === 'right' || align === 'end' ? x - textWidth : x - textWidth / 2;
  const shift = left + textWidth > width - pad ? width - pad - (left + textWidth) : 0;
  const moved = left + shift;
  return x + (moved < pad ? pad - left : shift);
}

/** Draws the axes onto `ctx` (already scaled so one unit is one CSS pixel), over a `width` × `height` area. */
export function drawAxes3D(ctx: CanvasRenderingContext2D, camera: OrbitCamera, view: Rect, zRange: readonly [number, number], width: number, height: number, options: Axes3DOptions = {}): void {
  const layout = axes3dLayout(camera, view, zRange, width, height, options.titles);
  const stroke = (lines: ScreenLine[], colour: string, lineWidth: number) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    for (const [ax, ay, bx, by] of lines) {
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
    ctx.stroke();
  };
  ctx.save();
  stroke(layout.grid, options.gridColour ?? 'rgba(0, 0, 0, 0.08)', 1);
  stroke(layout.edges, options.edgeColour ?? 'rgba(0, 0, 0, 0.45)', 1);
  stroke(layout.ticks, options.edgeColour ?? 'rgba(0, 0, 0, 0.45)', 1);
  ctx.fillStyle = options.textColour ?? '#333';
  const font = options.font ?? '11px system-ui, sans-serif';
  for (const l of layout.labels) {
    ctx.font = l.title ? `italic ${font}` : font;
    ctx.textAlign = l.align;
    ctx.textBaseline = l.baseline;
    ctx.fillText(l.text, labelXInside(l.x, l.align, ctx.measureText(l.text).width, width), l.y);
  }
  ctx.restore();
}
