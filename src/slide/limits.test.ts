// Every input limit in limits.ts, at the limit and just past it. The headers declare the sizes (tile counts, pixels,
// value lengths) without the file holding them, so nothing large is allocated except where a read at the limit
// must really happen (one 128 MiB tag value). At the limit the file opens (or, where the next step would need the
// declared gigabytes, passes that check); past it, the specific SlideError naming the limit. The fuzz tests count any
// refusal as clean; this table pins each.
import { describe, expect, it, vi } from 'vitest';
import { buildRawTiff, type RawEntry } from '../../test-support/tiff-fixture.ts';
import { BufferSource } from './bytes/blob-source.ts';
import { blankImage, type Codecs } from './codecs.ts';
import { ImageSlide } from './image/image-slide.ts';
import { LIMITS } from './limits.ts';
import { nodeCodecs } from './node.ts';
import { checkRegion } from './region.ts';
import { TiffReader } from './tiff/ifd.ts';
import { Tag } from './tiff/tags.ts';
import { readTiffImage } from './tiff/tiff-image.ts';
import { TiffSlide } from './tiff/tiff-slide.ts';
import { SlideError, type ByteSource } from './types.ts';

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;
const MiB = 2 ** 20;

const long = (tag: number, value: number): RawEntry => ({ tag, type: LONG, count: 1, value });
const short = (tag: number, value: number): RawEntry => ({ tag, type: SHORT, count: 1, value });

interface RgbOptions {
  width: number;
  height: number;
  /** Tile width × height; without it the image is in strips of `rowsPerStrip` (default: one strip). */
  tile?: [number, number];
  rowsPerStrip?: number;
  /** Tile/strip byte counts (default: all 0, i.e. empty tiles); their offsets point at the data given here. */
  tileData?: Uint8Array;
  /** Declare this many offsets and byte counts without storing them (for readTiffImage alone). */
  declaredTiles?: number;
  extra?: RawEntry[];
}

/** An uncompressed 8-bit RGB image directory. */
function rgbIfd(o: RgbOptions): RawEntry[] {
  const [tw, th] = o.tile ?? [o.width, Math.min(o.rowsPerStrip ?? o.height, o.height)];
  const count = o.declaredTiles ?? Math.ceil(o.width / tw) * Math.ceil(o.height / th);
  const offsetsTag = o.tile ? Tag.TileOffsets : Tag.StripOffsets;
  const countsTag = o.tile ? Tag.TileByteCounts : Tag.StripByteCounts;
  const arrays: RawEntry[] =
    o.declaredTiles !== undefined
      ? [{ tag: offsetsTag, type: LONG, count, value: 8 }, { tag: countsTag, type: LONG, count, value: 8 }]
      : o.tileData
        ? [{ tag: offsetsTag, type: LONG, count: 1, data: o.tileData }, long(countsTag, o.tileData.length)]
        : [{ tag: offsetsTag, type: LONG, count, data: new Uint8Array(4 * count) }, { tag: countsTag, type: LONG, count, data: new Uint8Array(4 * count) }];
  return [
    long(Tag.ImageWidth, o.width),
    long(Tag.ImageLength, o.height),
    short(Tag.BitsPerSample, 8),
    short(Tag.Compression, 1),
    short(Tag.PhotometricInterpretation, 2),
    short(Tag.SamplesPerPixel, 3),
    ...(o.tile ? [long(Tag.TileWidth, o.tile[0]), long(Tag.TileLength, o.tile[1])] : o.rowsPerStrip ? [long(Tag.RowsPerStrip, o.rowsPerStrip)] : []),
    ...arrays,
    ...(o.extra ?? []),
  ];
}

const openTiff = (ifds: RawEntry[][]) => TiffSlide.open(new BufferSource(buildRawTiff(ifds), 'limits.tif'), nodeCodecs);

async function readFirstImage(ifd: RawEntry[]) {
  const reader = await TiffReader.open(new BufferSource(buildRawTiff([ifd]), 'limits.tif'));
  return readTiffImage(reader, await reader.readIfd(reader.firstIfd));
}

/** A file of `size` bytes that starts with `head` and reads as zeros after it, without holding them. */
function zeroTail(head: Uint8Array, size: number, name = 'limits.tif'): ByteSource {
  return {
    name,
    size,
    async read(offset: number, length: number) {
      const out = new Uint8Array(length);
      if (offset < head.length) out.set(head.subarray(offset, Math.min(head.length, offset + length)));
      return out;
    },
  };
}

