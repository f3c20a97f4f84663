// A quick-check worker: decodes dropped image files with the browser's native decoders and scores them with its own
// onnxruntime-web session (WASM, one thread), off the main thread. The pool sends one file at a time.
import { browserCodecs } from '../slide/browser/codecs.ts';
import type { Codecs } from '../slide/codecs.ts';
import { BlobSource } from '../slide/bytes/blob-source.ts';
import { isModelLoadError } from '../focus/model-load-error.ts';
import { analyseImage, CheckFailure, previewImage } from './check/analyse.ts';
import { withoutOrientation } from '../slide/image/exif.ts';
import type { CheckRequest, CheckResponse } from './check/protocol.ts';
import { loadBrowserModel, SessionCache } from './model-cache.ts';

const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

/**
 * The slide workers' codecs (createImageBitmap: the CLI's pixels bit for bit), with the EXIF orientation of plain JPEG
 * files neutralised first: browsers rotate by it, the CLI does not, and a rotated grid gives other patches and scores.
 */
const codecs: Codecs = {
  ...browserCodecs,
  image: (file) => browserCodecs.image(isJpeg(file) ? withoutOrientation(file) : file),
};

const sessions = new SessionCache(loadBrowserModel);
const running = new Map<number, AbortController>();

const post = (message: CheckResponse, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer);

function fail(id: number, err: unknown, signal: AbortSignal): void {
  if (signal.aborted) {
    post({ type: 'failed', id, kind: 'cancelled', message: 'cancelled' });
  } else if (err instanceof CheckFailure) {
    post({ type: 'failed', id, kind: err.kind, message: err.message, width: err.width, height: err.height });
  } else if (isModelLoadError(err)) {
    post({ type: 'failed', id, kind: 'model', message: err.message });
  } else {
    post({ type: 'failed', id, kind: 'unreadable', message: err instanceof Error ? err.message : String(err) });
  }
}

self.onmessage = async (event: MessageEvent<CheckRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    running.get(request.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  const { signal } = controller;
  try {
    const source = new BlobSource(request.file, request.name);
    if (request.type === 'check') {
      const s = await sessions.get(request.model.url);
      const density = request.model.density;
      const result = await analyseImage(source, codecs, s, { stride: request.stride, thumbSize: request.thumbSize, signal, ...(density ? { density } : {}) });
      post({ type: 'checked', id: request.id, result }, [result.thumb.data.buffer]);
    } else {
      const image = await previewImage(source, codecs, request.maxSide, signal);
      post({ type: 'preview', id: request.id, image }, [image.data.buffer]);
    }
  } catch (err) {
    fail(request.id, err, signal);
  } finally {
    running.delete(request.id);
  }
};
