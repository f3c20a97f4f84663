import { RelativeRange } from './score-range.ts';
import { cellRect, type SlideGrid } from './slide-grid.ts';
import { TISSUE_RULES } from './tissue.ts';
import { CellState, type CellStates } from './cell-state.ts';

/** Scores of one slide under one model and grid: the cache that makes returning to a region instant. */
export class ScoreMap {
  readonly scores: Float32Array;
  readonly tissue: Float32Array;
  readonly state: CellStates;
  readonly range = new RelativeRange();
  scored = 0;
  failed = 0;

  constructor(readonly grid: SlideGrid) {
    const n = grid.cols * grid.rows;
    this.scores = new Float32Array(n).fill(Number.NaN);
    this.tissue = new Float32Array(n).fill(Number.NaN);
    this.state = new Uint8Array(n);
  }

  /** A copy built from transferred arrays (e.g. inside a worker that renders an export). */
  static fromArrays(grid: SlideGrid, scores: Float32Array, tissue: Float32Array, state: Uint8Array): ScoreMap {
    const map = new ScoreMap(grid);
    map.scores.set(scores);
    map.tissue.set(tissue);
    map.state.set(state);
    for (let cell = 0; cell < scores.length; cell++) {
      if (Number.isFinite(scores[cell]!)) {
        map.scored++;
        if (map.isTissue(cell)) map.range.include(scores[cell]!);
      }
    }
    return map;
  }

  /** Records a block's results; returns true when the relative colour range changed. */
  record(cells: readonly number[], scores: ArrayLike<number>, tissue: ArrayLike<number>): boolean {
    let rangeChanged = false;
    cells.forEach((cell, i) => {
      const score = scores[i] ?? Number.NaN;
      const t = tissue[i] ?? 0;
      this.scores[cell] = score;
      this.tissue[cell] = t;
      this.state[cell] = CellState.Done;
      if (Number.isFinite(score)) {
        this.scored++;
        if (t >= TISSUE_RULES.tissueFraction && this.range.include(score)) rangeChanged = true;
      }
    });
    return rangeChanged;
  }

  recordFailure(cells: readonly number[]): void {
    for (const cell of cells) this.state[cell] = CellState.Done;
    this.failed += cells.length;
  }

  isTissue(cell: number): boolean {
    return (this.tissue[cell] ?? 0) >= TISSUE_RULES.tissueFraction;
  }

  /** Rows `x,y,width,height,score,tissue` in level-0 pixels for every cell looked at so far; glass has no score. */
  toCsv(): string {
    const lines = ['x,y,width,height,score,tissue'];
    for (let cell = 0; cell < this.state.length; cell++) {
      if (this.state[cell] !== CellState.Done || Number.isNaN(this.tissue[cell]!)) continue;
      const r = cellRect(this.grid, cell);
      const score = this.scores[cell]!;
      lines.push(`${r.x},${r.y},${r.width},${r.height},${Number.isFinite(score) ? score.toPrecision(7) : ''},${this.isTissue(cell)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
