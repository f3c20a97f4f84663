import { describe, expect, it } from 'vitest';
import { classifyPixel, tissueFraction } from './tissue.ts';

describe('tissue mask', () => {
  it('tells glass, H&E and pen ink apart', () => {
    expect(classifyPixel(242, 240, 241)).toBe('glass');
    expect(classifyPixel(230, 150, 200)).toBe('tissue'); // eosin pink
    expect(classifyPixel(110, 60, 150)).toBe('tissue'); // haematoxylin purple
    expect(classifyPixel(40, 140, 60)).toBe('pen'); // green marker
    expect(classifyPixel(30, 60, 180)).toBe('pen'); // blue marker
    expect(classifyPixel(15, 15, 20)).toBe('pen'); // black marker
  });

  it('measures the tissue fraction of a rectangle', () => {
    const width = 10;
    const data = new Uint8ClampedArray(width * width * 4).fill(245);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 5; x++) data.set([200, 120, 180, 255], (y * width + x) * 4);
    const image = { width, height: width, data };
    expect(tissueFraction(image, 0, 0, 10, 10)).toBeCloseTo(0.5);
    expect(tissueFraction(image, 0, 0, 5, 10)).toBe(1);
    expect(tissueFraction(image, 5, 0, 10, 10)).toBe(0);
  });
});
