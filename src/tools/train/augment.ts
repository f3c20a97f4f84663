// Acquisition augmentations: stain colour (HED space), sensor noise, and JPEG re-compression.
import type { Planar } from './image.ts';
import { gaussianBlur } from './psf.ts';
import { Rng } from './rng.ts';

// Ruifrok & Johnston colour deconvolution, haematoxylin / eosin / DAB optical-density vectors (rows, normalised).
const HED_TO_RGB = normaliseRows([
  [0.65, 0.7, 0.29],
  [0.07, 0.99, 0.11],
  [0.27, 0.57, 0.78],
]);
const RGB_TO_HED = invert3(HED_TO_RGB);

function normaliseRows(m: number[][]): number[][] {
  return m.map((r) => {
    const n = Math.hypot(...r);
    return r.map((v) => v / n);
  });
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

export interface StainJitter {
  /** Multiplicative factor per stain (H, E, D). */
  scale: [number, number, number];
  /** Additive optical density per stain. */
  shift: [number, number, number];
}

/** Per-stain scale factors log-uniform in the given ranges (H, E, DAB/residual), shifts uniform in ± shiftSpread. */
export function drawStainJitter(rng: Rng, scale: readonly (readonly [number, number])[], shiftSpread: number): StainJitter {
  const s = (i: number) => rng.logUniform(scale[i]![0], scale[i]![1]);
  const t = () => rng.uniform(-shiftSpread, shiftSpread);
  return { scale: [s(0), s(1), s(2)], shift: [t(), t(), t()] };
}

/**
 * Jitters stain amounts (Tellez et al. 2018): RGB → optical density → HED concentrations, c' = c·scale + shift,
 * back to RGB. In place; values stay on the 0…255 scale.
 */
export function jitterStain(img: Planar, j: StainJitter): void {
  const n = img.width * img.height;
  const d = img.data;
  // Combined linear map on optical density: OD' = OD · M_inv · diag(scale) · M  +  shift · M
  const M: number[][] = [[], [], []];
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += RGB_TO_HED[r]![k]! * j.scale[k]! * HED_TO_RGB[k]![c]!;
      M[r]![c] = s;
    }
  const off = [0, 1, 2].map((c) => j.shift.reduce((s, v, k) => s + v * HED_TO_RGB[k]![c]!, 0));
  const lut = new Float64Array(256);
  for (let v = 0; v < 256; v++) lut[v] = -Math.log((v + 1) / 256);
  const od = (v: number) => {
    const i = v <= 0 ? 0 : v >= 255 ? 255 : v;
    const f = Math.floor(i);
    return f === i ? lut[f]! : -Math.log((i + 1) / 256);
  };
  for (let p = 0; p < n; p++) {
    const r = od(d[p]!);
    const g = od(d[n + p]!);
    const b = od(d[2 * n + p]!);
    for (let c = 0; c < 3; c++) {
      const o = r * M[0]![c]! + g * M[1]![c]! + b * M[2]![c]! + off[c]!;
      d[c * n + p] = 256 * Math.exp(-o) - 1;
    }
  }
}

/** Scales each channel's transmitted intensity by its gain (as jitterStain, on the (v + 1)/256 scale), clipped to white. In place. */
export function applyExposure(img: Planar, gains: readonly [number, number, number]): void {
  const d = img.data;
  const n = img.width * img.height;
  for (let c = 0; c < 3; c++) {
    const g = gains[c]!;
    for (let i = c * n; i < (c + 1) * n; i++) {
      const v = (d[i]! + 1) * g - 1;
      d[i] = v > 255 ? 255 : v;
    }
  }
}

// Standard normal deviates drawn once; noise indexes them at random (fast, and plenty for sensor noise).
const NORMALS = (() => {
  const rng = new Rng(0x5eed);
  return Float32Array.from({ length: 1 << 16 }, () => rng.normal());
})();

/** Poisson–Gaussian sensor noise: variance = read² + shot · value/255 (grey levels²). In place. */
export function addNoise(img: Planar, rng: Rng, read: number, shot: number): void {
  const d = img.data;
  const r2 = read * read;
  const k = shot / 255;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    d[i] = v + Math.sqrt(r2 + k * (v > 0 ? v : 0)) * NORMALS[rng.uint32() & 0xffff]!;
  }
}

/** Unsharp mask: v + amount · (v − G_σ ⊛ v), as scanners sharpen. In place; edges clamped. */
export function unsharpMask(img: Planar, amount: number, sigma: number): void {
  const blurred = gaussianBlur(img, sigma);
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! + amount * (d[i]! - blurred.data[i]!);
}

// ---- JPEG: the lossy part of baseline JPEG (YCbCr, optional 4:2:0, 8×8 DCT, quantisation), without the lossless
// entropy coding, so it is fast and can subsample chroma like most slide scanners (jpeg-js cannot). ----

