import { describe, expect, it } from 'vitest';
import {
  countRecords,
  exportRows,
  filterRecords,
  formatBytes,
  sortRecords,
  toCsv,
  toJson,
  judgeRecord,
  verdictOf,
  type CheckRecord,
} from './results.ts';
import { parseCard } from '../../focus/model-card.ts';
import { rawScale, verdictScale } from '../../focus/verdict-scale.ts';

const r = rawScale;
/** Grades 0 at −5, 5 at −3 (the threshold), 10 at −1: borderline from grade 4 (−3.4) to 6 (−2.6), the card's own fixed points. */
const graded = verdictScale(parseCard({ threshold: -3, grade: { points: [[-5, 0], [-3, 5], [-1, 10]], outOfFocusFrom: 5, borderline: [4, 6] } }))!;

const done = (id: number, name: string, score: number, w = 1024, h = 1024): CheckRecord => ({ id, name, size: 1000 * id, status: 'done', width: w, height: h, score });
const failed = (id: number, name: string, error: string, w?: number, h?: number): CheckRecord => ({ id, name, size: 10, status: 'error', error, width: w, height: h });

const records: CheckRecord[] = [
  done(1, 'b-sharp.png', -4.25),
  failed(2, 'notes.txt', 'not a PNG, JPEG or TIFF image'),
  done(3, 'a-blurry.png', -1.5),
  { id: 4, name: 'c-queued.png', size: 5, status: 'queued' },
  failed(5, 'tiny.png', 'image is 100×100; at least 235×235 pixels needed', 100, 100),
  done(6, 'tile10.png', -3),
  done(7, 'tile9.png', -3),
];

describe('verdicts', () => {
  it('calls score ≥ threshold out of focus; errors, pending and unrated rows apart', () => {
    expect(verdictOf(done(1, 'x', -3), r(-3))).toBe('out-of-focus');
    expect(verdictOf(done(1, 'x', -3.0001), r(-3))).toBe('in-focus');
    expect(verdictOf(records[1]!, r(-3))).toBe('error');
    expect(verdictOf(records[3]!, r(-3))).toBe('pending');
    expect(verdictOf({ ...records[3]!, status: 'running' }, r(-3))).toBe('pending');
    expect(verdictOf(done(1, 'x', -3), undefined)).toBe('unrated');
  });

  it('counts', () => {
    expect(countRecords(records, r(-2))).toEqual({ total: 7, finished: 6, inFocus: 3, outOfFocus: 1, noTissue: 0, errors: 2, borderline: 0 });
  });

  it('calls a scored file without tissue patches "no tissue", neither in nor out of focus, whatever its score', () => {
    const glass: CheckRecord = { ...done(8, 'glass.png', -1), tissuePatches: 0 };
    const tissue: CheckRecord = { ...done(9, 'tile.png', -1), tissuePatches: 3 };
    expect(judgeRecord(glass, graded)).toEqual({ verdict: 'no-tissue', borderline: false });
    expect(verdictOf(glass, undefined)).toBe('no-tissue');
    expect(verdictOf(tissue, r(-3))).toBe('out-of-focus');
    // Not known (an older result): judged by its score as before.
    expect(verdictOf(done(10, 'old.png', -1), r(-3))).toBe('out-of-focus');
    const all = [...records, glass, tissue];
    expect(countRecords(all, r(-3))).toMatchObject({ total: 9, finished: 8, inFocus: 1, outOfFocus: 4, noTissue: 1, errors: 2 });
    expect(filterRecords(all, 'no-tissue', r(-3)).map((x) => x.name)).toEqual(['glass.png']);
    expect(filterRecords(all, 'out-of-focus', r(-3)).map((x) => x.name)).not.toContain('glass.png');
    expect(exportRows([glass], r(-3))).toEqual([{ file: 'glass.png', width: 1024, height: 1024, score: -1, verdict: 'no-tissue', grade: null, borderline: false }]);
  });
});

