// Small tileable noise textures for fine grain (chromatin, stroma speckle, glass): one lookup per pixel instead
// of evaluating noise, and the 256-px repeat is hidden under the slide-wide fields.
import { hash2 } from './hash.ts';

export const TEXTURE_SIZE = 256;
export const TEXTURE_MASK = TEXTURE_SIZE - 1;

/** Gradient noise whose lattice wraps every `period` cells. */
function periodicNoise(x: number, y: number, period: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const u = fx * fx * (3 - 2 * fx);
  const v = fy * fy * (3 - 2 * fy);
  const g = (cx: number, cy: number, dx: number, dy: number) => {
    const h = hash2(((cx % period) + period) % period, ((cy % period) + period) % period, seed);
    // Gradient from the hash: two components in [-1, 1].
    const gx = ((h & 0xffff) / 32767.5) - 1;
    const gy = ((h >>> 16) / 32767.5) - 1;
    return gx * dx + gy * dy;
  };
  const n00 = g(ix, iy, fx, fy);
  const n10 = g(ix + 1, iy, fx - 1, fy);
  const n01 = g(ix, iy + 1, fx, fy - 1);
  const n11 = g(ix + 1, iy + 1, fx - 1, fy - 1);
  const a = n00 + (n10 - n00) * u;
  const b = n01 + (n11 - n01) * u;
  return a + (b - a) * v;
}

/**
 * A TEXTURE_SIZE² texture in about [-1, 1]: noise at `cell` px features plus a finer octave, normalised to unit
 * standard deviation / 2.5 so values rarely clip.
 */
export function makeTexture(seed: number, cell: number): Float32Array {
  const n = TEXTURE_SIZE;
  // The lattice must divide the texture, or it would not wrap seamlessly.
  if (!Number.isInteger(n / cell)) throw new Error(`texture cell ${cell} does not divide ${n}`);
  const out = new Float32Array(n * n);
  const period = n / cell;
  let sum = 0;
  let sumSq = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v =
        periodicNoise(x / cell, y / cell, period, seed) + 0.5 * periodicNoise((2 * x) / cell, (2 * y) / cell, period * 2, seed + 1);
      out[y * n + x] = v;
      sum += v;
      sumSq += v * v;
    }
  }
  const mean = sum / (n * n);
  const sd = Math.sqrt(sumSq / (n * n) - mean * mean) || 1;
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, ((out[i] ?? 0) - mean) / (2.5 * sd)));
  return out;
}

/** White-ish noise in [-1, 1] (one independent value per texel). */
export function makeGrain(seed: number): Float32Array {
  const n = TEXTURE_SIZE;
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = hash2(x, y, seed) / 2147483648 - 1;
  return out;
}
