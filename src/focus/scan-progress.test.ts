import { describe, expect, it } from 'vitest';
import { CellState } from './cell-state.ts';
import { advanceScan, beginScan, cancelledScan } from './scan-progress.ts';

const { Unknown, Queued, Done } = CellState;

describe('scan progress', () => {
  it('starts with the cells already scored counted as done and reused', () => {
    const scan = beginScan(Uint8Array.of(Done, Unknown, Queued, Done, Unknown), 1000);
    expect(scan).toEqual({
      running: true, cancelled: false, startedAt: 1000, elapsedMs: 0,
      cellsDone: 2, cellsTotal: 5, cellsReused: 2, megapixelsPerSecond: 0, etaSeconds: Number.NaN,
    });
  });

  it('measures throughput and ETA from the newly scored cells only', () => {
    const start = beginScan(new Uint8Array(1000).fill(Done, 0, 100), 0);
    // 2 s in, 400 more cells done (500 of 1000): 0.2 cells/ms, 128² px each.
    const scan = advanceScan(start, { done: 500, total: 1000, busy: true }, 128, 2000);
    expect(scan.running).toBe(true);
    expect(scan.elapsedMs).toBe(2000);
    expect(scan.cellsDone).toBe(500);
    expect(scan.cellsTotal).toBe(1000);
    expect(scan.cellsReused).toBe(100);
    expect(scan.megapixelsPerSecond).toBeCloseTo((0.2 * 128 * 128 * 1000) / 1e6, 12);
    expect(scan.etaSeconds).toBeCloseTo(500 / 0.2 / 1000, 12); // 2.5 s
  });

  it('has no ETA before any time has passed or any new cell is done', () => {
    const start = beginScan(new Uint8Array(10).fill(Done, 0, 4), 50);
    const atOnce = advanceScan(start, { done: 6, total: 10, busy: true }, 128, 50);
    expect(atOnce.megapixelsPerSecond).toBe(0);
    expect(atOnce.etaSeconds).toBeNaN();
    const nothingNew = advanceScan(start, { done: 4, total: 10, busy: true }, 128, 550);
    expect(nothingNew.megapixelsPerSecond).toBe(0);
    expect(nothingNew.etaSeconds).toBeNaN();
  });

  it('stops running when the runner is idle, and keeps the start and reuse counts', () => {
    const start = beginScan(new Uint8Array(4), 10);
    const done = advanceScan(start, { done: 4, total: 4, busy: false }, 64, 1010);
    expect(done).toMatchObject({ running: false, cancelled: false, startedAt: 10, cellsReused: 0, cellsDone: 4, etaSeconds: 0 });
  });

  it('cancels without losing the numbers', () => {
    const scan = advanceScan(beginScan(new Uint8Array(8), 0), { done: 3, total: 8, busy: true }, 128, 100);
    expect(cancelledScan(scan)).toEqual({ ...scan, running: false, cancelled: true });
  });
});
