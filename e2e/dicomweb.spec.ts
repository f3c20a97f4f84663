// A DICOM WSI series from a real DICOMweb server (Orthanc, behind the documented nginx CORS proxy): it opens from
// ?dicomweb=…, its pixels equal the TIFF it was made from, a whole-slide scan scores it as the CLI scores the TIFF,
// nothing but the app and the DICOMweb origin is contacted, and a missing series or a server without CORS is a clear
// message after which the app keeps working.
import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { dicomize, hasDicomizer, SKIP_DICOMIZER } from '../test-support/dicomizer.ts';
import { dicomFiles, hasOrthanc, SKIP_ORTHANC, startDicomWeb, type DicomWebServer } from '../test-support/orthanc.ts';
import { differingFrom, expectReady, expectScanLikeCli, gotoApp, hasShared, shared, SKIP_SHARED } from './helpers.ts';

const PORT = Number(process.env.E2E_PORT ?? 4317);
const APP = `http://127.0.0.1:${PORT}`;

test.describe('DICOMweb', () => {
  test.skip(!hasShared, SKIP_SHARED);
  test.skip(!hasDicomizer, SKIP_DICOMIZER);
  test.skip(!hasOrthanc, SKIP_ORTHANC);
  let server: DicomWebServer;
  let dir = '';
  let ids: { study: string; series: string };
  const tiff = () => shared('slides/derived/CMU-1-pyramid-jpeg.tif');

  test.beforeAll(async () => {
    dir = dicomize(tiff());
    server = await startDicomWeb(APP);
    await server.upload(dicomFiles(dir));
    [ids] = (await server.series()) as [{ study: string; series: string }];
  });
  test.afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a series opens from ?dicomweb=, equal to the TIFF, scans as the CLI scans the TIFF, contacting only its origin', async ({ page }) => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.context().on('request', (r) => requests.push(r.url())); // the workers' fetches too
    const started = Date.now();
    await gotoApp(page, `?dicomweb=${encodeURIComponent(server.proxied)}&study=${ids.study}&series=${ids.series}`);
    await expectReady(page);
    console.log(`DICOMweb: first view ready ${Date.now() - started} ms after navigation`);
    await expect(page.getByTestId('status-levels')).toHaveAttribute('data-levels', '5');
    await expect(page.getByTestId('status-vendor')).toContainText('DICOMweb');
    expect(await differingFrom(page, tiff(), 500, 700, 900, 800)).toBe(0);
    const report = await expectScanLikeCli(page, tiff());
    expect(report.slide.format).toBe('dicom');

    const origins = new Set(requests.map((u) => new URL(u).origin));
    expect([...origins].sort()).toEqual([APP, new URL(server.proxied).origin].sort());
    // Without a token nothing needed a CORS preflight: each frames request was one round trip.
    const proxied = server.proxyLog();
    expect(proxied.filter((l) => /^GET \/dicom-web\/.*\/frames\/[\d,]+ 200$/.test(l)).length).toBeGreaterThan(0);
    expect(proxied.filter((l) => l.startsWith('OPTIONS '))).toEqual([]);
  });

  test('the DICOMweb browser lists the service’s slide studies and their series, and opens one', async ({ page }) => {
    await gotoApp(page, `?dicomweb=${encodeURIComponent(server.proxied)}`);
    const browser = page.getByTestId('dicomweb-browser');
    await expect(browser).toBeVisible();
    await expect(page.getByTestId('dicomweb-base')).toHaveValue(server.proxied);
    const study = page.locator(`[data-testid=dicomweb-study][data-uid="${ids.study}"]`);
    await expect(study).toHaveCount(1);
    await study.getByRole('button').click();
    const series = page.locator(`[data-testid=dicomweb-series][data-uid="${ids.series}"]`);
    await expect(series).toContainText('5 instance(s)');
    await series.getByTestId('dicomweb-open').click();
    await expect(browser).toBeHidden();
    await expect(page.getByTestId('status-vendor')).toContainText('DICOMweb');
    await expectReady(page);
    await expect(page.getByTestId('status-levels')).toHaveAttribute('data-levels', '5');
    // Another service's origin is not in this page's policy: listing it reloads the page with it.
    await page.getByTestId('dicomweb-toggle').click();
    await page.getByTestId('dicomweb-base').fill(server.orthanc);
    await page.getByTestId('dicomweb-list').click();
    await page.waitForURL((url) => url.searchParams.get('dicomweb') === server.orthanc);
  });

  test('a series the server does not have, and a server without CORS headers, are clear messages; the app keeps working', async ({ page }) => {
    await gotoApp(page, `?dicomweb=${encodeURIComponent(server.proxied)}&study=${ids.study}&series=1.2.3.4`);
    await expect(page.getByRole('alert')).toContainText('not found on the DICOMweb server (404)');
    await gotoApp(page, `?dicomweb=${encodeURIComponent(server.orthanc)}&study=${ids.study}&series=${ids.series}`);
    await expect(page.getByRole('alert')).toContainText('does it allow this origin (CORS)?', { timeout: 30_000 });
    await page.setInputFiles('[data-testid=open-file]', tiff());
    await expectReady(page);
  });
});
