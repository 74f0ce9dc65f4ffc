/**
 * Linear regions of the 2D network in the window: counted on the grid (distinct activation patterns at the
 * centres of the grid's cells) and computed exactly (the arrangement of the units' lines, in a worker, with each
 * cell's polygon, plane and pattern up to MAX_EXACT_UNITS units). Both are cached per network and window, and
 * a superseded exact computation is dropped, never shown.
 */
import { activationOf } from '../model/activation.ts';
import { RegionsUndefinedError } from '../engine/cpu/evaluator.ts';
import { type Arrangement2D, MAX_EXACT_UNITS, type PackedRegions, type Region2D, arrangementJson, unpackRegions } from '../model/arrangement2d.ts';
import type { Grid2D } from '../model/grid.ts';
import { countDistinct } from '../model/regions.ts';
import type { ValidNetwork } from '../model/network.ts';
import type { Evaluator } from '../engine/evaluator.ts';
import { type ArrangementRunner, defaultArrangementRunner } from '../state/arrangementRunner.ts';
import type { AppState, ViewRange } from '../state/state.ts';

/** Side of the grid the regions are counted on at most (the map's grid when smaller). */
export const MAX_COUNT_GRID = 512;

/** What `sandbox.regions()` resolves with. */
export interface RegionsResult {
  /** Distinct activation patterns at the centres of the cells of the count grid (side `grid`). */
  counted: number;
  /** Cells into which the units' lines cut the open window (units with w = (0, 0) have none). */
  exact: number;
  /** The count grid's side. */
  grid: number;
  /** Each cell's vertices (x0, y0, x1, y1, … counter-clockwise), activation pattern id and plane, for N ≤ 1,000. */
  polygons?: Region2D[];
}

/** The cell-centre grid of side n over a window: strictly inside it, so a line along the border adds no pattern. */
export function countGrid(view: ViewRange, n: number): Grid2D {
  const hx = (view.xMax - view.xMin) / n;
  const hy = (view.yMax - view.yMin) / n;
  return { xMin: view.xMin + hx / 2, xMax: view.xMax - hx / 2, yMin: view.yMin + hy / 2, yMax: view.yMax - hy / 2, nx: n, ny: n };
}

const viewKey = (v: ViewRange) => `${v.xMin},${v.xMax},${v.yMin},${v.yMax}`;

interface Cached<T> {
  net: ValidNetwork;
  key: string;
  value: T;
}

export class RegionsController {
  private countedCache: Cached<number> | null = null;
  private countedPending: { net: ValidNetwork; key: string; promise: Promise<number> } | null = null;
  private exactCache: (Cached<Arrangement2D> & { polygons: boolean }) | null = null;
  private exactPending: { net: ValidNetwork; key: string; polygons: boolean; promise: Promise<Arrangement2D> } | null = null;
  private runner: ArrangementRunner | null = null;
  /** The packed cells of the last arrangement with polygons (what the map paints from). */
  private packed: { net: ValidNetwork; key: string; regions: PackedRegions } | null = null;

  /**
   * `evaluator` gives who computes the count grid of this network and side (the 2D frame's choice for a regions
   * grid: the CPU worker on CPU-like adapters, or where the calibration picks the CPU; it must never be the
   * main-thread CPU evaluator, whose row sweep at 65,536 units blocked the page for 100–200 ms per call).
   */
  constructor(private readonly evaluator: (net: ValidNetwork, side: number) => Evaluator) {}

  private countKey(s: AppState): string {
    return `${viewKey(s.view2d)}|${Math.min(s.look.grid, MAX_COUNT_GRID)}`;
  }

  /** The grid count of this state if known. */
  countedNow(s: AppState): number | null {
    const c = this.countedCache;
    return c && c.net === s.network && c.key === this.countKey(s) ? c.value : null;
  }

  /** The exact count of this state if known. */
  exactNow(s: AppState): number | null {
    const c = this.exactCache;
    return c && c.net === s.network && c.key === viewKey(s.view2d) ? c.value.exact : null;
  }

