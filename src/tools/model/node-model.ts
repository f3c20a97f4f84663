// Node helpers shared by the CLI commands and the benchmark: locate the package, load a model or weights file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_NAME } from '../../focus/model-card.ts';
import { buildFocusModel } from './onnx-builder.ts';
import { loadWeights, type LoadedWeights } from './weights.ts';

/** The root of the installed focuslite package (the folder above this module that holds package.json). */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const DEFAULT_MODEL = `models/${DEFAULT_MODEL_NAME}.onnx`;

export function defaultModelPath(): string {
  return resolve(packageRoot(), DEFAULT_MODEL);
}

/** A path as the user should see it: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export interface ModelSource {
  /** ONNX bytes, built in memory when the source was a weights file. */
  onnx: Uint8Array;
  /** What to report as "model". */
  label: string;
  weights?: LoadedWeights;
}

/** Reads an .onnx model, or a weights file (any supported format) and builds its model in memory. */
export async function loadModelSource(opts: { model?: string; weights?: string }): Promise<ModelSource> {
  if (opts.model && opts.weights) throw new Error('give either --model or --weights, not both');
  if (opts.weights) {
    const bytes = await readFileOrExplain(opts.weights, 'weights');
    const weights = loadWeights(bytes, opts.weights);
    return { onnx: buildFocusModel(weights), label: opts.weights, weights };
  }
  const path = opts.model ?? defaultModelPath();
  if (!opts.model && !existsSync(path)) {
    throw new Error(
      `the default model ${displayPath(path)} does not exist yet (it is built by \`focuslite train\`); ` +
        'pass --model M.onnx, or --weights W (focuslite-weights JSON, tensors JSON or a PyTorch .pt)',
    );
  }
  return { onnx: await readFileOrExplain(path, 'model'), label: opts.model ?? displayPath(path) };
}

async function readFileOrExplain(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${what} file ${path}: ${code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
