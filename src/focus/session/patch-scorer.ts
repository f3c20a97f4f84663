import type { RGBAImage } from '../../slide/types.ts';
import type { DensityNormalisation } from '../stain-density.ts';
import { scorePatches, type FocusSession } from './session.ts';

/** Scores the 235×235 patches of an RGBA image whose top-left corners are given. */
export type PatchScorer = (image: RGBAImage, corners: readonly { x: number; y: number }[]) => Promise<Float32Array>;

/** A scorer over one session (packing buffers are reused per session, see scorePatches), with the card's preprocessing. */
export function createPatchScorer(session: FocusSession, density?: DensityNormalisation): PatchScorer {
  return (image, corners) => scorePatches(session, image, corners, density ? { density } : {});
}
