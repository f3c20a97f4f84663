// Calibration examples marked on the open slide: a rectangle the user calls in focus or out of focus stands for the
// grid cells it covers, and their scores are the examples a calibration profile is fitted on (calibration-profile.ts).
import { CellState } from './cell-state.ts';
import type { ScoreMap } from './score-map.ts';
import { cellAt, type Rect, type SlideGrid } from './slide-grid.ts';

export type ExampleLabel = 'in-focus' | 'out-of-focus';

export interface MarkedArea {
  id: number;
  label: ExampleLabel;
  /** Level-0 pixels. */
  rect: Rect;
}

/**
 * The cells an area stands for: those whose patch centre lies inside it (a cell is judged on its whole patch, so a
 * patch mostly outside the area is not the user's example), or the one cell under its centre when it is smaller.
 */
export function cellsInArea(grid: SlideGrid, rect: Rect): number[] {
  const half = grid.patch / 2;
  // Indices along one axis whose patch centre lies in [from, to]: the regular ones, then the edge one (its patch is
  // against the slide's edge, slide-grid.ts).
  const along = (from: number, to: number, count: number, edge: number | undefined) => {
    const regular = edge === undefined ? count : count - 1;
    const out: number[] = [];
    for (let k = Math.max(0, Math.ceil((from - half) / grid.stride)); k <= Math.min(regular - 1, Math.floor((to - half) / grid.stride)); k++) out.push(k);
    if (edge !== undefined && edge + half >= from && edge + half <= to) out.push(count - 1);
    return out;
  };
  const cells: number[] = [];
  // Centres strictly inside [x, x + width): a centre on the far edge belongs to the next area over.
  for (const row of along(rect.y, rect.y + rect.height - 1e-9, grid.rows, grid.edgeY))
    for (const col of along(rect.x, rect.x + rect.width - 1e-9, grid.cols, grid.edgeX)) cells.push(row * grid.cols + col);
  if (cells.length > 0) return cells;
  const centre = cellAt(grid, rect.x + rect.width / 2, rect.y + rect.height / 2);
  return centre === undefined ? [] : [centre];
}

export interface AreaScores {
  /** Raw scores of the area's scored tissue cells: its examples. */
  scores: number[];
  cells: number;
  /** Cells not scored yet (the heatmap scores what is in view). */
  pending: number;
  /** Cells scored as glass or background, or that could not be scored: not examples. */
  skipped: number;
}

export function areaScores(map: ScoreMap, rect: Rect): AreaScores {
  const cells = cellsInArea(map.grid, rect);
  const out: AreaScores = { scores: [], cells: cells.length, pending: 0, skipped: 0 };
  for (const cell of cells) {
    const score = map.scores[cell]!;
    if (map.state[cell] !== CellState.Done) out.pending++;
    else if (Number.isFinite(score) && map.isTissue(cell)) out.scores.push(score);
    else out.skipped++;
  }
  return out;
}
