// Runs the FocusLiteNN ONNX model with onnxruntime-web's WASM backend, in Node (CLI, tests, bench) and in browser
// workers. No React, no DOM.
//
// One import serves both: 'onnxruntime-web/wasm' resolves to ort.wasm.bundle.min.mjs, which embeds the Emscripten
// glue and locates ort-wasm-simd-threaded.wasm with `new URL(…, import.meta.url)`. In Node 20 it reads that file
// from node_modules (models must be passed as bytes: Node's fetch cannot load file paths). In the browser, Vite
// emits the .wasm as an asset of our own origin; session-browser.ts additionally pins env.wasm.wasmPaths to the
// URL Vite gives for it, so nothing is ever fetched from a CDN.
import * as ort from 'onnxruntime-web/wasm';
import { allocInput, INPUT_NAME, OUTPUT_NAME, INPUT_LAYOUTS, inputShape, inputType, layoutOfShape, packInput, valuesPerPatch, type InputLayout, type InputTensor } from './input-layout.ts';
import { mean, patchGrid, PATCH, STRIDE, toGrid, type ImageScore, type PixelImage } from '../patch-grid.ts';
import { densityTables, normaliseDensity, type DensityNormalisation } from '../stain-density.ts';

export { ort };
export type FocusSession = ort.InferenceSession;

export interface OrtConfig {
  /** WASM threads per session; 1 (default) suits Node and one-session-per-worker apps. */
  numThreads?: number;
  /** Where the .wasm is served from (browser); see session-browser.ts. */
  wasmPaths?: ort.Env.WasmPrefixOrFilePaths;
}

let configured = false;

/** Sets onnxruntime-web's global WASM options; must run before the first session is created to take effect. */
export function configureOrt(config: OrtConfig = {}): void {
  ort.env.wasm.numThreads = config.numThreads ?? 1;
  ort.env.wasm.proxy = false;
  if (config.wasmPaths !== undefined) ort.env.wasm.wasmPaths = config.wasmPaths;
  ort.env.logLevel = 'error';
  configured = true;
}

/** An inference session for a FocusLiteNN model given as ONNX bytes. */
export async function createFocusSession(model: Uint8Array | ArrayBuffer, config?: OrtConfig): Promise<FocusSession> {
  if (config || !configured) configureOrt(config);
  const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
    await session.release();
    throw new Error(`not a FocusLiteNN model: expected input '${INPUT_NAME}' and output '${OUTPUT_NAME}', found ${session.inputNames.join(',')} → ${session.outputNames.join(',')}`);
  }
  const input = session.inputMetadata.find((m) => m.name === INPUT_NAME);
  const layout = input?.isTensor ? layoutOfShape(input.shape) : undefined;
  if (!layout) {
    await session.release();
    const known = INPUT_LAYOUTS.map((l) => `${inputType(l)} [${['N', ...inputShape(l, 1).slice(1)].join(',')}] (${l})`).join(', ');
    throw new Error(`not a FocusLiteNN model: its input is none of ${known}`);
  }
  layouts.set(session, layout);
  return session;
}

const layouts = new WeakMap<FocusSession, InputLayout>();

/** The input layout of a session made by createFocusSession. */
export function inputLayout(session: FocusSession): InputLayout {
  const layout = layouts.get(session);
  if (!layout) throw new Error('not a FocusLiteNN session (use createFocusSession)');
  return layout;
}

/** Runs the model on n patches packed in the session's input layout (input-layout.ts) and returns n scores. */
export async function runPatchTensor(session: FocusSession, input: InputTensor, n: number): Promise<Float32Array> {
  const layout = inputLayout(session);
  const size = valuesPerPatch(layout);
  const view = input.length === n * size ? input : input.subarray(0, n * size);
  const type = inputType(layout);
  if ((type === 'uint8') !== (view instanceof Uint8Array)) throw new TypeError(`this model's input is ${type}`);
  const feeds = { [INPUT_NAME]: type === 'uint8' ? new ort.Tensor('uint8', view as Uint8Array, inputShape(layout, n)) : new ort.Tensor('float32', view as Float32Array, inputShape(layout, n)) };
  const result = await session.run(feeds);
  const out = result[OUTPUT_NAME];
  if (!out) throw new Error(`model produced no '${OUTPUT_NAME}' output`);
  const data = out.data as Float32Array;
  const scores = data.slice(0, n);
  out.dispose();
  return scores;
}

/**
 * Patches per session.run. Small runs keep the input (8 × 0.24 MB in 'u8') in cache while onnxruntime copies and reads
 * it: measured with bench:model, batches of 8 cost 15–25 % less per patch than batches of 1 or 49 (and less than 4,
 * 12, 16 or 24 in throwaway runs).
 */
export const RUN_BATCH = 8;

export interface ScorePatchesOptions {
  /** Patches per session.run (default RUN_BATCH). */
  batchSize?: number;
  signal?: AbortSignal;
  /** The model card's stain-density normalisation, applied to each patch before the model (stain-density.ts). */
  density?: DensityNormalisation;
}

const buffers = new WeakMap<FocusSession, InputTensor>();

/** Scores of the 235×235 patches of `img` (RGBA or RGB bytes) whose top-left corners are `corners`. */
export async function scorePatches(
  session: FocusSession,
  img: PixelImage,
  corners: readonly { x: number; y: number }[],
  options: ScorePatchesOptions = {},
): Promise<Float32Array> {
  const batch = Math.max(1, Math.min(options.batchSize ?? RUN_BATCH, corners.length || 1));
  const scores = new Float32Array(corners.length);
  const layout = inputLayout(session);
  // The session's input buffer is reused between calls; it is taken out while in use so that overlapping calls
  // never pack into the same memory.
  let buffer = buffers.get(session);
  buffers.delete(session);
  if (!buffer || buffer.length < batch * valuesPerPatch(layout)) buffer = allocInput(layout, batch);
  // The packer maps each patch's bytes through its density table: the same input, no normalised copy. The tables of
  // all the patches at once, so that pixels shared by overlapping patches are read once (densityTables).
  const tables = options.density && layout === 'u8' ? densityTables(img, corners, options.density) : undefined;
  try {
    for (let start = 0; start < corners.length; start += batch) {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
      const part = corners.slice(start, start + batch);
      if (tables) {
        packInput(layout, img, part, buffer, 0, tables.slice(start, start + batch));
      } else if (options.density) {
        const normalised = normaliseDensity(img, part, options.density);
        packInput(layout, normalised.image, normalised.corners, buffer, 0);
      } else {
        packInput(layout, img, part, buffer, 0);
      }
      scores.set(await runPatchTensor(session, buffer, part.length), start);
    }
  } finally {
    buffers.set(session, buffer);
  }
  return scores;
}

/** FocusLiteNN image score: patches at stride `stride` (default 128) from (0,0), mean of the patch scores. */
export async function scoreImage(session: FocusSession, img: PixelImage, stride = STRIDE, options: ScorePatchesOptions = {}): Promise<ImageScore> {
  const grid = patchGrid(img.width, img.height, PATCH, stride);
  if (grid.corners.length === 0) throw new RangeError(`image is ${img.width}×${img.height}; FocusLiteNN needs at least 235×235`);
  const scores = await scorePatches(session, img, grid.corners, options);
  return { width: img.width, height: img.height, patch: PATCH, stride, score: mean(scores), patchGrid: toGrid(scores, grid.rows, grid.cols) };
}
