import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeoTIFFImage, fromArrayBuffer, type GeoTIFF } from 'geotiff';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeToRgba } from '../../../test-support/encode-image.ts';
import { createDemoSlide, type DemoSlide } from '../demo/demo-slide.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { MemorySink, pyramidLevelSizes, writeTiff, writeTiffFile, type RowSource, type TiffWriterOptions } from './writer.ts';

// 1000 × 700: neither side a multiple of the tile size, so edge tiles need padding; levels 1000, 500, 250.
const W = 1000;
const H = 700;
let slide: DemoSlide;
let full: RGBAImage;

beforeAll(() => {
  slide = createDemoSlide({ width: W, height: H, seed: 11 });
  full = slide.render(0, 0, W, H);
});

async function write(options: TiffWriterOptions, source: RowSource = slide): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeTiff(sink, source, options);
  return sink.toBytes();
}

async function open(bytes: Uint8Array): Promise<GeoTIFF> {
  return fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

async function images(tiff: GeoTIFF): Promise<GeoTIFFImage[]> {
  const n = await tiff.getImageCount();
  return Promise.all(Array.from({ length: n }, (_, i) => tiff.getImage(i)));
}

/** Decoded RGB of a whole image as RGBA. */
async function decode(image: GeoTIFFImage): Promise<RGBAImage> {
  const width = image.getWidth();
  const height = image.getHeight();
  const rgb = (await image.readRGB({ interleave: true })) as unknown as ArrayLike<number>;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = rgb[i * 3] ?? 0;
    data[i * 4 + 1] = rgb[i * 3 + 1] ?? 0;
    data[i * 4 + 2] = rgb[i * 3 + 2] ?? 0;
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

function meanAbsDiff(a: RGBAImage, b: RGBAImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    for (let c = 0; c < 3; c++) sum += Math.abs((a.data[i * 4 + c] ?? 0) - (b.data[i * 4 + c] ?? 0));
  }
  return sum / (a.width * a.height * 3);
}

/** Reference 2×2 mean, rounded half up; an odd last row or column is averaged with itself. */
function boxHalf(image: RGBAImage): RGBAImage {
  const width = Math.ceil(image.width / 2);
  const height = Math.ceil(image.height / 2);
  const data = new Uint8ClampedArray(width * height * 4);
  const at = (x: number, y: number, k: number) =>
    image.data[(Math.min(y, image.height - 1) * image.width + Math.min(x, image.width - 1)) * 4 + k] ?? 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 4; k++) {
        const sum = at(2 * x, 2 * y, k) + at(2 * x + 1, 2 * y, k) + at(2 * x, 2 * y + 1, k) + at(2 * x + 1, 2 * y + 1, k);
        data[(y * width + x) * 4 + k] = Math.floor(sum / 4 + 0.5);
      }
    }
  }
  return { width, height, data };
}

function tag(image: GeoTIFFImage, name: string): unknown {
  return (image.fileDirectory as unknown as { getValue(n: string): unknown }).getValue(name);
}

