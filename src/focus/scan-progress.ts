import { CellState, type CellStates } from './cell-state.ts';

/** A whole-slide scan as the user sees it: cells done out of all, throughput and time left. */
export interface ScanState {
  running: boolean;
  cancelled: boolean;
  startedAt: number;
  elapsedMs: number;
  cellsDone: number;
  cellsTotal: number;
  /** Cells already scored (while browsing, or by an earlier scan) when the scan started: reused, not recomputed. */
  cellsReused: number;
  /** Level-0 slide area covered per second, in megapixels. */
  megapixelsPerSecond: number;
  etaSeconds: number;
}

/** A scan starting at `now` (ms) over a map whose cells are in `state`: what is already done counts as reused. */
export function beginScan(state: CellStates, now: number): ScanState {
  const reused = state.reduce((n, s) => n + (s === CellState.Done ? 1 : 0), 0);
  return { running: true, cancelled: false, startedAt: now, elapsedMs: 0, cellsDone: reused, cellsTotal: state.length, cellsReused: reused, megapixelsPerSecond: 0, etaSeconds: Number.NaN };
}

/**
 * The scan after the runner reports `cells` at `now` (ms). The rate counts only the cells scored since the start (reused
 * ones took no time), so throughput and ETA describe the work actually being done; each cell covers stride² pixels.
 */
export function advanceScan(scan: ScanState, cells: { done: number; total: number; busy: boolean }, stride: number, now: number): ScanState {
  const elapsedMs = now - scan.startedAt;
  const newlyDone = cells.done - scan.cellsReused;
  const rate = elapsedMs > 0 ? newlyDone / elapsedMs : 0; // cells per ms
  const cellArea = stride ** 2;
  return {
    ...scan,
    running: cells.busy,
    elapsedMs,
    cellsDone: cells.done,
    cellsTotal: cells.total,
    megapixelsPerSecond: (rate * cellArea * 1000) / 1e6,
    etaSeconds: rate > 0 ? (cells.total - cells.done) / rate / 1000 : Number.NaN,
  };
}

/** The user stopped the scan: it keeps its numbers and says it was cancelled. */
export function cancelledScan(scan: ScanState): ScanState {
  return { ...scan, running: false, cancelled: true };
}
