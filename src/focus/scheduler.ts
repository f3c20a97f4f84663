import { cellRangeIn, type Rect, type SlideGrid } from './slide-grid.ts';
import { CellState, type CellStates } from './cell-state.ts';

export interface ScoreJob {
  /** Group index (groups are `groupSize`×`groupSize` cells). */
  group: number;
  /** Which worker should take it, so neighbouring jobs reuse that worker's decoded tiles. */
  affinity: number;
  cells: number[];
  /** 0: one cell per group (a coarse map early), 1: the rest of the group. */
  pass: 0 | 1;
}

/**
 * Decides what to score next for a view: only cells whose patch intersects the viewport, coarse-to-fine (one cell of
 * each group first, over the whole view, then the rest of each group), nearest the viewport centre first, skipping
 * cells already scored or being scored. Pure logic; the runner owns workers and timing.
 */
export class FocusScheduler {
  /** 0 unknown, 1 queued or running, 2 done (scored or found to be glass); shared with the score cache. */
  readonly state: CellStates;

  /**
   * @param coarse one cell per group first (a rough map early while browsing); a whole-slide scan turns it off and
   *   uses larger groups, handed out in rows so each worker moves along a band of the slide and reuses its tiles.
   */
  constructor(readonly grid: SlideGrid, readonly groupSize = 4, state?: CellStates, readonly coarse = true) {
    this.state = state ?? new Uint8Array(grid.cols * grid.rows);
  }

  get groupCols(): number {
    return Math.ceil(this.grid.cols / this.groupSize);
  }

  /** Jobs for the cells of `view` not yet done or running, in dispatch order. */
  plan(view: Rect): ScoreJob[] {
    const range = cellRangeIn(this.grid, view);
    if (!range) return [];
    const { col0, col1, row0, row1 } = range;
    const g = this.groupSize;
    const cx = view.x + view.width / 2;
    const cy = view.y + view.height / 2;
    const coarse: (ScoreJob & { d: number })[] = [];
    const fine: (ScoreJob & { d: number })[] = [];
    for (let gr = Math.floor(row0 / g); gr <= Math.floor(row1 / g); gr++) {
      for (let gc = Math.floor(col0 / g); gc <= Math.floor(col1 / g); gc++) {
        const group = gr * this.groupCols + gc;
        const cells: number[] = [];
        for (let r = Math.max(row0, gr * g); r <= Math.min(row1, gr * g + g - 1); r++) {
          for (let c = Math.max(col0, gc * g); c <= Math.min(col1, gc * g + g - 1); c++) {
            const cell = r * this.grid.cols + c;
            if (this.state[cell] === CellState.Unknown) cells.push(cell);
          }
        }
        if (cells.length === 0) continue;
        const gx = (gc * g + g / 2) * this.grid.stride;
        const gy = (gr * g + g / 2) * this.grid.stride;
        const d = (gx - cx) ** 2 + (gy - cy) ** 2;
        // The representative is the cell nearest the group centre; if the group was started already, skip pass 0.
        const affinity = this.coarse ? group : gr;
        const started = !this.coarse || this.groupStarted(gr, gc);
        if (!started && cells.length > 1) {
          const rep = nearest(cells, this.grid.cols, gc * g + (g - 1) / 2, gr * g + (g - 1) / 2);
          coarse.push({ group, affinity, cells: [rep], pass: 0, d });
          fine.push({ group, affinity, cells: cells.filter((c) => c !== rep), pass: 1, d });
        } else {
          // A scan goes row by row of groups (d = order) so bands stay together; browsing goes nearest first.
          fine.push({ group, affinity, cells, pass: 1, d: this.coarse ? d : group });
        }
      }
    }
    const byDistance = (a: { d: number }, b: { d: number }) => a.d - b.d;
    return [...coarse.sort(byDistance), ...fine.sort(byDistance)].map(({ group, affinity, cells, pass }) => ({ group, affinity, cells, pass }));
  }

  markQueued(cells: readonly number[]): void {
    for (const c of cells) this.state[c] = CellState.Queued;
  }

  /** Cells whose job was cancelled or failed go back to unknown, so a later plan picks them up again. */
  markUnknown(cells: readonly number[]): void {
    for (const c of cells) if (this.state[c] === CellState.Queued) this.state[c] = CellState.Unknown;
  }

  markDone(cells: readonly number[]): void {
    for (const c of cells) this.state[c] = CellState.Done;
  }

  private groupStarted(gr: number, gc: number): boolean {
    const g = this.groupSize;
    for (let r = gr * g; r < Math.min(this.grid.rows, gr * g + g); r++) {
      for (let c = gc * g; c < Math.min(this.grid.cols, gc * g + g); c++) if (this.state[r * this.grid.cols + c] !== CellState.Unknown) return true;
    }
    return false;
  }
}

function nearest(cells: number[], cols: number, col: number, row: number): number {
  let best = cells[0]!;
  let bestD = Infinity;
  for (const cell of cells) {
    const d = ((cell % cols) - col) ** 2 + (Math.floor(cell / cols) - row) ** 2;
    if (d < bestD) {
      bestD = d;
      best = cell;
    }
  }
  return best;
}
