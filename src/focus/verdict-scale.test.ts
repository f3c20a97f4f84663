import { describe, expect, it } from 'vitest';
import { parseCard } from './model-card.ts';
import { formatScore, formatThreshold, judgeScore, rawScale, verdictScale } from './verdict-scale.ts';

// The card's own fixed points (threshold -9 = grade 5, band [4, 6)), so the test does not follow the product defaults.
const card = parseCard({ threshold: -9, grade: { points: [[-16, 0], [-12, 3], [-9, 5], [-6, 8], [-4, 10]], outOfFocusFrom: 5, borderline: [4, 6] } });

describe('verdict scale', () => {
  it("judges on the card's grades: out of focus from the threshold, borderline within the band", () => {
    const scale = verdictScale(card)!;
    expect(scale).toMatchObject({ name: 'defocus grade', threshold: -9, outOfFocusGrade: 5, borderline: [4, 6], calibration: 'model card' });
    expect(judgeScore(scale, -9)).toEqual({ value: 5, outOfFocus: true, borderline: true });
    expect(judgeScore(scale, -10.5)).toMatchObject({ outOfFocus: false, borderline: true });
    expect(judgeScore(scale, -10.5).value).toBeCloseTo(4, 10);
    expect(judgeScore(scale, -12)).toEqual({ value: 3, outOfFocus: false, borderline: false });
    expect(judgeScore(scale, -6)).toEqual({ value: 8, outOfFocus: true, borderline: false });
    expect(formatScore(scale, -12)).toBe('grade 3.0');
    expect(formatThreshold(scale)).toBe('grade 5.0');
  });

  it('moves the point (and the band with it) by grade or by raw score', () => {
    expect(verdictScale(card, { grade: 8 })).toMatchObject({ threshold: -6, outOfFocusGrade: 8, borderline: [7, 9] });
    expect(verdictScale(card, { score: -12 })).toMatchObject({ threshold: -12, outOfFocusGrade: 3, borderline: [2, 4] });
    expect(judgeScore(verdictScale(card, { grade: 11 })!, 100).outOfFocus).toBe(false); // above the scale: nothing is out
  });

  it('falls back to raw scores and the card threshold for uncalibrated models, with no borderline band', () => {
    const raw = verdictScale({ threshold: -3 })!;
    expect(raw).toEqual(rawScale(-3));
    expect(raw.name).toBe('raw score (uncalibrated)');
    expect(judgeScore(raw, -2.5)).toEqual({ value: -2.5, outOfFocus: true, borderline: false });
    expect(formatScore(raw, -2.5)).toBe('score -2.500');
    expect(formatThreshold(raw)).toBe('score -3.00 (uncalibrated)');
    expect(verdictScale({})).toBeUndefined();
    expect(verdictScale({}, { score: 1 })).toEqual(rawScale(1));
  });
});
