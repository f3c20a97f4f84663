// `npm run bench:model`: bundles the TypeScript benchmark (Node part and browser worker part) with esbuild into
// .bench/ and runs it. Prints numbers; it is not a test. Options: --reps N (default 10), --no-browser.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findChromium } from './chromium-path.mjs';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const outDir = resolve(root, '.bench');
const args = process.argv.slice(2);
const repsArg = args.indexOf('--reps');
const reps = repsArg >= 0 ? Number(args[repsArg + 1]) : 10;

await build({
  entryPoints: [resolve(root, 'src/tools/bench/bench-node.ts')],
  outfile: resolve(outDir, 'bench-node.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await build({
  entryPoints: [resolve(root, 'src/tools/bench/bench-worker.ts')],
  outfile: resolve(outDir, 'bench-worker.mjs'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
});

const require = createRequire(import.meta.url);
const wasmFile = require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
const { main } = await import(pathToFileURL(resolve(outDir, 'bench-node.mjs')).href);
await main({
  workerBundle: resolve(outDir, 'bench-worker.mjs'),
  wasmFile,
  chromium: args.includes('--no-browser') ? null : findChromium(),
  reps: Number.isFinite(reps) && reps > 0 ? reps : 10,
});
