import { PATCH, STRIDE, patchStarts } from './patch-grid.ts';

/**
 * The patch grid over a slide's level 0: `focuslite score`'s grid on an image (235×235 patches with corners at 0,
 * stride, 2·stride, … while a whole patch fits), plus — so the whole tissue is scored — one more column and row of
 * patches aligned with the slide's right and bottom edges where the paper's grid stops short of them (it leaves up to
 * patch − 1 pixels unscored). The viewer, the scan and the CLI scan use this grid, so they score identical pixels
 * identically; `focuslite score` keeps the paper's grid for parity with the original.
 * Cells are indexed row-major: index = row * cols + col. The edge column and row sit on the regular grid for drawing
 * and areas (each cell stands for a stride × stride square); only their patches move to the edge.
 */
export interface SlideGrid {
  width: number;
  height: number;
  patch: number;
  stride: number;
  cols: number;
  rows: number;
  /** Level-0 x of the last column's patch when that column is the edge-aligned one (width − patch). */
  edgeX?: number;
  /** Level-0 y of the last row's patch when that row is the edge-aligned one (height − patch). */
  edgeY?: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function slideGrid(width: number, height: number, patch = PATCH, stride = STRIDE): SlideGrid {
  const cols = patchStarts(width, patch, stride).length;
  const rows = patchStarts(height, patch, stride).length;
  const grid: SlideGrid = { width, height, patch, stride, cols, rows };
  // Only where a patch fits at all, and the paper's last patch stops short of the edge.
  if (cols > 0 && rows > 0) {
    if ((width - patch) % stride !== 0) {
      grid.cols = cols + 1;
      grid.edgeX = width - patch;
    }
    if ((height - patch) % stride !== 0) {
      grid.rows = rows + 1;
      grid.edgeY = height - patch;
    }
  }
  return grid;
}

/** The level-0 patch of a cell: on the stride grid, or against the right/bottom edge for the edge column/row. */
export function cellRect(grid: SlideGrid, index: number): Rect {
  const col = index % grid.cols;
  const row = Math.floor(index / grid.cols);
  const x = grid.edgeX !== undefined && col === grid.cols - 1 ? grid.edgeX : col * grid.stride;
  const y = grid.edgeY !== undefined && row === grid.rows - 1 ? grid.edgeY : row * grid.stride;
  return { x, y, width: grid.patch, height: grid.patch };
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
  // The edge column's (row's) patch starts left of (above) its place on the stride grid.
  const lastX = rect.x + rect.width - 1;
  const lastY = rect.y + rect.height - 1;
  const col1 = grid.edgeX !== undefined && lastX >= grid.edgeX ? grid.cols - 1 : Math.min(grid.cols - 1, Math.floor(lastX / grid.stride));
  const row1 = grid.edgeY !== undefined && lastY >= grid.edgeY ? grid.rows - 1 : Math.min(grid.rows - 1, Math.floor(lastY / grid.stride));
  if (col1 < col0 || row1 < row0) return undefined;
  return { col0, col1, row0, row1 };
}
