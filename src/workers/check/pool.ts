// The quick-check worker pool: a few module workers, each with its own onnxruntime-web session, fed one file at a
// time through a bounded queue. The main thread never reads or decodes a file: Files go to the workers as is.
import type { RGBAImage } from '../../slide/types.ts';
import { CheckFailure } from './failure.ts';
import type { CheckedImage, CheckRequest, CheckResponse } from './protocol.ts';
import { JobQueue, type QueueCallbacks } from '../../app/check/queue.ts';

export interface CheckJob {
  /** The row this job fills. */
  id: number;
  file: Blob;
  name: string;
  modelUrl: string;
  stride: number;
  thumbSize: number;
}

interface Pending {
  resolve: (response: CheckResponse) => void;
  reject: (err: Error) => void;
  slot: number;
}

/** Workers are let go after this long without work (each holds a WASM instance and its decoded image). */
const IDLE_MS = 60_000;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2));
}

const createCheckWorker = () => new Worker(new URL('../check.worker.ts', import.meta.url), { type: 'module' });

export class CheckPool {
  private readonly workers: (Worker | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private readonly queue: JobQueue<CheckJob, CheckedImage>;
  private nextRequest = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    callbacks: QueueCallbacks<CheckJob, CheckedImage>,
    readonly size = defaultPoolSize(),
    private readonly createWorker: () => Worker = createCheckWorker,
  ) {
    this.workers = Array.from({ length: size }, () => undefined);
    this.queue = new JobQueue(size, (job, slot, signal) => this.check(job, slot, signal), {
      ...callbacks,
      idle: () => {
        this.armIdleTimer();
        callbacks.idle?.();
      },
    });
  }

  get busy(): boolean {
    return this.queue.queued + this.queue.running > 0;
  }

  submit(jobs: CheckJob[]): void {
    this.disarmIdleTimer();
    this.queue.push(...jobs);
  }

  /** Stops everything: queued jobs are dropped and the workers (with any running job) are terminated. */
  cancel(): CheckJob[] {
    const dropped = this.queue.cancel();
    this.terminate();
    return dropped;
  }

  /** A downscaled rendering of `file` for the large view, made by a worker. */
  async preview(file: Blob, name: string, maxSide: number): Promise<RGBAImage> {
    this.disarmIdleTimer();
    try {
      const slot = this.leastBusySlot();
      const response = await this.call(slot, (id) => ({ type: 'preview', id, file, name, maxSide }));
      if (response.type !== 'preview') throw new Error('unexpected worker response');
      return response.image;
    } finally {
      if (!this.busy) this.armIdleTimer();
    }
  }

  dispose(): void {
    this.cancel();
    this.disarmIdleTimer();
  }

  private async check(job: CheckJob, slot: number, signal: AbortSignal): Promise<CheckedImage> {
    const response = await this.call(
      slot,
      (id) => ({ type: 'check', id, file: job.file, name: job.name, modelUrl: job.modelUrl, stride: job.stride, thumbSize: job.thumbSize }),
      signal,
    );
    if (response.type !== 'checked') throw new Error('unexpected worker response');
    return response.result;
  }

  private worker(slot: number): Worker {
    let worker = this.workers[slot];
    if (!worker) {
      const created = this.createWorker();
      created.onmessage = (event: MessageEvent<CheckResponse>) => this.onMessage(event.data);
      // A crash (out of memory on a huge image, a failed module load) fails only that worker's requests.
      created.onerror = (event) => this.failWorker(slot, created, event.message || 'the check worker stopped unexpectedly');
      this.workers[slot] = created;
      worker = created;
    }
    return worker;
  }

  private call(slot: number, message: (id: number) => CheckRequest, signal?: AbortSignal): Promise<CheckResponse> {
    const worker = this.worker(slot);
    const id = this.nextRequest++;
    return new Promise<CheckResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id } satisfies CheckRequest), { once: true });
      worker.postMessage(message(id));
    });
  }

  private onMessage(msg: CheckResponse): void {
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    this.pending.delete(msg.id);
    if (msg.type === 'failed') pending.reject(new CheckFailure(msg.kind, msg.message, msg.width, msg.height));
    else pending.resolve(msg);
  }

  private failWorker(slot: number, worker: Worker, message: string): void {
    if (this.workers[slot] !== worker) return;
    worker.terminate();
    this.workers[slot] = undefined;
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(new CheckFailure('crashed', message));
    }
  }

  private leastBusySlot(): number {
    const load = this.workers.map(() => 0);
    for (const p of this.pending.values()) load[p.slot] = (load[p.slot] ?? 0) + 1;
    let best = 0;
    load.forEach((n, i) => {
      if (n < (load[best] ?? 0)) best = i;
    });
    return best;
  }

  private terminate(): void {
    this.workers.forEach((w, i) => {
      w?.terminate();
      this.workers[i] = undefined;
    });
    for (const p of this.pending.values()) p.reject(new CheckFailure('cancelled', 'cancelled'));
    this.pending.clear();
  }

  private armIdleTimer(): void {
    this.disarmIdleTimer();
    this.idleTimer = setTimeout(() => {
      if (!this.busy && this.pending.size === 0) this.terminate();
    }, IDLE_MS);
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
