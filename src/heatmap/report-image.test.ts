import { describe, expect, it } from 'vitest';
import { ScoreMap } from '../focus/score-map.ts';
import { slideGrid } from '../focus/slide-grid.ts';
import { GLYPH_HEIGHT } from './bitmap-font.ts';
import { captionLines, renderHeatmapImage, type HeatmapImageOptions, type ReportCaption } from './report-image.ts';

function map(): ScoreMap {
  const grid = slideGrid(128 * 3 + 235, 128 * 3 + 235);
  const m = new ScoreMap(grid);
  const cells = Array.from({ length: 16 }, (_, i) => i);
  m.record(cells, cells.map((c) => c / 4), cells.map(() => 1));
  return m;
}

const base = (width: number) => ({ width, height: width, data: new Uint8ClampedArray(width * width * 4).fill(180) });
const OPTIONS: HeatmapImageOptions = { colormap: 'viridis', normaliser: { lo: 0, hi: 4 }, opacity: 0.6, threshold: 2 };
const CAPTION: ReportCaption = {
  slide: 'TCGA-CR-7395_jp2k.svs',
  verdict: 'FAIL: 8.9% of tissue out of focus',
  date: new Date(Date.UTC(2025, 5, 1, 14, 3)),
  model: 'focuslite-2kernel',
};

/** Rows of the image that hold any dark (text) pixel, from `y0` on. */
function inkRows(image: { width: number; height: number; data: Uint8ClampedArray }, y0: number): number[] {
  const rows: number[] = [];
  for (let y = y0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (image.data[i]! < 60 && image.data[i + 1]! < 60 && image.data[i + 2]! < 60) {
        rows.push(y);
        break;
      }
    }
  }
  return rows;
}

describe('report image caption', () => {
  it('writes slide, verdict, model, threshold and date, wrapped to the width', () => {
    expect(captionLines(CAPTION, OPTIONS, 1024)).toEqual([
      'Slide: TCGA-CR-7395_jp2k.svs',
      'Verdict: FAIL: 8.9% of tissue out of focus',
      'Model: focuslite-2kernel · out of focus at score 2.00 · 2025-06-01 14:03 UTC',
    ]);
    // With a grade scale the threshold reads as a grade; a caller's own threshold text wins.
    const graded = { ...OPTIONS, normaliser: { lo: 0, hi: 4, grade: { points: [[0, 0], [2, 3], [4, 10]] as [number, number][] } } };
    expect(captionLines({ ...CAPTION, verdict: undefined }, graded, 1024)[1]).toContain('out of focus from grade 3.0');
    expect(captionLines({ ...CAPTION, threshold: 'grade 4 (profile Scanner 2)' }, OPTIONS, 1024)[2]).toContain('grade 4 (profile Scanner 2)');
    // Narrow images wrap at spaces (long words are cut) and stop at eight lines.
    const narrow = captionLines(CAPTION, OPTIONS, 100);
    expect(narrow).toHaveLength(8);
    expect(narrow.every((l) => l.length <= 14)).toBe(true);
    expect(narrow[7]!.endsWith('...')).toBe(true);
  });

  it('makes the legend strip taller only with a caption, leaving the rest of the image as it was', () => {
    const width = 1024;
    const plain = renderHeatmapImage(map(), base(width), width, OPTIONS);
    const captioned = renderHeatmapImage(map(), base(width), width, { ...OPTIONS, caption: CAPTION });
    expect(plain.height).toBe(width + 52);
    const lines = captionLines(CAPTION, OPTIONS, width).length;
    expect(captioned.height).toBe(width + 52 + lines * (GLYPH_HEIGHT + 4) * 2);
    // Heatmap and legend: the same bytes as without a caption.
    let differing = 0;
    for (let i = 0; i < plain.data.length; i++) if (captioned.data[i] !== plain.data[i]) differing++;
    expect(differing).toBe(0);
    // The caption: text below the legend strip, in as many bands of rows as lines.
    const rows = inkRows(captioned, plain.height);
    expect(rows.length).toBe(lines * GLYPH_HEIGHT * 2);
    expect(Math.max(...rows)).toBeLessThan(captioned.height);
  });
});
