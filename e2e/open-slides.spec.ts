import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { dicomize, hasDicomizer, SKIP_DICOMIZER } from '../test-support/dicomizer.ts';
import { differingFrom, dropPaths, expectReady, expectScanLikeCli, gotoApp, hasShared, nodeRegion, openFile, renderRegion, shared, SKIP_SHARED } from './helpers.ts';

/** Mean signed difference per channel and mean absolute difference of 4×4 block means (re-encoding noise averaged). */
function compare(a: Uint8ClampedArray, b: Uint8ClampedArray, w: number, h: number) {
  const bias = [0, 0, 0];
  const block = [0, 0, 0];
  for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) bias[c]! += a[i + c]! - b[i + c]!;
  let blocks = 0;
  for (let by = 0; by + 4 <= h; by += 4) {
    for (let bx = 0; bx + 4 <= w; bx += 4) {
      blocks++;
      for (let c = 0; c < 3; c++) {
        let d = 0;
        for (let y = by; y < by + 4; y++) for (let x = bx; x < bx + 4; x++) d += a[(y * w + x) * 4 + c]! - b[(y * w + x) * 4 + c]!;
        block[c]! += Math.abs(d / 16);
      }
    }
  }
  return { bias: bias.map((s) => s / (w * h)), blockMad: block.map((s) => s / blocks) };
}

const SLIDES = [
  { file: 'slides/CMU-1-Small-Region.svs', levels: 1, reference: 'slides/derived/CMU-1-pyramid-jpeg.tif', vendor: 'Aperio', mpp: '0.499' },
  { file: 'slides/TCGA-CR-7395-jp2k.svs', levels: 2, reference: 'slides/derived/TCGA-CR-7395-pyramid-jpeg.tif', vendor: 'JPEG 2000', mpp: 'unknown' },
  { file: 'slides/derived/CMU-1-pyramid-jpeg.tif', levels: 5, reference: 'slides/CMU-1-Small-Region.svs', vendor: 'generic', mpp: '0.499' },
  { file: 'slides/derived/CMU-1-pyramid-subifd.ome.tif', levels: 5, reference: 'slides/CMU-1-Small-Region.svs', vendor: 'OME', mpp: '0.499' },
  // No other copy of this slide exists: the Node reader is the reference (frame placement is checked in its unit test).
  { file: 'slides/TCGA-XK-AAJU-small.dcm', levels: 1, reference: 'slides/TCGA-XK-AAJU-small.dcm', vendor: 'DICOM', mpp: '4.6' },
];

test('a PNG with transparency opens as a slide, its transparent pixels kept transparent', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-'));
  try {
    // 64×32: the left half opaque red, the right half fully transparent.
    const px = Buffer.alloc(64 * 32 * 4);
    for (let i = 0; i < 64 * 32; i++) px.set(i % 64 < 32 ? [200, 30, 30, 255] : [0, 0, 0, 0], i * 4);
    const path = join(dir, 'transparent.png');
    writeFileSync(path, await sharp(px, { raw: { width: 64, height: 32, channels: 4 } }).png().toBuffer());
    await gotoApp(page);
    await openFile(page, path);
    await expectReady(page);
    const rgba = await renderRegion(page, 0, 0, 64, 32);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([200, 30, 30, 255]);
    expect(rgba[(5 * 64 + 40) * 4 + 3]).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.describe('opening real slides', () => {
  test.skip(!hasShared, SKIP_SHARED);

  for (const slide of SLIDES) {
    test(`${slide.file} opens with ${slide.levels} level(s) and correct colours`, async ({ page }) => {
      await gotoApp(page);
      await openFile(page, shared(slide.file));
      await expectReady(page);
      await expect(page.getByTestId('status-name')).toHaveText(slide.file.split('/').pop()!);
      await expect(page.getByTestId('status-levels')).toHaveAttribute('data-levels', String(slide.levels));
      await expect(page.getByTestId('status-vendor')).toContainText(slide.vendor);
      await expect(page.getByTestId('status-mpp')).toContainText(slide.mpp);
      const [x, y, w, h] = [640, 896, 512, 512];
      const browser = await renderRegion(page, x, y, w, h);
      const reference = await nodeRegion(shared(slide.reference), x, y, w, h);
      const { bias, blockMad } = compare(browser, reference, w, h);
      for (const d of bias) expect(Math.abs(d)).toBeLessThan(1.5);
      for (const d of blockMad) expect(d).toBeLessThan(3);
      // Tissue, not glass: a sanity check that the region compared holds stained pixels.
      let red = 0;
      let green = 0;
      for (let i = 0; i < browser.length; i += 4) { red += browser[i]!; green += browser[i + 1]!; }
      expect(red).toBeGreaterThan(green * 1.05);
    });
  }

  test('a DICOM series (dicomized CMU-1, a level per file) opens from picked files, its picked folder and its dropped folder, pixels equal to the TIFF', async ({ page }) => {
    test.skip(!hasDicomizer, SKIP_DICOMIZER);
    const tiff = shared('slides/derived/CMU-1-pyramid-jpeg.tif');
    const dir = dicomize(tiff);
    try {
      const files = readdirSync(dir).map((f) => join(dir, f));
      await gotoApp(page);
      // Each open shows another name than the one before it, so each is seen to happen.
      const opens: [() => Promise<void>, string][] = [
        [() => dropPaths(page, [dir]), dir.split('/').pop()!],
        [() => page.setInputFiles('[data-testid=open-file]', files), `${files[0]!.split('/').pop()} (+${files.length - 1} files)`],
        [() => page.setInputFiles('[data-testid=open-folder]', dir), dir.split('/').pop()!],
      ];
      for (const [open, name] of opens) {
        await open();
        await expect(page.getByTestId('status-name')).toHaveText(name);
        await expectReady(page);
        await expect(page.getByTestId('status-levels')).toHaveAttribute('data-levels', '5');
        await expect(page.getByTestId('status-vendor')).toContainText('DICOM');
        expect(await differingFrom(page, tiff, 500, 700, 900, 800)).toBe(0);
      }
      // A whole-slide scan of the series in the app gives the CLI's scores for the TIFF.
      expect((await expectScanLikeCli(page, tiff)).slide.format).toBe('dicom');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a truncated slide and a PNG renamed to .svs give clear alerts; a good slide opens afterwards', async ({ page }) => {
    const dir = mkdtempSync(join(tmpdir(), 'focuslite-'));
    const whole = readFileSync(shared('slides/derived/CMU-1-pyramid-jpeg.tif'));
    const truncated = join(dir, 'truncated.tif');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const renamed = join(dir, 'renamed.svs');
    writeFileSync(renamed, readFileSync(shared('focus/real/tcga-in-focus.png')));

    await gotoApp(page);
    await openFile(page, truncated);
    await expect(page.getByRole('alert')).toContainText(/truncated/i);
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', 'error');

    await openFile(page, renamed);
    await expect(page.getByRole('alert')).toContainText(/PNG image, not a TIFF/);

    await openFile(page, shared('slides/CMU-1-Small-Region.svs'));
    await expectReady(page);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('status-name')).toHaveText('CMU-1-Small-Region.svs');
  });
});
