// FocusLiteNN forward and backward in plain TypeScript, on packed uint8 samples (see image.ts: three zero-bordered
// 237×237 planes, so the conv's zero padding costs nothing). Conv(3→C, 7×7, stride 5, pad 1) → min over the 47×47
// map per channel → (C > 1) linear C→1. Sums run in float64; weights are divided by 255 once per sample.
//
// The min has a sparse gradient: only the arg-min window of each channel receives it, so the backward pass costs
// C·147 multiply-adds per sample against 2209·147·C for the forward.
import type { FocusWeights } from '../model/weights.ts';
import type { Rng } from './rng.ts';

// Local copies of image.ts's layout constants: imported bindings in hot loops are property reads under Vitest.
const PADDED = 237;
const PLANE = PADDED * PADDED;

export const KSIZE = 7;
export const TAPS = 3 * KSIZE * KSIZE;
export const MAP = 47;
export const STRIDE = 5;

/** Parameters as one vector (for Adam): conv weights [C·147], conv bias [C], then fc weight [C] and fc bias if any. */
export interface Net {
  kernels: number;
  hasFc: boolean;
  theta: Float64Array;
}

export function parameterCount(kernels: number, hasFc: boolean): number {
  return kernels * TAPS + kernels + (hasFc ? kernels + 1 : 0);
}

export const offsets = (C: number) => ({ w: 0, b: C * TAPS, fw: C * TAPS + C, fb: C * TAPS + 2 * C });

/** PyTorch's default initialisation: U(±1/√fan_in) for conv (fan_in 147) and linear (fan_in C). */
export function initNet(kernels: number, rng: Rng, hasFc = kernels > 1): Net {
  const theta = new Float64Array(parameterCount(kernels, hasFc));
  const o = offsets(kernels);
  const bc = 1 / Math.sqrt(TAPS);
  for (let i = 0; i < o.fw; i++) theta[i] = rng.uniform(-bc, bc);
  if (hasFc) {
    const bf = 1 / Math.sqrt(kernels);
    for (let i = o.fw; i < theta.length; i++) theta[i] = rng.uniform(-bf, bf);
  }
  return { kernels, hasFc, theta };
}

export function netFromWeights(w: FocusWeights): Net {
  const C = w.kernels;
  const hasFc = w.fcWeight !== undefined;
  const theta = new Float64Array(parameterCount(C, hasFc));
  const o = offsets(C);
  theta.set(w.convWeight, o.w);
  theta.set(w.convBias, o.b);
  if (hasFc) {
    theta.set(w.fcWeight!, o.fw);
    theta[o.fb] = w.fcBias ?? 0;
  }
  return { kernels: C, hasFc, theta };
}

export function netToWeights(net: Net): FocusWeights {
  const C = net.kernels;
  const o = offsets(C);
  const w: FocusWeights = {
    kernels: C,
    convWeight: Float32Array.from(net.theta.subarray(o.w, o.b)),
    convBias: Float32Array.from(net.theta.subarray(o.b, o.b + C)),
  };
  if (net.hasFc) {
    w.fcWeight = Float32Array.from(net.theta.subarray(o.fw, o.fw + C));
    w.fcBias = Math.fround(net.theta[o.fb]!);
  }
  return w;
}

/** Reusable buffers for `convMins`. */
export class ConvScratch {
  readonly w: Float64Array;
  readonly acc: Float64Array;
  constructor(kernels: number) {
    this.w = new Float64Array(kernels * TAPS);
    this.acc = new Float64Array(kernels);
  }
}

/**
 * Min over the conv map of each of K kernels for one packed sample: mins[k] = min over positions of
 * (W_k · window)/255 + bias_k, args[k] = the first position (row-major) reaching it.
 */
