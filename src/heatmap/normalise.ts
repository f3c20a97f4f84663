import { GRADE_MAX, gradeOf } from '../focus/grade.ts';
import type { ModelCard } from '../focus/model-card.ts';
import type { Normaliser } from '../focus/score-range.ts';

export type NormalisationMode = 'relative' | 'absolute';

/** Where a score falls on the colour scale, 0 at `lo` and 1 at `hi`, not clamped (legend markers test the range). */
export function scalePosition(score: number, n: Normaliser): number {
  const v = n.grade ? gradeOf(n.grade, score) : score;
  return (v - n.lo) / (n.hi - n.lo);
}

export function normalise(score: number, n: Normaliser): number {
  const t = scalePosition(score, n);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/**
 * The fixed ("absolute") colour scale of a model: its defocus grades 0–10 when the card has a grade scale (the same
 * colours mean the same blur for every model), else the card's raw display range; undefined when it has neither.
 */
export function absoluteNormaliser(card: Pick<ModelCard, 'grade' | 'displayScale'> | undefined): Normaliser | undefined {
  if (card?.grade) return { lo: 0, hi: GRADE_MAX, grade: card.grade };
  const scale = card?.displayScale;
  return scale && scale[1] > scale[0] ? { lo: scale[0], hi: scale[1] } : undefined;
}
