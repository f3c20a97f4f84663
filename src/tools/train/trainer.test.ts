import { describe, expect, it } from 'vitest';
import { cropPlanar, newPlanar, packSample, SAMPLE_BYTES } from './image.ts';
import { Pool, type Buffers } from './pool.ts';
import { applyPsf, nominalPsf } from './psf.ts';
import { Rng } from './rng.ts';
import { trainNet, type SampleSet } from './trainer.ts';

/** Tiny synthetic set: random blob textures defocused by the level's PSF, label = level (0…7). */
function tinySet(count: number, seed: number): { data: Uint8Array; labels: Float64Array } {
  const data = new Uint8Array(count * SAMPLE_BYTES);
  const labels = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const rng = new Rng(seed * 1000 + i);
    const size = 235 + 2 * 12;
    const img = newPlanar(size, size);
    const n = size * size;
    img.data.fill(225);
    for (let b = 0; b < 120; b++) {
      const cx = rng.uniform(0, size);
      const cy = rng.uniform(0, size);
      const r = rng.uniform(2, 9);
      const col = [rng.uniform(60, 200), rng.uniform(20, 120), rng.uniform(90, 200)];
      for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(size, cy + r); y++)
        for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(size, cx + r); x++)
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) for (let c = 0; c < 3; c++) img.data[c * n + y * size + x] = col[c]!;
    }
    const z = i % 8;
    const blurred = applyPsf(img, nominalPsf(z * 0.7));
    packSample(cropPlanar(blurred, 12, 12, 235, 235), i % 8, data, i * SAMPLE_BYTES);
    labels[i] = z;
  }
  return { data, labels };
}

describe('training', () => {
  const train = tinySet(48, 1);
  const val = tinySet(16, 2);
  const buffers: Buffers = { train: train.data, val: val.data };
  const trainSet: SampleSet = { buffer: 'train', count: 48, labels: train.labels };
  const valSet: SampleSet = { buffer: 'val', count: 16, labels: val.labels };

  it('a short run on a tiny synthetic set lowers the PLCC loss and learns to rank held-out blur', async () => {
    const pool = await Pool.create(0);
    await pool.init(undefined, buffers);
    const res = await trainNet(pool, buffers, trainSet, valSet, { kernels: 1, loss: 'plcc', epochs: 12, batchSize: 16, lr: 0.01, lrStepEpochs: 8, lrGamma: 0.1, seed: 3, validateEvery: 0 });
    const first = res.history[0]!.loss;
    const last = res.history[res.history.length - 1]!.loss;
    expect(last).toBeLessThan(first * 0.7);
    expect(res.history[res.history.length - 1]!.valSrcc!).toBeGreaterThan(0.8);
    await pool.close();
  });

  it('is deterministic for a seed and depends on it', async () => {
    const pool = await Pool.create(0);
    await pool.init(undefined, buffers);
    const opts = { kernels: 2, loss: 'plcc' as const, epochs: 2, batchSize: 16, lr: 0.01, lrStepEpochs: 10, lrGamma: 0.1, seed: 5, validateEvery: 0 };
    const a = await trainNet(pool, buffers, trainSet, undefined, opts);
    const b = await trainNet(pool, buffers, trainSet, undefined, opts);
    const c = await trainNet(pool, buffers, trainSet, undefined, { ...opts, seed: 6 });
    expect(Array.from(a.net.theta)).toEqual(Array.from(b.net.theta));
    expect(Array.from(a.net.theta)).not.toEqual(Array.from(c.net.theta));
    await pool.close();
  });

  it('zeroMean keeps each kernel (grey) or each of its colours (channel) summing to zero, and still learns', async () => {
    const pool = await Pool.create(0);
    await pool.init(undefined, buffers);
    const opts = { kernels: 2, loss: 'plcc' as const, epochs: 3, batchSize: 16, lr: 0.01, lrStepEpochs: 10, lrGamma: 0.1, seed: 5, validateEvery: 0 };
    const sum = (theta: ArrayLike<number>, from: number, n: number) => Array.from(theta).slice(from, from + n).reduce((x, y) => x + y, 0);
    const free = await trainNet(pool, buffers, trainSet, undefined, opts);
    expect(Math.abs(sum(free.net.theta, 0, 147))).toBeGreaterThan(1e-3); // unconstrained kernels do not sum to zero
    const grey = await trainNet(pool, buffers, trainSet, undefined, { ...opts, zeroMean: 'grey' });
    const channel = await trainNet(pool, buffers, trainSet, undefined, { ...opts, zeroMean: 'channel' });
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(sum(grey.net.theta, k * 147, 147))).toBeLessThan(1e-9);
      expect(Math.abs(sum(grey.net.theta, k * 147, 49))).toBeGreaterThan(1e-6); // colours are free to differ
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(sum(channel.net.theta, k * 147 + ch * 49, 49))).toBeLessThan(1e-9);
    }
    expect(grey.history.at(-1)!.loss).toBeLessThan(grey.history[0]!.loss);
    await pool.close();
  });

  it('several starts: each is probed, the lowest validation loss is kept and trained in full', async () => {
    const pool = await Pool.create(0);
    await pool.init(undefined, buffers);
    const opts = { kernels: 1, loss: 'plcc' as const, epochs: 4, batchSize: 16, lr: 0.01, lrStepEpochs: 10, lrGamma: 0.1, seed: 5, validateEvery: 0, probeEpochs: 2 };
    const res = await trainNet(pool, buffers, trainSet, valSet, { ...opts, starts: 3 });
    expect(res.probeLosses).toHaveLength(3);
    expect(new Set(res.probeLosses).size).toBe(3); // different initialisations
    expect(res.probeLosses[res.start]).toBe(Math.min(...res.probeLosses));
    expect(res.history).toHaveLength(4); // the kept start's full schedule, not the probe
    // the kept start is still the best among the starts up to it, so that shorter search returns the same weights;
    // with one start this is the plain single run
    const prefix = await trainNet(pool, buffers, trainSet, valSet, { ...opts, starts: res.start + 1 });
    expect(prefix.start).toBe(res.start);
    expect(Array.from(prefix.net.theta)).toEqual(Array.from(res.net.theta));
    const single = await trainNet(pool, buffers, trainSet, valSet, opts);
    expect(single.probeLosses).toEqual([]);
    if (res.start === 0) expect(Array.from(single.net.theta)).toEqual(Array.from(res.net.theta));
    else expect(Array.from(single.net.theta)).not.toEqual(Array.from(res.net.theta));
    await expect(trainNet(pool, buffers, trainSet, undefined, { ...opts, starts: 2 })).rejects.toThrow(/validation set/);
    await pool.close();
  });
});
