import { SlideError, type SlideInfo } from '../slide/types.ts';
import type { BenchRequest, BenchResult } from './bench/bench-stages.ts';
import type { ScoreMap } from '../focus/score-map.ts';
import type { SlideGrid } from '../focus/slide-grid.ts';
import type { HeatmapImageOptions } from '../heatmap/report-image.ts';
import type { SlideInput, SlideRequest, SlideResponse } from './slide-protocol.ts';

const OPEN_TIMEOUT_MS = 60_000;
/** A request still unanswered after this long means a hung worker: it is replaced and the request retried once. */
export const REQUEST_TIMEOUT_MS = { render: 30_000, score: 60_000, 'heatmap-png': 180_000, bench: 0 } as const;

/** What we need of a Worker; tests substitute fakes that crash or hang. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}
export type WorkerFactory = () => WorkerLike;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./slide.worker.ts', import.meta.url), { type: 'module' });

interface Slot {
  worker: WorkerLike;
  load: number;
  /** Set while a replacement worker is opening the slide. */
  ready: Promise<void>;
}

interface Pending {
  slot: Slot;
  message: SlideRequest;
  attempts: number;
  /** The worker this request was last posted to (so a replacement gets it once, not twice). */
  sentTo?: WorkerLike;
  timer?: ReturnType<typeof setTimeout>;
  resolve: (response: SlideResponse) => void;
  reject: (err: Error) => void;
}

export interface ScoredBlock {
  scores: Float32Array;
  tissue: Float32Array;
  pixels: number;
}

function openWorker(worker: WorkerLike, input: SlideInput, signal?: AbortSignal): Promise<SlideInfo> {
  return new Promise<SlideInfo>((resolve, reject) => {
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
  });
}

/**
 * The viewer's handle on an open slide: a few workers that each opened the same file, rendering tiles and scoring
 * cells in parallel. The main thread only routes requests and receives ImageBitmaps and score arrays (transferred).
 * A worker that crashes or stops answering is replaced; its requests are retried once, then fail with a message.
 */
export class SlideWorkers {
  private readonly pending = new Map<number, Pending>();
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;
  /** Workers replaced after a crash or a hang, for the status line and tests. */
  restarts = 0;

  private constructor(workers: WorkerLike[], readonly info: SlideInfo, private readonly input: SlideInput, private readonly factory: WorkerFactory) {
    this.slots = workers.map((worker) => ({ worker, load: 0, ready: Promise.resolve() }));
    this.slots.forEach((slot) => this.attach(slot));
  }

  static async open(input: SlideInput, count = defaultWorkerCount(), signal?: AbortSignal, factory: WorkerFactory = defaultFactory): Promise<SlideWorkers> {
    const workers = Array.from({ length: count }, () => factory());
    try {
      const infos = await Promise.all(workers.map((w) => openWorker(w, input, signal)));
      return new SlideWorkers(workers, infos[0]!, input, factory);
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
    const slot = this.slots[affinity % this.slots.length]!;
    const response = await this.call(slot, (id) => ({ type: 'score', id, modelUrl, grid, cells }), signal);
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
    const response = await this.call(this.slots[index % this.slots.length]!, (id) => ({ type: 'bench', id, modelUrl, request }));
    if (response.type !== 'bench-result') throw new SlideError('unexpected worker response');
    return response.result;
  }

  get size(): number {
    return this.slots.length;
  }

  private call(slot: Slot, message: (id: number) => SlideRequest, signal?: AbortSignal): Promise<SlideResponse> {
    if (this.closed) return Promise.reject(new DOMException('Slide closed', 'AbortError'));
    if (signal?.aborted) return Promise.reject(new DOMException('Aborted', 'AbortError'));
    const id = this.nextId++;
    return new Promise<SlideResponse>((resolve, reject) => {
      const pending: Pending = { slot, message: message(id), attempts: 0, resolve, reject };
      this.pending.set(id, pending);
      signal?.addEventListener('abort', () => pending.slot.worker.postMessage({ type: 'cancel', id } satisfies SlideRequest), { once: true });
      void this.send(id, pending);
    });
  }

  private async send(id: number, pending: Pending): Promise<void> {
    await pending.slot.ready;
    if (!this.pending.has(id) || this.closed || pending.sentTo === pending.slot.worker) return;
    pending.sentTo = pending.slot.worker;
    pending.attempts++;
    pending.slot.load++;
    const timeout = REQUEST_TIMEOUT_MS[pending.message.type as keyof typeof REQUEST_TIMEOUT_MS] ?? 0;
    if (timeout > 0) pending.timer = setTimeout(() => this.replace(pending.slot, `a slide worker stopped answering (${timeout / 1000} s)`), timeout);
    pending.slot.worker.postMessage(pending.message);
  }

  private attach(slot: Slot): void {
    slot.worker.onmessage = (event: MessageEvent<SlideResponse>) => this.onMessage(event.data);
    slot.worker.onerror = (event) => {
      event.preventDefault?.();
      this.replace(slot, `a slide worker crashed${event.message ? ` (${event.message})` : ''}`);
    };
  }

  /** Swaps a crashed or hung worker for a fresh one and retries its requests once; second failures are reported. */
  private replace(slot: Slot, reason: string): void {
    if (this.closed) return;
    this.restarts++;
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
    const worker = this.factory();
    slot.worker = worker;
    slot.load = 0;
    slot.ready = openWorker(worker, this.input).then(
      () => this.attach(slot),
      (err: Error) => {
        this.attach(slot);
        for (const [id, p] of this.pending) if (p.slot === slot) this.settle(id, p, new SlideError(`${reason}, and its replacement failed: ${err.message}`));
      },
    );
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      clearTimeout(p.timer);
      if (p.attempts >= 2) this.settle(id, p, new SlideError(`${reason} twice on the same request; giving up on it`));
      else void this.send(id, p);
    }
  }

  private settle(id: number, p: Pending, result: SlideResponse | Error): void {
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.slot.load = Math.max(0, p.slot.load - 1);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot.worker.terminate();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DOMException('Slide closed', 'AbortError'));
    }
    this.pending.clear();
  }

  private leastBusy(): Slot {
    let best = this.slots[0]!;
    for (const slot of this.slots) if (slot.load < best.load) best = slot;
    return best;
  }

  private onMessage(msg: SlideResponse): void {
    if (msg.type === 'opened' || msg.type === 'open-failed') return;
    const pending = this.pending.get(msg.id);
    if (!pending) {
      if (msg.type === 'rendered') msg.bitmap.close();
      return;
    }
    if (msg.type !== 'failed') this.settle(msg.id, pending, msg);
    else this.settle(msg.id, pending, msg.aborted ? new DOMException(msg.message, 'AbortError') : new SlideError(msg.message));
  }
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}
