// The page side of the stage benchmarks: one bench worker per request, each with the slide and the model ready
// before the clock starts, all stages in parallel, the workers let go afterwards.
import type { ModelRef } from '../../focus/model-card.ts';
import { PoolError, WorkerPool } from '../pool.ts';
import type { SlideInput } from '../slide-protocol.ts';
import type { BenchWorkerRequest, BenchWorkerResponse } from './bench-protocol.ts';
import type { BenchRequest, BenchResult } from './bench-stages.ts';

const OPEN_TIMEOUT_MS = 120_000;

const createBenchWorker = () => new Worker(new URL('../bench.worker.ts', import.meta.url), { type: 'module' });

/** Runs request i in worker i, all at once; `ms` is the wall time of the runs alone (opening excluded). */
export async function runBenchStages(input: SlideInput, model: ModelRef, requests: BenchRequest[]): Promise<{ ms: number; results: BenchResult[] }> {
  const pool = new WorkerPool<BenchWorkerRequest, BenchWorkerResponse>({
    size: requests.length,
    create: createBenchWorker,
    label: 'bench worker',
    idOf: (r) => (r.type === 'done' || r.type === 'failed' ? r.id : undefined),
    failureOf: (r) => (r.type === 'failed' ? new PoolError('failed', r.message) : undefined),
    cancel: (id) => ({ type: 'cancel', id }),
    init: {
      message: { type: 'open', input, model },
      timeoutMs: OPEN_TIMEOUT_MS,
      timeoutMessage: `Opening the slide and the model in a bench worker timed out (${OPEN_TIMEOUT_MS / 1000} s).`,
      reply: (r) => (r.type === 'open-failed' ? new Error(r.message) : undefined),
    },
  });
  try {
    await pool.start();
    const t0 = performance.now();
    const results = await Promise.all(
      requests.map(async (request, w) => {
        const response = await pool.request((id) => ({ type: 'run', id, request }), { worker: w });
        if (response.type !== 'done') throw new Error('unexpected bench worker response');
        return response.result;
      }),
    );
    return { ms: performance.now() - t0, results };
  } finally {
    pool.close();
  }
}
