// Calibration of a trained model on the held-out simulated samples, and its model card.
import { describeInput, INPUT_NAME, OUTPUT_NAME } from '../../focus/session/input-layout.ts';
import { architectureString, CONV_OUT, defaultLayout, ONNX_IR_VERSION, ONNX_OPSET } from '../model/onnx-builder.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { parameterCount, type FocusWeights } from '../model/weights.ts';
import { balancedAccuracy, plcc, rocAuc, srcc } from '../eval/metrics.ts';
import { BORDERLINE, GRADE_MAX, GRADE_NAME, OUT_OF_FOCUS_GRADE, scoreAtGrade, validateGradeScale, type GradeScale } from '../../focus/grade.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import { fitGradeScale, GRADE_FIT_RULE } from './grade-fit.ts';

/** Separation the density target is chosen by: clearly sharp (z ≤ 3) against clearly defocused (z ≥ 6) samples. */
export const SHARP_MAX_Z = 3;
export const BLURRED_MIN_Z = 6;

export interface LevelStats {
  z: number;
  n: number;
  median: number;
  q1: number;
  q3: number;
}

/** How the stain-density target was chosen: the separation reached by each candidate on the validation samples. */
export interface DensityChoice {
  rule: string;
  /** ROC-AUC of z ≥ 6 against z ≤ 3 without normalisation (the model alone). */
  raw: number;
  candidates: { targetOd: number; separation: number }[];
}

export interface Calibration {
  levels: LevelStats[];
  /** The stain-density normalisation the scores were made with (none: raw model). */
  density?: DensityNormalisation;
  densityChoice?: DensityChoice;
  /** Median raw (unnormalised) score per level, when the scores above were normalised: checks a rebuild of the samples. */
  rawMedians?: Record<string, number>;
  /** Raw score → defocus grade (grade-fit.ts), points rounded as written in the card. */
  grade: GradeScale;
  /** Scores ≥ threshold are called out of focus: the score at grade OUT_OF_FOCUS_GRADE. */
  threshold: number;
  thresholdRule: string;
  /** Scores at grade 0 and grade GRADE_MAX: the app's "absolute" heatmap range. */
  displayScale: [number, number];
  displayRule: string;
  validation: { samples: number; plcc: number; srcc: number; rocAuc: number; balancedAccuracy: number; separation: number };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const p = q * (sorted.length - 1);
  const i = Math.floor(p);
  const f = p - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/** Per-level score quartiles. */
export function levelStats(scores: ArrayLike<number>, labels: ArrayLike<number>): LevelStats[] {
  const byLevel = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const z = labels[i]!;
    if (!byLevel.has(z)) byLevel.set(z, []);
    byLevel.get(z)!.push(scores[i]!);
  }
  return [...byLevel.keys()]
    .sort((a, b) => a - b)
    .map((z) => {
      const v = byLevel.get(z)!.sort((a, b) => a - b);
      return { z, n: v.length, median: quantile(v, 0.5), q1: quantile(v, 0.25), q3: quantile(v, 0.75) };
    });
}

/** ROC-AUC of clearly defocused (z ≥ 6) against clearly sharp (z ≤ 3) samples; the levels between are left out. */
export function separation(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const s: number[] = [];
  const pos: boolean[] = [];
  for (let i = 0; i < scores.length; i++) {
    const z = labels[i]!;
    if (z > SHARP_MAX_Z && z < BLURRED_MIN_Z) continue;
    s.push(scores[i]!);
    pos.push(z >= BLURRED_MIN_Z);
  }
  return rocAuc(s, pos);
}

/**
 * Calibrates a model from its scores on held-out samples of known defocus level (made with `density`, the card's
 * normalisation, if any): the grade curve (grade-fit.ts), the out-of-focus threshold = the score at grade OUT_OF_FOCUS_GRADE, and the
 * display range = the scores at grades 0 and 10.
 */
export function calibrate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  density?: { density: DensityNormalisation; choice?: DensityChoice; rawScores?: ArrayLike<number> },
): Calibration {
  const levels = levelStats(scores, labels);
  const fitted = fitGradeScale(scores, labels);
  const grade = validateGradeScale({ points: fitted.points.map(([s, g]) => [round(s), round(g, 4)]) });
  const threshold = scoreAtGrade(grade, OUT_OF_FOCUS_GRADE);
  const displayScale: [number, number] = [scoreAtGrade(grade, 0), scoreAtGrade(grade, GRADE_MAX)];
  const positive = Array.from(labels, (z) => z >= OUT_OF_FOCUS_GRADE);
  return {
    levels,
    ...(density
      ? {
          density: density.density,
          ...(density.choice ? { densityChoice: density.choice } : {}),
          ...(density.rawScores ? { rawMedians: levelMedians({ levels: levelStats(density.rawScores, labels) }) } : {}),
        }
      : {}),
    grade,
    threshold,
    thresholdRule: `the score at defocus grade ${OUT_OF_FOCUS_GRADE} of the grade curve (simulated level z = ${OUT_OF_FOCUS_GRADE}, Gaussian-equivalent σ ≈ 1.5 px; see src/focus/grade.ts for why this point); score ≥ threshold = out of focus`,
    displayScale,
    displayRule: `the scores at defocus grades 0 (in focus) and ${GRADE_MAX} (severely defocused) of the grade curve`,
    validation: {
      samples: scores.length,
      plcc: plcc(scores, labels),
      srcc: srcc(scores, labels),
      rocAuc: rocAuc(scores, positive),
      balancedAccuracy: balancedAccuracy(scores, positive, threshold),
      separation: separation(scores, labels),
    },
  };
}

/** The card's per-level summary: median score of each level. */
export function levelMedians(c: Pick<Calibration, 'levels'>): Record<string, number> {
  return Object.fromEntries(c.levels.map((l) => [`z${l.z}`, round(l.median)]));
}

