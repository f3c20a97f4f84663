import { describe, expect, it } from 'vitest';
import { referenceScoreTensor } from '../model/reference.ts';
import { SAMPLE_BYTES } from './image.ts';
import { plccLoss, mseLoss, type LossResult } from './loss.ts';
import { accumulateGradient, ConvScratch, convMins, headScore, initNet, netFromWeights, netToWeights, offsets, parameterCount, TAPS, type Net } from './net.ts';
import { Rng } from './rng.ts';
import { samplesToTensor } from './run.ts';

/** Random packed samples: smooth-ish random texture so arg-mins are unique. */
function randomSamples(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const data = new Uint8Array(n * SAMPLE_BYTES);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < 3; c++)
      for (let y = 1; y <= 235; y++)
        for (let x = 1; x <= 235; x++) data[s * SAMPLE_BYTES + c * 237 * 237 + y * 237 + x] = rng.int(256);
  return data;
}

function batchLoss(net: Net, data: Uint8Array, labels: number[], loss: (s: ArrayLike<number>, y: ArrayLike<number>) => LossResult) {
  const C = net.kernels;
  const o = offsets(C);
  const mins = new Float64Array(labels.length * C);
  const args = new Int32Array(labels.length * C);
  const m = new Float64Array(C);
  const a = new Int32Array(C);
  const scores = labels.map((_, i) => {
    convMins(net.theta.subarray(0, o.b), net.theta.subarray(o.b, o.b + C), C, data, i * SAMPLE_BYTES, m, a, new ConvScratch(C));
    mins.set(m, i * C);
    args.set(a, i * C);
    return headScore(net, m);
  });
  return { ...loss(scores, labels), mins, args };
}

describe('FocusLiteNN forward/backward in TypeScript', () => {
  const data = randomSamples(5, 7);
  const labels = [0, 3, 1, 7, 4];

  for (const [C, lossName] of [
    [1, 'plcc'],
    [3, 'plcc'],
    [2, 'mse'],
  ] as const) {
    it(`gradient of the ${lossName} loss matches finite differences (${C} kernel${C > 1 ? 's' : ''})`, () => {
      const loss = lossName === 'plcc' ? plccLoss : mseLoss;
      const net = initNet(C, new Rng(11 + C));
      const { grad: dScore, mins, args } = batchLoss(net, data, labels, loss);
      const g = new Float64Array(parameterCount(C, net.hasFc));
      labels.forEach((_, i) => accumulateGradient(net, data, i * SAMPLE_BYTES, mins, args, i * C, dScore[i]!, g));
      // every bias and fc parameter, and a spread of conv weights
      const o = offsets(C);
      const check = [...Array.from({ length: 25 }, (_, k) => Math.floor((k * (C * TAPS)) / 25)), ...Array.from({ length: net.theta.length - o.b }, (_, k) => o.b + k)];
      const h = 1e-6;
      let maxRel = 0;
      for (const p of check) {
        const plus = { ...net, theta: net.theta.slice() };
        plus.theta[p]! += h;
        const minus = { ...net, theta: net.theta.slice() };
        minus.theta[p]! -= h;
        const numeric = (batchLoss(plus, data, labels, loss).loss - batchLoss(minus, data, labels, loss).loss) / (2 * h);
        const rel = Math.abs(numeric - g[p]!) / Math.max(1e-3, Math.abs(numeric), Math.abs(g[p]!));
        maxRel = Math.max(maxRel, rel);
      }
      expect(maxRel).toBeLessThan(1e-4);
      // and the gradient is not trivially zero
      expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-4);
    });
  }

  it('matches the plain TypeScript reference of src/tools/model, for the 1-2 kernel and the many-kernel code paths', () => {
    for (const C of [1, 2, 5]) {
      const net = initNet(C, new Rng(100 + C), C > 1);
      const w = netToWeights(net);
      const shipped = netFromWeights(w);
      const ours = labels.map((_, i) => {
        const m = new Float64Array(C);
        const a = new Int32Array(C);
        const o = offsets(C);
        convMins(shipped.theta.subarray(0, o.b), shipped.theta.subarray(o.b, o.b + C), C, data, i * SAMPLE_BYTES, m, a);
        return headScore(shipped, m);
      });
      const ref = referenceScoreTensor(w, samplesToTensor(data, [0, 1, 2, 3, 4]), 5);
      for (let i = 0; i < 5; i++) expect(Math.abs(ours[i]! - ref[i]!)).toBeLessThan(1e-5);
    }
  });

  it('weights round-trip through float32 FocusWeights', () => {
    const net = initNet(10, new Rng(3));
    const w = netToWeights(net);
    expect(w.convWeight.length).toBe(10 * TAPS);
    expect(w.fcWeight?.length).toBe(10);
    const back = netFromWeights(w);
    for (let i = 0; i < net.theta.length; i++) expect(Math.abs(back.theta[i]! - net.theta[i]!)).toBeLessThan(1e-6);
  });
});

describe('losses', () => {
  it('PLCC loss: 0 for perfectly correlated scores, 2 for anti-correlated, and its gradient matches finite differences', () => {
    expect(plccLoss([1, 2, 3], [10, 20, 30]).loss).toBeCloseTo(0, 12);
    expect(plccLoss([3, 2, 1], [10, 20, 30]).loss).toBeCloseTo(2, 12);
    const s = [0.3, -1.2, 2.5, 0.9, 0.1];
    const y = [1, 0, 4, 2, 2];
    const { grad } = plccLoss(s, y);
    const h = 1e-7;
    for (let i = 0; i < s.length; i++) {
      const p = s.slice();
      p[i]! += h;
      const m = s.slice();
      m[i]! -= h;
      expect((plccLoss(p, y).loss - plccLoss(m, y).loss) / (2 * h)).toBeCloseTo(grad[i]!, 6);
    }
  });

  it('MSE loss and gradient', () => {
    const r = mseLoss([1, 3], [0, 0]);
    expect(r.loss).toBe(5);
    expect(Array.from(r.grad)).toEqual([1, 3]);
  });
});
