import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { check } from '@placemarkio/check-geojson';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { defaultModelFile, expectReady, gotoApp, hasShared, openFile, shared, SKIP_SHARED } from './helpers.ts';

interface ReportPatch {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number | null;
  tissue: boolean;
  outOfFocus: boolean | null;
  borderline: boolean;
}

interface GeoJson {
  features: { geometry: { type: string; coordinates: [number, number][][] }; properties: { objectType: string; classification: { name: string } } }[];
}

/** The default model's card, as the verdicts use it. */
function defaultCard(): { threshold: number; grade?: unknown } {
  return JSON.parse(readFileSync(defaultModelFile().replace(/\.onnx$/, '.json'), 'utf8')) as { threshold: number; grade?: unknown };
}

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

    // The shipped model's card threshold as it is (no user threshold): the synthetic blur must FAIL the slide.
    const card = defaultCard();
    const threshold = card.threshold;
    await page.getByTestId('qc-tolerance').fill('5');
    const verdict = page.getByTestId('qc-verdict');
    await expect(verdict).toHaveAttribute('data-verdict', 'fail');
    await expect(page.getByTestId('qc-scale')).toHaveAttribute('data-scale', card.grade ? 'defocus grade' : 'raw score (uncalibrated)');
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
    expect(report.summary).toMatchObject({ verdict: 'fail', calibration: 'model card', scale: card.grade ? 'defocus grade' : 'raw score (uncalibrated)' });
    expect(report.summary.borderlineCells).toBe(report.patches.filter((p: ReportPatch) => p.borderline).length);
    await expectRegionsOnTheBlur(report.patches);
    expect(report.summary.coverage.done).toBe(report.summary.coverage.total);
    expect(report.patches).toHaveLength(csv.length - 1);
    expect(report.regions.length).toBe(report.summary.regionCount);
    expect(report.decision).toBeNull();

    // Region review: all regions listed (a page at a time), worst first, with thumbnails of the slide; the selected
    // one framed (the whole region in view, not the whole slide) and outlined; N / P step through them; positions in
    // µm from the slide origin when the pixel size is known.
    const gallery = page.getByTestId('qc-regions');
    await expect(gallery).toHaveAttribute('data-count', String(report.summary.regionCount));
    await expect(page.locator('[data-testid=qc-region] canvas[data-loaded=true]').first()).toBeAttached();
    await expect(regions.first()).toHaveAttribute('aria-current', 'true');
    const r0 = report.regions[0];
    const view = await page.evaluate(() => window.focuslite!.viewRect());
    expect(view.x <= r0.x && view.y <= r0.y && view.x + view.width >= r0.x + r0.width && view.y + view.height >= r0.y + r0.height, JSON.stringify({ view, r0 })).toBe(true);
    expect(view.width < 4443 || view.height < 3567).toBe(true);
    await expect(page.getByTestId('outline-layer')).toHaveAttribute('data-highlight', '1');
    if (report.slide.mpp) {
      expect(r0.um).toEqual({ x: expect.any(Number), y: expect.any(Number), width: expect.any(Number), height: expect.any(Number) });
      expect(r0.um.x).toBeCloseTo(r0.x * report.slide.mpp, 0);
      await expect(regions.first()).toContainText('µm');
    }
    if (report.summary.regionCount > 1) {
      await page.keyboard.press('n');
      await expect(regions.nth(1)).toHaveAttribute('aria-current', 'true');
      await page.keyboard.press('p');
      await expect(regions.first()).toHaveAttribute('aria-current', 'true');
    }
    // The reviewer's decision goes into the report.
    await page.getByTestId('review-rescan').check();
    await page.getByTestId('review-note').fill('blurred band, top left');
    const decidedDownload = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    const decided = JSON.parse(readFileSync(await (await decidedDownload).path(), 'utf8'));
    expect(decided).toMatchObject({ decision: 'rescan', decisionNote: 'blurred band, top left' });

    const pngDownload = page.waitForEvent('download');
    await page.getByTestId('export-png').click();
    const png = await sharp(await (await pngDownload).path()).metadata();
    expect(png.format).toBe('png');
    expect(png.width).toBe(2048);
    expect(png.height!).toBeGreaterThan(Math.round((2048 * 3567) / 4443)); // the legend strip sits below the slide

    // The CLI on the same slide and model writes the same report numbers; its exit status is 3 when the slide FAILs QC.
    // It runs the model in onnxruntime here, so the browser's exact integer kernel is checked against onnxruntime too.
    const outDir = mkdtempSync(join(tmpdir(), 'focuslite-e2e-scan-'));
    const run = spawnSync('node', [resolve(import.meta.dirname, '../bin/focuslite.mjs'), 'scan', slidePath, '--json', '--model', defaultModelFile(), '--tolerance', '5', '--out', outDir, '--engine', 'onnxruntime'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const cli = JSON.parse(run.stdout);
    expect(run.status, run.stderr).toBe(3); // FAIL
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
    console.log(`scan: ${report.patches.length} cells; app (exact kernel) vs CLI (onnxruntime): ${tissueFlips} tissue flags differ, max |score difference| ${maxDiff.toExponential(2)}`);
    expect(tissueFlips).toBe(0);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(cli.summary.outOfFocusCells).toBe(report.summary.outOfFocusCells);
    expect(cli.summary.regionCount).toBe(report.summary.regionCount);
    expect(cli.summary.verdict).toBe(report.summary.verdict);

    // GeoJSON of the regions and cells: valid, the same from the app and the CLI, its cells exactly the out-of-focus
    // cells of the report, and imported back as an outline layer it is drawn over the slide.
    const geoDownload = page.waitForEvent('download');
    await page.getByTestId('export-geojson').click();
    const geoPath = await (await geoDownload).path();
    const geo = JSON.parse(readFileSync(geoPath, 'utf8')) as GeoJson;
    expect(() => check(readFileSync(geoPath, 'utf8'))).not.toThrow();
    const cliGeo = JSON.parse(readFileSync(join(outDir, 'TCGA-CR-7395-synthetic-blur.focus.geojson'), 'utf8')) as GeoJson;
    rmSync(outDir, { recursive: true, force: true });
    expect(geo.features.map((f) => f.geometry)).toEqual(cliGeo.features.map((f) => f.geometry));
    const annotations = geo.features.filter((f) => f.properties.objectType === 'annotation');
    expect(annotations).toHaveLength(report.summary.regionCount);
    expect(annotations.every((f) => f.properties.classification.name === 'Out of focus')).toBe(true);
    const squares = geo.features.filter((f) => f.properties.objectType === 'detection');
    const blurred = report.patches.filter((p: ReportPatch) => p.outOfFocus);
    expect(squares).toHaveLength(report.summary.outOfFocusCells);
    // Each detection is the stride square centred on an out-of-focus patch's centre.
    const centres = new Set(blurred.map((p: ReportPatch) => `${p.x + p.width / 2},${p.y + p.height / 2}`));
    for (const f of squares) {
      const ring = f.geometry.coordinates[0]!;
      expect(centres.has(`${(ring[0]![0] + ring[2]![0]) / 2},${(ring[0]![1] + ring[2]![1]) / 2}`)).toBe(true);
    }

    await page.getByTestId('import-geojson').setInputFiles({ name: 'blur.focus.geojson', mimeType: 'application/geo+json', buffer: readFileSync(geoPath) });
    await expect(page.getByTestId('outline-layer-item')).toHaveAttribute('data-shapes', String(geo.features.length));
    await regions.first().click();
    const layer = page.getByTestId('outline-layer');
    await expect.poll(async () => Number(await layer.getAttribute('data-drawn'))).toBeGreaterThan(0);
    const painted = await layer.evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(100);
    // A file that is not outlines is refused with a message; the layer already imported stays.
    await page.getByTestId('import-geojson').setInputFiles({ name: 'points.geojson', mimeType: 'application/geo+json', buffer: Buffer.from('{"type":"Point","coordinates":[1,2]}') });
    await expect(page.getByTestId('outline-error')).toContainText('points.geojson has no polygons or lines to draw');
    await expect(page.getByTestId('outline-layer-item')).toHaveCount(1);

    // The result stays with the slide and model: heatmap off, it is still there; another model has its own (none
    // yet); back to this model, the verdict and the decision are there again.
    await page.getByTestId('heatmap-toggle').click();
    await expect(viewer).toHaveAttribute('data-heatmap', 'off');
    await expect(verdict).toHaveAttribute('data-verdict', 'fail');
    await expect(page.getByTestId('export-json')).toBeEnabled();
    const modelId = defaultModelFile().split('/').pop()!.replace(/\.onnx$/, '');
    const other = ['focuslite-1kernel', 'focuslite-2kernel'].find((id) => id !== modelId)!;
    await page.getByTestId('model-picker').selectOption(other);
    await expect(verdict).toHaveCount(0);
    await page.getByTestId('model-picker').selectOption(modelId);
    await expect(verdict).toHaveAttribute('data-verdict', 'fail');
    await expect(page.getByTestId('review-decision')).toHaveAttribute('data-decision', 'rescan');
  });

  test('an in-focus slide PASSes with the card threshold, in the app and the CLI', async ({ page }) => {
    const slidePath = shared('slides/derived/TCGA-CR-7395-pyramid-jpeg.tif');
    await gotoApp(page);
    await openFile(page, slidePath);
    await expectReady(page);
    await page.getByTestId('scan-start').click();
    await expect(page.getByTestId('scan-progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
    await page.getByTestId('qc-tolerance').fill('5');
    const verdict = page.getByTestId('qc-verdict');
    console.log(`in-focus slide: ${await verdict.textContent()}; ${await page.getByTestId('qc-scale').textContent()}`);
    await expect(verdict).toHaveAttribute('data-verdict', 'pass');
    const run = spawnSync('node', [resolve(import.meta.dirname, '../bin/focuslite.mjs'), 'scan', slidePath, '--json', '--model', defaultModelFile(), '--tolerance', '5'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).summary.verdict).toBe('pass');
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
    // Part of a slide gets no PASS/FAIL: a partial PASS would read as a pass.
    await expect(page.getByTestId('qc-verdict')).toHaveAttribute('data-verdict', 'pending');
    await expect(page.getByTestId('qc-verdict')).toContainText('No verdict yet');
    await expect(page.getByTestId('scan-start')).toBeVisible();
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-heatmap', 'off');
  });
});

