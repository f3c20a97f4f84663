import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../test-support/shared.ts';
import { nodeCodecs, openSlideFile, RgbTile } from './node.ts';
import { createSimdYcc } from './jpeg/ycc-simd.ts';
import { blit, resizeArea } from './region.ts';
import type { RGBAImage, SlideSource } from './types.ts';

/**
 * The derived TIFFs in ../shared are lossy JPEG re-encodes of OpenSlide's level-0 pixels, so they are an independent
 * reference up to re-encoding noise: we require no colour bias and a small difference once that noise is averaged out
 * over 4×4 blocks. A YCbCr/RGB mix-up gives biases of tens of grey levels.
 */
function compareToReference(a: RGBAImage, b: RGBAImage): { bias: number[]; blockMad: number[] } {
  const bias = [0, 0, 0];
  for (let i = 0; i < a.data.length; i += 4) for (let c = 0; c < 3; c++) bias[c]! += (a.data[i + c] ?? 0) - (b.data[i + c] ?? 0);
  const A = resizeArea(a, a.width >> 2, a.height >> 2);
  const B = resizeArea(b, b.width >> 2, b.height >> 2);
  const blockMad = [0, 0, 0];
  for (let i = 0; i < A.data.length; i += 4) for (let c = 0; c < 3; c++) blockMad[c]! += Math.abs((A.data[i + c] ?? 0) - (B.data[i + c] ?? 0));
  return { bias: bias.map((s) => s / (a.width * a.height)), blockMad: blockMad.map((s) => s / (A.width * A.height)) };
}

async function level0(path: string): Promise<RGBAImage> {
  return withSlide(path, (s) => s.readRegion(0, 0, 0, s.info.levels[0]!.width, s.info.levels[0]!.height));
}

function expectMatches(a: RGBAImage, b: RGBAImage): void {
  const { bias, blockMad } = compareToReference(a, b);
  for (const d of bias) expect(Math.abs(d)).toBeLessThan(1);
  for (const d of blockMad) expect(d).toBeLessThan(3);
}

function channelMeans(img: RGBAImage): number[] {
  const sums = [0, 0, 0];
  for (let i = 0; i < img.data.length; i += 4) for (let c = 0; c < 3; c++) sums[c]! += img.data[i + c] ?? 0;
  return sums.map((s) => s / (img.width * img.height));
}

async function withSlide<T>(path: string, fn: (s: SlideSource) => Promise<T>): Promise<T> {
  const slide = await openSlideFile(sharedPath(path));
  try {
    return await fn(slide);
  } finally {
    slide.close();
  }
}

describe.skipIf(!hasShared)(`real slides in Node (${hasShared ? 'shared present' : SKIP_SHARED_MESSAGE})`, () => {
  it('reads the Aperio SVS structure: one level, label/macro/thumbnail excluded, MPP', async () => {
    await withSlide('slides/CMU-1-Small-Region.svs', async (slide) => {
      expect(slide.info.format).toBe('aperio-svs');
      expect(slide.info.levels).toHaveLength(1);
      expect(slide.info.levels[0]).toMatchObject({ width: 2220, height: 2967, tileWidth: 240, tileHeight: 240 });
      expect(slide.info.mpp).toBeCloseTo(0.499, 3);
      expect(slide.info.magnification).toBe(20);
    });
  });

  it('decodes CMU-1 RGB JPEG tiles with the right colours (matches the OpenSlide-derived re-encode)', async () => {
    const svs = await level0('slides/CMU-1-Small-Region.svs');
    expectMatches(svs, await level0('slides/derived/CMU-1-pyramid-jpeg.tif'));
    // H&E: red and blue above green in tissue; a YCbCr mix-up would make it magenta/green-shifted.
    const [r, g, b] = channelMeans(svs);
    expect(r!).toBeGreaterThan(g! + 10);
    expect(b!).toBeGreaterThan(g!);
  });

  it('reads pyramids from the main IFD chain and from OME SubIFDs', async () => {
    const chain = await withSlide('slides/derived/CMU-1-pyramid-jpeg.tif', async (s) => s.info);
    const sub = await withSlide('slides/derived/CMU-1-pyramid-subifd.ome.tif', async (s) => s.info);
    expect(chain.levels).toHaveLength(5);
    expect(sub.levels).toHaveLength(5);
    expect(sub.format).toBe('ome-tiff');
    expect(sub.levels.map((l) => l.width)).toEqual(chain.levels.map((l) => l.width));
    for (let i = 1; i < chain.levels.length; i++) expect(Math.abs(chain.levels[i]!.downsample / 2 ** i - 1)).toBeLessThan(0.01);
  });

  it('decodes JPEG 2000 (33005) tiles and matches the JPEG re-encode of the same slide', async () => {
    await withSlide('slides/TCGA-CR-7395-jp2k.svs', async (slide) => {
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([[4443, 3567], [2221, 1783]]);
      expect(slide.info.compression).toContain('33005');
      const jp2 = await slide.readRegion(0, 0, 0, 4443, 3567);
      expectMatches(jp2, await level0('slides/derived/TCGA-CR-7395-pyramid-jpeg.tif'));
    });
  });
});

