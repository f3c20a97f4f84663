import { describe, expect, it } from 'vitest';
import { gaussianBlurRGB, hash32, syntheticImage, syntheticImageRGB, syntheticPattern, SYNTHETIC_NAMES } from './synthetic-images.ts';
import { readSharedJson } from './shared-data.ts';
import { sharedRoot, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';

describe('synthetic image recipe', () => {
  it('hash wraps like uint32 arithmetic', () => {
    // Computed independently with BigInt modular arithmetic.
    const big = (x: number, y: number, c: number) => {
      const m = 1n << 32n;
      let h = (BigInt(x) * 374761393n + BigInt(y) * 668265263n + BigInt(c) * 2246822519n) % m;
      h = ((h ^ (h >> 13n)) * 1274126177n) % m;
      return Number(h ^ (h >> 16n));
    };
    for (const [x, y, c] of [[0, 0, 0], [1023, 1023, 2], [500, 700, 1], [17, 999, 2]] as const) expect(hash32(x, y, c)).toBe(big(x, y, c));
  });

  it('blur with sigma 0 is the identity and keeps a constant image constant', () => {
    const src = syntheticPattern('noise', 32);
    expect(gaussianBlurRGB(src, 32, 32, 0)).toEqual(src);
    const flat = new Uint8Array(16 * 16 * 3).fill(77);
    expect(gaussianBlurRGB(flat, 16, 16, 2).every((v) => v === 77)).toBe(true);
  });

  it('RGBA variant carries the same pixels with opaque alpha', () => {
    const rgb = syntheticImageRGB('checker_noise', 1, 64);
    const rgba = syntheticImage('checker_noise', 1, 64);
    expect(rgba.data[4 * 100]).toBe(rgb[3 * 100]);
    expect(rgba.data[4 * 100 + 2]).toBe(rgb[3 * 100 + 2]);
    expect(rgba.data[4 * 100 + 3]).toBe(255);
  });
});

const shared = sharedRoot;
(shared ? describe : describe.skip)(shared ? 'synthetic images match ../shared/reference/synthetic-scores.json' : `synthetic images: ${SKIP_SHARED_MESSAGE}`, () => {
  const ref = shared ? (readSharedJson(shared, 'reference/synthetic-scores.json') as Record<string, { pixel_sum: number; pixel_0_0: number[]; pixel_500_700: number[] }>) : {};
  for (const { name, pattern, sigma } of SYNTHETIC_NAMES) {
    it(`${name}: pixel_sum and sample pixels (row, column)`, () => {
      const expected = ref[name];
      expect(expected, `${name} missing from synthetic-scores.json`).toBeDefined();
      const rgb = syntheticImageRGB(pattern, sigma);
      let sum = 0;
      for (const v of rgb) sum += v;
      const px = (row: number, col: number) => Array.from(rgb.subarray((row * 1024 + col) * 3, (row * 1024 + col) * 3 + 3));
      expect(sum).toBe(expected?.pixel_sum);
      expect(px(0, 0)).toEqual(expected?.pixel_0_0);
      expect(px(500, 700)).toEqual(expected?.pixel_500_700);
    });
  }
});
