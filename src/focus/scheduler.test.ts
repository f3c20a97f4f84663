import { describe, expect, it } from 'vitest';
import { FocusScheduler, takeJob, wholeSlidePlan, type ScoreJob } from './scheduler.ts';
import { CellState } from './cell-state.ts';
import { cellAt, cellRangeIn, cellRect, slideGrid } from './slide-grid.ts';

describe('slide grid', () => {
  it('uses the corners of image scoring (0, 128, … while corner + 235 ≤ side) and one more column and row against the edges', () => {
    const grid = slideGrid(1024, 1025);
    // 7 regular columns (corners 0 … 768) and the edge column at 1024 − 235 = 789; rows alike at 790.
    expect(grid).toMatchObject({ cols: 8, rows: 8, edgeX: 789, edgeY: 790 });
    expect(cellRect(grid, 8 * 2 + 3)).toEqual({ x: 384, y: 256, width: 235, height: 235 });
    expect(cellRect(grid, 8 * 2 + 7)).toEqual({ x: 789, y: 256, width: 235, height: 235 });
    expect(cellRect(grid, 8 * 7 + 7)).toEqual({ x: 789, y: 790, width: 235, height: 235 });
    // Every level-0 pixel is in some patch.
    const covered = (side: number, count: number, edge: number | undefined) => {
      const ends = Array.from({ length: count }, (_, k) => (edge !== undefined && k === count - 1 ? edge : k * 128) + 235);
      return Math.max(...ends) === side;
    };
    expect(covered(1024, grid.cols, grid.edgeX) && covered(1025, grid.rows, grid.edgeY)).toBe(true);
    // Where the paper's grid reaches the edge there is no edge column; a patch that does not fit gives no cells.
    expect(slideGrid(128 * 3 + 235, 128 * 3 + 235)).toMatchObject({ cols: 4, rows: 4 });
    expect(slideGrid(128 * 3 + 235, 500).edgeX).toBeUndefined();
    expect(slideGrid(234, 1000).cols).toBe(0);
    expect(slideGrid(235, 235).cols).toBe(1);
    // The edge column's patch is in the ranges of rectangles that reach it.
    expect(cellRangeIn(grid, { x: 1000, y: 0, width: 10, height: 10 })).toMatchObject({ col0: 6, col1: 7 }); // 768…1003 and 789…1024
    expect(cellRangeIn(grid, { x: 780, y: 0, width: 10, height: 10 })).toMatchObject({ col0: 5, col1: 7 }); // reaches 789
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
    const s = new FocusScheduler(grid, 'browse');
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
    const s = new FocusScheduler(grid, 'browse');
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
    const s = new FocusScheduler(grid, 'browse', state);
    expect(s.plan({ x: 0, y: 0, width: 5000, height: 5000 })).toEqual([]);
  });
});

