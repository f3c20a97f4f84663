import { readCsv } from '../../../test-support/csv.ts';
import { describe, expect, it } from 'vitest';
import { ScoreMap } from '../score-map.ts';
import { slideGrid } from '../slide-grid.ts';
import { rawScale } from '../verdict-scale.ts';
import {
  buildCohort, buildFailure, cohortCounts, cohortCsv, COHORT_COLUMNS, csvField, FAILURE_SCHEMA, parseCohortFile, rescanCsv, rescanRows, slideLink,
  type CohortFile,
} from './cohort.ts';
import { buildReport, type ReportSlideSource, type ScanReport } from './report.ts';

/** A real report (buildReport) of a 10×10-cell map with `bad` out-of-focus cells (score 5 ≥ threshold 1). */
function report(name: string, bad: number[], options: { mpp?: number; source?: ReportSlideSource; details?: Record<string, string>; at?: number } = {}): ScanReport {
  const map = new ScoreMap(slideGrid(128 * 9 + 235, 128 * 9 + 235));
  const cells = Array.from({ length: 100 }, (_, i) => i);
  map.record(cells, cells.map((c) => (bad.includes(c) ? 5 : 0)), cells.map(() => 1));
  const info = {
    name, format: 'tiff' as const, vendor: 'generic', compression: 'jpeg',
    levels: [{ width: 1387, height: 1387, tileWidth: 256, tileHeight: 256, downsample: 1 }],
    ...(options.mpp ? { mpp: options.mpp } : {}),
    ...(options.details ? { details: options.details } : {}),
  };
  return buildReport({
    info, map, modelId: 'focuslite-2kernel', card: {}, scale: rawScale(1), tolerancePercent: 5, software: 'test',
    ...(options.source ? { source: options.source } : {}), now: new Date(options.at ?? 1000),
  });
}

const file = (fileName: string, data: unknown): CohortFile => ({ fileName, text: typeof data === 'string' ? data : JSON.stringify(data) });

const parseCsv = readCsv;

describe('cohort rows', () => {
  // Out of 100 tissue cells: 3 out of focus (3 %, a PASS), 10 (FAIL), 20 (FAIL).
  const pass = report('pass<&">.svs', [11, 12, 22]);
  const mild = report('mild.tif', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { mpp: 0.25, details: { scanner: 'Leica GT450', acquisitionDate: '2026-11-27' } });
  const worst = report('worst.tif', [...Array.from({ length: 10 }, (_, i) => 40 + i), ...Array.from({ length: 10 }, (_, i) => 80 + i)]);
  const failure = buildFailure('broken.svs', 'broken.svs: not a slide, "quoted", with a comma', 'test', undefined, new Date(2000));
  const files = [
    file('pass<&">.focus.json', pass),
    file('mild.focus.json', mild),
    file('worst.focus.json', worst),
    file('broken.focus-error.json', failure),
    file('cohort.csv', 'not ours'),
  ];

  it('has one row per slide, worst first: errors, then FAILs by % out of focus, then PASSes', () => {
    const cohort = buildCohort(files);
    expect(cohort.rows.map((r) => [r.name, r.verdict])).toEqual([
      ['broken.svs', 'error'],
      ['worst.tif', 'fail'],
      ['mild.tif', 'fail'],
      ['pass<&">.svs', 'pass'],
    ]);
    expect(cohort.rows[1]).toMatchObject({ outOfFocusPercent: 20, regionCount: 2, model: 'focuslite-2kernel', calibration: 'model card', stem: 'worst' });
    expect(cohort.rows[2]).toMatchObject({ outOfFocusPercent: 10, regionCount: 1, scanner: 'Leica GT450', acquiredAt: '2026-11-27', areaUnit: 'mm²' });
    expect(cohort.rows[0]).toMatchObject({ stem: 'broken', error: failure.error, outOfFocusPercent: null, scannedAt: failure.generatedAt });
    expect(cohortCounts(cohort.rows)).toEqual({ slides: 4, pass: 1, fail: 2, error: 1 });
    expect([...cohort.reports.keys()].sort()).toEqual(['mild', 'pass<&">', 'worst']);
  });

  it('turns unreadable, foreign and incomplete JSON into error rows naming why, without stopping the others', () => {
    const cohort = buildCohort([
      ...files,
      file('cut.focus.json', JSON.stringify(pass).slice(0, 200)),
      file('other.focus.json', { schema: 'something-else/2' }),
      file('partial.focus.json', { ...pass, summary: { ...pass.summary, verdict: 'maybe' } }),
    ]);
    const errors = Object.fromEntries(cohort.rows.filter((r) => r.verdict === 'error').map((r) => [r.stem, r.error]));
    expect(errors.cut).toMatch(/^cut\.focus\.json: not valid JSON/);
    expect(errors.other).toBe('other.focus.json: unknown schema "something-else/2" (expected focuslite-scan-report/1 or focuslite-scan-failure/1)');
    expect(errors.partial).toBe('partial.focus.json: not a complete scan report (summary.verdict is "maybe", not "pass" or "fail")');
    expect(cohortCounts(cohort.rows)).toEqual({ slides: 7, pass: 1, fail: 2, error: 4 });
  });

  it('shows a slide with both a report and a failure record by the newer one', () => {
    const later = buildFailure('worst.tif', 'gone', 'test', undefined, new Date(5000));
    expect(buildCohort([...files, file('worst.focus-error.json', later)]).rows.find((r) => r.stem === 'worst')).toMatchObject({ verdict: 'error', error: 'gone' });
    const earlier = buildFailure('worst.tif', 'gone', 'test', undefined, new Date(10));
    expect(buildCohort([...files, file('worst.focus-error.json', earlier)]).rows.find((r) => r.stem === 'worst')).toMatchObject({ verdict: 'fail' });
  });
});

