import { describe, expect, it } from 'vitest';
import { BufferSource } from '../bytes/blob-source.ts';
import type { Codecs } from '../codecs.ts';
import { openSlide } from '../open.ts';
import { SlideError } from '../types.ts';
import { buildTiff, rgbImage } from '../../../test-support/tiff-fixture.ts';
import { TiffSlide } from './tiff-slide.ts';

// Uncompressed fixtures need no image codecs; any call to them is a bug.
const noCodecs: Codecs = {
  jpeg: () => Promise.reject(new Error('unexpected JPEG')),
  jp2k: () => Promise.reject(new Error('unexpected JPEG 2000')),
  image: () => Promise.reject(new Error('unexpected image')),
};

const open = (bytes: Uint8Array, name = 'test.tif') => TiffSlide.open(new BufferSource(bytes, name), noCodecs);

async function openError(bytes: Uint8Array, name = 'test.tif'): Promise<string> {
  try {
    await openSlide(new BufferSource(bytes, name), noCodecs);
  } catch (err) {
    expect(err).toBeInstanceOf(SlideError);
    return (err as Error).message;
  }
  throw new Error('expected the slide to fail to open');
}

describe('pyramid detection', () => {
  it('takes levels from the main IFD chain, sorted by size, with downsamples', async () => {
    const { bytes } = buildTiff([rgbImage(256, 128, 64), rgbImage(64, 32, 64, { 254: { type: 4, values: [1] } }), rgbImage(128, 64, 64, { 254: { type: 4, values: [1] } })]);
    const slide = await open(bytes);
    expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[256, 128, 1], [128, 64, 2], [64, 32, 4]]);
    expect(slide.info.format).toBe('pyramidal-tiff');
  });

  it('excludes Aperio label, macro and stripped thumbnail images, and reads MPP and magnification', async () => {
    const desc = 'Aperio Image Library v12.0.5\r\n512x256 [0,0 512x256] (64x64) JPEG/RGB Q=70|AppMag = 40|MPP = 0.2520';
    const thumb = { ...rgbImage(128, 64, 64, { 270: { type: 2, values: 'Aperio Image Library v12.0.5\r\n512x256 -> 128x64 - ' } }) };
    thumb.tags = { ...thumb.tags };
    delete thumb.tags[322];
    delete thumb.tags[323];
    thumb.tags[278] = { type: 3, values: [64] };
    thumb.strips = true;
    thumb.tiles = [new Uint8Array(128 * 64 * 3)];
    const { bytes } = buildTiff([
      rgbImage(512, 256, 64, { 270: { type: 2, values: desc } }),
      thumb,
      rgbImage(128, 64, 64, { 270: { type: 2, values: 'Aperio Image Library\r\n512x256 -> 128x64 J2K' } }),
      rgbImage(100, 100, 64, { 254: { type: 4, values: [1] }, 270: { type: 2, values: 'Aperio Image Library v12.0.5\nlabel 100x100' } }),
      rgbImage(300, 100, 64, { 254: { type: 4, values: [9] }, 270: { type: 2, values: 'Aperio Image Library v12.0.5\nmacro 300x100' } }),
    ]);
    const slide = await open(bytes, 'slide.svs');
    expect(slide.info.format).toBe('aperio-svs');
    expect(slide.info.levels.map((l) => l.width)).toEqual([512, 128]);
    expect(slide.info.mpp).toBeCloseTo(0.252, 6);
    expect(slide.info.magnification).toBe(40);
  });

  it('excludes images with another aspect ratio and mask images from generic pyramids', async () => {
    const { bytes } = buildTiff([
      rgbImage(400, 200, 64),
      rgbImage(200, 100, 64),
      rgbImage(150, 150, 64),
      rgbImage(100, 50, 64, { 254: { type: 4, values: [4] } }),
    ]);
    const slide = await open(bytes);
    expect(slide.info.levels.map((l) => l.width)).toEqual([400, 200]);
  });

  it('reads OME-TIFF pyramids from SubIFDs with the physical pixel size from OME-XML', async () => {
    const ome = '<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" SizeX="256" SizeY="256" PhysicalSizeX="250" PhysicalSizeXUnit="nm" Type="uint8"/></Image></OME>';
    const base = rgbImage(256, 256, 64, { 270: { type: 2, values: ome } });
    base.subIfds = [rgbImage(128, 128, 64, { 254: { type: 4, values: [1] } }), rgbImage(64, 64, 64, { 254: { type: 4, values: [1] } })];
    const { bytes } = buildTiff([base]);
    const slide = await open(bytes);
    expect(slide.info.format).toBe('ome-tiff');
    expect(slide.info.levels.map((l) => l.width)).toEqual([256, 128, 64]);
    expect(slide.info.mpp).toBeCloseTo(0.25, 6);
  });

  it('takes microns per pixel from the resolution tags (pixels per centimetre)', async () => {
    const { bytes } = buildTiff([rgbImage(64, 64, 64, { 282: { type: 5, values: [20000, 1] }, 283: { type: 5, values: [20000, 1] }, 296: { type: 3, values: [3] } })]);
    expect((await open(bytes)).info.mpp).toBeCloseTo(0.5, 6);
  });
});