export function round(v: number, digits = 5): number {
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : v;
}

/** The card keys a calibration writes; every other key of a card is left as it is by recalibration. */
const CALIBRATION_KEYS = ['preprocessing', 'grade', 'threshold', 'displayScale', 'decision', 'display', 'calibration'] as const;

/** The card fields of a calibration (the model-card contract: preprocessing, grade, threshold, displayScale). */
export function calibrationFields(cal: Calibration, command: string): Partial<Record<(typeof CALIBRATION_KEYS)[number], unknown>> {
  const threshold = round(cal.threshold);
  const scale = [round(cal.displayScale[0]), round(cal.displayScale[1])];
  return {
    // without `preprocessing` no normalisation runs (the contract), so a raw calibration leaves it out
    ...(cal.density ? { preprocessing: { density: { method: cal.density.method, targetOd: cal.density.targetOd, maxGain: cal.density.maxGain } } } : {}),
    grade: { name: GRADE_NAME, points: cal.grade.points, outOfFocusFrom: OUT_OF_FOCUS_GRADE, borderline: [...BORDERLINE], rule: GRADE_FIT_RULE },
    threshold,
    displayScale: scale,
    decision: { threshold, rule: cal.thresholdRule, validationBalancedAccuracy: round(cal.validation.balancedAccuracy, 4) },
    display: { scale, rule: cal.displayRule },
    calibration: {
      command,
      data: 'the held-out validation samples of the training run, rebuilt from the card (same slides, seed and simulation), scored by the shipped ONNX model through the product\'s scorePatches',
      ...(cal.densityChoice
        ? {
            densityTarget: {
              rule: cal.densityChoice.rule,
              separationWithoutNormalisation: round(cal.densityChoice.raw, 4),
              separationByTarget: Object.fromEntries(cal.densityChoice.candidates.map((c) => [String(c.targetOd), round(c.separation, 4)])),
            },
          }
        : {}),
      ...(cal.rawMedians ? { medianScoreByLevelWithoutNormalisation: cal.rawMedians } : {}),
    },
  };
}

/** The validation metrics a calibration records in the card. */
function validationMetrics(cal: Calibration): Record<string, unknown> {
  return {
    note: `held-out simulated samples (a band of the training slide never used for training), label = z, scores ${cal.density ? `with the stain-density normalisation (target OD ${cal.density.targetOd})` : 'of the model alone'}; out of focus = z ≥ ${OUT_OF_FOCUS_GRADE} for the ROC-AUC and the balanced accuracy at the threshold; separation = ROC-AUC of z ≥ ${BLURRED_MIN_Z} against z ≤ ${SHARP_MAX_Z}`,
    samples: cal.validation.samples,
    plcc: round(cal.validation.plcc, 4),
    srcc: round(cal.validation.srcc, 4),
    rocAuc: round(cal.validation.rocAuc, 4),
    balancedAccuracy: round(cal.validation.balancedAccuracy, 4),
    separation: round(cal.validation.separation, 4),
    medianScoreByLevel: levelMedians(cal),
  };
}

/**
 * A card with a calibration written in (new card or recalibrated one: the same fields either way). The calibration
 * keys go after `onnx`, in a fixed order, and replace metrics.validation; the rest of the card is kept as it is.
 */
export function withCalibration(card: Record<string, unknown>, cal: Calibration, command: string): Record<string, unknown> {
  const fields = calibrationFields(cal, command);
  const out: Record<string, unknown> = {};
  const insert = () => Object.assign(out, fields);
  let inserted = false;
  for (const [k, v] of Object.entries(card)) {
    if ((CALIBRATION_KEYS as readonly string[]).includes(k)) continue;
    out[k] = k === 'metrics' ? { ...(v as Record<string, unknown>), validation: validationMetrics(cal) } : v;
    if (k === 'onnx') {
      insert();
      inserted = true;
    }
  }
  if (!inserted) insert();
  if (!('metrics' in out)) out.metrics = { validation: validationMetrics(cal) };
  return out;
}

export interface CardInput {
  name: string;
  onnxFile: string;
  weightsFile: string;
  weights: FocusWeights;
  onnxBytes: number;
  onnxSha256: string;
  onnxParityMaxAbsDiff: number;
  calibration: Calibration;
  /** The command recorded as the calibration's (default the training command). */
  calibrationCommand?: string;
  training: Record<string, unknown>;
}

export function modelCard(c: CardInput): Record<string, unknown> {
  const card = {
    format: 'focuslite-model-card/1',
    name: c.name,
    model: c.onnxFile,
    weights: c.weightsFile,
    architecture: architectureString(c.weights),
    kernels: c.weights.kernels,
    parameters: parameterCount(c.weights),
    input: { name: INPUT_NAME, ...describeInput(defaultLayout(c.weights)) },
    output: { name: OUTPUT_NAME, type: 'float32', shape: ['N', 1], meaning: 'patch focus score, higher = blurrier' },
    convMap: [CONV_OUT, CONV_OUT],
    imageScore: { patch: PATCH, stride: STRIDE, aggregate: 'mean of patch scores', corners: '0, stride, 2·stride, … while corner + patch ≤ side; rows outer' },
    onnx: { opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, bytes: c.onnxBytes, sha256: c.onnxSha256, maxAbsDiffVsTypeScriptForward: c.onnxParityMaxAbsDiff },
    training: c.training,
    metrics: {},
    licence: 'MIT (same as the FocusLite Viewer project). Trained by the project from its own simulation; no official FocusLiteNN weights, FocusPath or TCGA@Focus data were used.',
  };
  return withCalibration(card, c.calibration, c.calibrationCommand ?? String(c.training.command ?? ''));
}