describe('scan plan', () => {
  // 21×13 cells: neither side a multiple of the 8-cell block, so the last blocks are partial.
  const grid = slideGrid(128 * 20 + 235, 128 * 12 + 235);
  const whole = { x: 0, y: 0, width: grid.width, height: grid.height };

  it('plans every cell of the slide exactly once, in 8×8 blocks row-major, rows of blocks outer', () => {
    expect([grid.cols, grid.rows]).toEqual([21, 13]);
    const jobs = wholeSlidePlan(grid);
    const expected: number[][] = [];
    for (let r0 = 0; r0 < 13; r0 += 8) {
      for (let c0 = 0; c0 < 21; c0 += 8) {
        const block: number[] = [];
        for (let r = r0; r < Math.min(13, r0 + 8); r++) for (let c = c0; c < Math.min(21, c0 + 8); c++) block.push(r * 21 + c);
        expected.push(block);
      }
    }
    expect(jobs.map((j) => j.cells)).toEqual(expected);
    expect(jobs.map((j) => j.affinity)).toEqual([0, 0, 0, 1, 1, 1]); // one band per row of blocks
    expect(jobs.every((j) => j.pass === 1)).toBe(true);
    const all = jobs.flatMap((j) => j.cells);
    expect(new Set(all).size).toBe(21 * 13);
    expect(all.length).toBe(21 * 13);
    expect(wholeSlidePlan(slideGrid(200, 1000))).toEqual([]); // narrower than a patch: no cells
  });

  it('scan mode skips cells already done (browsed) without a coarse pass; browse mode goes coarse first in 4×4 groups', () => {
    const state = new Uint8Array(grid.cols * grid.rows);
    state[0] = CellState.Done;
    state[22] = CellState.Done;
    const scan = new FocusScheduler(grid, 'scan', state).plan(whole);
    expect(scan[0]!.cells).toHaveLength(64 - 2);
    expect(scan[0]!.cells).not.toContain(0);
    expect(scan.flatMap((j) => j.cells)).toHaveLength(21 * 13 - 2);
    expect(scan.map((j) => j.group)).toEqual([...scan.map((j) => j.group)].sort((a, b) => a - b));

    const browse = new FocusScheduler(grid, 'browse').plan(whole);
    const groups = Math.ceil(21 / 4) * Math.ceil(13 / 4);
    // One representative per group first, but for the 1-cell corner group (column 20, row 12), which needs none.
    const coarse = browse.filter((j) => j.pass === 0);
    expect(coarse).toHaveLength(groups - 1);
    expect(browse.slice(0, groups - 1)).toEqual(coarse);
    expect(coarse.every((j) => j.cells.length === 1)).toBe(true);
    expect(browse.every((j) => j.cells.length <= 15)).toBe(true); // a 4×4 group less its representative
    expect(new Set(browse.map((j) => j.affinity)).size).toBe(groups); // each group its own affinity
    expect(browse.flatMap((j) => j.cells).sort((a, b) => a - b)).toEqual(Array.from({ length: 21 * 13 }, (_, i) => i));
  });

  it('browse mode skips the coarse pass in a view of fewer groups than coarseFrom', () => {
    const grid = slideGrid(128 * 40 + 107, 128 * 40 + 107); // 40×40 cells
    const view = { x: 128 * 8, y: 128 * 8, width: 128 * 8 - 1, height: 128 * 8 - 1 }; // cells 7–15 each way: 3×3 groups
    const few = new FocusScheduler(grid, 'browse').plan(view, 10);
    expect(few.every((j) => j.pass === 1)).toBe(true);
    expect(few).toHaveLength(9); // one job per group
    const many = new FocusScheduler(grid, 'browse').plan(view, 9);
    expect(many.filter((j) => j.pass === 0)).toHaveLength(8); // the 1-cell corner group (7, 7) needs no representative
    expect(new Set(few.flatMap((j) => j.cells))).toEqual(new Set(many.flatMap((j) => j.cells)));
  });

  it('takeJob gives a worker the first job of its own band, else the first job, each job once', () => {
    const job = (affinity: number, cell: number): ScoreJob => ({ group: cell, affinity, cells: [cell], pass: 1 });
    const queue = [job(0, 0), job(0, 1), job(1, 2), job(1, 3), job(0, 4)];
    expect(takeJob(queue, 1, 2)!.cells).toEqual([2]);
    expect(takeJob(queue, 0, 2)!.cells).toEqual([0]);
    expect(takeJob(queue, 1, 2)!.cells).toEqual([3]);
    expect(takeJob(queue, 1, 2)!.cells).toEqual([1]); // nothing of band 1 left: the next job
    expect(takeJob(queue, 2, 3)!.cells).toEqual([4]);
    expect(takeJob(queue, 0, 2)).toBeUndefined();

    const plan = wholeSlidePlan(grid);
    const taken: number[] = [];
    for (let w = 0; plan.length > 0; w = (w + 1) % 3) taken.push(...takeJob(plan, w, 3)!.cells);
    expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 21 * 13 }, (_, i) => i));
  });
});