describe('pyramidal TIFF writer', () => {
  it('writes every level in the IFD chain: sizes, 256² JPEG YCbCr tiles, reduced-resolution flags, metadata', async () => {
    const bytes = await write({ quality: 90, description: 'FocusLite demo slide|MPP = 0.5', software: 'test' });
    expect([...bytes.subarray(0, 4)]).toEqual([0x49, 0x49, 42, 0]);
    const levels = await images(await open(bytes));
    expect(levels.map((l) => [l.getWidth(), l.getHeight()])).toEqual([
      [1000, 700],
      [500, 350],
      [250, 175],
    ]);
    levels.forEach((level, i) => {
      expect([level.getTileWidth(), level.getTileHeight()]).toEqual([256, 256]);
      expect(tag(level, 'Compression')).toBe(7);
      expect(tag(level, 'PhotometricInterpretation')).toBe(6);
      expect(tag(level, 'NewSubfileType')).toBe(i === 0 ? 0 : 1);
      expect(Array.from(tag(level, 'YCbCrSubSampling') as number[])).toEqual([2, 2]);
      expect(tag(level, 'ResolutionUnit')).toBe(3);
      const [num, den] = tag(level, 'XResolution') as [number, number];
      // Pixels per cm: 20000 at level 0 (0.5 µm/px), scaled by the level's size.
      expect(num / den).toBeCloseTo((20000 * level.getWidth()) / W, 6);
      const tables = tag(level, 'JPEGTables') as Uint8Array;
      expect([tables[0], tables[1], tables[tables.length - 2], tables[tables.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    });
    // ASCII values end in NUL as the TIFF spec asks (geotiff keeps it).
    expect(tag(levels[0] as GeoTIFFImage, 'ImageDescription')).toBe('FocusLite demo slide|MPP = 0.5\0');
    expect(tag(levels[0] as GeoTIFFImage, 'Software')).toBe('test\0');
    expect(tag(levels[1] as GeoTIFFImage, 'ImageDescription')).toBeUndefined();
    // All directories sit before the first tile, so a reader finds the metadata in the first bytes.
    const offsets = Array.from(tag(levels[0] as GeoTIFFImage, 'TileOffsets') as number[], Number);
    expect(Math.min(...offsets)).toBeLessThan(8192);
  });

  it('stores level 0 pixels within JPEG error, edge tiles included', async () => {
    const levels = await images(await open(await write({ quality: 95 })));
    const decoded = await decode(levels[0] as GeoTIFFImage);
    expect(meanAbsDiff(decoded, full)).toBeLessThan(4.5);
    // The bottom-right (padded) tile on its own.
    const x = 768;
    const y = 512;
    const part = (await levels[0]?.readRGB({ window: [x, y, W, H], interleave: true })) as unknown as ArrayLike<number>;
    let sum = 0;
    for (let r = 0; r < H - y; r++) {
      for (let c = 0; c < W - x; c++) {
        for (let k = 0; k < 3; k++) sum += Math.abs((part[(r * (W - x) + c) * 3 + k] ?? 0) - (full.data[((y + r) * W + x + c) * 4 + k] ?? 0));
      }
    }
    expect(sum / ((W - x) * (H - y) * 3)).toBeLessThan(4.5);
  });

  it('pads edge tiles to the full tile size by repeating the last column and row', async () => {
    const tiff = await open(await write({ quality: 95 }));
    const level = await tiff.getImage(0);
    const offsets = Array.from(tag(level, 'TileOffsets') as number[], Number);
    const counts = Array.from(tag(level, 'TileByteCounts') as number[], Number);
    const bytes = await write({ quality: 95, jpegTables: false });
    const plain = await images(await open(bytes));
    const plainOffsets = Array.from(tag(plain[0] as GeoTIFFImage, 'TileOffsets') as number[], Number);
    const plainCounts = Array.from(tag(plain[0] as GeoTIFFImage, 'TileByteCounts') as number[], Number);
    expect(offsets.length).toBe(4 * 3);
    // Last tile (row 2, column 3): columns 1000–1023 and rows 700–767 are padding.
    const i = 11;
    const tile = await decodeToRgba(bytes.subarray(plainOffsets[i], (plainOffsets[i] ?? 0) + (plainCounts[i] ?? 0)));
    expect([tile.width, tile.height]).toEqual([256, 256]);
    let sum = 0;
    let n = 0;
    for (let r = 0; r < 180; r++) {
      const last = (r * 256 + (W - 768 - 1)) * 4;
      for (let c = W - 768 + 4; c < 256; c += 8) {
        for (let k = 0; k < 3; k++) sum += Math.abs((tile.data[(r * 256 + c) * 4 + k] ?? 0) - (tile.data[last + k] ?? 0));
        n += 3;
      }
    }
    expect(sum / n).toBeLessThan(6);
    // The abbreviated tiles of the shared-tables file carry no tables of their own.
    const abbreviated = (await readFirstMarkers(await write({ quality: 95 }), offsets[0] ?? 0)).join(',');
    expect(abbreviated).not.toMatch(/db|c4/);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('builds each lower level as the 2×2 box average of the level above', async () => {
    // Exactly, when nothing is lost in compression…
    const lossless = await images(await open(await write({ compression: 'deflate' })));
    const exact1 = await decode(lossless[1] as GeoTIFFImage);
    expect(meanAbsDiff(exact1, boxHalf(full))).toBe(0);
    expect(meanAbsDiff(await decode(lossless[2] as GeoTIFFImage), boxHalf(exact1))).toBe(0);
    // …and within JPEG error otherwise, clearly closer than plain decimation would be.
    const levels = await images(await open(await write({ quality: 95 })));
    const l0 = await decode(levels[0] as GeoTIFFImage);
    const l1 = await decode(levels[1] as GeoTIFFImage);
    const l2 = await decode(levels[2] as GeoTIFFImage);
    for (const [lower, upper] of [
      [l1, l0],
      [l2, l1],
    ] as const) {
      const box = meanAbsDiff(lower, boxHalf(upper));
      expect(box).toBeLessThan(4);
      expect(box).toBeLessThan(0.85 * meanAbsDiff(lower, decimate(upper)));
    }
  });

  it('writes lossless layouts that decode to exactly the source pixels', async () => {
    for (const compression of ['none', 'deflate', 'lzw'] as const) {
      const levels = await images(await open(await write({ compression })));
      expect(levels).toHaveLength(3);
      expect(tag(levels[0] as GeoTIFFImage, 'Compression')).toBe({ none: 1, deflate: 8, lzw: 5 }[compression]);
      expect(tag(levels[0] as GeoTIFFImage, 'PhotometricInterpretation')).toBe(2);
      expect(meanAbsDiff(await decode(levels[0] as GeoTIFFImage), full), compression).toBe(0);
      expect(meanAbsDiff(await decode(levels[2] as GeoTIFFImage), boxHalf(boxHalf(full))), compression).toBe(0);
    }
  });

  it('writes a single-level stripped TIFF', async () => {
    const levels = await images(await open(await write({ compression: 'lzw', layout: 'single', rowsPerStrip: 64 })));
    expect(levels).toHaveLength(1);
    const level = levels[0] as GeoTIFFImage;
    expect(level.isTiled).toBe(false);
    expect(tag(level, 'RowsPerStrip')).toBe(64);
    expect((tag(level, 'StripOffsets') as number[]).length).toBe(Math.ceil(H / 64));
    expect(meanAbsDiff(await decode(level), full)).toBe(0);
    const jpegStrips = await images(await open(await write({ layout: 'single', rowsPerStrip: 32, quality: 95 })));
    expect(meanAbsDiff(await decode(jpegStrips[0] as GeoTIFFImage), full)).toBeLessThan(4.5);
  });

  it('puts the reduced levels in SubIFDs for the OME-style layout', async () => {
    const tiff = await open(await write({ layout: 'subifd', quality: 90 }));
    expect(await tiff.getImageCount()).toBe(1);
    const main = await tiff.getImage(0);
    const subIfds = Array.from(tag(main, 'SubIFDs') as number[], Number);
    expect(subIfds).toHaveLength(2);
    const subs = await Promise.all(
      subIfds.map(async (offset) => new GeoTIFFImage(await tiff.parser.parseFileDirectoryAt(offset), true, false, tiff.source)),
    );
    expect(subs.map((s) => [s.getWidth(), s.getHeight(), tag(s, 'NewSubfileType')])).toEqual([
      [500, 350, 1],
      [250, 175, 1],
    ]);
    expect(meanAbsDiff(await decode(subs[1] as GeoTIFFImage), boxHalf(boxHalf(full)))).toBeLessThan(4.5);
  });

  it('writes BigTIFF on request, readable the same way', async () => {
    const bytes = await write({ bigTiff: true, quality: 95 });
    expect([...bytes.subarray(0, 4)]).toEqual([0x49, 0x49, 43, 0]);
    const levels = await images(await open(bytes));
    expect(levels.map((l) => l.getWidth())).toEqual([1000, 500, 250]);
    expect(meanAbsDiff(await decode(levels[1] as GeoTIFFImage), boxHalf(full))).toBeLessThan(4.5);
  });

  it('is deterministic: the same slide gives the same bytes, another seed other bytes', async () => {
    const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const a = hash(await write({}));
    const b = hash(await write({}, createDemoSlide({ width: W, height: H, seed: 11 })));
    const c = hash(await write({}, createDemoSlide({ width: W, height: H, seed: 12 })));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('streams to a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'focuslite-writer-'));
    try {
      const path = join(dir, 'x.tif');
      const summary = await writeTiffFile(path, slide, { quality: 80 });
      const bytes = new Uint8Array(await readFile(path));
      expect(bytes.length).toBe(summary.bytes);
      expect(summary.levels.map((l) => l.tiles)).toEqual([12, 4, 1]);
      expect(Buffer.from(bytes).equals(Buffer.from(await write({ quality: 80 })))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('halves down to one tile and rejects bad sources', async () => {
    expect(pyramidLevelSizes(20480, 20480, 256, 'chain').map((s) => s.width)).toEqual([20480, 10240, 5120, 2560, 1280, 640, 320, 160]);
    expect(pyramidLevelSizes(257, 3, 256, 'chain')).toEqual([
      { width: 257, height: 3 },
      { width: 129, height: 2 },
    ]);
    const liar: RowSource = { width: 64, height: 64, readRows: (_y, h) => ({ width: 32, height: h, data: new Uint8ClampedArray(32 * h * 4) }) };
    await expect(write({}, liar)).rejects.toThrow(/expected 64×64/);
    await expect(write({ quality: 0 })).rejects.toThrow(/quality/);
    await expect(write({ rowsPerStrip: 64 })).rejects.toThrow(/single/);
  });
});

/** JPEG marker codes (hex) of the stream at `offset`, up to the start of scan. */
async function readFirstMarkers(bytes: Uint8Array, offset: number): Promise<string[]> {
  const markers: string[] = [];
  let at = offset + 2;
  while (at < bytes.length && bytes[at] === 0xff) {
    const m = bytes[at + 1] ?? 0;
    markers.push(m.toString(16));
    if (m === 0xda) break;
    at += 2 + (((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
  }
  return markers;
}


function decimate(image: RGBAImage): RGBAImage {
  const width = Math.ceil(image.width / 2);
  const height = Math.ceil(image.height / 2);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let k = 0; k < 4; k++) data[(y * width + x) * 4 + k] = image.data[(2 * y * image.width + 2 * x) * 4 + k] ?? 0;
  return { width, height, data };
}
