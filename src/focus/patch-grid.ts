// Patch geometry of FocusLiteNN image scoring and the patch → input-tensor packing shared by ONNX and reference.
import type { RGBAImage } from '../slide/types.ts';

export const PATCH = 235;
export const STRIDE = 128;

/** Corners 0, stride, 2·stride, … while corner + patch ≤ side (empty if side < patch). */
export function patchStarts(side: number, patch = PATCH, stride = STRIDE): number[] {
  if (!(stride >= 1)) throw new RangeError(`stride must be ≥ 1, got ${stride}`);
  const out: number[] = [];
  for (let c = 0; c + patch <= side; c += stride) out.push(c);
  return out;
}

export interface PatchGrid {
  patch: number;
  stride: number;
  /** top-left x of each column */
  xs: number[];
  /** top-left y of each row */
  ys: number[];
  rows: number;
  cols: number;
  /** Patch corners, rows outer, columns inner: index = row * cols + col. */
  corners: { x: number; y: number }[];
}

export function patchGrid(width: number, height: number, patch = PATCH, stride = STRIDE): PatchGrid {
  const xs = patchStarts(width, patch, stride);
  const ys = patchStarts(height, patch, stride);
  const corners: { x: number; y: number }[] = [];
  for (const y of ys) for (const x of xs) corners.push({ x, y });
  return { patch, stride, xs, ys, rows: ys.length, cols: xs.length, corners };
}

/** Interleaved 8-bit pixels with 3 (RGB) or 4 (RGBA) channels; alpha is ignored. */
export interface PixelImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels?: 3 | 4;
}

export function channelsOf(img: PixelImage): 3 | 4 {
  const ch = img.channels ?? (img.data.length === img.width * img.height * 3 ? 3 : 4);
  if (img.data.length !== img.width * img.height * ch) {
    throw new RangeError(`image data has ${img.data.length} bytes, expected ${img.width}×${img.height}×${ch}`);
  }
  return ch;
}

const INV255 = new Float32Array(256).map((_, i) => Math.fround(i / 255));

/**
 * Writes the patches at `corners` into `out` as float32 [N,3,patch,patch] (value / 255, channels first), starting at
 * patch index `outOffset`. Returns `out`. Corners must lie inside the image.
 */
export function packPatches(
  img: PixelImage | RGBAImage,
  corners: readonly { x: number; y: number }[],
  patch = PATCH,
  out: Float32Array = new Float32Array(corners.length * 3 * patch * patch),
  outOffset = 0,
): Float32Array {
  const ch = channelsOf(img);
  const { width, data } = img;
  for (const { x, y } of corners) {
    if (x < 0 || y < 0 || x + patch > width || y + patch > img.height) {
      throw new RangeError(`patch at (${x},${y}) lies outside the ${width}×${img.height} image`);
    }
  }
  // RGBA in an aligned buffer: read one 32-bit word per pixel (little-endian: R in the low byte). Packing is in the
  // hot loop of scanning with a plain-layout model, where it otherwise costs as much as the model.
  if (ch === 4 && data.byteOffset % 4 === 0 && new Uint8Array(Uint32Array.of(1).buffer)[0] === 1) {
    packRgbaWords(new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2), width, corners, patch, out, outOffset);
    return out;
  }
  const plane = patch * patch;
  for (let n = 0; n < corners.length; n++) {
    const { x, y } = corners[n] as { x: number; y: number };
    const base = (outOffset + n) * 3 * plane;
    let r = base;
    let g = base + plane;
    let b = base + 2 * plane;
    for (let yy = 0; yy < patch; yy++) {
      let p = ((y + yy) * width + x) * ch;
      for (let xx = 0; xx < patch; xx++, p += ch) {
        out[r++] = INV255[data[p] as number] as number;
        out[g++] = INV255[data[p + 1] as number] as number;
        out[b++] = INV255[data[p + 2] as number] as number;
      }
    }
  }
  return out;
}

function packRgbaWords(words: Uint32Array, width: number, corners: readonly { x: number; y: number }[], patch: number, out: Float32Array, outOffset: number): void {
  const plane = patch * patch;
  for (let n = 0; n < corners.length; n++) {
    const { x, y } = corners[n] as { x: number; y: number };
    let r = (outOffset + n) * 3 * plane;
    let g = r + plane;
    let b = g + plane;
    for (let yy = 0; yy < patch; yy++) {
      let p = (y + yy) * width + x;
      const end = p + patch;
      for (; p < end; p++) {
        const v = words[p] as number;
        out[r++] = INV255[v & 255] as number;
        out[g++] = INV255[(v >>> 8) & 255] as number;
        out[b++] = INV255[(v >>> 16) & 255] as number;
      }
    }
  }
}

/** Row-major grid (rows outer) from flat per-patch scores. */
export function toGrid(scores: ArrayLike<number>, rows: number, cols: number): number[][] {
  const grid: number[][] = [];
  for (let r = 0; r < rows; r++) grid.push(Array.from({ length: cols }, (_, c) => scores[r * cols + c] as number));
  return grid;
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return values.length ? s / values.length : Number.NaN;
}

/** One image's patch scores on the paper's grid and their mean (what `focuslite score` prints). */
export interface ImageScore {
  width: number;
  height: number;
  patch: number;
  stride: number;
  /** Mean of the patch scores (unclamped). */
  score: number;
  /** Patch scores, rows outer. */
  patchGrid: number[][];
}
