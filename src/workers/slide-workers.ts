import { SlideError, type SlideInfo } from '../slide/types.ts';
import type { ModelRef } from '../focus/model-card.ts';
import type { ScoreMap } from '../focus/score-map.ts';
import type { Rect, SlideGrid } from '../focus/slide-grid.ts';
import type { HeatmapImageOptions } from '../heatmap/report-image.ts';
import { PoolError, WorkerPool, type WorkerLike } from './pool.ts';
import type { SlideInput, SlideRequest, SlideResponse } from './slide-protocol.ts';
import { fetchSeriesMetadata } from '../slide/dicom/dicomweb.ts';

export type { WorkerLike };
export type WorkerFactory = () => WorkerLike;

const OPEN_TIMEOUT_MS = 60_000;
/** A request still unanswered after this long means a hung worker: it is replaced and the request retried once. */
export const REQUEST_TIMEOUT_MS = { render: 30_000, score: 60_000, 'load-model': 60_000, 'heatmap-png': 180_000 } as const;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./slide.worker.ts', import.meta.url), { type: 'module' });

/**
 * Level-0 blocks of this side go to one worker each, in a checkerboard (see SlideWorkers.workerFor): a viewer tile
 * (512² at level 0) and the scoring blocks over it (4×4 cells: 619² pixels from a multiple of 512) then meet in the
 * same worker's decoded-tile cache, while a 1920×1080 view still spreads over every worker.
 */
const WORKER_BLOCK = 1024;

export interface ScoredBlock {
  scores: Float32Array;
  tissue: Float32Array;
  pixels: number;
}

/**
 * The viewer's handle on an open slide: a few workers that each opened the same file, rendering tiles and scoring
 * cells in parallel. The main thread only routes requests and receives ImageBitmaps and score arrays (transferred).
 * A worker that crashes or stops answering is replaced (it opens the slide again); its requests are retried once,
 * then fail with a message. A model that cannot be loaded fails with a PoolError of kind 'model'.
 */
export class SlideWorkers {
  /** Routed renders (see `render`'s `worker`) not yet answered, per worker. */
  private readonly renders: number[];

  private constructor(
    private readonly pool: WorkerPool<SlideRequest, SlideResponse>,
    readonly info: SlideInfo,
    /** What the workers opened, for other workers that need the same slide (benchmarks). */
    readonly input: SlideInput,
  ) {
    this.renders = new Array<number>(pool.size).fill(0);
  }

  static async open(input: SlideInput, count = defaultWorkerCount(), signal?: AbortSignal, factory: WorkerFactory = defaultFactory): Promise<SlideWorkers> {
    // A DICOMweb series' metadata (one item per frame: megabytes for a large slide) is fetched once, here, for all workers;
    // the workers start meanwhile, so their code has loaded when it arrives.
    const early: WorkerLike[] = [];
    if (input.kind === 'dicomweb' && !input.metadata) {
      for (let i = 0; i < count; i++) {
        const worker = factory();
        // One that failed to load before the pool listens is replaced by a fresh one, whose failure the pool then sees.
        worker.onerror = () => {
          worker.terminate();
          const at = early.indexOf(worker);
          if (at >= 0) early.splice(at, 1);
        };
        early.push(worker);
      }
      try {
        input = { ...input, metadata: await fetchSeriesMetadata(input, {}, signal) };
      } catch (err) {
        for (const w of early) w.terminate();
        throw err;
      }
    }
    const pool = new WorkerPool<SlideRequest, SlideResponse>({
      size: count,
      create: () => early.shift() ?? factory(),
      label: 'slide worker',
      idOf: (r) => (r.type === 'opened' || r.type === 'open-failed' ? undefined : r.id),
      failureOf: (r) => (r.type === 'failed' ? new PoolError(r.aborted ? 'cancelled' : (r.kind ?? 'failed'), r.message) : undefined),
      cancel: (id) => ({ type: 'cancel', id }),
      timeoutMs: (request) => (request.type in REQUEST_TIMEOUT_MS ? REQUEST_TIMEOUT_MS[request.type as keyof typeof REQUEST_TIMEOUT_MS] : 0),
      discard: (r) => {
        if (r.type === 'rendered') r.bitmap.close();
      },
      init: {
        message: { type: 'open', input },
        timeoutMs: OPEN_TIMEOUT_MS,
        timeoutMessage: 'Opening the slide timed out (60 s).',
        reply: (r) => (r.type === 'open-failed' ? new SlideError(r.message) : undefined),
      },
    });
    const [first] = await pool.start(signal);
    if (first?.type !== 'opened') throw new SlideError('unexpected worker response');
    return new SlideWorkers(pool, first.info, input);
  }

