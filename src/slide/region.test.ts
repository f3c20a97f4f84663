import { describe, expect, it } from 'vitest';
import { readScaledRegion } from './region.ts';
import { composeRegion } from './tile-cache.ts';
import type { RegionOptions, RGBAImage, SlideSource } from './types.ts';

/** A two-level slide of one 8×8 tile per level (level 1: 4×4), reading through composeRegion as tiled readers do. */
function tiledSlide(): SlideSource & { asked: (RegionOptions | undefined)[] } {
  const asked: (RegionOptions | undefined)[] = [];
  const tile = (w: number): RGBAImage => ({ width: w, height: w, data: new Uint8ClampedArray(w * w * 4).map((_, i) => (i % 4 === 3 ? 255 : i % 4 === 0 ? 200 : 0)) });
  return {
    asked,
    info: { name: 't', format: 'tiff', vendor: 'generic', compression: 'none', levels: [{ width: 8, height: 8, tileWidth: 8, tileHeight: 8, downsample: 1 }, { width: 4, height: 4, tileWidth: 4, tileHeight: 4, downsample: 2 }] },
    async readRegion(level, x, y, width, height, _signal, options) {
      asked.push(options);
      const w = level === 0 ? 8 : 4;
      return composeRegion('t', { width: w, height: w, tileWidth: w, tileHeight: w, tilesAcross: 1, tilesDown: 1 }, x, y, width, height, async () => tile(w), options);
    },
    close() {},
  } as SlideSource & { asked: (RegionOptions | undefined)[] };
}

describe('readScaledRegion', () => {
  it('reads into the memory given when a level gives the output size, and in grayscale when asked', async () => {
    const slide = tiledSlide();
    const into = new Uint8ClampedArray(4 * 4 * 4 + 8).fill(9);
    const out = await readScaledRegion(slide, 0, 0, 8, 8, 4, 4, undefined, { gray: true, into });
    expect(out.data.buffer).toBe(into.buffer);
    expect(Array.from(out.data.subarray(0, 4))).toEqual([60, 60, 60, 255]);
  });

  it('leaves the memory unused when it resamples, and reads in colour by default', async () => {
    const slide = tiledSlide();
    const into = new Uint8ClampedArray(3 * 3 * 4);
    const out = await readScaledRegion(slide, 0, 0, 8, 8, 3, 3, undefined, { into });
    expect(out.data.buffer).not.toBe(into.buffer);
    expect(Array.from(out.data.subarray(0, 4))).toEqual([200, 0, 0, 255]);
    expect(slide.asked.at(-1)?.into).toBeUndefined();
  });
});
