// Data-parallel helpers for training: sample rendering and forward passes over a dataset held in shared memory.
// Work is split by sample index and every result depends only on the index, so 0, 1 or 2 workers give identical
// numbers. Workers need the bundled CLI (Node cannot start a worker from a .ts file): from sources (tests), the work
// runs in the calling thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SAMPLE_BYTES, type RGBImage } from './image.ts';
import { ConvScratch, convMins, offsets, TAPS } from './net.ts';
import { drawSample, renderSample, type Candidate, type SimulationConfig, type Split } from './simulate.ts';

/** What a worker needs to render samples: shared-memory copies of the sources, the candidates, the config. */
export interface RenderContext {
  sources: RGBImage[];
  candidates: Record<Split, Candidate[]>;
  cfg: SimulationConfig;
  seed: number;
}

/** Sample buffers by name ("train", "val", or anything for loaded data sets). */
export type Buffers = Record<string, Uint8Array>;

export interface ForwardRequest {
  buffer: string;
  indices: Int32Array;
  kernels: number;
  /** conv weights [C·147] then biases [C] */
  conv: Float64Array;
}

export interface ForwardResult {
  mins: Float64Array;
  args: Int32Array;
}

/** Forward (mins and arg-mins of every kernel) for the listed samples. */
export function forwardLocal(buffers: Buffers, req: ForwardRequest): ForwardResult {
  const C = req.kernels;
  const data = buffers[req.buffer];
  if (!data) throw new Error(`unknown sample buffer '${req.buffer}'`);
  const n = req.indices.length;
  const mins = new Float64Array(n * C);
  const args = new Int32Array(n * C);
  const m = new Float64Array(C);
  const a = new Int32Array(C);
  const scratch = new ConvScratch(C);
  const o = offsets(C);
  const w = req.conv.subarray(0, C * TAPS);
  const b = req.conv.subarray(o.b, o.b + C);
  for (let i = 0; i < n; i++) {
    convMins(w, b, C, data, req.indices[i]! * SAMPLE_BYTES, m, a, scratch);
    mins.set(m, i * C);
    args.set(a, i * C);
  }
  return { mins, args };
}

export function renderLocal(ctx: RenderContext, buffers: Buffers, split: Split, from: number, to: number): void {
  const data = buffers[split]!;
  for (let i = from; i < to; i++) renderSample(ctx.sources, drawSample(ctx.cfg, ctx.candidates[split], ctx.seed, split, i), data, i * SAMPLE_BYTES);
}

/** Allocates a sample buffer in shared memory when workers may use it. */
export function sampleBuffer(count: number, shared: boolean): Uint8Array {
  const bytes = count * SAMPLE_BYTES;
  return new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

export function toShared(img: RGBImage): RGBImage {
  if (img.data.buffer instanceof SharedArrayBuffer) return img;
  const data = new Uint8Array(new SharedArrayBuffer(img.data.length));
  data.set(img.data);
  return { ...img, data };
}

/** The bundled CLI file when running from it, else undefined (sources under vitest or a TS loader). */
function bundleUrl(): string | undefined {
  const url = import.meta.url;
  return /\.m?js$/.test(url) ? url : undefined;
}

/** How many workers to use: the request, capped by cores; 0 when workers cannot start (from sources). */
export function workerCount(requested: number | undefined): number {
  if (!bundleUrl()) return 0;
  const n = requested ?? Math.min(2, availableParallelism());
  return Math.max(0, Math.min(n, availableParallelism()));
}

type Message =
  | { kind: 'init'; ctx: RenderContext | undefined; buffers: Buffers }
  | { kind: 'render'; split: Split; from: number; to: number }
  | { kind: 'forward'; req: ForwardRequest }
  | { kind: 'close' };

/** Worker side: serve render and forward requests until told to close. */
export async function serveWorker(port: import('node:worker_threads').MessagePort): Promise<void> {
  let ctx: RenderContext | undefined;
  let buffers: Buffers = {};
  await new Promise<void>((resolve) => {
    port.on('message', (msg: Message) => {
      try {
        switch (msg.kind) {
          case 'init':
            ctx = msg.ctx;
            buffers = msg.buffers;
            port.postMessage({ ok: true });
            break;
          case 'render':
            if (!ctx) throw new Error('render before init');
            renderLocal(ctx, buffers, msg.split, msg.from, msg.to);
            port.postMessage({ ok: true });
            break;
          case 'forward': {
            const r = forwardLocal(buffers, msg.req);
            port.postMessage({ ok: true, result: r }, [r.mins.buffer as ArrayBuffer, r.args.buffer as ArrayBuffer]);
            break;
          }
          case 'close':
            port.close();
            resolve();
            break;
        }
      } catch (err) {
        port.postMessage({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      }
    });
  });
}

class PoolWorker {
  private pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;
  constructor(readonly worker: Worker) {
    worker.on('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`training worker: ${m.error}`));
    });
    worker.on('error', (e) => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(e);
    });
  }
  call<T>(msg: Message, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.pending) throw new Error('worker busy');
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (v: unknown) => void, reject };
      this.worker.postMessage(msg, transfer);
    });
  }
}

