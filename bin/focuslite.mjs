#!/usr/bin/env node
// Thin launcher: the CLI is bundled from src/cli by `npm install` (prepare) or `npm run prepare`.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist-cli/focuslite.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('focuslite: the CLI is not built yet; run `npm run prepare` in the project folder.');
  process.exit(1); // not a usage error (2): the command line may be right
}
// onnxruntime's WebAssembly stays with V8's baseline compiler (Liftoff): its optimising recompilation in the
// background took CPU from the scan and held the process up to 0.5 s at exit on a small slide, for no measured gain
// in scan speed on a large one (BENCHMARKS.md, CLI start-up). Worker threads share the flag. `scan` and `watch`
// score with the project's own WebAssembly kernels (src/focus/kernel), which the optimising compiler makes faster:
// they set the flag only if they start onnxruntime after all (src/workers/node-scan.ts).
if (!['scan', 'watch'].includes(process.argv[2] ?? '')) setFlagsFromString('--liftoff-only');
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
