import { describe, expect, it } from 'vitest';
import { gradeOf, OUT_OF_FOCUS_GRADE, scoreAtGrade, validateGradeScale } from './grade.ts';

const scale = validateGradeScale({ points: [[-16, 0], [-12, 3], [-9, 5], [-6, 8], [-4, 10]] });

describe('grade scale', () => {
  it('interpolates between points, clamps beyond them, and keeps NaN for unscored cells', () => {
    expect(gradeOf(scale, -16)).toBe(0);
    expect(gradeOf(scale, -20)).toBe(0);
    expect(gradeOf(scale, -10.5)).toBeCloseTo(4, 10);
    expect(gradeOf(scale, -2)).toBe(10);
    expect(gradeOf(scale, Number.NaN)).toBeNaN();
  });

  it('scoreAtGrade inverts gradeOf', () => {
    for (const g of [0.5, 3, 4.2, 5, 7.9, 9.5]) expect(gradeOf(scale, scoreAtGrade(scale, g))).toBeCloseTo(g, 10);
    expect(scoreAtGrade(scale, 5)).toBe(-9);
    expect(scoreAtGrade(scale, 4)).toBeCloseTo(-10.5, 10);
    expect(gradeOf(scale, scoreAtGrade(scale, OUT_OF_FOCUS_GRADE))).toBeCloseTo(OUT_OF_FOCUS_GRADE, 10);
  });

  it('a flat stretch maps a grade to the lowest score that reaches it', () => {
    const flat = validateGradeScale({ points: [[-10, 0], [-8, 5], [-6, 5], [-4, 10]] });
    expect(scoreAtGrade(flat, 5)).toBe(-8);
  });

  it('refuses scales it cannot use, saying why', () => {
    expect(() => validateGradeScale({ points: [[0, 1]] })).toThrow(/at least two/);
    expect(() => validateGradeScale({ points: [[0, 1], [0, 2]] })).toThrow(/rise/);
    expect(() => validateGradeScale({ points: [[0, 2], [1, 1]] })).toThrow(/rise/);
    expect(() => validateGradeScale({ points: [[0, 1], ['x', 2]] })).toThrow(/pair of numbers/);
    expect(() => validateGradeScale(undefined)).toThrow();
  });
});
