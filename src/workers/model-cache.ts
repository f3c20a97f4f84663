// FocusLiteNN models inside a browser worker (slide, quick-check and bench workers): one engine (the exact integer
// kernel or an onnxruntime-web session, WASM, one thread) per model URL, at most a few kept, the least recently used
// released when another is loaded.
import type { ModelRef } from '../focus/model-card.ts';
import { createModelEngine, type ModelEngine } from '../focus/model-engine.ts';
import { ModelLoadError } from '../focus/model-load-error.ts';
import type { PatchScorer } from '../focus/session/patch-scorer.ts';
import { createBrowserFocusSession, type FocusSession } from '../focus/session/session-browser.ts';

/** Two models: the one in use and the one just left (switching back is common); each holds a WASM instance. */
export const MAX_SESSIONS = 2;

export interface Releasable {
  release(): Promise<void>;
}

/** Loaded (or loading) sessions by URL, least recently used first; a failed load is forgotten so it can be retried. */
export class SessionCache<S extends Releasable> {
  private readonly sessions = new Map<string, Promise<S>>();

  constructor(
    private readonly load: (url: string) => Promise<S>,
    readonly capacity = MAX_SESSIONS,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`a session cache needs room for one session, got ${capacity}`);
  }

  get(url: string): Promise<S> {
    let session = this.sessions.get(url);
    if (session) {
      this.sessions.delete(url); // re-inserted below as the most recently used
    } else {
      session = this.load(url);
      session.catch(() => {
        if (this.sessions.get(url) === session) this.sessions.delete(url);
      });
    }
    this.sessions.set(url, session);
    for (const [old, evicted] of this.sessions) {
      if (this.sessions.size <= this.capacity) break;
      this.sessions.delete(old);
      evicted.then((s) => s.release()).catch(() => undefined);
    }
    return session;
  }

  /** URLs held, least recently used first. */
  get urls(): string[] {
    return [...this.sessions.keys()];
  }
}

/** Fetches and opens a model as an onnxruntime session; any failure is a ModelLoadError naming the file. */
export function loadBrowserModel(url: string): Promise<FocusSession> {
  return loadModel(url, (onnx) => createBrowserFocusSession(onnx));
}

/** Fetches and opens a model as a scoring engine (model-engine.ts); any failure is a ModelLoadError naming the file. */
export function loadBrowserEngine(url: string): Promise<ModelEngine> {
  return loadModel(url, (onnx) => createModelEngine(onnx, (bytes) => createBrowserFocusSession(bytes)));
}

async function loadModel<T>(url: string, open: (onnx: Uint8Array) => Promise<T>): Promise<T> {
  const file = url.split('/').pop();
  const response = await fetch(url);
  if (!response.ok) throw new ModelLoadError(`the model ${file} could not be loaded (HTTP ${response.status})`);
  try {
    return await open(new Uint8Array(await response.arrayBuffer()));
  } catch (err) {
    throw new ModelLoadError(`the model ${file} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * A model (URL and preprocessing) as a PatchScorer over a bounded cache of engines. Engines are cached by URL (the
 * model's bytes); the preprocessing is applied per call, so the same model with and without its card's normalisation
 * never share a scorer. Runs go one at a time, in order: WASM is single-threaded here and ORT rejects overlapping runs
 * on a session, while a slide worker has several blocks in flight.
 */
export function patchScorers(cache = new SessionCache(loadBrowserEngine)): (model: ModelRef) => Promise<PatchScorer> {
  let queue: Promise<unknown> = Promise.resolve();
  return async (model) => {
    const engine = await cache.get(model.url);
    return (image, corners) => {
      const result = queue.then(() => engine.score(image, corners, model.density));
      queue = result.catch(() => undefined);
      return result;
    };
  };
}
