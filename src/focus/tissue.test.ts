import { describe, expect, it } from 'vitest';
import { ImageSlide } from '../slide/image/image-slide.ts';
import { classifyPixel } from './tissue.ts';
import { TissueMap } from './tissue-map.ts';

describe('tissue mask', () => {
  it('tells glass, H&E and pen ink apart', () => {
    expect(classifyPixel(242, 240, 241)).toBe('glass');
    expect(classifyPixel(230, 150, 200)).toBe('tissue'); // eosin pink
    expect(classifyPixel(110, 60, 150)).toBe('tissue'); // haematoxylin purple
    expect(classifyPixel(40, 140, 60)).toBe('pen'); // green marker
    expect(classifyPixel(30, 60, 180)).toBe('pen'); // blue marker
    expect(classifyPixel(15, 15, 20)).toBe('pen'); // black marker
  });

  it('measures the tissue fraction of level-0 rectangles from fixed mask tiles', async () => {
    // 3000×2100: the mask spans two 2048-pixel mask tiles across; the left 1600 columns are tissue, the rest glass.
    const width = 3000;
    const height = 2100;
    const data = new Uint8ClampedArray(width * height * 4).fill(245);
    for (let y = 0; y < height; y++) for (let x = 0; x < 1600; x++) data.set([200, 120, 180, 255], (y * width + x) * 4);
    const map = new TissueMap(ImageSlide.fromPixels('t.png', { width, height, data }));
    expect(await map.fraction({ x: 0, y: 0, width: 235, height: 235 })).toBe(1);
    expect(await map.fraction({ x: 1600, y: 1920, width: 235, height: 180 })).toBe(0);
    expect(await map.fraction({ x: 1480, y: 0, width: 240, height: 240 })).toBeCloseTo(0.5); // 15 of 30 mask columns
    // Across the boundary between mask tiles (x = 2048) and the slide's right and bottom edges.
    expect(await map.fraction({ x: 2000, y: 2000, width: 1000, height: 100 })).toBe(0);
    expect(await map.fraction({ x: 1584, y: 2040, width: 480, height: 60 })).toBeCloseTo(2 / 60);
  });
});
