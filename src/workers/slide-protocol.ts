import type { ModelRef } from '../focus/model-card.ts';
import type { SlideGrid } from '../focus/slide-grid.ts';
import type { HeatmapImageOptions } from '../heatmap/report-image.ts';
import type { SlideInfo } from '../slide/types.ts';

/** How a worker gets at the slide: a File/Blob is shared with workers without copying its bytes. */
export type SlideInput =
  | { kind: 'file'; file: Blob; name: string }
  /** Several files that make one slide: a DICOM series, a level per file. */
  | { kind: 'files'; files: { file: Blob; name: string }[]; name: string }
  | { kind: 'url'; url: string }
  /** A series on a DICOMweb service (the token, if any, stays in memory: never stored or logged). */
  | { kind: 'dicomweb'; base: string; study: string; series: string; token?: string; metadata?: ArrayBuffer };

export type SlideRequest =
  | { type: 'open'; input: SlideInput }
  /** Render the level-0 rectangle (x, y, width, height) at outWidth×outHeight, as an ImageBitmap (`gray`: its luma). */
  | { type: 'render'; id: number; x: number; y: number; width: number; height: number; outWidth: number; outHeight: number; gray?: boolean }
  /** Score grid cells (see src/focus/score-block.ts) with the model (same-origin URL) and its card's preprocessing. */
  /** `readAhead`: part of a whole-slide scan (the slide may fetch the band ahead, see scoreBlock). */
  | { type: 'score'; id: number; model: ModelRef; grid: SlideGrid; cells: number[]; readAhead: boolean }
  /** Render the exported heatmap PNG (src/heatmap/report-image.ts) of the whole slide at `width` pixels. */
  | { type: 'heatmap-png'; id: number; grid: SlideGrid; scores: Float32Array; tissue: Float32Array; state: Uint8Array; width: number; options: HeatmapImageOptions }
  /** Load the model (and its session) now, so the first blocks of a scan do not wait for it. */
  | { type: 'load-model'; id: number; model: ModelRef }
  | { type: 'cancel'; id: number };

export type SlideResponse =
  | { type: 'opened'; info: SlideInfo }
  | { type: 'open-failed'; message: string }
  | { type: 'rendered'; id: number; bitmap: ImageBitmap }
  | { type: 'scored'; id: number; scores: Float32Array; tissue: Float32Array; pixels: number }
  | { type: 'png'; id: number; blob: Blob }
  | { type: 'model-loaded'; id: number }
  /** `kind` 'model': the model could not be loaded (every later score would fail the same way). */
  | { type: 'failed'; id: number; message: string; aborted?: boolean; kind?: 'model' };
