import { describe, expect, it } from 'vitest';
import { composeRegion, type TileGrid } from './tile-cache.ts';
import type { RGBAImage } from './types.ts';

// A 5×4-tile level of 40×30 tiles cut short at 190×110: tile (2, 1) is empty, tile (1, 2) decodes 13 rows short,
// edge tiles carry padding (value 7) past the level's edge.
const grid: TileGrid = { width: 190, height: 110, tileWidth: 40, tileHeight: 30, tilesAcross: 5, tilesDown: 4 };
function tileAt(col: number, row: number): RGBAImage | undefined {
  if (col === 2 && row === 1) return undefined;
  const height = col === 1 && row === 2 ? 17 : 30;
  const data = new Uint8ClampedArray(40 * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 40; x++) {
      const lx = col * 40 + x;
      const ly = row * 30 + y;
      const p = (y * 40 + x) * 4;
      data.set(lx < grid.width && ly < grid.height ? [lx & 255, ly, (lx * 7 + ly) & 255, 255] : [7, 7, 7, 7], p);
    }
  }
  return { width: 40, height, data };
}

/** What a region must show: each level pixel from its tile, white where no tile (or no decoded row) reaches. */
function expected(x: number, y: number, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const lx = x + i;
      const ly = y + j;
      if (lx < 0 || ly < 0 || lx >= grid.width || ly >= grid.height) continue;
      const t = tileAt(Math.floor(lx / 40), Math.floor(ly / 30));
      const ty = ly % 30;
      if (!t || ty >= t.height) continue;
      out.set(t.data.subarray((ty * 40 + (lx % 40)) * 4, (ty * 40 + (lx % 40)) * 4 + 4), (j * width + i) * 4);
    }
  }
  return out;
}

describe('composeRegion', () => {
  it('copies every tile in and leaves white exactly what no tile covers (empty and short tiles, padding, outside)', async () => {
    for (const [x, y, w, h] of [[0, 0, 190, 110], [-13, -7, 230, 140], [35, 25, 70, 50], [150, 80, 60, 40], [61, 31, 1, 1], [200, 0, 10, 10]] as const) {
      const region = await composeRegion('test', grid, x, y, w, h, (col, row) => Promise.resolve(tileAt(col, row)));
      expect(region.width).toBe(w);
      expect(Buffer.compare(Buffer.from(region.data), Buffer.from(expected(x, y, w, h))), `${w}×${h} at (${x}, ${y})`).toBe(0);
    }
  });

  it('with `needed`, decodes only the tiles under those rectangles and gives their pixels as without', async () => {
    const needed = [{ x: 45, y: 5, width: 20, height: 20 }, { x: 150, y: 70, width: 30, height: 30 }];
    const asked: string[] = [];
    const region = await composeRegion('test', grid, 30, 0, 160, 110, (col, row) => (asked.push(`${col},${row}`), Promise.resolve(tileAt(col, row))), { needed });
    expect(asked.sort()).toEqual(['1,0', '3,2', '3,3', '4,2', '4,3']);
    const full = expected(30, 0, 160, 110);
    for (const r of needed) {
      for (let y = r.y; y < r.y + r.height; y++) {
        const at = (y * 160 + r.x - 30) * 4;
        expect(Buffer.compare(Buffer.from(region.data.subarray(at, at + r.width * 4)), Buffer.from(full.subarray(at, at + r.width * 4)))).toBe(0);
      }
    }
    // Level pixel (60, 40), in tile (1, 1), which no needed rectangle touches: left out, white.
    expect(region.data.subarray((40 * 160 + 30) * 4, (40 * 160 + 31) * 4)).toEqual(new Uint8ClampedArray([255, 255, 255, 255]));
    expect(full.subarray((40 * 160 + 30) * 4, (40 * 160 + 31) * 4)).not.toEqual(new Uint8ClampedArray([255, 255, 255, 255]));
  });
});
