// One worker pool for every kind of worker the product starts (slide, quick-check, bench, CLI scan threads): typed
// requests answered by id, a hang timeout per request, a crashed or hung worker replaced and its requests retried
// once, cancellation through AbortSignal, optional per-worker init handshake, idle shutdown, and a choice of worker
// (least busy, or a given index for affinity). Failures carry a `kind` so callers never match on message text.

/** What the pool needs of a worker: a browser Worker as is, or a Node worker thread through node-worker.ts. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

/**
 * Why a request failed: the worker crashed or stopped answering (twice, or its replacement did not start), it was
 * cancelled (or the pool closed), or the worker itself reported a failure ('failed', or 'model' when the model could
 * not be loaded).
 */
export type PoolErrorKind = 'crashed' | 'timeout' | 'cancelled' | 'failed' | 'model';

export class PoolError extends Error {
  constructor(
    readonly kind: PoolErrorKind,
    message: string,
    /** What the worker or the runtime said, when known (a crash's own message). */
    readonly detail?: string,
  ) {
    super(message);
    // Cancellations look like any other abort (fetch, AbortSignal), which callers already tell apart by name.
    this.name = kind === 'cancelled' ? 'AbortError' : 'PoolError';
  }
}

export interface PoolOptions<Req, Res> {
  size: number;
  create: () => WorkerLike;
  /** Names the worker in messages: "a slide worker crashed". */
  label: string;
  /** The request a response answers; undefined for a reply to the init message. */
  idOf(response: Res): number | undefined;
  /** The error a response stands for when it reports a failure. */
  failureOf(response: Res): Error | undefined;
  /** The message asking a worker to stop work on request `id`. */
  cancel(id: number): Req;
  /** Milliseconds a request may go unanswered before its worker counts as hung; 0 or undefined: no limit. */
  timeoutMs?(request: Req): number;
  /** Workers are terminated after this long without pending requests (started again on demand). */
  idleMs?: number;
  /** A late answer to a request already settled (cancelled), e.g. to free a transferred bitmap. */
  discard?(response: Res): void;
  /**
   * Sent to every new worker before any request (replacements too): the request waits for the worker's reply,
   * which `reply` accepts (undefined) or turns into the error that fails the start.
   */
  init?: { message: Req; timeoutMs: number; timeoutMessage: string; reply(response: Res): Error | undefined };
}

export interface RequestOptions {
  /** The worker to use (taken modulo the pool size); the least busy one when omitted. */
  worker?: number;
  signal?: AbortSignal;
}

interface Handshake<Res> {
  resolve(reply: Res): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Slot<Res> {
  worker?: WorkerLike;
  /** The current worker's init reply (resolved at once without init). */
  ready: Promise<Res | undefined>;
  handshake?: Handshake<Res>;
  /** Requests given to this slot and not settled. */
  load: number;
}

interface Pending<Req, Res> {
  id: number;
  slot: Slot<Res>;
  message: Req;
  attempts: number;
  /** The worker this request was last posted to (so a replacement gets it once, not twice). */
  sentTo?: WorkerLike;
  timer?: ReturnType<typeof setTimeout>;
  /** The last crash or hang that forced a retry, for the message if the retry fails too. */
  lastFailure?: PoolError;
  resolve(response: Res): void;
  reject(err: Error): void;
  unlisten?(): void;
}

export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Res>[];
  private readonly pending = new Map<number, Pending<Req, Res>>();
  private nextId = 1;
  private closed = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Workers replaced after a crash or a hang. */
  restarts = 0;

