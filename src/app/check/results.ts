// Quick check results: verdicts, sorting, filtering and CSV/JSON export (the scale and threshold come from
// activeThreshold in state/models.ts). Pure, no DOM.
import { judgeScore, type VerdictScale } from '../../focus/verdict-scale.ts';

export type CheckStatus = 'queued' | 'running' | 'done' | 'error';
/** `no-tissue`: scored, but no patch of it is tissue (blank glass, a mask): neither in nor out of focus. */
export type Verdict = 'in-focus' | 'out-of-focus' | 'no-tissue' | 'error';
/** `pending` while a file waits or runs; `unrated` only when no threshold can be had (see activeThreshold in
 * state/models.ts). */
export type RowVerdict = Verdict | 'pending' | 'unrated';

/** What the list and the exports need to know about one file. */
export interface CheckRecord {
  id: number;
  name: string;
  /** Bytes. */
  size: number;
  status: CheckStatus;
  width?: number;
  height?: number;
  score?: number;
  /** Patches that are tissue by the slides' cell rule (workers/check/analyse.ts tissueCover); 0 = no tissue. */
  tissuePatches?: number;
  error?: string;
}

/** A scored file none of whose patches is tissue. */
export function hasNoTissue(record: CheckRecord): boolean {
  return record.status === 'done' && record.tissuePatches === 0;
}

/** A row's verdict with its grade (when the model has a scale) and whether it is borderline. */
export interface RowJudgement {
  verdict: RowVerdict;
  grade?: number;
  borderline: boolean;
}

/** Score ≥ the scale's threshold (its out-of-focus grade) is out of focus, the rule of the model cards. */
export function judgeRecord(record: CheckRecord, scale: VerdictScale | undefined): RowJudgement {
  if (record.status === 'error') return { verdict: 'error', borderline: false };
  if (record.status !== 'done' || record.score === undefined) return { verdict: 'pending', borderline: false };
  if (hasNoTissue(record)) return { verdict: 'no-tissue', borderline: false };
  if (!scale) return { verdict: 'unrated', borderline: false };
  const j = judgeScore(scale, record.score);
  return { verdict: j.outOfFocus ? 'out-of-focus' : 'in-focus', borderline: j.borderline, ...(scale.grade ? { grade: j.value } : {}) };
}

export function verdictOf(record: CheckRecord, scale: VerdictScale | undefined): RowVerdict {
  return judgeRecord(record, scale).verdict;
}

export type SortKey = 'added' | 'name' | 'score';
export interface SortSpec {
  key: SortKey;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A sorted copy. By score, files without one (errors, pending) always come last, whatever the direction. */
export function sortRecords<T extends CheckRecord>(records: readonly T[], sort: SortSpec): T[] {
  const sign = sort.descending ? -1 : 1;
  const byAdded = (a: T, b: T) => a.id - b.id;
  const compare = (a: T, b: T): number => {
    if (sort.key === 'name') return sign * collator.compare(a.name, b.name) || byAdded(a, b);
    if (sort.key === 'score') {
      const sa = a.status === 'done' ? a.score : undefined;
      const sb = b.status === 'done' ? b.score : undefined;
      if (sa === undefined || sb === undefined) return sa !== undefined ? -1 : sb !== undefined ? 1 : byAdded(a, b);
      return sign * (sa - sb) || byAdded(a, b);
    }
    return sign * byAdded(a, b);
  };
  return [...records].sort(compare);
}

export type VerdictFilter = 'all' | Verdict;

export function filterRecords<T extends CheckRecord>(records: readonly T[], filter: VerdictFilter, scale: VerdictScale | undefined): T[] {
  return filter === 'all' ? [...records] : records.filter((r) => verdictOf(r, scale) === filter);
}

export interface Counts {
  total: number;
  finished: number;
  inFocus: number;
  outOfFocus: number;
  /** Scored files without tissue: counted neither in nor out of focus. */
  noTissue: number;
  errors: number;
  /** Scored files within the scale's borderline band (counted in in-focus or out-of-focus as their score says). */
  borderline: number;
}

export function countRecords(records: readonly CheckRecord[], scale: VerdictScale | undefined): Counts {
  const c: Counts = { total: records.length, finished: 0, inFocus: 0, outOfFocus: 0, noTissue: 0, errors: 0, borderline: 0 };
  for (const r of records) {
    const { verdict: v, borderline } = judgeRecord(r, scale);
    if (borderline) c.borderline++;
    if (v !== 'pending') c.finished++;
    if (v === 'in-focus') c.inFocus++;
    else if (v === 'out-of-focus') c.outOfFocus++;
    else if (v === 'no-tissue') c.noTissue++;
    else if (v === 'error') c.errors++;
  }
  return c;
}

/** One exported row: `file,width,height,score,verdict,grade,borderline`, plus `error` for files that could not be
 * scored. `score` is the raw model output; `grade` is null for uncalibrated models and errors. */
export interface ExportRow {
  file: string;
  width: number | null;
  height: number | null;
  score: number | null;
  verdict: Verdict | 'unrated';
  grade: number | null;
  borderline: boolean;
  error?: string;
}

/** Finished records as export rows, in the given order (pending files are left out). */
export function exportRows(records: readonly CheckRecord[], scale: VerdictScale | undefined): ExportRow[] {
  const rows: ExportRow[] = [];
  for (const r of records) {
    const { verdict, grade, borderline } = judgeRecord(r, scale);
    if (verdict === 'pending') continue;
    const row: ExportRow = {
      file: r.name,
      width: r.width ?? null,
      height: r.height ?? null,
      score: verdict === 'error' ? null : (r.score ?? null),
      verdict,
      grade: grade ?? null,
      borderline,
    };
    if (verdict === 'error') row.error = r.error ?? 'unknown error';
    rows.push(row);
  }
  return rows;
}

/** RFC 4180 quoting: file names may hold commas, quotes or line breaks. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Scores at full precision (String(score)), so exported numbers equal what `focuslite score --json` prints. */
export function toCsv(rows: readonly ExportRow[]): string {
  const lines = ['file,width,height,score,verdict,grade,borderline'];
  for (const r of rows) {
    lines.push([csvField(r.file), r.width ?? '', r.height ?? '', r.score === null ? '' : String(r.score), r.verdict, r.grade === null ? '' : String(r.grade), r.borderline].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function toJson(rows: readonly ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** "1.7 MB", "812 KB", "96 B" (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
