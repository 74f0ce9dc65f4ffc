import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Grid2D, gridPoints2D, gridStep, relativeL2 } from '../../src/model/grid.ts';
import { type Network, randomNetwork } from '../../src/model/network.ts';
import { evaluate2DBrute, regions2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { TILE_PARAMS_LAYOUT, TILE_PARAMS_SIZE, packTileParams } from '../../src/engine/gpu/eval2dTiles.ts';
import { TILE_SIDE, TilesNotApplicableError, classifyTile, crossesTile, evaluate2DTiles, regions2DTiles, tileBox, tileCounts } from '../../src/model/tiles2d.ts';

const grid: Grid2D = { xMin: -1.1, xMax: 1.3, yMin: -0.8, yMax: 1.2, nx: 67, ny: 41 };

/** The grid points of tile (tx, ty), in float64. */
function tilePoints(g: Grid2D, tx: number, ty: number): Array<[number, number]> {
  const dx = gridStep(g.xMin, g.xMax, g.nx);
  const dy = gridStep(g.yMin, g.yMax, g.ny);
  const pts: Array<[number, number]> = [];
  for (let j = ty * TILE_SIDE; j < Math.min(g.ny, (ty + 1) * TILE_SIDE); j++) {
    for (let i = tx * TILE_SIDE; i < Math.min(g.nx, (tx + 1) * TILE_SIDE); i++) pts.push([g.xMin + i * dx, g.yMin + j * dy]);
  }
  return pts;
}

describe('tile classification (float64 twin of eval2d_tiles)', () => {
  it('never calls a unit non-crossing where its sign changes over the tile, and is tight for clear misses', () => {
    const net = randomNetwork(2, 400, 3);
    const { cols, rows } = tileCounts(grid);
    expect([cols, rows]).toEqual([5, 3]);
    for (let ty = 0; ty < rows; ty++) {
      for (let tx = 0; tx < cols; tx++) {
        const box = tileBox(grid, tx, ty);
        const cls = classifyTile(net, box);
        const crossing = new Set(cls.crossing);
        const pts = tilePoints(grid, tx, ty);
        for (let i = 0; i < net.a.length; i++) {
          const zs = pts.map(([x, y]) => net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i]);
          const changes = zs.some((z) => z > 0) && zs.some((z) => z <= 0);
          if (changes) expect(crossing.has(i)).toBe(true);
          // A unit whose |z| at the box centre exceeds its reach by 1 % is never listed.
          const zc = net.w[2 * i] * box.xc + net.w[2 * i + 1] * box.yc + net.b[i];
          const reach = Math.abs(net.w[2 * i]) * box.hx + Math.abs(net.w[2 * i + 1]) * box.hy;
          if (Math.abs(zc) > 1.01 * reach + 1e-9) expect(crossing.has(i)).toBe(false);
        }
        // The plane and the per-tile count describe exactly the non-crossing units.
        let active = 0;
        for (let i = 0; i < net.a.length; i++) {
          if (crossing.has(i)) continue;
          if (net.w[2 * i] * box.xc + net.w[2 * i + 1] * box.yc + net.b[i] > 0) active++;
        }
        expect(cls.active).toBe(active);
      }
    }
  });

  it('lines exactly on a tile border or through grid points count as crossing', () => {
    const g: Grid2D = { xMin: 0, xMax: 31, yMin: 0, yMax: 31, nx: 32, ny: 32 };
    const box = tileBox(g, 0, 0);
    expect(box).toEqual({ xc: 7.5, yc: 7.5, hx: 7.5, hy: 7.5 });
    expect(crossesTile(1, 0, -15, box)).toBe(true); // x = 15: the tile's last column
    expect(crossesTile(1, 0, -15.5, box)).toBe(false); // between tiles
    expect(crossesTile(0, 1, 0, box)).toBe(true); // y = 0: the first row
    expect(crossesTile(1, 1, -30, box)).toBe(true); // touches the corner (15, 15)
    expect(crossesTile(1, 1, -30.01, box)).toBe(false);
  });

  it('a 1×1 grid has one tile of zero extent', () => {
    const g: Grid2D = { xMin: 0.5, xMax: 1, yMin: -0.5, yMax: 1, nx: 1, ny: 1 };
    expect(tileCounts(g)).toEqual({ cols: 1, rows: 1 });
    expect(tileBox(g, 0, 0)).toEqual({ xc: 0.5, yc: -0.5, hx: 0, hy: 0 });
  });
});

