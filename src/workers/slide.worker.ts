// A slide worker: opens its own handle on the slide (File objects are shared, not copied), renders tiles for the
// viewer and scores grid cells with FocusLiteNN, all off the main thread. Several run side by side; each decodes
// with the browser's native decoders and keeps its own decoded-tile cache, shared by rendering and scoring.
import { readScaledRegion } from '../slide/region.ts';
import { SpareMemory } from '../slide/spare-memory.ts';
import type { SlideSource } from '../slide/types.ts';
import type { SlideRequest, SlideResponse } from './slide-protocol.ts';
import { openSlideInput } from './open-input.ts';
import { scoreBlock } from '../focus/score-block.ts';
import { ScoreMap } from '../focus/score-map.ts';
import { buildReportImage } from '../heatmap/report-image.ts';
import { isModelLoadError } from '../focus/model-load-error.ts';
import { patchScorers } from './model-cache.ts';
import { isOpaque, OpaqueBitmaps } from './opaque-bitmap.ts';

let slide: SlideSource | undefined;
const running = new Map<number, AbortController>();
const modelRunner = patchScorers();
/** Memory for rendered tiles (512², 1 MB), reused: as many as a worker has renders in flight after a pan. */
const renderMemory = new SpareMemory(8);
const opaqueBitmaps = new OpaqueBitmaps();

const failure = (id: number, err: unknown, signal?: AbortSignal): SlideResponse => ({
  type: 'failed',
  id,
  message: err instanceof Error ? err.message : String(err),
  ...(signal?.aborted ? { aborted: true } : {}),
  ...(isModelLoadError(err) ? { kind: 'model' as const } : {}),
});

const post = (message: SlideResponse, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer);

self.onmessage = async (event: MessageEvent<SlideRequest>) => {
  const request = event.data;
  if (request.type === 'open') {
    slide?.close();
    slide = undefined;
    try {
      slide = await openSlideInput(request.input);
      post({ type: 'opened', info: slide.info });
    } catch (err) {
      post({ type: 'open-failed', message: err instanceof Error ? err.message : String(err) });
    }
  } else if (request.type === 'cancel') {
    running.get(request.id)?.abort();
  } else if (request.type === 'score') {
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      if (!slide) throw new Error('no slide is open');
      const run = await modelRunner(request.model);
      const result = await scoreBlock(slide, request.grid, request.cells, run, controller.signal, request.readAhead);
      post({ type: 'scored', id: request.id, ...result }, [result.scores.buffer, result.tissue.buffer]);
    } catch (err) {
      post(failure(request.id, err, controller.signal));
    } finally {
      running.delete(request.id);
    }
  } else if (request.type === 'load-model') {
    try {
      await modelRunner(request.model);
      post({ type: 'model-loaded', id: request.id });
    } catch (err) {
      post(failure(request.id, err));
    }
  } else if (request.type === 'heatmap-png') {
    try {
      if (!slide) throw new Error('no slide is open');
      const map = ScoreMap.fromArrays(request.grid, request.scores, request.tissue, request.state);
      const image = await buildReportImage(slide, map, request.width, request.options);
      const canvas = new OffscreenCanvas(image.width, image.height);
      canvas.getContext('2d')!.putImageData(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
      post({ type: 'png', id: request.id, blob: await canvas.convertToBlob({ type: 'image/png' }) });
    } catch (err) {
      post(failure(request.id, err));
    }
  } else if (request.type === 'render') {
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      if (!slide) throw new Error('no slide is open');
      const { x, y, width, height, outWidth, outHeight } = request;
      const into = renderMemory.take(outWidth * outHeight * 4);
      const pixels = await readScaledRegion(slide, x, y, width, height, outWidth, outHeight, controller.signal, { gray: request.gray, into });
      // Opaque, made here off the main thread: a canvas stores premultiplied pixels, so an unpremultiplied bitmap is
      // converted on every draw (2–5× the cost of drawing it in software rendering), and a premultiplied one blended.
      // A plain image (a PNG) may be transparent: premultiplied then, its transparency kept.
      const bitmap =
        slide.info.format === 'image' && !isOpaque(pixels)
          ? await createImageBitmap(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height), { premultiplyAlpha: 'premultiply', colorSpaceConversion: 'none' })
          : opaqueBitmaps.make(pixels);
      renderMemory.keep(into); // the bitmap holds a copy
      post({ type: 'rendered', id: request.id, bitmap }, [bitmap]);
    } catch (err) {
      post(failure(request.id, err, controller.signal));
    } finally {
      running.delete(request.id);
    }
  }
};
