import { SlideError, type SlideInfo } from '../types.ts';
import type { SlideInput, SlideRequest, SlideResponse } from './protocol.ts';

const OPEN_TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (bitmap: ImageBitmap) => void;
  reject: (err: Error) => void;
  worker: Worker;
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
  render(x: number, y: number, width: number, height: number, outWidth: number, outHeight: number, signal?: AbortSignal): Promise<ImageBitmap> {
    if (this.closed) return Promise.reject(new SlideError('the slide is closed'));
    const worker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<ImageBitmap>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id } satisfies SlideRequest), { once: true });
      worker.postMessage({ type: 'render', id, x, y, width, height, outWidth, outHeight } satisfies SlideRequest);
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
    if (msg.type !== 'rendered' && msg.type !== 'failed') return;
    const pending = this.pending.get(msg.id);
    if (!pending) {
      if (msg.type === 'rendered') msg.bitmap.close();
      return;
    }
    this.pending.delete(msg.id);
    this.load.set(worker, Math.max(0, (this.load.get(worker) ?? 1) - 1));
    if (msg.type === 'rendered') pending.resolve(msg.bitmap);
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
