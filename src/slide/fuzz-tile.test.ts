// A tile that fails to decode is that tile's failure only (issue 7): a SlideError naming it, while every other tile
// of the slide still reads. Also the decoder-level guards behind that: JPEG 2000 WASM faults, bounded LZW, regions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDemoSlide } from '../writers/demo/demo-slide.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../test-support/shared.ts';
import { BufferSource } from './bytes/blob-source.ts';
import { createJ2kDecoder, type OpenJpegFactory, type OpenJpegModule } from './jp2k/openjpeg.ts';
import { LIMITS } from './limits.ts';
import { nodeCodecs } from './node.ts';
import { openSlide } from './open.ts';
import { entryValues, parseLayout } from '../../test-support/fuzz-mutations.ts';
import { inflateDecode, lzwDecode } from './tiff/lossless.ts';
import { MemorySink, writeTiff } from '../writers/tiff/writer.ts';
import { lzwEncode } from '../writers/tiff/writer-lzw.ts';
import { SlideError, type SlideSource } from './types.ts';

/** Offset and byte count of every tile of the first IFD. */
function level0Tiles(bytes: Uint8Array): { offset: number; count: number }[] {
  const layout = parseLayout(bytes);
  const ifd = layout.ifds[0]!;
  const offsets = entryValues(bytes, layout.le, ifd.entries.find((e) => e.tag === 324));
  const counts = entryValues(bytes, layout.le, ifd.entries.find((e) => e.tag === 325));
  return offsets.map((offset, i) => ({ offset, count: counts[i]! }));
}

async function readError(slide: SlideSource, level: number, x: number, y: number, w: number, h: number): Promise<SlideError> {
  try {
    await slide.readRegion(level, x, y, w, h);
  } catch (err) {
    expect(err).toBeInstanceOf(SlideError);
    return err as SlideError;
  }
  throw new Error(`expected reading level ${level} at ${x},${y} to fail`);
}

/**
 * Corrupts one level-0 tile of `bytes`, then checks: that tile's region fails with a SlideError naming it (twice:
 * nothing is cached as good), and every other tile of level 0 and a region of every other level still read.
 */
async function expectOnlyThatTileFails(name: string, bytes: Uint8Array, index: number, corrupt: (tile: Uint8Array) => void, message: RegExp) {
  const tiles = level0Tiles(bytes);
  const copy = bytes.slice();
  const { offset, count } = tiles[index]!;
  corrupt(copy.subarray(offset, offset + count));
  const slide = await openSlide(new BufferSource(copy, name), nodeCodecs);
  try {
    const level = slide.info.levels[0]!;
    const across = Math.ceil(level.width / level.tileWidth);
    const rect = (i: number) => [(i % across) * level.tileWidth, Math.floor(i / across) * level.tileHeight, level.tileWidth, level.tileHeight] as const;
    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await readError(slide, 0, ...rect(index));
      expect(err.message).toContain(`${name}: tile ${index} of the ${level.width}×${level.height} level failed to decode`);
      expect(err.message).toMatch(message);
    }
    for (let i = 0; i < tiles.length; i++) {
      if (i === index) continue;
      const img = await slide.readRegion(0, ...rect(i));
      expect(img.width * img.height).toBe(level.tileWidth * level.tileHeight);
    }
    for (let l = 1; l < slide.info.levels.length; l++) {
      const { width, height } = slide.info.levels[l]!;
      await slide.readRegion(l, 0, 0, Math.min(width, 300), Math.min(height, 300));
    }
  } finally {
    slide.close();
  }
}

async function syntheticJpegTiff(): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeTiff(sink, createDemoSlide({ width: 520, height: 380, seed: 3 }), { tileSize: 128, compression: 'jpeg' });
  return sink.toBytes();
}

/** Points at the SOF0 marker of a JPEG tile. */
function sofAt(tile: Uint8Array): number {
  const at = tile.findIndex((b, i) => b === 0xff && tile[i + 1] === 0xc0);
  expect(at).toBeGreaterThan(0);
  return at;
}

