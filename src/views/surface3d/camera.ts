/**
 * The surface's orbit camera, pure math (no DOM, no GPU): an eye on a sphere around the scene centre, looking at
 * it with z up, and a shift of the picture in the image plane for panning. Scene coordinates map the view rectangle
 * onto [−1, 1]² and the z range onto [−Z_SCALE, Z_SCALE], so the camera never depends on the data's units.
 */
import { mat4, mat4d, vec4d } from 'wgpu-matrix';
import type { Rect } from '../../model/lines2d.ts';

/** Half the height of the scene box: z range [zMin, zMax] maps onto [−Z_SCALE, Z_SCALE]. */
export const Z_SCALE = 0.6;
/** Vertical field of view (radians) when the canvas is at least as wide as tall. */
export const FOV_Y = (38 * Math.PI) / 180;
export const ELEVATION_MIN = 5;
export const ELEVATION_MAX = 89;
export const DISTANCE_MIN = 1.2;
export const DISTANCE_MAX = 30;
/** Largest picture shift, in half canvas heights. */
export const PAN_MAX = 4;

/** The camera as plain numbers (degrees for angles; pan in half canvas heights, y up), as the app keeps it in state. */
export interface CameraState {
  azimuth: number;
  elevation: number;
  distance: number;
  panX: number;
  panY: number;
}

/** The default view: from the front left, a third of the way up. */
export const DEFAULT_CAMERA: Readonly<CameraState> = Object.freeze({ azimuth: -30, elevation: 32, distance: 4.6, panX: 0, panY: 0 });

/** A camera field that is not a finite number. */
export class InvalidCameraError extends Error {
  override name = 'InvalidCameraError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid camera: ${field}: ${message}`);
  }
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Azimuth in (−180, 180]. */
function wrapDegrees(a: number): number {
  const w = a - 360 * Math.floor((a + 180) / 360);
  return w === -180 ? 180 : w;
}

/** The scene coordinates of the plane point (x, y) at height z: the view onto [−1, 1]², the z range onto ±Z_SCALE. */
export function toScene(x: number, y: number, z: number, view: Rect, zRange: readonly [number, number]): [number, number, number] {
  const dz = zRange[1] - zRange[0];
  return [
    (2 * (x - view.xMin)) / (view.xMax - view.xMin) - 1,
    (2 * (y - view.yMin)) / (view.yMax - view.yMin) - 1,
    dz > 0 ? Z_SCALE * ((2 * (z - zRange[0])) / dz - 1) : 0,
  ];
}

/**
 * An orbit camera. Mutable: the controls rotate, zoom and pan it in place, then the app stores `toJSON()`.
 * Every setter clamps (elevation to [5°, 89°], distance to [1.2, 30], pan to ±4) and wraps the azimuth.
 */
export class OrbitCamera implements CameraState {
  azimuth = DEFAULT_CAMERA.azimuth;
  elevation = DEFAULT_CAMERA.elevation;
  distance = DEFAULT_CAMERA.distance;
  panX = DEFAULT_CAMERA.panX;
  panY = DEFAULT_CAMERA.panY;

  constructor(state: Partial<CameraState> = {}) {
    this.set({ ...DEFAULT_CAMERA, ...state });
  }

