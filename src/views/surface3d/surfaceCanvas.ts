/**
 * The surface on a 2D canvas, for pages without WebGPU: the grid resampled to a coarser mesh (at most 96 × 96
 * quads, split into triangles as the GPU mesh is), flat-shaded with the same light and colours (shading.ts), and
 * drawn far to near (painter's algorithm) together with the creases and the target's wireframe, which are lifted
 * onto the drawn triangles as the GPU does. Far to near means by horizontal distance from the eye, not by depth:
 * for a height field seen from above that order is exact (a ray meets the plane points in order of that distance),
 * where sorting by the centroids' depth lets the far wall of a steep ridge paint over its near wall.
 * Scratch arrays are kept between frames.
 */
import type { Rect } from '../../model/lines2d.ts';
import { type OrbitCamera, Z_SCALE } from './camera.ts';
import { heightColour, heightScale, patternColour, shadeOf } from './shading.ts';

/** Mesh side (quads) when the caller gives none, and the most it may be. */
export const CANVAS_DEFAULT_MESH = 64;
export const CANVAS_MAX_MESH = 96;
/** Line pieces per frame at most (creases shrink to fewer pieces each as the units grow). */
const LINE_BUDGET = 12_000;
const KIND_CREASE = 0;
const KIND_HIGHLIGHT = 1;
const KIND_WIRE = 2;
const CREASE_COLOUR = 'rgba(20, 20, 26, 0.8)';
const HIGHLIGHT_COLOUR = 'rgb(255, 140, 13)';
const WIRE_COLOUR = 'rgba(38, 43, 51, 0.55)';

/** One frame of the fallback surface: values (and pattern, target) nx × ny, row-major, row j at the j-th y from the bottom. */
export interface SurfaceCanvasParams {
  values: ArrayLike<number>;
  nx: number;
  ny: number;
  view: Rect;
  zRange: readonly [number, number];
  camera: OrbitCamera;
  /** Quads per side (default 64, clamped to [1, 96]). */
  mesh?: number;
  colour?: 'height' | 'pattern';
  /** Activation-pattern id per grid point, for colour 'pattern'. */
  pattern?: ArrayLike<number>;
  /** The target on the same grid, drawn as a wireframe. */
  target?: { values: ArrayLike<number> };
  /** Crease segments [x0, y0, x1, y1, …] in plane coordinates, clipped to the view. */
  creases?: ArrayLike<number>;
  /** The selected unit: its crease in orange, and (`unit` = [w1, w2, b]) its active side tinted orange. */
  highlight?: { segment?: readonly [number, number, number, number]; unit?: readonly [number, number, number] };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** The grid's value at fractions (u, v) of the view, bilinear (the twin of sampleGrid in surface.vert.wgsl). */
export function sampleGrid(values: ArrayLike<number>, nx: number, ny: number, u: number, v: number): number {
  const gx = clamp01(u) * (nx - 1);
  const gy = clamp01(v) * (ny - 1);
  const i0 = Math.min(Math.floor(gx), nx - 1);
  const j0 = Math.min(Math.floor(gy), ny - 1);
  const i1 = Math.min(i0 + 1, nx - 1);
  const j1 = Math.min(j0 + 1, ny - 1);
  const tx = gx - i0;
  const ty = gy - j0;
  const bottom = values[j0 * nx + i0] + (values[j0 * nx + i1] - values[j0 * nx + i0]) * tx;
  const top = values[j1 * nx + i0] + (values[j1 * nx + i1] - values[j1 * nx + i0]) * tx;
  return bottom + (top - bottom) * ty;
}

/** Items (triangles and line pieces) drawn between two yields of `drawSteps`. */
const DRAW_STEP = 1024;

export class SurfaceCanvas {
  /** Per mesh vertex: scene x, y, z; data value; clip x, y, w. */
  private vertices = new Float64Array(0);
  /** Per item (triangle or line): sort key (horizontal distance from the eye, larger is further). */
  private keys = new Float64Array(0);
  /** Draw order: quantised key and item index packed (index < 2^21, key < 2^24 levels: exact in a float64). */
  private order = new Float64Array(0);
  /** Triangles: vertex indices; lines: screen coordinates; colours as cached strings. */
  private tri = new Uint32Array(0);
  private lines = new Float64Array(0);
  private pieces = new Float64Array(0);
  private kinds = new Uint8Array(0);
  private screen = new Float64Array(0);
  private styles: string[] = [];
  private readonly colourCache = new Map<number, string>();

