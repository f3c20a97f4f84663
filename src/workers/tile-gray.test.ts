import { describe, expect, it } from 'vitest';
import { grayscaleInPlace } from './tile-gray.ts';

describe('grayscaleInPlace', () => {
  it('replaces red, green and blue by their Rec. 709 luma and keeps alpha', () => {
    const px = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255, 10, 20, 30, 255]);
    grayscaleInPlace(px);
    expect(Array.from(px)).toEqual([54, 54, 54, 255, 182, 182, 182, 128, 19, 19, 19, 0, 255, 255, 255, 255, 19, 19, 19, 255]);
  });
});
