// A cohort of scanned slides as one table: rows from the per-slide scan reports (and failure records of slides that
// could not be read), worst first, as CSV, plus the re-scan list of the failing slides' worst regions. Pure and
// DOM-free: the CLI's `focuslite report` uses it, and the app can export the same CSV from its slide queue.
import { REPORT_SCHEMA, type ReportSlideSource, type ScanReport } from './report.ts';

export const FAILURE_SCHEMA = 'focuslite-scan-failure/1';

/** Written by `focuslite scan --out` for a slide it could not read (NAME.focus-error.json), so a cohort shows it. */
export interface ScanFailure {
  schema: typeof FAILURE_SCHEMA;
  generatedAt: string;
  software: string;
  slide: { name: string; source?: ReportSlideSource };
  error: string;
}

export function buildFailure(name: string, error: string, software: string, source?: ReportSlideSource, now = new Date()): ScanFailure {
  return { schema: FAILURE_SCHEMA, generatedAt: now.toISOString(), software, slide: { name, ...(source ? { source } : {}) }, error };
}

export type CohortVerdict = 'pass' | 'fail' | 'error';

export interface CohortRow {
  /** The slide's name as its report gives it (file name, or series-UID); for an unreadable file, the file's stem. */
  name: string;
  /** NAME of the per-slide files (NAME.focus.json, NAME.focus.png) in the QC folder. */
  stem: string;
  verdict: CohortVerdict;
  /** Everything below is null for an error row. */
  outOfFocusPercent: number | null;
  tolerancePercent: number | null;
  regionCount: number | null;
  tissueArea: number | null;
  areaUnit: string | null;
  model: string | null;
  calibration: string | null;
  scanner: string | null;
  vendor: string | null;
  format: string | null;
  /** When the slide was scanned for focus (the report's generatedAt). */
  scannedAt: string | null;
  /** When the slide was acquired, if the file says (slide.details: acquisitionDate, acquired or date). */
  acquiredAt: string | null;
  /** The reviewer's decision (`accept` | `rescan`) and note, from the report; null when nobody decided. */
  decision: string | null;
  decisionNote: string | null;
  /** Why the slide has no report (error rows only). */
  error: string | null;
  source: ReportSlideSource | null;
}

export interface CohortFile {
  /** The file's name in the QC folder: NAME.focus.json or NAME.focus-error.json. */
  fileName: string;
  text: string;
}

export interface Cohort {
  /** Worst first (see sortWorstFirst). */
  rows: CohortRow[];
  /** The reports behind the pass/fail rows, by stem. */
  reports: Map<string, ScanReport>;
}

const REPORT_SUFFIX = '.focus.json';
const FAILURE_SUFFIX = '.focus-error.json';

/** Whether a file name is one the cohort reads, and its stem. */
export function cohortStem(fileName: string): string | undefined {
  for (const suffix of [FAILURE_SUFFIX, REPORT_SUFFIX]) {
    if (fileName.endsWith(suffix) && fileName.length > suffix.length) return fileName.slice(0, -suffix.length);
  }
  return undefined;
}

