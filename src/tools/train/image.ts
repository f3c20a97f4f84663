// Planar float images (three planes, 0…255) for the simulation, and the packed uint8 layout the trainer reads.
import { PATCH } from '../../focus/patch-grid.ts';

export { PATCH };

/** Three planes R, G, B of width*height float values on the 0…255 scale. */
export interface Planar {
  width: number;
  height: number;
  data: Float32Array;
}

/** Interleaved 8-bit pixels (RGB or RGBA). */
export interface RGBImage {
  width: number;
  height: number;
  /** 3 or 4 bytes per pixel. */
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** A patch with the model's zero padding of 1 already in place: 237×237 per channel. */
export const PADDED = PATCH + 2;
export const PLANE = PADDED * PADDED;
/** Bytes of one packed sample: three zero-bordered 237×237 planes, uint8. */
export const SAMPLE_BYTES = 3 * PLANE;

export function newPlanar(width: number, height: number): Planar {
  return { width, height, data: new Float32Array(3 * width * height) };
}

/** Copies a window of an interleaved image into planes; pixels outside the image are white (glass). */
export function planarWindow(img: RGBImage, x0: number, y0: number, width: number, height: number): Planar {
  const out = newPlanar(width, height);
  const n = width * height;
  const ch = img.channels;
  for (let y = 0; y < height; y++) {
    const sy = y0 + y;
    for (let x = 0; x < width; x++) {
      const sx = x0 + x;
      const o = y * width + x;
      if (sy < 0 || sy >= img.height || sx < 0 || sx >= img.width) {
        out.data[o] = 255;
        out.data[n + o] = 255;
        out.data[2 * n + o] = 255;
      } else {
        const s = (sy * img.width + sx) * ch;
        out.data[o] = img.data[s]!;
        out.data[n + o] = img.data[s + 1]!;
        out.data[2 * n + o] = img.data[s + 2]!;
      }
    }
  }
  return out;
}

export function cropPlanar(src: Planar, x0: number, y0: number, width: number, height: number): Planar {
  const out = newPlanar(width, height);
  const sn = src.width * src.height;
  const n = width * height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      const s = c * sn + (y0 + y) * src.width + x0;
      out.data.set(src.data.subarray(s, s + width), c * n + y * width);
    }
  }
  return out;
}

// Keys cubic convolution (a = -0.5), the usual "bicubic".
function cubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * Resamples by `scale` (> 1 enlarges): output pixel centre (x + 0.5) maps to source position (x + 0.5) / scale + ox.
 * Separable bicubic with clamped edges. Used to mimic higher magnifications of the same tissue.
 */
export function resample(src: Planar, scale: number, ox: number, oy: number, width: number, height: number): Planar {
  const taps = (outLen: number, origin: number, srcLen: number) => {
    const idx = new Int32Array(outLen * 4);
    const wts = new Float32Array(outLen * 4);
    for (let i = 0; i < outLen; i++) {
      const p = (i + 0.5) / scale + origin - 0.5;
      const f = Math.floor(p);
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        const j = f - 1 + k;
        const w = cubic(p - j);
        idx[i * 4 + k] = Math.min(srcLen - 1, Math.max(0, j));
        wts[i * 4 + k] = w;
        sum += w;
      }
      for (let k = 0; k < 4; k++) wts[i * 4 + k]! /= sum;
    }
    return { idx, wts };
  };
  const hx = taps(width, ox, src.width);
  const hy = taps(height, oy, src.height);
  const sn = src.width * src.height;
  const tmp = new Float32Array(src.height * width);
  const out = newPlanar(width, height);
  const n = width * height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < src.height; y++) {
      const row = c * sn + y * src.width;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += hx.wts[x * 4 + k]! * src.data[row + hx.idx[x * 4 + k]!]!;
        tmp[y * width + x] = s;
      }
    }
    for (let y = 0; y < height; y++) {
      const o = c * n + y * width;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += hy.wts[y * 4 + k]! * tmp[hy.idx[y * 4 + k]! * width + x]!;
        out.data[o + x] = s;
      }
    }
  }
  return out;
}

/**
 * Rounds a 235×235 planar image into the packed training layout (zero border of 1 = the model's padding), applying
 * one of the 8 dihedral transforms (0 = identity; bit 0 flips x, bit 1 flips y, bit 2 transposes).
 */
export function packSample(img: Planar, dihedral: number, out: Uint8Array, offset = 0): void {
  if (img.width !== PATCH || img.height !== PATCH) throw new Error(`packSample needs ${PATCH}×${PATCH}, got ${img.width}×${img.height}`);
  const n = PATCH * PATCH;
  const fx = (dihedral & 1) !== 0;
  const fy = (dihedral & 2) !== 0;
  const tr = (dihedral & 4) !== 0;
  out.fill(0, offset, offset + SAMPLE_BYTES);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < PATCH; y++) {
      for (let x = 0; x < PATCH; x++) {
        let sx = tr ? y : x;
        let sy = tr ? x : y;
        if (fx) sx = PATCH - 1 - sx;
        if (fy) sy = PATCH - 1 - sy;
        const v = Math.round(img.data[c * n + sy * PATCH + sx]!);
        out[offset + c * PLANE + (y + 1) * PADDED + x + 1] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/** Packs a 235×235 window of an interleaved image (no transform, no rounding needed). */
export function packWindow(img: RGBImage, x0: number, y0: number, out: Uint8Array, offset = 0): void {
  out.fill(0, offset, offset + SAMPLE_BYTES);
  const ch = img.channels;
  for (let y = 0; y < PATCH; y++) {
    const sy = y0 + y;
    for (let x = 0; x < PATCH; x++) {
      const sx = x0 + x;
      const d = offset + (y + 1) * PADDED + x + 1;
      if (sy < 0 || sy >= img.height || sx < 0 || sx >= img.width) {
        out[d] = 255;
        out[d + PLANE] = 255;
        out[d + 2 * PLANE] = 255;
      } else {
        const s = (sy * img.width + sx) * ch;
        out[d] = img.data[s]!;
        out[d + PLANE] = img.data[s + 1]!;
        out[d + 2 * PLANE] = img.data[s + 2]!;
      }
    }
  }
}
