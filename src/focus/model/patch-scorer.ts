import type { RGBAImage } from '../../slide/types.ts';
import { packPatches, PATCH } from './patch-grid.ts';
import { runPatchTensor, type FocusSession } from './session.ts';

/** Scores the 235×235 patches of an RGBA image whose top-left corners are given. */
export type PatchScorer = (image: RGBAImage, corners: readonly { x: number; y: number }[]) => Promise<Float32Array>;

/** A scorer over one session that reuses its float input buffer between calls (blocks are all about the same size). */
export function createPatchScorer(session: FocusSession): PatchScorer {
  let buffer = new Float32Array(0);
  return async (image, corners) => {
    const size = corners.length * 3 * PATCH * PATCH;
    if (buffer.length < size) buffer = new Float32Array(size);
    packPatches(image, corners, PATCH, buffer, 0);
    return runPatchTensor(session, buffer, corners.length);
  };
}
