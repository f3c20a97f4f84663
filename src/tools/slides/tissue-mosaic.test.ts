import { describe, expect, it } from 'vitest';
import { mosaicLayout, mosaicRows } from './tissue-mosaic.ts';

// Two tiny sources whose pixels say where they come from: R = source·100 + x, G = y.
const source = (id: number, width: number, height: number) => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([id * 100 + x, y, 7, 255], (y * width + x) * 4);
  return { width, height, channels: 4 as const, data };
};

describe('tissue mosaic', () => {
  const sources = [source(0, 40, 30), source(1, 20, 50)];
  const params = { size: 1000, seed: 3, quality: 85 };

  it('places copies on a grid, alternating sources, each within its own cell, the same for the same seed', () => {
    const layout = mosaicLayout(sources, params);
    expect(mosaicLayout(sources, params)).toEqual(layout);
    expect(mosaicLayout(sources, { ...params, seed: 4 })).not.toEqual(layout);
    // cells of (40 + 256) × (50 + 256): 4 columns × 4 rows reach past 1000 px
    expect(layout).toHaveLength(16);
    for (const [i, p] of layout.entries()) {
      const col = i % 4;
      const row = Math.floor(i / 4);
      expect(p.source).toBe((row + col) % 2);
      expect(p.x).toBeGreaterThanOrEqual(col * 296);
      expect(p.x + sources[p.source]!.width).toBeLessThanOrEqual((col + 1) * 296);
      expect(p.y).toBeGreaterThanOrEqual(row * 306);
    }
  });

  it('composes bands of rows with flipped copies on glass', () => {
    const layout = [
      { source: 0, x: 10, y: 5, flipX: false, flipY: false },
      { source: 1, x: 90, y: 0, flipX: true, flipY: true },
    ];
    const rows = mosaicRows(sources, layout, 100);
    const band = rows.readRows(4, 10); // y 4…13
    const px = (x: number, y: number) => Array.from(band.data.subarray(((y - 4) * 100 + x) * 4, ((y - 4) * 100 + x) * 4 + 4));
    expect(px(0, 4)).toEqual([242, 241, 244, 255]); // glass
    expect(px(10, 5)).toEqual([0, 0, 7, 255]); // source 0, (0, 0)
    expect(px(49, 13)).toEqual([39, 8, 7, 255]); // source 0, (39, 8)
    expect(px(10, 4)).toEqual([242, 241, 244, 255]); // above the copy
    // source 1 flipped both ways and clipped at the right edge (x 90…99 shows its columns 19…10)
    expect(px(90, 4)).toEqual([119, 45, 7, 255]);
    expect(px(99, 13)).toEqual([110, 36, 7, 255]);
  });
});