describe('sorting and filtering', () => {
  const names = (rs: CheckRecord[]) => rs.map((r) => r.name);

  it('sorts by score both ways, unscored files last either way', () => {
    expect(names(sortRecords(records, { key: 'score', descending: false }))).toEqual([
      'b-sharp.png', 'tile10.png', 'tile9.png', 'a-blurry.png', 'notes.txt', 'c-queued.png', 'tiny.png',
    ]);
    expect(names(sortRecords(records, { key: 'score', descending: true }))).toEqual([
      'a-blurry.png', 'tile10.png', 'tile9.png', 'b-sharp.png', 'notes.txt', 'c-queued.png', 'tiny.png',
    ]);
  });

  it('sorts by name naturally (tile9 before tile10) and by order added', () => {
    expect(names(sortRecords(records, { key: 'name', descending: false }))).toEqual([
      'a-blurry.png', 'b-sharp.png', 'c-queued.png', 'notes.txt', 'tile9.png', 'tile10.png', 'tiny.png',
    ]);
    expect(names(sortRecords(records, { key: 'name', descending: true }))[0]).toBe('tiny.png');
    expect(sortRecords(records, { key: 'added', descending: true }).map((r) => r.id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('does not reorder its input', () => {
    const copy = [...records];
    sortRecords(records, { key: 'score', descending: true });
    expect(records).toEqual(copy);
  });

  it('filters by verdict', () => {
    expect(names(filterRecords(records, 'out-of-focus', r(-3)))).toEqual(['a-blurry.png', 'tile10.png', 'tile9.png']);
    expect(names(filterRecords(records, 'in-focus', r(-3)))).toEqual(['b-sharp.png']);
    expect(names(filterRecords(records, 'error', r(-3)))).toEqual(['notes.txt', 'tiny.png']);
    expect(filterRecords(records, 'all', r(-3))).toHaveLength(7);
  });
});

describe('verdicts on a grade scale', () => {
  it('gives each file its grade, judges it by the threshold and flags the borderline band without flipping it', () => {
    expect(judgeRecord(done(1, 'x', -3.2), graded)).toEqual({ verdict: 'in-focus', grade: expect.closeTo(4.5, 10), borderline: true });
    expect(judgeRecord(done(1, 'x', -2.8), graded)).toEqual({ verdict: 'out-of-focus', grade: expect.closeTo(5.5, 10), borderline: true });
    expect(judgeRecord(done(1, 'x', -4.5), graded)).toMatchObject({ verdict: 'in-focus', borderline: false });
    expect(judgeRecord(done(1, 'x', -3.2), r(-3))).toEqual({ verdict: 'in-focus', borderline: false });
    expect(countRecords([done(1, 'a', -3.2), done(2, 'b', -2.8), done(3, 'c', -1)], graded)).toMatchObject({ inFocus: 1, outOfFocus: 2, borderline: 2 });
    expect(exportRows([done(1, 'a', -1)], graded)[0]).toMatchObject({ score: -1, grade: 10, verdict: 'out-of-focus', borderline: false });
  });
});

describe('export', () => {
  const rows = exportRows(records, r(-3));

  it('leaves pending files out and keeps errors with their message', () => {
    expect(rows.map((r) => r.file)).toEqual(['b-sharp.png', 'notes.txt', 'a-blurry.png', 'tiny.png', 'tile10.png', 'tile9.png']);
    expect(rows[1]).toEqual({ file: 'notes.txt', width: null, height: null, score: null, verdict: 'error', grade: null, borderline: false, error: 'not a PNG, JPEG or TIFF image' });
    expect(rows[3]).toMatchObject({ width: 100, height: 100, verdict: 'error' });
    expect(rows[0]).toEqual({ file: 'b-sharp.png', width: 1024, height: 1024, score: -4.25, verdict: 'in-focus', grade: null, borderline: false });
    expect('error' in rows[0]!).toBe(false);
  });

  it('writes CSV with the documented columns, full-precision scores and quoted names', () => {
    const csv = toCsv([
      ...rows.slice(0, 2),
      { file: 'a, "quoted" name.png', width: 300, height: 240, score: -3.123456789012345, verdict: 'out-of-focus', grade: 5.5, borderline: true },
    ]);
    expect(csv).toBe(
      'file,width,height,score,verdict,grade,borderline\n' +
        'b-sharp.png,1024,1024,-4.25,in-focus,,false\n' +
        'notes.txt,,,,error,,false\n' +
        '"a, ""quoted"" name.png",300,240,-3.123456789012345,out-of-focus,5.5,true\n',
    );
  });

  it('writes JSON as an array of the same fields, plus error', () => {
    const parsed = JSON.parse(toJson(rows)) as Record<string, unknown>[];
    expect(parsed).toHaveLength(6);
    expect(Object.keys(parsed[0]!)).toEqual(['file', 'width', 'height', 'score', 'verdict', 'grade', 'borderline']);
    expect(Object.keys(parsed[1]!)).toEqual(['file', 'width', 'height', 'score', 'verdict', 'grade', 'borderline', 'error']);
    expect(parsed[2]!.score).toBe(-1.5);
  });
});

describe('formatBytes', () => {
  it('uses decimal units', () => {
    expect(formatBytes(96)).toBe('96 B');
    expect(formatBytes(1771950)).toBe('1.8 MB');
    expect(formatBytes(812_000)).toBe('812 KB');
    expect(formatBytes(12_500)).toBe('13 KB');
  });
});
