import { describe, expect, it } from 'vitest';
import { mat4 } from 'wgpu-matrix';
import {
  DEFAULT_CAMERA,
  DISTANCE_MAX,
  DISTANCE_MIN,
  ELEVATION_MAX,
  ELEVATION_MIN,
  InvalidCameraError,
  OrbitCamera,
  Z_SCALE,
  toScene,
} from '../../src/views/surface3d/camera.ts';

const VIEW = { xMin: -3, xMax: 5, yMin: 10, yMax: 14 };
const Z: [number, number] = [-2, 6];
const W = 640;
const H = 400;

describe('toScene', () => {
  it('maps the view onto [−1, 1]² and the z range onto ±Z_SCALE', () => {
    expect(toScene(-3, 10, -2, VIEW, Z)).toEqual([-1, -1, -Z_SCALE]);
    expect(toScene(5, 14, 6, VIEW, Z)).toEqual([1, 1, Z_SCALE]);
    expect(toScene(1, 12, 2, VIEW, Z)).toEqual([0, 0, 0]);
    // A flat range puts everything at height 0 rather than dividing by zero.
    expect(toScene(1, 12, 7, VIEW, [3, 3])[2]).toBe(0);
  });
});

describe('OrbitCamera', () => {
  it('projects the scene centre onto the canvas centre, at a depth inside (0, 1)', () => {
    for (const state of [{}, { azimuth: 123, elevation: 70, distance: 2 }, { azimuth: -179, elevation: 5, distance: 25 }]) {
      const [sx, sy, depth] = new OrbitCamera(state).project(1, 12, 2, VIEW, Z, W, H);
      expect(sx).toBeCloseTo(W / 2, 9);
      expect(sy).toBeCloseTo(H / 2, 9);
      expect(depth).toBeGreaterThan(0);
      expect(depth).toBeLessThan(1);
    }
  });

  it('sees x to the right and y up from above at azimuth 0, and x to the left at 180', () => {
    const cam = new OrbitCamera({ azimuth: 0, elevation: 89 });
    const [cx, cy] = cam.project(1, 12, 2, VIEW, Z, W, H);
    const [rx, ry] = cam.project(5, 12, 2, VIEW, Z, W, H);
    const [ux, uy] = cam.project(1, 14, 2, VIEW, Z, W, H);
    expect(rx).toBeGreaterThan(cx + 100);
    expect(Math.abs(ry - cy)).toBeLessThan(1e-6);
    expect(uy).toBeLessThan(cy - 100);
    expect(Math.abs(ux - cx)).toBeLessThan(1e-6);
    cam.set({ azimuth: 180 });
    expect(cam.project(5, 12, 2, VIEW, Z, W, H)[0]).toBeLessThan(W / 2 - 100);
  });

  it('turning the azimuth by +90° brings the right edge to the front (nearer, centred) and the back edge to the right', () => {
    const cam = new OrbitCamera({ azimuth: 0, elevation: 30 });
    const right = cam.project(5, 12, 2, VIEW, Z, W, H);
    const back = cam.project(1, 14, 2, VIEW, Z, W, H);
    expect(right[0]).toBeGreaterThan(W / 2);
    cam.rotate(90, 0);
    const right2 = cam.project(5, 12, 2, VIEW, Z, W, H);
    const back2 = cam.project(1, 14, 2, VIEW, Z, W, H);
    expect(right2[0]).toBeCloseTo(W / 2, 6);
    expect(right2[2]).toBeLessThan(right[2]);
    // In front the point sits low on the screen; the back edge now lies to the right.
    expect(right2[1]).toBeGreaterThan(H / 2);
    expect(back2[0]).toBeGreaterThan(W / 2 + 50);
    expect(back[0]).toBeCloseTo(W / 2, 6);
  });

  it('the eye sits where azimuth and elevation say', () => {
    const [x, y, z] = new OrbitCamera({ azimuth: 90, elevation: 30, distance: 4 }).eye();
    expect(x).toBeCloseTo(4 * Math.cos(Math.PI / 6), 12);
    expect(y).toBeCloseTo(0, 12);
    expect(z).toBeCloseTo(2, 12);
  });

  it('clamps elevation, distance and pan, and wraps the azimuth', () => {
    const cam = new OrbitCamera();
    cam.rotate(0, 500);
    expect(cam.elevation).toBe(ELEVATION_MAX);
    cam.rotate(0, -500);
    expect(cam.elevation).toBe(ELEVATION_MIN);
    cam.zoom(1e9);
    expect(cam.distance).toBe(DISTANCE_MIN);
    cam.zoom(1e-9);
    expect(cam.distance).toBe(DISTANCE_MAX);
    cam.pan(100, -100);
    expect(cam.panX).toBe(4);
    expect(cam.panY).toBe(4);
    cam.set({ azimuth: 190 });
    expect(cam.azimuth).toBeCloseTo(-170, 12);
    cam.set({ azimuth: -180 });
    expect(cam.azimuth).toBe(180);
    cam.rotate(720 + 45, 0);
    expect(cam.azimuth).toBeCloseTo(-135, 9);
    // Non-finite input is ignored.
    cam.set({ elevation: Number.NaN, distance: Infinity });
    cam.zoom(Number.NaN);
    expect(cam.elevation).toBe(ELEVATION_MIN);
    expect(cam.distance).toBe(DISTANCE_MAX);
  });

  it('zooming moves the eye closer, magnifying the picture about its centre (or about a given point)', () => {
    const cam = new OrbitCamera({ azimuth: 0, elevation: 89, distance: 6 });
    const before = cam.project(5, 12, 2, VIEW, Z, W, H)[0] - W / 2;
    cam.zoom(2);
    expect(cam.distance).toBe(3);
    const after = cam.project(5, 12, 2, VIEW, Z, W, H)[0] - W / 2;
    expect(after / before).toBeGreaterThan(1.8);
    // About a point: that point stays where it was (the pan absorbs the magnification).
    const cam2 = new OrbitCamera({ azimuth: 0, elevation: 89, distance: 6 });
    cam2.zoom(1.5, [0.5, 0.25]);
    expect(cam2.panX).toBeCloseTo(0.5 - 0.5 * 1.5, 12);
    expect(cam2.panY).toBeCloseTo(0.25 - 0.25 * 1.5, 12);
  });

  it('pans the picture by screen fractions of the canvas height, the same in x and y', () => {
    const cam = new OrbitCamera({ azimuth: 40, elevation: 50 });
    const [x0, y0] = cam.project(1, 12, 2, VIEW, Z, W, H);
    cam.pan(0.1, 0.05);
    const [x1, y1] = cam.project(1, 12, 2, VIEW, Z, W, H);
    expect(x1 - x0).toBeCloseTo(0.1 * H, 6);
    expect(y1 - y0).toBeCloseTo(0.05 * H, 6);
    // Orbiting keeps the scene centre at the panned spot.
    cam.rotate(77, 13);
    const [x2, y2] = cam.project(1, 12, 2, VIEW, Z, W, H);
    expect(x2).toBeCloseTo(x1, 6);
    expect(y2).toBeCloseTo(y1, 6);
  });

  it('keeps the whole scene box inside the canvas at the default distance, wide or narrow', () => {
    for (const [w, h] of [
      [640, 400],
      [300, 600],
    ]) {
      const cam = new OrbitCamera();
      for (const az of [0, 45, 90, 180, -135]) {
        cam.set({ azimuth: az });
        for (const x of [VIEW.xMin, VIEW.xMax]) {
          for (const y of [VIEW.yMin, VIEW.yMax]) {
            for (const z of Z) {
              const [sx, sy, d] = cam.project(x, y, z, VIEW, Z, w, h);
              expect(sx).toBeGreaterThan(0);
              expect(sx).toBeLessThan(w);
              expect(sy).toBeGreaterThan(0);
              expect(sy).toBeLessThan(h);
              expect(d).toBeGreaterThan(0);
              expect(d).toBeLessThan(1);
            }
          }
        }
      }
    }
  });

  it('viewProjection is the float32 matrix project uses', () => {
    const cam = new OrbitCamera({ azimuth: 33, elevation: 44, distance: 3.3, panX: 0.2, panY: -0.1 });
    const m = cam.viewProjection(W / H);
    expect(m).toBeInstanceOf(Float32Array);
    const p = toScene(4, 13, 5, VIEW, Z);
    const c = [0, 1, 2, 3].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
    const [sx, sy, d] = cam.project(4, 13, 5, VIEW, Z, W, H);
    expect(((c[0] / c[3] + 1) / 2) * W).toBeCloseTo(sx, 3);
    expect(((1 - c[1] / c[3]) / 2) * H).toBeCloseTo(sy, 3);
    expect(c[2] / c[3]).toBeCloseTo(d, 5);
    expect(mat4.determinant(m)).not.toBe(0);
  });

  it('round-trips through JSON, resets to the default and rejects bad stored fields', () => {
    const cam = new OrbitCamera({ azimuth: 12, elevation: 34, distance: 5, panX: 0.5, panY: -0.25 });
    const back = OrbitCamera.from(JSON.parse(JSON.stringify(cam)));
    expect(back.toJSON()).toEqual(cam.toJSON());
    expect(back.clone().toJSON()).toEqual(cam.toJSON());
    expect(OrbitCamera.from({ azimuth: 10 }).toJSON()).toEqual({ ...DEFAULT_CAMERA, azimuth: 10 });
    expect(OrbitCamera.from({ elevation: 1000 }).elevation).toBe(ELEVATION_MAX);
    expect(() => OrbitCamera.from({ azimuth: 'north' })).toThrow(InvalidCameraError);
    expect(() => OrbitCamera.from({ distance: null })).toThrow(/distance/);
    expect(() => OrbitCamera.from(null)).toThrow(InvalidCameraError);
    cam.reset();
    expect(cam.toJSON()).toEqual({ ...DEFAULT_CAMERA });
  });
});
