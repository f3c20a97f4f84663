// Whole-slide scanning in Node (the `focuslite scan` command): the same block scorer, grid and tissue mask as the
// browser workers, spread over worker threads that each open the slide and hold one onnxruntime-web session.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { scoreBlock, type BlockResult } from '../focus/score-block.ts';
import { ScoreMap } from '../focus/score-map.ts';
import { slideGrid, type SlideGrid } from '../focus/slide-grid.ts';
import { PATCH, STRIDE } from '../focus/patch-grid.ts';
import { takeJob, wholeSlidePlan } from '../focus/scheduler.ts';
import { createPatchScorer } from '../focus/session/patch-scorer.ts';
import { createFocusSession } from '../focus/session/session.ts';
import { openSlideFile } from '../slide/node.ts';
import type { SlideInfo } from '../slide/types.ts';

export interface ScanProgress {
  cellsDone: number;
  cellsTotal: number;
  /** Level-0 megapixels scored so far. */
  megapixels: number;
  elapsedMs: number;
}

export interface NodeScanResult {
  info: SlideInfo;
  map: ScoreMap;
  elapsedMs: number;
  megapixels: number;
}

type WorkerRequest = { kind: 'block'; id: number; cells: number[] } | { kind: 'close' };
type WorkerReply = { kind: 'ready' } | { kind: 'error'; message: string } | { kind: 'block'; id: number; result: BlockResult } | { kind: 'block-error'; id: number; message: string };

interface Scorer {
  score(cells: number[]): Promise<BlockResult>;
  close(): void;
}

async function inProcessScorer(path: string, model: Uint8Array, grid: SlideGrid): Promise<Scorer> {
  const slide = await openSlideFile(path);
  const score = createPatchScorer(await createFocusSession(model));
  return {
    score: (cells) => scoreBlock(slide, grid, cells, score),
    close: () => slide.close(),
  };
}

/** A worker thread running the bundled CLI's internal scan worker (Node cannot start workers from .ts sources). */
async function threadScorer(bundleUrl: string, path: string, model: Uint8Array, grid: SlideGrid): Promise<Scorer> {
  const code = `import(${JSON.stringify(bundleUrl)}).then((m) => m.main(['scan', '--internal-worker'])).catch((e) => { console.error(e); process.exit(1); });`;
  const worker = new Worker(code, { eval: true, workerData: { focusliteScanWorker: { path, model, grid } } });
  const pending = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (msg: WorkerReply) => {
      if (msg.kind === 'ready') resolve();
      else if (msg.kind === 'error') reject(new Error(msg.message));
      else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.kind === 'block') p?.resolve(msg.result);
        else p?.reject(new Error(msg.message));
      }
    });
    worker.on('error', (err) => {
      failure = err;
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  });
  await ready;
  return {
    score(cells) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ kind: 'block', id, cells } satisfies WorkerRequest);
      });
    },
    close() {
      worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
      void worker.terminate();
    },
  };
}

/** Worker-thread side: open the slide and the model once, then score blocks until told to close. */
export async function serveScanWorker(
  port: import('node:worker_threads').MessagePort,
  data: { path: string; model: Uint8Array; grid: SlideGrid },
): Promise<void> {
  let scorer: Scorer;
  try {
    scorer = await inProcessScorer(data.path, data.model, data.grid);
  } catch (err) {
    port.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
    return;
  }
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  await new Promise<void>((resolve) => {
    port.on('message', (msg: WorkerRequest) => {
      if (msg.kind === 'close') {
        scorer.close();
        port.close();
        resolve();
        return;
      }
      scorer.score(msg.cells).then(
        (result) => port.postMessage({ kind: 'block', id: msg.id, result } satisfies WorkerReply, [result.scores.buffer as ArrayBuffer, result.tissue.buffer as ArrayBuffer]),
        (err: unknown) => port.postMessage({ kind: 'block-error', id: msg.id, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
      );
    });
  });
}

export interface NodeScanOptions {
  model: Uint8Array;
  stride?: number;
  /** Worker threads; 0 runs in this thread. */
  workers?: number;
  /** The bundled CLI module URL, needed to start worker threads. */
  bundleUrl?: string;
  onProgress?: (p: ScanProgress) => void;
}

export function defaultScanWorkers(): number {
  return Math.min(4, availableParallelism());
}

/** Scores every tissue cell of a slide at level 0. Blocks that fail to decode are recorded as failed cells. */
export async function scanSlideFile(path: string, options: NodeScanOptions): Promise<NodeScanResult> {
  const probe = await openSlideFile(path);
  const info = probe.info;
  probe.close();
  const level0 = info.levels[0]!;
  const grid = slideGrid(level0.width, level0.height, PATCH, options.stride ?? STRIDE);
  const map = new ScoreMap(grid);
  // The app's whole-slide plan: 8×8-cell blocks, row-major, a band of block rows per thread.
  const queue = wholeSlidePlan(grid);
  const threads = options.bundleUrl ? (options.workers ?? defaultScanWorkers()) : 0;
  const scorers = threads > 0
    ? await Promise.all(Array.from({ length: threads }, () => threadScorer(options.bundleUrl!, path, options.model, grid)))
    : [await inProcessScorer(path, options.model, grid)];
  const started = performance.now();
  let megapixels = 0;
  let cellsDone = 0;
  try {
    // Two blocks in flight per scorer keeps each busy while the parent records results.
    await Promise.all(
      scorers.flatMap((scorer, worker) =>
        [0, 1].map(async () => {
          for (let job = takeJob(queue, worker, scorers.length); job; job = takeJob(queue, worker, scorers.length)) {
            const { cells } = job;
            try {
              const result = await scorer.score(cells);
              map.record(cells, result.scores, result.tissue);
              megapixels += result.pixels / 1e6;
            } catch {
              map.recordFailure(cells);
            }
            cellsDone += cells.length;
            options.onProgress?.({ cellsDone, cellsTotal: grid.cols * grid.rows, megapixels, elapsedMs: performance.now() - started });
          }
        }),
      ),
    );
  } finally {
    for (const s of scorers) s.close();
  }
  return { info, map, elapsedMs: performance.now() - started, megapixels };
}
