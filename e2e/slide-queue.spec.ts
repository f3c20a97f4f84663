import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { COHORT_COLUMNS } from '../src/focus/qc/cohort.ts';
import { expectReady, gotoApp, hasShared, shared, SKIP_SHARED } from './helpers.ts';

test.describe('slide queue', () => {
  test.skip(!hasShared, SKIP_SHARED);

  test('scans several slides in turn, tables and exports them as the cohort CSV, and opens one at its worst region', async ({ page }) => {
    await gotoApp(page);
    await page.getByTestId('queue-toggle').click();
    await page.getByTestId('queue-add').setInputFiles([shared('slides/CMU-1-Small-Region.svs'), shared('slides/derived/TCGA-CR-7395-synthetic-blur.tif')]);
    // Added later, as a second pick: the queue grows.
    await page.getByTestId('queue-add').setInputFiles({ name: 'broken.svs', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5000, 3) });
    const rows = page.getByTestId('queue-row');
    await expect(rows).toHaveCount(3);
    await page.getByTestId('queue-start').click();
    const queue = page.getByTestId('slide-queue');
    await expect(queue).toHaveAttribute('data-running', 'true');
    await expect(queue).toHaveAttribute('data-running', 'false', { timeout: 240_000 });
    const row = (name: string) => page.locator(`[data-testid=queue-row][data-name="${name}"]`);
    await expect(row('CMU-1-Small-Region.svs')).toHaveAttribute('data-verdict', 'pass');
    await expect(row('TCGA-CR-7395-synthetic-blur.tif')).toHaveAttribute('data-verdict', 'fail');
    await expect(row('broken.svs')).toHaveAttribute('data-status', 'failed');
    await expect(row('broken.svs')).toContainText('error');

    // Sorted by % out of focus, highest first: the blurred slide on top.
    await page.getByTestId('queue-sort-percent').click();
    await expect(rows.first()).toHaveAttribute('data-name', 'TCGA-CR-7395-synthetic-blur.tif');

    // The CLI's cohort CSV: its columns, worst first (error, FAIL, PASS).
    const download = page.waitForEvent('download');
    await page.getByTestId('queue-export').click();
    const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe(COHORT_COLUMNS.join(','));
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['broken.svs,error', 'TCGA-CR-7395-synthetic-blur.tif,fail', 'CMU-1-Small-Region.svs,pass']);

    // A row opens its slide framed on its worst region, with the verdict kept (no new scan).
    await row('TCGA-CR-7395-synthetic-blur.tif').getByTestId('queue-open').click();
    await expect(page.getByTestId('status-name')).toHaveText('TCGA-CR-7395-synthetic-blur.tif');
    await expectReady(page);
    await expect(page.getByTestId('qc-verdict')).toHaveAttribute('data-verdict', 'fail');
    await expect(page.getByTestId('qc-region').first()).toHaveAttribute('aria-current', 'true');
    await expect(page.getByTestId('outline-layer')).toHaveAttribute('data-highlight', '1');
    const view = await page.evaluate(() => window.focuslite!.viewRect());
    expect(view.width < 4443 || view.height < 3567).toBe(true);
  });
});