/** Runs render and forward work on `n` workers, or in this thread when n = 0. */
export class Pool {
  private constructor(
    private readonly workers: PoolWorker[],
    private ctx: RenderContext | undefined,
    private buffers: Buffers,
  ) {}

  static async create(n: number): Promise<Pool> {
    const url = bundleUrl();
    const workers: PoolWorker[] = [];
    if (n > 0 && url) {
      for (let i = 0; i < n; i++) {
        const code = `import(${JSON.stringify(url)}).then((m) => m.main(['train', '--internal-worker'])).catch((e) => { console.error(e); process.exit(1); });`;
        workers.push(new PoolWorker(new Worker(code, { eval: true })));
      }
    }
    return new Pool(workers, undefined, {});
  }

  get size(): number {
    return this.workers.length;
  }

  /** Shares the render context and the sample buffers (which must be SharedArrayBuffer-backed with workers). */
  async init(ctx: RenderContext | undefined, buffers: Buffers): Promise<void> {
    this.ctx = ctx;
    this.buffers = buffers;
    await Promise.all(this.workers.map((w) => w.call({ kind: 'init', ctx, buffers })));
  }

  /** Renders samples [0, count) of a split, in chunks handed to whichever worker is free. */
  async render(split: Split, count: number, onProgress?: (done: number) => void): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('pool not initialised with a render context');
    const chunk = 16;
    if (this.workers.length === 0) {
      for (let from = 0; from < count; from += chunk) {
        renderLocal(ctx, this.buffers, split, from, Math.min(count, from + chunk));
        onProgress?.(Math.min(count, from + chunk));
      }
      return;
    }
    let next = 0;
    let done = 0;
    await Promise.all(
      this.workers.map(async (w) => {
        while (next < count) {
          const from = next;
          const to = Math.min(count, from + chunk);
          next = to;
          await w.call({ kind: 'render', split, from, to });
          done += to - from;
          onProgress?.(done);
        }
      }),
    );
  }

  /** Forward pass over samples, split evenly across workers; results in the order of `indices`. */
  async forward(req: ForwardRequest): Promise<ForwardResult> {
    const n = req.indices.length;
    const k = this.workers.length;
    if (k === 0 || n < 4) return forwardLocal(this.buffers, req);
    const C = req.kernels;
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const from = Math.floor((i * n) / k);
        const to = Math.floor(((i + 1) * n) / k);
        return w.call<ForwardResult>({ kind: 'forward', req: { ...req, indices: req.indices.slice(from, to) } }).then((r) => ({ from, r }));
      }),
    );
    const mins = new Float64Array(n * C);
    const args = new Int32Array(n * C);
    for (const { from, r } of parts) {
      mins.set(r.mins, from * C);
      args.set(r.args, from * C);
    }
    return { mins, args };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        w.worker.postMessage({ kind: 'close' });
        await w.worker.terminate();
      }),
    );
  }
}
