import { describe, expect, it } from 'vitest';
import { balancedAccuracy, median, plcc, prAuc, ranks, rocAuc, srcc } from './metrics.ts';

describe('metrics on hand-computable cases', () => {
  it('PLCC', () => {
    expect(plcc([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(plcc([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // deviations (−1.5, −.5, .5, 1.5) and (−1.5, .5, −.5, 1.5): Σxy = 4, Σx² = Σy² = 5
    expect(plcc([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(plcc([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('SRCC with ties uses average ranks', () => {
    expect(Array.from(ranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    // ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): Σxy = 4.5, Σx² = 4.5, Σy² = 5
    expect(srcc([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
    // monotone but non-linear: SRCC 1, PLCC below 1
    expect(srcc([1, 2, 3, 4], [1, 4, 9, 100])).toBeCloseTo(1, 12);
    expect(plcc([1, 2, 3, 4], [1, 4, 9, 100])).toBeLessThan(0.9);
  });

  it('ROC-AUC (scikit-learn example and ties)', () => {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75: of 4 positive/negative pairs, 3 are ordered right
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
    expect(rocAuc([1, 1], [true, false])).toBeCloseTo(0.5, 12);
    expect(rocAuc([3, 1, 2], [true, false, false])).toBeCloseTo(1, 12);
    expect(rocAuc([0, 1, 2], [true, false, false])).toBeCloseTo(0, 12);
    expect(rocAuc([1, 2], [true, true])).toBeNaN();
  });

  it('PR-AUC as average precision (scikit-learn example and ties)', () => {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333: P = 1 at R = 0.5, P = 2/3 at R = 1
    expect(prAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
    // a tie between a positive and a negative enters together: precision 1/2 at recall 1
    expect(prAuc([1, 1], [true, false])).toBeCloseTo(0.5, 12);
    expect(prAuc([5, 4, 1], [true, true, false])).toBeCloseTo(1, 12);
    expect(prAuc([1, 2], [false, false])).toBeNaN();
  });

  it('median and balanced accuracy', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    // threshold 0.5: positives 0.8 ✓, 0.4 ✗ → ½; negatives 0.1 ✓, 0.6 ✗ → ½
    expect(balancedAccuracy([0.8, 0.4, 0.1, 0.6], [true, true, false, false], 0.5)).toBeCloseTo(0.5, 12);
    expect(balancedAccuracy([0.8, 0.7, 0.1, 0.2], [true, true, false, false], 0.5)).toBeCloseTo(1, 12);
  });
});
