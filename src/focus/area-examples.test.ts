import { describe, expect, it } from 'vitest';
import { areaScores, cellsInArea } from './area-examples.ts';
import { ScoreMap } from './score-map.ts';
import { slideGrid } from './slide-grid.ts';

// 1000 × 700 px: corners 0, 128, …, 640 and the edge column at 765 across (7 columns), 0 … 384 and 465 down (5 rows);
// cell centres at 117.5 + 128·k, and 882.5 and 582.5 for the edge column and row.
const grid = slideGrid(1000, 700);

describe('cellsInArea', () => {
  it('takes the cells whose patch centre lies inside the area', () => {
    expect(grid).toMatchObject({ cols: 7, rows: 5, edgeX: 765, edgeY: 465 });
    // x 100…400 holds centres 117.5, 245.5, 373.5 (columns 0–2); y 240…300 holds 245.5 (row 1).
    expect(cellsInArea(grid, { x: 100, y: 240, width: 300, height: 60 })).toEqual([7, 8, 9]);
    // The edge column's centre (882.5) and the edge row's (582.5).
    expect(cellsInArea(grid, { x: 850, y: 560, width: 50, height: 50 })).toEqual([34]);
    expect(cellsInArea(grid, { x: 700, y: 60, width: 150, height: 100 })).toEqual([5]);
    // A centre on the far edge belongs to the next area over; one on the near edge to this one.
    expect(cellsInArea(grid, { x: 117.5, y: 117.5, width: 128, height: 1 })).toEqual([0]);
  });

  it('falls back to the cell under the centre of an area smaller than the stride, and to none off the grid', () => {
    expect(cellsInArea(grid, { x: 250, y: 250, width: 20, height: 20 })).toEqual([8]);
    expect(cellsInArea(grid, { x: 5000, y: 5000, width: 20, height: 20 })).toEqual([]);
  });

  it('clips to the grid', () => {
    expect(cellsInArea(grid, { x: -500, y: -500, width: 5000, height: 5000 })).toHaveLength(35);
  });
});

describe('areaScores', () => {
  it('keeps scored tissue cells as examples and counts pending, glass and failed ones apart', () => {
    const map = new ScoreMap(grid);
    map.record([7, 8], [-3, -2], [1, 1]);
    map.record([9], [Number.NaN], [0]); // glass
    map.recordFailure([10]);
    map.record([11], [-1], [0.1]); // mostly glass: scored, not tissue
    // cells 7–13 (row 1, the edge column's included); 12 and 13 are not scored yet
    expect(areaScores(map, { x: 0, y: 240, width: 1000, height: 60 })).toEqual({ scores: [-3, -2], cells: 7, pending: 2, skipped: 3 });
  });
});