  constructor(private readonly options: PoolOptions<Req, Res>) {
    if (!(options.size >= 1)) throw new RangeError(`a pool needs at least one worker, got ${options.size}`);
    this.slots = Array.from({ length: options.size }, () => ({ ready: Promise.resolve(undefined), load: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts every worker now and waits for their init replies (in worker order); on any failure all are stopped. */
  async start(signal?: AbortSignal): Promise<(Res | undefined)[]> {
    const ready = Promise.all(this.slots.map((slot) => (slot.worker ? slot.ready : this.spawn(slot))));
    const aborted = new Promise<never>((_, reject) => {
      const abort = () => reject(new PoolError('cancelled', 'Aborted'));
      if (signal?.aborted) abort();
      signal?.addEventListener('abort', abort, { once: true });
      void ready.finally(() => signal?.removeEventListener('abort', abort)).catch(() => undefined);
    });
    try {
      return await Promise.race([ready, aborted]);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /** Posts the request built for its id; resolves with the worker's answer or rejects with a PoolError (or the
   * protocol's own failure). Requests are never posted with transfers: a retry must be able to post them again. */
  request(build: (id: number) => Req, options: RequestOptions = {}): Promise<Res> {
    const { signal } = options;
    if (this.closed) return Promise.reject(new PoolError('cancelled', `the ${this.options.label}s are closed`));
    if (signal?.aborted) return Promise.reject(new PoolError('cancelled', 'Aborted'));
    this.disarmIdle();
    const id = this.nextId++;
    const slot = options.worker === undefined ? this.leastBusy() : this.slots[options.worker % this.slots.length]!;
    return new Promise<Res>((resolve, reject) => {
      const p: Pending<Req, Res> = { id, slot, message: build(id), attempts: 0, resolve, reject };
      if (signal) {
        const abort = () => this.cancel(p);
        signal.addEventListener('abort', abort, { once: true });
        p.unlisten = () => signal.removeEventListener('abort', abort);
      }
      this.pending.set(id, p);
      slot.load++;
      void this.send(p);
    });
  }

  /** Terminates every worker and fails what is pending; later requests start fresh workers. */
  stop(message = 'cancelled'): void {
    this.disarmIdle();
    for (const slot of this.slots) this.discard(slot, new PoolError('cancelled', message));
    for (const p of [...this.pending.values()]) this.settle(p, new PoolError('cancelled', message));
  }

  /** Stops for good: pending and later requests are cancelled. */
  close(): void {
    this.closed = true;
    this.stop(`the ${this.options.label}s are closed`);
  }

  private leastBusy(): Slot<Res> {
    let best = this.slots[0]!;
    for (const slot of this.slots) if (slot.load < best.load) best = slot;
    return best;
  }

  /** A new worker in `slot`, with its init handshake under way; returns the handshake. */
  private spawn(slot: Slot<Res>): Promise<Res | undefined> {
    const worker = this.options.create();
    slot.worker = worker;
    worker.onmessage = (event: MessageEvent<Res>) => this.onMessage(slot, worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.onCrash(slot, worker, event.message || undefined);
    };
    const init = this.options.init;
    if (!init) {
      slot.ready = Promise.resolve(undefined);
      return slot.ready;
    }
    slot.ready = new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => this.endHandshake(slot, new PoolError('timeout', init.timeoutMessage)), init.timeoutMs);
      slot.handshake = { resolve, reject, timer };
    });
    // A worker that cannot start is let go; the next request that needs this slot tries a new one.
    slot.ready.catch(() => {
      if (slot.worker === worker) this.discard(slot);
    });
    worker.postMessage(init.message);
    return slot.ready;
  }

  private async send(p: Pending<Req, Res>): Promise<void> {
    const { slot } = p;
    if (!slot.worker) void this.spawn(slot);
    const worker = slot.worker!;
    try {
      await slot.ready;
    } catch (err) {
      const cause = err as Error;
      const failure = p.lastFailure;
      this.settle(p, failure ? new PoolError(failure.kind, `${failure.message}, and its replacement failed: ${cause.message}`, cause.message) : cause);
      return;
    }
    // Superseded (this worker was replaced meanwhile and a later send() owns the request) or already settled.
    if (!this.pending.has(p.id) || slot.worker !== worker || p.sentTo === worker) return;
    p.sentTo = worker;
    p.attempts++;
    const timeout = this.options.timeoutMs?.(p.message) ?? 0;
    if (timeout > 0) {
      p.timer = setTimeout(() => this.replace(slot, worker, new PoolError('timeout', `a ${this.options.label} stopped answering (${timeout / 1000} s)`)), timeout);
    }
    worker.postMessage(p.message);
  }

  private onMessage(slot: Slot<Res>, worker: WorkerLike, response: Res): void {
    if (slot.worker !== worker) return;
    const id = this.options.idOf(response);
    if (id === undefined) {
      if (slot.handshake) this.endHandshake(slot, this.options.init?.reply(response) ?? response);
      return;
    }
    const p = this.pending.get(id);
    if (!p || p.sentTo !== worker) {
      this.options.discard?.(response);
      return;
    }
    this.settle(p, this.options.failureOf(response) ?? response);
  }

  private onCrash(slot: Slot<Res>, worker: WorkerLike, detail: string | undefined): void {
    if (slot.worker !== worker) return;
    if (slot.handshake) {
      this.endHandshake(slot, new PoolError('crashed', `The ${this.options.label} failed to start: ${detail ?? 'unknown error'}`, detail));
      return;
    }
    this.replace(slot, worker, new PoolError('crashed', `a ${this.options.label} crashed${detail ? ` (${detail})` : ''}`, detail));
  }

  /** Swaps a crashed or hung worker for a fresh one and retries its requests once; second failures are reported. */
  private replace(slot: Slot<Res>, worker: WorkerLike, failure: PoolError): void {
    if (slot.worker !== worker || this.closed) return;
    this.restarts++;
    this.discard(slot);
    for (const p of [...this.pending.values()]) {
      if (p.slot !== slot) continue;
      clearTimeout(p.timer);
      if (p.attempts >= 2) {
        this.settle(p, new PoolError(failure.kind, `${failure.message} twice on the same request; giving up on it`, failure.detail));
      } else {
        p.lastFailure = failure;
        void this.send(p);
      }
    }
  }

  /** Lets the slot's worker go (a handshake under way fails with `err`). */
  private discard(slot: Slot<Res>, err: Error = new PoolError('cancelled', 'replaced')): void {
    const worker = slot.worker;
    if (!worker) return;
    slot.worker = undefined;
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    this.endHandshake(slot, err);
  }

  private endHandshake(slot: Slot<Res>, result: Res | Error): void {
    const handshake = slot.handshake;
    if (!handshake) return;
    slot.handshake = undefined;
    clearTimeout(handshake.timer);
    if (result instanceof Error) handshake.reject(result);
    else handshake.resolve(result);
  }

  private cancel(p: Pending<Req, Res>): void {
    if (!this.pending.has(p.id)) return;
    if (p.sentTo && p.sentTo === p.slot.worker) p.sentTo.postMessage(this.options.cancel(p.id));
    this.settle(p, new PoolError('cancelled', 'Aborted'));
  }

  private settle(p: Pending<Req, Res>, result: Res | Error): void {
    if (!this.pending.delete(p.id)) return;
    clearTimeout(p.timer);
    p.unlisten?.();
    p.slot.load = Math.max(0, p.slot.load - 1);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
    if (this.pending.size === 0) this.armIdle();
  }

  private armIdle(): void {
    const idleMs = this.options.idleMs;
    if (!idleMs || this.closed) return;
    this.disarmIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.pending.size === 0) for (const slot of this.slots) this.discard(slot);
    }, idleMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
