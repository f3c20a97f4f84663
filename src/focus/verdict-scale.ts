// How raw scores become what people read and act on: the scale values are shown on (the card's defocus grade, or the
// raw score for an uncalibrated model), the out-of-focus point and the borderline band. Every view (heatmap, hover,
// quick check, scan summary, reports, CLI) judges through this, so they all agree. A cell is out of focus when its
// raw score is at or above `threshold` (the report contract); borderline cells are counted and shown, never flipped.
import { formatGrade, gradeOf, scoreAtGrade, type GradeScale } from './grade.ts';
import type { ModelCard } from './model-card.ts';

export const RAW_SCALE_NAME = 'raw score (uncalibrated)';
/** Where the scale and threshold came from; a later calibration profile names itself here. */
export const CARD_CALIBRATION = 'model card';

export interface VerdictScale {
  /** 'defocus grade' (or the card's grade name), or RAW_SCALE_NAME. */
  name: string;
  /** The grade curve; undefined when the model is uncalibrated (values are raw scores). */
  grade?: GradeScale;
  /** Raw score from which a cell or image is out of focus. */
  threshold: number;
  /** The threshold on the grade scale (undefined when uncalibrated). */
  outOfFocusGrade?: number;
  /** Grades in [lo, hi) are borderline (undefined when uncalibrated: no uncertainty is known). */
  borderline?: [number, number];
  calibration: string;
}

/** A scale without a grade: raw scores and a raw threshold (old cards, official weights, a batch midpoint). */
export function rawScale(threshold: number, calibration = CARD_CALIBRATION): VerdictScale {
  return { name: RAW_SCALE_NAME, threshold, calibration };
}

/**
 * The scale of a model card. `pointGrade` moves the out-of-focus point on the grade scale (a user's threshold in the
 * app), `pointScore` sets it as a raw score (the CLI's --threshold); the borderline band moves with the point.
 * Undefined when the card has neither a grade scale nor a threshold and none is given.
 */
export function verdictScale(card: ModelCard | undefined, point: { grade?: number; score?: number } = {}, calibration = CARD_CALIBRATION): VerdictScale | undefined {
  const g = card?.grade;
  const given = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  if (!g) {
    const threshold = given(point.score) ? point.score : card?.threshold;
    return threshold !== undefined && Number.isFinite(threshold) ? rawScale(threshold, calibration) : undefined;
  }
  let threshold: number;
  let outOfFocusGrade: number;
  if (given(point.grade)) {
    outOfFocusGrade = point.grade;
    // Beyond the top of the scale nothing reaches the point (scoreAtGrade would stop at the last point's score).
    threshold = point.grade > g.points[g.points.length - 1]![1] ? Number.POSITIVE_INFINITY : scoreAtGrade(g, point.grade);
  } else if (given(point.score)) {
    threshold = point.score;
    outOfFocusGrade = gradeOf(g, point.score);
  } else {
    outOfFocusGrade = g.outOfFocusFrom;
    threshold = card?.threshold ?? scoreAtGrade(g, g.outOfFocusFrom);
  }
  const shift = outOfFocusGrade - g.outOfFocusFrom;
  return { name: g.name, grade: g, threshold, outOfFocusGrade, borderline: [g.borderline[0] + shift, g.borderline[1] + shift], calibration };
}

export interface Judgement {
  /** The value shown: the grade, or the raw score when uncalibrated (NaN for glass). */
  value: number;
  outOfFocus: boolean;
  borderline: boolean;
}

/** A score as the scale shows it. */
export function scaleValue(scale: VerdictScale, score: number): number {
  return scale.grade ? gradeOf(scale.grade, score) : score;
}

/** The verdict on one raw score (a cell's or an image's). */
export function judgeScore(scale: VerdictScale, score: number): Judgement {
  const value = scaleValue(scale, score);
  const band = scale.borderline;
  return { value, outOfFocus: score >= scale.threshold, borderline: band !== undefined && value >= band[0] && value < band[1] };
}

/** A score for people: "grade 3.4" on a grade scale, the raw score to three decimals otherwise. */
export function formatScore(scale: VerdictScale, score: number): string {
  if (scale.grade) return `grade ${formatGrade(gradeOf(scale.grade, score))}`;
  return Number.isFinite(score) ? `score ${score.toFixed(3)}` : 'score –';
}

/** The threshold for people: "grade 5.0" or "score −12.71 (uncalibrated)". */
export function formatThreshold(scale: VerdictScale): string {
  return scale.grade && scale.outOfFocusGrade !== undefined ? `grade ${formatGrade(scale.outOfFocusGrade)}` : `score ${scale.threshold.toFixed(2)} (uncalibrated)`;
}
