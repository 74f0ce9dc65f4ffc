import { describe, expect, it } from 'vitest';
import {
  InvalidViewError,
  MAX_EXACT_UNITS,
  arrangement2D,
  arrangement2DPacked,
  arrangementJson,
  countRegions,
  regionAt,
  type Region2D,
} from '../../src/model/arrangement2d.ts';
import type { Rect } from '../../src/model/lines2d.ts';
import { InvalidNetworkError, type Network, randomNetwork, seededRandom } from '../../src/model/network.ts';
import { unitHash } from '../../src/model/regions.ts';

const SQUARE: Rect = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
const ODD: Rect = { xMin: -0.7, xMax: 1.3, yMin: -1.1, yMax: 0.6 };

function net2(w: number[], b: number[], a?: number[], c = 0.25): Network {
  return { dim: 2, w, b, a: a ?? b.map((_, i) => 0.5 + 0.1 * i), c };
}

/** A network whose unit lines all pass through (px, py): b = −w·p, rounded as any construction would. */
function star(px: number, py: number, ws: number[][]): Network {
  return net2(
    ws.flat(),
    ws.map(([w1, w2]) => -(w1 * px + w2 * py)),
  );
}

function area(v: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < v.length; i += 2) {
    const j = (i + 2) % v.length;
    s += v[i] * v[j + 1] - v[j] * v[i + 1];
  }
  return s / 2;
}

function centroid(v: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = 0; i < v.length; i += 2) {
    x += v[i];
    y += v[i + 1];
  }
  return [(2 * x) / v.length, (2 * y) / v.length];
}

/** Strictly inside a counter-clockwise convex polygon, by a margin. */
function inside(v: readonly number[], x: number, y: number, margin: number): boolean {
  for (let i = 0; i < v.length; i += 2) {
    const j = (i + 2) % v.length;
    const ex = v[j] - v[i];
    const ey = v[j + 1] - v[i + 1];
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    if ((ex * (y - v[i + 1]) - ey * (x - v[i])) / len <= margin) return false;
  }
  return true;
}

function value(net: Network, x: number, y: number): number {
  let f = net.c;
  for (let i = 0; i < net.a.length; i++) f += net.a[i] * Math.max(0, net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i]);
  return f;
}

/** Distance from (x, y) to the nearest unit line. */
function creaseDistance(net: Network, x: number, y: number): number {
  let d = Infinity;
  for (let i = 0; i < net.a.length; i++) {
    const n = Math.hypot(net.w[2 * i], net.w[2 * i + 1]);
    if (n > 0) d = Math.min(d, Math.abs(net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i]) / n);
  }
  return d;
}

/**
 * The independent O(N²) count: distinct lines crossing the open rectangle (by their normalised equations), every
 * pair's intersection computed and kept when strictly inside, points grouped by position, each point with P
 * pairs having k = (1 + √(1 + 8P))/2 lines.
 */
function bruteCount(net: Network, r: Rect): number {
  const lines: Array<[number, number, number]> = [];
  for (let i = 0; i < net.a.length; i++) {
    let w1 = net.w[2 * i];
    let w2 = net.w[2 * i + 1];
    let b = net.b[i];
    const n = Math.hypot(w1, w2);
    if (n === 0) continue;
    [w1, w2, b] = [w1 / n, w2 / n, b / n];
    if (w1 < 0 || (w1 === 0 && w2 < 0)) [w1, w2, b] = [-w1, -w2, -b];
    const corners = [
      [r.xMin, r.yMin],
      [r.xMax, r.yMin],
      [r.xMax, r.yMax],
      [r.xMin, r.yMax],
    ].map(([x, y]) => w1 * x + w2 * y + b);
    if (!(Math.min(...corners) < -1e-12 && Math.max(...corners) > 1e-12)) continue;
    if (lines.some(([p, q, c]) => Math.abs(p - w1) < 1e-12 && Math.abs(q - w2) < 1e-12 && Math.abs(c - b) < 1e-12)) continue;
    lines.push([w1, w2, b]);
  }
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const [a1, b1, c1] = lines[i];
      const [a2, b2, c2] = lines[j];
      const det = a1 * b2 - a2 * b1;
      if (Math.abs(det) < 1e-13) continue;
      const x = (-c1 * b2 + c2 * b1) / det;
      const y = (-a1 * c2 + a2 * c1) / det;
      if (x > r.xMin + 1e-12 && x < r.xMax - 1e-12 && y > r.yMin + 1e-12 && y < r.yMax - 1e-12) pts.push([x, y]);
    }
  }
  pts.sort((p, q) => p[0] - q[0]);
  const used = new Uint8Array(pts.length);
  let sum = 0;
  for (let i = 0; i < pts.length; i++) {
    if (used[i]) continue;
    let pairs = 0;
    for (let j = i; j < pts.length && pts[j][0] - pts[i][0] < 1e-9; j++) {
      if (!used[j] && Math.abs(pts[j][1] - pts[i][1]) < 1e-9) {
        used[j] = 1;
        pairs++;
      }
    }
    sum += (1 + Math.sqrt(1 + 8 * pairs)) / 2 - 1;
  }
  return 1 + lines.length + Math.round(sum);
}

