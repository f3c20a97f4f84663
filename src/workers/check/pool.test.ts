import { describe, expect, it } from 'vitest';
import type { WorkerLike } from '../pool.ts';
import { CheckFailure } from './failure.ts';
import { CheckPool, type CheckJob } from './pool.ts';
import type { CheckedImage, CheckRequest, CheckResponse } from './protocol.ts';
import type { Outcome } from './queue.ts';

/** A check worker stand-in: per file name, answers, reports a per-file failure, or crashes the worker. */
class FakeCheckWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  constructor(private readonly crashes: Map<string, number>) {}
  postMessage(message: unknown): void {
    const msg = message as CheckRequest;
    if (msg.type !== 'check') return;
    const reply = (r: CheckResponse) => queueMicrotask(() => this.onmessage?.({ data: r } as MessageEvent));
    const left = this.crashes.get(msg.name) ?? 0;
    if (left > 0) {
      this.crashes.set(msg.name, left - 1);
      queueMicrotask(() => this.onerror?.({ message: 'Out of memory', preventDefault() {} } as ErrorEvent));
    } else if (msg.name.startsWith('tiny')) {
      reply({ type: 'failed', id: msg.id, kind: 'too-small', message: 'image is 100×100; at least 235×235 pixels needed', width: 100, height: 100 });
    } else {
      reply({ type: 'checked', id: msg.id, result: { score: 1, width: 300, height: 300 } as CheckedImage });
    }
  }
  terminate(): void {}
}

const job = (id: number, name: string): CheckJob => ({ id, name, file: new Blob([]), model: { url: 'm.onnx' }, stride: 128, thumbSize: 128 });

function run(names: string[], crashes: Record<string, number>): Promise<Map<string, Outcome<CheckedImage>>> {
  const outcomes = new Map<string, Outcome<CheckedImage>>();
  const left = new Map(Object.entries(crashes));
  return new Promise((resolve) => {
    const pool: CheckPool = new CheckPool(
      {
        settled: (j, o) => outcomes.set(j.name, o),
        idle: () => {
          pool.dispose();
          resolve(outcomes);
        },
      },
      2,
      () => new FakeCheckWorker(left),
    );
    pool.submit(names.map((n, i) => job(i, n)));
  });
}

describe('CheckPool', () => {
  it('reports per-file failures as the worker gave them, and a file whose worker crashes twice as "crashed"', async () => {
    const outcomes = await run(['a.png', 'tiny.png', 'bad.tif', 'once.jpg'], { 'bad.tif': 2, 'once.jpg': 1 });
    expect(outcomes.get('a.png')?.ok).toBe(true);
    expect(outcomes.get('once.jpg')?.ok).toBe(true); // retried once on a fresh worker
    const tiny = outcomes.get('tiny.png')!;
    const bad = outcomes.get('bad.tif')!;
    if (tiny.ok || bad.ok) throw new Error('expected failures');
    expect(tiny.error).toBeInstanceOf(CheckFailure);
    expect(tiny.error).toMatchObject({ kind: 'too-small', message: 'image is 100×100; at least 235×235 pixels needed', width: 100, height: 100 });
    expect(bad.error).toBeInstanceOf(CheckFailure);
    expect(bad.error).toMatchObject({ kind: 'crashed', message: 'Out of memory' });
  });
});
