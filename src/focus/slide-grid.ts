import { PATCH, STRIDE, patchStarts } from './patch-grid.ts';

/**
 * The patch grid over a slide's level 0: the same grid as `focuslite score` uses on an image (235×235 patches with
 * corners at 0, stride, 2·stride, …), so the viewer and the CLI score identical pixels identically.
 * Cells are indexed row-major: index = row * cols + col.
 */
export interface SlideGrid {
  width: number;
  height: number;
  patch: number;
  stride: number;
  cols: number;
  rows: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function slideGrid(width: number, height: number, patch = PATCH, stride = STRIDE): SlideGrid {
  return { width, height, patch, stride, cols: patchStarts(width, patch, stride).length, rows: patchStarts(height, patch, stride).length };
}

export function cellRect(grid: SlideGrid, index: number): Rect {
  const col = index % grid.cols;
  const row = Math.floor(index / grid.cols);
  return { x: col * grid.stride, y: row * grid.stride, width: grid.patch, height: grid.patch };
}

/** The cell whose stride×stride square, centred on the patch centre, contains a level-0 point (for hover). */
export function cellAt(grid: SlideGrid, x: number, y: number): number | undefined {
  const offset = grid.patch / 2 - grid.stride / 2;
  const col = Math.floor((x - offset) / grid.stride);
  const row = Math.floor((y - offset) / grid.stride);
  if (col < 0 || row < 0 || col >= grid.cols || row >= grid.rows) return undefined;
  return row * grid.cols + col;
}

/** Column/row ranges (inclusive) of the cells whose patch intersects a level-0 rectangle. */
export function cellRangeIn(grid: SlideGrid, rect: Rect): { col0: number; col1: number; row0: number; row1: number } | undefined {
  const col0 = Math.max(0, Math.ceil((rect.x - grid.patch + 1) / grid.stride));
  const row0 = Math.max(0, Math.ceil((rect.y - grid.patch + 1) / grid.stride));
  const col1 = Math.min(grid.cols - 1, Math.floor((rect.x + rect.width - 1) / grid.stride));
  const row1 = Math.min(grid.rows - 1, Math.floor((rect.y + rect.height - 1) / grid.stride));
  if (col1 < col0 || row1 < row0) return undefined;
  return { col0, col1, row0, row1 };
}