describe('cohort CSV', () => {
  it('quotes by RFC 4180 and agrees with the rows', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(csvField(null)).toBe('');
    const cohort = buildCohort([
      file('a.focus.json', report('a, "b".svs', [1, 2, 3, 4, 5, 6])),
      file('x.focus-error.json', buildFailure('x.svs', 'line one\nline "two", end', 'test')),
    ]);
    const rows = parseCsv(cohortCsv(cohort.rows));
    expect(rows[0]).toEqual([...COHORT_COLUMNS]);
    const error = COHORT_COLUMNS.indexOf('error');
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[error]])).toEqual([
      ['x.svs', 'error', '', '', 'line one\nline "two", end'],
      ['a, "b".svs', 'fail', '6', '1', ''],
    ]);
    expect(rows.every((r) => r.length === COHORT_COLUMNS.length)).toBe(true);
  });
});

describe('re-scan list', () => {
  it('lists the FAILing slides\' worst regions in level-0 pixels and µm from the origin when the pixel size is known', () => {
    const cohort = buildCohort([
      file('ok.focus.json', report('ok.svs', [5])),
      file('blurred.focus.json', report('blurred.svs', [...Array.from({ length: 10 }, (_, i) => i), 55], { mpp: 0.5 })),
      file('nompp.focus.json', report('nompp.tif', Array.from({ length: 20 }, (_, i) => 40 + i))),
    ]);
    const rows = rescanRows(cohort);
    expect(rows.map((r) => [r.slide, r.rank])).toEqual([
      ['nompp.tif', 1],
      ['blurred.svs', 1],
      ['blurred.svs', 2],
    ]);
    const blurred = cohort.reports.get('blurred')!;
    expect(rows[1]).toMatchObject({ x: blurred.regions[0]!.x, y: blurred.regions[0]!.y, width: blurred.regions[0]!.width, mpp: 0.5 });
    expect(rows[1]!.xUm).toBe(blurred.regions[0]!.x * 0.5);
    expect(rows[1]!.widthUm).toBe(blurred.regions[0]!.width * 0.5);
    expect(rows[0]).toMatchObject({ xUm: null, yUm: null, mpp: null, areaUnit: 'px²' });
    expect(rescanRows(cohort, 1)).toHaveLength(2);
    const csv = parseCsv(rescanCsv(rows));
    expect(csv[0]!.slice(0, 10)).toEqual(['slide', 'rank', 'x_px', 'y_px', 'width_px', 'height_px', 'x_um', 'y_um', 'width_um', 'height_um']);
    expect(csv[2]![6]).toBe(String(blurred.regions[0]!.x * 0.5));
    expect(csv[1]![6]).toBe('');
  });
});

describe('slide links', () => {
  const app = 'http://127.0.0.1:5173/';
  const rowOf = (r: ScanReport) => buildCohort([file('s.focus.json', r)]).rows[0]!;

  it('opens a URL slide with ?slide= and a DICOMweb series with ?dicomweb=&study=&series=', () => {
    const url = rowOf(report('s.svs', [], { source: { url: 'https://slides.example/a b.svs?x=1&y=2' } }));
    const link = new URL(slideLink(url, { app })!);
    expect(link.origin + link.pathname).toBe(app);
    expect(link.searchParams.get('slide')).toBe('https://slides.example/a b.svs?x=1&y=2');
    const web = rowOf(report('series-1.2', [], { source: { dicomweb: 'https://pacs.example/dicom-web', study: '1.2.3', series: '1.2.4' } }));
    const webLink = new URL(slideLink(web, { app: 'https://qc.lab.example/viewer/?old=1' })!);
    expect(webLink.pathname).toBe('/viewer/');
    expect(Object.fromEntries(webLink.searchParams)).toEqual({ dicomweb: 'https://pacs.example/dicom-web', study: '1.2.3', series: '1.2.4' });
  });

  it('links a local slide only with --slides-url, and never a non-http source', () => {
    const local = rowOf(report('a #1.svs', []));
    expect(slideLink(local, { app })).toBeUndefined();
    expect(new URL(slideLink(local, { app, slidesUrl: 'http://files.lab/run 7/' })!).searchParams.get('slide')).toBe('http://files.lab/run 7/a%20%231.svs');
    expect(slideLink(rowOf(report('s.svs', [], { source: { url: 'javascript:alert(1)' } })), { app })).toBeUndefined();
  });

  it('keeps the source out of reports of local files, and in the failure record', () => {
    expect(report('s.svs', []).slide.source).toBeUndefined();
    const f = buildFailure('series-9', 'refused', 'test', { dicomweb: 'https://p/dw', study: '1', series: '9' });
    expect(f).toMatchObject({ schema: FAILURE_SCHEMA, slide: { name: 'series-9', source: { dicomweb: 'https://p/dw' } } });
    expect(slideLink(parseCohortFile(file('series-9.focus-error.json', f)).row, { app })).toContain('dicomweb=https%3A%2F%2Fp%2Fdw');
  });
});