  /**
   * A camera from stored state (e.g. the app's state or a link). Missing fields take the default; a field that is
   * present but not a finite number throws an InvalidCameraError; values out of range are clamped.
   */
  static from(json: unknown): OrbitCamera {
    if (typeof json !== 'object' || json === null) throw new InvalidCameraError('camera', 'must be an object');
    const src = json as Record<string, unknown>;
    const state: Partial<CameraState> = {};
    for (const key of ['azimuth', 'elevation', 'distance', 'panX', 'panY'] as const) {
      const v = src[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidCameraError(key, 'must be a finite number');
      state[key] = v;
    }
    return new OrbitCamera(state);
  }

  /** Sets any fields (clamped, azimuth wrapped); non-finite values are ignored so a bad gesture cannot break the view. */
  set(state: Partial<CameraState>): this {
    const ok = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
    if (ok(state.azimuth)) this.azimuth = wrapDegrees(state.azimuth);
    if (ok(state.elevation)) this.elevation = clamp(state.elevation, ELEVATION_MIN, ELEVATION_MAX);
    if (ok(state.distance)) this.distance = clamp(state.distance, DISTANCE_MIN, DISTANCE_MAX);
    if (ok(state.panX)) this.panX = clamp(state.panX, -PAN_MAX, PAN_MAX);
    if (ok(state.panY)) this.panY = clamp(state.panY, -PAN_MAX, PAN_MAX);
    return this;
  }

  /** Turns the eye about the vertical axis by dAz degrees (positive: counter-clockwise seen from above) and raises it by dEl. */
  rotate(dAz: number, dEl: number): this {
    return this.set({ azimuth: this.azimuth + dAz, elevation: this.elevation + dEl });
  }

  /**
   * Moves the eye `factor` times closer (factor > 1 magnifies). With `at` (a point of the picture in the pan units:
   * half canvas heights from the centre, y up) the point under it stays roughly put, as zooming toward the cursor.
   */
  zoom(factor: number, at?: readonly [number, number]): this {
    if (!(factor > 0) || !Number.isFinite(factor)) return this;
    const before = this.distance;
    this.set({ distance: before / factor });
    const m = before / this.distance;
    if (at) this.set({ panX: at[0] + (this.panX - at[0]) * m, panY: at[1] + (this.panY - at[1]) * m });
    return this;
  }

  /** Shifts the picture by (dx, dy) in fractions of the canvas height (dy down, as screen coordinates). */
  pan(dx: number, dy: number): this {
    return this.set({ panX: this.panX + 2 * dx, panY: this.panY - 2 * dy });
  }

  reset(): this {
    return this.set(DEFAULT_CAMERA);
  }

  toJSON(): CameraState {
    return { azimuth: this.azimuth, elevation: this.elevation, distance: this.distance, panX: this.panX, panY: this.panY };
  }

  clone(): OrbitCamera {
    return new OrbitCamera(this.toJSON());
  }

  /** The eye in scene coordinates. */
  eye(): [number, number, number] {
    const az = (this.azimuth * Math.PI) / 180;
    const el = (this.elevation * Math.PI) / 180;
    const d = this.distance;
    return [d * Math.cos(el) * Math.sin(az), -d * Math.cos(el) * Math.cos(az), d * Math.sin(el)];
  }

  /** Scene → clip space in float64 (column-major), WebGPU depth range [0, 1], for a canvas of width/height `aspect`. */
  clipMatrix(aspect: number): Float64Array {
    const a = aspect > 0 && Number.isFinite(aspect) ? aspect : 1;
    // Narrow canvases widen the vertical field so the scene's width still fits.
    const fovY = 2 * Math.atan(Math.tan(FOV_Y / 2) / Math.min(1, a));
    // The scene lies within √(2 + Z_SCALE²) ≈ 1.54 of its centre: near and far hug it for depth precision.
    const near = Math.max(0.05, this.distance - 2);
    const far = this.distance + 2;
    const proj = mat4d.perspective(fovY, a, near, far);
    const view = mat4d.lookAt(this.eye(), [0, 0, 0], [0, 0, 1]);
    // The pan shifts the picture in the image plane: a translation of homogeneous clip space adds t·w, i.e. t in NDC,
    // so orbiting keeps the picture's centre where the pan put it.
    const shift = mat4d.translation([this.panX / a, this.panY, 0]);
    return mat4d.multiply(mat4d.multiply(shift, proj), view) as Float64Array;
  }

  /** Scene → clip space matrix (column-major Float32Array, as a WGSL mat4x4<f32>) for a canvas of width/height `aspect`. */
  viewProjection(aspect: number): Float32Array {
    return mat4.clone(this.clipMatrix(aspect));
  }

  /**
   * Where the plane point (x, y) at height z lands on a `widthPx` × `heightPx` canvas: [sx, sy] in pixels from the
   * top left, and depth in [0, 1] (0 at the near plane; larger is further). For overlays and hit tests.
   */
  project(x: number, y: number, z: number, view: Rect, zRange: readonly [number, number], widthPx: number, heightPx: number): [number, number, number] {
    return this.projectScene(toScene(x, y, z, view, zRange), widthPx, heightPx);
  }

  /** As `project`, from scene coordinates. */
  projectScene(p: readonly [number, number, number], widthPx: number, heightPx: number): [number, number, number] {
    const c = vec4d.transformMat4([p[0], p[1], p[2], 1], this.clipMatrix(widthPx / heightPx));
    const w = c[3];
    return [((c[0] / w + 1) / 2) * widthPx, ((1 - c[1] / w) / 2) * heightPx, c[2] / w];
  }
}
