import type { CheckOutcome } from './analyse.ts';
// Messages between the quick-check pool (main thread) and its workers.
import type { ModelRef } from '../../focus/model-card.ts';
import type { RGBAImage } from '../../slide/types.ts';
import type { FailureKind } from './failure.ts';

/** Longer side of the thumbnails the workers send back (shown at half size, sharp on high-DPI screens). */
export const THUMB_SIZE = 128;

export type CheckRequest =
  /** Decode and score `file` (a File is shared with the worker, not copied) with the model (same-origin URL) and its
   * card's preprocessing. */
  | { type: 'check'; id: number; file: Blob; name: string; model: ModelRef; stride: number; thumbSize: number }
  /** The image at most `maxSide` pixels on its longer side, for the large view. */
  | { type: 'preview'; id: number; file: Blob; name: string; maxSide: number }
  | { type: 'cancel'; id: number };

/** What a worker returns for one scored image: the outcome of analyse.ts, as is. */
export type CheckedImage = CheckOutcome;

export type CheckResponse =
  | { type: 'checked'; id: number; result: CheckedImage }
  | { type: 'preview'; id: number; image: RGBAImage }
  | { type: 'failed'; id: number; kind: FailureKind; message: string; width?: number; height?: number };
