import { SlideError, type SlideInfo } from '../types.ts';
import type { BenchRequest, BenchResult } from '../../focus/bench-stages.ts';
import type { ScoreMap } from '../../focus/score-map.ts';
import type { SlideGrid } from '../../focus/slide-grid.ts';
import type { HeatmapImageOptions } from '../../scan/heatmap-image.ts';
import type { SlideInput, SlideRequest, SlideResponse } from './protocol.ts';

const OPEN_TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (response: SlideResponse) => void;
  reject: (err: Error) => void;
  worker: Worker;
}

export interface ScoredBlock {
  scores: Float32Array;
  tissue: Float32Array;
  pixels: number;
}

/**
 * The viewer's handle on an open slide: a few workers that each opened the same file, rendering tiles in parallel.
 * The main thread only routes requests and receives ImageBitmaps (transferred, not copied).
 */
export class SlideWorkers {
  private readonly pending = new Map<number, Pending>();
  private readonly load = new Map<Worker, number>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly workers: Worker[], readonly info: SlideInfo) {
    for (const worker of workers) {
      this.load.set(worker, 0);
      worker.onmessage = (event: MessageEvent<SlideResponse>) => this.onMessage(worker, event.data);
      worker.onerror = (event) => this.failWorker(worker, event.message || 'slide worker crashed');
    }
  }

  static async open(input: SlideInput, count = defaultWorkerCount(), signal?: AbortSignal): Promise<SlideWorkers> {
    const workers = Array.from({ length: count }, () => new Worker(new URL('./slide.worker.ts', import.meta.url), { type: 'module' }));
    const opened = workers.map(
      (worker) =>
        new Promise<SlideInfo>((resolve, reject) => {
          const timer = setTimeout(() => reject(new SlideError('Opening the slide timed out (60 s).')), OPEN_TIMEOUT_MS);
          const abort = () => reject(new DOMException('Aborted', 'AbortError'));
          signal?.addEventListener('abort', abort, { once: true });
          worker.onmessage = (event: MessageEvent<SlideResponse>) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', abort);
            const msg = event.data;
            if (msg.type === 'opened') resolve(msg.info);
            else if (msg.type === 'open-failed') reject(new SlideError(msg.message));
          };
          worker.onerror = (event) => {
            clearTimeout(timer);
            reject(new SlideError(`The slide worker failed to start: ${event.message || 'unknown error'}`));
          };
          worker.postMessage({ type: 'open', input } satisfies SlideRequest);
        }),
    );
    try {
      const infos = await Promise.all(opened);
      return new SlideWorkers(workers, infos[0]!);
    } catch (err) {
      workers.forEach((w) => w.terminate());
      throw err;
    }
  }

  /** Renders the level-0 rectangle at the given output size. Rejects with an AbortError when `signal` aborts. */
  async render(x: number, y: number, width: number, height: number, outWidth: number, outHeight: number, signal?: AbortSignal): Promise<ImageBitmap> {
    const response = await this.call(this.leastBusy(), (id) => ({ type: 'render', id, x, y, width, height, outWidth, outHeight }), signal);
    if (response.type !== 'rendered') throw new SlideError('unexpected worker response');
    return response.bitmap;
  }

  /** Scores grid cells in the worker chosen by `affinity` (so a group's decoded tiles are reused by the same worker). */
  async score(modelUrl: string, grid: SlideGrid, cells: number[], affinity: number, signal?: AbortSignal): Promise<ScoredBlock> {
    const worker = this.workers[affinity % this.workers.length]!;
    const response = await this.call(worker, (id) => ({ type: 'score', id, modelUrl, grid, cells }), signal);
    if (response.type !== 'scored') throw new SlideError('unexpected worker response');
    return response;
  }

  /** The exported heatmap PNG of the whole slide, rendered and encoded in a worker. */
  async heatmapPng(map: ScoreMap, width: number, options: HeatmapImageOptions): Promise<Blob> {
    const response = await this.call(this.leastBusy(), (id) => ({
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

  /** Runs one benchmark stage in worker `index` (npm run bench:scan). */
  async bench(index: number, modelUrl: string, request: BenchRequest): Promise<BenchResult> {
    const response = await this.call(this.workers[index % this.workers.length]!, (id) => ({ type: 'bench', id, modelUrl, request }));
    if (response.type !== 'bench-result') throw new SlideError('unexpected worker response');
    return response.result;
  }

  get size(): number {
    return this.workers.length;
  }

  private call(worker: Worker, message: (id: number) => SlideRequest, signal?: AbortSignal): Promise<SlideResponse> {
    if (this.closed) return Promise.reject(new DOMException('Slide closed', 'AbortError'));
    if (signal?.aborted) return Promise.reject(new DOMException('Aborted', 'AbortError'));
    const id = this.nextId++;
    return new Promise<SlideResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id } satisfies SlideRequest), { once: true });
      worker.postMessage(message(id));
    });
  }

  close(): void {
    this.closed = true;
    for (const worker of this.workers) worker.terminate();
    for (const p of this.pending.values()) p.reject(new DOMException('Slide closed', 'AbortError'));
    this.pending.clear();
  }

  private leastBusy(): Worker {
    let best = this.workers[0]!;
    for (const w of this.workers) if ((this.load.get(w) ?? 0) < (this.load.get(best) ?? 0)) best = w;
    return best;
  }

  private onMessage(worker: Worker, msg: SlideResponse): void {
    if (msg.type === 'opened' || msg.type === 'open-failed') return;
    const pending = this.pending.get(msg.id);
    if (!pending) {
      if (msg.type === 'rendered') msg.bitmap.close();
      return;
    }
    this.pending.delete(msg.id);
    this.load.set(worker, Math.max(0, (this.load.get(worker) ?? 1) - 1));
    if (msg.type !== 'failed') pending.resolve(msg);
    else pending.reject(msg.aborted ? new DOMException(msg.message, 'AbortError') : new SlideError(msg.message));
  }

  private failWorker(worker: Worker, message: string): void {
    for (const [id, p] of this.pending) {
      if (p.worker === worker) {
        this.pending.delete(id);
        p.reject(new SlideError(message));
      }
    }
  }
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}
