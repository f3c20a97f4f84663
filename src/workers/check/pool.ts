// The quick-check worker pool: a few module workers, each with its own onnxruntime-web session, fed one file at a
// time through a bounded queue. The main thread never reads or decodes a file: Files go to the workers as is.
import type { ModelRef } from '../../focus/model-card.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { PoolError, WorkerPool, type WorkerLike } from '../pool.ts';
import { CheckFailure } from './failure.ts';
import type { CheckedImage, CheckRequest, CheckResponse } from './protocol.ts';
import { JobQueue, type QueueCallbacks } from './queue.ts';

export interface CheckJob {
  /** The row this job fills. */
  id: number;
  file: Blob;
  name: string;
  model: ModelRef;
  stride: number;
  thumbSize: number;
}

/** Workers are let go after this long without work (each holds a WASM instance and its decoded image). */
const IDLE_MS = 60_000;
/**
 * A worker silent this long is hung: replaced, and the file tried once more. Generous: the largest file a check takes
 * (64 megapixels) decodes and scores in well under a minute.
 */
export const CHECK_TIMEOUT_MS = { check: 600_000, preview: 120_000 } as const;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2));
}

const createCheckWorker = () => new Worker(new URL('../check.worker.ts', import.meta.url), { type: 'module' });

/** Failures as the rows show them: the worker's own per-file failure, or the pool's, in the row's terms. */
function asCheckFailure(err: unknown): unknown {
  if (!(err instanceof PoolError)) return err;
  if (err.kind === 'cancelled') return new CheckFailure('cancelled', 'cancelled');
  if (err.kind === 'crashed') return new CheckFailure('crashed', err.detail || 'the check worker stopped unexpectedly');
  return new CheckFailure('crashed', err.message);
}

export class CheckPool {
  private readonly workers: WorkerPool<CheckRequest, CheckResponse>;
  private readonly queue: JobQueue<CheckJob, CheckedImage>;

  constructor(
    callbacks: QueueCallbacks<CheckJob, CheckedImage>,
    readonly size = defaultPoolSize(),
    createWorker: () => WorkerLike = createCheckWorker,
  ) {
    this.workers = new WorkerPool<CheckRequest, CheckResponse>({
      size,
      create: createWorker,
      label: 'check worker',
      idOf: (r) => r.id,
      failureOf: (r) => (r.type === 'failed' ? new CheckFailure(r.kind, r.message, r.width, r.height) : undefined),
      cancel: (id) => ({ type: 'cancel', id }),
      timeoutMs: (request) => (request.type === 'cancel' ? 0 : CHECK_TIMEOUT_MS[request.type]),
      idleMs: IDLE_MS,
    });
    // Slot i of the queue runs on worker i: one file per worker at a time.
    this.queue = new JobQueue(size, (job, slot, signal) => this.check(job, slot, signal), callbacks);
  }

  get busy(): boolean {
    return this.queue.queued + this.queue.running > 0;
  }

  submit(jobs: CheckJob[]): void {
    this.queue.push(...jobs);
  }

  /** Stops everything: queued jobs are dropped and the workers (with any running job) are terminated. */
  cancel(): CheckJob[] {
    const dropped = this.queue.cancel();
    this.workers.stop();
    return dropped;
  }

  /** A downscaled rendering of `file` for the large view, made by the least busy worker. */
  async preview(file: Blob, name: string, maxSide: number): Promise<RGBAImage> {
    const response = await this.workers.request((id) => ({ type: 'preview', id, file, name, maxSide })).catch((err: unknown) => {
      throw asCheckFailure(err);
    });
    if (response.type !== 'preview') throw new Error('unexpected worker response');
    return response.image;
  }

  dispose(): void {
    this.queue.cancel();
    this.workers.close();
  }

  private async check(job: CheckJob, slot: number, signal: AbortSignal): Promise<CheckedImage> {
    const response = await this.workers
      .request((id) => ({ type: 'check', id, file: job.file, name: job.name, model: job.model, stride: job.stride, thumbSize: job.thumbSize }), { worker: slot, signal })
      .catch((err: unknown) => {
        throw asCheckFailure(err);
      });
    if (response.type !== 'checked') throw new Error('unexpected worker response');
    return response.result;
  }
}
