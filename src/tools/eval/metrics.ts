// The FocusLiteNN paper's Table 1 metrics: SRCC and PLCC against the focus level, ROC-AUC and PR-AUC for the binary
// "out of focus" label (positive = out of focus, higher score = more likely out of focus).

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

export function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Pearson linear correlation; NaN when either side is constant. */
export function plcc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error('plcc: lengths differ');
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Ranks 1…n, ties sharing their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson on tie-averaged ranks). */
export function srcc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return plcc(ranks(x), ranks(y));
}

/**
 * ROC-AUC = P(score of a random positive > score of a random negative), ties counting ½ (Mann–Whitney U).
 * NaN without both classes.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const r = ranks(scores);
  let np = 0;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) {
      np++;
      sum += r[i]!;
    }
  }
  const nn = scores.length - np;
  if (np === 0 || nn === 0) return NaN;
  return (sum - (np * (np + 1)) / 2) / (np * nn);
}

/**
 * PR-AUC as average precision (scikit-learn's definition): Σ over thresholds (R_k − R_{k−1}) · P_k, sweeping the
 * threshold down through the distinct scores (tied scores enter together). NaN without positives.
 */
export function prAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let np = 0;
  for (let i = 0; i < n; i++) if (positive[i]) np++;
  if (np === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[idx[j]!] === scores[idx[i]!]) {
      if (positive[idx[j]!]) tp++;
      else fp++;
      j++;
    }
    const recall = tp / np;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    i = j;
  }
  return ap;
}

/** Accuracy on each class at a threshold (score ≥ t means out of focus), averaged: balanced accuracy. */
export function balancedAccuracy(scores: ArrayLike<number>, positive: ArrayLike<boolean>, threshold: number): number {
  let tp = 0;
  let np = 0;
  let tn = 0;
  let nn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) {
      np++;
      if (scores[i]! >= threshold) tp++;
    } else {
      nn++;
      if (scores[i]! < threshold) tn++;
    }
  }
  return (tp / np + tn / nn) / 2;
}