/** Checks a result's polygons: tiling, orientation, pattern/active/plane against direct evaluation, and count. */
function checkPolygons(net: Network, r: Rect, polys: Region2D[], exact: number): void {
  expect(polys.length).toBe(exact);
  const rectArea = (r.xMax - r.xMin) * (r.yMax - r.yMin);
  let total = 0;
  for (const p of polys) {
    const a = area(p.vertices);
    expect(a).toBeGreaterThan(0);
    total += a;
    for (let i = 0; i < p.vertices.length; i += 2) {
      expect(p.vertices[i]).toBeGreaterThanOrEqual(r.xMin);
      expect(p.vertices[i]).toBeLessThanOrEqual(r.xMax);
      expect(p.vertices[i + 1]).toBeGreaterThanOrEqual(r.yMin);
      expect(p.vertices[i + 1]).toBeLessThanOrEqual(r.yMax);
    }
    const [x, y] = centroid(p.vertices);
    const at = regionAt(net, x, y);
    expect(p.pattern).toBe(at.pattern);
    expect(p.active).toBe(at.active);
    const f = value(net, x, y);
    expect(Math.abs(p.plane.gx * x + p.plane.gy * y + p.plane.c - f)).toBeLessThan(1e-9 * (1 + Math.abs(f)));
    expect(p.plane.gx).toBeCloseTo(at.plane.gx, 9);
    expect(p.plane.gy).toBeCloseTo(at.plane.gy, 9);
  }
  expect(Math.abs(total - rectArea)).toBeLessThan(1e-9 * rectArea);
}

/** Dense sampling: every sample off the creases lies in exactly one polygon, whose pattern is the sample's. */
function checkSampling(net: Network, r: Rect, polys: Region2D[], side: number): { sampled: number; hit: number } {
  const rnd = seededRandom(99);
  const patterns = new Set<number>();
  const hitPolys = new Set<number>();
  const step = Math.min(r.xMax - r.xMin, r.yMax - r.yMin) / side;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      // Jittered so no sample sits exactly on a line through "nice" coordinates.
      const x = r.xMin + (r.xMax - r.xMin) * ((i + 0.2 + 0.6 * rnd()) / side);
      const y = r.yMin + (r.yMax - r.yMin) * ((j + 0.2 + 0.6 * rnd()) / side);
      const at = regionAt(net, x, y);
      patterns.add(at.pattern);
      if (creaseDistance(net, x, y) < 1e-3 * step) continue;
      let holder = -1;
      let holders = 0;
      for (let k = 0; k < polys.length; k++) {
        if (inside(polys[k].vertices, x, y, -1e-12)) {
          holder = k;
          holders++;
        }
      }
      expect(holders).toBe(1);
      expect(polys[holder].pattern).toBe(at.pattern);
      hitPolys.add(holder);
    }
  }
  expect(patterns.size).toBeLessThanOrEqual(polys.length);
  return { sampled: patterns.size, hit: hitPolys.size };
}

describe('arrangement2D on random small arrangements', () => {
  it('matches the brute-force count, tiles the view, and agrees with dense sampling', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const n = 1 + (seed % 9);
      const net = randomNetwork(2, n, seed);
      for (const r of [SQUARE, ODD]) {
        const res = arrangement2D(net, r);
        expect(res.exact).toBe(bruteCount(net, r));
        expect(countRegions(net, r)).toBe(res.exact);
        expect(res.concurrencyChecked).toBe(true);
        checkPolygons(net, r, res.polygons!, res.exact);
        const s = checkSampling(net, r, res.polygons!, 80);
        // Polygons hit by a sample are exactly the sampled patterns (pattern ids are distinct for so few units).
        expect(s.hit).toBe(s.sampled);
      }
    }
  }, 60_000);

  it('finds every cell by sampling when the cells are large', () => {
    // Six lines with crossings well apart: each cell holds many samples of a 200 × 200 grid.
    const net = net2([1, 0, 0, 1, 1, 1, 1, -1, 1, 0.3, -0.2, 1], [0.1, -0.2, 0.5, -0.35, -0.6, 0.3]);
    const res = arrangement2D(net, SQUARE);
    expect(res.exact).toBe(bruteCount(net, SQUARE));
    const s = checkSampling(net, SQUARE, res.polygons!, 200);
    expect(s.sampled).toBe(res.exact);
  }, 30_000);
});