/** A PNG signature and IHDR declaring width × height; the image data is never reached by these tests. */
function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  const v = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  v.setUint32(16, width);
  v.setUint32(20, height);
  bytes.set([8, 6], 24);
  return bytes;
}

/** Codecs whose whole-image decoder stands in for a real one: a 1×1 image, so reaching it means the check passed. */
function stubCodecs() {
  const image = vi.fn(async () => blankImage(1, 1));
  return { codecs: { ...nodeCodecs, image } satisfies Codecs, image };
}

async function openPlainImage(width: number, height: number) {
  const { codecs, image } = stubCodecs();
  const slide = await ImageSlide.open(new BufferSource(pngHeader(width, height), 'limits.png'), codecs);
  expect(image).toHaveBeenCalledOnce();
  return slide;
}

async function openPlainImageOfSize(size: number) {
  const { codecs } = stubCodecs();
  const head = pngHeader(1, 1);
  return ImageSlide.open({ name: 'limits.png', size, read: async () => head }, codecs);
}

/** A tag value of `count` bytes, read through the reader. */
async function readValue(count: number) {
  const head = buildRawTiff([[...rgbIfd({ width: 16, height: 16 }), { tag: Tag.JPEGTables, type: UNDEFINED, count, value: 8 }]]);
  const reader = await TiffReader.open(zeroTail(head, head.length + count));
  return reader.bytes(await reader.readIfd(reader.firstIfd), Tag.JPEGTables);
}

/** A 16×16 RGB tile stored in `count` bytes (its pixels, then zeros), decoded. */
async function readTileOfBytes(count: number) {
  const slide = await openTiff([rgbIfd({ width: 16, height: 16, tile: [16, 16], tileData: new Uint8Array(count).fill(7, 0, 768) })]);
  return slide.tile(0, 0, 0);
}

const filler = (n: number): RawEntry[] => Array.from({ length: n }, (_, i) => short(50_000 + i, 0));
const junkIfds = (n: number): RawEntry[][] => Array.from({ length: n }, () => [long(Tag.ImageWidth, 1)]);
const base = () => rgbIfd({ width: 16, height: 16 });

interface Case {
  limit: keyof typeof LIMITS;
  what: string;
  /** Resolves: the file opens, or the value passes this check. */
  at: () => Promise<unknown>;
  /** Rejects with a SlideError matching `refused`. */
  past: () => Promise<unknown>;
  refused: RegExp;
}

