import { describe, expect, it } from 'vitest';
import { covered, type DrawnTile, tilesToRedraw } from './tile-redraw.ts';

const canvas = { width: 1000, height: 600 };

/** A tile drawn at (x, y), `size` square plus OpenSeadragon's one-pixel overlap. */
function tile(x: number, y: number, size = 100, data: unknown = 'bitmap'): DrawnTile {
  return { tile: {}, opacity: 1, data, rect: { x, y, width: size + 1, height: size + 1 } };
}

/** A 4 × 2 row of level-0 tiles from (0, 0). */
const row = () => Array.from({ length: 8 }, (_, i) => tile((i % 4) * 100, Math.floor(i / 4) * 100));

/** The tiles drawn again for each area, as indexes into `now`, and the areas' clips. */
const plan = (before: DrawnTile[], now: DrawnTile[]) => tilesToRedraw(before, now, canvas)?.map((a) => ({ clip: a.clip, tiles: a.tiles.map((t) => now.indexOf(t)) }));

describe('tilesToRedraw', () => {
  it('draws nothing when the tiles are the same', () => {
    const tiles = row();
    expect(plan(tiles, [...tiles])).toEqual([]);
  });

  it('draws a new tile and the tiles after it that reach its pixels, in order, clipped to them', () => {
    const tiles = row();
    // Tile 1 (second of the first row) is overlapped by tile 2 beside it and 4, 5, 6 below, by OpenSeadragon's pixel.
    expect(plan(tiles.filter((_, i) => i !== 1), tiles)).toEqual([{ clip: { x: 100, y: 0, width: 101, height: 101 }, tiles: [1, 2, 4, 5, 6] }]);
  });

  it('draws the tiles under a new one too where an edge falls on a pixel centre', () => {
    const tiles = [tile(0, 0, 300), tile(100.5, 0), tile(300, 0)];
    expect(plan([tiles[0]!, tiles[2]!], tiles)).toEqual([{ clip: { x: 100, y: 0, width: 102, height: 101 }, tiles: [0, 1] }]);
  });

  it('clips to the pixels a tile may set (centres inside or on its edges), and to the canvas', () => {
    const tiles = [tile(0, 0), tile(950.7, 550.25)];
    expect(plan(tiles.slice(0, 1), tiles)).toEqual([{ clip: { x: 951, y: 550, width: 49, height: 50 }, tiles: [1] }]);
  });

  it('keeps a coarse tile under the fine ones, and draws nothing when it goes hidden under them', () => {
    const coarse = tile(0, 0, 400);
    coarse.rect.height = 201;
    const fine = row();
    expect(plan([coarse, ...fine.slice(0, 7)], [coarse, ...fine])).toEqual([{ clip: { x: 300, y: 100, width: 101, height: 101 }, tiles: [8] }]);
    expect(plan([coarse, ...fine], fine)).toEqual([]);
  });

  it('lets the last tile in hide the coarse one in the same frame', () => {
    const coarse = tile(0, 0, 400);
    coarse.rect.height = 201;
    const fine = row();
    expect(plan([coarse, ...fine.slice(0, 7)], fine)).toEqual([{ clip: { x: 300, y: 100, width: 101, height: 101 }, tiles: [7] }]);
  });

  it('redraws the whole frame when a tile goes that was not hidden', () => {
    const coarse = tile(0, 0, 400);
    coarse.rect.height = 201;
    const fine = row();
    expect(plan([coarse, ...fine], fine.slice(1))).toBeUndefined();
    // Drawn before it, the fine tiles never hid it.
    expect(plan([...fine, coarse], fine)).toBeUndefined();
  });

  it('counts only the part of a gone tile on the canvas', () => {
    const coarse = tile(-300, -300, 1600);
    const fine = Array.from({ length: 60 }, (_, i) => tile((i % 10) * 100, Math.floor(i / 10) * 100));
    expect(plan([coarse, ...fine], fine)).toEqual([]);
  });

  it('redraws the whole frame when the order, a place, the data or the opacity changed', () => {
    const tiles = row();
    expect(plan(tiles, [tiles[1]!, tiles[0]!, ...tiles.slice(2)])).toBeUndefined();
    expect(plan(tiles, [{ ...tiles[0]!, rect: { ...tiles[0]!.rect, x: 0.5 } }, ...tiles.slice(1)])).toBeUndefined();
    expect(plan(tiles, [{ ...tiles[0]!, data: 'another bitmap' }, ...tiles.slice(1)])).toBeUndefined();
    expect(plan(tiles.slice(1), [{ ...tiles[0]!, opacity: 0.5 }, ...tiles.slice(1)])).toBeUndefined();
  });

  it('redraws the whole frame for transparent tiles, and when no tile was drawn before', () => {
    const tiles = row();
    expect(plan(tiles.slice(0, 7), [...tiles.slice(0, 7), { ...tiles[7]!, transparent: true }])).toBeUndefined();
    expect(plan([], tiles)).toBeUndefined();
  });
});

describe('covered', () => {
  it('needs the union to reach every part of the area', () => {
    const area = { x: 0, y: 0, width: 200, height: 100 };
    expect(covered(area, [{ x: 0, y: 0, width: 101, height: 100 }, { x: 100, y: 0, width: 100, height: 100 }])).toBe(true);
    expect(covered(area, [{ x: 0, y: 0, width: 99, height: 100 }, { x: 100, y: 0, width: 100, height: 100 }])).toBe(false);
    expect(covered(area, [{ x: 0, y: 0, width: 200, height: 99.5 }])).toBe(false);
    expect(covered({ x: 5, y: 5, width: 0, height: 10 }, [])).toBe(true);
  });
});
