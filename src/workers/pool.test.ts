import { afterEach, describe, expect, it, vi } from 'vitest';
import { PoolError, WorkerPool, type PoolOptions, type WorkerLike } from './pool.ts';

type Req = { type: 'init'; tag: string } | { type: 'job'; id: number; value: number } | { type: 'cancel'; id: number };
type Res = { type: 'ready' } | { type: 'refused'; message: string } | { type: 'done'; id: number; value: number } | { type: 'failed'; id: number; message: string };

/** What a fake worker does with a job: answer (value × 10), crash, hang (never answer) or report a failure. */
type Behaviour = 'answer' | 'crash' | 'hang' | 'fail';

class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  received: Req[] = [];
  terminated = false;
  constructor(
    readonly serial: number,
    private readonly behave: (worker: FakeWorker, msg: Req) => Behaviour,
  ) {}
  postMessage(message: unknown): void {
    const msg = message as Req;
    this.received.push(msg);
    const reply = (r: Res) => queueMicrotask(() => !this.terminated && this.onmessage?.({ data: r } as MessageEvent));
    if (msg.type === 'init') return reply({ type: 'ready' });
    if (msg.type === 'cancel') return;
    const what = this.behave(this, msg);
    if (what === 'answer') reply({ type: 'done', id: msg.id, value: msg.value * 10 });
    else if (what === 'fail') reply({ type: 'failed', id: msg.id, message: `no ${msg.value}` });
    else if (what === 'crash') queueMicrotask(() => this.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent));
  }
  terminate(): void {
    this.terminated = true;
  }
  jobs(): number[] {
    return this.received.flatMap((m) => (m.type === 'job' ? [m.value] : []));
  }
}

let created: FakeWorker[] = [];

function makePool(behave: (worker: FakeWorker, msg: Req) => Behaviour, extra: Partial<PoolOptions<Req, Res>> = {}) {
  return new WorkerPool<Req, Res>({
    size: 2,
    create: () => {
      const w = new FakeWorker(created.length, behave);
      created.push(w);
      return w;
    },
    label: 'test worker',
    idOf: (r) => (r.type === 'done' || r.type === 'failed' ? r.id : undefined),
    failureOf: (r) => (r.type === 'failed' ? new PoolError('failed', r.message) : undefined),
    cancel: (id) => ({ type: 'cancel', id }),
    timeoutMs: () => 1000,
    ...extra,
  });
}

const job = (value: number) => (id: number): Req => ({ type: 'job', id, value });
const valueOf = (r: Res) => (r.type === 'done' ? r.value : Number.NaN);

async function rejection(promise: Promise<unknown>): Promise<PoolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PoolError);
  return err as PoolError;
}

afterEach(() => {
  created = [];
  vi.useRealTimers();
});

