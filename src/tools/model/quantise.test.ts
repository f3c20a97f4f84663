import { describe, expect, it } from 'vitest';
import { kernelStep, quantiseConvWeights, weightDigits } from './quantise.ts';
import type { FocusWeights } from './weights.ts';

function weights(c: number, seed: number): FocusWeights {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.6;
  return { kernels: c, convWeight: Float32Array.from({ length: c * 147 }, r), convBias: Float32Array.from({ length: c }, r), fcWeight: Float32Array.from({ length: c }, r), fcBias: 0.25 };
}

describe('conv weights on an integer grid', () => {
  it('arbitrary float weights need three digits', () => {
    expect(weightDigits(weights(2, 1))).toBe(3);
  });

  it('quantiseConvWeights puts each kernel on its own 8-bit grid, moving no weight more than half a step', () => {
    const w = weights(3, 2);
    for (let i = 147; i < 294; i++) w.convWeight[i] = (w.convWeight[i] as number) * 0.01; // kernels of different scale
    const before = w.convWeight.slice();
    const q = quantiseConvWeights(w);
    expect(w.convWeight).toEqual(before); // the input is not modified
    expect(weightDigits(q)).toBe(1);
    for (let k = 0; k < 3; k++) {
      const step = kernelStep(w, k, 1);
      expect(kernelStep(q, k, 1)).toBeCloseTo(step, 12); // the largest weight is a grid point: the step is kept
      const levels = new Set<number>();
      for (let i = k * 147; i < (k + 1) * 147; i++) {
        expect(Math.abs((q.convWeight[i] as number) - (w.convWeight[i] as number))).toBeLessThanOrEqual(step / 2 + 1e-9);
        const level = Math.round((q.convWeight[i] as number) / step);
        expect(Math.abs(level)).toBeLessThanOrEqual(127);
        levels.add(level);
      }
      expect(levels.size).toBeGreaterThan(50); // a real 8-bit grid, not a handful of values
    }
    expect(q.convBias).toBe(w.convBias);
    expect(q.fcWeight).toBe(w.fcWeight);
    expect(q.fcBias).toBe(w.fcBias);
  });

  it('a 16-bit grid needs two digits; one weight off the grid needs three', () => {
    const w = weights(1, 3);
    const step = kernelStep(w, 0, 2);
    const on16 = { ...w, convWeight: w.convWeight.map((v) => Math.round(v / step) * step) };
    expect(weightDigits(on16)).toBe(2);
    const q = quantiseConvWeights(w);
    const off = { ...q, convWeight: q.convWeight.slice() };
    off.convWeight[5] = (off.convWeight[5] as number) + kernelStep(q, 0, 1) / 3;
    expect(weightDigits(off)).toBe(3);
  });

  it('an all-zero kernel is on every grid', () => {
    const w = weights(2, 4);
    w.convWeight.fill(0, 0, 147);
    expect(weightDigits(quantiseConvWeights(w))).toBe(1);
  });
});
