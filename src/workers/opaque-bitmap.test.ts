import { describe, expect, it } from 'vitest';
import { isOpaque } from './opaque-bitmap.ts';

describe('isOpaque', () => {
  it('is true only when every pixel has alpha 255', () => {
    const img = { width: 3, height: 1, data: new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255]) };
    expect(isOpaque(img)).toBe(true);
    img.data[11] = 254;
    expect(isOpaque(img)).toBe(false);
    img.data[11] = 255;
    img.data[3] = 0;
    expect(isOpaque(img)).toBe(false);
  });
});