/**
 * The out-of-focus cells lie on the synthetic blur: nearly all moderately and severely blurred tissue (mask 160 and
 * 240: Gaussian σ 3 and 6 px) is out of focus, and untouched tissue (mask 0) stays under the 5 % tolerance. A cell is
 * placed at its patch centre; cells whose patch reaches across a blur edge are left out (mixed).
 */
async function expectRegionsOnTheBlur(patches: ReportPatch[]): Promise<void> {
  const mask = await sharp(shared('slides/derived/TCGA-CR-7395-synthetic-blur-mask.png')).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const { width, height } = mask.info;
  const at = (x: number, y: number) => mask.data[Math.min(height - 1, Math.max(0, Math.round(y))) * width + Math.min(width - 1, Math.max(0, Math.round(x)))]!;
  const count = { blurred: 0, blurredOut: 0, clean: 0, cleanOut: 0 };
  for (const p of patches) {
    if (!p.tissue || p.outOfFocus === null) continue;
    const corners = [at(p.x, p.y), at(p.x + p.width - 1, p.y), at(p.x, p.y + p.height - 1), at(p.x + p.width - 1, p.y + p.height - 1), at(p.x + p.width / 2, p.y + p.height / 2)];
    if (corners.every((v) => v >= 160)) {
      count.blurred++;
      if (p.outOfFocus) count.blurredOut++;
    } else if (corners.every((v) => v === 0)) {
      count.clean++;
      if (p.outOfFocus) count.cleanOut++;
    }
  }
  console.log(`synthetic blur: ${count.blurredOut}/${count.blurred} moderate or severe tissue cells out of focus, ${count.cleanOut}/${count.clean} untouched ones`);
  expect(count.blurred).toBeGreaterThan(20);
  expect(count.blurredOut / count.blurred).toBeGreaterThanOrEqual(0.95);
  expect(count.cleanOut / count.clean).toBeLessThanOrEqual(0.05);
}
