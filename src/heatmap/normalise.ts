import type { Normaliser } from '../focus/score-range.ts';

export type NormalisationMode = 'relative' | 'absolute';

export function normalise(score: number, n: Normaliser): number {
  const t = (score - n.lo) / (n.hi - n.lo);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}