describe('pixels', () => {
  it('composes regions across tiles and fills outside the image with white', async () => {
    const image = rgbImage(100, 100, 64);
    image.tiles = image.tiles.map((_, i) => new Uint8Array(64 * 64 * 3).fill(i * 40));
    const slide = await open(buildTiff([image]).bytes);
    const region = await slide.readRegion(0, 60, 60, 50, 50);
    const px = (x: number, y: number) => region.data[(y * 50 + x) * 4];
    expect(px(0, 0)).toBe(0); // tile 0 at (60, 60)
    expect(px(10, 0)).toBe(40); // tile 1 at (70, 60)
    expect(px(0, 10)).toBe(80); // tile 2 at (60, 70)
    expect(px(10, 10)).toBe(120); // tile 3 at (70, 70)
    expect(px(45, 45)).toBe(255); // (105, 105) is outside the 100×100 image
  });
});

describe('failed tiles', () => {
  // A JPEG stream with a valid frame header (64×64) that the codec below refuses.
  const sof = [0xff, 0xc0, 0, 17, 8, 0, 64, 0, 64, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const brokenJpeg = Uint8Array.from([0xff, 0xd8, ...sof, 0xff, 0xd9]);

  it('a tile that fails to decode is decoded once; later reads give the same error without decoding again', async () => {
    let calls = 0;
    const codecs: Codecs = { ...noCodecs, jpeg: () => (calls++, Promise.reject(new Error('bad Huffman code'))) };
    const image = rgbImage(64, 64, 64, { 259: { type: 3, values: [7] }, 262: { type: 3, values: [6] } });
    image.tiles = [brokenJpeg];
    const slide = await TiffSlide.open(new BufferSource(buildTiff([image]).bytes, 'broken.tif'), codecs);
    const first = await slide.readRegion(0, 0, 0, 64, 64).catch((e: Error) => e);
    const second = await slide.readRegion(0, 0, 0, 64, 64).catch((e: Error) => e);
    expect(first).toBeInstanceOf(SlideError);
    expect((first as Error).message).toBe('broken.tif: tile 0 of the 64×64 level failed to decode: bad Huffman code');
    expect(second).toBe(first);
    expect(calls).toBe(1);
  });

  it('a failed read is not remembered: the tile reads once the file answers again', async () => {
    const image = rgbImage(64, 64, 64);
    const bytes = buildTiff([image]).bytes;
    const source = new BufferSource(bytes, 'flaky.tif');
    const slide = await TiffSlide.open(source, noCodecs);
    const read = source.read.bind(source);
    let fail = true;
    source.read = (offset: number, length: number) => (fail && length === 64 * 64 * 3 ? Promise.reject(new Error('network down')) : read(offset, length));
    await expect(slide.readRegion(0, 0, 0, 64, 64)).rejects.toThrow(/tile 0 of the 64×64 level failed to decode: network down/);
    fail = false;
    expect((await slide.readRegion(0, 0, 0, 64, 64)).data[0]).toBe(200);
  });
});

describe('bad input', () => {
  it('names an unsupported compression with its TIFF code', async () => {
    const { bytes } = buildTiff([rgbImage(64, 64, 64, { 259: { type: 3, values: [34887] } })]);
    expect(await openError(bytes)).toMatch(/unsupported compression LERC \(34887\)/);
  });

  it('refuses IFD loops', async () => {
    const { bytes, ifdOffsets } = buildTiff([rgbImage(64, 64, 64), rgbImage(32, 32, 32)]);
    // Point the second IFD's next-offset back at the first.
    const second = ifdOffsets[1]!;
    const count = new DataView(bytes.buffer).getUint16(second, true);
    new DataView(bytes.buffer).setUint32(second + 2 + count * 12, ifdOffsets[0]!, true);
    expect(await openError(bytes)).toMatch(/loop/);
  });

  it('refuses absurd dimensions', async () => {
    const { bytes } = buildTiff([rgbImage(64, 64, 64, { 256: { type: 4, values: [1e9] }, 257: { type: 4, values: [1e9] } })]);
    expect(await openError(bytes)).toMatch(/exceeds the supported maximum/);
  });

  it('refuses tile byte counts that point past the end of the file', async () => {
    const { bytes } = buildTiff([rgbImage(64, 64, 64)]);
    expect(await openError(bytes.subarray(0, bytes.length - 100))).toMatch(/truncated|outside the file|past/);
  });

  it('says what a non-TIFF file is, and refuses empty files', async () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(await openError(png, 'renamed.svs')).toMatch(/PNG image, not a TIFF/);
    expect(await openError(new Uint8Array(0))).toMatch(/empty/);
    expect(await openError(new TextEncoder().encode('hello, this is not a slide at all'))).toMatch(/does not start with a TIFF header/);
  });

  it('refuses an IFD offset outside the file', async () => {
    const { bytes } = buildTiff([rgbImage(64, 64, 64)]);
    new DataView(bytes.buffer).setUint32(4, bytes.length + 1000, true);
    expect(await openError(bytes)).toMatch(/outside the file/);
  });
});
