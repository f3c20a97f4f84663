// The quick check's per-file work (what each check worker runs), here with the Node codecs: the same scores as
// `focuslite score` computes (decode through the slide readers, then scoreImage at stride 128), per-file errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { BufferSource } from '../../slide/bytes/blob-source.ts';
import { decodeImageBytes } from '../../slide/image/node-decode.ts';
import { nodeCodecs } from '../../slide/node.ts';
import { buildFocusModel } from '../../tools/model/onnx-builder.ts';
import { createFocusSession, scoreImage, type FocusSession } from '../../focus/session/session.ts';
import { analyseImage, CheckFailure, decodeForCheck, previewImage, tissueCover } from './analyse.ts';
import type { RGBAImage } from '../../slide/types.ts';

/** A textured RGB image: the model's conv needs edges to say anything. */
async function image(width: number, height: number, format: 'png' | 'jpeg' | 'tiff'): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 7 + y * 3) & 255;
      raw[i + 1] = ((x >> 3) + (y >> 3)) & 1 ? 220 : 40;
      raw[i + 2] = (x * y) & 255;
    }
  }
  const s = sharp(raw, { raw: { width, height, channels: 3 } });
  const out = format === 'png' ? s.png() : format === 'jpeg' ? s.jpeg({ quality: 90 }) : s.tiff({ compression: 'lzw' });
  return new Uint8Array(await out.toBuffer());
}

async function failure(promise: Promise<unknown>): Promise<CheckFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckFailure);
  return err as CheckFailure;
}

describe('quick check: one file', () => {
  let session: FocusSession;

  beforeAll(async () => {
    const convWeight = Float32Array.from({ length: 147 }, (_, i) => Math.sin(i * 1.7) * 0.2);
    session = await createFocusSession(buildFocusModel({ kernels: 1, convWeight, convBias: Float32Array.of(0.1) }));
  });
  afterAll(async () => {
    await session?.release();
  });

  for (const format of ['png', 'jpeg', 'tiff'] as const) {
    it(`scores a ${format.toUpperCase()} exactly as focuslite score does, with a small thumbnail`, async () => {
      const bytes = await image(300, 500, format);
      const got = await analyseImage(new BufferSource(bytes, `tile.${format}`), nodeCodecs, session, { stride: 128, thumbSize: 128 });
      const expected = await scoreImage(session, await decodeImageBytes(bytes, `tile.${format}`), 128);
      expect(got.score).toBe(expected.score);
      expect(got.patchGrid).toEqual(expected.patchGrid);
      expect([got.width, got.height, got.patch, got.stride]).toEqual([300, 500, 235, 128]);
      expect(got.patchGrid.map((r) => r.length)).toEqual([1, 1, 1]); // rows at 0, 128, 256; one column
      expect([got.thumb.width, got.thumb.height]).toEqual([77, 128]);
      expect(got.thumb.data.length).toBe(77 * 128 * 4);
    });
  }

  it('says how small an image below 235×235 is', async () => {
    const err = await failure(analyseImage(new BufferSource(await image(100, 100, 'png'), 'tiny.png'), nodeCodecs, session));
    expect(err.kind).toBe('too-small');
    expect(err.message).toBe('image is 100×100; at least 235×235 pixels needed');
    expect([err.width, err.height]).toEqual([100, 100]);
    const narrow = await failure(decodeForCheck(new BufferSource(await image(234, 600, 'jpeg'), 'narrow.jpg'), nodeCodecs));
    expect(narrow.message).toBe('image is 234×600; at least 235×235 pixels needed');
  });

  it('rejects non-images, empty and corrupt files with a per-file message', async () => {
    const text = await failure(decodeForCheck(new BufferSource(new TextEncoder().encode('not an image at all\n'), 'notes.txt'), nodeCodecs));
    expect([text.kind, text.message]).toEqual(['unreadable', 'not a PNG, JPEG or TIFF image']);
    const empty = await failure(decodeForCheck(new BufferSource(new Uint8Array(0), 'empty.png'), nodeCodecs));
    expect(empty.message).toBe('the file is empty (0 bytes)');
    const png = await image(300, 300, 'png');
    const truncated = await failure(decodeForCheck(new BufferSource(png.subarray(0, png.length >> 1), 'cut.png'), nodeCodecs));
    expect(truncated.kind).toBe('unreadable');
    expect(truncated.message).not.toMatch(/^cut\.png:/); // the row already names the file
  });

  it('finds no tissue in blank glass or a binary mask, and tissue in stained pixels, by the slides\' cell rule', async () => {
    /** A width×height image, each pixel from `colour(x, y)`. */
    const paint = (width: number, height: number, colour: (x: number, y: number) => [number, number, number]): RGBAImage => {
      const data = new Uint8ClampedArray(width * height * 4);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
      }
      return { width, height, data };
    };
    const glass = paint(512, 512, (x, y) => [236 + ((x * 7 + y * 3) % 5), 236, 233]);
    const mask = paint(512, 512, (x, y) => ((x >> 5) + (y >> 5)) % 2 ? [255, 255, 255] : [0, 0, 0]);
    const he = paint(512, 512, (x, y) => ((x + y) % 9 < 4 ? [200, 120, 170] : [120, 70, 160])); // pink and purple
    // Tissue only in the left 100 columns: no 235×235 patch is half tissue.
    const edge = paint(512, 512, (x) => (x < 100 ? [200, 120, 170] : [240, 240, 238]));
    expect(tissueCover(glass)).toEqual({ tissue: 0, tissuePatches: 0 });
    expect(tissueCover(mask)).toEqual({ tissue: 0, tissuePatches: 0 });
    expect(tissueCover(he)).toEqual({ tissue: 1, tissuePatches: 9 }); // patches at 0, 128 and 256 on both axes
    const e = tissueCover(edge);
    expect(e.tissuePatches).toBe(0);
    expect(e.tissue).toBeCloseTo(100 / 512, 1);

    // analyseImage reports it with the score, which is computed all the same.
    const png = new Uint8Array(await sharp(Buffer.from(mask.data), { raw: { width: 512, height: 512, channels: 4 } }).png().toBuffer());
    const got = await analyseImage(new BufferSource(png, 'mask.png'), nodeCodecs, session);
    expect([got.tissue, got.tissuePatches]).toEqual([0, 0]);
    expect(Number.isFinite(got.score)).toBe(true);
  });

  it('renders a preview at the asked size', async () => {
    const preview = await previewImage(new BufferSource(await image(600, 300, 'png'), 'wide.png'), nodeCodecs, 200);
    expect([preview.width, preview.height]).toEqual([200, 100]);
  });
});
