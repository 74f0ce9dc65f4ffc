import { describe, expect, it } from 'vitest';
import { CreaseGeometry, MAX_DRAWN_CREASES, TURN_HANDLE_AT, dragLine, type CreaseLine } from '../../src/views/map2d/creases.ts';

// View [−1, 1]² on a 200 × 200 px rect at (50, 10): x = 0 is px 150, y = 0 is py 110, 100 px per unit.
const VIEW = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
const RECT = { left: 50, top: 10, width: 200, height: 200 };
/** x = 0 (vertical), y = 0.5 (horizontal), x + y = 0 (diagonal), and one that misses the view (x = 3). */
const LINES: CreaseLine[] = [
  { w1: 1, w2: 0, b: 0 },
  { w1: 0, w2: 2, b: -1 },
  { w1: 1, w2: 1, b: 0 },
  { w1: 1, w2: 0, b: -3 },
];

function value(l: CreaseLine, x: number, y: number): number {
  return l.w1 * x + l.w2 * y + l.b;
}

describe('CreaseGeometry', () => {
  it('places each visible line, clipped exactly, in CSS pixels', () => {
    const g = new CreaseGeometry(LINES, VIEW, RECT);
    expect(g.visible).toBe(3);
    expect(Array.from(g.units)).toEqual([0, 1, 2]);
    const seg = (k: number) => Array.from(g.segments.subarray(4 * k, 4 * k + 4)).map((v) => Math.round(v * 1e9) / 1e9);
    // x = 0 runs from the bottom edge to the top (or back) at px 150.
    expect([seg(0)[0], seg(0)[2]]).toEqual([150, 150]);
    expect([Math.min(seg(0)[1], seg(0)[3]), Math.max(seg(0)[1], seg(0)[3])]).toEqual([10, 210]);
    // y = 0.5 at py 60, across the whole width.
    expect([seg(1)[1], seg(1)[3]]).toEqual([60, 60]);
    expect([Math.min(seg(1)[0], seg(1)[2]), Math.max(seg(1)[0], seg(1)[2])]).toEqual([50, 250]);
  });

  it('hit-tests the nearest crease within the tolerance, −1 elsewhere', () => {
    const g = new CreaseGeometry(LINES, VIEW, RECT);
    expect(g.hitCrease(153, 180)).toBe(0); // 3 px right of x = 0, far from the others
    expect(g.hitCrease(80, 62)).toBe(1); // 2 px below y = 0.5
    // The diagonal x + y = 0 passes (0.5, −0.5) = px (200, 160).
    expect(g.hitCrease(202, 161)).toBe(2);
    expect(g.hitCrease(100, 180)).toBe(-1);
    expect(g.hitCrease(100, 180, 60)).toBe(0); // 50 px from x = 0, 85 px from the diagonal
    // Where two meet (the origin, px (150, 110)) the lower unit index wins a tie; the missing line never hits.
    expect(g.hitCrease(150, 110)).toBe(0);
    expect(g.hitCrease(250 + 300, 110)).toBe(-1);
  });

  it('puts the selected line\u2019s move handle at its midpoint and the turn handle toward its end', () => {
    const g = new CreaseGeometry(LINES, VIEW, RECT, 1);
    expect(g.midpoint()).toEqual([0, 0.5]);
    const h = g.handles()!;
    expect(h.move.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([150, 60]);
    expect(Math.abs(h.turn[0] - 150)).toBeCloseTo(100 * TURN_HANDLE_AT, 9);
    expect(g.handleAt(152, 61)).toBe('move');
    expect(g.handleAt(h.turn[0] + 2, h.turn[1] - 3)).toBe('turn');
    expect(g.handleAt(100, 150)).toBeNull();
    // Nothing selected, or the selection misses the view: no handles.
    expect(new CreaseGeometry(LINES, VIEW, RECT).handleAt(150, 60)).toBeNull();
    expect(new CreaseGeometry(LINES, VIEW, RECT, 3).handles()).toBeNull();
  });

  it('builds in steps what the constructor builds at once', async () => {
    const { creaseGeometrySteps } = await import('../../src/views/map2d/creases.ts');
    const { randomNetwork } = await import('../../src/model/network.ts');
    const net = randomNetwork(2, 1000, 5);
    const whole = new CreaseGeometry(net, VIEW, RECT, 17, 300);
    const steps = creaseGeometrySteps(net, VIEW, RECT, 17, 300, 64);
    let yields = 0;
    let r = steps.next();
    while (!r.done) {
      yields++;
      r = steps.next();
    }
    expect(yields).toBe(Math.ceil(1000 / 64) - 1);
    const g = r.value;
    expect(g).toBeInstanceOf(CreaseGeometry);
    expect(Array.from(g.segments)).toEqual(Array.from(whole.segments));
    expect(Array.from(g.units)).toEqual(Array.from(whole.units));
    expect(Array.from(g.drawn)).toEqual(Array.from(whole.drawn));
    expect(g.selectedSegment).toEqual(whole.selectedSegment);
    expect(g.handles()).toEqual(whole.handles());
  });

  it('moves to a plot area of the same size elsewhere by shifting, not clipping again', () => {
    const g = new CreaseGeometry(LINES, VIEW, RECT, 1);
    const moved = g.movedTo({ ...RECT, left: 80, top: -5 });
    const fresh = new CreaseGeometry(LINES, VIEW, { ...RECT, left: 80, top: -5 }, 1);
    expect(Array.from(moved.segments)).toEqual(Array.from(fresh.segments));
    expect(moved.units).toBe(g.units);
    expect(moved.drawn).toBe(g.drawn);
    expect(moved.selectedSegment).toEqual(fresh.selectedSegment);
    expect(moved.handles()).toEqual(fresh.handles());
    expect(moved.hitCrease(183, 100)).toBe(fresh.hitCrease(183, 100));
    expect(moved).toBeInstanceOf(CreaseGeometry);
    expect(() => g.movedTo({ ...RECT, width: 201 })).toThrow(RangeError);
  });

  it('strokes at most the cap, a stride over the units, while every unit stays hit-testable', () => {
    const many: CreaseLine[] = Array.from({ length: 3 * MAX_DRAWN_CREASES + 5 }, (_, i) => ({ w1: 1, w2: 0, b: -(-0.99 + (1.98 * i) / (3 * MAX_DRAWN_CREASES + 5)) }));
    const g = new CreaseGeometry(many, VIEW, RECT);
    expect(g.visible).toBe(many.length);
    expect(g.drawn.length).toBeLessThanOrEqual(MAX_DRAWN_CREASES);
    expect(g.drawn.length).toBeGreaterThan(MAX_DRAWN_CREASES / 2);
    const last = many.length - 1;
    const x = 0.99 - 1.98 / many.length;
    expect(g.hitCrease(150 + 100 * x, 100, 0.01)).toBe(last);
  });
});

describe('dragLine', () => {
  it('move: translates the line keeping its normal, so a line grabbed on itself passes through the pointer', () => {
    const unit = { w1: 2, w2: -1, b: 0.5 };
    const from: [number, number] = [0, 0.5]; // on the line
    const to: [number, number] = [0.7, -0.3];
    const moved = dragLine(unit, 'move', from, to);
    expect(moved.w1).toBe(2);
    expect(moved.w2).toBe(-1);
    expect(value(moved, ...to)).toBeCloseTo(0, 12);
    // A grab off the line keeps its offset: no jump.
    const off: [number, number] = [0.1, 0.5];
    expect(value(dragLine(unit, 'move', off, to), ...to)).toBeCloseTo(value(unit, ...off), 12);
    expect(dragLine(unit, 'move', from, from)).toEqual(unit);
  });

  it('turn: rotates about the pivot keeping |w|, the line through the pivot and toward the pointer', () => {
    const unit = { w1: 0, w2: 3, b: -1.5 }; // y = 0.5, |w| = 3
    const pivot: [number, number] = [0, 0.5];
    const from: [number, number] = [0.8, 0.5];
    const to: [number, number] = [0.3, 1.2];
    const turned = dragLine(unit, 'turn', from, to, pivot);
    expect(Math.hypot(turned.w1, turned.w2)).toBeCloseTo(3, 12);
    expect(value(turned, ...pivot)).toBeCloseTo(0, 12);
    expect(value(turned, ...to)).toBeCloseTo(0, 12);
    // A quarter turn of y = 0.5 about (0, 0.5) dragged from the right to the top gives x = 0; the active side turns too.
    const quarter = dragLine(unit, 'turn', [1, 0.5], [0, 1.5], pivot);
    expect(quarter.w1).toBeCloseTo(-3, 12);
    expect(quarter.w2).toBeCloseTo(0, 12);
    expect(quarter.b).toBeCloseTo(0, 12);
  });

  it('turn without a pivot rotates about the line\u2019s point nearest the origin; degenerate drags change nothing', () => {
    const unit = { w1: 1, w2: 1, b: -1 }; // nearest point (0.5, 0.5)
    const turned = dragLine(unit, 'turn', [1, 0], [0.5 + Math.SQRT1_2, 0.5 + Math.SQRT1_2]);
    expect(value(turned, 0.5, 0.5)).toBeCloseTo(0, 12);
    expect(Math.hypot(turned.w1, turned.w2)).toBeCloseTo(Math.SQRT2, 12);
    expect(dragLine({ w1: 0, w2: 0, b: 1 }, 'move', [0, 0], [1, 1])).toEqual({ w1: 0, w2: 0, b: 1 });
    expect(dragLine(unit, 'turn', [0.5, 0.5], [1, 1])).toEqual(unit);
  });
});

describe('highlightMask', () => {
  it('lightens the region\u2019s samples, outlines those next to another region, clears the rest (rows top-down)', async () => {
    const { highlightMask } = await import('../../src/views/map2d/heatmap2d.ts');
    const { HIGHLIGHT_LIGHTEN, HIGHLIGHT_OUTLINE } = await import('../../src/model/colormap.ts');
    // 4 × 3, region 7 is the left 3 columns of the bottom two rows.
    const nx = 4;
    const ny = 3;
    const pattern = [7, 7, 7, 1, 7, 7, 7, 1, 2, 2, 2, 2];
    const out = new Uint8ClampedArray(4 * nx * ny).fill(9);
    highlightMask(pattern, nx, ny, 7, out);
    const at = (i: number, j: number) => Array.from(out.subarray(4 * ((ny - 1 - j) * nx + i), 4 * ((ny - 1 - j) * nx + i) + 4));
    const outline = [...HIGHLIGHT_OUTLINE.map((v) => Math.round(255 * v)), 255];
    // Bottom row, left sample: its neighbours are the region or the map's edge, so it is inside.
    expect(at(0, 0)).toEqual([255, 255, 255, Math.round(255 * HIGHLIGHT_LIGHTEN)]);
    expect(at(2, 0)).toEqual(outline); // next to region 1
    expect(at(1, 1)).toEqual(outline); // below region 2
    expect(at(3, 0)).toEqual([0, 0, 0, 0]);
    expect(at(0, 2)).toEqual([0, 0, 0, 0]);
    expect(() => highlightMask(pattern, nx, ny, 7, new Uint8ClampedArray(8))).toThrow(RangeError);
  });
});

describe('subsamplePattern', () => {
  it('keeps the sample nearest to where each kept one lands (corners kept), the grid itself when not reduced', async () => {
    const { subsamplePattern } = await import('../../src/views/map2d/heatmap2d.ts');
    // 7 × 5 grid, id = 10·row + column.
    const nx = 7;
    const ny = 5;
    const pattern = Array.from({ length: nx * ny }, (_, k) => 10 * Math.floor(k / nx) + (k % nx));
    const out = subsamplePattern(pattern, nx, ny, 4, 3, new Uint32Array(12));
    // Columns 0, 2, 4, 6 (c·6/3) and rows 0, 2, 4 (r·4/2).
    expect(Array.from(out)).toEqual([0, 2, 4, 6, 20, 22, 24, 26, 40, 42, 44, 46]);
    // 6 columns of 7: round(c·6/5) = 0, 1, 2, 4, 5, 6.
    expect(Array.from(subsamplePattern(pattern, nx, ny, 6, ny, new Uint32Array(30)).subarray(0, 6))).toEqual([0, 1, 2, 4, 5, 6]);
    expect(Array.from(subsamplePattern(pattern, nx, ny, nx, ny, new Uint32Array(nx * ny)))).toEqual(pattern);
    expect(() => subsamplePattern(pattern, nx, ny, 8, 3, new Uint32Array(24))).toThrow(RangeError);
    expect(() => subsamplePattern(pattern, nx, ny, 4, 3, new Uint32Array(11))).toThrow(RangeError);
    expect(() => subsamplePattern(pattern.slice(1), nx, ny, 4, 3, new Uint32Array(12))).toThrow(RangeError);
  });
});

describe('CreaseGeometry from a network\u2019s arrays', () => {
  it('gives what the same lines as objects give (segments, units, stride, selection, hits)', async () => {
    const { creaseLines } = await import('../../src/views/map2d/creases.ts');
    let seed = 5;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 4;
    const net = { w: Array.from({ length: 2 * 5000 }, r), b: Array.from({ length: 5000 }, r) };
    const a = new CreaseGeometry(net, VIEW, RECT, 17);
    const b = new CreaseGeometry(creaseLines(net), VIEW, RECT, 17);
    expect(Array.from(a.segments)).toEqual(Array.from(b.segments));
    expect(Array.from(a.units)).toEqual(Array.from(b.units));
    expect(Array.from(a.drawn)).toEqual(Array.from(b.drawn));
    expect(a.selectedSegment).toEqual(b.selectedSegment);
    expect(a.hitCrease(140, 90)).toBe(b.hitCrease(140, 90));
  });
});

describe('creaseLines', () => {
  it('reads each unit\u2019s (w1, w2, b) from a network in unit order', async () => {
    const { creaseLines } = await import('../../src/views/map2d/creases.ts');
    expect(creaseLines({ w: [1, 2, 3, 4], b: [5, 6] })).toEqual([
      { w1: 1, w2: 2, b: 5 },
      { w1: 3, w2: 4, b: 6 },
    ]);
  });
});

/** One recorded call on a fake 2D context: the method and its arguments. */
type Call = [string, unknown[]];

/** A canvas whose 2D context records its calls (enough of the DOM for Heatmap2D in Node). */
class FakeCanvas {
  width = 300;
  height = 150;
  readonly calls: Call[] = [];
  readonly ctx: Record<string, unknown>;
  constructor(private readonly css = { width: 400, height: 300 }) {
    const calls = this.calls;
    this.ctx = new Proxy({} as Record<string, unknown>, {
      get(target, key: string) {
        if (key in target) return target[key];
        if (key === 'measureText') return (t: string) => ({ width: 6 * t.length });
        if (key === 'createLinearGradient') return () => ({ addColorStop: () => undefined });
        return (...args: unknown[]) => void calls.push([key, args]);
      },
      set(target, key: string, v) {
        target[key] = v;
        return true;
      },
    });
  }
  getContext(): unknown {
    return this.ctx;
  }
  getBoundingClientRect() {
    return { width: this.css.width, height: this.css.height };
  }
  count(name: string): number {
    return this.calls.filter((c) => c[0] === name).length;
  }
}

describe('Heatmap2D exact cells', async () => {
  const made: FakeCanvas[] = [];
  const g = globalThis as Record<string, unknown>;
  g.window ??= { devicePixelRatio: 2 };
  g.document ??= { createElement: () => (made.push(new FakeCanvas()), made[made.length - 1]) };
  g.ImageData ??= class {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
  const { Heatmap2D } = await import('../../src/views/map2d/heatmap2d.ts');
  const { arrangement2DPacked, arrangement2D, regionAt } = await import('../../src/model/arrangement2d.ts');
  const { regionsMaxAbs } = await import('../../src/views/map2d/regionPaint.ts');
  type Canvas = ConstructorParameters<typeof Heatmap2D>[0];
  const net = { dim: 2 as const, w: [1, 0, 0, 2, 1, 1], b: [0, -1, 0.3], a: [1.5, -0.75, 0.5], c: 0.25 };
  const view = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  const cells = arrangement2DPacked(net, view).regions!;

  /** A CPU frame of `mode` on a small grid (the grid's colours are not what is checked). */
  function frame(mode: 'values' | 'regions' | 'error', v = view) {
    const n = 4;
    return { view: v, nx: n, ny: n, values: new Float64Array(n * n).fill(0.5), target: new Float64Array(n * n), pattern: new Uint32Array(n * n), mode, contours: true };
  }

  it('paints the map from the cells on the CPU path, once per key: hover repaints only blit the layer', () => {
    const bg = new FakeCanvas();
    const map = new Heatmap2D(bg as unknown as Canvas);
    map.resize();
    map.draw(frame('regions'));
    expect(map.exactActive).toBe(false);
    const before = made.length;
    map.setExactRegions(cells, view);
    expect(map.exactActive).toBe(true);
    const layer = made[made.length - 1];
    expect(made.length).toBeGreaterThan(before);
    // The layer is sized to the plot rect in device pixels and drawn unscaled at its device position.
    const r = map.rect;
    expect([layer.width, layer.height]).toEqual([2 * r.width, 2 * r.height]);
    expect(layer.count('putImageData')).toBe(1);
    const blit = bg.calls.filter((c) => c[0] === 'drawImage' && c[1][0] === layer).at(-1)!;
    expect(blit[1].slice(1)).toEqual([2 * r.left, 2 * r.top]);
    // Hover: the highlight is the cells' own polygon; the layer is not repainted.
    const id = regionAt(net, 0.5, 0.9).pattern;
    const blits = bg.count('drawImage');
    map.setHighlight(id);
    expect(layer.count('putImageData')).toBe(1);
    expect(bg.count('drawImage')).toBe(blits + 1);
    // The pattern under a CSS pixel comes from the cells: (0.5, 0.9) in data.
    const px = r.left + (0.5 + 1) * (r.width / 2);
    const py = r.top + (1 - 0.9) * (r.height / 2);
    expect(map.patternAt(px, py)).toBe(id);
    expect(cells.pattern[map.exactCellAt(px, py)]).toBe(id);
    expect(map.exactCellAt(r.left - 5, py)).toBe(-1);
    // Another mode repaints; the same cells as Region2D[] (packed once) or again change nothing.
    map.draw(frame('values'));
    expect(layer.count('putImageData')).toBe(2);
    const polys = arrangement2D(net, view).polygons!;
    map.setExactRegions(polys, view);
    const n = layer.count('putImageData');
    map.setExactRegions(polys, view);
    map.draw(frame('values'));
    expect(layer.count('putImageData')).toBe(n);
  });

  it('ignores cells of another view and the error mode; the values legend takes the cells\u2019 exact max', () => {
    const bg = new FakeCanvas();
    const map = new Heatmap2D(bg as unknown as Canvas);
    map.resize();
    map.setExactRegions(cells, view);
    map.draw(frame('values', { ...view, xMax: 1.5 }));
    expect(map.exactActive).toBe(false);
    map.draw(frame('error'));
    expect(map.exactActive).toBe(false);
    map.draw(frame('values'));
    expect(map.exactActive).toBe(true);
    const scale = regionsMaxAbs(cells);
    const label = `+${scale.toPrecision(3)}`;
    expect(bg.calls.some((c) => c[0] === 'fillText' && c[1][0] === label)).toBe(true);
    map.setScale(123);
    expect(bg.calls.some((c) => c[0] === 'fillText' && c[1][0] === '+123')).toBe(false);
    map.setExactRegions(null);
    expect(map.exactActive).toBe(false);
    expect(() => map.setExactRegions(cells)).toThrow(RangeError);
  });

  it('covers a GPU map from the overlay, under the creases and the legend', () => {
    const bg = new FakeCanvas();
    const top = new FakeCanvas();
    const map = new Heatmap2D(bg as unknown as Canvas, top as unknown as Canvas);
    map.resize();
    map.setCreases(net);
    map.setExactRegions(cells, view);
    map.drawAround(view, null, { mode: 'regions', label: '7 regions', contours: false });
    const layer = made[made.length - 1];
    const blit = top.calls.findIndex((c) => c[0] === 'drawImage' && c[1][0] === layer);
    expect(blit).toBeGreaterThanOrEqual(0);
    expect(bg.calls.some((c) => c[0] === 'drawImage')).toBe(false);
    const lastStroke = top.calls.map((c) => c[0]).lastIndexOf('stroke');
    expect(lastStroke).toBeGreaterThan(blit);
    // Hover on the GPU path repaints the overlay too (the GPU highlight is under the layer).
    const calls = top.calls.length;
    map.setHighlight(regionAt(net, 0.5, 0.9).pattern);
    expect(top.calls.length).toBeGreaterThan(calls);
    expect(layer.count('putImageData')).toBe(1);
  });

  it("strokes the hovered point's active units' lines over the others, and only those", () => {
    const bg = new FakeCanvas();
    const top = new FakeCanvas();
    const map = new Heatmap2D(bg as unknown as Canvas, top as unknown as Canvas);
    map.resize();
    map.setCreases(net);
    map.drawAround(view, 1, { mode: 'values', contours: false });
    const lineTos = () => top.calls.filter((c) => c[0] === 'lineTo').length;
    const before = lineTos();
    const mark = top.calls.length;
    const active = regionAt(net, 0.5, -0.9).activeUnits;
    expect(active.length).toBeGreaterThan(0);
    expect(active.length).toBeLessThan(3);
    map.setActiveUnits(active);
    // The overlay is drawn again: every crease once, then the active ones once more.
    expect(lineTos() - before).toBe(3 + active.length);
    expect(top.calls.slice(mark).some((c) => c[0] === 'stroke')).toBe(true);
    const after = top.calls.length;
    map.setActiveUnits(null);
    expect(top.calls.length).toBeGreaterThan(after);
    const cleared = top.calls.slice(after).filter((c) => c[0] === 'lineTo').length;
    expect(cleared).toBe(3);
  });
  it('strokes many creases once into a layer of their own: a hover blits it and strokes only the active lines', async () => {
    const { CREASE_LAYER_FROM } = await import('../../src/views/map2d/heatmap2d.ts');
    const { randomNetwork, validateNetwork } = await import('../../src/model/network.ts');
    const big = validateNetwork(randomNetwork(2, CREASE_LAYER_FROM + 50, 3));
    const bg = new FakeCanvas();
    const top = new FakeCanvas();
    const map = new Heatmap2D(bg as unknown as Canvas, top as unknown as Canvas);
    map.resize();
    const before = made.length;
    map.setCreases(big);
    map.drawAround(view, 1, { mode: 'values', contours: false });
    const drawn = map.creaseCounts.drawn;
    expect(drawn).toBeGreaterThanOrEqual(CREASE_LAYER_FROM);
    const layer = made.slice(before).find((c) => c.count('lineTo') > 0)!;
    expect(layer.count('lineTo')).toBe(drawn);
    // The layer covers the plot area in device pixels (dpr 2 here) and is blitted there unscaled.
    const r = map.rect;
    expect([layer.width, layer.height]).toEqual([2 * r.width, 2 * r.height]);
    const blit = top.calls.find((c) => c[0] === 'drawImage' && c[1][0] === layer)!;
    expect(blit[1].slice(1)).toEqual([2 * r.left, 2 * r.top]);
    // The overlay gets the layer, not the strokes.
    expect(top.count('lineTo')).toBe(0);
    const active = regionAt(big, 0.1, -0.2).activeUnits;
    expect(active.length).toBeGreaterThan(0);
    const mark = top.calls.length;
    map.setActiveUnits(active);
    const lineTos = top.calls.slice(mark).filter((c) => c[0] === 'lineTo').length;
    // The visible active units' lines only, over the blitted layer; the layer is not restroked.
    const firstSet = new Set(active);
    expect(lineTos).toBe(Array.from(new CreaseGeometry(big, view, map.rect).units).filter((u) => firstSet.has(u)).length);
    expect(lineTos).toBeGreaterThan(0);
    expect(layer.count('lineTo')).toBe(drawn);
    // The same units again (the pointer still in the region): nothing is redrawn.
    const calls = top.calls.length;
    map.setActiveUnits([...active]);
    expect(top.calls.length).toBe(calls);
    // Other units: redrawn, and the previous ones are no longer marked.
    const other = regionAt(big, -0.9, 0.9).activeUnits;
    expect(other).not.toEqual(active);
    const m2 = top.calls.length;
    map.setActiveUnits(other);
    const again = top.calls.slice(m2).filter((c) => c[0] === 'lineTo').length;
    // Exactly the visible ones of the new units (the old ones' marks are cleared).
    const g = new CreaseGeometry(big, view, map.rect);
    const mine = new Set(other);
    expect(again).toBe(Array.from(g.units).filter((u) => mine.has(u)).length);
    expect(layer.count('lineTo')).toBe(drawn);
    // A copy of the network (same lines, another object) keeps the geometry and its layer; other lines do not.
    map.setCreases(validateNetwork({ ...big, w: [...big.w], b: [...big.b], a: big.a.map((v) => 2 * v) }));
    expect(layer.count('lineTo')).toBe(drawn);
    const moved = { ...big, b: big.b.map((v, i) => (i === 0 ? v + 0.5 : v)) };
    // Built ahead for the next frame's view (true once, then current), without painting.
    const paints = top.calls.length;
    map.setCreases(moved, -1, false);
    expect(top.calls.length).toBe(paints);
    const steps = map.creaseSteps(view)!;
    expect(steps).not.toBeNull();
    let n = 0;
    while (!steps.next().done) n++;
    expect(n).toBe(0); // a few hundred lines: one step
    expect(map.creaseSteps(view)).toBeNull();
    map.drawAround(view, 1, { mode: 'values', contours: false });
    expect(layer.count('lineTo')).toBe(drawn + map.creaseCounts.drawn);
  });

  it('keeps the crease layer when the page only moves the map (same size): blitted at the new place', async () => {
    const { CREASE_LAYER_FROM } = await import('../../src/views/map2d/heatmap2d.ts');
    const { randomNetwork, validateNetwork } = await import('../../src/model/network.ts');
    const big = validateNetwork(randomNetwork(2, CREASE_LAYER_FROM + 50, 4));
    const css = { width: 400, height: 400 };
    const bg = new FakeCanvas(css);
    const top = new FakeCanvas(css);
    const map = new Heatmap2D(bg as unknown as Canvas, top as unknown as Canvas);
    map.resize();
    const before = made.length;
    map.setCreases(big);
    map.drawAround(view, 1, { mode: 'values', contours: false });
    const layer = made.slice(before).find((c) => c.count('lineTo') > 0)!;
    const strokes = layer.count('lineTo');
    const r0 = map.rect;
    css.height = 420;
    map.resize();
    const r1 = map.rect;
    expect([r1.width, r1.height, r1.left]).toEqual([r0.width, r0.height, r0.left]);
    expect(r1.top).not.toBe(r0.top);
    map.drawAround(view, 1, { mode: 'values', contours: false });
    expect(layer.count('lineTo')).toBe(strokes);
    const blit = top.calls.filter((c) => c[0] === 'drawImage' && c[1][0] === layer).at(-1)!;
    expect(blit[1].slice(1)).toEqual([2 * r1.left, 2 * r1.top]);
    // Hit tests follow the map to its new place.
    const g = new CreaseGeometry(big, view, r1);
    const k = g.drawn[0];
    const [x0, y0, x1, y1] = g.segments.subarray(4 * k, 4 * k + 4);
    expect(map.hitCrease((x0 + x1) / 2, (y0 + y1) / 2)).toBe(g.hitCrease((x0 + x1) / 2, (y0 + y1) / 2));
  });
});
