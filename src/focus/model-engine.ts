// What scores patches for a model file: the exact integer kernel (kernel/u8-kernel.ts) when the file is this project's
// one-digit 'u8' graph and the engine runs WebAssembly SIMD, onnxruntime-web otherwise. Both give the same scores bit
// for bit (kernel/u8-kernel.test.ts); the kernel needs no onnxruntime start (~0.2 s per thread) and no patch packing.
import type { PixelImage } from './patch-grid.ts';
import type { DensityNormalisation } from './stain-density.ts';
import { readU8Graph } from './kernel/u8-graph.ts';
import { U8Kernel, wasmSimdAvailable } from './kernel/u8-kernel.ts';
import { scorePatches, type FocusSession } from './session/session.ts';

export type EngineName = 'u8-kernel' | 'onnxruntime';
/** 'auto' picks the kernel when it can run the model; 'onnxruntime' always uses onnxruntime (comparisons, debugging). */
export type EngineChoice = 'auto' | EngineName;

export interface ModelEngine {
  readonly name: EngineName;
  /** Scores of the 235×235 patches of `img` at `corners`, with the card's stain-density normalisation if given. */
  score(img: PixelImage, corners: readonly { x: number; y: number }[], density?: DensityNormalisation): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * An engine for ONNX bytes. `openSession` makes the onnxruntime session (Node and browser pin the WASM differently);
 * it is only called when the kernel cannot run the model, and its errors (not a FocusLiteNN model…) pass through.
 */
export async function createModelEngine(onnx: Uint8Array, openSession: (onnx: Uint8Array) => Promise<FocusSession>, choice: EngineChoice = 'auto'): Promise<ModelEngine> {
  const graph = choice === 'onnxruntime' ? undefined : readU8Graph(onnx);
  if (graph && (await wasmSimdAvailable())) {
    const kernel = await U8Kernel.create(graph);
    return {
      name: 'u8-kernel',
      score: async (img, corners, density) => kernel.scorePatches(img, corners, density),
      release: async () => undefined,
    };
  }
  if (choice === 'u8-kernel') throw new Error(graph ? 'this engine has no WebAssembly SIMD' : "the model is not this project's one-digit 'u8' graph");
  const session = await openSession(onnx);
  return {
    name: 'onnxruntime',
    score: (img, corners, density) => scorePatches(session, img, corners, density ? { density } : {}),
    release: () => session.release(),
  };
}
