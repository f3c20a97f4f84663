// A Node worker thread seen as a WorkerLike, so the CLI's scan threads run in the same pool as the browser workers.
import type { Worker } from 'node:worker_threads';
import type { WorkerLike } from './pool.ts';

export function nodeWorker(worker: Worker): WorkerLike {
  let terminated = false;
  const adapter: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
  worker.on('message', (data: unknown) => adapter.onmessage?.({ data } as MessageEvent));
  worker.on('error', (err: Error) => adapter.onerror?.({ message: err.message } as ErrorEvent));
  // A thread that exits on its own (process.exit in it, a fatal error) is a crash too.
  worker.on('exit', (code: number) => {
    if (!terminated) adapter.onerror?.({ message: `the thread exited (code ${code})` } as ErrorEvent);
  });
  return adapter;
}
