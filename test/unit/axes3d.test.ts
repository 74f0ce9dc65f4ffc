import { describe, expect, it } from 'vitest';
import { axes3dLayout, drawAxes3D } from '../../src/views/surface3d/axes3d.ts';
import { OrbitCamera } from '../../src/views/surface3d/camera.ts';

const VIEW = { xMin: -2, xMax: 2, yMin: 0, yMax: 10 };
const Z: [number, number] = [-1, 3];
const W = 600;
const H = 400;

describe('axes3dLayout', () => {
  it('labels the x ticks along the near floor edge, below the box from the front, and every label lies outside the box centre', () => {
    const cam = new OrbitCamera({ azimuth: 0, elevation: 30 });
    const { labels, edges, grid } = axes3dLayout(cam, VIEW, Z, W, H);
    const xs = labels.filter((l) => l.axis === 'x' && !l.title);
    expect(xs.map((l) => l.text)).toEqual(['-2', '-1', '0', '1', '2']);
    // From the front (eye at −y), the near edge is y = yMin: labels sit just below its projection, left to right.
    for (const l of xs) {
      const x = Number(l.text);
      const [sx, sy] = cam.project(x, VIEW.yMin, Z[0], VIEW, Z, W, H);
      expect(l.y).toBeGreaterThan(sy);
      expect(Math.abs(l.x - sx)).toBeLessThan(8);
    }
    expect(xs.map((l) => l.x)).toEqual([...xs.map((l) => l.x)].sort((a, b) => a - b));
    expect(labels.filter((l) => l.axis === 'y' && !l.title).map((l) => l.text)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(labels.filter((l) => l.axis === 'z' && !l.title).length).toBeGreaterThanOrEqual(3);
    expect(labels.filter((l) => l.title).map((l) => l.text)).toEqual(['x', 'y', 'z']);
    // Floor (4) and far walls (2 top edges, 3 verticals).
    expect(edges.length).toBe(9);
    expect(grid.length).toBeGreaterThan(10);
    for (const line of [...edges, ...grid]) for (const v of line) expect(Number.isFinite(v)).toBe(true);
  });

  it('moves the labelled edges to the sides nearest the eye as the camera turns', () => {
    const back = axes3dLayout(new OrbitCamera({ azimuth: 180, elevation: 30 }), VIEW, Z, W, H);
    const cam = new OrbitCamera({ azimuth: 180, elevation: 30 });
    for (const l of back.labels.filter((l) => l.axis === 'x' && !l.title)) {
      const [, sy] = cam.project(Number(l.text), VIEW.yMax, Z[0], VIEW, Z, W, H);
      expect(l.y).toBeGreaterThan(sy);
    }
    // From behind, x runs right to left.
    const xs = back.labels.filter((l) => l.axis === 'x' && !l.title);
    expect(xs[0].x).toBeGreaterThan(xs[xs.length - 1].x);
  });

  it('has no z axis for a flat range, and draws through any 2D context', () => {
    const flat = axes3dLayout(new OrbitCamera(), VIEW, [1, 1], W, H);
    expect(flat.labels.some((l) => l.axis === 'z')).toBe(false);
    expect(flat.edges.length).toBe(4);
    const calls: string[] = [];
    const ctx = new Proxy(
      {},
      {
        get: (_t, key) => (typeof key === 'string' && /^[a-z]+[A-Z]?\w*$/.test(key) ? (...args: unknown[]) => calls.push(`${key}(${args.length})`) : undefined),
        set: () => true,
      },
    ) as unknown as CanvasRenderingContext2D;
    drawAxes3D(ctx, new OrbitCamera(), VIEW, Z, W, H, { titles: ['u', 'v', 'f'] });
    expect(calls.filter((c) => c.startsWith('fillText')).length).toBe(axes3dLayout(new OrbitCamera(), VIEW, Z, W, H).labels.length);
    expect(calls[0]).toBe('save(0)');
    expect(calls.at(-1)).toBe('restore(0)');
  });
});

describe('labelXInside', () => {
  it('keeps a label within the canvas: unchanged when it fits, shifted just inside when it would cross an edge', async () => {
    const { labelXInside } = await import('../../src/views/surface3d/axes3d.ts');
    // Fits: unchanged for every alignment.
    expect(labelXInside(50, 'left', 10, 100)).toBe(50);
    expect(labelXInside(50, 'right', 10, 100)).toBe(50);
    expect(labelXInside(50, 'center', 10, 100)).toBe(50);
    // Past the right edge (a tick label at the near corner of a narrow canvas): its right end at width − pad.
    expect(labelXInside(95, 'left', 10, 100)).toBe(88);
    expect(labelXInside(98, 'center', 10, 100)).toBe(93);
    // Past the left edge: its left end at pad.
    expect(labelXInside(5, 'right', 10, 100)).toBe(12);
    expect(labelXInside(1, 'left', 10, 100)).toBe(2);
    // Wider than the room: starts at pad.
    expect(labelXInside(0, 'center', 120, 100)).toBe(62);
  });
});
