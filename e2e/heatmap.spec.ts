import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { defaultModelFile, expectReady, gotoApp, hasShared, openFile, shared, SKIP_SHARED } from './helpers.ts';

interface CsvCell { x: number; y: number; width: number; height: number; score: number; tissue: boolean }

function parseCsv(text: string): CsvCell[] {
  const [header, ...rows] = text.trim().split('\n');
  expect(header).toBe('x,y,width,height,score,tissue');
  return rows.map((line) => {
    const [x, y, width, height, score, tissue] = line.split(',');
    return { x: Number(x), y: Number(y), width: Number(width), height: Number(height), score: score === '' ? Number.NaN : Number(score), tissue: tissue === 'true' };
  });
}

/** ROC-AUC by the Mann–Whitney statistic (ties count half). */
function rocAuc(positives: number[], negatives: number[]): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

test.describe('focus heatmap', () => {
  test.skip(!hasShared, SKIP_SHARED);

  test('scores the synthetic-blur slide: blurred regions rank above untouched tissue, and match the CLI', async ({ page }) => {
    const slidePath = shared('slides/derived/TCGA-CR-7395-synthetic-blur.tif');
    await gotoApp(page);
    await openFile(page, slidePath);
    await expectReady(page);
    const viewer = page.getByTestId('viewer');
    await expect(viewer).toHaveAttribute('data-heatmap', 'off');
    await page.getByTestId('heatmap-toggle').click();
    await expect(viewer).toHaveAttribute('data-heatmap', /scoring|done/);
    await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 90_000 });
    expect(Number(await viewer.getAttribute('data-scored-cells'))).toBeGreaterThan(300);

    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const cells = parseCsv(readFileSync(await (await download).path(), 'utf8'));

    // Ground truth: the level-0 mask (0 untouched, 80/160/240 blurred). A patch is positive when it lies wholly in
    // blurred regions, negative when wholly untouched; patches straddling a boundary are left out.
    const mask = await sharp(shared('slides/derived/TCGA-CR-7395-synthetic-blur-mask.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    const label = (c: CsvCell): 'blur' | 'sharp' | 'mixed' => {
      let blurred = 0;
      for (let y = c.y; y < c.y + c.height; y += 5) for (let x = c.x; x < c.x + c.width; x += 5) if (mask.data[y * mask.info.width + x]! > 0) blurred++;
      const total = Math.ceil(c.height / 5) * Math.ceil(c.width / 5);
      return blurred === total ? 'blur' : blurred === 0 ? 'sharp' : 'mixed';
    };
    const tissue = cells.filter((c) => c.tissue && Number.isFinite(c.score));
    const pos = tissue.filter((c) => label(c) === 'blur').map((c) => c.score);
    const neg = tissue.filter((c) => label(c) === 'sharp').map((c) => c.score);
    expect(pos.length).toBeGreaterThan(20);
    expect(neg.length).toBeGreaterThan(200);
    const auc = rocAuc(pos, neg);
    console.log(`synthetic-blur slide: ${tissue.length} tissue cells, ${pos.length} blurred, ${neg.length} sharp, ROC-AUC ${auc.toFixed(4)}`);
    expect(auc).toBeGreaterThanOrEqual(0.97);

    // The CLI on the same file and grid: both decode with libjpeg-turbo, so same pixels and the same scores.
    const cli = JSON.parse(
      execFileSync('node', [resolve(import.meta.dirname, '../bin/focuslite.mjs'), 'score', slidePath, '--json', '--model', defaultModelFile()], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    ) as { results: { patchGrid: number[][]; stride: number }[] };
    const grid = cli.results[0]!.patchGrid;
    let maxDiff = 0;
    let compared = 0;
    // `focuslite score` keeps the paper's grid; the app adds a column and row of patches against the right and bottom
    // edges (the whole tissue scored), which the paper's grid has no cells for.
    const edge = cells.filter((c) => Number.isFinite(c.score) && (c.x + c.width === 4443 || c.y + c.height === 3567));
    expect(edge.length).toBeGreaterThan(10);
    expect(edge.every((c) => c.x % 128 !== 0 || c.y % 128 !== 0)).toBe(true);
    for (const c of cells) {
      if (!Number.isFinite(c.score) || c.x % 128 !== 0 || c.y % 128 !== 0) continue;
      const reference = grid[c.y / 128]?.[c.x / 128];
      expect(reference).toBeDefined();
      maxDiff = Math.max(maxDiff, Math.abs(c.score - reference!));
      compared++;
    }
    console.log(`browser vs focuslite score: ${compared} cells, max |difference| ${maxDiff.toExponential(2)}`);
    expect(compared).toBeGreaterThan(300);
    expect(maxDiff).toBeLessThan(1e-4);
  });
});

/**
 * Heatmap pixels on screen in the left and right thirds of the viewer, every 4th pixel each way: under the heatmap the
 * slide is drawn in grayscale, so a coloured pixel is the heatmap's (or, with `red`, an outline's). The heatmap is a
 * small canvas the compositor scales over the slide, so it is judged on a screenshot, as it shows.
 */
