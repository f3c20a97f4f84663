// Calibration of a trained model on the held-out simulated samples, and its model card.
import { describeInput, INPUT_NAME, OUTPUT_NAME } from '../../focus/session/input-layout.ts';
import { architectureString, CONV_OUT, defaultLayout, ONNX_IR_VERSION, ONNX_OPSET } from '../model/onnx-builder.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { parameterCount, type FocusWeights } from '../model/weights.ts';
import { balancedAccuracy, plcc, rocAuc, srcc } from '../eval/metrics.ts';

/** The documented level from which a patch counts as out of focus: z = 3, Gaussian-equivalent σ ≈ 1.5 px. */
export const OUT_OF_FOCUS_Z = 3;

export interface LevelStats {
  z: number;
  n: number;
  median: number;
  q1: number;
  q3: number;
}

export interface Calibration {
  levels: LevelStats[];
  /** Scores ≥ threshold are called out of focus. */
  threshold: number;
  thresholdRule: string;
  /** [lo, hi] for the app's "absolute" heatmap normalisation. */
  displayScale: [number, number];
  displayRule: string;
  validation: { samples: number; plcc: number; srcc: number; rocAuc: number; balancedAccuracy: number };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const p = q * (sorted.length - 1);
  const i = Math.floor(p);
  const f = p - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/**
 * Threshold: midway between the median scores of z = 2 and z = 3 (the nearest levels on either side of the boundary)
 * on held-out samples, i.e. where the median level crosses into "out of focus". Display scale: the median scores of
 * the sharpest and the blurriest level.
 */
export function calibrate(scores: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const byLevel = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const z = labels[i]!;
    if (!byLevel.has(z)) byLevel.set(z, []);
    byLevel.get(z)!.push(scores[i]!);
  }
  const levels: LevelStats[] = [...byLevel.keys()]
    .sort((a, b) => a - b)
    .map((z) => {
      const v = byLevel.get(z)!.sort((a, b) => a - b);
      return { z, n: v.length, median: quantile(v, 0.5), q1: quantile(v, 0.25), q3: quantile(v, 0.75) };
    });
  // the closest levels on either side of the boundary: z = 2 and z = 3 for the simulated levels; labels that do not
  // straddle it (e.g. 0/1 in-/out-of-focus lists) fall back to the lowest and the highest label
  let below = levels.filter((l) => l.z < OUT_OF_FOCUS_Z).pop();
  let above = levels.find((l) => l.z >= OUT_OF_FOCUS_Z);
  if (!below || !above) {
    below = levels[0];
    above = levels[levels.length - 1];
  }
  if (!below || !above || below === above) throw new Error('calibration needs validation samples of at least two labels');
  const threshold = (below.median + above.median) / 2;
  const lo = levels[0]!;
  const hi = levels[levels.length - 1]!;
  const positive = Array.from(labels, (z) => z >= above.z);
  return {
    levels,
    threshold,
    thresholdRule:
      above.z === OUT_OF_FOCUS_Z
        ? `midpoint of the median validation scores at z = ${below.z} and z = ${above.z} (simulated defocus; out of focus from z = ${OUT_OF_FOCUS_Z} ≈ Gaussian σ 1.5 px); score ≥ threshold = out of focus`
        : `midpoint of the median validation scores at labels ${below.z} and ${above.z} (out of focus from ${above.z}); score ≥ threshold = out of focus`,
    displayScale: [lo.median, hi.median],
    displayRule: `median validation scores at z = ${lo.z} (in focus) and z = ${hi.z} (most defocused)`,
    validation: {
      samples: scores.length,
      plcc: plcc(scores, labels),
      srcc: srcc(scores, labels),
      rocAuc: rocAuc(scores, positive),
      balancedAccuracy: balancedAccuracy(scores, positive, threshold),
    },
  };
}

/** The card's per-level summary: median score of each level. */
export function levelMedians(c: Calibration): Record<string, number> {
  return Object.fromEntries(c.levels.map((l) => [`z${l.z}`, round(l.median)]));
}

export function round(v: number, digits = 5): number {
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : v;
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
  training: Record<string, unknown>;
}

export function modelCard(c: CardInput): Record<string, unknown> {
  const cal = c.calibration;
  return {
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
    threshold: round(cal.threshold),
    displayScale: [round(cal.displayScale[0]), round(cal.displayScale[1])],
    decision: { threshold: round(cal.threshold), rule: cal.thresholdRule, validationBalancedAccuracy: round(cal.validation.balancedAccuracy, 4) },
    display: { scale: [round(cal.displayScale[0]), round(cal.displayScale[1])], rule: cal.displayRule },
    training: c.training,
    metrics: {
      validation: {
        note: 'held-out simulated samples (a band of the training slide never used for training), label = z',
        samples: cal.validation.samples,
        plcc: round(cal.validation.plcc, 4),
        srcc: round(cal.validation.srcc, 4),
        rocAuc: round(cal.validation.rocAuc, 4),
        medianScoreByLevel: levelMedians(cal),
      },
    },
    licence: 'MIT (same as the FocusLite Viewer project). Trained by the project from its own simulation; no official FocusLiteNN weights, FocusPath or TCGA@Focus data were used.',
  };
}