describe('JPEG tiles in Node: RGB kept, RGBA where composed', () => {
  it('write exactly the RGBA that libvips gives with an alpha band, clipped as blit clips, and grey JPEGs decode as before', async () => {
    const sharp = (await import('sharp')).default;
    const rng = (seed: number) => () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
    const rand = rng(3);
    const raw = Buffer.from(Uint8Array.from({ length: 40 * 24 * 3 }, (_, i) => (Math.floor(i / 3) * 7 + (i % 3) * 50 + Math.floor(rand() * 40)) & 255));
    const jpeg = await sharp(raw, { raw: { width: 40, height: 24, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
    const tile = await nodeCodecs.jpeg(new Uint8Array(jpeg));
    expect(tile).toBeInstanceOf(RgbTile);
    // The same pixels from memory that is not word-aligned (the scalar path) compose alike.
    const unaligned = new Uint8Array(40 * 24 * 3 + 1).subarray(1);
    unaligned.set(new Uint8Array(await sharp(jpeg).raw().toBuffer()));
    // Each both ways: the WebAssembly expansion (what the codec gives here) and the JavaScript one (no converter).
    const simd = createSimdYcc();
    expect(simd?.rgbRows).toBeDefined();
    const tiles = [tile as RgbTile, new RgbTile(40, 24, unaligned), new RgbTile(40, 24, unaligned, simd), new RgbTile(40, 24, new Uint8Array(unaligned))];
    const rgba = await sharp(jpeg).ensureAlpha().raw().toBuffer();
    const reference: RGBAImage = { width: 40, height: 24, data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
    expect(Buffer.from(tile.data).equals(rgba)).toBe(true);
    // Into regions at offsets that clip on every side, aligned and not (a region that is a view at an odd offset).
    for (const [x, y, w, h, offset] of [[0, 0, 40, 24, 0], [-5, -3, 40, 24, 0], [10, 7, 30, 20, 0], [3, 2, 17, 9, 1], [-39, -23, 40, 24, 1], [1, 0, 40, 24, 0], [-2, 1, 40, 24, 0], [0, 0, 7, 3, 0]] as const) {
      const make = () => ({ width: 31, height: 19, data: new Uint8ClampedArray(31 * 19 * 4 + offset).fill(9).subarray(offset) });
      const want = make();
      blit(want, reference, x, y, w, h);
      for (const [k, t] of tiles.entries()) {
        const got = make();
        t.blitInto(got, x, y, w, h);
        expect(Buffer.from(got.data).equals(Buffer.from(want.data)), `tile ${k} at ${x},${y} ${w}×${h} +${offset}`).toBe(true);
      }
    }
    const grey = await sharp(Buffer.alloc(16 * 16, 120), { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').jpeg().toBuffer(); // one component
    const greyTile = await nodeCodecs.jpeg(new Uint8Array(grey));
    expect(Buffer.from(greyTile.data).equals(await sharp(grey).ensureAlpha().raw().toBuffer())).toBe(true);
  });
});
