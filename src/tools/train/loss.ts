// Losses over a batch and their gradients with respect to the batch's scores.

export type LossKind = 'plcc' | 'mse';

export interface LossResult {
  loss: number;
  /** dLoss/dscore_i */
  grad: Float64Array;
}

/**
 * 1 − PLCC(scores, labels), the FocusLiteNN training loss: only the ordering and linearity matter, not offset or
 * scale. With a = s − mean(s), b = y − mean(y): dPLCC/ds_i = (b_i − PLCC·√(Σb²/Σa²)·a_i) / √(Σa²·Σb²).
 */
export function plccLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): LossResult {
  const n = scores.length;
  let ms = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    ms += scores[i]!;
    my += labels[i]!;
  }
  ms /= n;
  my /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const a = scores[i]! - ms;
    const b = labels[i]! - my;
    sab += a * b;
    saa += a * a;
    sbb += b * b;
  }
  const grad = new Float64Array(n);
  const eps = 1e-12;
  if (saa < eps || sbb < eps) return { loss: 1, grad };
  const den = Math.sqrt(saa * sbb);
  const r = sab / den;
  const k = r * Math.sqrt(sbb / saa);
  for (let i = 0; i < n; i++) grad[i] = -((labels[i]! - my) - k * (scores[i]! - ms)) / den;
  return { loss: 1 - r, grad };
}

/** Mean squared error against the labels (absolute-scale models: score ≈ z-level). */
export function mseLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): LossResult {
  const n = scores.length;
  const grad = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = scores[i]! - labels[i]!;
    loss += d * d;
    grad[i] = (2 * d) / n;
  }
  return { loss: loss / n, grad };
}

export function lossFor(kind: LossKind): (s: ArrayLike<number>, y: ArrayLike<number>) => LossResult {
  return kind === 'plcc' ? plccLoss : mseLoss;
}
