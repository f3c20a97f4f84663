import { createRequire } from 'node:module';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import type { Codecs } from '../codecs.ts';
import { NodeFileSource, nodeCodecs } from '../node.ts';
import { openSlide } from '../open.ts';
import { createTurboJpeg, type TurboJpegFactory } from './turbo-wasm.ts';

const require = createRequire(import.meta.url);
const turbo = createTurboJpeg(() => (require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as TurboJpegFactory)());

/** The JPEG streams a slide's reader hands its codec while level 0 is read whole. */
async function tileStreams(path: string): Promise<Uint8Array[]> {
  const streams: Uint8Array[] = [];
  const codecs: Codecs = { ...nodeCodecs, jpeg: (stream) => (streams.push(stream.slice()), nodeCodecs.jpeg(stream)) };
  const slide = await openSlide(await NodeFileSource.open(path), codecs);
  try {
    const { width, height } = slide.info.levels[0]!;
    await slide.readRegion(0, 0, 0, width, height);
  } finally {
    slide.close();
  }
  return streams;
}

describe('libjpeg-turbo in WebAssembly', () => {
  it.skipIf(!hasShared)('decodes every level-0 tile of real slides (Aperio SVS, DICOM WSI, derived pyramids) to the bytes sharp gives', async () => {
    for (const file of ['slides/CMU-1-Small-Region.svs', 'slides/TCGA-XK-AAJU-small.dcm', 'slides/derived/TCGA-CR-7395-pyramid-jpeg.tif', 'slides/derived/TCGA-CR-7395-synthetic-blur.tif']) {
      const streams = await tileStreams(sharedPath(file));
      expect(streams.length, file).toBeGreaterThan(40);
      for (const [i, stream] of streams.entries()) {
        const want = await sharp(stream).raw().toBuffer({ resolveWithObject: true });
        const got = await turbo(stream);
        expect(got && [got.width, got.height], `${file} tile ${i}`).toEqual([want.info.width, want.info.height]);
        expect(Buffer.from(got!.rgb).equals(want.data), `${file} tile ${i}`).toBe(true);
      }
    }
  });
  if (!hasShared) it.skip(SKIP_SHARED_MESSAGE, () => undefined);

  it('declines grey and damaged streams (the caller falls back to sharp) and goes on decoding after them', async () => {
    const rgb = Buffer.from(Uint8Array.from({ length: 48 * 32 * 3 }, (_, i) => (i * 37) & 255));
    const jpeg = new Uint8Array(await sharp(rgb, { raw: { width: 48, height: 32, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    const grey = new Uint8Array(await sharp(Buffer.alloc(16 * 16, 120), { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').jpeg().toBuffer());
    const damaged = jpeg.slice();
    damaged.fill(0xff, 200, 260);
    const want = await sharp(jpeg).raw().toBuffer();
    expect(Buffer.from((await turbo(jpeg))!.rgb).equals(want)).toBe(true);
    for (const bad of [grey, damaged, jpeg.subarray(0, 120), new Uint8Array(0), new Uint8Array(500).fill(7)]) expect(await turbo(bad)).toBeUndefined();
    const again = await turbo(jpeg);
    expect(Buffer.from(again!.rgb).equals(want)).toBe(true);
    // Each result is the caller's own copy, not the module's reused memory.
    const first = (await turbo(jpeg))!.rgb;
    first.fill(0);
    expect(Buffer.from((await turbo(jpeg))!.rgb).equals(want)).toBe(true);
  });

  it("a damaged tile read through the Node codecs still fails with the decoder's own message", async () => {
    const rgb = Buffer.from(Uint8Array.from({ length: 48 * 32 * 3 }, (_, i) => (i * 37) & 255));
    const jpeg = new Uint8Array(await sharp(rgb, { raw: { width: 48, height: 32, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    await expect(nodeCodecs.jpeg(new Uint8Array(500).fill(7))).rejects.toThrow(/JPEG tile failed to decode: .+/);
    expect((await nodeCodecs.jpeg(jpeg)).width).toBe(48);
  });
});