export function convMins(
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  K: number,
  sample: Uint8Array,
  offset: number,
  mins: Float64Array,
  args: Int32Array,
  scratch: ConvScratch = new ConvScratch(K),
): void {
  const W = scratch.w;
  for (let i = 0; i < K * TAPS; i++) W[i] = weights[i]!;
  if (K <= 2) {
    // one kernel at a time: the inner 7-tap row stays in registers
    for (let k = 0; k < K; k++) {
      const wb = k * TAPS;
      let mn = Infinity;
      let am = 0;
      for (let oy = 0; oy < MAP; oy++) {
        for (let ox = 0; ox < MAP; ox++) {
          const p0 = offset + oy * STRIDE * PADDED + ox * STRIDE;
          let s = 0;
          let t = wb;
          for (let ch = 0; ch < 3; ch++) {
            for (let ky = 0; ky < KSIZE; ky++) {
              const r = p0 + ch * PLANE + ky * PADDED;
              s +=
                W[t]! * sample[r]! +
                W[t + 1]! * sample[r + 1]! +
                W[t + 2]! * sample[r + 2]! +
                W[t + 3]! * sample[r + 3]! +
                W[t + 4]! * sample[r + 4]! +
                W[t + 5]! * sample[r + 5]! +
                W[t + 6]! * sample[r + 6]!;
              t += KSIZE;
            }
          }
          if (s < mn) {
            mn = s;
            am = oy * MAP + ox;
          }
        }
      }
      mins[k] = mn / 255 + bias[k]!;
      args[k] = am;
    }
    return;
  }
  // many kernels: load each 7-pixel row once and feed all kernels
  const acc = scratch.acc;
  for (let k = 0; k < K; k++) mins[k] = Infinity;
  for (let oy = 0; oy < MAP; oy++) {
    for (let ox = 0; ox < MAP; ox++) {
      acc.fill(0);
      const p0 = offset + oy * STRIDE * PADDED + ox * STRIDE;
      let t = 0;
      for (let ch = 0; ch < 3; ch++) {
        for (let ky = 0; ky < KSIZE; ky++) {
          const r = p0 + ch * PLANE + ky * PADDED;
          const x0 = sample[r]!;
          const x1 = sample[r + 1]!;
          const x2 = sample[r + 2]!;
          const x3 = sample[r + 3]!;
          const x4 = sample[r + 4]!;
          const x5 = sample[r + 5]!;
          const x6 = sample[r + 6]!;
          for (let k = 0; k < K; k++) {
            const w = k * TAPS + t;
            acc[k]! += W[w]! * x0 + W[w + 1]! * x1 + W[w + 2]! * x2 + W[w + 3]! * x3 + W[w + 4]! * x4 + W[w + 5]! * x5 + W[w + 6]! * x6;
          }
          t += KSIZE;
        }
      }
      for (let k = 0; k < K; k++) {
        if (acc[k]! < mins[k]!) {
          mins[k] = acc[k]!;
          args[k] = oy * MAP + ox;
        }
      }
    }
  }
  for (let k = 0; k < K; k++) mins[k] = mins[k]! / 255 + bias[k]!;
}

/** The model output from the per-channel mins. */
export function headScore(net: Net, mins: ArrayLike<number>, at = 0): number {
  const C = net.kernels;
  if (!net.hasFc) return mins[at]!;
  const o = offsets(C);
  let s = net.theta[o.fb]!;
  for (let c = 0; c < C; c++) s += net.theta[o.fw + c]! * mins[at + c]!;
  return s;
}

/** Patch scores of packed samples (forward only). */
export function scoreSamples(net: Net, data: Uint8Array, count: number, sampleBytes: number): Float64Array {
  const C = net.kernels;
  const o = offsets(C);
  const w = net.theta.subarray(o.w, o.b);
  const b = net.theta.subarray(o.b, o.b + C);
  const mins = new Float64Array(C);
  const args = new Int32Array(C);
  const scratch = new ConvScratch(C);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    convMins(w, b, C, data, i * sampleBytes, mins, args, scratch);
    out[i] = headScore(net, mins);
  }
  return out;
}

/**
 * Adds dL/dθ for one sample to `grad`, given dL/dscore and the sample's forward result (mins, args at `at`).
 */
export function accumulateGradient(
  net: Net,
  sample: Uint8Array,
  offset: number,
  mins: ArrayLike<number>,
  args: ArrayLike<number>,
  at: number,
  dScore: number,
  grad: Float64Array,
): void {
  const C = net.kernels;
  const o = offsets(C);
  for (let c = 0; c < C; c++) {
    let dMin = dScore;
    if (net.hasFc) {
      dMin = dScore * net.theta[o.fw + c]!;
      grad[o.fw + c]! += dScore * mins[at + c]!;
    }
    grad[o.b + c]! += dMin;
    const pos = args[at + c]!;
    const p0 = offset + Math.floor(pos / MAP) * STRIDE * PADDED + (pos % MAP) * STRIDE;
    const g = dMin / 255;
    let t = o.w + c * TAPS;
    for (let ch = 0; ch < 3; ch++)
      for (let ky = 0; ky < KSIZE; ky++) {
        const r = p0 + ch * PLANE + ky * PADDED;
        for (let kx = 0; kx < KSIZE; kx++) grad[t++]! += g * sample[r + kx]!;
      }
  }
  if (net.hasFc) grad[o.fb]! += dScore;
}
