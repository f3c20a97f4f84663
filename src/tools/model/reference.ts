// Plain TypeScript FocusLiteNN (float64 accumulation): the ground truth the ONNX model is tested against.
import { mean, PATCH as PATCH_SIDE, patchGrid, STRIDE, toGrid, channelsOf, type ImageScore, type PixelImage } from '../../focus/patch-grid.ts';
import type { FocusWeights } from './weights.ts';

// Local constants, not imported bindings: under Vitest's module transform every imported binding read is a property
// lookup, which made the hot loops 4× slower.
const K = 7;
const PATCH = PATCH_SIDE;
const CONV_STRIDE = 5;
const CONV_PAD = 1;
const CONV_OUT = 47;

/**
 * Scores of N patches given as float32 [N,3,235,235] (the ONNX input layout). Returns N scores.
 */
export function referenceScoreTensor(w: FocusWeights, input: Float32Array, n = input.length / (3 * PATCH * PATCH)): Float64Array {
  const plane = PATCH * PATCH;
  if (!Number.isInteger(n) || input.length < n * 3 * plane) throw new RangeError('input is not [N,3,235,235]');
  const out = new Float64Array(n);
  const x = new Float64Array(3 * plane);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3 * plane; j++) x[j] = input[i * 3 * plane + j] as number;
    out[i] = scorePlanes(w, x);
  }
  return out;
}

/** Scores of the patches of `img` at `corners`, straight from the 8-bit pixels (value / 255 in float64). */
export function referencePatchScores(w: FocusWeights, img: PixelImage, corners: readonly { x: number; y: number }[]): Float64Array {
  const ch = channelsOf(img);
  const plane = PATCH * PATCH;
  const x = new Float64Array(3 * plane);
  const out = new Float64Array(corners.length);
  corners.forEach(({ x: x0, y: y0 }, i) => {
    if (x0 < 0 || y0 < 0 || x0 + PATCH > img.width || y0 + PATCH > img.height) throw new RangeError(`patch at (${x0},${y0}) lies outside the image`);
    for (let yy = 0; yy < PATCH; yy++) {
      for (let xx = 0; xx < PATCH; xx++) {
        const p = ((y0 + yy) * img.width + x0 + xx) * ch;
        const q = yy * PATCH + xx;
        for (let c = 0; c < 3; c++) x[c * plane + q] = (img.data[p + c] as number) / 255;
      }
    }
    out[i] = scorePlanes(w, x);
  });
  return out;
}

export function referenceImageScore(w: FocusWeights, img: PixelImage, stride = STRIDE): ImageScore {
  const grid = patchGrid(img.width, img.height, PATCH, stride);
  if (grid.corners.length === 0) throw new RangeError(`image is ${img.width}×${img.height}; FocusLiteNN needs at least 235×235`);
  const scores = referencePatchScores(w, img, grid.corners);
  return { width: img.width, height: img.height, patch: PATCH, stride, score: mean(scores), patchGrid: toGrid(scores, grid.rows, grid.cols) };
}

/** Conv(7×7, stride 5, pad 1) → min over the 47×47 map per kernel → optional linear C→1. `x` is [3,235,235]. */
function scorePlanes(w: FocusWeights, x: Float64Array): number {
  const c = w.kernels;
  const mins = new Float64Array(c);
  const wk = new Float64Array(3 * K * K);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < wk.length; i++) wk[i] = w.convWeight[k * wk.length + i] as number;
    const bias = w.convBias[k] as number;
    let min = Number.POSITIVE_INFINITY;
    for (let oy = 0; oy < CONV_OUT; oy++) {
      const y0 = oy * CONV_STRIDE - CONV_PAD;
      const edgeRow = oy === 0 || oy === CONV_OUT - 1;
      for (let ox = 0; ox < CONV_OUT; ox++) {
        const x0 = ox * CONV_STRIDE - CONV_PAD;
        const v = edgeRow || ox === 0 || ox === CONV_OUT - 1 ? convAtEdge(x, wk, bias, y0, x0) : convInterior(x, wk, bias, y0, x0);
        if (v < min) min = v;
      }
    }
    mins[k] = min;
  }
  if (!w.fcWeight) return mins[0] as number;
  let s = w.fcBias ?? 0;
  for (let k = 0; k < c; k++) s += (mins[k] as number) * (w.fcWeight[k] as number);
  return s;
}

/** One conv output whose 7×7 window lies inside the patch (no padding to check). */
function convInterior(x: Float64Array, wk: Float64Array, bias: number, y0: number, x0: number): number {
  let s = bias;
  for (let ci = 0; ci < 3; ci++) {
    let r = ci * PATCH * PATCH + y0 * PATCH + x0;
    let q = ci * K * K;
    for (let ky = 0; ky < K; ky++, r += PATCH, q += K) {
      s +=
        (x[r] as number) * (wk[q] as number) +
        (x[r + 1] as number) * (wk[q + 1] as number) +
        (x[r + 2] as number) * (wk[q + 2] as number) +
        (x[r + 3] as number) * (wk[q + 3] as number) +
        (x[r + 4] as number) * (wk[q + 4] as number) +
        (x[r + 5] as number) * (wk[q + 5] as number) +
        (x[r + 6] as number) * (wk[q + 6] as number);
    }
  }
  return s;
}

/** One conv output at the patch border: taps outside the patch read the zero padding. */
function convAtEdge(x: Float64Array, wk: Float64Array, bias: number, y0: number, x0: number): number {
  let s = bias;
  for (let ci = 0; ci < 3; ci++) {
    for (let ky = 0; ky < K; ky++) {
      const iy = y0 + ky;
      if (iy < 0 || iy >= PATCH) continue;
      for (let kx = 0; kx < K; kx++) {
        const ix = x0 + kx;
        if (ix < 0 || ix >= PATCH) continue;
        s += (x[ci * PATCH * PATCH + iy * PATCH + ix] as number) * (wk[(ci * K + ky) * K + kx] as number);
      }
    }
  }
  return s;
}
