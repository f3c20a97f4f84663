import { describe, expect, it } from 'vitest';
import { adobeTransform, jpegFrameInfo, jpegSegments, markAsRgb, spliceJpegTables } from './stream.ts';

const seg = (marker: number, payload: number[]) => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
const SOF0 = seg(0xc0, [8, 0, 16, 0, 32, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
const SOS = seg(0xda, [3, 1, 0, 2, 0, 3, 0, 0, 63, 0]);
const DQT = seg(0xdb, [0, ...Array(64).fill(1)]);
const JFIF = seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);

describe('JPEG stream fix-ups', () => {
  it('splices shared tables in front of an abbreviated tile stream', () => {
    const tables = Uint8Array.of(0xff, 0xd8, ...DQT, 0xff, 0xd9);
    const tile = Uint8Array.of(0xff, 0xd8, ...SOF0, ...SOS, 1, 2, 3, 0xff, 0xd9);
    const out = spliceJpegTables(tables, tile);
    expect(Array.from(out)).toEqual([0xff, 0xd8, ...DQT, ...SOF0, ...SOS, 1, 2, 3, 0xff, 0xd9]);
    expect(jpegSegments(out).map((s) => s.marker)).toEqual([0xdb, 0xc0, 0xda]);
    expect(jpegFrameInfo(out)).toEqual({ width: 32, height: 16, components: 3 });
  });

  it('leaves streams alone when there are no tables', () => {
    const tile = Uint8Array.of(0xff, 0xd8, ...SOF0, ...SOS, 0xff, 0xd9);
    expect(spliceJpegTables(undefined, tile)).toBe(tile);
  });

  it('marks RGB streams with an Adobe transform-0 marker and drops JFIF', () => {
    const plain = Uint8Array.of(0xff, 0xd8, ...SOF0, ...SOS, 0xff, 0xd9);
    expect(adobeTransform(plain)).toBeUndefined();
    const marked = markAsRgb(plain);
    expect(adobeTransform(marked)).toBe(0);
    expect(jpegFrameInfo(marked)).toEqual({ width: 32, height: 16, components: 3 });

    const withJfif = Uint8Array.of(0xff, 0xd8, ...JFIF, ...SOF0, ...SOS, 0xff, 0xd9);
    const markedJfif = markAsRgb(withJfif);
    expect(jpegSegments(markedJfif).map((s) => s.marker)).toEqual([0xee, 0xc0, 0xda]);
    expect(markAsRgb(marked)).toBe(marked);
  });

  it('rejects streams that are not JPEG', () => {
    expect(() => jpegSegments(Uint8Array.of(1, 2, 3, 4))).toThrow(/SOI/);
    expect(() => spliceJpegTables(Uint8Array.of(0xff, 0xd8, ...DQT, 0xff, 0xd9), Uint8Array.of(0, 0, 0))).toThrow(/SOI/);
  });
});
