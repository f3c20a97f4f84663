// The one reader of model cards (models/*.json), for the app and the CLI alike: the threshold and display scale (under
// any of the names our tools have written them), the stain-density preprocessing the model was calibrated with, and
// its defocus-grade scale. A card that names these but gets them wrong is refused with the reason: a model scored
// without its preprocessing, or judged on a broken scale, would give confident wrong verdicts.
import { BORDERLINE, GRADE_NAME, OUT_OF_FOCUS_GRADE, scoreAtGrade, validateGradeScale, type GradeScale } from './grade.ts';
import type { DensityNormalisation } from './stain-density.ts';

/**
 * The shipped model the app and the CLI use unless told otherwise: the 2-kernel model is the one whose verdicts meet
 * every goal of models/README.md (d) (the 1-kernel model calls 89.8 % of the real FQPath out-of-focus field's patches
 * out of focus, one patch short of 90 %), at the 1-kernel model's cost in the browser (BENCHMARKS.md).
 */
export const DEFAULT_MODEL_NAME = 'focuslite-2kernel';

/** The card's grade scale with its fixed points (grade.ts gives the defaults). */
export interface CardGrade extends GradeScale {
  name: string;
  /** Grade from which a cell or image is out of focus. */
  outOfFocusFrom: number;
  /** Grades in [lo, hi) are borderline. */
  borderline: [number, number];
  /** How the points were fitted (documentation only). */
  rule?: string;
}

export interface ModelCard {
  name?: string;
  kernels?: number;
  /** Raw score from which a patch is out of focus (with a grade scale: the score at its out-of-focus grade). */
  threshold?: number;
  /** Fixed raw-score range for "absolute" colouring of uncalibrated models. */
  displayScale?: [number, number];
  preprocessing?: { density?: DensityNormalisation };
  grade?: CardGrade;
  [key: string]: unknown;
}

/** Which model to score with: its URL (or path) and the preprocessing its card asks for. */
export interface ModelRef {
  url: string;
  density?: DensityNormalisation;
}

/** A ModelRef for an entry with a card. */
export function modelRef(url: string, card: ModelCard | undefined): ModelRef {
  const density = card?.preprocessing?.density;
  return density ? { url, density } : { url };
}

/** One key per model and preprocessing (a cached session serves both; a cached scorer only its own preprocessing). */
export function modelRefKey(ref: ModelRef): string {
  const d = ref.density;
  return d ? `${ref.url}#${d.method}:${d.targetOd}:${d.maxGain}` : ref.url;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks the card's `preprocessing.density`; throws with the reason when it cannot be used. */
export function validateDensity(value: unknown): DensityNormalisation {
  const d = value as Partial<Record<keyof DensityNormalisation, unknown>> | undefined;
  if (!d || typeof d !== 'object') throw new Error('preprocessing.density must be an object');
  if (d.method !== 'mean-od') throw new Error(`preprocessing.density.method must be "mean-od", got ${JSON.stringify(d.method)}`);
  if (!isNumber(d.targetOd) || d.targetOd <= 0) throw new Error(`preprocessing.density.targetOd must be a positive number, got ${JSON.stringify(d.targetOd)}`);
  const maxGain = d.maxGain ?? 4;
  if (!isNumber(maxGain) || maxGain < 1) throw new Error(`preprocessing.density.maxGain must be a number ≥ 1, got ${JSON.stringify(d.maxGain)}`);
  return { method: 'mean-od', targetOd: d.targetOd, maxGain };
}

/** Checks the card's `grade`; throws with the reason when it cannot be used. */
export function validateCardGrade(value: unknown): CardGrade {
  const g = value as Record<string, unknown> | undefined;
  if (!g || typeof g !== 'object') throw new Error('grade must be an object');
  const { points } = validateGradeScale(g);
  const outOfFocusFrom = g.outOfFocusFrom ?? OUT_OF_FOCUS_GRADE;
  if (!isNumber(outOfFocusFrom)) throw new Error(`grade.outOfFocusFrom must be a number, got ${JSON.stringify(g.outOfFocusFrom)}`);
  const band = (g.borderline ?? [...BORDERLINE]) as unknown[];
  const [lo, hi] = band;
  if (!Array.isArray(band) || band.length !== 2 || !isNumber(lo) || !isNumber(hi) || !(lo <= outOfFocusFrom && outOfFocusFrom <= hi)) {
    throw new Error(`grade.borderline must be [lo, hi] around the out-of-focus grade ${outOfFocusFrom}, got ${JSON.stringify(g.borderline)}`);
  }
  const name = g.name ?? GRADE_NAME;
  if (typeof name !== 'string' || !name) throw new Error('grade.name must be a non-empty string');
  return { name, points, outOfFocusFrom, borderline: [lo, hi], ...(typeof g.rule === 'string' ? { rule: g.rule } : {}) };
}

/**
 * A card as written by any of our tools (the threshold and display scale may sit under older names), with its
 * preprocessing and grade scale checked. Throws `<source>: <reason>` for a card that cannot be used.
 */
export function parseCard(raw: unknown, source = 'model card'): ModelCard {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: not a JSON object`);
  const r = raw as ModelCard;
  const card: ModelCard = { ...r };
  const threshold = r.threshold ?? r.decisionThreshold ?? (r.decision as { threshold?: unknown } | undefined)?.threshold;
  if (isNumber(threshold)) card.threshold = threshold;
  else delete card.threshold;
  const scale = r.displayScale ?? (r.display as { scale?: unknown } | undefined)?.scale ?? r.absoluteScale;
  if (Array.isArray(scale) && scale.length === 2 && scale.every(isNumber)) card.displayScale = scale as [number, number];
  else delete card.displayScale;
  try {
    if (r.preprocessing !== undefined && (typeof r.preprocessing !== 'object' || r.preprocessing === null)) throw new Error('preprocessing must be an object');
    const density = (r.preprocessing as { density?: unknown } | undefined)?.density;
    if (r.preprocessing !== undefined) card.preprocessing = density === undefined ? {} : { density: validateDensity(density) };
    if (r.grade !== undefined) card.grade = validateCardGrade(r.grade);
    // The raw threshold and the grade point say the same thing twice; a card where they disagree is not to be trusted.
    if (card.grade && card.threshold !== undefined) {
      const atPoint = scoreAtGrade(card.grade, card.grade.outOfFocusFrom);
      if (Math.abs(atPoint - card.threshold) > 1e-3 * Math.max(1, Math.abs(atPoint))) {
        throw new Error(`threshold ${card.threshold} is not the score at the out-of-focus grade ${card.grade.outOfFocusFrom} of its grade curve (${atPoint.toFixed(5)})`);
      }
    }
  } catch (err) {
    throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return card;
}
