import { describe, expect, it } from 'vitest';
import { type PackedRegions, arrangement2D, arrangement2DPacked, regionAt, unpackRegions } from '../../src/model/arrangement2d.ts';
import { type Network, randomNetwork } from '../../src/model/network.ts';
import {
  InvalidPixelFrameError,
  OUTLINE_RGB,
  cellContours,
  cellToPixels,
  cellsWithPattern,
  outlineAlpha,
  packRegions,
  paintCells,
  rasterizeCells,
  regionsMaxAbs,
} from '../../src/views/map2d/regionPaint.ts';
import { colourOf, contourLevels, patternColour } from '../../src/model/colormap.ts';

const VIEW = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };

/** The network's output at (x, y), straight from its parameters. */
function f(net: Network, x: number, y: number): number {
  let s = net.c;
  for (let i = 0; i < net.a.length; i++) s += net.a[i] * Math.max(0, net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i]);
  return s;
}

/** Distance from (x, y) to the nearest unit line (to skip pixel centres that sit on one). */
function lineDistance(net: Network, x: number, y: number): number {
  let d = Infinity;
  for (let i = 0; i < net.a.length; i++) {
    const w1 = net.w[2 * i];
    const w2 = net.w[2 * i + 1];
    const n = Math.hypot(w1, w2);
    if (n > 0) d = Math.min(d, Math.abs(w1 * x + w2 * y + net.b[i]) / n);
  }
  return d;
}

/** Pixel (i, j)'s centre in data coordinates. */
function centre(view: typeof VIEW, W: number, H: number, i: number, j: number): [number, number] {
  return [view.xMin + ((i + 0.5) * (view.xMax - view.xMin)) / W, view.yMax - ((j + 0.5) * (view.yMax - view.yMin)) / H];
}

/** x = 0 and y = 0.5 (two lines, four cells), with output weights so each cell has its own plane. */
const CROSS: Network = { dim: 2, w: [1, 0, 0, 2], b: [0, -1], a: [1.5, -0.75], c: 0.25 };

describe('packRegions', () => {
  it('packs Region2D objects into the layout arrangement2DPacked produces, and returns a packed set as is', () => {
    const net = randomNetwork(2, 12, 3);
    const packed = arrangement2DPacked(net, VIEW).regions!;
    const again = packRegions(arrangement2D(net, VIEW).polygons!);
    expect(again.count).toBe(packed.count);
    expect(Array.from(again.offsets)).toEqual(Array.from(packed.offsets));
    expect(Array.from(again.vertices)).toEqual(Array.from(packed.vertices));
    expect(Array.from(again.pattern)).toEqual(Array.from(packed.pattern));
    expect(Array.from(again.active)).toEqual(Array.from(packed.active));
    expect(Array.from(again.planes)).toEqual(Array.from(packed.planes));
    expect(packRegions(packed)).toBe(packed);
    expect(unpackRegions(again)).toEqual(unpackRegions(packed));
  });
});

describe('cellToPixels', () => {
  it('maps data to pixels: xMin at u = 0, xMax at u = width, yMax at v = 0 (rows top-down)', () => {
    const p: PackedRegions = packRegions([{ vertices: [-1, -1, 1, -1, 1, 1, -0.5, 0.5], pattern: 1, active: 0, plane: { gx: 0, gy: 0, c: 0 } }]);
    const out = new Float64Array(8);
    expect(cellToPixels(p, 0, { view: VIEW, width: 200, height: 100 }, out)).toBe(4);
    expect(Array.from(out)).toEqual([0, 100, 200, 100, 200, 0, 50, 25]);
    expect(() => cellToPixels(p, 0, { view: VIEW, width: 200, height: 100 }, new Float64Array(6))).toThrow(RangeError);
  });
});

