import { FocusScheduler, takeJob, type ScoreJob } from './scheduler.ts';
import type { ScoreMap } from './score-map.ts';
import { cellRangeIn, cellRect, type Rect, type SlideGrid } from './slide-grid.ts';
import { CellState } from './cell-state.ts';
import { isModelLoadError } from './model-load-error.ts';
import type { ModelRef } from './model-card.ts';

/** Browsing waits at most this long after a view change for the image before scoring (see FocusRunner). */
export const IMAGE_FIRST_MS = 1500;

/**
 * Browsing scores one cell per group first (a rough map early) only in views of at least this many groups (zoomed
 * out). A 1920×1080 view at level 0 is 12–20 groups, done in a few hundred milliseconds either way: there the coarse
 * pass only doubled the jobs (a round trip, a region read and a model call each) and delayed the last cell.
 */
export const COARSE_FROM_GROUPS = 48;

/** What the runner needs of a worker pool: its size, and a block of cells scored on a chosen worker. */
export interface CellScorer {
  readonly size: number;
  /** `readAhead`: a whole-slide scan, moving right along a band of the slide (see scoreBlock). */
  score(model: ModelRef, grid: SlideGrid, cells: number[], worker: number, signal: AbortSignal, readAhead?: boolean): Promise<{ scores: Float32Array; tissue: Float32Array }>;
  /** Loads the model in every worker ahead of the first block (optional: a failure shows on the blocks anyway). */
  preload?(model: ModelRef): Promise<void>;
  /**
   * The worker that renders the viewer's tiles over a level-0 region, and so holds them decoded (optional): browsing
   * sends a block there, where its tiles are decoded already or about to be.
   */
  workerFor?(region: Rect): number;
}

export interface RunnerProgress {
  /** Cells of the current view looked at (scored or found to be glass). */
  done: number;
  /** Cells in the current view. */
  total: number;
  busy: boolean;
  error?: string;
  /** Cells that could not be scored (unreadable tiles) and the last reason, shown to the user. */
  failed: number;
  lastFailure?: string;
}

/**
 * Keeps the workers scoring what the user is looking at. Every view change re-plans: queued jobs for cells that left
 * the view are dropped, running ones that left it are cancelled, and cells already in the score map are never redone.
 */
export class FocusRunner {
  private scheduler: FocusScheduler;
  private queue: ScoreJob[] = [];
  private readonly running = new Map<ScoreJob, AbortController>();
  /** Jobs in flight per worker. */
  private readonly load: number[];
  private view: Rect | undefined;
  private stopped = false;
  private error: string | undefined;
  private lastFailure: string | undefined;
  /** Jobs in flight per worker: while one runs the model, others wait for their tiles to decode (3 measured best
   * with bench:viewer and bench:scan; 2 left the decoders idle, 4 gained nothing). */
  readonly perWorker = 3;

  /** When the view last changed, and the timer that looks again whether the image has loaded (see `imageLoading`). */
  private viewChangedAt = 0;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `imageLoading(worker)`: while it says the viewer is still loading the image of a new view in that worker, browsing
   * sends it no new blocks (for at most IMAGE_FIRST_MS after the view changed): the image and the scores share the
   * workers' decoders and cores, and the image comes first. Per worker, so a worker done with its part of the image
   * starts on the blocks over it (their tiles decoded) while the other still renders. A whole-slide scan does not wait.
   */
  constructor(
    private readonly workers: CellScorer,
    readonly map: ScoreMap,
    private readonly model: ModelRef,
    private readonly onChange: (rangeChanged: boolean) => void,
    private readonly imageLoading: (worker: number) => boolean = () => false,
  ) {
    this.scheduler = new FocusScheduler(map.grid, 'browse', map.state);
    this.load = new Array<number>(workers.size).fill(0);
    // Every worker gets the model now; a load failure also fails the first block, which reports it.
    workers.preload?.(model).catch(() => undefined);
  }

  /** Whole-slide scans plan in the scheduler's `scan` mode, browsing in its `browse` mode (see PlanMode). */
  setScanMode(scan: boolean): void {
    const mode = scan ? 'scan' : 'browse';
    if (mode === this.scheduler.mode) return;
    for (const job of this.queue) this.scheduler.markUnknown(job.cells);
    this.queue = [];
    this.scheduler = new FocusScheduler(this.map.grid, mode, this.map.state);
  }

