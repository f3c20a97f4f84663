// `focuslite report`: the cohort files agree with the per-slide reports (counts, verdicts, order); the HTML is one
// self-contained file (escaped names, data: thumbnails, no external URL but the app links); and a multi-slide
// `focuslite scan --out` on real slides with a corrupt one ends with the cohort, the corrupt slide as an error row.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { readCsv } from '../../../test-support/csv.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { ScoreMap } from '../../focus/score-map.ts';
import { slideGrid } from '../../focus/slide-grid.ts';
import { rawScale } from '../../focus/verdict-scale.ts';
import { buildReport, type ScanReport } from '../../focus/qc/report.ts';
import { buildFailure, COHORT_COLUMNS } from '../../focus/qc/cohort.ts';
import { escapeHtml } from '../cohort-html.ts';
import { EXIT } from '../exit-codes.ts';
import report, { writeCohortReport } from './report.ts';

function fixtureReport(name: string, bad: number[], mpp?: number): ScanReport {
  const map = new ScoreMap(slideGrid(128 * 9 + 235, 128 * 9 + 235));
  const cells = Array.from({ length: 100 }, (_, i) => i);
  map.record(cells, cells.map((c) => (bad.includes(c) ? 5 : 0)), cells.map(() => 1));
  const info = {
    name, format: 'tiff' as const, vendor: 'generic', compression: 'jpeg',
    levels: [{ width: 1387, height: 1387, tileWidth: 256, tileHeight: 256, downsample: 1 }], ...(mpp ? { mpp } : {}),
  };
  return buildReport({ info, map, modelId: 'm', card: {}, scale: rawScale(1), tolerancePercent: 5, software: 'test' });
}

/** Data rows (the header left out). */
const csvRows = (text: string) => readCsv(text).slice(1);

const quiet = () => vi.spyOn(console, 'error').mockImplementation(() => {});

