// FocusLiteNN sessions inside a browser worker: one onnxruntime-web session (WASM, one thread) per model URL.
import { createPatchScorer, type PatchScorer } from '../focus/session/patch-scorer.ts';
import { createBrowserFocusSession } from '../focus/session/session-browser.ts';

const sessions = new Map<string, Promise<PatchScorer>>();

async function load(url: string): Promise<PatchScorer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the model ${url} could not be loaded (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    return createPatchScorer(await createBrowserFocusSession(bytes));
  } catch (err) {
    throw new Error(`the model ${url.split('/').pop()} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function modelRunner(url: string): Promise<PatchScorer> {
  let session = sessions.get(url);
  if (!session) {
    session = load(url);
    sessions.set(url, session);
    session.catch(() => sessions.delete(url));
  }
  const ready = await session;
  // One inference at a time per session: the WASM backend is single-threaded here, and ORT rejects overlapping runs.
  return (image, corners) => {
    const result = queue.then(() => ready(image, corners));
    queue = result.then(() => undefined, () => undefined);
    return result;
  };
}

let queue: Promise<void> = Promise.resolve();
