// Browser (Vite) entry for FocusLiteNN sessions: import this from a Web Worker instead of session.ts directly.
// `?url` makes Vite copy ort-wasm-simd-threaded.wasm into our build output and return its same-origin URL; pinning
// env.wasm.wasmPaths to it means onnxruntime-web never looks anywhere else (no CDN). Node code must not import this
// file (`?url` is a Vite feature); it uses session.ts, which finds the .wasm in node_modules by itself.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { configureOrt, createFocusSession, type FocusSession, type OrtConfig } from './session.ts';

export * from './session.ts';

/** Configures onnxruntime-web for a browser worker (one thread unless asked) and creates a session. */
export function createBrowserFocusSession(model: Uint8Array | ArrayBuffer, config: OrtConfig = {}): Promise<FocusSession> {
  configureOrt({ numThreads: 1, ...config, wasmPaths: config.wasmPaths ?? { wasm: new URL(wasmUrl, self.location.href).href } });
  return createFocusSession(model);
}