/** The row of a slide that has no report: why, and nothing else. */
export function errorRow(name: string, stem: string, error: string, scannedAt: string | null, source: ReportSlideSource | null): CohortRow {
  return {
    name, stem, verdict: 'error', outOfFocusPercent: null, tolerancePercent: null, regionCount: null, tissueArea: null, areaUnit: null,
    model: null, calibration: null, scanner: null, vendor: null, format: null, scannedAt, acquiredAt: null, decision: null, decisionNote: null, error, source,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The report's fields the cohort needs, checked, so a truncated or hand-edited file is an error row, not a crash. */
function reportProblem(r: Record<string, unknown>): string | undefined {
  const slide = r.slide;
  const summary = r.summary;
  if (!isObject(slide) || typeof slide.name !== 'string') return 'no slide.name';
  if (!isObject(summary)) return 'no summary';
  if (summary.verdict !== 'pass' && summary.verdict !== 'fail') return `summary.verdict is ${JSON.stringify(summary.verdict)}, not "pass" or "fail"`;
  for (const key of ['outOfFocusPercent', 'regionCount', 'tissueArea', 'tolerancePercent'] as const) {
    if (typeof summary[key] !== 'number') return `summary.${key} is not a number`;
  }
  if (!Array.isArray(r.regions)) return 'no regions list';
  if (!isObject(r.model) || typeof r.model.id !== 'string') return 'no model.id';
  return undefined;
}

function validSource(v: unknown): ReportSlideSource | null {
  if (!isObject(v)) return null;
  if (typeof v.url === 'string') return { url: v.url };
  if (typeof v.dicomweb === 'string' && typeof v.study === 'string' && typeof v.series === 'string') return { dicomweb: v.dicomweb, study: v.study, series: v.series };
  return null;
}

function acquired(details: Record<string, string> | undefined): string | null {
  if (!details) return null;
  return details.acquisitionDate ?? details.acquired ?? details.date ?? null;
}

export function reportRow(report: ScanReport, stem: string): CohortRow {
  const s = report.summary;
  const details = isObject(report.slide.details) ? report.slide.details : undefined;
  return {
    name: report.slide.name,
    stem,
    verdict: s.verdict,
    outOfFocusPercent: s.outOfFocusPercent,
    tolerancePercent: s.tolerancePercent,
    regionCount: s.regionCount,
    tissueArea: s.tissueArea,
    areaUnit: s.areaUnit ?? null,
    model: report.model.id,
    calibration: s.calibration ?? null,
    scanner: details?.scanner ?? null,
    vendor: report.slide.vendor ?? null,
    format: report.slide.format ?? null,
    scannedAt: report.generatedAt ?? null,
    acquiredAt: acquired(details),
    decision: report.decision === 'accept' || report.decision === 'rescan' ? report.decision : null,
    decisionNote: typeof report.decisionNote === 'string' && report.decisionNote ? report.decisionNote : null,
    error: null,
    source: validSource(report.slide.source),
  };
}

type Parsed = { row: CohortRow; report?: ScanReport };

/** One file of the QC folder as a row; a file that is not valid JSON or not one of our schemas is an error row naming why. */
export function parseCohortFile(file: CohortFile): Parsed {
  const stem = cohortStem(file.fileName) ?? file.fileName;
  let data: unknown;
  try {
    data = JSON.parse(file.text);
  } catch (err) {
    return { row: errorRow(stem, stem, `${file.fileName}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, null, null) };
  }
  if (!isObject(data)) return { row: errorRow(stem, stem, `${file.fileName}: not a JSON object`, null, null) };
  if (data.schema === FAILURE_SCHEMA) {
    const slide = isObject(data.slide) ? data.slide : {};
    const name = typeof slide.name === 'string' ? slide.name : stem;
    const error = typeof data.error === 'string' ? data.error : 'the slide could not be read';
    return { row: errorRow(name, stem, error, typeof data.generatedAt === 'string' ? data.generatedAt : null, validSource(slide.source)) };
  }
  if (data.schema !== REPORT_SCHEMA) {
    return { row: errorRow(stem, stem, `${file.fileName}: unknown schema ${JSON.stringify(data.schema)} (expected ${REPORT_SCHEMA} or ${FAILURE_SCHEMA})`, null, null) };
  }
  const problem = reportProblem(data);
  if (problem) return { row: errorRow(stem, stem, `${file.fileName}: not a complete scan report (${problem})`, null, null) };
  const report = data as unknown as ScanReport;
  return { row: reportRow(report, stem), report };
}

const VERDICT_ORDER: Record<CohortVerdict, number> = { error: 0, fail: 1, pass: 2 };

/** Worst first: slides that could not be read, then FAILs, then PASSes; within each, most out of focus first, then by name. */
export function compareWorstFirst(a: CohortRow, b: CohortRow): number {
  return (
    VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
    (b.outOfFocusPercent ?? -1) - (a.outOfFocusPercent ?? -1) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0)
  );
}

export function sortWorstFirst(rows: readonly CohortRow[]): CohortRow[] {
  return [...rows].sort(compareWorstFirst);
}

/**
 * The cohort of a QC folder's files. A slide with both a report and a failure record (scanned again after it failed,
 * or failed after it was scanned) is shown by the newer of the two.
 */
export function buildCohort(files: readonly CohortFile[]): Cohort {
  const byStem = new Map<string, Parsed>();
  for (const file of files) {
    if (cohortStem(file.fileName) === undefined) continue;
    const parsed = parseCohortFile(file);
    const old = byStem.get(parsed.row.stem);
    if (!old || (parsed.row.scannedAt ?? '') > (old.row.scannedAt ?? '')) byStem.set(parsed.row.stem, parsed);
  }
  const reports = new Map<string, ScanReport>();
  for (const [stem, p] of byStem) if (p.report) reports.set(stem, p.report);
  return { rows: sortWorstFirst([...byStem.values()].map((p) => p.row)), reports };
}

export interface CohortCounts {
  slides: number;
  pass: number;
  fail: number;
  error: number;
}

export function cohortCounts(rows: readonly CohortRow[]): CohortCounts {
  return {
    slides: rows.length,
    pass: rows.filter((r) => r.verdict === 'pass').length,
    fail: rows.filter((r) => r.verdict === 'fail').length,
    error: rows.filter((r) => r.verdict === 'error').length,
  };
}

/** One CSV field, RFC 4180: quoted when it holds a comma, quote, CR or LF, with quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? csvNumber(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Six significant digits, without float noise (0.30000000000000004) or exponents for everyday values. */
function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '';
}

/** CSV text, RFC 4180: CRLF line ends, a header line. */
export function csvText(header: readonly string[], lines: readonly (readonly (string | number | null | undefined)[])[]): string {
  return [header, ...lines].map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const COHORT_COLUMNS = [
  'slide', 'verdict', 'out_of_focus_percent', 'tolerance_percent', 'regions', 'tissue_area', 'area_unit', 'model', 'calibration',
  'scanner', 'vendor', 'format', 'scanned_at', 'acquired_at', 'decision', 'decision_note', 'error',
] as const;

export function cohortCsv(rows: readonly CohortRow[]): string {
  return csvText(
    COHORT_COLUMNS,
    rows.map((r) => [
      r.name, r.verdict, r.outOfFocusPercent, r.tolerancePercent, r.regionCount, r.tissueArea, r.areaUnit, r.model, r.calibration,
      r.scanner, r.vendor, r.format, r.scannedAt, r.acquiredAt, r.decision, r.decisionNote, r.error,
    ]),
  );
}

export interface RescanRow {
  slide: string;
  rank: number;
  /** Level-0 pixels from the slide image's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The same in µm (pixels × mpp); null when the pixel size is unknown. */
  xUm: number | null;
  yUm: number | null;
  widthUm: number | null;
  heightUm: number | null;
  mpp: number | null;
  area: number;
  areaUnit: string;
  meanValue: number;
  maxValue: number;
  scale: string;
}

/** The worst `perSlide` regions of every FAILing slide, in the cohort's order (worst slide first, worst region first). */
export function rescanRows(cohort: Cohort, perSlide = 5): RescanRow[] {
  const out: RescanRow[] = [];
  for (const row of cohort.rows) {
    if (row.verdict !== 'fail') continue;
    const report = cohort.reports.get(row.stem);
    if (!report) continue;
    const mpp = typeof report.slide.mpp === 'number' && report.slide.mpp > 0 ? report.slide.mpp : null;
    const um = (px: number) => (mpp === null ? null : px * mpp);
    for (const region of [...report.regions].sort((a, b) => a.rank - b.rank).slice(0, perSlide)) {
      out.push({
        slide: row.name, rank: region.rank, x: region.x, y: region.y, width: region.width, height: region.height,
        xUm: um(region.x), yUm: um(region.y), widthUm: um(region.width), heightUm: um(region.height), mpp,
        area: region.area, areaUnit: report.summary.areaUnit, meanValue: region.meanValue, maxValue: region.maxValue, scale: report.summary.scale,
      });
    }
  }
  return out;
}

export const RESCAN_COLUMNS = [
  'slide', 'rank', 'x_px', 'y_px', 'width_px', 'height_px', 'x_um', 'y_um', 'width_um', 'height_um', 'mpp', 'area', 'area_unit',
  'mean_value', 'max_value', 'scale',
] as const;

export function rescanCsv(rows: readonly RescanRow[]): string {
  return csvText(
    RESCAN_COLUMNS,
    rows.map((r) => [r.slide, r.rank, r.x, r.y, r.width, r.height, r.xUm, r.yUm, r.widthUm, r.heightUm, r.mpp, r.area, r.areaUnit, r.meanValue, r.maxValue, r.scale]),
  );
}

export interface LinkOptions {
  /** The app's address, e.g. http://127.0.0.1:5173/. */
  app: string;
  /** Where the QC'd slide files are served over HTTP (BASE/NAME), for slides whose report has no source. */
  slidesUrl?: string;
}

/**
 * The app URL that opens a row's slide, where the slide is reachable: its report's source (an http(s) URL or a
 * DICOMweb series), else BASE/NAME with `slidesUrl`; undefined otherwise. The app reads `?slide=URL` and
 * `?dicomweb=BASE&study=UID&series=UID`.
 */
export function slideLink(row: CohortRow, options: LinkOptions): string | undefined {
  const app = new URL(options.app);
  app.search = '';
  app.hash = '';
  const source = row.source;
  if (source && 'url' in source) {
    if (!/^https?:\/\//i.test(source.url)) return undefined;
    app.searchParams.set('slide', source.url);
  } else if (source) {
    app.searchParams.set('dicomweb', source.dicomweb);
    app.searchParams.set('study', source.study);
    app.searchParams.set('series', source.series);
  } else if (options.slidesUrl && row.format !== 'dicom' && !(row.verdict === 'error' && row.name === row.stem)) {
    // A DICOM series is not one file to fetch, and an unreadable file's record has only its stem, not its file name.
    app.searchParams.set('slide', `${options.slidesUrl.replace(/\/+$/, '')}/${encodeURIComponent(row.name)}`);
  } else {
    return undefined;
  }
  return app.href;
}
