// The one readable scale: a defocus grade from 0 (sharp) to 10 (severely out of focus), the same for every model.
// A model's raw score has an arbitrary offset and scale; its card maps scores to grades with a monotone curve fitted on
// held-out simulated defocus (grade = the defocus level z, Gaussian-equivalent blur σ ≈ z/2 px at the model's native
// resolution), so a verdict means the same thing whatever the model. The out-of-focus point and the borderline band
// are fixed points on this scale.

/** What a model card (or a calibration profile) says about turning raw scores into grades. */
export interface GradeScale {
  /** (raw score, grade) pairs, both increasing; scores between points are interpolated, beyond them clamped. */
  points: [number, number][];
}

export const GRADE_NAME = 'defocus grade';
export const GRADE_MAX = 10;
/**
 * A cell or image is out of focus from this grade on (simulated level z = 3, Gaussian-equivalent σ ≈ 1.5 px): the
 * point evaluation set (b) has called out of focus since the first evaluation (models/README.md). Grade 4 (the highest
 * whole grade catching ≥ 95 % of the validation samples at z = 6), used before, left the real FQPath out-of-focus
 * field — a mild defocus, grade 4–5 — half in focus; that real patch prompted the move, no threshold is fitted to it.
 * Verdicts at this point: models/README.md (d).
 */
export const OUT_OF_FOCUS_GRADE = 3;
export const BORDERLINE: readonly [number, number] = [2, 4];

/** Checks a scale from a card or a profile file; throws with the reason when it cannot be used. */
export function validateGradeScale(value: unknown): GradeScale {
  const points = (value as { points?: unknown } | undefined)?.points;
  if (!Array.isArray(points) || points.length < 2) throw new Error('a grade scale needs at least two (score, grade) points');
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as unknown;
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new Error(`grade point ${i + 1} is not a pair of numbers`);
    const prev = points[i - 1] as [number, number] | undefined;
    if (prev && !(p[0] > prev[0] && p[1] >= prev[1])) throw new Error('grade points must rise in score and not fall in grade');
  }
  return { points: points as [number, number][] };
}

/** The grade of a raw score (NaN stays NaN: glass and unscored cells have no grade). */
export function gradeOf(scale: GradeScale, score: number): number {
  if (!Number.isFinite(score)) return Number.NaN;
  const pts = scale.points;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (score <= first[0]) return clampGrade(first[1]);
  if (score >= last[0]) return clampGrade(last[1]);
  let i = 1;
  while (pts[i]![0] < score) i++;
  const [s0, g0] = pts[i - 1]!;
  const [s1, g1] = pts[i]!;
  return clampGrade(g0 + ((score - s0) / (s1 - s0)) * (g1 - g0));
}

/** The raw score at which a grade is reached (the lowest such score); the inverse of gradeOf on its rising part. */
export function scoreAtGrade(scale: GradeScale, grade: number): number {
  const pts = scale.points;
  if (grade <= pts[0]![1]) return pts[0]![0];
  for (let i = 1; i < pts.length; i++) {
    const [s0, g0] = pts[i - 1]!;
    const [s1, g1] = pts[i]!;
    if (grade <= g1 && g1 > g0) return s0 + ((grade - g0) / (g1 - g0)) * (s1 - s0);
  }
  return pts[pts.length - 1]![0];
}

function clampGrade(g: number): number {
  return Math.min(GRADE_MAX, Math.max(0, g));
}

/** Grades as people read them: one decimal. */
export function formatGrade(grade: number): string {
  return Number.isFinite(grade) ? grade.toFixed(1) : '–';
}