describe('values and regions by tiles vs brute force (float64)', () => {
  const nets: Array<[string, Network]> = [
    ['relu', randomNetwork(2, 300, 11)],
    ['leaky-relu', { ...randomNetwork(2, 200, 12), activation: 'leaky-relu' }],
    ['linear', { ...randomNetwork(2, 50, 13), activation: 'linear' }],
    ['huge and tiny weights', { ...randomNetwork(2, 64, 14), w: randomNetwork(2, 64, 14).w.map((w, i) => w * (i % 3 === 0 ? 1e6 : i % 3 === 1 ? 1e-6 : 1)) }],
  ];
  for (const [name, net] of nets) {
    it(name, () => {
      const xy = gridPoints2D(grid);
      expect(relativeL2(evaluate2DTiles(net, grid), evaluate2DBrute(net, xy))).toBeLessThan(1e-12);
      expect(regions2DTiles(net, grid)).toEqual(regions2DBrute(net, xy));
    });
  }

  it('sigmoid networks are declined with a typed error', () => {
    const net: Network = { ...randomNetwork(2, 5, 1), activation: 'sigmoid' };
    expect(() => evaluate2DTiles(net, grid)).toThrow(TilesNotApplicableError);
    expect(() => regions2DTiles(net, grid)).toThrow(TilesNotApplicableError);
  });
});

describe('TileParams uniform layout', () => {
  it('shaders/eval2d_tiles.compute.wgsl declares the TileParams of src/engine/gpu/eval2dTiles.ts, packed at those offsets', () => {
    const source = readFileSync(new URL('../../shaders/eval2d_tiles.compute.wgsl', import.meta.url), 'utf8');
    const body = /struct TileParams \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const sizes: Record<string, [number, number]> = { u32: [4, 4], 'vec2<f32>': [8, 8], 'vec4<f32>': [16, 16] };
    let offset = 0;
    const members = body
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter(Boolean)
      .map((line) => {
        const [, name, type] = /^(\w+)\s*:\s*([\w<>]+),?$/.exec(line)!;
        offset = Math.ceil(offset / sizes[type][1]) * sizes[type][1];
        const m = { name, type, offset };
        offset += sizes[type][0];
        return m;
      });
    expect(members).toEqual(TILE_PARAMS_LAYOUT.map((m) => ({ ...m })));
    expect(Math.ceil(offset / 16) * 16).toBe(TILE_PARAMS_SIZE);
    const bytes = packTileParams({ origin: [1.5, -2], step: [0.25, 0.5], nx: 7, rows: 9, tileCols: 2, tiles: 3, unitCount: 65, chunkUnits: 1024, chunks: 1, capacity: 65, outBase: 12, side: 64, affine: [3, -1, 4] });
    const view = new DataView(bytes);
    for (const m of TILE_PARAMS_LAYOUT) {
      if (m.type === 'u32') expect(view.getUint32(m.offset, true)).toBe({ nx: 7, rows: 9, tileCols: 2, tiles: 3, unitCount: 65, chunkUnits: 1024, chunks: 1, capacity: 65, outBase: 12, side: 64 }[m.name as string] ?? 0);
    }
    expect([view.getFloat32(0, true), view.getFloat32(12, true), view.getFloat32(64, true), view.getFloat32(72, true)]).toEqual([1.5, 0.5, 3, 4]);
  });
});