describe('WorkerPool', () => {
  it('answers requests by id and passes on a failure the worker reports', async () => {
    const pool = makePool((_, msg) => (msg.type === 'job' && msg.value === 3 ? 'fail' : 'answer'));
    expect(valueOf(await pool.request(job(4)))).toBe(40);
    const err = await rejection(pool.request(job(3)));
    expect([err.kind, err.message]).toEqual(['failed', 'no 3']);
    expect(pool.restarts).toBe(0);
  });

  it('replaces a crashed worker and retries its request on the replacement', async () => {
    let crashes = 1;
    const pool = makePool(() => (crashes-- > 0 ? 'crash' : 'answer'), { size: 1 });
    expect(valueOf(await pool.request(job(7)))).toBe(70);
    expect(pool.restarts).toBe(1);
    expect(created).toHaveLength(2);
    expect(created[0]!.terminated).toBe(true);
    expect(created[1]!.jobs()).toEqual([7]);
  });

  it('retries exactly once: a second crash on the same request is reported with kind "crashed"', async () => {
    let crashes = 2;
    const pool = makePool(() => (crashes-- > 0 ? 'crash' : 'answer'), { size: 1 });
    const err = await rejection(pool.request(job(1)));
    expect(err.kind).toBe('crashed');
    expect(err.message).toBe('a test worker crashed (boom) twice on the same request; giving up on it');
    expect(err.detail).toBe('boom');
    expect(created.flatMap((w) => w.jobs())).toEqual([1, 1]); // sent twice, never a third time
    // The pool goes on with a fresh worker.
    expect(valueOf(await pool.request(job(2)))).toBe(20);
  });

  it('treats a worker silent past the timeout as hung: replaced, request retried, then reported as "timeout"', async () => {
    vi.useFakeTimers();
    const pool = makePool((w) => (w.serial === 0 ? 'hang' : 'answer'), { size: 1 });
    const answered = pool.request(job(5));
    await vi.advanceTimersByTimeAsync(999);
    expect(pool.restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(valueOf(await answered)).toBe(50);
    expect(pool.restarts).toBe(1);

    const always = makePool(() => 'hang', { size: 1 });
    const hung = rejection(always.request(job(6)));
    await vi.advanceTimersByTimeAsync(2000);
    const err = await hung;
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('a test worker stopped answering (1 s) twice on the same request; giving up on it');
  });

  it('cancels through an AbortSignal: rejects at once as an AbortError and tells the worker', async () => {
    const pool = makePool(() => 'hang', { size: 1 });
    const controller = new AbortController();
    const pending = pool.request(job(9), { signal: controller.signal });
    await Promise.resolve();
    controller.abort();
    const err = await rejection(pending);
    expect([err.kind, err.name]).toEqual(['cancelled', 'AbortError']);
    const sent = created[0]!.received;
    expect(sent.at(-1)).toEqual({ type: 'cancel', id: (sent[0] as { id: number }).id });
    expect((await rejection(pool.request(job(1), { signal: controller.signal }))).kind).toBe('cancelled'); // already aborted
  });

  it('shuts idle workers down after idleMs and starts new ones on demand', async () => {
    vi.useFakeTimers();
    const pool = makePool(() => 'answer', { size: 1, idleMs: 5000 });
    await pool.request(job(1));
    await vi.advanceTimersByTimeAsync(4999);
    expect(created[0]!.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(created[0]!.terminated).toBe(true);
    expect(valueOf(await pool.request(job(2)))).toBe(20);
    expect(created).toHaveLength(2);
    expect(pool.restarts).toBe(0); // an idle shutdown is not a failure
  });

  it('gives a request to the least busy worker unless an index is given (affinity, modulo the size)', async () => {
    const pool = makePool((w) => (w.serial === 0 ? 'hang' : 'answer'), { size: 2, timeoutMs: () => 0 });
    void pool.request(job(1)); // worker 0, never answered: it stays busy
    await pool.request(job(2)); // least busy: worker 1
    await pool.request(job(3)); // worker 1 again (0 still has one pending)
    void pool.request(job(4), { worker: 2 }); // index 2 of 2 workers: worker 0, busy or not
    await Promise.resolve();
    expect(created[0]!.jobs()).toEqual([1, 4]);
    expect(created[1]!.jobs()).toEqual([2, 3]);
  });

  it('sends the init message to every worker, replacements included, before any request', async () => {
    let crashes = 1;
    const pool = makePool(() => (crashes-- > 0 ? 'crash' : 'answer'), {
      size: 1,
      init: { message: { type: 'init', tag: 'open slide' }, timeoutMs: 1000, timeoutMessage: 'init timed out', reply: () => undefined },
    });
    expect(await pool.start()).toEqual([{ type: 'ready' }]);
    expect(valueOf(await pool.request(job(8)))).toBe(80);
    expect(created).toHaveLength(2);
    for (const w of created) expect(w.received[0]).toEqual({ type: 'init', tag: 'open slide' });
    expect(created[1]!.received.map((m) => m.type)).toEqual(['init', 'job']);
  });

  it('fails start with the error the init reply stands for, and stops every worker', async () => {
    const pool = new WorkerPool<Req, Res>({
      size: 2,
      create: () => {
        const w = new FakeWorker(created.length, () => 'answer');
        w.postMessage = (m) => {
          if ((m as Req).type === 'init') queueMicrotask(() => w.onmessage?.({ data: { type: 'refused', message: 'not a slide' } } as MessageEvent));
        };
        created.push(w);
        return w;
      },
      label: 'test worker',
      idOf: (r) => (r.type === 'done' || r.type === 'failed' ? r.id : undefined),
      failureOf: () => undefined,
      cancel: (id) => ({ type: 'cancel', id }),
      init: { message: { type: 'init', tag: 'x' }, timeoutMs: 1000, timeoutMessage: 'init timed out', reply: (r) => (r.type === 'refused' ? new Error(r.message) : undefined) },
    });
    await expect(pool.start()).rejects.toThrow('not a slide');
    expect(created.every((w) => w.terminated)).toBe(true);
  });

  it('close cancels what is pending and refuses later requests', async () => {
    const pool = makePool(() => 'hang', { size: 1 });
    const pending = pool.request(job(1));
    pool.close();
    expect((await rejection(pending)).kind).toBe('cancelled');
    expect((await rejection(pool.request(job(2)))).kind).toBe('cancelled');
    expect(created[0]!.terminated).toBe(true);
  });
});
