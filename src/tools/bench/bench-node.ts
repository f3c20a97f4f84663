// Node side of `npm run bench:model` (scripts/bench-model.mjs bundles and runs it): times the ONNX model with
// onnxruntime-web (WASM, one thread) in Node and in a Chromium Web Worker, beside the plain TypeScript reference.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { benchModel, formatRows, randomWeights, type BenchRow } from './bench.ts';
import { ort } from '../../focus/session/session.ts';
import { loadOfficialWeights, sharedDir } from '../model/shared-data.ts';
import { packageRoot } from '../model/node-model.ts';
import { parseWeightsJson, type FocusWeights } from '../model/weights.ts';

export interface BenchNodeOptions {
  /** esbuild bundle of bench-worker.ts */
  workerBundle: string;
  /** ort-wasm-simd-threaded.wasm in node_modules */
  wasmFile: string;
  /** Chromium binary, or null to skip the browser measurement. */
  chromium: string | null;
  reps: number;
}

export async function main(opts: BenchNodeOptions): Promise<void> {
  const cpus = os.cpus();
  console.log('FocusLiteNN model benchmark (1024×1024 image = 7×7 = 49 patches of 235×235)');
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores (${os.availableParallelism()} available), ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}, onnxruntime-web ${ort.env.versions.web ?? '?'} (WASM backend, 1 thread)`);

  const shared = sharedDir();
  // The shipped models (what the app and `focuslite score` run; conv weights on an 8-bit grid, so the u8 graph
  // needs one integer digit) and the official ones (arbitrary float weights: three digits).
  const models: { label: string; weights: FocusWeights }[] = [];
  for (const c of [1, 2, 10]) {
    const file = join(packageRoot(), 'models', 'weights', `focuslite-${c}kernel.json`);
    models.push({ label: `focuslite ${c}-kernel`, weights: parseWeightsJson(await readFile(file, 'utf8')) });
  }
  for (const c of [1, 2, 10]) {
    if (shared) models.push({ label: `official ${c}-kernel`, weights: loadOfficialWeights(shared, `${c}kernel` as '1kernel') });
    else models.push({ label: `random ${c}-kernel`, weights: randomWeights(c) });
  }
  console.log(
    'weights: focuslite = the shipped models/weights/*.json; ' +
      (shared
        ? `official = FocusLiteNN from ${shared}/reference/weights (read in place)`
        : 'random = made up (../shared is absent), float weights like the official ones'),
  );
  console.log('u8/Nd = uint8 input with N base-256 digits per weight (1 for 8-bit-grid weights, 3 for float); * = the layout the builder picks');
  console.log('target: ≤ 4 ms per 1024×1024 image on one core (paper: 17 ms on a desktop CPU)\n');

  const nodeRows: BenchRow[] = [];
  for (const m of models) nodeRows.push(...(await benchModel(m.label, m.weights, { reps: opts.reps })));
  console.log('Node (onnxruntime-web WASM, numThreads 1):');
  console.log(formatRows(nodeRows));

  if (!opts.chromium) {
    console.log('\nChromium worker: skipped (no Chromium found; set CHROMIUM_PATH or install chromium).');
    return;
  }
  try {
    const browser = await benchChromium(opts, models);
    console.log(`\nChromium Web Worker (${browser.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? browser.userAgent}, crossOriginIsolated=${browser.crossOriginIsolated}, numThreads 1):`);
    console.log(formatRows(browser.rows));
  } catch (err) {
    console.log(`\nChromium worker: failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

interface WorkerResult {
  rows: BenchRow[];
  userAgent: string;
  crossOriginIsolated: boolean;
  error?: string;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">
window.runBench = (req) => new Promise((resolve) => {
  const w = new Worker('/bench-worker.mjs', { type: 'module' });
  w.onmessage = (ev) => { resolve(ev.data); w.terminate(); };
  w.onerror = (ev) => resolve({ error: ev.message || 'worker error' });
  w.postMessage(req);
});
</script>`;

/** Serves the page, the worker bundle and the .wasm from 127.0.0.1 (cross-origin isolated, like the app). */
async function benchChromium(opts: BenchNodeOptions, models: { label: string; weights: FocusWeights }[]): Promise<WorkerResult> {
  const files: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html', PAGE],
    '/bench-worker.mjs': ['text/javascript', await readFile(opts.workerBundle)],
    '/ort-wasm-simd-threaded.wasm': ['application/wasm', await readFile(opts.wasmFile)],
  };
  const server: Server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0] as string];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': f[0],
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(f[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({
    executablePath: opts.chromium ?? undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'runBench' in window);
    const req = {
      wasmUrl: `http://127.0.0.1:${port}/ort-wasm-simd-threaded.wasm`,
      reps: opts.reps,
      models: models.map((m) => ({
        label: m.label,
        weights: {
          kernels: m.weights.kernels,
          convWeight: Array.from(m.weights.convWeight),
          convBias: Array.from(m.weights.convBias),
          fcWeight: m.weights.fcWeight ? Array.from(m.weights.fcWeight) : undefined,
          fcBias: m.weights.fcBias,
        },
      })),
    };
    const result = (await page.evaluate((r) => (window as unknown as { runBench: (x: unknown) => Promise<unknown> }).runBench(r), req)) as WorkerResult;
    if (result.error) throw new Error(result.error);
    return result;
  } finally {
    await browser.close();
    server.close();
  }
}
