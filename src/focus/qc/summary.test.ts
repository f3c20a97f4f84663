import { describe, expect, it } from 'vitest';
import { ScoreMap } from '../score-map.ts';
import { slideGrid } from '../slide-grid.ts';
import { renderHeatmapImage } from '../../heatmap/report-image.ts';
import { buildReport } from './report.ts';
import { summarise } from './summary.ts';
import { parseCard } from '../model-card.ts';
import { rawScale, verdictScale } from '../verdict-scale.ts';

/** Grades: score 0 → 0, 2 → 4, 3 → 5, 4 → 6, 5 → 10 (threshold at score 3 = grade 5, borderline [4, 6): the card's own fixed points). */
const graded = verdictScale(parseCard({ threshold: 3, grade: { points: [[0, 0], [2, 4], [3, 5], [4, 6], [5, 10]], outOfFocusFrom: 5, borderline: [4, 6] } }))!;

/** A 10×10-cell map: all tissue, score 0 except two blurred blobs (3 cells and 1 cell) and one glass cell. */
function fixture(): ScoreMap {
  const grid = slideGrid(128 * 9 + 235, 128 * 9 + 235);
  const map = new ScoreMap(grid);
  const cells = Array.from({ length: 100 }, (_, i) => i);
  const scores = cells.map(() => 0);
  const tissue = cells.map(() => 1);
  for (const c of [11, 12, 22]) scores[c] = 5; // a blob of three joined by sides
  scores[77] = 3; // a lone cell
  tissue[99] = 0; // glass
  scores[99] = Number.NaN;
  map.record(cells, scores, tissue);
  return map;
}

describe('QC summary', () => {
  it('counts tissue, out-of-focus cells and side-connected regions, worst first', () => {
    const s = summarise(fixture(), rawScale(1), 5, 0.5);
    expect(s.tissueCells).toBe(99);
    expect(s.outOfFocusCells).toBe(4);
    expect(s.regionCount).toBe(2);
    expect(s.regions[0]).toMatchObject({ rank: 1, cells: 3, meanScore: 5, maxScore: 5 });
    expect(s.regions[1]).toMatchObject({ rank: 2, cells: 1, meanScore: 3 });
    // Each cell stands for its 128×128 stride square at 0.5 µm/px = 0.004096 mm².
    expect(s.tissueArea).toBeCloseTo(99 * 0.004096, 9);
    expect(s.outOfFocusPercent).toBeCloseTo((100 * 4) / 99, 9);
    expect(s.verdict).toBe('pass'); // 4.04% ≤ 5%
    expect(summarise(fixture(), rawScale(1), 5).areaUnit).toBe('px²');
    expect(summarise(fixture(), rawScale(1), 4).verdict).toBe('fail');
    expect(summarise(fixture(), rawScale(1), 4.05).verdict).toBe('pass');
    expect(summarise(fixture(), rawScale(4), 5).outOfFocusCells).toBe(3);
    expect(s).toMatchObject({ threshold: 1, scale: 'raw score (uncalibrated)', outOfFocusGrade: null, borderlineCells: 0, calibration: 'model card' });
  });

  it('names the grade scale, counts borderline cells and keeps them on the side their score puts them', () => {
    const map = fixture();
    map.record([40, 41], [2.5, 3.5], [1, 1]); // grades 4.5 (in focus) and 5.5 (out of focus): both borderline
    const s = summarise(map, graded, 5, 0.5);
    expect(s).toMatchObject({ threshold: 3, scale: 'defocus grade', outOfFocusGrade: 5, calibration: 'model card' });
    // Borderline: the two above and the lone cell at score 3 (grade 5).
    expect(s.borderlineCells).toBe(3);
    expect(s.outOfFocusCells).toBe(5); // the blob of 3, the lone cell at 3 and the cell at 3.5
    expect(s.regions[0]).toMatchObject({ cells: 3, meanScore: 5, meanValue: 10, maxValue: 10 });
  });

  it('places regions on the cells\' stride squares', () => {
    const [blob] = summarise(fixture(), rawScale(1), 5).regions;
    // Cells 11, 12, 22: columns 1–2, rows 1–2; each owns [128c + 53.5, +128).
    expect(blob).toMatchObject({ x: 182, y: 182, width: 256, height: 256 });
  });
});

describe('scan report', () => {
  it('lists every cell looked at with level-0 geometry, scores and tissue flags', () => {
    const map = fixture();
    const info = { name: 's.tif', format: 'tiff' as const, vendor: 'generic', compression: 'none', levels: [{ width: 1387, height: 1387, tileWidth: 256, tileHeight: 256, downsample: 1 }] };
    const report = buildReport({ info, map, modelId: 'm', card: {}, scale: rawScale(1), tolerancePercent: 5, software: 'test', now: new Date(0) });
    expect(report.patches).toHaveLength(100);
    expect(report.patches[12]).toEqual({ x: 256, y: 128, width: 235, height: 235, score: 5, grade: null, outOfFocus: true, borderline: false, tissue: true });
    expect(report.patches[0]).toMatchObject({ score: 0, grade: null, outOfFocus: false });
    expect(report.patches[99]).toMatchObject({ score: null, grade: null, outOfFocus: null, borderline: false, tissue: false });
    expect(report.summary).toMatchObject({ threshold: 1, scale: 'raw score (uncalibrated)', outOfFocusGrade: null, borderlineCells: 0, calibration: 'model card' });
    expect(report.regions).toHaveLength(2);
    expect(report.summary.outOfFocusCells).toBe(4);
    expect(JSON.parse(JSON.stringify(report)).generatedAt).toBe('1970-01-01T00:00:00.000Z');
  });

  it('gives each patch its grade and borderline flag on a grade scale', () => {
    const map = fixture();
    const info = { name: 's.tif', format: 'tiff' as const, vendor: 'generic', compression: 'none', levels: [{ width: 1387, height: 1387, tileWidth: 256, tileHeight: 256, downsample: 1 }] };
    const report = buildReport({ info, map, modelId: 'm', card: {}, scale: graded, tolerancePercent: 5, software: 'test' });
    expect(report.patches[12]).toMatchObject({ score: 5, grade: 10, outOfFocus: true, borderline: false });
    expect(report.patches[77]).toMatchObject({ score: 3, grade: 5, outOfFocus: true, borderline: true });
    expect(report.patches[0]).toMatchObject({ score: 0, grade: 0, outOfFocus: false, borderline: false });
    expect(report.summary).toMatchObject({ scale: 'defocus grade', outOfFocusGrade: 5, borderlineCells: 1, outOfFocusCells: 4 });
  });
});

describe('heatmap image', () => {
  it('colours blurred cells with the top of the colormap over a grayscale base, with a legend strip below', () => {
    const map = fixture();
    const size = 1387;
    const base = { width: size, height: size, data: new Uint8ClampedArray(size * size * 4).fill(200) };
    const image = renderHeatmapImage(map, base, size, { colormap: 'viridis', normaliser: { lo: 0, hi: 5 }, opacity: 1 });
    expect(image.height).toBeGreaterThan(size);
    const px = (x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
    // Centre of cell 12 (column 2, row 1): patch centre at (256 + 117.5, 128 + 117.5).
    const [r, g, b] = px(373, 245);
    expect(r! + g!).toBeGreaterThan(400); // viridis top is yellow
    expect(b!).toBeLessThan(100);
    const [r0, , b0] = px(117 + 128 * 5, 117 + 128 * 5); // score 0: viridis bottom, purple
    expect(b0!).toBeGreaterThan(r0!);
  });
});