  /**
   * Renders the level-0 rectangle at the given output size. Rejects with an AbortError when `signal` aborts.
   * `gray`: the slide's luma (the viewer under the heatmap); `worker`: the worker to use (else the least busy one).
   */
  async render(x: number, y: number, width: number, height: number, outWidth: number, outHeight: number, signal?: AbortSignal, options: { gray?: boolean; worker?: number } = {}): Promise<ImageBitmap> {
    const gray = options.gray === true;
    const worker = options.worker === undefined ? undefined : options.worker % this.pool.size;
    if (worker !== undefined) this.renders[worker]!++;
    try {
      const response = await this.pool.request((id) => ({ type: 'render', id, x, y, width, height, outWidth, outHeight, ...(gray ? { gray } : {}) }), { signal, ...(worker !== undefined ? { worker } : {}) });
      if (response.type !== 'rendered') throw new SlideError('unexpected worker response');
      return response.bitmap;
    } finally {
      if (worker !== undefined) this.renders[worker]!--;
    }
  }

  /** The worker for a level-0 region: by the WORKER_BLOCK² block its centre lies in, in a checkerboard. */
  workerFor(region: Rect): number {
    const bx = Math.floor((region.x + region.width / 2) / WORKER_BLOCK);
    const by = Math.floor((region.y + region.height / 2) / WORKER_BLOCK);
    return (bx + by) % this.pool.size;
  }

  /** Renders routed to `worker` (render's `worker` option) are under way: the viewer is loading tiles there. */
  rendering(worker: number): boolean {
    return (this.renders[worker % this.pool.size] ?? 0) > 0;
  }

  /** Scores grid cells in the worker chosen by `affinity` (so a group's decoded tiles are reused by the same worker). */
  async score(model: ModelRef, grid: SlideGrid, cells: number[], affinity: number, signal?: AbortSignal, readAhead = false): Promise<ScoredBlock> {
    const response = await this.pool.request((id) => ({ type: 'score', id, model, grid, cells, readAhead }), { worker: affinity, signal });
    if (response.type !== 'scored') throw new SlideError('unexpected worker response');
    return response;
  }

  /**
   * Loads the model in every worker at once. Without it a worker loads the model when its first block arrives, so a
   * scan started right after the heatmap waited for the workers the view had not needed yet.
   */
  async preload(model: ModelRef): Promise<void> {
    await Promise.all(
      Array.from({ length: this.pool.size }, async (_, worker) => {
        const response = await this.pool.request((id) => ({ type: 'load-model', id, model }), { worker });
        if (response.type !== 'model-loaded') throw new SlideError('unexpected worker response');
      }),
    );
  }

  /** The exported heatmap PNG of the whole slide, rendered and encoded in a worker. */
  async heatmapPng(map: ScoreMap, width: number, options: HeatmapImageOptions): Promise<Blob> {
    const response = await this.pool.request((id) => ({
      type: 'heatmap-png',
      id,
      grid: map.grid,
      scores: map.scores.slice(),
      tissue: map.tissue.slice(),
      state: map.state.slice(),
      width,
      options,
    }));
    if (response.type !== 'png') throw new SlideError('unexpected worker response');
    return response.blob;
  }

  get size(): number {
    return this.pool.size;
  }

  /** Workers replaced after a crash or a hang, for the status line and tests. */
  get restarts(): number {
    return this.pool.restarts;
  }

  close(): void {
    this.pool.close();
  }
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}
