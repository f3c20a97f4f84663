// Which cells the viewer's heatmap canvas holds: those in view and a margin around them, so that panning within the
// margin only moves the canvas (a CSS transform the compositor applies) instead of painting it again; and the outline
// path of the out-of-focus cells among them.
import type { ScoreMap } from '../focus/score-map.ts';
import { cellRangeIn, type Rect, type SlideGrid } from '../focus/slide-grid.ts';

/** Cells [c0, c1) × [r0, r1) of the grid, at `k` canvas pixels per cell; beyond the grid, copies of its edge cells. */
export interface CellWindow {
  c0: number;
  r0: number;
  c1: number;
  r1: number;
  k: number;
}

/**
 * The cells a view of level-0 `view` needs: those whose patches meet it, and one more each side for the interpolation
 * between cell centres — at the grid's edges its `pad` copies of the edge cells instead. Undefined when none is in view.
 */
export function cellsInView(grid: SlideGrid, view: Rect, pad: number, k: number): CellWindow | undefined {
  const visible = cellRangeIn(grid, view);
  if (!visible) return undefined;
  return {
    c0: visible.col0 > 0 ? visible.col0 - 1 : -pad,
    r0: visible.row0 > 0 ? visible.row0 - 1 : -pad,
    c1: visible.col1 + 2 < grid.cols ? visible.col1 + 2 : grid.cols + pad,
    r1: visible.row1 + 2 < grid.rows ? visible.row1 + 2 : grid.rows + pad,
    k,
  };
}

/** `needed` with a margin of `margin` times its size each side (at least one cell), within the grid and its pad. */
export function windowAround(needed: CellWindow, grid: SlideGrid, pad: number, margin: number): CellWindow {
  const mc = Math.max(1, Math.ceil((needed.c1 - needed.c0) * margin));
  const mr = Math.max(1, Math.ceil((needed.r1 - needed.r0) * margin));
  return {
    c0: Math.max(-pad, needed.c0 - mc),
    r0: Math.max(-pad, needed.r0 - mr),
    c1: Math.min(grid.cols + pad, needed.c1 + mc),
    r1: Math.min(grid.rows + pad, needed.r1 + mr),
    k: needed.k,
  };
}

/** Whether `window` has every cell `needed` asks for, at the same resolution. */
export function holds(window: CellWindow | undefined, needed: CellWindow): boolean {
  return window !== undefined && window.k === needed.k && window.c0 <= needed.c0 && window.r0 <= needed.r0 && window.c1 >= needed.c1 && window.r1 >= needed.r1;
}

/** The bounding box of the level-0 points a view's corners map to (a rotated view's too). */
export function boundingRect(points: readonly { x: number; y: number }[]): Rect {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** The outlines of the out-of-focus tissue cells in `window` (within the grid), one square per cell in cell units. */
export function outlinePath(map: ScoreMap, threshold: number, window: CellWindow): string {
  const { cols, rows } = map.grid;
  const parts: string[] = [];
  for (let r = Math.max(0, window.r0); r < Math.min(rows, window.r1); r++) {
    for (let c = Math.max(0, window.c0); c < Math.min(cols, window.c1); c++) {
      const cell = r * cols + c;
      if (map.scores[cell]! >= threshold && map.isTissue(cell)) parts.push(`M${c} ${r}h1v1h-1z`);
    }
  }
  return parts.join('');
}
