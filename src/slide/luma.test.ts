import { describe, expect, it } from 'vitest';
import { lumaInPlace, lumaRowsToRgba } from './luma.ts';

describe('lumaInPlace', () => {
  it("replaces red, green and blue by libjpeg's Rec. 601 luma and keeps alpha", () => {
    const img = { width: 5, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255, 10, 20, 30, 255]) };
    lumaInPlace(img);
    expect(Array.from(img.data)).toEqual([76, 76, 76, 255, 150, 150, 150, 128, 29, 29, 29, 0, 255, 255, 255, 255, 18, 18, 18, 255]);
  });

  it('changes only the rectangle asked for, clipped to the image', () => {
    const img = { width: 3, height: 2, data: new Uint8ClampedArray(3 * 2 * 4).fill(0) };
    for (let i = 0; i < img.data.length; i += 4) img.data.set([200, 0, 0, 255], i);
    lumaInPlace(img, 1, 1, 9, 9);
    const red = [200, 0, 0, 255];
    const gray = [60, 60, 60, 255];
    expect(Array.from(img.data)).toEqual([...red, ...red, ...red, ...red, ...gray, ...gray]);
  });
});

describe('lumaRowsToRgba', () => {
  const plane = Uint8Array.from([9, 9, 1, 2, 3, 4, 5, 6, 9]); // rows of stride 3 from offset 2: [1 2 3], [4 5 6]

  it('writes opaque gray rows at a stride, aligned or not', () => {
    for (const outAt of [0, 1, 4]) {
      const out = new Uint8ClampedArray(outAt + 2 * 16).fill(7);
      lumaRowsToRgba(plane, 2, 3, 2, 2, out, outAt, 16);
      const expected = new Uint8ClampedArray(out.length).fill(7);
      expected.set([1, 1, 1, 255, 2, 2, 2, 255], outAt);
      expected.set([4, 4, 4, 255, 5, 5, 5, 255], outAt + 16);
      expect(Array.from(out), `outAt ${outAt}`).toEqual(Array.from(expected));
    }
  });
});
