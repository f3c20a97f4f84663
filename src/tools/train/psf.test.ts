import { decodeToRgba, encodeJpeg } from '../../../test-support/encode-image.ts';
import { describe, expect, it } from 'vitest';
import { drawStainJitter, jitterStain, jpegRoundTrip } from './augment.ts';
import { newPlanar, type Planar } from './image.ts';
import { applyPsf, kernelSigma, nominalPsf, psfKernel, psfReach, smoothingTaps, Z_MAX, type DefocusPsf } from './psf.ts';
import { Rng } from './rng.ts';

function randomPlanar(w: number, h: number, seed: number): Planar {
  const img = newPlanar(w, h);
  const rng = new Rng(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.uniform(0, 255);
  return img;
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

const EXTREMES: DefocusPsf[] = [
  { radius: 0, diskWeight: 1, innerRatio: 0.5, innerGain: 0, opticsSigma: 0 },
  { radius: 0.3, diskWeight: 0.3, innerRatio: 0.4, innerGain: -0.6, opticsSigma: 0.3 },
  { radius: 2.6, diskWeight: 1, innerRatio: 0.8, innerGain: 1.5, opticsSigma: 0.8 },
  { radius: 7.5, diskWeight: 0.5, innerRatio: 0.6, innerGain: -0.6, opticsSigma: 0.5 },
  { radius: 16, diskWeight: 0.3, innerRatio: 0.4, innerGain: 0.2, opticsSigma: 0.7 },
];

describe('defocus PSF', () => {
  it('every kernel is non-negative and sums to 1', () => {
    for (const p of [...EXTREMES, ...Array.from({ length: Z_MAX + 1 }, (_, z) => nominalPsf(z))]) {
      const k = psfKernel(p);
      expect(Math.abs(sum(k.data) - 1)).toBeLessThan(1e-9);
      expect(Math.min(...k.data)).toBeGreaterThanOrEqual(-1e-12);
    }
  });

  it('grows monotonically with the level, from the identity-like z = 0 to σ ≈ z/2', () => {
    const sig = Array.from({ length: Z_MAX + 1 }, (_, z) => kernelSigma(psfKernel(nominalPsf(z))));
    for (let z = 1; z <= Z_MAX; z++) expect(sig[z]!).toBeGreaterThan(sig[z - 1]! + 0.2);
    expect(sig[0]!).toBeLessThan(0.7);
    expect(sig[3]!).toBeGreaterThan(1.2);
    expect(sig[3]!).toBeLessThan(1.9); // the documented z = 3 ↔ σ ≈ 1.5 px
    expect(sig[12]!).toBeGreaterThan(5);
    expect(sig[12]!).toBeLessThan(7);
    // and the kernel's centre weight falls as it spreads
    const centre = (z: number) => {
      const k = psfKernel(nominalPsf(z));
      return k.data[k.radius * k.size + k.radius]!;
    };
    for (let z = 1; z <= Z_MAX; z++) expect(centre(z)).toBeLessThan(centre(z - 1));
  });

  it('the fast separable/prefix-sum application equals direct convolution with the explicit kernel', () => {
    for (const p of EXTREMES) {
      const k = psfKernel(p);
      const reach = psfReach(p);
      const size = 2 * reach + 24;
      const img = randomPlanar(size, size, 5);
      const fast = applyPsf(img, p);
      const n = size * size;
      let maxDiff = 0;
      for (let c = 0; c < 3; c++)
        for (let y = reach; y < size - reach; y += 3)
          for (let x = reach; x < size - reach; x += 3) {
            let s = 0;
            for (let dy = -k.radius; dy <= k.radius; dy++)
              for (let dx = -k.radius; dx <= k.radius; dx++) {
                const yy = y - dy;
                const xx = x - dx;
                if (yy < 0 || yy >= size || xx < 0 || xx >= size) continue; // beyond the reach: negligible tail
                s += k.data[(dy + k.radius) * k.size + dx + k.radius]! * img.data[c * n + yy * size + xx]!;
              }
            maxDiff = Math.max(maxDiff, Math.abs(s - fast.data[c * n + y * size + x]!));
          }
      // FIR paths agree to rounding; the recursive Gaussian (σ ≥ 3) differs from its truncated impulse response by
      // a small fraction of a grey level
      const recursive = Math.sqrt((p.radius / 2) ** 2 + p.opticsSigma ** 2) >= 3 && p.diskWeight < 1;
      expect(maxDiff).toBeLessThan(recursive ? 0.15 : 1e-3);
    }
  });

  it('smoothing taps are normalised and symmetric for both the FIR and the recursive range', () => {
    for (const s of [0.5, 2, 3, 6.5]) {
      const t = smoothingTaps(s);
      expect(Math.abs(sum(t) - 1)).toBeLessThan(1e-9);
      for (let i = 0; i < t.length; i++) expect(Math.abs(t[i]! - t[t.length - 1 - i]!)).toBeLessThan(2e-3 * Math.max(...t));
      const r = (t.length - 1) / 2;
      const sd = Math.sqrt(t.reduce((a, v, i) => a + v * (i - r) ** 2, 0));
      expect(Math.abs(sd - s) / s).toBeLessThan(0.08);
    }
  });
});

describe('augmentations', () => {
  it('the JPEG round trip matches libjpeg-turbo (sharp, 4:4:4) within a grey level on average', async () => {
    const w = 64;
    const img = newPlanar(w, w);
    const rgba = new Uint8Array(w * w * 4);
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const v = [128 + 100 * Math.sin(x / 5) * Math.cos(y / 7), 90 + 60 * Math.sin((x + y) / 9), 170 + 50 * Math.cos(x / 3)];
        for (let c = 0; c < 3; c++) {
          const q = Math.round(v[c]!);
          img.data[c * w * w + y * w + x] = q;
          rgba[(y * w + x) * 4 + c] = q;
        }
        rgba[(y * w + x) * 4 + 3] = 255;
      }
    const before = img.data.slice();
    jpegRoundTrip(img, 60, false);
    const ref = await decodeToRgba(await encodeJpeg({ data: rgba, width: w, height: w }, 60, false));
    let diff = 0;
    let change = 0;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < w * w; i++) {
        diff += Math.abs(img.data[c * w * w + i]! - ref.data[i * 4 + c]!);
        change += Math.abs(img.data[c * w * w + i]! - before[c * w * w + i]!);
      }
    expect(diff / (3 * w * w)).toBeLessThan(1);
    expect(change / (3 * w * w)).toBeGreaterThan(0.3); // it did compress
  });

  it('stain jitter is the identity at scale 1, shift 0, and changes colours otherwise', () => {
    const img = randomPlanar(16, 16, 9);
    const copy = { ...img, data: img.data.slice() };
    jitterStain(copy, { scale: [1, 1, 1], shift: [0, 0, 0] });
    for (let i = 0; i < img.data.length; i++) expect(Math.abs(copy.data[i]! - img.data[i]!)).toBeLessThan(1e-3);
    jitterStain(copy, drawStainJitter(new Rng(2), [[0.7, 6], [0.6, 1.5], [0.8, 1.25]], 0.05));
    let d = 0;
    for (let i = 0; i < img.data.length; i++) d += Math.abs(copy.data[i]! - img.data[i]!);
    expect(d / img.data.length).toBeGreaterThan(1);
  });
});
