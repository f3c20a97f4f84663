import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { openSlideFile } from '../src/slide/node.ts';
import { buildTiff } from '../test-support/tiff-fixture.ts';
import { expectReady, gotoApp, hasShared, nodeRegion, openFile, renderRegion, shared } from './helpers.ts';

// The browser workers decode JPEG tiles with WebCodecs and convert YCbCr themselves (ycc-simd.wat, or ycc-to-rgba.ts without WebAssembly SIMD); the CLI
// decodes with libjpeg-turbo through sharp. Scores agree only if the pixels agree exactly, so this compares them
// byte for byte, for every kind of JPEG tile the workers handle differently.

const DEMO = resolve(import.meta.dirname, '../public/demo/demo-slide.tif');

function differingBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** A 512×512 YCbCr JPEG TIFF of 256×256 tiles encoded by libjpeg-turbo (sharp) with the given chroma sampling. */
async function jpegTiff(sampling: '4:2:0' | '4:4:4'): Promise<{ path: string; tile: Uint8Array }> {
  const source = await openSlideFile(DEMO);
  const tiles: Uint8Array[] = [];
  try {
    for (const [x, y] of [[2048, 2048], [2304, 2048], [2048, 2304], [2304, 2304]] as const) {
      const rgba = await source.readRegion(0, x, y, 256, 256);
      tiles.push(await sharp(Buffer.from(rgba.data.buffer), { raw: { width: 256, height: 256, channels: 4 } }).removeAlpha().jpeg({ quality: 85, chromaSubsampling: sampling }).toBuffer());
    }
  } finally {
    source.close();
  }
  const short = (...values: number[]) => ({ type: 3 as const, values });
  const { bytes } = buildTiff([
    {
      tags: { 256: short(512), 257: short(512), 258: short(8, 8, 8), 259: short(7), 262: short(6), 277: short(3), 284: short(1), 322: short(256), 323: short(256) },
      tiles,
    },
  ]);
  const path = join(mkdtempSync(join(tmpdir(), 'focuslite-decode-')), `tiles-${sampling.replaceAll(':', '')}.tif`);
  writeFileSync(path, bytes);
  return { path, tile: tiles[0]! };
}

/** The frame format WebCodecs gives for a JPEG stream: the workers convert I420, I444 and RGB frames themselves. */
async function frameFormat(page: import('@playwright/test').Page, jpeg: Uint8Array): Promise<string | null> {
  return page.evaluate(async (bytes) => {
    const decoder = new ImageDecoder({ data: new Uint8Array(bytes), type: 'image/jpeg', colorSpaceConversion: 'none' });
    const { image } = await decoder.decode();
    const format = image.format;
    image.close();
    decoder.close();
    return format;
  }, Array.from(jpeg));
}

test.describe('JPEG tiles decode exactly as in the CLI', () => {
  test('demo slide (4:2:0, shared JPEGTables)', async ({ page }) => {
    await gotoApp(page);
    await expectReady(page);
    expect(differingBytes(await renderRegion(page, 1000, 1500, 700, 600), await nodeRegion(DEMO, 1000, 1500, 700, 600))).toBe(0);
  });

  for (const sampling of ['4:2:0', '4:4:4'] as const) {
    test(`libjpeg-turbo tiles with ${sampling} chroma`, async ({ page }) => {
      const { path, tile } = await jpegTiff(sampling);
      await gotoApp(page);
      // This is the WebCodecs path (not the createImageBitmap fallback) that the comparison below exercises.
      expect(await frameFormat(page, tile)).toBe(sampling === '4:2:0' ? 'I420' : 'I444');
      await openFile(page, path);
      await expectReady(page);
      expect(differingBytes(await renderRegion(page, 0, 0, 512, 512), await nodeRegion(path, 0, 0, 512, 512))).toBe(0);
    });
  }

  for (const file of ['slides/CMU-1-Small-Region.svs', 'slides/derived/CMU-1-pyramid-jpeg.tif', 'slides/derived/TCGA-CR-7395-pyramid-jpeg.tif', 'slides/TCGA-XK-AAJU-small.dcm']) {
    test(`${file} (real slide)`, async ({ page }) => {
      test.skip(!hasShared, '../shared is absent: the real-slide comparison is skipped');
      await gotoApp(page);
      await openFile(page, shared(file));
      await expectReady(page);
      expect(differingBytes(await renderRegion(page, 500, 700, 900, 800), await nodeRegion(shared(file), 500, 700, 900, 800))).toBe(0);
    });
  }
});