async function heatmapPixels(page: Page, red = false): Promise<{ left: number; right: number }> {
  const { data, info } = await sharp(await page.locator('.viewer-canvas').screenshot()).raw().toBuffer({ resolveWithObject: true });
  let left = 0;
  let right = 0;
  for (let y = 0; y < info.height; y += 4) {
    for (let x = 0; x < info.width; x += 4) {
      const i = (y * info.width + x) * info.channels;
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      const hit = red ? r > 200 && g < 100 && b < 100 : Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b)) > 16;
      if (!hit) continue;
      if (x < info.width / 3) left++;
      else if (x > (2 * info.width) / 3) right++;
    }
  }
  return { left, right };
}

test('swipe comparison: the heatmap left of the divider, the slide alone right of it', async ({ page }) => {
  await gotoApp(page); // the demo slide
  const viewer = page.getByTestId('viewer');
  await page.getByTestId('heatmap-toggle').click();
  await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 60_000 });
  // Both thirds, once the slide under it is in grayscale.
  await expect.poll(async () => Math.min(...Object.values(await heatmapPixels(page)))).toBeGreaterThan(100);
  await page.getByTestId('swipe-toggle').check();
  await page.getByTestId('swipe').fill('0.5');
  await expect.poll(async () => (await heatmapPixels(page)).right).toBe(0);
  expect((await heatmapPixels(page)).left).toBeGreaterThan(100);
  await expect(page.getByTestId('heatmap-divider')).toBeVisible();
  await page.getByTestId('swipe-toggle').uncheck();
  await expect.poll(async () => (await heatmapPixels(page)).right).toBeGreaterThan(100);
  await expect(page.getByTestId('heatmap-divider')).toBeHidden();
});

test('outlines of the out-of-focus cells: drawn over the heatmap, kept to the swipe, gone when switched off', async ({ page }) => {
  await gotoApp(page); // the demo slide: its blurred regions (demo-slide.tif.regions.json) are out of focus
  const viewer = page.getByTestId('viewer');
  await page.getByTestId('heatmap-toggle').click();
  await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 60_000 });
  expect((await heatmapPixels(page, true)).left + (await heatmapPixels(page, true)).right).toBe(0);
  await page.getByTestId('outline-toggle').check();
  const both = async () => {
    const p = await heatmapPixels(page, true);
    return p.left + p.right;
  };
  await expect.poll(both).toBeGreaterThan(20);
  // Zoomed in on the severe region and rotated, the outlines still frame its cells.
  await page.evaluate(() => window.focuslite!.showRegion(2200, 3300, 1300, 1200));
  await page.locator('.viewer-canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 60_000 });
  await expect.poll(both).toBeGreaterThan(20);
  await page.getByTestId('swipe-toggle').check();
  await page.getByTestId('swipe').fill('0.3');
  await expect.poll(async () => (await heatmapPixels(page, true)).right).toBe(0);
  await page.getByTestId('swipe-toggle').uncheck();
  await page.getByTestId('outline-toggle').uncheck();
  await expect.poll(both).toBe(0);
});

test('magnification: the live readout follows the pixel size, and 5×/10×/20×/40× zoom to it', async ({ page }) => {
  test.skip(!hasShared, SKIP_SHARED);
  await gotoApp(page);
  await openFile(page, shared('slides/CMU-1-Small-Region.svs')); // 0.499 µm/px: level 0 at 1:1 is about 20×
  await expectReady(page);
  const readout = page.getByTestId('magnification');
  for (const m of [5, 20, 40]) {
    await page.getByTestId(`magnification-${m}`).click();
    await expect.poll(async () => Number(await readout.getAttribute('data-value'))).toBeCloseTo(m, 1);
    const mpp = 0.499;
    expect(await page.evaluate(() => window.focuslite!.imageZoom())).toBeCloseTo((m * mpp) / 10, 2);
  }
  await expect(readout).toHaveText('40×');
});

test('the slide is drawn in grayscale under the heatmap, and in colour without it or with "keep slide colour"', async ({ page }) => {
  await gotoApp(page); // the demo slide
  // Sampled pixels of the slide's own canvas (the largest: not the heatmap's, not the navigator's) that are not gray.
  const coloured = () =>
    page.evaluate(() => {
      if (!window.focuslite!.tilesLoaded()) return -1;
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.openseadragon-canvas > canvas:not(.heatmap-overlay):not(.outline-layer)')];
      const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4 * 97) if (Math.abs(d[i]! - d[i + 1]!) > 8 || Math.abs(d[i + 1]! - d[i + 2]!) > 8) n++;
      return n;
    });
  await expect.poll(coloured).toBeGreaterThan(100);
  await page.getByTestId('heatmap-toggle').click();
  await expect.poll(coloured).toBe(0);
  await page.getByLabel('keep slide colour').check();
  await expect.poll(coloured).toBeGreaterThan(100);
  await page.getByLabel('keep slide colour').uncheck();
  await expect.poll(coloured).toBe(0);
  await page.getByTestId('heatmap-toggle').click();
  await expect.poll(coloured).toBeGreaterThan(100);
});