  private colourString(r: number, g: number, b: number): string {
    const key = (Math.round(255 * r) << 16) | (Math.round(255 * g) << 8) | Math.round(255 * b);
    let s = this.colourCache.get(key);
    if (s === undefined) {
      s = `rgb(${key >> 16},${(key >> 8) & 255},${key & 255})`;
      if (this.colourCache.size > 65_536) this.colourCache.clear();
      this.colourCache.set(key, s);
    }
    return s;
  }

  /**
   * Draws the frame onto `ctx` over a `width` × `height` area in the context's units (CSS pixels when the
   * context is scaled by the device pixel ratio), over what is already there (draw the axes first).
   * Throws a RangeError when the arrays do not match the grid.
   */
  draw(ctx: CanvasRenderingContext2D, width: number, height: number, p: SurfaceCanvasParams): void {
    const steps = this.drawSteps(ctx, width, height, p);
    while (!steps.next().done);
  }

  /**
   * `draw` in pieces: it yields after building the mesh, after sorting and every DRAW_STEP items drawn, so a caller
   * can spread it over several tasks (on a slow CPU the canvas's fills alone took well over 100 ms). Drawing
   * into a canvas of the caller's own until it is done keeps a half-drawn surface off the screen; nothing else
   * may use this SurfaceCanvas until the generator is done. The RangeErrors come from the first `next()`.
   */
  *drawSteps(ctx: CanvasRenderingContext2D, width: number, height: number, p: SurfaceCanvasParams): Generator<void, void, void> {
    const { nx, ny, view, zRange, camera, values } = p;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a surface needs a grid of at least 1×1, got ${nx}×${ny}`);
    const count = nx * ny;
    if (values.length < count) throw new RangeError(`the surface needs ${count} values, got ${values.length}`);
    if (p.target && p.target.values.length < count) throw new RangeError(`the target needs ${count} values, got ${p.target.values.length}`);
    const byPattern = p.colour === 'pattern';
    const hu = p.highlight?.unit;
    const unit = hu && hu.every((v) => Number.isFinite(v)) ? hu : null;
    if (byPattern && (!p.pattern || p.pattern.length < count)) throw new RangeError("colour 'pattern' needs a pattern id per grid point");
    if (!(view.xMax > view.xMin && view.yMax > view.yMin)) throw new RangeError('the surface view must have xMin < xMax and yMin < yMax');
    const m = Math.max(1, Math.min(CANVAS_MAX_MESH, Math.round(p.mesh ?? CANVAS_DEFAULT_MESH)));
    const mat = camera.clipMatrix(width / height);
    const eye = camera.eye();
    const scale = heightScale(zRange);
    const dz = zRange[1] - zRange[0];
    // Scene heights as the shader's sceneZ: the z range onto ±Z_SCALE, kept near the box, non-finite at 0.
    const zA = dz > 0 ? (2 * Z_SCALE) / dz : 0;
    const sceneZ = (v: number) => (dz > 0 && Number.isFinite(v) ? Math.min(1.2, Math.max(-1.2, zA * (v - zRange[0]) - Z_SCALE)) : 0);

    // Mesh vertices: scene position, value and clip coordinates.
    const nv = (m + 1) * (m + 1);
    if (this.vertices.length < 7 * nv) this.vertices = new Float64Array(7 * nv);
    const V = this.vertices;
    for (let j = 0; j <= m; j++) {
      for (let i = 0; i <= m; i++) {
        const u = i / m;
        const v = j / m;
        const h = sampleGrid(values, nx, ny, u, v);
        const x = 2 * u - 1;
        const y = 2 * v - 1;
        const z = sceneZ(h);
        const k = 7 * (j * (m + 1) + i);
        V[k] = x;
        V[k + 1] = y;
        V[k + 2] = z;
        V[k + 3] = h;
        V[k + 4] = mat[0] * x + mat[4] * y + mat[8] * z + mat[12];
        V[k + 5] = mat[1] * x + mat[5] * y + mat[9] * z + mat[13];
        V[k + 6] = mat[3] * x + mat[7] * y + mat[11] * z + mat[15];
      }
    }
    const sx = (k: number) => ((V[k + 4] / V[k + 6] + 1) / 2) * width;
    const sy = (k: number) => ((1 - V[k + 5] / V[k + 6]) / 2) * height;

    // The drawn surface's scene height at (u, v): the mesh triangle's plane, as meshHeight in the shader.
    const meshHeight = (u: number, v: number): number => {
      const gx = clamp01(u) * m;
      const gy = clamp01(v) * m;
      const ci = Math.min(Math.floor(gx), m - 1);
      const cj = Math.min(Math.floor(gy), m - 1);
      const tx = gx - ci;
      const ty = gy - cj;
      const k00 = 7 * (cj * (m + 1) + ci) + 2;
      const k01 = k00 + 7 * (m + 1);
      const z10 = V[k00 + 7];
      const z01 = V[k01];
      if (tx + ty <= 1) return V[k00] + tx * (z10 - V[k00]) + ty * (z01 - V[k00]);
      const z11 = V[k01 + 7];
      return z11 + (1 - tx) * (z01 - z11) + (1 - ty) * (z10 - z11);
    };

    // Lines to draw: pieces [u0, v0, u1, v1] in view fractions, and their kind (crease, highlight, target wire).
    const crease = p.creases ?? [];
    const hl = p.highlight?.segment;
    const nSeg = Math.floor(crease.length / 4) + (hl ? 1 : 0);
    const per = Math.max(1, Math.min(m, Math.floor(LINE_BUDGET / Math.max(1, nSeg))));
    const wire = p.target ? Math.max(4, Math.min(24, Math.round(m / 4))) : 0;
    const maxPieces = nSeg * per + (p.target ? 2 * (wire + 1) * m : 0);
    if (this.pieces.length < 4 * maxPieces) this.pieces = new Float64Array(4 * maxPieces);
    if (this.kinds.length < maxPieces) this.kinds = new Uint8Array(maxPieces);
    const Q = this.pieces;
    const kinds = this.kinds;
    let np = 0;
    const push = (u0: number, v0: number, u1: number, v1: number, kind: number) => {
      Q[4 * np] = u0;
      Q[4 * np + 1] = v0;
      Q[4 * np + 2] = u1;
      Q[4 * np + 3] = v1;
      kinds[np++] = kind;
    };
    const addSegment = (x0: number, y0: number, x1: number, y1: number, kind: number) => {
      if (!(Number.isFinite(x0) && Number.isFinite(y0) && Number.isFinite(x1) && Number.isFinite(y1))) return;
      const u0 = (x0 - view.xMin) / (view.xMax - view.xMin);
      const v0 = (y0 - view.yMin) / (view.yMax - view.yMin);
      const du = (x1 - x0) / (view.xMax - view.xMin) / per;
      const dv = (y1 - y0) / (view.yMax - view.yMin) / per;
      for (let s = 0; s < per; s++) push(u0 + s * du, v0 + s * dv, u0 + (s + 1) * du, v0 + (s + 1) * dv, kind);
    };
    for (let k = 0; k + 3 < crease.length; k += 4) addSegment(crease[k], crease[k + 1], crease[k + 2], crease[k + 3], KIND_CREASE);
    if (hl) addSegment(hl[0], hl[1], hl[2], hl[3], KIND_HIGHLIGHT);
    for (let l = 0; l <= wire; l++) {
      for (let s = 0; s < m; s++) {
        push(s / m, l / wire, (s + 1) / m, l / wire, KIND_WIRE);
        push(l / wire, s / m, l / wire, (s + 1) / m, KIND_WIRE);
      }
    }

    // Items: 2·m² triangles, then the line pieces; each with a sort key.
    const nt = 2 * m * m;
    const capacity = nt + np;
    if (this.keys.length < capacity) {
      this.keys = new Float64Array(capacity);
      this.order = new Float64Array(capacity);
    }
    if (this.tri.length < 3 * nt) this.tri = new Uint32Array(3 * nt);
    if (this.lines.length < 4 * np) this.lines = new Float64Array(4 * np);
    this.styles.length = nt;
    const keys = this.keys;
    const T = this.tri;
    const pattern = byPattern ? p.pattern : undefined;
    // One triangle: its vertices, its sort key, and its flat colour (the normal in scene coordinates, the colour at
    // its centroid: the pattern of the nearest grid point, or the mean height).
    const triangle = (t: number, p0: number, p1: number, p2: number) => {
      T[3 * t] = p0;
      T[3 * t + 1] = p1;
      T[3 * t + 2] = p2;
      const e1x = V[p1] - V[p0], e1y = V[p1 + 1] - V[p0 + 1], e1z = V[p1 + 2] - V[p0 + 2];
      const e2x = V[p2] - V[p0], e2y = V[p2 + 1] - V[p0 + 1], e2z = V[p2 + 2] - V[p0 + 2];
      normal[0] = e1y * e2z - e1z * e2y;
      normal[1] = e1z * e2x - e1x * e2z;
      normal[2] = e1x * e2y - e1y * e2x;
      const gx = (V[p0] + V[p1] + V[p2]) / 3;
      const gy = (V[p0 + 1] + V[p1 + 1] + V[p2 + 1]) / 3;
      const gz = (V[p0 + 2] + V[p1 + 2] + V[p2 + 2]) / 3;
      keys[t] = Math.hypot(gx - eye[0], gy - eye[1]);
      toEye[0] = eye[0] - gx;
      toEye[1] = eye[1] - gy;
      toEye[2] = eye[2] - gz;
      const shade = shadeOf(normal, toEye);
      let base;
      if (pattern) {
        const pi = Math.min(nx - 1, Math.round(((gx + 1) / 2) * (nx - 1)));
        const pj = Math.min(ny - 1, Math.round(((gy + 1) / 2) * (ny - 1)));
        base = patternColour(pattern[pj * nx + pi]);
      } else base = heightColour((V[p0 + 3] + V[p1 + 3] + V[p2 + 3]) / 3, scale);
      if (unit) {
        // The selected unit's hinged plane (its active side), tinted as the GPU's fragment stage does.
        const x = view.xMin + ((gx + 1) / 2) * (view.xMax - view.xMin);
        const y = view.yMin + ((gy + 1) / 2) * (view.yMax - view.yMin);
        if (unit[0] * x + unit[1] * y + unit[2] > 0) base = [base[0] + (1 - base[0]) * 0.35, base[1] + (0.55 - base[1]) * 0.35, base[2] + (0.05 - base[2]) * 0.35];
      }
      this.styles[t] = this.colourString(base[0] * shade, base[1] * shade, base[2] * shade);
    };
    const normal: [number, number, number] = [0, 0, 0];
    const toEye: [number, number, number] = [0, 0, 0];
    let t = 0;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        const a = 7 * (j * (m + 1) + i);
        const c = a + 7 * (m + 1);
        // As the GPU mesh splits a quad: (00, 10, 01) and (01, 10, 11).
        triangle(t++, a, a + 7, c);
        triangle(t++, c, a + 7, c + 7);
      }
    }
    // Lines: lifted onto their surface, sorted just after the triangles they lie on. Pieces of the target's wireframe
    // below the drawn surface are left out: from above, the surface hides them (the depth test's job on the GPU).
    // A piece is drawn after the triangles within a cell and a half nearer than its middle (those it lies across).
    const bias = 3 / m;
    let kept = 0;
    const L = this.lines;
    const target = p.target;
    for (let q = 0; q < np; q++) {
      const onTarget = kinds[q] === KIND_WIRE && target !== undefined;
      let hidden = onTarget;
      for (let e = 0; e < 2; e++) {
        const u = Q[4 * q + 2 * e];
        const v = Q[4 * q + 2 * e + 1];
        const x = 2 * u - 1;
        const y = 2 * v - 1;
        const surfaceZ = meshHeight(u, v);
        const z = onTarget && target ? sceneZ(sampleGrid(target.values, nx, ny, u, v)) : surfaceZ;
        if (z >= surfaceZ - 1e-3) hidden = false;
        const cx = mat[0] * x + mat[4] * y + mat[8] * z + mat[12];
        const cy = mat[1] * x + mat[5] * y + mat[9] * z + mat[13];
        const cw = mat[3] * x + mat[7] * y + mat[11] * z + mat[15];
        L[4 * kept + 2 * e] = ((cx / cw + 1) / 2) * width;
        L[4 * kept + 2 * e + 1] = ((1 - cy / cw) / 2) * height;
      }
      if (hidden) continue;
      keys[nt + kept] = Math.hypot(Q[4 * q] + Q[4 * q + 2] - 1 - eye[0], Q[4 * q + 1] + Q[4 * q + 3] - 1 - eye[1]) - bias;
      kinds[kept] = kinds[q];
      kept++;
    }
    const items = nt + kept;
    yield;

    // Far to near with a native numeric sort: each item's key (quantised, reversed) and index packed in one float64.
    let maxKey = 0;
    for (let k = 0; k < items; k++) if (keys[k] > maxKey) maxKey = keys[k];
    const levels = 2 ** 24;
    const q = maxKey > 0 ? (levels - 1) / maxKey : 0;
    const order = this.order.subarray(0, items);
    for (let k = 0; k < items; k++) order[k] = Math.round((maxKey - Math.max(0, keys[k])) * q) * 2 ** 21 + k;
    order.sort();
    yield;

    // Screen positions of the mesh vertices, once.
    if (this.screen.length < 2 * nv) this.screen = new Float64Array(2 * nv);
    const S = this.screen;
    for (let v = 0; v < nv; v++) {
      S[2 * v] = sx(7 * v);
      S[2 * v + 1] = sy(7 * v);
    }
    // Runs of items with one style share a path and one fill or stroke (the canvas's cost is per call, not per
    // triangle). Triangles grow by half a pixel about their centroid to close the seams antialiasing leaves.
    ctx.save();
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    let open: 'fill' | 'stroke' | null = null;
    let openStyle = '';
    const flush = () => {
      if (open === 'fill') ctx.fill();
      else if (open === 'stroke') ctx.stroke();
      open = null;
    };
    for (let o = 0; o < items; o++) {
      if (o > 0 && o % DRAW_STEP === 0) yield;
      const k = order[o] % 2 ** 21;
      if (k < nt) {
        const style = this.styles[k];
        if (open !== 'fill' || style !== openStyle) {
          flush();
          ctx.fillStyle = style;
          ctx.beginPath();
          open = 'fill';
          openStyle = style;
        }
        const a = 2 * (T[3 * k] / 7), b = 2 * (T[3 * k + 1] / 7), c = 2 * (T[3 * k + 2] / 7);
        const cx = (S[a] + S[b] + S[c]) / 3;
        const cy = (S[a + 1] + S[b + 1] + S[c + 1]) / 3;
        for (let e = 0; e < 3; e++) {
          const v = e === 0 ? a : e === 1 ? b : c;
          const dx = S[v] - cx;
          const dy = S[v + 1] - cy;
          const grow = 0.5 / (Math.hypot(dx, dy) || 1);
          if (e === 0) ctx.moveTo(S[v] + dx * grow, S[v + 1] + dy * grow);
          else ctx.lineTo(S[v] + dx * grow, S[v + 1] + dy * grow);
        }
        ctx.closePath();
      } else {
        const kind = kinds[k - nt];
        const style = kind === KIND_WIRE ? WIRE_COLOUR : kind === KIND_HIGHLIGHT ? HIGHLIGHT_COLOUR : CREASE_COLOUR;
        if (open !== 'stroke' || style !== openStyle) {
          flush();
          ctx.strokeStyle = style;
          ctx.lineWidth = kind === KIND_HIGHLIGHT ? 3.5 : kind === KIND_CREASE ? 1.5 : 1;
          ctx.beginPath();
          open = 'stroke';
          openStyle = style;
        }
        const j = 4 * (k - nt);
        ctx.moveTo(L[j], L[j + 1]);
        ctx.lineTo(L[j + 2], L[j + 3]);
      }
    }
    flush();
    ctx.restore();
  }
}
