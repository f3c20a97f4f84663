import { describe, expect, it } from 'vitest';
import { fitOutOfFocusPoint, fitProfile, parseProfile, PROFILE_FORMAT, profileFits } from './calibration-profile.ts';

describe('calibration profiles', () => {
  it('puts the point midway across the gap when the examples separate', () => {
    expect(fitOutOfFocusPoint([1, 2.5, 3], [6, 7.5])).toEqual({ point: 4.5, balancedAccuracy: 1, overlapping: 0 });
  });

  it('takes the cut with the best balanced accuracy when they overlap a little, and says so', () => {
    const fit = fitOutOfFocusPoint([1, 2, 3, 4, 5, 6.5, 2, 3, 1, 2], [6, 7, 8, 9, 7, 8, 9, 8, 7, 6.8]);
    expect(fit.overlapping).toBe(1);
    expect(fit.balancedAccuracy).toBeCloseTo(0.95, 10);
    expect(fit.point).toBeGreaterThan(5);
    expect(fit.point).toBeLessThan(6.8);
    expect(fit.warning).toMatch(/1 example/);
  });

  it('refuses examples that do not separate, or too few of them', () => {
    expect(() => fitOutOfFocusPoint([5, 6, 7], [4, 5, 6])).toThrow(/do not separate/);
    expect(() => fitOutOfFocusPoint([8, 9], [1, 2])).toThrow(/do not separate/); // the labels the wrong way round
    expect(() => fitOutOfFocusPoint([1], [8, 9])).toThrow(/at least 2 in-focus/);
    expect(() => fitOutOfFocusPoint([1, 2, Number.NaN], [8, Number.NaN])).toThrow(/have 2 and 1/); // glass has no grade
  });

  it('writes a profile that parses back to itself', () => {
    const { profile } = fitProfile({ name: ' Scanner 2 · H&E ', model: 'focuslite-1kernel', scale: 'defocus grade', inFocus: [1, 2], outOfFocus: [7, 8], now: new Date('2026-12-06T12:00:00Z') });
    expect(profile.name).toBe('Scanner 2 · H&E');
    expect(profile.outOfFocusFrom).toBe(4.5);
    expect(parseProfile(JSON.stringify(profile))).toEqual(profile);
    expect(() => fitProfile({ name: ' ', model: 'm', scale: 'raw score', inFocus: [1, 2], outOfFocus: [7, 8] })).toThrow(/needs a name/);
  });

  it('refuses files that are not profiles, naming what is wrong', () => {
    expect(() => parseProfile('{')).toThrow(/not JSON/);
    expect(() => parseProfile('{"format":"other"}')).toThrow(/format/);
    expect(() => parseProfile(JSON.stringify({ format: PROFILE_FORMAT, name: 'a', model: 'm', scale: 'grade', outOfFocusFrom: 1 }))).toThrow(/scale/);
    expect(() => parseProfile(JSON.stringify({ format: PROFILE_FORMAT, name: 'a', model: 'm', scale: 'raw score', outOfFocusFrom: 'x' }))).toThrow(/outOfFocusFrom/);
  });

  it('applies only to the model and scale it was fitted on', () => {
    const { profile } = fitProfile({ name: 'A', model: 'focuslite-1kernel', scale: 'defocus grade', inFocus: [1, 2], outOfFocus: [7, 8] });
    expect(profileFits(profile, { id: 'focuslite-1kernel', hasGradeScale: true })).toBeUndefined();
    expect(profileFits(profile, { id: 'focuslite-2kernel', hasGradeScale: true })).toMatch(/fitted with focuslite-1kernel/);
    expect(profileFits(profile, { id: 'focuslite-1kernel', hasGradeScale: false })).toMatch(/raw score scale/);
  });
});
