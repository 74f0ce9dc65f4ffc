import { describe, expect, it } from 'vitest';
import { SurfaceCanvas } from '../../src/views/surface3d/surfaceCanvas.ts';
import { OrbitCamera } from '../../src/views/surface3d/camera.ts';

/** A 2D context that logs every call and property write, in order (enough for SurfaceCanvas in Node). */
function loggingContext(log: string[]): CanvasRenderingContext2D {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    get: (_, key) => (key in target ? target[key as string] : (...args: unknown[]) => void log.push(`${String(key)}(${args.map((a) => (typeof a === 'number' ? a.toFixed(6) : String(a))).join(',')})`)),
    set: (_, key, value) => {
      target[key as string] = value;
      log.push(`${String(key)}=${String(value)}`);
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
}

describe('SurfaceCanvas.drawSteps', () => {
  const n = 33;
  const values = Float64Array.from({ length: n * n }, (_, k) => Math.sin(k % n / 5) * Math.cos(Math.floor(k / n) / 7));
  const params = {
    values,
    nx: n,
    ny: n,
    view: { xMin: -1, xMax: 1.5, yMin: -2, yMax: 1 },
    zRange: [-1, 1] as [number, number],
    camera: new OrbitCamera({ azimuth: 30, elevation: 40 }),
    mesh: 48,
    creases: new Float32Array([-1, -2, 1.5, 1, -1, 0.5, 1.5, 0.5]),
  };

  it('draws in several pieces exactly what draw() draws at once', () => {
    const whole: string[] = [];
    new SurfaceCanvas().draw(loggingContext(whole), 400, 300, params);
    const pieces: string[] = [];
    const steps = new SurfaceCanvas().drawSteps(loggingContext(pieces), 400, 300, params);
    let yields = 0;
    while (!steps.next().done) yields++;
    // The mesh, the sort, then every 1,024 of the 2·48² triangles and the crease pieces.
    expect(yields).toBeGreaterThanOrEqual(2 + Math.floor((2 * 48 * 48) / 1024));
    expect(pieces).toEqual(whole);
    expect(whole.filter((c) => c === 'fill()').length).toBeGreaterThan(0);
  });

  it('throws its RangeErrors on the first step', () => {
    const steps = new SurfaceCanvas().drawSteps(loggingContext([]), 400, 300, { ...params, values: values.subarray(1) });
    expect(() => steps.next()).toThrow(RangeError);
  });
});
