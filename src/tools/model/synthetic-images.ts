// The eight deterministic test images of ../shared/reference/README.md (integer hash recipe, bit-exact).
import type { RGBAImage } from '../../slide/types.ts';

export type SyntheticPattern = 'checker_noise' | 'noise';
export type SyntheticSigma = 0 | 1 | 2 | 4;

export const SYNTHETIC_NAMES: { name: string; pattern: SyntheticPattern; sigma: SyntheticSigma }[] = [];
for (const pattern of ['checker_noise', 'noise'] as const) {
  for (const sigma of [0, 1, 2, 4] as const) SYNTHETIC_NAMES.push({ name: `${pattern}_sigma${sigma}`, pattern, sigma });
}

const DARK = [80, 30, 120] as const;
const LIGHT = [240, 170, 200] as const;

/** The recipe's 32-bit hash (all arithmetic wraps mod 2^32). */
export function hash32(x: number, y: number, c: number): number {
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(c, 2246822519 | 0)) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Interleaved RGB (3 bytes per pixel) of the unblurred pattern. */
export function syntheticPattern(pattern: SyntheticPattern, size = 1024): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const square = ((x >> 4) + (y >> 4)) & 1;
      for (let c = 0; c < 3; c++) {
        const h = hash32(x, y, c);
        let v: number;
        if (pattern === 'noise') v = h & 255;
        else v = (square ? (LIGHT[c] as number) : (DARK[c] as number)) + (h & 63) - 32;
        out[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, v));
      }
    }
  }
  return out;
}

/** Separable Gaussian blur, edge-replicated, horizontal then vertical in float64, then floor(v + 0.5) clamped. */
export function gaussianBlurRGB(src: Uint8Array, width: number, height: number, sigma: number): Uint8Array {
  if (sigma <= 0) return src.slice();
  const r = Math.ceil(3 * sigma);
  const taps = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = -r; i <= r; i++) taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)) / sum;
  // One 1-D pass along x or y (edges replicated); both passes sum in the same order, so the result is unchanged.
  const pass = (from: ArrayLike<number>, to: { [i: number]: number }, alongX: boolean, round: boolean) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let i = -r; i <= r; i++) {
            const xx = alongX ? Math.min(width - 1, Math.max(0, x + i)) : x;
            const yy = alongX ? y : Math.min(height - 1, Math.max(0, y + i));
            s += (taps[i + r] as number) * (from[(yy * width + xx) * 3 + c] as number);
          }
          to[(y * width + x) * 3 + c] = round ? Math.min(255, Math.max(0, Math.floor(s + 0.5))) : s;
        }
      }
    }
  };
  const tmp = new Float64Array(width * height * 3);
  pass(src, tmp, true, false);
  const out = new Uint8Array(width * height * 3);
  pass(tmp, out, false, true);
  return out;
}

/** One of the eight reference images as interleaved RGB. */
export function syntheticImageRGB(pattern: SyntheticPattern, sigma: SyntheticSigma, size = 1024): Uint8Array {
  return gaussianBlurRGB(syntheticPattern(pattern, size), size, size, sigma);
}

export function syntheticImage(pattern: SyntheticPattern, sigma: SyntheticSigma, size = 1024): RGBAImage {
  const rgb = syntheticImageRGB(pattern, sigma, size);
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    data[j] = rgb[i] as number;
    data[j + 1] = rgb[i + 1] as number;
    data[j + 2] = rgb[i + 2] as number;
    data[j + 3] = 255;
  }
  return { width: size, height: size, data };
}