test('toggling the heatmap or "keep slide colour" keeps the slide on screen while its tiles are redrawn', async ({ page }) => {
  await gotoApp(page); // the demo slide
  // Zoomed in, so the slide covers the whole canvas and a toggle has tiles to render again.
  await page.evaluate(() => window.focuslite!.showRegion(2048, 1536, 1536, 1024));
  // Wait for the zoomed view to be drawn whole (tilesLoaded alone may still speak of the view before the zoom).
  await expect
    .poll(() =>
      page.evaluate(() => {
        const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.openseadragon-canvas > canvas:not(.heatmap-overlay):not(.outline-layer)')];
        const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4 * 53) if (d[i] === 0) return false;
        return window.focuslite!.tilesLoaded();
      }),
    )
    .toBe(true);
  // From before the toggle until its tiles are in, the share of the slide's canvas that is drawn (alpha > 0), at its
  // lowest, sampled on every display frame: a reset of the tiles shows as frames with (nearly) nothing drawn.
  const lowestCover = async (toggle: () => Promise<void>, wantGray: boolean) => {
    await page.evaluate(() => {
      const w = window as unknown as { __cover: number[]; __coverStop: boolean };
      w.__cover = [];
      w.__coverStop = false;
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.openseadragon-canvas > canvas:not(.heatmap-overlay):not(.outline-layer)')];
      const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
      const sample = () => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let drawn = 0;
        let all = 0;
        for (let i = 3; i < d.length; i += 4 * 53) {
          all++;
          if (d[i]! > 0) drawn++;
        }
        w.__cover.push(drawn / all);
        if (!w.__coverStop) requestAnimationFrame(sample);
      };
      sample();
    });
    await toggle();
    // Until the canvas shows the new mode with every tile in.
    await expect
      .poll(() =>
        page.evaluate(() => {
          if (!window.focuslite!.tilesLoaded()) return undefined;
          const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.openseadragon-canvas > canvas:not(.heatmap-overlay):not(.outline-layer)')];
          const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4 * 97) if (Math.abs(d[i]! - d[i + 1]!) > 8 || Math.abs(d[i + 1]! - d[i + 2]!) > 8) n++;
          return n === 0;
        }),
      )
      .toBe(wantGray);
    const cover = await page.evaluate(() => {
      const w = window as unknown as { __cover: number[]; __coverStop: boolean };
      w.__coverStop = true;
      return w.__cover;
    });
    expect(cover.length).toBeGreaterThan(1);
    expect(cover[0]).toBeGreaterThan(0.99); // the whole canvas is slide before the toggle
    return Math.min(...cover);
  };
  expect(await lowestCover(() => page.getByTestId('heatmap-toggle').click(), true)).toBeGreaterThan(0.99);
  expect(await lowestCover(() => page.getByLabel('keep slide colour').check(), false)).toBeGreaterThan(0.99);
  expect(await lowestCover(() => page.getByLabel('keep slide colour').uncheck(), true)).toBeGreaterThan(0.99);
  expect(await lowestCover(() => page.getByTestId('heatmap-toggle').click(), false)).toBeGreaterThan(0.99);
});

test('the slide canvas ends up showing every tile of a new view, as a whole redraw of it does (frames draw only what changed)', async ({ page }) => {
  await gotoApp(page); // the demo slide
  // The slide's canvas, kept in the page (`keep`) or compared with the kept one: values differing by more than 2.
  const pixels = (keep: boolean) =>
    page.evaluate((keep) => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.openseadragon-canvas > canvas:not(.heatmap-overlay):not(.outline-layer)')];
      const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const w = window as unknown as { __kept?: Uint8ClampedArray };
      if (keep) w.__kept = d;
      let differ = 0;
      for (let i = 0; i < d.length; i++) if (Math.abs(d[i]! - w.__kept![i]!) > 2) differ++;
      return { differ, length: d.length };
    }, keep);
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const drawnWhole = async () => {
    await frames(); // the viewer has taken the new view (tilesLoaded speaks of it)
    await expect.poll(() => page.evaluate(() => window.focuslite!.tilesLoaded())).toBe(true);
    await frames(); // the last tile's draw is on the canvas
  };
  // At level 0 (1 screen pixel = 1 slide pixel), a region whose tiles arrive one after another.
  const { w, h } = await page.evaluate(() => {
    const v = document.querySelector('.viewer-canvas')!;
    return { w: v.clientWidth, h: v.clientHeight };
  });
  await page.evaluate(([w, h]) => window.focuslite!.showRegion(300, 300, w!, h!), [w, h]);
  await drawnWhole();
  await page.evaluate(([w, h]) => window.focuslite!.showRegion(4100, 2900, w!, h!), [w, h]);
  await drawnWhole();
  await pixels(true);
  // The same view moved by a thousandth of a pixel: a new view, so every tile is drawn again in one frame.
  await page.evaluate(([w, h]) => window.focuslite!.showRegion(4100.001, 2900, w!, h!), [w, h]);
  await drawnWhole();
  const { differ, length } = await pixels(false);
  expect(differ).toBeLessThan(length / 1000);
});
