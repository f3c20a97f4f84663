import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { findOrientation, withoutOrientation } from './exif.ts';

async function jpeg(orientation?: number): Promise<Uint8Array> {
  let s = sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 10, g: 200, b: 90 } } }).jpeg();
  if (orientation) s = s.withMetadata({ orientation });
  return new Uint8Array(await s.toBuffer());
}

describe('EXIF orientation', () => {
  it('finds and neutralises the orientation tag, leaving the input untouched', async () => {
    const rotated = await jpeg(6);
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    expect(findOrientation(rotated)).toBeDefined();
    const fixed = withoutOrientation(rotated);
    expect(fixed).not.toBe(rotated);
    expect((await sharp(fixed).metadata()).orientation).toBe(1);
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    expect(fixed.length).toBe(rotated.length);
    // The pixels are the same stream: only the two bytes of the tag differ.
    expect(fixed.reduce((n, b, i) => n + (b !== rotated[i] ? 1 : 0), 0)).toBe(1);
  });

  it('returns files without orientation, or with 1, as they are', async () => {
    const plain = await jpeg();
    expect(withoutOrientation(plain)).toBe(plain);
    const upright = await jpeg(1);
    expect(withoutOrientation(upright)).toBe(upright);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(withoutOrientation(png)).toBe(png);
  });

  it('survives truncated and malformed files', async () => {
    const rotated = await jpeg(6);
    for (const n of [2, 4, 10, 20, 30, 40]) expect(() => withoutOrientation(rotated.subarray(0, n))).not.toThrow();
    expect(withoutOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01]))).toHaveLength(6);
  });
});
