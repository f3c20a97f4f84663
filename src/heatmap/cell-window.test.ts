import { describe, expect, it } from 'vitest';
import { ScoreMap } from '../focus/score-map.ts';
import { slideGrid } from '../focus/slide-grid.ts';
import { boundingRect, cellsInView, holds, outlinePath, windowAround } from './cell-window.ts';
import { edgePad } from './raster.ts';

// 2000 × 1000 px, 235-px patches every 128 px: 14 + 1 edge columns, 6 + 1 edge rows; two pad cells each side.
const grid = slideGrid(2000, 1000, 235, 128);
const pad = edgePad(grid);

describe('cellsInView', () => {
  it('takes the cells whose patches meet the view and one more each side', () => {
    expect(grid.cols).toBe(15);
    expect(pad).toBe(1);
    // Patches meeting x 600…899: columns 3 (384 + 235 > 600) … 7 (896 ≤ 899); rows 1 … 3 for y 300…499.
    expect(cellsInView(grid, { x: 600, y: 300, width: 300, height: 200 }, pad, 1)).toEqual({ c0: 2, r0: 0, c1: 9, r1: 5, k: 1 });
  });

  it('reaches the pad copies at the grid edges, and nothing off the slide', () => {
    expect(cellsInView(grid, { x: 0, y: 0, width: 2000, height: 1000 }, pad, 2)).toEqual({ c0: -1, r0: -1, c1: 16, r1: 8, k: 2 });
    expect(cellsInView(grid, { x: 3000, y: 0, width: 100, height: 100 }, pad, 1)).toBeUndefined();
  });
});

describe('windowAround and holds', () => {
  it('adds half the view each side within the grid and its pad, and holds the views inside it', () => {
    const needed = cellsInView(grid, { x: 600, y: 300, width: 300, height: 200 }, pad, 1)!;
    const window = windowAround(needed, grid, pad, 0.5);
    expect(window).toEqual({ c0: -1, r0: -1, c1: 13, r1: 8, k: 1 });
    expect(holds(window, needed)).toBe(true);
    expect(holds(window, cellsInView(grid, { x: 900, y: 300, width: 300, height: 200 }, pad, 1)!)).toBe(true);
    expect(holds(window, cellsInView(grid, { x: 1500, y: 300, width: 300, height: 200 }, pad, 1)!)).toBe(false);
    expect(holds(window, { ...needed, k: 2 })).toBe(false);
    expect(holds(undefined, needed)).toBe(false);
  });

  it('keeps at least a cell of margin', () => {
    expect(windowAround({ c0: 4, r0: 4, c1: 6, r1: 6, k: 8 }, grid, pad, 0)).toEqual({ c0: 3, r0: 3, c1: 7, r1: 7, k: 8 });
  });
});

describe('boundingRect', () => {
  it('boxes the corners of a rotated view', () => {
    expect(boundingRect([{ x: 10, y: 0 }, { x: 20, y: 10 }, { x: 0, y: 10 }, { x: 10, y: 20 }])).toEqual({ x: 0, y: 0, width: 20, height: 20 });
  });
});

describe('outlinePath', () => {
  it('squares the tissue cells at or above the threshold within the window and the grid', () => {
    const map = new ScoreMap(grid);
    // Cells (1, 0) and (2, 1) out of focus; (3, 1) as high but mostly glass; (4, 1) in focus.
    const at = (c: number, r: number) => r * grid.cols + c;
    map.record([at(1, 0), at(2, 1), at(3, 1), at(4, 1)], [5, 6, 7, 1], [1, 1, 0.1, 1]);
    expect(outlinePath(map, 5, { c0: -1, r0: -1, c1: 16, r1: 8, k: 1 })).toBe('M1 0h1v1h-1zM2 1h1v1h-1z');
    expect(outlinePath(map, 5, { c0: 2, r0: 0, c1: 5, r1: 3, k: 1 })).toBe('M2 1h1v1h-1z');
  });
});