describe('arrangement2D degenerate cases', () => {
  const cases: Array<[string, Network, number]> = [
    ['no units', net2([], []), 1],
    ['one vertical line', net2([1, 0], [0.2]), 2],
    ['parallel lines', net2([1, 0, 2, 0, -1, 0], [0, -1, -0.5]), 4],
    ['duplicates: scaled and negated copies', net2([1, 0, -2, 0, 0.3, 0, 1, 1], [0.1, -0.2, 0.03, 0]), 4],
    ['a diagonal through two corners', net2([1, -1], [0]), 2],
    ['a line touching a corner only', net2([1, 1], [-2]), 1],
    ['a line along the border', net2([1, 0, 0, 1, 0, 1], [-1, 1, 0]), 2],
    ['three lines through the centre', net2([1, 0, 0, 1, 1, 1], [0, 0, 0]), 6],
    ['five lines through an awkward point', star(0.3, -0.7, [[1, 0], [0, 1], [1, 1], [1, -1], [0.7, 0.2]]), 10],
    ['three lines meeting on the border', star(0.2, -1, [[1, 1], [1, -1], [1, 0]]), 4],
    ['two lines through a corner and a crossing line', net2([1, -1, 1, -2, 0, 1], [0, -1, 0.5]), 1 + 3 + 2],
    ['units with w = (0, 0) only', net2([0, 0, 0, 0], [1, -1]), 1],
  ];
  for (const [name, net, want] of cases) {
    it(`${name}: ${want} cells`, () => {
      const res = arrangement2D(net, SQUARE);
      expect(res.exact).toBe(want);
      expect(countRegions(net, SQUARE)).toBe(want);
      checkPolygons(net, SQUARE, res.polygons!, want);
      checkSampling(net, SQUARE, res.polygons!, 60);
    });
  }

  it('counts concurrency exactly in a small view far from the origin', () => {
    const r: Rect = { xMin: 1000, xMax: 1000.001, yMin: -2000.0005, yMax: -1999.9995 };
    const net = star(1000.0003, -2000.0001, [[1, 0], [0, 1], [1, 1], [3, -1], [0.7, 0.2], [-1, 5]]);
    expect(countRegions(net, r)).toBe(1 + 6 + 5);
    const res = arrangement2D(net, r);
    expect(res.exact).toBe(12);
    expect(res.polygons!.length).toBe(12);
  });

  it('gives units with w = (0, 0) their constant state in every cell', () => {
    const net = net2([1, 0, 0, 0, 0, 0], [0, 2, -3], [1, 0.5, 7], 0.25);
    const res = arrangement2D(net, SQUARE);
    expect(res.exact).toBe(2);
    const right = res.polygons!.find((p) => centroid(p.vertices)[0] > 0)!;
    const left = res.polygons!.find((p) => centroid(p.vertices)[0] < 0)!;
    expect(right.pattern).toBe((unitHash(0) ^ unitHash(1)) >>> 0);
    expect(left.pattern).toBe(unitHash(1));
    expect(right.active).toBe(2);
    expect(left.active).toBe(1);
    expect(left.plane).toEqual({ gx: 0, gy: 0, c: 0.25 + 1 });
    expect(right.plane).toEqual({ gx: 1, gy: 0, c: 0.25 + 1 });
  });

  it('returns the whole view as the one cell of N = 0, counter-clockwise from a corner', () => {
    const res = arrangement2D(net2([], []), ODD);
    expect(res).toMatchObject({ exact: 1, lines: 0, crossings: 0 });
    expect(area(res.polygons![0].vertices)).toBeCloseTo(2 * 1.7, 12);
    expect(res.polygons![0].pattern).toBe(0);
  });
});