const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** libjpeg's quality scaling of the standard tables. */
export function quantTable(base: number[], quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Float64Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

const COS = (() => {
  const c = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) c[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return c;
})();

/** In-place 8-point DCT-II (orthonormal) of v[o], v[o+st], …: even/odd halves, 32 multiply-adds instead of 64. */
function dct8(v: Float64Array, o: number, st: number, tmp: Float64Array): void {
  for (let x = 0; x < 4; x++) {
    const a = v[o + x * st]!;
    const b = v[o + (7 - x) * st]!;
    tmp[x] = a + b;
    tmp[4 + x] = a - b;
  }
  for (let u = 0; u < 8; u++) {
    const h = u & 1 ? 4 : 0;
    const c = u * 8;
    v[o + u * st] = COS[c]! * tmp[h]! + COS[c + 1]! * tmp[h + 1]! + COS[c + 2]! * tmp[h + 2]! + COS[c + 3]! * tmp[h + 3]!;
  }
}

/** In-place inverse of dct8. */
function idct8(v: Float64Array, o: number, st: number, tmp: Float64Array): void {
  for (let u = 0; u < 8; u++) tmp[u] = v[o + u * st]!;
  for (let x = 0; x < 4; x++) {
    const e = COS[x]! * tmp[0]! + COS[16 + x]! * tmp[2]! + COS[32 + x]! * tmp[4]! + COS[48 + x]! * tmp[6]!;
    const d = COS[8 + x]! * tmp[1]! + COS[24 + x]! * tmp[3]! + COS[40 + x]! * tmp[5]! + COS[56 + x]! * tmp[7]!;
    v[o + x * st] = e + d;
    v[o + (7 - x) * st] = e - d;
  }
}

/** Quantises one w×h plane (w, h multiples of 8) block by block: DCT, round to the table's steps, inverse, 8 bits. */
function dctQuantisePlane(p: Float64Array, w: number, h: number, table: Float64Array): void {
  const blk = new Float64Array(64);
  const tmp = new Float64Array(8);
  for (let by = 0; by < h; by += 8)
    for (let bx = 0; bx < w; bx += 8) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) blk[y * 8 + x] = p[(by + y) * w + bx + x]! - 128;
      for (let y = 0; y < 8; y++) dct8(blk, y * 8, 1, tmp);
      for (let x = 0; x < 8; x++) dct8(blk, x, 8, tmp);
      for (let i = 0; i < 64; i++) {
        const q = table[i]!;
        blk[i] = Math.round(blk[i]! / q) * q;
      }
      for (let x = 0; x < 8; x++) idct8(blk, x, 8, tmp);
      for (let y = 0; y < 8; y++) idct8(blk, y * 8, 1, tmp);
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const o = Math.round(blk[y * 8 + x]! + 128);
          p[(by + y) * w + bx + x] = o < 0 ? 0 : o > 255 ? 255 : o;
        }
    }
}

/**
 * JPEG round trip of an image: rounds to 8 bits, converts to YCbCr (JFIF), optionally subsamples chroma 2×2 (box
 * down, triangle "fancy" up as libjpeg does), quantises the DCT of each 8×8 block with libjpeg's tables at `quality`,
 * and converts back, rounding to 8 bits. In place.
 */
export function jpegRoundTrip(img: Planar, quality: number, subsample: boolean): void {
  const { width: w, height: h } = img;
  const n = w * h;
  const d = img.data;
  const mw = Math.ceil(w / 16) * 16;
  const mh = Math.ceil(h / 16) * 16;
  const Y = new Float64Array(mw * mh);
  const Cb = new Float64Array(mw * mh);
  const Cr = new Float64Array(mw * mh);
  const q8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let y = 0; y < mh; y++)
    for (let x = 0; x < mw; x++) {
      const s = Math.min(y, h - 1) * w + Math.min(x, w - 1); // edge replication into the padding, as encoders do
      const r = q8(d[s]!);
      const g = q8(d[n + s]!);
      const b = q8(d[2 * n + s]!);
      const o = y * mw + x;
      Y[o] = q8(0.299 * r + 0.587 * g + 0.114 * b);
      Cb[o] = q8(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      Cr[o] = q8(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  const lq = quantTable(LUMA_Q, quality);
  const cq = quantTable(CHROMA_Q, quality);
  dctQuantisePlane(Y, mw, mh, lq);
  if (subsample) {
    const cw = mw / 2;
    const ch = mh / 2;
    for (const plane of [Cb, Cr]) {
      const small = new Float64Array(cw * ch);
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          const o = 2 * y * mw + 2 * x;
          small[y * cw + x] = Math.round((plane[o]! + plane[o + 1]! + plane[o + mw]! + plane[o + mw + 1]!) / 4);
        }
      dctQuantisePlane(small, cw, ch, cq);
      // triangle upsampling: each full-resolution sample is 3/4 its own chroma sample + 1/4 the neighbour's, per axis
      for (let y = 0; y < mh; y++) {
        const sy = y >> 1;
        const ny = Math.min(ch - 1, Math.max(0, y & 1 ? sy + 1 : sy - 1));
        for (let x = 0; x < mw; x++) {
          const sx = x >> 1;
          const nx = Math.min(cw - 1, Math.max(0, x & 1 ? sx + 1 : sx - 1));
          plane[y * mw + x] =
            (9 * small[sy * cw + sx]! + 3 * small[sy * cw + nx]! + 3 * small[ny * cw + sx]! + small[ny * cw + nx]!) / 16;
        }
      }
    }
  } else {
    dctQuantisePlane(Cb, mw, mh, cq);
    dctQuantisePlane(Cr, mw, mh, cq);
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = y * mw + x;
      const yy = Y[o]!;
      const cb = Cb[o]! - 128;
      const cr = Cr[o]! - 128;
      const s = y * w + x;
      d[s] = q8(yy + 1.402 * cr);
      d[n + s] = q8(yy - 0.344136 * cb - 0.714136 * cr);
      d[2 * n + s] = q8(yy + 1.772 * cb);
    }
}
