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
 * `browse`: what the user is looking at, in 4×4-cell groups, one cell of each group first (a rough map early), nearest
 * the view centre first, each group its own affinity. `scan`: a whole-slide scan, in 8×8-cell groups (one ~1.1k-pixel
 * read and one model call each) in row-major order without the coarse pass, a row of groups per affinity, so each
 * worker moves along a band of the slide and reuses its decoded tiles.
 */
export type PlanMode = 'browse' | 'scan';

const GROUP_SIZE: Record<PlanMode, number> = { browse: 4, scan: 8 };

/**
 * Decides what to score next for a view: only cells whose patch intersects the viewport, skipping cells already
 * scored or being scored, grouped and ordered as its mode says. The one planner of the app's runner and the CLI's
 * scan (wholeSlidePlan); pure logic, the callers own workers and timing.
 */
export class FocusScheduler {
  /** 0 unknown, 1 queued or running, 2 done (scored or found to be glass); shared with the score cache. */
  readonly state: CellStates;
  /** Cells per group side. */
  readonly groupSize: number;

  constructor(readonly grid: SlideGrid, readonly mode: PlanMode = 'browse', state?: CellStates) {
    this.state = state ?? new Uint8Array(grid.cols * grid.rows);
    this.groupSize = GROUP_SIZE[mode];
  }

  /** One cell per group first (browsing only). */
  get coarse(): boolean {
    return this.mode === 'browse';
  }

  get groupCols(): number {
    return Math.ceil(this.grid.cols / this.groupSize);
  }

  /**
   * Jobs for the cells of `view` not yet done or running, in dispatch order. `coarseFrom`: browsing's coarse pass only
   * when the view spans at least this many groups (default: always).
   */
  plan(view: Rect, coarseFrom = 0): ScoreJob[] {
    const range = cellRangeIn(this.grid, view);
    if (!range) return [];
    const { col0, col1, row0, row1 } = range;
    const g = this.groupSize;
    const groupsInView = (Math.floor(col1 / g) - Math.floor(col0 / g) + 1) * (Math.floor(row1 / g) - Math.floor(row0 / g) + 1);
    const coarsePass = this.coarse && groupsInView >= coarseFrom;
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
        const started = !coarsePass || this.groupStarted(gr, gc);
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

/** Every cell of a slide, in scan order: the blocks the CLI scores, row-major so neighbouring blocks share tiles. */
export function wholeSlidePlan(grid: SlideGrid): ScoreJob[] {
  return new FocusScheduler(grid, 'scan').plan({ x: 0, y: 0, width: grid.width, height: grid.height });
}

/**
 * Takes the next job for `worker` (of `workers`) out of a planned queue: the first of its own affinity, so it keeps
 * its band of the slide and its decoded tiles; with nothing of its own, the first job rather than idle.
 */
export function takeJob(queue: ScoreJob[], worker: number, workers: number): ScoreJob | undefined {
  if (queue.length === 0) return undefined;
  const own = queue.findIndex((job) => job.affinity % workers === worker);
  return queue.splice(own < 0 ? 0 : own, 1)[0];
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
