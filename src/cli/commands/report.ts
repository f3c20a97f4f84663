// `focuslite report QC_DIR`: the cohort of a folder of scan reports as cohort.csv, cohort.html and rescan.csv
// (src/focus/qc/cohort.ts has the rows and CSV; ../cohort-html.ts the page). `scan` runs it too, at the end of a
// multi-slide scan with --out.
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { buildCohort, cohortCounts, cohortCsv, rescanCsv, rescanRows, slideLink, type CohortCounts, type CohortFile } from '../../focus/qc/cohort.ts';
import { cohortHtml, type CohortPageRow } from '../cohort-html.ts';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';

export const DEFAULT_APP_URL = 'http://127.0.0.1:5173/';

const USAGE = `focuslite report QC_DIR [--app URL] [--slides-url BASE_URL] [--regions 5] [--thumb-width 240]

  Reads QC_DIR's scan reports (NAME.focus.json) and failure records (NAME.focus-error.json) and writes there
  cohort.csv (one row per slide, worst first), cohort.html (self-contained: heatmap thumbnails, sortable, filterable)
  and rescan.csv (the FAILing slides' worst regions in level-0 pixels and µm).
  --app is the viewer's address for the slide links (default ${DEFAULT_APP_URL}); --slides-url BASE links slides
  without a URL of their own to BASE/NAME (the slide files served over HTTP).`;

export interface CohortReportOptions {
  app?: string;
  slidesUrl?: string;
  /** Worst regions per FAILing slide in rescan.csv. */
  regionsPerSlide?: number;
  thumbWidth?: number;
  now?: Date;
}

export interface CohortReportResult {
  counts: CohortCounts;
  files: { csv: string; html: string; rescan: string };
}

function httpUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} takes an http(s) URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} takes an http(s) URL, got '${value}'`);
  return url.href;
}

/** A thumbnail of NAME.focus.png as a data: URL (JPEG: a tenth of the PNG's size for a heatmap), or undefined if there is none. */
async function thumbnail(path: string, width: number): Promise<string | undefined> {
  try {
    const jpeg = await sharp(path).resize({ width, withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 80 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined; // no heatmap (an unreadable slide) or a broken one: the row says "no heatmap"
  }
}

/** Written beside and renamed into place, so a reader (or a concurrent scan) never sees half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** Reads the QC folder and writes the three cohort files into it. Throws naming the folder when it holds no reports. */
export async function writeCohortReport(dir: string, options: CohortReportOptions = {}): Promise<CohortReportResult> {
  const folder = resolve(dir);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${dir}: not a folder`);
  const names = (await readdir(folder)).filter((n) => n.endsWith('.focus.json') || n.endsWith('.focus-error.json')).sort();
  if (names.length === 0) throw new Error(`${dir}: no scan reports (NAME.focus.json) or failure records (NAME.focus-error.json); run focuslite scan SLIDE... --out ${dir} first`);
  const files: CohortFile[] = await Promise.all(names.map(async (fileName) => ({ fileName, text: await readFile(join(folder, fileName), 'utf8') })));
  const cohort = buildCohort(files);
  const app = httpUrl(options.app ?? DEFAULT_APP_URL, '--app');
  const slidesUrl = options.slidesUrl !== undefined ? httpUrl(options.slidesUrl, '--slides-url') : undefined;
  const width = options.thumbWidth ?? 240;
  const rows: CohortPageRow[] = [];
  for (const row of cohort.rows) {
    const thumb = row.verdict === 'error' ? undefined : await thumbnail(join(folder, `${row.stem}.focus.png`), width);
    const link = slideLink(row, { app, ...(slidesUrl ? { slidesUrl } : {}) });
    rows.push({ row, ...(thumb ? { thumbnail: thumb } : {}), ...(link ? { link } : {}) });
  }
  const out = { csv: join(folder, 'cohort.csv'), html: join(folder, 'cohort.html'), rescan: join(folder, 'rescan.csv') };
  await writeAtomic(out.csv, cohortCsv(cohort.rows));
  await writeAtomic(out.rescan, rescanCsv(rescanRows(cohort, options.regionsPerSlide ?? 5)));
  await writeAtomic(out.html, cohortHtml({ title: 'Focus QC cohort', rows, generatedAt: (options.now ?? new Date()).toISOString() }));
  return { counts: cohortCounts(cohort.rows), files: out };
}

export function describeCohort(result: CohortReportResult): string {
  const c = result.counts;
  return `cohort: ${c.slides} slide(s), ${c.pass} pass, ${c.fail} fail, ${c.error} error → ${result.files.csv}, ${result.files.html}, ${result.files.rescan}`;
}

function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} takes a positive integer, got '${value}'`);
  return n;
}

const command: Command = {
  summary: 'Cohort report of a folder of scan reports: cohort.csv, a self-contained cohort.html and rescan.csv.',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { app: { type: 'string' }, 'slides-url': { type: 'string' }, regions: { type: 'string' }, 'thumb-width': { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give one QC_DIR' : 'QC_DIR is missing');
    // Options are checked before the folder is read, so a typo is a usage error (2), not a failed report (1).
    const options: CohortReportOptions = {
      app: httpUrl(values.app ?? DEFAULT_APP_URL, '--app'),
      ...(values['slides-url'] !== undefined ? { slidesUrl: httpUrl(values['slides-url'], '--slides-url') } : {}),
      regionsPerSlide: positiveInteger(values.regions, '--regions', 5),
      thumbWidth: positiveInteger(values['thumb-width'], '--thumb-width', 240),
    };
    try {
      console.error(describeCohort(await writeCohortReport(positionals[0]!, options)));
      return EXIT.ok;
    } catch (err) {
      console.error(`focuslite report: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
  },
};
export default command;
