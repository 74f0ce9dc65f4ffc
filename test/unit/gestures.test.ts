import { describe, expect, it } from 'vitest';
import { knotNear, panView, termNear, withKnot, withOutputWeight, zoomView } from '../../src/ui/gestures.ts';
import type { Network } from '../../src/model/network.ts';

const net: Network = { dim: 1, w: [1, -2, 0, 0.5], b: [-0.5, 1.6, 3, 0.25], a: [1.5, -0.75, 2, 0.3], c: 0.1 };
// 100 px per data unit, x = 0 at px 300; y = 0 at py 200, up is smaller py.
const toPx = (x: number) => 300 + 100 * x;
const toPy = (y: number) => 200 - 100 * y;

describe('gesture helpers', () => {
  it('knotNear finds the nearest knot within the tolerance and skips units without a knot', () => {
    // Knots: 0.5, 0.8, none, −0.5 → px 350, 380, —, 250.
    expect(knotNear(net, toPx, 352, 6)).toBe(0);
    expect(knotNear(net, toPx, 247, 6)).toBe(3);
    expect(knotNear(net, toPx, 377, 6)).toBe(1);
    expect(knotNear(net, toPx, 300, 6)).toBe(-1);
    expect(knotNear({ ...net, w: [0, 0, 0, 0] }, toPx, 350, 1000)).toBe(-1);
  });

  it('termNear picks the term whose curve passes nearest the pointer', () => {
    // At x = 1.5: terms 1.5·1 = 1.5, −0.75·ReLU(−1.4) = 0, 2·ReLU(3) = 6, 0.3·ReLU(1) = 0.3.
    expect(termNear(net, 1.5, toPy, toPy(1.52), 5)).toBe(0);
    expect(termNear(net, 1.5, toPy, toPy(0.31), 5)).toBe(3);
    expect(termNear(net, 1.5, toPy, toPy(4), 5)).toBe(-1);
  });

  it('zoomView keeps the anchor point fixed and scales the spans, on the chosen axes only', () => {
    const v = { xMin: -2, xMax: 4, yMin: -1, yMax: 3 };
    const z = zoomView(v, 0.5, 1, 2);
    expect(z).toEqual({ xMin: -0.5, xMax: 2.5, yMin: 0.5, yMax: 2.5 });
    const zx = zoomView(v, 2, 0, 0, 'x');
    expect(zx).toEqual({ xMin: -4, xMax: 8, yMin: -1, yMax: 3 });
    const zy = zoomView(v, 2, 0, 0, 'y');
    expect(zy).toEqual({ xMin: -2, xMax: 4, yMin: -2, yMax: 6 });
  });

  it('panView shifts both ends by the same amount', () => {
    expect(panView({ xMin: -1, xMax: 1, yMin: 0, yMax: 2 }, 0.25, -1)).toEqual({ xMin: -0.75, xMax: 1.25, yMin: -1, yMax: 1 });
  });

  it('withKnot and withOutputWeight edit one unit of a copy and leave the original alone', () => {
    const moved = withKnot(net, 1, 2);
    expect(-moved.b[1] / moved.w[1]).toBeCloseTo(2, 12);
    expect(moved.w[1]).toBe(-2);
    expect(net.b[1]).toBe(1.6);
    const weighted = withOutputWeight(net, 3, -4);
    expect(weighted.a).toEqual([1.5, -0.75, 2, -4]);
    expect(net.a[3]).toBe(0.3);
  });
});