  setView(view: Rect): void {
    if (this.stopped || this.error) return;
    this.view = view;
    this.viewChangedAt = performance.now();
    for (const [job, controller] of this.running) {
      if (!job.cells.some((c) => this.visible(c))) controller.abort();
    }
    for (const job of this.queue) this.scheduler.markUnknown(job.cells);
    this.queue = this.scheduler.plan(view, COARSE_FROM_GROUPS);
    const workerFor = this.workers.workerFor?.bind(this.workers);
    if (workerFor && this.scheduler.mode === 'browse') for (const job of this.queue) job.affinity = workerFor(this.region(job.cells));
    for (const job of this.queue) this.scheduler.markQueued(job.cells);
    this.pump();
    this.onChange(false);
  }

  /** Work is queued or running (and the runner has not failed). */
  get busy(): boolean {
    return !this.error && (this.queue.length > 0 || this.running.size > 0);
  }

  progress(): RunnerProgress {
    const busy = this.busy;
    const range = this.view ? cellRangeIn(this.map.grid, this.view) : undefined;
    let done = 0;
    let total = 0;
    if (range) {
      for (let r = range.row0; r <= range.row1; r++) {
        for (let c = range.col0; c <= range.col1; c++) {
          total++;
          if (this.map.state[r * this.map.grid.cols + c] === CellState.Done) done++;
        }
      }
    }
    return { done, total, busy, failed: this.map.failed, ...(this.error ? { error: this.error } : {}), ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}) };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.holdTimer);
    for (const controller of this.running.values()) controller.abort();
    for (const job of this.queue) this.scheduler.markUnknown(job.cells);
    this.queue = [];
  }

  private visible(cell: number): boolean {
    const range = this.view ? cellRangeIn(this.map.grid, this.view) : undefined;
    if (!range) return false;
    const col = cell % this.map.grid.cols;
    const row = Math.floor(cell / this.map.grid.cols);
    return col >= range.col0 && col <= range.col1 && row >= range.row0 && row <= range.row1;
  }

  /** The level-0 region a block reads: the union of its cells' patches. */
  private region(cells: readonly number[]): Rect {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const cell of cells) {
      const r = cellRect(this.map.grid, cell);
      x0 = Math.min(x0, r.x);
      y0 = Math.min(y0, r.y);
      x1 = Math.max(x1, r.x + r.width);
      y1 = Math.max(y1, r.y + r.height);
    }
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  /** Gives each worker with room its next queued job (takeJob: its own affinity first). */
  private pump(): void {
    const n = this.load.length;
    let progress = true;
    while (!this.stopped && this.queue.length > 0 && progress) {
      progress = false;
      for (let w = 0; w < n && this.queue.length > 0; w++) {
        if ((this.load[w] ?? 0) >= this.perWorker || this.holdForImage(w)) continue;
        this.dispatch(takeJob(this.queue, w, n)!, w);
        progress = true;
      }
    }
  }

  /** Whether `worker` waits for the image before taking more (looking again shortly when so). */
  private holdForImage(worker: number): boolean {
    if (this.scheduler.mode === 'scan' || this.stopped || this.queue.length === 0) return false;
    if (performance.now() - this.viewChangedAt >= IMAGE_FIRST_MS || !this.imageLoading(worker)) return false;
    this.holdTimer ??= setTimeout(() => {
      this.holdTimer = undefined;
      this.pump();
    }, 10);
    return true;
  }

  private dispatch(job: ScoreJob, worker: number): void {
    const controller = new AbortController();
    this.running.set(job, controller);
    this.load[worker]!++;
    const settle = () => {
      this.running.delete(job);
      this.load[worker]!--;
    };
    this.workers.score(this.model, this.map.grid, job.cells, worker, controller.signal, this.scheduler.mode === 'scan').then(
      (result) => {
        settle();
        const rangeChanged = this.map.record(job.cells, result.scores, result.tissue);
        this.pump();
        this.onChange(rangeChanged);
      },
      (err: Error) => {
        settle();
        if (err.name === 'AbortError') {
          this.scheduler.markUnknown(job.cells);
        } else if (isModelLoadError(err)) {
          // The model itself is unusable: stop, say so once, and leave the viewer working without a heatmap.
          this.error = err.message;
          this.scheduler.markUnknown(job.cells);
          this.stop();
        } else {
          this.lastFailure = err.message;
          this.map.recordFailure(job.cells);
        }
        this.pump();
        this.onChange(false);
      },
    );
  }
}