const side = LIMITS.maxSide;
const CASES: Case[] = [
  {
    limit: 'maxSide',
    what: `image width ${side} vs ${side + 1}`,
    at: async () => expect((await openTiff([rgbIfd({ width: side, height: 16, tile: [65536, 16] })])).info.levels[0]!.width).toBe(side),
    past: () => openTiff([rgbIfd({ width: side + 1, height: 16, tile: [65536, 16] })]),
    refused: new RegExp(`image size ${side + 1}×16 exceeds the supported maximum of ${side}×${side} pixels`),
  },
  {
    // 2^24 + 1 = 97 × 172961: tiles of one pixel.
    limit: 'maxTilesPerImage',
    what: '4096 × 4096 tiles vs 97 × 172961',
    at: async () => {
      const image = await readFirstImage(rgbIfd({ width: 4096, height: 4096, tile: [1, 1], declaredTiles: 2 ** 24 }));
      expect(image.tilesAcross * image.tilesDown).toBe(LIMITS.maxTilesPerImage);
    },
    past: () => readFirstImage(rgbIfd({ width: 97, height: 172961, tile: [1, 1], declaredTiles: 2 ** 24 + 1 })),
    refused: /needs 16777217 tiles, more than the supported 16777216/,
  },
  {
    limit: 'maxTileSide',
    what: 'tile width 65536 vs 65537',
    at: () => openTiff([rgbIfd({ width: 65536, height: 16, tile: [65536, 16] })]),
    past: () => openTiff([rgbIfd({ width: 65537, height: 16, tile: [65537, 16] })]),
    refused: /tile size 65537×16 \(at most 65536 a side\)/,
  },
  {
    limit: 'maxTileSide',
    what: 'tile height 65536 vs 65537',
    at: () => openTiff([rgbIfd({ width: 16, height: 65536, tile: [16, 65536] })]),
    past: () => openTiff([rgbIfd({ width: 16, height: 65537, tile: [16, 65537] })]),
    refused: /tile size 16×65537 \(at most 65536 a side\)/,
  },
  {
    // 2^28 + 1 and 2^28 + 2 cannot be declared within the other limits; 2^28 + 2 = 162 × 1657009 can.
    limit: 'maxTilePixels',
    what: 'strips of 128 × 2097152 vs 162 × 1657009 pixels',
    at: () => openTiff([rgbIfd({ width: 128, height: 2097152, rowsPerStrip: 2097152 })]),
    past: () => openTiff([rgbIfd({ width: 162, height: 1657009, rowsPerStrip: 1657009 })]),
    refused: /strips of 162×1657009 pixels exceed the supported maximum of 256 megapixels/,
  },
  {
    limit: 'tileBytesSlack',
    what: `a 16×16 RGB tile of 2 × 768 + 1 MiB bytes vs one more`,
    at: async () => expect((await readTileOfBytes(2 * 768 + MiB))!.data[0]).toBe(7),
    past: () => readTileOfBytes(2 * 768 + MiB + 1),
    refused: /tile 0 of the 16×16 level failed to decode: its byte count \(1050113\) is more than a 16×16 tile can need/,
  },
  {
    limit: 'maxIfds',
    what: '4096 image directories vs 4097',
    at: async () => expect((await openTiff([base(), ...junkIfds(4095)])).info.warnings).toHaveLength(4095),
    past: () => openTiff([base(), ...junkIfds(4096)]),
    refused: /corrupt file: more than 4096 image directories/,
  },
  {
    limit: 'maxEntriesPerIfd',
    what: '1024 entries in a directory vs 1025',
    at: () => openTiff([[...base(), ...filler(1024 - base().length)]]),
    past: () => openTiff([[...base(), ...filler(1025 - base().length)]]),
    refused: /\(1025 entries, more than the 1024 supported\)/,
  },
  {
    limit: 'maxValueBytes',
    what: 'a tag value of 128 MiB vs one byte more',
    at: async () => expect((await readValue(128 * MiB))!.length).toBe(128 * MiB),
    past: () => readValue(128 * MiB + 1),
    refused: /tag 347 claims 134217729 values \(134217729 bytes, more than the 128 MiB limit\)/,
  },
  {
    // 2^28 + 1 = 17 × 15790321.
    limit: 'maxImagePixels',
    what: 'a PNG of 16384 × 16384 vs 17 × 15790321 pixels',
    at: () => openPlainImage(16384, 16384),
    past: () => openPlainImage(17, 15790321),
    refused: /17×15790321 is too large for a plain image \(at most 256 megapixels\)/,
  },
  {
    limit: 'maxImageFileBytes',
    what: 'a plain image file of 1 GiB vs one byte more',
    at: async () => expect((await openPlainImageOfSize(1024 * MiB)).info.byteLength).toBe(1024 * MiB),
    past: () => openPlainImageOfSize(1024 * MiB + 1),
    refused: /a 1024 MiB plain image is more than the 1024 MiB read whole/,
  },
  {
    // 2^29 + 1 = 3 × 178956971.
    limit: 'maxRegionPixels',
    what: 'a region of 32768 × 16384 vs 3 × 178956971 pixels',
    at: async () => checkRegion('limits.tif', 0, 0, 32768, 16384),
    past: async () => checkRegion('limits.tif', 0, 0, 3, 178956971),
    refused: /a region of 3×178956971 pixels is more than the 512 megapixels read at once/,
  },
];

describe('input limits: at the limit accepted, past it refused by name', () => {
  it.each(CASES)('$limit: $what', async ({ at, past, refused }) => {
    await at();
    const error = await past().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(refused);
  });

  it('maxSubIfds: 64 SubIFDs are read, a 65th is not (it is ignored, not refused)', async () => {
    // SubIFD offsets past the end of the file: each one read becomes a "reduced level skipped" warning.
    const subIfds = (n: number): RawEntry => ({ tag: Tag.SubIFDs, type: LONG, count: n, data: new Uint8Array(Uint32Array.from({ length: n }, (_, i) => 0x7000_0000 + 2 * i).buffer) });
    const skipped = async (n: number) => ((await openTiff([[...base(), subIfds(n)]])).info.warnings ?? []).filter((w) => w.startsWith('reduced level skipped')).length;
    expect(await skipped(LIMITS.maxSubIfds)).toBe(64);
    expect(await skipped(LIMITS.maxSubIfds + 1)).toBe(64);
  });

  it('covers every limit in limits.ts', () => {
    const covered = new Set<string>([...CASES.map((c) => c.limit), 'maxSubIfds']);
    expect(Object.keys(LIMITS).filter((k) => !covered.has(k))).toEqual([]);
  });
});
