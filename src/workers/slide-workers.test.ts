import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SlideRequest, SlideResponse } from './slide-protocol.ts';
import { REQUEST_TIMEOUT_MS, SlideWorkers, type WorkerLike } from './slide-workers.ts';

type Mode = 'ok' | 'crash' | 'hang';

/** A stand-in worker: opens instantly, then answers, crashes or hangs on render requests as told. */
class FakeWorker implements WorkerLike {
  static created: FakeWorker[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  renders = 0;
  lastRender: SlideRequest | undefined;
  modelsLoaded: string[] = [];
  constructor(private readonly mode: () => Mode) {
    FakeWorker.created.push(this);
  }
  postMessage(message: unknown): void {
    const msg = message as SlideRequest;
    const reply = (r: SlideResponse) => queueMicrotask(() => !this.terminated && this.onmessage?.({ data: r } as MessageEvent));
    if (msg.type === 'open') {
      reply({ type: 'opened', info: { name: 'fake', format: 'tiff', vendor: 'test', compression: 'none', levels: [{ width: 10, height: 10, tileWidth: 10, tileHeight: 10, downsample: 1 }] } });
    } else if (msg.type === 'load-model') {
      this.modelsLoaded.push(msg.model.url);
      reply({ type: 'model-loaded', id: msg.id });
    } else if (msg.type === 'render') {
      this.renders++;
      this.lastRender = msg;
      const mode = this.mode();
      if (mode === 'ok') reply({ type: 'rendered', id: msg.id, bitmap: { close() {} } as ImageBitmap });
      else if (mode === 'crash') queueMicrotask(() => this.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent));
    }
  }
  terminate(): void {
    this.terminated = true;
  }
}

const input = { kind: 'url' as const, url: 'http://127.0.0.1/fake.tif' };

afterEach(() => {
  FakeWorker.created = [];
  vi.useRealTimers();
});

describe('slide worker pool faults', () => {
  it('replaces a crashed worker and retries its request once on the replacement', async () => {
    let crashes = 1;
    const pool = await SlideWorkers.open(input, 1, undefined, () => new FakeWorker(() => (crashes-- > 0 ? 'crash' : 'ok')));
    const bitmap = await pool.render(0, 0, 10, 10, 10, 10);
    expect(bitmap).toBeDefined();
    expect(pool.restarts).toBe(1);
    expect(FakeWorker.created).toHaveLength(2);
    expect(FakeWorker.created[0]!.terminated).toBe(true);
    expect(FakeWorker.created[1]!.renders).toBe(1);
  });

  it('gives up with a clear error when the retry crashes too, and keeps working for later requests', async () => {
    let crashes = 2;
    const pool = await SlideWorkers.open(input, 1, undefined, () => new FakeWorker(() => (crashes-- > 0 ? 'crash' : 'ok')));
    await expect(pool.render(0, 0, 10, 10, 10, 10)).rejects.toThrow(/crashed.*twice/);
    expect(pool.restarts).toBe(2);
    await expect(pool.render(0, 0, 10, 10, 10, 10)).resolves.toBeDefined();
  });

  it('treats a worker that stops answering as hung: replaced after the timeout, request retried', async () => {
    vi.useFakeTimers();
    let hangs = 1;
    const pool = await SlideWorkers.open(input, 1, undefined, () => new FakeWorker(() => (hangs-- > 0 ? 'hang' : 'ok')));
    const result = pool.render(0, 0, 10, 10, 10, 10);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS.render - 1);
    expect(pool.restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(2);
    await expect(result).resolves.toBeDefined();
    expect(pool.restarts).toBe(1);
  });
});

describe('model preload', () => {
  it('asks every worker, not just the least busy one, to load the model', async () => {
    const pool = await SlideWorkers.open(input, 3, undefined, () => new FakeWorker(() => 'ok'));
    await pool.preload({ url: 'm.onnx' });
    expect(FakeWorker.created.map((w) => w.modelsLoaded)).toEqual([['m.onnx'], ['m.onnx'], ['m.onnx']]);
  });
});

describe('slide worker routing', () => {
  it('sends a routed render to its worker, with the grayscale flag, and says while that worker is rendering', async () => {
    const pool = await SlideWorkers.open(input, 2, undefined, () => new FakeWorker(() => 'hang'));
    const pending = pool.render(0, 0, 10, 10, 10, 10, undefined, { worker: 1, gray: true });
    await Promise.resolve();
    expect(pool.rendering(1)).toBe(true);
    expect(pool.rendering(0)).toBe(false);
    expect(FakeWorker.created.map((w) => w.renders)).toEqual([0, 1]);
    expect(FakeWorker.created[1]!.lastRender).toMatchObject({ type: 'render', gray: true });
    pool.close();
    await expect(pending).rejects.toThrow();
    expect(pool.rendering(1)).toBe(false);
  });

  it('puts a viewer tile and the scoring blocks over it on one worker, and spreads neighbouring blocks', async () => {
    const pool = await SlideWorkers.open(input, 2, undefined, () => new FakeWorker(() => 'ok'));
    const tile = pool.workerFor({ x: 1024, y: 0, width: 512, height: 512 });
    // A 4×4-cell block (619² from a multiple of 512) over that tile.
    expect(pool.workerFor({ x: 1024, y: 0, width: 619, height: 619 })).toBe(tile);
    expect(pool.workerFor({ x: 1536, y: 0, width: 619, height: 619 })).toBe(tile);
    expect(pool.workerFor({ x: 0, y: 0, width: 512, height: 512 })).not.toBe(tile);
    expect(pool.workerFor({ x: 1024, y: 1024, width: 512, height: 512 })).not.toBe(tile);
    pool.close();
  });
});