describe('focuslite report', () => {
  let dir = '';
  const evil = 'a<b>&"c\'.svs';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'focuslite-report-'));
    const write = (stem: string, data: unknown) => writeFileSync(join(dir, `${stem}.focus.json`), JSON.stringify(data));
    write('a<b>&"c\'', fixtureReport(evil, [1]));
    write('blur', fixtureReport('blur.tif', Array.from({ length: 30 }, (_, i) => i), 0.5));
    write('some', fixtureReport('some.tif', Array.from({ length: 10 }, (_, i) => 50 + i)));
    write('foreign', { schema: 'not-ours/1' });
    writeFileSync(join(dir, 'broken.focus-error.json'), JSON.stringify(buildFailure('broken.svs', 'broken.svs: not a slide', 'test')));
    // Heatmaps for two of the slides: 400×300 PNGs.
    for (const stem of ['blur', 'a<b>&"c\'']) {
      await sharp({ create: { width: 400, height: 300, channels: 4, background: { r: 200, g: 30, b: 90, alpha: 1 } } }).png().toFile(join(dir, `${stem}.focus.png`));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes cohort.csv, rescan.csv and cohort.html that agree with the reports', async () => {
    const result = await writeCohortReport(dir, { slidesUrl: 'http://files.lab/run/' });
    expect(result.counts).toEqual({ slides: 5, pass: 1, fail: 2, error: 2 });
    const rows = csvRows(readFileSync(join(dir, 'cohort.csv'), 'utf8'));
    // Errors first (by name), then FAILs most out of focus first (30 %, 10 %), then the PASS.
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['broken.svs', 'error', ''],
      ['foreign', 'error', ''],
      ['blur.tif', 'fail', '30'],
      ['some.tif', 'fail', '10'],
      [evil, 'pass', '1'],
    ]);
    expect(rows.every((r) => r.length === COHORT_COLUMNS.length)).toBe(true);
    expect(rows[1]![COHORT_COLUMNS.indexOf('error')]).toMatch(/foreign\.focus\.json: unknown schema "not-ours\/1"/);

    const rescan = csvRows(readFileSync(join(dir, 'rescan.csv'), 'utf8'));
    expect(rescan.map((r) => r[0])).toEqual(['blur.tif', 'some.tif']); // one region each, worst slide first
    const blur = JSON.parse(readFileSync(join(dir, 'blur.focus.json'), 'utf8')) as ScanReport;
    expect(rescan[0]!.slice(2, 10).map(Number)).toEqual([
      blur.regions[0]!.x, blur.regions[0]!.y, blur.regions[0]!.width, blur.regions[0]!.height,
      blur.regions[0]!.x * 0.5, blur.regions[0]!.y * 0.5, blur.regions[0]!.width * 0.5, blur.regions[0]!.height * 0.5,
    ]);
    expect(rescan[1]![6]).toBe(''); // no pixel size, no µm

    const html = readFileSync(join(dir, 'cohort.html'), 'utf8');
    expect(html).toContain('5 slides: 1 pass, 2 fail, 2 error');
    expect(html).not.toContain(evil);
    expect(html).toContain(escapeHtml(evil));
    const names = [...html.matchAll(/class="slide"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(names).toEqual(['broken.svs', 'foreign', 'blur.tif', 'some.tif', escapeHtml(evil)]);
    // Thumbnails are inline JPEGs 240 px wide, for the slides that have a heatmap.
    const thumbs = [...html.matchAll(/src="data:image\/jpeg;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
    expect(thumbs).toHaveLength(2);
    expect((await sharp(thumbs[0]!).metadata()).width).toBe(240);
    // Nothing external: every http(s) URL in the page is an app link, and the page's policy forbids fetches.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]*/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((u) => u.startsWith('http://127.0.0.1:5173/?slide='))).toBe(true);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'; img-src data:/);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)="(?!data:|http:\/\/127\.0\.0\.1:5173\/)/);
    // The app link of a local slide served under --slides-url.
    expect(html).toContain(escapeHtml(`http://127.0.0.1:5173/?slide=${encodeURIComponent('http://files.lab/run/blur.tif')}`));
  });

  it('as a command: exit 0 and a summary line; 1 for a folder without reports; 2 for a bad option', async () => {
    const spy = quiet();
    try {
      expect(await report.run([dir, '--app', 'https://qc.lab/viewer/', '--regions', '1'])).toBe(EXIT.ok);
      expect(spy.mock.calls.at(-1)![0]).toMatch(/^cohort: 5 slide\(s\), 1 pass, 2 fail, 2 error/);
      const empty = mkdtempSync(join(tmpdir(), 'focuslite-report-empty-'));
      try {
        expect(await report.run([empty])).toBe(EXIT.failed);
        expect(spy.mock.calls.at(-1)![0]).toMatch(/no scan reports \(NAME\.focus\.json\) or failure records/);
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
      expect(await report.run([join(dir, 'nope')])).toBe(EXIT.failed);
      expect(spy.mock.calls.at(-1)![0]).toMatch(/nope: not a folder/);
    } finally {
      spy.mockRestore();
    }
    for (const args of [[], [dir, dir], [dir, '--app', 'file:///x'], [dir, '--slides-url', 'not a url'], [dir, '--regions', '0'], [dir, '--bogus']]) {
      const r = runCli(['report', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
    }
  });
});

describe.skipIf(!hasShared)('focuslite scan of several slides with --out', () => {
  let out = '';
  let scan = { status: null as number | null, stdout: '', stderr: '' };
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'focuslite-cohort-scan-'));
    writeFileSync(join(out, 'corrupt.svs'), Buffer.from('II*\0 this is not the rest of a TIFF file'));
    scan = runCli([
      'scan', '--workers', '1', '--out', join(out, 'qc'),
      sharedPath('slides/derived/TCGA-CR-7395-synthetic-blur.tif'), join(out, 'corrupt.svs'), sharedPath('slides/CMU-1-Small-Region.svs'),
    ]);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('scans the readable slides, writes a failure record for the corrupt one, exits 1 and ends with the cohort', () => {
    expect(scan.status, scan.stderr).toBe(EXIT.failed);
    expect(scan.stderr).toMatch(/cohort: 3 slide\(s\), 1 pass, 1 fail, 1 error/);
    const qc = join(out, 'qc');
    // (GeoJSON region files, if scan writes them, are not this test's business.)
    expect(readdirSync(qc).filter((f) => !f.endsWith('.geojson')).sort()).toEqual([
      'CMU-1-Small-Region.focus.csv', 'CMU-1-Small-Region.focus.json', 'CMU-1-Small-Region.focus.png',
      'TCGA-CR-7395-synthetic-blur.focus.csv', 'TCGA-CR-7395-synthetic-blur.focus.json', 'TCGA-CR-7395-synthetic-blur.focus.png',
      'cohort.csv', 'cohort.html', 'corrupt.focus-error.json', 'rescan.csv',
    ]);
    const failure = JSON.parse(readFileSync(join(qc, 'corrupt.focus-error.json'), 'utf8'));
    expect(failure).toMatchObject({ schema: 'focuslite-scan-failure/1', slide: { name: 'corrupt.svs' } });
    expect(failure.error).toMatch(/^corrupt\.svs: /);
    // No local path in any file meant to be passed on.
    for (const f of ['corrupt.focus-error.json', 'CMU-1-Small-Region.focus.json', 'cohort.csv', 'cohort.html']) {
      expect(readFileSync(join(qc, f), 'utf8'), f).not.toContain(out);
    }
    const reports = ['TCGA-CR-7395-synthetic-blur', 'CMU-1-Small-Region'].map((stem) => JSON.parse(readFileSync(join(qc, `${stem}.focus.json`), 'utf8')) as ScanReport);
    expect(reports.map((r) => r.summary.verdict)).toEqual(['fail', 'pass']);
    expect(reports.every((r) => r.slide.source === undefined)).toBe(true);
    const rows = csvRows(readFileSync(join(qc, 'cohort.csv'), 'utf8'));
    expect(rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['corrupt.svs', 'error', '', ''],
      ...reports.map((r) => [r.slide.name, r.summary.verdict, String(Number(r.summary.outOfFocusPercent.toPrecision(6))), String(r.summary.regionCount)]),
    ]);
    const rescan = csvRows(readFileSync(join(qc, 'rescan.csv'), 'utf8'));
    expect(rescan.length).toBe(Math.min(5, reports[0]!.summary.regionCount));
    expect(rescan.map((r) => r.slice(2, 6).map(Number))).toEqual(reports[0]!.regions.slice(0, 5).map((g) => [g.x, g.y, g.width, g.height]));
  });

  it('a later scan that reads the slide replaces its failure record', () => {
    const qc = join(out, 'qc');
    writeFileSync(join(qc, 'CMU-1-Small-Region.focus-error.json'), JSON.stringify(buildFailure('CMU-1-Small-Region.svs', 'old', 'test', undefined, new Date(0))));
    const again = runCli(['scan', '--workers', '1', '--out', qc, sharedPath('slides/CMU-1-Small-Region.svs')]);
    expect(again.status, again.stderr).toBe(EXIT.ok);
    expect(readdirSync(qc)).not.toContain('CMU-1-Small-Region.focus-error.json');
  });
});
if (!hasShared) console.warn(`[skip] focuslite scan → cohort: ${SKIP_SHARED_MESSAGE}`);
