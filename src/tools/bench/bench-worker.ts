// Browser Web Worker side of `npm run bench:model` (bundled by scripts/bench-model.mjs with esbuild, served from a
// local origin together with ort-wasm-simd-threaded.wasm; nothing is fetched from elsewhere).
import { benchModel, type BenchRow } from './bench.ts';
import { configureOrt } from '../../focus/session/session.ts';
import type { FocusWeights } from '../model/weights.ts';

interface PlainWeights {
  kernels: number;
  convWeight: number[];
  convBias: number[];
  fcWeight?: number[];
  fcBias?: number;
}

interface Request {
  wasmUrl: string;
  reps: number;
  models: { label: string; weights: PlainWeights }[];
}

self.onmessage = async (ev: MessageEvent<Request>) => {
  try {
    const { wasmUrl, reps, models } = ev.data;
    configureOrt({ numThreads: 1, wasmPaths: { wasm: wasmUrl } });
    const rows: BenchRow[] = [];
    for (const m of models) {
      const w: FocusWeights = {
        kernels: m.weights.kernels,
        convWeight: Float32Array.from(m.weights.convWeight),
        convBias: Float32Array.from(m.weights.convBias),
      };
      if (m.weights.fcWeight) {
        w.fcWeight = Float32Array.from(m.weights.fcWeight);
        w.fcBias = m.weights.fcBias ?? 0;
      }
      rows.push(...(await benchModel(m.label, w, { reps })));
    }
    self.postMessage({ rows, userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }
};
