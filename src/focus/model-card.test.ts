import { describe, expect, it } from 'vitest';
import { BORDERLINE, OUT_OF_FOCUS_GRADE } from './grade.ts';
import { modelRef, modelRefKey, parseCard } from './model-card.ts';

const density = { method: 'mean-od' as const, targetOd: 0.35, maxGain: 4 };
const grade = { name: 'defocus grade', points: [[-16, 0], [-9, 5], [-4, 10]], outOfFocusFrom: 5, borderline: [4, 6], rule: 'fitted' };

describe('model card parser', () => {
  it('reads the preprocessing and the grade scale, with defaults for the fixed points', () => {
    const card = parseCard({ threshold: -9, preprocessing: { density }, grade });
    expect(card.preprocessing).toEqual({ density });
    expect(card.grade).toEqual(grade);
    expect(parseCard({ grade: { points: [[0, 0], [1, 10]] } }).grade).toEqual({ name: 'defocus grade', points: [[0, 0], [1, 10]], outOfFocusFrom: OUT_OF_FOCUS_GRADE, borderline: [...BORDERLINE] });
    expect(parseCard({ preprocessing: { density: { method: 'mean-od', targetOd: 0.5 } } }).preprocessing?.density?.maxGain).toBe(4);
  });

  it('keeps old cards as they were: no preprocessing, no grade', () => {
    const card = parseCard({ decision: { threshold: -3 } });
    expect(card).toMatchObject({ threshold: -3 });
    expect(card.preprocessing).toBeUndefined();
    expect(card.grade).toBeUndefined();
    expect(parseCard(undefined)).toEqual({});
  });

  it('refuses a broken card with the file and the reason', () => {
    expect(() => parseCard({ preprocessing: { density: { method: 'clahe', targetOd: 1 } } }, 'm.json')).toThrow('m.json: preprocessing.density.method must be "mean-od", got "clahe"');
    expect(() => parseCard({ preprocessing: { density: { ...density, targetOd: 0 } } })).toThrow('targetOd must be a positive number');
    expect(() => parseCard({ preprocessing: { density: { ...density, maxGain: 0.5 } } })).toThrow('maxGain must be a number ≥ 1');
    expect(() => parseCard({ preprocessing: 'none' })).toThrow('preprocessing must be an object');
    expect(() => parseCard({ grade: { points: [[0, 0]] } })).toThrow('at least two (score, grade) points');
    expect(() => parseCard({ grade: { points: [[0, 5], [-1, 6]] } })).toThrow('must rise in score');
    expect(() => parseCard({ grade: { ...grade, borderline: [6, 7] } })).toThrow('grade.borderline must be [lo, hi] around the out-of-focus grade 5');
    expect(() => parseCard({ grade: { ...grade, outOfFocusFrom: 'five' } })).toThrow('grade.outOfFocusFrom must be a number');
    expect(() => parseCard([1, 2])).toThrow('model card: not a JSON object');
  });

  it('refers to a model with its preprocessing, keyed apart from the same model without it', () => {
    const card = parseCard({ preprocessing: { density } });
    expect(modelRef('m.onnx', card)).toEqual({ url: 'm.onnx', density });
    expect(modelRef('m.onnx', {})).toEqual({ url: 'm.onnx' });
    expect(modelRefKey(modelRef('m.onnx', card))).not.toBe(modelRefKey({ url: 'm.onnx' }));
    expect(modelRefKey({ url: 'm.onnx', density: { ...density, targetOd: 0.5 } })).not.toBe(modelRefKey(modelRef('m.onnx', card)));
  });
});

describe('model card consistency', () => {
  it('refuses a card whose raw threshold is not the score at its out-of-focus grade', () => {
    const grade = { points: [[-16, 0], [-12, 3], [-9, 5], [-6, 8]], outOfFocusFrom: 5, borderline: [4, 6] };
    expect(parseCard({ threshold: -9, grade }, 'x.json').threshold).toBe(-9);
    expect(() => parseCard({ threshold: -12.7, grade }, 'x.json')).toThrow(/x\.json: threshold -12\.7 is not the score at the out-of-focus grade 5/);
  });
});
