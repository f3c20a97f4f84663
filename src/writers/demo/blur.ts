// Separable Gaussian blur of part of an RGBA image, for the defocused regions.
import { detExp } from './det-math.ts';

/** Normalised taps of a Gaussian truncated at 3σ. */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = detExp(-(i * i) / (2 * sigma * sigma));
    taps[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < taps.length; i++) taps[i] = (taps[i] ?? 0) / sum;
  return taps;
}

/**
 * Blurs the rectangle (rx, ry, rw, rh) of `src` (srcWidth wide) with `taps`; `src` must hold the rectangle plus
 * the kernel radius on every side. Returns interleaved RGB floats for the rectangle.
 */
export function blurRect(
  src: Uint8ClampedArray,
  srcWidth: number,
  rx: number,
  ry: number,
  rw: number,
  rh: number,
  taps: Float64Array,
  /** Optional per-pixel mask of the rectangle: pixels where it is 0 are left out (and come back 0). */
  needed?: Float32Array,
): Float32Array {
  const radius = (taps.length - 1) / 2;
  const tmpRows = rh + 2 * radius;
  const tmp = new Float32Array(rw * tmpRows * 3);
  // Horizontal pass over the rows the vertical pass needs.
  for (let r = 0; r < tmpRows; r++) {
    const rowStart = (ry - radius + r) * srcWidth;
    let o = r * rw * 3;
    for (let c = 0; c < rw; c++, o += 3) {
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let p = (rowStart + rx + c - radius) * 4;
      for (let k = 0; k < taps.length; k++, p += 4) {
        const w = taps[k] ?? 0;
        sr += w * (src[p] ?? 0);
        sg += w * (src[p + 1] ?? 0);
        sb += w * (src[p + 2] ?? 0);
      }
      tmp[o] = sr;
      tmp[o + 1] = sg;
      tmp[o + 2] = sb;
    }
  }
  const out = new Float32Array(rw * rh * 3);
  const stride = rw * 3;
  for (let r = 0; r < rh; r++) {
    for (let c = 0; c < rw; c++) {
      if (needed && needed[r * rw + c] === 0) continue;
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let p = r * stride + c * 3;
      for (let k = 0; k < taps.length; k++, p += stride) {
        const w = taps[k] ?? 0;
        sr += w * (tmp[p] ?? 0);
        sg += w * (tmp[p + 1] ?? 0);
        sb += w * (tmp[p + 2] ?? 0);
      }
      const o = (r * rw + c) * 3;
      out[o] = sr;
      out[o + 1] = sg;
      out[o + 2] = sb;
    }
  }
  return out;
}
