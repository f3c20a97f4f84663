import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BORDERLINE, OUT_OF_FOCUS_GRADE, scoreAtGrade, validateGradeScale } from '../../focus/grade.ts';
import { calibrate, withCalibration } from './card.ts';
import { fitGradeScale, poolAdjacentViolators } from './grade-fit.ts';

describe('grade fit', () => {
  it('is exact on monotone level medians, and levels above 10 only saturate', () => {
    const scores: number[] = [];
    const levels: number[] = [];
    for (let z = 0; z <= 14; z++) for (const d of [-0.5, 0, 0.5]) {
      scores.push(z * 2 + d);
      levels.push(z);
    }
    expect(fitGradeScale(scores, levels).points).toEqual(Array.from({ length: 11 }, (_, z) => [z * 2, z]));
  });

  it('pools levels whose medians fall, into one point at their mean score and level', () => {
    // medians 0: 5, 1: 3 (falls), 2: 8 → 0 and 1 pooled at (4, 0.5)
    const scale = fitGradeScale([5, 5, 3, 3, 8, 8], [0, 0, 1, 1, 2, 2]);
    expect(scale.points).toEqual([
      [4, 0.5],
      [8, 2],
    ]);
    expect(() => validateGradeScale(scale)).not.toThrow();
    // weighted pooling, and equal values pooled too (scores must strictly rise)
    expect(poolAdjacentViolators([1, 3, 3, 2], [0, 1, 2, 3], [1, 1, 2, 1]).map((b) => [b.value, b.level, b.weight])).toEqual([
      [1, 0, 1],
      [(3 + 6 + 2) / 4, (1 + 4 + 3) / 4, 4],
    ]);
  });

  it('refuses scores that do not rise with the level', () => {
    expect(() => fitGradeScale([3, 2, 1], [0, 1, 2])).toThrow(/do not rise/);
  });
});

describe('calibration and card', () => {
  const scores: number[] = [];
  const levels: number[] = [];
  for (let z = 0; z <= 14; z++) for (const d of [-0.3, 0, 0.3]) {
      scores.push(-10 + z + d);
      levels.push(z);
    }
  const density = { method: 'mean-od' as const, targetOd: 0.4, maxGain: 4 };

  it('puts the threshold at the out-of-focus grade and the display range at grades 0 and 10', () => {
    const cal = calibrate(scores, levels, { density });
    // level z's median score is −10 + z, so grade g sits at score −10 + g
    expect(cal.threshold).toBe(-10 + OUT_OF_FOCUS_GRADE);
    expect(cal.threshold).toBe(scoreAtGrade(cal.grade, OUT_OF_FOCUS_GRADE));
    expect(cal.displayScale).toEqual([-10, 0]);
    // out of focus = z ≥ the point: levels point…14, 3 samples each; of those only the lowest z = point sample
    // (−0.3) falls below the threshold, and every in-focus sample (≤ −10 + point − 0.7) is below it: ((n − 1)/n + 1) / 2
    const positives = 3 * (14 - OUT_OF_FOCUS_GRADE + 1);
    expect(cal.validation.balancedAccuracy).toBeCloseTo(((positives - 1) / positives + 1) / 2, 10);
  });

  it('round-trips through a card: the contract fields, the old ones consistent, the rest kept', () => {
    const cal = calibrate(scores, levels, { density });
    const old = { format: 'focuslite-model-card/1', onnx: { sha256: 'x' }, threshold: 1, displayScale: [0, 1], decision: { threshold: 1 }, training: { seed: 1 }, metrics: { evaluation: { a: 1 } } };
    const card = JSON.parse(JSON.stringify(withCalibration(old, cal, 'test')));
    expect(Object.keys(card)).toEqual(['format', 'onnx', 'preprocessing', 'grade', 'threshold', 'displayScale', 'decision', 'display', 'calibration', 'training', 'metrics']);
    expect(card.preprocessing).toEqual({ density });
    expect(validateGradeScale(card.grade).points).toEqual(cal.grade.points);
    expect(card.grade).toMatchObject({ name: 'defocus grade', outOfFocusFrom: OUT_OF_FOCUS_GRADE, borderline: [...BORDERLINE] });
    expect(card.threshold).toBe(-10 + OUT_OF_FOCUS_GRADE);
    expect(card.decision.threshold).toBe(card.threshold);
    expect(card.display.scale).toEqual(card.displayScale);
    expect(card.metrics.evaluation).toEqual({ a: 1 });
    expect(card.metrics.validation.samples).toBe(45);
    // recalibrating a calibrated card gives the same card
    expect(JSON.parse(JSON.stringify(withCalibration(card, cal, 'test')))).toEqual(card);
    // without a normalisation there is no preprocessing (no normalisation runs)
    expect(withCalibration(old, calibrate(scores, levels), 'test')).not.toHaveProperty('preprocessing');
  });

  it('the shipped cards: threshold = the score at the out-of-focus grade of their curve, display range at grades 0 and 10', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'models');
    const cards = readdirSync(dir).filter((f) => /^focuslite-\d+kernel\.json$/.test(f));
    expect(cards.length).toBe(3);
    for (const f of cards) {
      const card = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const grade = validateGradeScale(card.grade);
      expect(card.threshold, f).toBeCloseTo(scoreAtGrade(grade, OUT_OF_FOCUS_GRADE), 5);
      expect(card.decision.threshold, f).toBe(card.threshold);
      expect(card.displayScale, f).toEqual([scoreAtGrade(grade, 0), scoreAtGrade(grade, 10)].map((v) => Number(v.toFixed(5))));
      expect(card.preprocessing.density, f).toMatchObject({ method: 'mean-od', maxGain: 4 });
    }
  });
});
