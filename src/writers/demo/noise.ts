// 2-D gradient (Perlin) noise on an integer hash: smooth, roughly in [-1, 1], deterministic.
import { hash2 } from './hash.ts';

// 16 unit gradients (every 22.5°), precomputed to avoid trigonometry.
const GX = [1, 0.92388, 0.70711, 0.38268, 0, -0.38268, -0.70711, -0.92388, -1, -0.92388, -0.70711, -0.38268, 0, 0.38268, 0.70711, 0.92388];
const GY = [0, 0.38268, 0.70711, 0.92388, 1, 0.92388, 0.70711, 0.38268, 0, -0.38268, -0.70711, -0.92388, -1, -0.92388, -0.70711, -0.38268];

function corner(ix: number, iy: number, dx: number, dy: number, seed: number): number {
  const h = hash2(ix, iy, seed) & 15;
  return (GX[h] ?? 0) * dx + (GY[h] ?? 0) * dy;
}

export function perlin(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const u = fx * fx * fx * (fx * (fx * 6 - 15) + 10);
  const v = fy * fy * fy * (fy * (fy * 6 - 15) + 10);
  const n00 = corner(ix, iy, fx, fy, seed);
  const n10 = corner(ix + 1, iy, fx - 1, fy, seed);
  const n01 = corner(ix, iy + 1, fx, fy - 1, seed);
  const n11 = corner(ix + 1, iy + 1, fx - 1, fy - 1, seed);
  const a = n00 + (n10 - n00) * u;
  const b = n01 + (n11 - n01) * u;
  return (a + (b - a) * v) * 1.41421356;
}

/** Fractal sum of `octaves` noise layers, each twice the frequency and `gain` times the amplitude of the last. */
export function fbm(x: number, y: number, seed: number, octaves: number, gain = 0.5): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  for (let o = 0; o < octaves; o++) {
    // Offset each octave so lattice points don't line up.
    sum += amp * perlin(x + o * 17.31, y - o * 9.77, seed + o * 1013);
    norm += amp;
    amp *= gain;
    x *= 2;
    y *= 2;
  }
  return sum / norm;
}