describe('a corrupted JPEG tile inside an otherwise valid slide', () => {
  it('synthetic JPEG TIFF: the codec rejects tile 6, the other 14 tiles and the lower levels read', async () => {
    const bytes = await syntheticJpegTiff();
    // A well-formed stream our parser accepts, but with a 12-bit precision libjpeg's 8-bit decoder refuses.
    await expectOnlyThatTileFails('synthetic.tif', bytes, 6, (tile) => void (tile[sofAt(tile) + 4] = 12), /JPEG tile failed to decode: .*precision 12/);
  });

  it('synthetic JPEG TIFF: random bytes in place of tile 0 are named as not being JPEG', async () => {
    const bytes = await syntheticJpegTiff();
    await expectOnlyThatTileFails('synthetic.tif', bytes, 0, (tile) => tile.fill(0x5a), /corrupt JPEG tile: it does not start with an SOI marker/);
  });

  it.skipIf(!hasShared)(`CMU-1 SVS (RGB JPEG tiles): a frame larger than the tile is refused before decoding (${hasShared ? 'shared present' : SKIP_SHARED_MESSAGE})`, async () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('slides/CMU-1-Small-Region.svs')));
    await expectOnlyThatTileFails('CMU-1.svs', bytes, 20, (tile) => {
      const at = sofAt(tile);
      tile.set([0x75, 0x30, 0x75, 0x30], at + 5); // 30000×30000: sharp would allocate 3.6 GB
    }, /corrupt JPEG tile: its frame is 30000×30000 pixels but the image's tiles are 240×240/);
  });

  it.skipIf(!hasShared)(`TCGA JPEG 2000 SVS: a corrupt codestream fails alone (${hasShared ? 'shared present' : SKIP_SHARED_MESSAGE})`, async () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('slides/TCGA-CR-7395-jp2k.svs')));
    // Tile 20 is column 2, row 1 (18 tiles across); its neighbours and the other level must still read.
    const tiles = level0Tiles(bytes);
    const copy = bytes.slice();
    const { offset } = tiles[20]!;
    copy.fill(0xaa, offset + 51, offset + 71); // garbage where the COD marker follows SIZ
    const slide = await openSlide(new BufferSource(copy, 'tcga.svs'), nodeCodecs);
    try {
      const err = await readError(slide, 0, 512, 256, 256, 256);
      expect(err.message).toMatch(/^tcga\.svs: tile 20 of the 4443×3567 level failed to decode: JPEG 2000 tile failed to decode: ./);
      for (const [x, y] of [[256, 256], [768, 256], [512, 0], [512, 512]]) await slide.readRegion(0, x!, y!, 256, 256);
      await slide.readRegion(1, 0, 0, 512, 512);
    } finally {
      slide.close();
    }
  });
});

describe('JPEG 2000 decoder faults', () => {
  const require = createRequire(import.meta.url);
  const real = (options: Parameters<OpenJpegFactory>[0]) => (require('@cornerstonejs/codec-openjpeg/decodewasmjs') as OpenJpegFactory)(options);

  it('a WASM trap becomes a SlideError and the next tile gets a fresh module instance', async () => {
    let instances = 0;
    let trap = true;
    // A stand-in module whose decode() traps the way a corrupted WASM heap does.
    const factory: OpenJpegFactory = async () => {
      instances++;
      const module: OpenJpegModule = {
        J2KDecoder: class {
          getEncodedBuffer = (n: number) => new Uint8Array(n);
          decode = () => {
            if (trap) throw new WebAssembly.RuntimeError('unreachable');
          };
          getFrameInfo = () => ({ width: 1, height: 1, bitsPerSample: 8, componentCount: 1, isSigned: false });
          getDecodedBuffer = () => Uint8Array.of(7);
          delete = () => undefined;
        },
      };
      return module;
    };
    const decode = createJ2kDecoder(factory);
    await expect(decode(Uint8Array.of(1, 2, 3), false)).rejects.toThrow(new SlideError('JPEG 2000 tile failed to decode: the decoder aborted (RuntimeError: unreachable).'));
    expect(instances).toBe(1);
    trap = false;
    const img = await decode(Uint8Array.of(1, 2, 3), false);
    expect([img.width, img.height, img.data[0]]).toEqual([1, 1, 7]);
    expect(instances).toBe(2);
  });

  it('the real OpenJPEG module: a 3-byte codestream (a C++ exception) is a SlideError, and decoding goes on', async () => {
    let instances = 0;
    const decode = createJ2kDecoder((options) => {
      instances++;
      return real(options);
    });
    await expect(decode(Uint8Array.of(0xff, 0x4f, 0xff), false)).rejects.toThrow(/^JPEG 2000 tile failed to decode: the decoder aborted \(C\+\+ exception \d+\)\.$/);
    await expect(decode(Uint8Array.of(0xff, 0x4f, 0xff), false)).rejects.toBeInstanceOf(SlideError);
    expect(instances).toBe(2);
  });
});

