import { describe, expect, it } from 'vitest';
import { FocusScheduler } from './scheduler.ts';
import { cellAt, cellRangeIn, cellRect, slideGrid } from './slide-grid.ts';

describe('slide grid', () => {
  it('uses the same corners as image scoring: 0, 128, … while corner + 235 ≤ side', () => {
    const grid = slideGrid(1024, 1025);
    expect([grid.cols, grid.rows]).toEqual([7, 7]);
    expect(slideGrid(234, 1000).cols).toBe(0);
    expect(slideGrid(235, 235).cols).toBe(1);
    expect(cellRect(grid, 7 * 2 + 3)).toEqual({ x: 384, y: 256, width: 235, height: 235 });
  });

  it('finds the cells whose patches intersect a rectangle', () => {
    const grid = slideGrid(2000, 2000);
    expect(cellRangeIn(grid, { x: 0, y: 0, width: 1, height: 1 })).toEqual({ col0: 0, col1: 0, row0: 0, row1: 0 });
    // x = 300 is inside patches starting at 128 (128..362) and 256 (256..490).
    expect(cellRangeIn(grid, { x: 300, y: 300, width: 1, height: 1 })).toEqual({ col0: 1, col1: 2, row0: 1, row1: 2 });
    expect(cellRangeIn(grid, { x: -500, y: -500, width: 100, height: 100 })).toBeUndefined();
  });

  it('maps a point to the cell whose centred stride square contains it', () => {
    const grid = slideGrid(2000, 2000);
    // Cell (0,0) has its centre at 117.5 and owns [53.5, 181.5).
    expect(cellAt(grid, 117, 117)).toBe(0);
    expect(cellAt(grid, 182, 117)).toBe(1);
    expect(cellAt(grid, 10, 10)).toBeUndefined();
  });
});

describe('focus scheduler', () => {
  const grid = slideGrid(128 * 40 + 107, 128 * 40 + 107); // 40×40 cells

  it('plans only visible cells, one per group first, then the rest, nearest the centre first', () => {
    const s = new FocusScheduler(grid, 4);
    const view = { x: 128 * 8, y: 128 * 8, width: 128 * 8 - 1, height: 128 * 8 - 1 };
    const jobs = s.plan(view);
    const range = cellRangeIn(grid, view)!;
    const visible = new Set<number>();
    for (let r = range.row0; r <= range.row1; r++) for (let c = range.col0; c <= range.col1; c++) visible.add(r * grid.cols + c);
    const planned = jobs.flatMap((j) => j.cells);
    expect(new Set(planned)).toEqual(visible);
    expect(planned.length).toBe(visible.size); // no duplicates
    const firstFine = jobs.findIndex((j) => j.pass === 1);
    expect(jobs.slice(0, firstFine).every((j) => j.pass === 0 && j.cells.length === 1)).toBe(true);
    expect(jobs.slice(firstFine).every((j) => j.pass === 1)).toBe(true);
    // The first coarse job is in the group at the view centre.
    const centre = view.x + view.width / 2;
    const first = cellRect(grid, jobs[0]!.cells[0]!);
    expect(Math.abs(first.x + 117 - centre)).toBeLessThan(128 * 3);
    // Distances never decrease within a pass.
    const dist = (cell: number) => {
      const r = cellRect(grid, cell);
      return Math.hypot(r.x - centre, r.y - centre);
    };
    const coarseD = jobs.slice(0, firstFine).map((j) => dist(j.cells[0]!));
    expect(coarseD[0]!).toBeLessThanOrEqual(coarseD[coarseD.length - 1]! + 1);
  });

  it('never re-plans cells that are done or queued, and re-plans cancelled ones', () => {
    const s = new FocusScheduler(grid, 4);
    const view = { x: 0, y: 0, width: 128 * 4, height: 128 * 4 };
    const jobs = s.plan(view);
    const all = jobs.flatMap((j) => j.cells);
    s.markQueued(all);
    expect(s.plan(view)).toEqual([]);
    const done = jobs[0]!.cells;
    s.markDone(done);
    s.markUnknown(all); // cancel everything still queued; done cells stay done
    const again = s.plan(view).flatMap((j) => j.cells);
    expect(again.length).toBe(all.length - done.length);
    expect(again.some((c) => done.includes(c))).toBe(false);
  });

  it('shares its state with a score cache so cached cells are instant', () => {
    const state = new Uint8Array(grid.cols * grid.rows).fill(2);
    const s = new FocusScheduler(grid, 4, state);
    expect(s.plan({ x: 0, y: 0, width: 5000, height: 5000 })).toEqual([]);
  });
});
