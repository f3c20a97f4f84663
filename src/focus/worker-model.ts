// FocusLiteNN sessions inside a browser worker: one onnxruntime-web session (WASM, one thread) per model URL.
import { createBrowserFocusSession, runPatchTensor, type FocusSession } from './model/session-browser.ts';
import type { RunPatches } from './score-block.ts';

const sessions = new Map<string, Promise<FocusSession>>();

async function load(url: string): Promise<FocusSession> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the model ${url} could not be loaded (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    return await createBrowserFocusSession(bytes);
  } catch (err) {
    throw new Error(`the model ${url.split('/').pop()} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function modelRunner(url: string): Promise<RunPatches> {
  let session = sessions.get(url);
  if (!session) {
    session = load(url);
    sessions.set(url, session);
    session.catch(() => sessions.delete(url));
  }
  const ready = await session;
  // One inference at a time per session: the WASM backend is single-threaded here, and ORT rejects overlapping runs.
  return (input, n) => {
    const result = queue.then(() => runPatchTensor(ready, input, n));
    queue = result.then(() => undefined, () => undefined);
    return result;
  };
}

let queue: Promise<void> = Promise.resolve();