describe('bounded decoding and regions', () => {
  it('LZW: round-trips the writer, and corrupt codes are an error, not a runaway', () => {
    const data = new Uint8Array(30_000).map((_, i) => (i * 31) ^ (i >> 7));
    const encoded = lzwEncode(data);
    expect(lzwDecode(encoded, data.length)).toEqual(data);
    // Output stops at the tile's size whatever the stream says.
    expect(lzwDecode(encoded, 1000)).toEqual(data.subarray(0, 1000));
    const corrupt = encoded.slice();
    for (let i = 100; i < corrupt.length; i += 97) corrupt[i] = 0xff;
    expect(() => lzwDecode(corrupt, data.length)).toThrow(/corrupt LZW data: code \d+ is not in the dictionary/);
  });

  it('Deflate: round-trips, a zip bomb stops at the tile size, corrupt and truncated streams are specific errors', async () => {
    const data = new Uint8Array(70_000).map((_, i) => (i * 13) ^ (i >> 5));
    const encoded = new Uint8Array(deflateSync(data));
    expect(await inflateDecode(encoded, data.length)).toEqual(data);
    // 48 kB that inflate to 200 MB: only the tile's 65,536 bytes are ever produced.
    const bomb = new Uint8Array(deflateSync(new Uint8Array(200e6)));
    expect(bomb.length).toBeLessThan(250_000);
    const cut = await inflateDecode(bomb, 65_536);
    expect(cut.length).toBe(65_536);
    await expect(inflateDecode(encoded.subarray(0, 500), data.length)).rejects.toThrow(/^corrupt Deflate data: unexpected end of file$/);
    await expect(inflateDecode(new TextEncoder().encode('not deflate at all'), 100)).rejects.toThrow(/^corrupt Deflate data: incorrect header check$/);
  });

  it('regions must be whole pixels and at most LIMITS.maxRegionPixels', async () => {
    const sink = new MemorySink();
    await writeTiff(sink, createDemoSlide({ width: 200, height: 150, seed: 1 }), { tileSize: 64, compression: 'none', layout: 'single' });
    const slide = await openSlide(new BufferSource(sink.toBytes(), 'small.tif'), nodeCodecs);
    expect((await readError(slide, 0, 0, 0, 1 << 15, 1 << 15)).message).toBe(`small.tif: a region of 32768×32768 pixels is more than the ${LIMITS.maxRegionPixels / 2 ** 20} megapixels read at once.`);
    expect((await readError(slide, 0, 0.5, 0, 10, 10)).message).toMatch(/^small\.tif: invalid region 10×10 at \(0\.5, 0\)/);
    expect((await readError(slide, 0, 0, 0, 0, 10)).message).toMatch(/invalid region 0×10/);
    expect((await readError(slide, 3, 0, 0, 10, 10)).message).toBe('small.tif: no level 3.');
    expect((await slide.readRegion(0, 190, 140, 20, 20)).data.length).toBe(20 * 20 * 4);
  });
});
