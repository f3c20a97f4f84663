// A job queue over a fixed set of slots (workers): each slot runs one job at a time, so at most `slots` jobs are in
// flight however many are queued. Jobs are handed out only when a slot frees up; nothing is posted ahead.

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface QueueCallbacks<J, R> {
  /** A job starts on a slot. */
  started?(job: J, slot: number): void;
  /** A job finished (not called for jobs dropped by cancel()). */
  settled(job: J, outcome: Outcome<R>): void;
  /** Nothing left queued or running. */
  idle?(): void;
}

export type RunJob<J, R> = (job: J, slot: number, signal: AbortSignal) => Promise<R>;

export class JobQueue<J, R> {
  private readonly waiting: J[] = [];
  private readonly free: number[];
  private readonly active = new Map<number, { job: J; controller: AbortController }>();
  private generation = 0;

  constructor(
    slots: number,
    private readonly run: RunJob<J, R>,
    private readonly callbacks: QueueCallbacks<J, R>,
  ) {
    if (!(slots >= 1)) throw new RangeError(`a queue needs at least one slot, got ${slots}`);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active.size;
  }

  push(...jobs: J[]): void {
    this.waiting.push(...jobs);
    this.pump();
  }

  /** Drops queued jobs and aborts running ones; returns the jobs that will not complete, queued first. */
  cancel(): J[] {
    this.generation++;
    const dropped = this.waiting.splice(0);
    for (const [slot, { job, controller }] of this.active) {
      controller.abort();
      dropped.push(job);
      this.free.push(slot);
    }
    this.active.clear();
    return dropped;
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.free.length > 0) {
      const slot = this.free.pop()!;
      const job = this.waiting.shift()!;
      const controller = new AbortController();
      const generation = this.generation;
      this.active.set(slot, { job, controller });
      this.callbacks.started?.(job, slot);
      let result: Promise<R>;
      try {
        result = this.run(job, slot, controller.signal);
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => this.finish(slot, generation, job, { ok: true, value }),
        (error: unknown) => this.finish(slot, generation, job, { ok: false, error }),
      );
    }
  }

  private finish(slot: number, generation: number, job: J, outcome: Outcome<R>): void {
    if (generation !== this.generation) return; // cancelled: its slot was already freed
    this.active.delete(slot);
    this.free.push(slot);
    this.callbacks.settled(job, outcome);
    this.pump();
    if (this.waiting.length === 0 && this.active.size === 0) this.callbacks.idle?.();
  }
}
