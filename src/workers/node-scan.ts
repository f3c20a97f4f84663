// Whole-slide scanning in Node (the `focuslite scan` command): the same block scorer, grid and tissue mask as the
// browser workers, spread over worker threads that each open the slide and the model (model-engine.ts).
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { scoreBlock, type BlockResult } from '../focus/score-block.ts';
import { ScoreMap } from '../focus/score-map.ts';
import { slideGrid, type SlideGrid } from '../focus/slide-grid.ts';
import { PATCH, STRIDE } from '../focus/patch-grid.ts';
import { takeJob, wholeSlidePlan } from '../focus/scheduler.ts';
import { createModelEngine, type EngineChoice } from '../focus/model-engine.ts';
import { createFocusSession, type FocusSession } from '../focus/session/session.ts';
import { openSlideFile } from '../slide/node.ts';
import type { RGBAImage, SlideInfo } from '../slide/types.ts';
import { nodeWorker } from './node-worker.ts';
import { PoolError, WorkerPool } from './pool.ts';
import type { DensityNormalisation } from '../focus/stain-density.ts';

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

/** What a scan thread needs to start: the slide, the model bytes and the grid it scores. */
interface ScanSetup {
  path: string;
  model: Uint8Array;
  grid: SlideGrid;
  /** The model card's stain-density normalisation, if it has one. */
  density?: DensityNormalisation;
  /** What runs the model (model-engine.ts); 'auto' by default. */
  engine?: EngineChoice;
}

type ScanRequest = ({ kind: 'open' } & ScanSetup) | { kind: 'block'; id: number; cells: number[] } | { kind: 'cancel'; id: number };
type ScanReply = { kind: 'ready' } | { kind: 'error'; message: string } | { kind: 'block'; id: number; result: BlockResult } | { kind: 'block-error'; id: number; message: string };

/** A scan thread still silent on a block after this long is hung: replaced (it opens the slide again), block retried. */
const BLOCK_TIMEOUT_MS = 120_000;
const OPEN_TIMEOUT_MS = 120_000;

type BlockScorer = (cells: number[], lane: number) => Promise<BlockResult>;

interface Scorer {
  score: (cells: number[]) => Promise<BlockResult>;
  /** Settles when onnxruntime has the model: rejects with the model's error. */
  ready: Promise<unknown>;
  close(): void;
}

/** The slide and the model in this thread. Blocks may start before the model is ready (with onnxruntime, their
 * decoding and tissue masks overlap its start-up, ~0.4 s); their scoring waits for it. */
async function inProcessScorer({ path, model, grid, density, engine }: ScanSetup): Promise<Scorer> {
  const ready = createModelEngine(model, startOnnxRuntime, engine).then((engine) => (image: RGBAImage, corners: readonly { x: number; y: number }[]) => engine.score(image, corners, density));
  ready.catch(() => undefined); // reported through `ready` by the caller, not as an unhandled rejection
  const slide = await openSlideFile(path);
  return {
    score: (cells) => scoreBlock(slide, grid, cells, async (image, corners) => (await ready)(image, corners), undefined, true),
    ready,
    close: () => slide.close(),
  };
}

/**
 * onnxruntime for a model the kernel cannot run. Its WebAssembly stays with V8's baseline compiler, as in every other
 * CLI command (bin/focuslite.mjs): the flag is process-wide, so the kernels compiled from now on stay there too.
 */
function startOnnxRuntime(onnx: Uint8Array): Promise<FocusSession> {
  setFlagsFromString('--liftoff-only');
  return createFocusSession(onnx);
}

/** Worker threads running the bundled CLI's internal scan worker (Node cannot start workers from .ts sources). */
function threadPool(bundleUrl: string, threads: number, setup: ScanSetup): WorkerPool<ScanRequest, ScanReply> {
  const code = `import(${JSON.stringify(bundleUrl)}).then((m) => m.main(['scan', '--internal-worker'])).catch((e) => { console.error(e); process.exit(1); });`;
  return new WorkerPool<ScanRequest, ScanReply>({
    size: threads,
    create: () => nodeWorker(new Worker(code, { eval: true })),
    label: 'scan worker',
    idOf: (r) => (r.kind === 'block' || r.kind === 'block-error' ? r.id : undefined),
    failureOf: (r) => (r.kind === 'block-error' ? new PoolError('failed', r.message) : undefined),
    cancel: (id) => ({ kind: 'cancel', id }),
    timeoutMs: (r) => (r.kind === 'block' ? BLOCK_TIMEOUT_MS : 0),
    init: {
      message: { kind: 'open', ...setup },
      timeoutMs: OPEN_TIMEOUT_MS,
      timeoutMessage: `Opening the slide in a scan worker timed out (${OPEN_TIMEOUT_MS / 1000} s).`,
      reply: (r) => (r.kind === 'error' ? new Error(r.message) : undefined),
    },
  });
}

