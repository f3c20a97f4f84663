// cohort.html as a lab opens it from a USB stick: from file://, with the network blocked. Made by the real CLI
// (`focuslite scan` of real slides, a corrupt one and the demo slide, then `focuslite report`): every slide is a row,
// worst first, the thumbnails load, sorting and filtering work, and the link of a slide served over HTTP opens it in
// the app.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { expectReady, hasShared, shared, SKIP_SHARED } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const cli = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/focuslite.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });

test.describe('cohort.html', () => {
  test.skip(!hasShared, SKIP_SHARED);
  let dir = '';
  let page = '';
  /** The slides read, from their own reports: name, verdict and % out of focus. */
  let read: { name: string; verdict: string; percent: number }[] = [];

  test.beforeAll(async ({ baseURL }) => {
    test.setTimeout(240_000);
    dir = mkdtempSync(join(tmpdir(), 'focuslite-cohort-e2e-'));
    writeFileSync(join(dir, 'corrupt <&>.svs'), Buffer.from('II*\0 not the rest of a TIFF'));
    const scan = cli([
      'scan', '--workers', '1', '--out', join(dir, 'qc'),
      shared('slides/CMU-1-Small-Region.svs'), shared('slides/derived/TCGA-CR-7395-pyramid-jpeg.tif'), shared('slides/derived/TCGA-CR-7395-synthetic-blur.tif'),
      join(dir, 'corrupt <&>.svs'), join(ROOT, 'public/demo/demo-slide.tif'),
    ]);
    expect(scan.status, scan.stderr).toBe(1); // the corrupt slide
    expect(scan.stderr).toMatch(/cohort: 5 slide\(s\)/);
    // The demo slide is served by the app's own server under /demo/: its link must open it.
    const report = cli(['report', join(dir, 'qc'), '--app', `${baseURL}/`, '--slides-url', `${baseURL}/demo/`]);
    expect(report.status, report.stderr).toBe(0);
    page = pathToFileURL(join(dir, 'qc', 'cohort.html')).href;
    read = readdirSync(join(dir, 'qc'))
      .filter((f) => f.endsWith('.focus.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'qc', f), 'utf8')))
      .map((r) => ({ name: r.slide.name, verdict: r.summary.verdict, percent: r.summary.outOfFocusPercent }));
    expect(read).toHaveLength(4);
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const names = (p: Page) => p.locator('#cohort tbody tr:not([hidden]) .slide').allTextContents();

  test('opens offline with every slide, worst first, thumbnails loaded; sorts and filters', async ({ browser }) => {
    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await context.setOffline(true);
    const p = await context.newPage();
    p.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) outside.push(r.url());
    });
    await p.goto(page);
    const fails = read.filter((r) => r.verdict === 'fail');
    expect(fails.map((r) => r.name)).toContain('TCGA-CR-7395-synthetic-blur.tif');
    await expect(p.locator('#summary')).toContainText(`5 slides: ${4 - fails.length} pass, ${fails.length} fail, 1 error`);
    // Worst first: the unreadable slide, the FAILs most out of focus first, then the PASSes likewise.
    const byPercent = (verdict: string) => read.filter((r) => r.verdict === verdict).sort((a, b) => b.percent - a.percent || a.name.localeCompare(b.name));
    expect(await names(p)).toEqual(['corrupt <&>.svs', ...byPercent('fail').map((r) => r.name), ...byPercent('pass').map((r) => r.name)]);
    const verdicts = await p.locator('#cohort tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.verdict));
    expect(verdicts).toEqual(['error', ...byPercent('fail').map(() => 'fail'), ...byPercent('pass').map(() => 'pass')]);
    await expect(p.locator('#cohort tbody tr').first()).toContainText(/corrupt <&>\.svs: /);

    // Every slide that was read has its heatmap thumbnail, decoded.
    const images = p.locator('#cohort img');
    await expect(images).toHaveCount(4);
    await expect.poll(() => images.evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)).toBe(4);

    // Sorting: by % out of focus ascending (errors, without a number, first), then descending; by name.
    const percents = () => p.locator('#cohort tbody tr td:nth-child(5)').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.v ?? ''));
    await p.getByRole('columnheader', { name: '% out of focus' }).click();
    const up = await percents();
    expect(up[0]).toBe('');
    expect(up.slice(1).map(Number)).toEqual(up.slice(1).map(Number).sort((a, b) => a - b));
    await p.getByRole('columnheader', { name: '% out of focus' }).click();
    const down = (await percents()).slice(0, 4).map(Number);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    await p.getByRole('columnheader', { name: 'Slide' }).click();
    const byName = await names(p);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b)));

    // Filtering by text and by verdict.
    await p.getByLabel('Filter').fill('tcga');
    expect((await names(p)).sort()).toEqual(['TCGA-CR-7395-pyramid-jpeg.tif', 'TCGA-CR-7395-synthetic-blur.tif']);
    await p.getByLabel('Verdict').selectOption('pass');
    expect(await names(p)).toEqual(['TCGA-CR-7395-pyramid-jpeg.tif']);
    await p.getByLabel('Filter').fill('');
    await p.getByLabel('Verdict').selectOption('error');
    expect(await names(p)).toEqual(['corrupt <&>.svs']);
    await expect(p.locator('#shown')).toHaveText('1 of 5 shown');

    expect(outside).toEqual([]);
    await context.close();
  });

  test('a slide\'s link opens it in the app', async ({ page: p, baseURL }) => {
    await p.goto(page);
    const href = await p.locator('a.slide', { hasText: 'demo-slide.tif' }).getAttribute('href');
    expect(href).toBe(`${baseURL}/?slide=${encodeURIComponent(`${baseURL}/demo/demo-slide.tif`)}`);
    await p.locator('a.slide', { hasText: 'demo-slide.tif' }).click();
    await expectReady(p);
    await expect(p.getByTestId('status-name')).toHaveText('demo-slide.tif');
  });
});
