import { describe, expect, it } from 'vitest';
import { rawScale } from '../../focus/verdict-scale.ts';
import { DEFAULT_MODEL_NAME } from '../../focus/model-card.ts';
import { activeThreshold, MODELS, modelById, modelRefOf, modelsFrom, parseCard, type ModelEntry } from './models.ts';

const GRADED = {
  threshold: -9,
  preprocessing: { density: { method: 'mean-od', targetOd: 0.35, maxGain: 4 } },
  grade: { name: 'defocus grade', points: [[-16, 0], [-12, 3], [-9, 5], [-6, 8], [-4, 10]], outOfFocusFrom: 5, borderline: [4, 6] },
};

describe('model cards', () => {
  it('reads the threshold and the display scale under any of their names', () => {
    expect(parseCard({ threshold: -3.5, displayScale: [-5, -1] })).toMatchObject({ threshold: -3.5, displayScale: [-5, -1] });
    expect(parseCard({ decisionThreshold: -2 }).threshold).toBe(-2);
    expect(parseCard({ decision: { threshold: -1.25 } }).threshold).toBe(-1.25);
    expect(parseCard({ display: { scale: [-4, 0] } }).displayScale).toEqual([-4, 0]);
    expect(parseCard({ absoluteScale: [1, 2] }).displayScale).toEqual([1, 2]);
    expect(parseCard({ threshold: -1, decisionThreshold: -9 }).threshold).toBe(-1);
  });

  it('ignores a malformed display scale and a missing card', () => {
    expect(parseCard({ display: { scale: [1, 2, 3] } }).displayScale).toBeUndefined();
    expect(parseCard({ absoluteScale: ['a', 2] }).displayScale).toBeUndefined();
    expect(parseCard(undefined)).toEqual({});
  });

  it('lists the default model (2-kernel) first, then by id, with labels from the card, the kernel count or the id', () => {
    const models = modelsFrom(
      {
        '/models/zeta.onnx': '/assets/zeta.onnx',
        '/models/focuslite-2kernel.onnx': '/assets/2.onnx',
        '/models/focuslite-1kernel.onnx': '/assets/1.onnx',
        '/models/mine.local.onnx': '/assets/mine.onnx',
      },
      {
        '/models/focuslite-2kernel.json': { threshold: -1.5 },
        '/models/mine.local.json': { name: 'My model' },
        '/models/zeta.json': { kernels: 7 },
      },
    );
    expect(models.map((m) => [m.id, m.label, m.url])).toEqual([
      ['focuslite-2kernel', 'FocusLiteNN 2-kernel', '/assets/2.onnx'],
      ['focuslite-1kernel', 'FocusLiteNN 1-kernel', '/assets/1.onnx'],
      ['mine.local', 'My model (local)', '/assets/mine.onnx'],
      ['zeta', 'FocusLiteNN 7-kernel', '/assets/zeta.onnx'],
    ]);
    expect(models[0]!.card.threshold).toBe(-1.5);
    expect(modelsFrom({ '/models/plain.onnx': 'u' }, {})[0]!.label).toBe('plain');
  });

  it('leaves out a model whose card is broken, saying why', () => {
    const said: string[] = [];
    const models = modelsFrom(
      { '/models/ok.onnx': 'ok', '/models/bad.onnx': 'bad' },
      { '/models/ok.json': GRADED, '/models/bad.json': { preprocessing: { density: { method: 'mean-od', targetOd: -1 } } } },
      (m) => said.push(m),
    );
    expect(models.map((m) => m.id)).toEqual(['ok']);
    expect(said).toEqual([expect.stringContaining('model bad left out: /models/bad.json: preprocessing.density.targetOd must be a positive number')]);
  });

  it('refers to a model with the preprocessing its card asks for', () => {
    const [graded] = modelsFrom({ '/models/g.onnx': '/assets/g.onnx' }, { '/models/g.json': GRADED });
    expect(modelRefOf(graded!, 'http://host/app/')).toEqual({ url: 'http://host/assets/g.onnx', density: { method: 'mean-od', targetOd: 0.35, maxGain: 4 } });
    expect(modelRefOf({ id: 'p', label: 'p', url: '/p.onnx', card: {} })).toEqual({ url: '/p.onnx' });
  });

  it('ships the models in models/ with their cards', () => {
    expect(MODELS[0]?.id).toBe(DEFAULT_MODEL_NAME);
    expect(MODELS.every((m) => typeof m.card.threshold === 'number')).toBe(true);
  });
});

describe('the model picked', () => {
  const a: ModelEntry = { id: 'a', label: 'A', url: 'a', card: {} };
  const b: ModelEntry = { id: 'b', label: 'B', url: 'b', card: {} };

  it('is the one with the id, else the first', () => {
    expect(modelById('b', [a, b])).toBe(b);
    expect(modelById('gone', [a, b])).toBe(a);
    expect(modelById(undefined, [a, b])).toBe(a);
    expect(modelById('a', [])).toBeUndefined();
  });
});

describe('the threshold in force', () => {
  const done = (score: number) => ({ status: 'done', score });
  const batch = [done(-4.25), { status: 'error' }, done(-1.5), { status: 'queued' }, done(-3), { status: 'done', score: Number.NaN }];

  it("prefers the user's threshold, then the card's", () => {
    expect(activeThreshold({ threshold: -3.5 }, { user: -2, batch })).toEqual({ value: -2, source: 'user', scale: rawScale(-2) });
    expect(activeThreshold({ threshold: -3.5 }, { batch })).toEqual({ value: -3.5, source: 'card', scale: rawScale(-3.5) });
    expect(activeThreshold({ threshold: -3.5 }, { user: Number.NaN })).toMatchObject({ value: -3.5, source: 'card' });
    expect(activeThreshold({ threshold: -3.5 }, { user: 0 })).toMatchObject({ value: 0, source: 'user' });
  });

  it("reads the user's threshold as a grade when the card has a grade scale", () => {
    const card = parseCard(GRADED);
    const fromCard = activeThreshold(card);
    expect(fromCard).toMatchObject({ value: -9, source: 'card', scale: { name: 'defocus grade', outOfFocusGrade: 5, borderline: [4, 6] } });
    const user = activeThreshold(card, { user: 8 });
    expect(user).toMatchObject({ value: -6, source: 'user', scale: { outOfFocusGrade: 8, borderline: [7, 9] } });
  });

  it('falls back to the midpoint of the batch scores, and to none with fewer than two distinct scores', () => {
    expect(activeThreshold(undefined, { batch })).toMatchObject({ value: (-4.25 + -1.5) / 2, source: 'batch', scale: { name: 'raw score (uncalibrated)' } });
    expect(activeThreshold({}, { batch: [done(2), done(2)] })).toEqual({ source: 'none' });
    expect(activeThreshold({}, { batch: [] })).toEqual({ source: 'none' });
    expect(activeThreshold({}, { user: Number.NaN, batch }).source).toBe('batch');
  });

  it('has no threshold without a card threshold when no batch is given (the heatmap and the scan)', () => {
    expect(activeThreshold({})).toEqual({ source: 'none' });
    expect(activeThreshold(undefined)).toEqual({ source: 'none' });
  });
});
