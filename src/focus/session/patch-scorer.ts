import type { RGBAImage } from '../../slide/types.ts';

/** Scores the 235×235 patches of an RGBA image whose top-left corners are given (a model engine with its card's
 * preprocessing: focus/model-engine.ts). */
export type PatchScorer = (image: RGBAImage, corners: readonly { x: number; y: number }[]) => Promise<Float32Array>;