/** Worker-thread side: open the slide and the model when asked, then score blocks until the thread is terminated. */
export function serveScanWorker(port: import('node:worker_threads').MessagePort): Promise<void> {
  let scorer: Promise<Scorer> | undefined;
  port.on('message', (msg: ScanRequest) => {
    if (msg.kind === 'open') {
      scorer = inProcessScorer(msg).then(async (s) => {
        await s.ready;
        return s;
      });
      scorer.then(
        () => port.postMessage({ kind: 'ready' } satisfies ScanReply),
        (err: unknown) => port.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies ScanReply),
      );
    } else if (msg.kind === 'block') {
      const id = msg.id;
      (scorer ?? Promise.reject(new Error('no slide is open'))).then((s) => s.score(msg.cells)).then(
        (result) => port.postMessage({ kind: 'block', id, result } satisfies ScanReply, [result.scores.buffer as ArrayBuffer, result.tissue.buffer as ArrayBuffer]),
        (err: unknown) => port.postMessage({ kind: 'block-error', id, message: err instanceof Error ? err.message : String(err) } satisfies ScanReply),
      );
    }
  });
  return new Promise<void>((resolve) => port.once('close', () => resolve()));
}

export interface NodeScanOptions {
  model: Uint8Array;
  /** The model card's stain-density normalisation (none for a bare model). */
  density?: DensityNormalisation;
  /** What runs the model: by default the exact kernel when it can, else onnxruntime (model-engine.ts). */
  engine?: EngineChoice;
  stride?: number;
  /** Worker threads; 0 runs in this thread; by default chosen by the slide's size (defaultScanWorkers). */
  workers?: number;
  /** The bundled CLI module URL, needed to start worker threads. */
  bundleUrl?: string;
  onProgress?: (p: ScanProgress) => void;
}

/** Slides up to this many level-0 megapixels are scanned in the calling thread unless told otherwise. */
export const SMALL_SLIDE_MP = 100;

/**
 * Worker threads for a slide of `megapixels` at level 0. Each worker starts onnxruntime and opens the slide, and sharp
 * decodes on its own threads anyway, so a small slide is faster without them: measured on this project's 2-core
 * machine, the 16 MP TCGA-CR-7395 pyramid took 2.2 s in the thread and 3.8 s with two workers; the 604 MP real-tissue
 * mosaic 19.9 s and 19.1 s (BENCHMARKS.md).
 */
export function defaultScanWorkers(megapixels = Infinity): number {
  return megapixels <= SMALL_SLIDE_MP ? 0 : Math.min(4, availableParallelism());
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
  const threads = options.bundleUrl ? (options.workers ?? defaultScanWorkers((level0.width * level0.height) / 1e6)) : 0;
  const setup: ScanSetup = { path, model: options.model, grid, ...(options.density ? { density: options.density } : {}), ...(options.engine ? { engine: options.engine } : {}) };
  let score: BlockScorer;
  let close: () => void;
  let ready: Promise<unknown> = Promise.resolve();
  if (threads > 0) {
    const pool = threadPool(options.bundleUrl!, threads, setup);
    await pool.start();
    score = async (cells, lane) => {
      const reply = await pool.request((id) => ({ kind: 'block', id, cells }), { worker: lane });
      if (reply.kind !== 'block') throw new Error('unexpected scan worker reply');
      return reply.result;
    };
    close = () => pool.close();
  } else {
    const local = await inProcessScorer(setup);
    score = (cells) => local.score(cells);
    close = () => local.close();
    ready = local.ready;
  }
  const started = performance.now();
  let megapixels = 0;
  let cellsDone = 0;
  let stopped = false;
  try {
    // Two blocks in flight per scorer keeps each busy while the parent records results. A model that fails to load
    // stops the scan with its own error (not as a slide of failed cells).
    const modelLoaded = ready.catch((err: unknown) => {
      stopped = true;
      throw err;
    });
    const lanes = Promise.all(
      Array.from({ length: Math.max(1, threads) * 2 }, async (_, lane) => {
        const worker = lane >> 1;
        const workers = Math.max(1, threads);
        for (let job = takeJob(queue, worker, workers); job && !stopped; job = takeJob(queue, worker, workers)) {
          const { cells } = job;
          try {
            const result = await score(cells, worker);
            map.record(cells, result.scores, result.tissue);
            megapixels += result.pixels / 1e6;
          } catch {
            map.recordFailure(cells);
          }
          cellsDone += cells.length;
          options.onProgress?.({ cellsDone, cellsTotal: grid.cols * grid.rows, megapixels, elapsedMs: performance.now() - started });
        }
      }),
    );
    await Promise.all([modelLoaded, lanes]);
  } finally {
    stopped = true;
    close();
  }
  return { info, map, elapsedMs: performance.now() - started, megapixels };
}