describe('rasterizeCells', () => {
  it('gives each pixel the cell containing its centre (two lines, exact by hand)', () => {
    const p = arrangement2DPacked(CROSS, VIEW).regions!;
    expect(p.count).toBe(4);
    const W = 8;
    const H = 8;
    const labels = rasterizeCells(p, { view: VIEW, width: W, height: H });
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const [x, y] = centre(VIEW, W, H, i, j);
        expect(p.pattern[labels[j * W + i]]).toBe(regionAt(CROSS, x, y).pattern);
      }
    }
  });

  it('matches the network\u2019s activation pattern at every pixel centre for random lines at awkward sizes', () => {
    for (const [n, W, H, seed] of [
      [1, 1, 1, 1],
      [30, 63, 65, 2],
      [80, 97, 41, 5],
    ]) {
      const net = randomNetwork(2, n, seed);
      const view = { xMin: -1.3, xMax: 0.9, yMin: -0.7, yMax: 1.1 };
      const p = arrangement2DPacked(net, view).regions!;
      const labels = rasterizeCells(p, { view, width: W, height: H });
      let checked = 0;
      for (let j = 0; j < H; j++) {
        for (let i = 0; i < W; i++) {
          const l = labels[j * W + i];
          expect(l).toBeGreaterThanOrEqual(0);
          const [x, y] = centre(view, W, H, i, j);
          if (lineDistance(net, x, y) < 1e-9) continue;
          expect(p.pattern[l]).toBe(regionAt(net, x, y).pattern);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0.99 * W * H);
    }
  });

  it('fills pixels no cell covers from a neighbour, and reuses a large enough output', () => {
    // One cell over the left half only: the right half takes it from the left; a cell in the bottom half only
    // leaves the top rows to copy the first labelled row.
    const left = packRegions([{ vertices: [-1, -1, 0, -1, 0, 1, -1, 1], pattern: 7, active: 1, plane: { gx: 0, gy: 0, c: 0 } }]);
    const out = new Int32Array(100).fill(99);
    const labels = rasterizeCells(left, { view: VIEW, width: 6, height: 4 }, out);
    expect(labels).toBe(out);
    expect(Array.from(labels.subarray(0, 24))).toEqual(new Array(24).fill(0));
    const bottom = packRegions([
      { vertices: [-1, -1, 1, -1, 1, 0, -1, 0], pattern: 1, active: 0, plane: { gx: 0, gy: 0, c: 0 } },
      { vertices: [0, -1, 1, -1, 1, -0.5], pattern: 2, active: 0, plane: { gx: 0, gy: 0, c: 0 } },
    ]);
    const b = rasterizeCells(bottom, { view: VIEW, width: 4, height: 4 });
    // Rows 0–1 (the top half) copy row 2.
    expect(Array.from(b.subarray(0, 4))).toEqual(Array.from(b.subarray(8, 12)));
    expect(Array.from(b.subarray(4, 8))).toEqual(Array.from(b.subarray(8, 12)));
    expect(Array.from(rasterizeCells(packRegions([]), { view: VIEW, width: 3, height: 2 }))).toEqual(new Array(6).fill(-1));
  });

  it('rejects a frame without a whole positive size or a proper view', () => {
    const p = packRegions([]);
    expect(() => rasterizeCells(p, { view: VIEW, width: 0, height: 4 })).toThrow(InvalidPixelFrameError);
    expect(() => rasterizeCells(p, { view: VIEW, width: 2.5, height: 4 })).toThrow(InvalidPixelFrameError);
    expect(() => rasterizeCells(p, { view: { ...VIEW, xMax: -1 }, width: 2, height: 4 })).toThrow(InvalidPixelFrameError);
  });
});

describe('regionsMaxAbs', () => {
  it('is max |f| over the view (at a cell vertex), never below any sample', () => {
    const net = randomNetwork(2, 40, 9);
    const p = arrangement2DPacked(net, VIEW).regions!;
    const m = regionsMaxAbs(p);
    let sampled = 0;
    for (let k = 0; k <= 50; k++) for (let q = 0; q <= 50; q++) sampled = Math.max(sampled, Math.abs(f(net, -1 + k / 25, -1 + q / 25)));
    expect(m).toBeGreaterThanOrEqual(sampled * (1 - 1e-12));
    let corners = 0;
    for (const [x, y] of [
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ]) corners = Math.max(corners, Math.abs(f(net, x, y)));
    expect(m).toBeGreaterThanOrEqual(corners * (1 - 1e-12));
    expect(regionsMaxAbs(packRegions([]))).toBe(0);
  });
});

