import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { defaultModelFile, expectReady, gotoApp, hasShared, openFile, shared, SKIP_SHARED } from './helpers.ts';

test.describe('whole-slide QC scan', () => {
  test.skip(!hasShared, SKIP_SHARED);

  test('scans every tissue cell reusing cells already scored, summarises, flies to regions, exports, and matches the CLI', async ({ page }) => {
    const slidePath = shared('slides/derived/TCGA-CR-7395-synthetic-blur.tif');
    await gotoApp(page);
    await openFile(page, slidePath);
    await expectReady(page);
    const viewer = page.getByTestId('viewer');

    // Browse a corner first: those cells must be reused by the scan, not recomputed.
    await page.evaluate(() => window.focuslite!.showRegion(1700, 2500, 900, 700));
    await page.getByTestId('heatmap-toggle').click();
    await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 60_000 });
    const browsed = Number(await viewer.getAttribute('data-scored-cells'));
    expect(browsed).toBeGreaterThan(10);

    await page.getByTestId('scan-start').click();
    const progress = page.getByTestId('scan-progress');
    await expect(progress).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
    await expect(progress).toContainText('100%');
    await expect(progress).toContainText('MP/s');
    await expect(progress).toContainText(`${browsed.toLocaleString('en')} cells reused`);
    const scored = Number(await viewer.getAttribute('data-scored-cells'));
    expect(scored).toBeGreaterThan(500);
    // A second scan finds everything done and recomputes nothing.
    await page.getByTestId('scan-start').click();
    await expect(progress).toContainText('every cell was already scored');
    expect(Number(await viewer.getAttribute('data-scored-cells'))).toBe(scored);

    // the shipped model's own out-of-focus threshold (scores have an arbitrary scale per model), on the input's grid
    const card = JSON.parse(readFileSync(defaultModelFile().replace(/\.onnx$/, '.json'), 'utf8')) as { threshold: number };
    const threshold = Number(card.threshold.toFixed(2));
    await page.getByTestId('qc-threshold').fill(String(threshold));
    await page.getByTestId('qc-tolerance').fill('5');
    const verdict = page.getByTestId('qc-verdict');
    await expect(verdict).toHaveAttribute('data-verdict', /pass|fail/);
    const regions = page.getByTestId('qc-region');
    expect(await regions.count()).toBeGreaterThan(0);
    const before = await page.evaluate(() => window.focuslite!.imageZoom());
    await regions.first().click();
    await expect.poll(() => page.evaluate(() => window.focuslite!.imageZoom()), { timeout: 10_000 }).not.toBeCloseTo(before, 3);

    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csv = readFileSync(await (await csvDownload).path(), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('x,y,width,height,score,tissue');

    const jsonDownload = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    const report = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8'));
    expect(report.schema).toBe('focuslite-scan-report/1');
    expect(report.slide).toMatchObject({ width: 4443, height: 3567 });
    expect(report.summary.threshold).toBe(threshold);
    expect(report.summary.coverage.done).toBe(report.summary.coverage.total);
    expect(report.patches).toHaveLength(csv.length - 1);
    expect(report.regions.length).toBe(report.summary.regionCount);

    const pngDownload = page.waitForEvent('download');
    await page.getByTestId('export-png').click();
    const png = await sharp(await (await pngDownload).path()).metadata();
    expect(png.format).toBe('png');
    expect(png.width).toBe(2048);
    expect(png.height!).toBeGreaterThan(Math.round((2048 * 3567) / 4443)); // the legend strip sits below the slide

    // The CLI on the same slide and model writes the same report numbers; its exit status is 3 when the slide FAILs QC.
    const run = spawnSync('node', [resolve(import.meta.dirname, '../bin/focuslite.mjs'), 'scan', slidePath, '--json', '--model', defaultModelFile(), `--threshold=${threshold}`, '--tolerance', '5'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const cli = JSON.parse(run.stdout);
    expect(run.status, run.stderr).toBe(cli.summary.verdict === 'fail' ? 3 : 0);
    // Same pixels on both sides (e2e/decode-exact.spec.ts), so the same numbers.
    expect(cli.patches).toHaveLength(report.patches.length);
    let maxDiff = 0;
    let tissueFlips = 0;
    for (let i = 0; i < report.patches.length; i++) {
      const a = report.patches[i];
      const b = cli.patches[i];
      expect([b.x, b.y]).toEqual([a.x, a.y]);
      if (a.tissue !== b.tissue) tissueFlips++;
      if (a.score !== null && b.score !== null) maxDiff = Math.max(maxDiff, Math.abs(a.score - b.score));
    }
    console.log(`scan: ${report.patches.length} cells; app vs CLI: ${tissueFlips} tissue flags differ, max |score difference| ${maxDiff.toExponential(2)}`);
    expect(tissueFlips).toBe(0);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(cli.summary.outOfFocusCells).toBe(report.summary.outOfFocusCells);
    expect(cli.summary.regionCount).toBe(report.summary.regionCount);
    expect(cli.summary.verdict).toBe(report.summary.verdict);
  });

  test('a scan can be cancelled and the viewer keeps working', async ({ page }) => {
    await gotoApp(page);
    await openFile(page, shared('slides/TCGA-CR-7395-jp2k.svs'));
    await expectReady(page);
    await page.getByTestId('scan-start').click();
    await expect(page.getByTestId('scan-cancel')).toBeVisible();
    await page.getByTestId('scan-cancel').click();
    const progress = page.getByTestId('scan-progress');
    await expect(progress).toHaveAttribute('data-running', 'false');
    await expect(progress).toContainText('cancelled');
    await expect(page.getByTestId('scan-start')).toBeVisible();
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-heatmap', 'off');
  });
});