  /** Distinct activation patterns on the count grid of the state's window. */
  counted(s: AppState): Promise<number> {
    const key = this.countKey(s);
    const known = this.countedNow(s);
    if (known !== null) return Promise.resolve(known);
    const p = this.countedPending;
    if (p && p.net === s.network && p.key === key) return p.promise;
    const net = s.network;
    const n = Math.min(s.look.grid, MAX_COUNT_GRID);
    const promise = (async () => {
      // Linear units: one region (the evaluator says so without a sweep); sigmoid: RegionsUndefinedError.
      if (net.a.length === 0) return 1;
      const r = await this.evaluator(net, n).regions2D(net, countGrid(s.view2d, n));
      const count = countDistinct(r.pattern);
      this.countedCache = { net, key, value: count };
      return count;
    })();
    this.countedPending = { net, key, promise };
    void promise.finally(() => {
      if (this.countedPending?.promise === promise) this.countedPending = null;
    }).catch(() => undefined);
    return promise;
  }

  /**
   * The exact arrangement in the state's window, from the worker: the count always, the polygons for
   * N ≤ MAX_EXACT_UNITS when `polygons` (default: the look's "exact regions" switch) asks for them.
   */
  exact(s: AppState, polygons = s.look.exact): Promise<Arrangement2D> {
    const key = viewKey(s.view2d);
    const want = polygons && s.network.a.length <= MAX_EXACT_UNITS;
    const c = this.exactCache;
    if (c && c.net === s.network && c.key === key && (c.polygons || !want)) return Promise.resolve(c.value);
    const p = this.exactPending;
    if (p && p.net === s.network && p.key === key && (p.polygons || !want)) return p.promise;
    const net = s.network;
    const view = { ...s.view2d };
    const activation = activationOf(net);
    if (activation === 'sigmoid') return Promise.reject(new RegionsUndefinedError('sigmoid'));
    if (activation === 'linear') {
      // Linear units never bend: the sum is one plane, one region, whatever the lines of their zero sets.
      const value: Arrangement2D = { exact: 1, lines: 0, crossings: 0, concurrencyChecked: true };
      this.exactCache = { net, key, value, polygons: false };
      return Promise.resolve(value);
    }
    this.runner ??= defaultArrangementRunner();
    const promise = this.runner.compute(net, view, { polygons: want }).then((packed) => {
      const value: Arrangement2D = { exact: packed.exact, lines: packed.lines, crossings: packed.crossings, concurrencyChecked: packed.concurrencyChecked };
      // Cells stay packed (typed arrays, as the worker sent them): turning 270k of them into objects takes
      // about half a second, so only the API and the export do it, when asked.
      if (packed.regions) this.packed = { net, key, regions: packed.regions };
      this.exactCache = { net, key, value, polygons: want };
      return value;
    });
    this.exactPending = { net, key, polygons: want, promise };
    void promise.finally(() => {
      if (this.exactPending?.promise === promise) this.exactPending = null;
    }).catch(() => undefined);
    return promise;
  }

  /** The packed cells of this state's window, when they are known. */
  packedNow(s: AppState): PackedRegions | null {
    const p = this.packed;
    return p && p.net === s.network && p.key === viewKey(s.view2d) ? p.regions : null;
  }

  /** Both counts and (up to the size limit) the polygons, for the scripting API. */
  async regions(s: AppState): Promise<RegionsResult> {
    const [counted, exact] = await Promise.all([this.counted(s), this.exact(s, true)]);
    const out: RegionsResult = { counted, exact: exact.exact, grid: Math.min(s.look.grid, MAX_COUNT_GRID) };
    const packed = this.packedNow(s);
    if (packed) out.polygons = unpackRegions(packed);
    return out;
  }

  /** The exact regions as the JSON the panel exports. */
  async exportJson(s: AppState): Promise<string> {
    const a = await this.exact(s, true);
    const packed = this.packedNow(s);
    return JSON.stringify({ view: s.view2d, ...arrangementJson(packed ? { ...a, polygons: unpackRegions(packed) } : a, s.network) });
  }
}
