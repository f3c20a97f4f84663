// libjpeg-turbo's YCbCr → RGB, integer for integer: "fancy" (triangular) chroma upsampling for 4:2:0 (jdsample.c,
// h2v2_fancy_upsample) and the fixed-point colour conversion tables (jdcolor.c). WebCodecs' ImageDecoder hands
// out the decoder's own Y, Cb and Cr planes (I420); converting them here gives exactly the pixels libjpeg-turbo
// gives the CLI (through sharp) and createImageBitmap gives the browser, at a fraction of createImageBitmap's cost.
// Checked pixel for pixel against libjpeg-turbo by e2e/decode-exact.spec.ts. The browser workers run the same
// conversion in WebAssembly SIMD (ycc-simd.ts, tested against this file); this is its reference and fallback.
import type { RGBAImage } from '../types.ts';

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number) => Math.floor(x * (1 << SCALEBITS) + 0.5);

// Each term carries OFFSET, so Y + term (≥ −227 before it) indexes the clamping tables below.
const OFFSET = 256;
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = ((fix(1.402) * x + ONE_HALF) >> SCALEBITS) + OFFSET;
  CB_B[i] = ((fix(1.772) * x + ONE_HALF) >> SCALEBITS) + OFFSET;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}
/** The green term for every (Cb, Cr) pair, indexed Cb·256 + Cr: one lookup instead of two and a shift. */
const G_TERM = new Int16Array(65536);
for (let cb = 0; cb < 256; cb++) for (let cr = 0; cr < 256; cr++) G_TERM[(cb << 8) | cr] = (((CB_G[cb] as number) + (CR_G[cr] as number)) >> SCALEBITS) + OFFSET;
/**
 * Y + term + OFFSET → the value clamped to 0…255 (libjpeg-turbo's range limit) at its byte of an RGBA word, the blue
 * table carrying the opaque alpha: a pixel is one 32-bit store instead of four clamped byte stores (12 % less time per
 * tile in Chromium, a one-off measurement in BENCHMARKS.md).
 */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const atByte = (v: number, byte: number) => (v << (LITTLE_ENDIAN ? 8 * byte : 24 - 8 * byte)) >>> 0;
const CLAMPED = Array.from({ length: 1024 }, (_, i) => Math.min(255, Math.max(0, i - OFFSET)));
const TO_R = Uint32Array.from(CLAMPED, (v) => atByte(v, 0));
const TO_G = Uint32Array.from(CLAMPED, (v) => atByte(v, 1));
const TO_B = Uint32Array.from(CLAMPED, (v) => (atByte(v, 2) | atByte(255, 3)) >>> 0);

export interface Plane {
  data: Uint8Array;
  offset: number;
  stride: number;
}

/**
 * libjpeg-turbo's limits for fancy 4:2:0 upsampling: even sizes (its handling of an odd last column or row is not
 * reproduced) and more than two chroma columns (narrower images are upsampled by repetition). Callers decode
 * other images another way.
 */
export function canConvert420(width: number, height: number): boolean {
  return width % 2 === 0 && height % 2 === 0 && width > 4 && height >= 2;
}

/**
 * RGBA from 4:2:0 planes (chroma w/2 × h/2). Each output row takes its chroma from the nearest chroma row (weight 3)
 * and the next nearest (weight 1: the row above for even rows, below for odd ones, the edge row repeated), then
 * horizontally from the nearest column (3) and its neighbour (1), with libjpeg-turbo's alternating rounding
 * biases 8 and 7. Values are clamped to 0…255 as libjpeg-turbo's range limit does (TO_R, TO_G, TO_B).
 */
export function yuv420ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage {
  if (!canConvert420(width, height)) throw new RangeError(`4:2:0 conversion needs even sizes wider than 4 pixels, got ${width}×${height}`);
  const chromaWidth = width / 2;
  const chromaHeight = height / 2;
  const data = new Uint8ClampedArray(width * height * 4);
  const out = new Uint32Array(data.buffer);
  const Y = y.data;
  const U = cb.data;
  const V = cr.data;
  for (let row = 0; row < height; row++) {
    const crow = row >> 1;
    const other = row & 1 ? Math.min(chromaHeight - 1, crow + 1) : Math.max(0, crow - 1);
    const un = cb.offset + crow * cb.stride;
    const uf = cb.offset + other * cb.stride;
    const vn = cr.offset + crow * cr.stride;
    const vf = cr.offset + other * cr.stride;
    let yi = y.offset + row * y.stride;
    let o = row * width;
    // Column sums (3 × nearest row + next nearest row) of the previous, this and the next chroma column.
    let tu = (U[un] as number) * 3 + (U[uf] as number);
    let tv = (V[vn] as number) * 3 + (V[vf] as number);
    let lu = tu; // the first column has no left neighbour: its own sum stands in (libjpeg-turbo's thiscol * 4)
    let lv = tv;
    for (let c = 0; c < chromaWidth; c++) {
      const last = c + 1 === chromaWidth;
      const nu = last ? tu : (U[un + c + 1] as number) * 3 + (U[uf + c + 1] as number);
      const nv = last ? tv : (V[vn + c + 1] as number) * 3 + (V[vf + c + 1] as number);
      const ua = (tu * 3 + lu + 8) >> 4;
      const va = (tv * 3 + lv + 8) >> 4;
      const ub = (tu * 3 + nu + 7) >> 4;
      const vb = (tv * 3 + nv + 7) >> 4;
      let lum = Y[yi++] as number;
      out[o++] = (TO_R[lum + (CR_R[va] as number)] as number) | (TO_G[lum + (G_TERM[(ua << 8) | va] as number)] as number) | (TO_B[lum + (CB_B[ua] as number)] as number);
      lum = Y[yi++] as number;
      out[o++] = (TO_R[lum + (CR_R[vb] as number)] as number) | (TO_G[lum + (G_TERM[(ub << 8) | vb] as number)] as number) | (TO_B[lum + (CB_B[ub] as number)] as number);
      lu = tu;
      lv = tv;
      tu = nu;
      tv = nv;
    }
  }
  return { width, height, data };
}

/** RGBA from full-resolution (4:4:4) planes: the colour conversion alone. */
export function yuv444ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  const out = new Uint32Array(data.buffer);
  let o = 0;
  for (let row = 0; row < height; row++) {
    const yi = y.offset + row * y.stride;
    const ui = cb.offset + row * cb.stride;
    const vi = cr.offset + row * cr.stride;
    for (let x = 0; x < width; x++) {
      const lum = y.data[yi + x] as number;
      const u = cb.data[ui + x] as number;
      const v = cr.data[vi + x] as number;
      out[o++] = (TO_R[lum + (CR_R[v] as number)] as number) | (TO_G[lum + (G_TERM[(u << 8) | v] as number)] as number) | (TO_B[lum + (CB_B[u] as number)] as number);
    }
  }
  return { width, height, data };
}
