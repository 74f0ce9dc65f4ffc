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
const LINE_BUDGET = 24_000;
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
  highlight?: { segment?: readonly [number, number, number, number] };
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

export class SurfaceCanvas {
  /** Per mesh vertex: scene x, y, z; data value; clip x, y, w. */
  private vertices = new Float64Array(0);
  /** Per item (triangle or line): sort key (horizontal distance from the eye, larger is further). */
  private keys = new Float64Array(0);
  private order = new Uint32Array(0);
  /** Triangles: vertex indices; lines: screen coordinates; colours as cached strings. */
  private tri = new Uint32Array(0);
  private lines = new Float64Array(0);
  private widths = new Float64Array(0);
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
    const { nx, ny, view, zRange, camera, values } = p;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && ny >= 1)) throw new RangeError(`a surface needs a grid of at least 1×1, got ${nx}×${ny}`);
    const count = nx * ny;
    if (values.length < count) throw new RangeError(`the surface needs ${count} values, got ${values.length}`);
    if (p.target && p.target.values.length < count) throw new RangeError(`the target needs ${count} values, got ${p.target.values.length}`);
    const byPattern = p.colour === 'pattern';
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
      const z = (i: number, j: number) => V[7 * (j * (m + 1) + i) + 2];
      if (tx + ty <= 1) return z(ci, cj) + tx * (z(ci + 1, cj) - z(ci, cj)) + ty * (z(ci, cj + 1) - z(ci, cj));
      return z(ci + 1, cj + 1) + (1 - tx) * (z(ci, cj + 1) - z(ci + 1, cj + 1)) + (1 - ty) * (z(ci + 1, cj) - z(ci + 1, cj + 1));
    };

    // Lines to draw: [u0, v0, u1, v1] pieces in view fractions with their style and whether they lie on the target.
    const pieces: { u0: number; v0: number; u1: number; v1: number; style: string; width: number; target: boolean }[] = [];
    const crease = p.creases ?? [];
    const nSeg = Math.floor(crease.length / 4) + (p.highlight?.segment ? 1 : 0);
    const per = Math.max(1, Math.min(2 * m, Math.floor((LINE_BUDGET / 2) / Math.max(1, nSeg))));
    const addSegment = (x0: number, y0: number, x1: number, y1: number, style: string, w: number) => {
      if (!(Number.isFinite(x0) && Number.isFinite(y0) && Number.isFinite(x1) && Number.isFinite(y1))) return;
      const fu = (x: number) => (x - view.xMin) / (view.xMax - view.xMin);
      const fv = (y: number) => (y - view.yMin) / (view.yMax - view.yMin);
      for (let s = 0; s < per; s++) {
        const t0 = s / per;
        const t1 = (s + 1) / per;
        pieces.push({ u0: fu(x0 + (x1 - x0) * t0), v0: fv(y0 + (y1 - y0) * t0), u1: fu(x0 + (x1 - x0) * t1), v1: fv(y0 + (y1 - y0) * t1), style, width: w, target: false });
      }
    };
    for (let k = 0; k + 3 < crease.length; k += 4) addSegment(crease[k], crease[k + 1], crease[k + 2], crease[k + 3], CREASE_COLOUR, 1.5);
    const hl = p.highlight?.segment;
    if (hl) addSegment(hl[0], hl[1], hl[2], hl[3], HIGHLIGHT_COLOUR, 3.5);
    if (p.target) {
      const wire = Math.max(4, Math.min(24, Math.round(m / 4)));
      for (let l = 0; l <= wire; l++) {
        for (let s = 0; s < m; s++) {
          const a = l / wire;
          pieces.push({ u0: s / m, v0: a, u1: (s + 1) / m, v1: a, style: WIRE_COLOUR, width: 1, target: true });
          pieces.push({ u0: a, v0: s / m, u1: a, v1: (s + 1) / m, style: WIRE_COLOUR, width: 1, target: true });
        }
      }
    }

    // Items: 2·m² triangles, then the line pieces; each with a sort key.
    const nt = 2 * m * m;
    const capacity = nt + pieces.length;
    if (this.keys.length < capacity) {
      this.keys = new Float64Array(capacity);
      this.order = new Uint32Array(capacity);
    }
    if (this.widths.length < pieces.length) this.widths = new Float64Array(pieces.length);
    if (this.tri.length < 3 * nt) this.tri = new Uint32Array(3 * nt);
    if (this.lines.length < 4 * pieces.length) this.lines = new Float64Array(4 * pieces.length);
    this.styles.length = capacity;
    const keys = this.keys;
    const T = this.tri;
    let t = 0;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        const a = 7 * (j * (m + 1) + i);
        const b = a + 7;
        const c = a + 7 * (m + 1);
        const d = c + 7;
        for (const [p0, p1, p2] of [
          [a, b, c],
          [c, b, d],
        ]) {
          T[3 * t] = p0;
          T[3 * t + 1] = p1;
          T[3 * t + 2] = p2;
          // Flat shading: the triangle's normal in scene coordinates, the colour at its centroid.
          const e1x = V[p1] - V[p0], e1y = V[p1 + 1] - V[p0 + 1], e1z = V[p1 + 2] - V[p0 + 2];
          const e2x = V[p2] - V[p0], e2y = V[p2 + 1] - V[p0 + 1], e2z = V[p2 + 2] - V[p0 + 2];
          const n: [number, number, number] = [e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x];
          const gx = (V[p0] + V[p1] + V[p2]) / 3;
          const gy = (V[p0 + 1] + V[p1 + 1] + V[p2 + 1]) / 3;
          const gz = (V[p0 + 2] + V[p1 + 2] + V[p2 + 2]) / 3;
          keys[t] = Math.hypot(gx - eye[0], gy - eye[1]);
          const shade = shadeOf(n, [eye[0] - gx, eye[1] - gy, eye[2] - gz]);
          let base;
          if (byPattern && p.pattern) {
            const pi = Math.min(nx - 1, Math.round(((gx + 1) / 2) * (nx - 1)));
            const pj = Math.min(ny - 1, Math.round(((gy + 1) / 2) * (ny - 1)));
            base = patternColour(p.pattern[pj * nx + pi]);
          } else base = heightColour((V[p0 + 3] + V[p1 + 3] + V[p2 + 3]) / 3, scale);
          this.styles[t] = this.colourString(base[0] * shade, base[1] * shade, base[2] * shade);
          t++;
        }
      }
    }
    // Lines: lifted onto their surface, sorted just after the triangles they lie on. Pieces of the target's wireframe
    // below the drawn surface are left out: from above, the surface hides them (the depth test's job on the GPU).
    const bias = 0.5 / m;
    let kept = 0;
    const L = this.lines;
    const target = p.target;
    for (const q of pieces) {
      const ends: number[] = [];
      let hidden = q.target;
      for (const [u, v] of [
        [q.u0, q.v0],
        [q.u1, q.v1],
      ]) {
        const x = 2 * u - 1;
        const y = 2 * v - 1;
        const surfaceZ = meshHeight(u, v);
        const z = q.target && target ? sceneZ(sampleGrid(target.values, nx, ny, u, v)) : surfaceZ;
        if (z >= surfaceZ - 1e-3) hidden = false;
        const cx = mat[0] * x + mat[4] * y + mat[8] * z + mat[12];
        const cy = mat[1] * x + mat[5] * y + mat[9] * z + mat[13];
        const cw = mat[3] * x + mat[7] * y + mat[11] * z + mat[15];
        ends.push(((cx / cw + 1) / 2) * width, ((1 - cy / cw) / 2) * height);
      }
      if (hidden) continue;
      L.set(ends, 4 * kept);
      keys[nt + kept] = Math.hypot(q.u0 + q.u1 - 1 - eye[0], q.v0 + q.v1 - 1 - eye[1]) - bias;
      this.styles[nt + kept] = q.style;
      this.widths[kept] = q.width;
      kept++;
    }
    const items = nt + kept;

    const order = this.order.subarray(0, items);
    for (let k = 0; k < items; k++) order[k] = k;
    order.sort((a, b) => keys[b] - keys[a]);

    ctx.save();
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    let lastStyle = '';
    for (let o = 0; o < items; o++) {
      const k = order[o];
      const style = this.styles[k];
      if (k < nt) {
        const a = T[3 * k], b = T[3 * k + 1], c = T[3 * k + 2];
        if (style !== lastStyle) {
          ctx.fillStyle = style;
          ctx.strokeStyle = style;
          lastStyle = style;
        }
        ctx.lineWidth = 0.6;
        ctx.beginPath();
        ctx.moveTo(sx(a), sy(a));
        ctx.lineTo(sx(b), sy(b));
        ctx.lineTo(sx(c), sy(c));
        ctx.closePath();
        ctx.fill();
        // A hairline of the same colour closes the seams antialiasing leaves between neighbours.
        ctx.stroke();
      } else {
        ctx.strokeStyle = style;
        lastStyle = '';
        ctx.lineWidth = this.widths[k - nt];
        ctx.beginPath();
        ctx.moveTo(L[4 * (k - nt)], L[4 * (k - nt) + 1]);
        ctx.lineTo(L[4 * (k - nt) + 2], L[4 * (k - nt) + 3]);
        ctx.stroke();
      }
    }
    ctx.restore();
  }
}
