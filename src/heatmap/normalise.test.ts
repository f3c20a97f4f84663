import { describe, expect, it } from 'vitest';
import { colormapLut } from './colormaps.ts';
import { RelativeRange } from '../focus/score-range.ts';
import { absoluteNormaliser, normalise } from './normalise.ts';

describe('relative normalisation', () => {
  it('is min–max over what it has seen and only widens', () => {
    const range = new RelativeRange();
    expect(range.normaliser()).toBeUndefined();
    expect(range.include(-3)).toBe(true);
    expect(range.normaliser()).toEqual({ lo: -3.5, hi: -2.5 });
    expect(range.include(1)).toBe(true);
    expect(range.include(0)).toBe(false);
    expect(range.include(Number.NaN)).toBe(false);
    expect(range.normaliser()).toEqual({ lo: -3, hi: 1 });
    const n = range.normaliser()!;
    expect(normalise(-3, n)).toBe(0);
    expect(normalise(1, n)).toBe(1);
    expect(normalise(-1, n)).toBeCloseTo(0.5);
    expect(normalise(5, n)).toBe(1);
  });
});

describe('absolute normalisation', () => {
  it("is the card's grades 0–10 when it has a grade scale, else its raw display range", () => {
    const grade = { name: 'defocus grade', points: [[-16, 0], [-6, 10]] as [number, number][], outOfFocusFrom: 5, borderline: [4, 6] as [number, number] };
    const n = absoluteNormaliser({ grade, displayScale: [-20, 0] })!;
    expect(n).toEqual({ lo: 0, hi: 10, grade });
    expect(normalise(-11, n)).toBeCloseTo(0.5, 10); // grade 5
    expect(normalise(-30, n)).toBe(0);
    expect(absoluteNormaliser({ displayScale: [-20, 0] })).toEqual({ lo: -20, hi: 0 });
    expect(absoluteNormaliser({})).toBeUndefined();
  });
});

describe('colormaps', () => {
  it('match the endpoints of matplotlib viridis and inferno and are monotonic in lightness', () => {
    const v = colormapLut('viridis');
    // viridis(0) = #440154, viridis(1) = #fde725 (within the fit's error)
    expect(Math.abs(v[0]! - 68) + Math.abs(v[1]! - 1) + Math.abs(v[2]! - 84)).toBeLessThanOrEqual(6);
    expect(Math.abs(v[765]! - 253) + Math.abs(v[766]! - 231) + Math.abs(v[767]! - 37)).toBeLessThanOrEqual(6);
    const inf = colormapLut('inferno');
    expect(inf[0]! + inf[1]! + inf[2]!).toBeLessThan(15); // black
    expect(inf[765]!).toBeGreaterThan(240); // pale yellow
    const luma = (lut: Uint8Array, i: number) => 0.2126 * lut[i * 3]! + 0.7152 * lut[i * 3 + 1]! + 0.0722 * lut[i * 3 + 2]!;
    for (let i = 16; i < 256; i += 16) expect(luma(v, i)).toBeGreaterThan(luma(v, i - 16));
  });
});