describe('countRegions at larger N', () => {
  it('agrees with the O(N²) count on random N = 300, with and without the concurrency check', () => {
    for (const seed of [3, 4]) {
      const net = randomNetwork(2, 300, seed);
      for (const r of [SQUARE, ODD]) {
        const want = bruteCount(net, r);
        expect(countRegions(net, r)).toBe(want);
        expect(countRegions(net, r, { maxCheckedCrossings: 0 })).toBe(want);
        const res = arrangement2D(net, r);
        expect(res.exact).toBe(want);
        expect(res.polygons!.length).toBe(want);
      }
    }
  }, 30_000);

  it('counts concurrent points when it checks, and says when it assumed general position', () => {
    // 120 lines through one point, 100 through another, 80 random ones.
    const rnd = seededRandom(5);
    const dir = () => {
      const t = Math.PI * rnd();
      return [Math.cos(t), Math.sin(t)];
    };
    const a = star(0.1, 0.2, Array.from({ length: 120 }, dir));
    const b = star(-0.4, -0.3, Array.from({ length: 100 }, dir));
    const c = randomNetwork(2, 80, 6);
    const net = net2([...a.w, ...b.w, ...c.w], [...a.b, ...b.b, ...c.b]);
    const want = bruteCount(net, SQUARE);
    expect(countRegions(net, SQUARE)).toBe(want);
    const general = arrangement2D(net, SQUARE, { polygons: false, maxCheckedCrossings: 10 });
    expect(general.concurrencyChecked).toBe(false);
    // Each k-fold point counts k(k − 1)/2 instead of k − 1 when general position is assumed.
    expect(general.exact).toBe(want + (119 * 118) / 2 + (99 * 98) / 2);
    const full = arrangement2D(net, SQUARE);
    expect(full.exact).toBe(want);
    expect(full.polygons!.length).toBe(want);
  });

  it('counts 65,536 random units without polygons', () => {
    const net = randomNetwork(2, 65_536, 11);
    const res = arrangement2D(net, SQUARE);
    expect(res.polygons).toBeUndefined();
    expect(res.lines).toBe(65_536);
    expect(res.concurrencyChecked).toBe(false);
    expect(res.exact).toBe(1 + res.lines + res.crossings);
    expect(arrangement2DPacked(net2([1, 0], [0]), SQUARE, { polygons: false }).regions).toBeUndefined();
  }, 30_000);

  it('gives polygons up to MAX_EXACT_UNITS units only', () => {
    const over = randomNetwork(2, MAX_EXACT_UNITS + 1, 2, [5, 6]); // lines outside the view: cheap
    expect(arrangement2D(over, SQUARE).polygons).toBeUndefined();
  });
});

describe('regionAt and arrangementJson', () => {
  it('regionAt gives the active units, pattern and plane by the w·p + b > 0 rule', () => {
    const net = net2([1, 0, 0, 1, 1, 1], [0, 0, 0], [2, 3, 5], 1);
    const at = regionAt(net, 0.5, -0.25);
    expect(at.activeUnits).toEqual([0, 2]);
    expect(at.pattern).toBe((unitHash(0) ^ unitHash(2)) >>> 0);
    expect(at.plane).toEqual({ gx: 7, gy: 5, c: 1 });
    // On a line the unit is off, as on the GPU.
    expect(regionAt(net, 0, 0.5).activeUnits).toEqual([1, 2]);
  });

  it('exports plain JSON with each region and its active units', () => {
    const net = randomNetwork(2, 6, 8);
    const res = arrangement2D(net, SQUARE);
    const json = arrangementJson(res, net);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.regions!.length).toBe(res.exact);
    for (const r of json.regions!) {
      const [x, y] = centroid(r.vertices);
      expect(r.activeUnits).toEqual(regionAt(net, x, y).activeUnits);
      expect(r.activeUnits!.length).toBe(r.active);
    }
    const lean = arrangementJson(res, net, { maxActiveEntries: 0 });
    expect(lean.regions![0].activeUnits).toBeUndefined();
    expect(lean.activeUnitsOmitted).toMatch(/more than 0/);
    expect(arrangementJson(arrangement2D(net, SQUARE, { polygons: false }), net).regions).toBeUndefined();
  });
});

describe('bad input', () => {
  it('throws typed errors', () => {
    expect(() => countRegions(net2([1, 0], [0]), { xMin: 1, xMax: 1, yMin: 0, yMax: 1 })).toThrow(InvalidViewError);
    expect(() => countRegions(net2([1, 0], [0]), { xMin: 0, xMax: NaN, yMin: 0, yMax: 1 })).toThrow(InvalidViewError);
    expect(() => arrangement2D({ dim: 1, w: [1], b: [0], a: [1], c: 0 }, SQUARE)).toThrow(InvalidNetworkError);
    expect(() => arrangement2D(net2([1], [0]), SQUARE)).toThrow(InvalidNetworkError);
  });
});
