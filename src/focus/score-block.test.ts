import { describe, expect, it } from 'vitest';
import type { RegionOptions, RGBAImage, SlideSource } from '../slide/types.ts';
import { scoreBlock } from './score-block.ts';
import { slideGrid } from './slide-grid.ts';

/**
 * A one-level 1024² slide: above y = 512 tissue (pink) left of x = 300 only and glass (white) beyond, below it tissue
 * everywhere. Records the memory each level-0 read was given.
 */
function fakeSlide(): { slide: SlideSource; reads: (Uint8ClampedArray | undefined)[] } {
  const reads: (Uint8ClampedArray | undefined)[] = [];
  const slide: SlideSource = {
    info: { name: 'fake', format: 'tiff', vendor: 'test', compression: 'none', levels: [{ width: 1024, height: 1024, tileWidth: 256, tileHeight: 256, downsample: 1 }] },
    async readRegion(_level: number, x: number, y: number, width: number, height: number, _signal?: AbortSignal, options?: RegionOptions): Promise<RGBAImage> {
      if (options?.needed) reads.push(options.into);
      const size = width * height * 4;
      const data = options?.into && options.into.length >= size ? options.into.subarray(0, size) : new Uint8ClampedArray(size);
      for (let row = 0; row < height; row++) {
        for (let col = 0; col < width; col++) data.set(y + row >= 512 || x + col < 300 ? [200, 120, 160, 255] : [255, 255, 255, 255], (row * width + col) * 4);
      }
      return { width, height, data };
    },
    close() {},
  };
  return { slide, reads };
}

describe('scoreBlock', () => {
  it('reads blocks of one group shape into the same kept memory, whichever of their cells hold tissue', async () => {
    const { slide, reads } = fakeSlide();
    const grid = slideGrid(1024, 1024);
    const score = async (_img: RGBAImage, corners: readonly { x: number; y: number }[]) => new Float32Array(corners.length);
    const group = (row: number) => [0, 1, 2, 3].flatMap((col) => [row * grid.cols + col, (row + 1) * grid.cols + col]);
    // Rows 0–1: the right column is glass, so the block read is narrower; rows 4–5: all tissue, the full width. The
    // second block must fit in the memory the first was given.
    const first = await scoreBlock(slide, grid, group(0), score);
    expect([...first.scores].filter(Number.isNaN)).toHaveLength(2);
    const second = await scoreBlock(slide, grid, group(4), score);
    expect([...second.scores].filter(Number.isNaN)).toHaveLength(0);
    expect(reads).toHaveLength(2);
    expect(reads[0]).toBeDefined();
    expect(reads[1] === reads[0]).toBe(true); // not toBe on the arrays: a failure would print megabytes
  });
});