describe('paintCells', () => {
  it('values mode: each pixel is the colour of f at its centre (the cell\u2019s plane, exact), opaque', () => {
    const net = randomNetwork(2, 25, 4);
    const W = 37;
    const H = 29;
    const p = arrangement2DPacked(net, VIEW).regions!;
    const frame = { view: VIEW, width: W, height: H };
    const labels = rasterizeCells(p, frame);
    const out = new Uint8ClampedArray(4 * W * H);
    const scale = regionsMaxAbs(p);
    paintCells(p, labels, frame, { mode: 'values', scale, outline: 0 }, out);
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const [x, y] = centre(VIEW, W, H, i, j);
        const want = colourOf(f(net, x, y), scale).map((c) => 255 * c);
        const o = 4 * (j * W + i);
        for (let c = 0; c < 3; c++) expect(Math.abs(out[o + c] - want[c])).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(out[o + 3]).toBe(255);
      }
    }
  });

  it('regions mode: pattern colours, and outlines darken only pixels next to another cell', () => {
    const p = arrangement2DPacked(CROSS, VIEW).regions!;
    const W = 8;
    const H = 8;
    const frame = { view: VIEW, width: W, height: H };
    const labels = rasterizeCells(p, frame);
    const plain = new Uint8ClampedArray(4 * W * H);
    paintCells(p, labels, frame, { mode: 'regions', outline: 0 }, plain);
    const lined = new Uint8ClampedArray(4 * W * H);
    paintCells(p, labels, frame, { mode: 'regions', outline: 0.5 }, lined);
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const o = 4 * (j * W + i);
        const c = patternColour(p.pattern[labels[j * W + i]]).map((v) => Math.round(255 * v));
        expect([plain[o], plain[o + 1], plain[o + 2]]).toEqual(c);
        // x = 0 falls between columns 3 and 4, y = 0.5 between rows 1 and 2.
        const edge = i === 3 || j === 1;
        for (let k = 0; k < 3; k++) {
          const want = edge ? c[k] * 0.5 + OUTLINE_RGB[k] * 0.5 : c[k];
          expect(Math.abs(lined[o + k] - want)).toBeLessThanOrEqual(0.5 + 1e-9);
        }
      }
    }
    // An output that does not start on a 4-byte boundary gets the same bytes.
    const unaligned = new Uint8ClampedArray(new ArrayBuffer(4 * W * H + 4), 1, 4 * W * H);
    paintCells(p, labels, frame, { mode: 'regions', outline: 0.5 }, unaligned);
    expect(Array.from(unaligned)).toEqual(Array.from(lined));
    expect(() => paintCells(p, labels, frame, { mode: 'regions' }, new Uint8ClampedArray(10))).toThrow(RangeError);
  });

  it('fades outlines as cells shrink below 8 pixels on a side', () => {
    expect(outlineAlpha(4, 100, 100)).toBe(0.55);
    expect(outlineAlpha(270_000, 1000, 1000)).toBeLessThan(0.2);
    expect(outlineAlpha(270_000, 1000, 1000)).toBeGreaterThanOrEqual(0.12);
  });
});

describe('cellContours', () => {
  it('puts every segment\u2019s ends on one of the levels (pixel coordinates mapped back to data)', () => {
    const net = randomNetwork(2, 20, 6);
    const W = 300;
    const H = 200;
    const p = arrangement2DPacked(net, VIEW).regions!;
    const levels = contourLevels(regionsMaxAbs(p));
    expect(levels.length).toBeGreaterThan(4);
    const s = cellContours(p, levels, { view: VIEW, width: W, height: H });
    expect(s.length).toBeGreaterThan(0);
    expect(s.length % 4).toBe(0);
    const scale = Math.max(1, regionsMaxAbs(p));
    for (let k = 0; k < s.length; k += 2) {
      const x = -1 + (2 * s[k]) / W;
      const y = 1 - (2 * s[k + 1]) / H;
      const v = f(net, x, y);
      expect(Math.min(...levels.map((L) => Math.abs(v - L)))).toBeLessThan(1e-9 * scale);
    }
  });

  it('draws the level lines of one plane f = x as vertical segments at their columns', () => {
    const p = packRegions([{ vertices: [-1, -1, 1, -1, 1, 1, -1, 1], pattern: 1, active: 1, plane: { gx: 1, gy: 0, c: 0 } }]);
    const s = cellContours(p, [-0.5, 0, 0.5], { view: VIEW, width: 40, height: 20 });
    expect(s.length).toBe(12);
    const us = [];
    for (let k = 0; k < s.length; k += 4) {
      expect(s[k]).toBeCloseTo(s[k + 2], 12);
      expect([Math.min(s[k + 1], s[k + 3]), Math.max(s[k + 1], s[k + 3])]).toEqual([0, 20]);
      us.push(s[k]);
    }
    expect(us).toEqual([10, 20, 30]);
    // A flat cell has no contours; no levels, none either.
    const flat = packRegions([{ vertices: [-1, -1, 1, -1, 1, 1], pattern: 1, active: 0, plane: { gx: 0, gy: 0, c: 0 } }]);
    expect(cellContours(flat, [0], { view: VIEW, width: 4, height: 4 }).length).toBe(0);
    expect(cellContours(p, [], { view: VIEW, width: 4, height: 4 }).length).toBe(0);
  });
});

describe('cellsWithPattern', () => {
  it('lists the cells of one activation pattern', () => {
    const p = arrangement2DPacked(CROSS, VIEW).regions!;
    const id = regionAt(CROSS, 0.5, 0.9).pattern;
    const cells = cellsWithPattern(p, id);
    expect(cells.length).toBe(1);
    expect(p.pattern[cells[0]]).toBe(id);
    expect(cellsWithPattern(p, 12345)).toEqual([]);
  });
});
