// Conv weights on an integer grid. The u8 graph (onnx-builder.ts) multiplies pixel bytes by integer weights exactly;
// how many base-256 digits a kernel's weights need decides how much integer work it does. Arbitrary float weights
// (the official checkpoints) need three digits for float32 precision; weights on an 8-bit grid, which
// `focuslite train` ships (quantiseConvWeights), need one: a third of the work.
import type { FocusWeights } from './weights.ts';

export type WeightDigits = 1 | 2 | 3;

/**
 * How far (in grid steps) a weight w = s·q may sit from a grid point and still count as on it: float32 rounding of
 * s·q and of the step moves q by about |q|·1.2·10⁻⁷, so allow that (×8) plus a fixed 10⁻⁴. A float weight off the grid
 * passes by chance with probability < 0.07 (16 bits, |q| ≤ 32512), so all 147 of a kernel never do.
 */
function gridTolerance(q: number): number {
  return 1e-4 + Math.abs(q) * 1e-6;
}

function kernelMax(w: FocusWeights, k: number): number {
  let max = 0;
  for (let i = k * 147; i < (k + 1) * 147; i++) max = Math.max(max, Math.abs(w.convWeight[i] as number));
  return max;
}

/** Grid step of kernel k with this many base-256 digits: its largest |weight| is 127·256^(digits−1) steps. */
export function kernelStep(w: FocusWeights, k: number, digits: WeightDigits): number {
  const max = kernelMax(w, k);
  return max > 0 ? max / (127 * 256 ** (digits - 1)) : 1;
}

/** Fewest base-256 digits that hold every kernel's conv weights exactly: 1 for 8-bit-grid weights, else 2 or 3. */
export function weightDigits(w: FocusWeights): WeightDigits {
  for (const digits of [1, 2] as const) {
    let onGrid = true;
    for (let k = 0; k < w.kernels && onGrid; k++) {
      const s = kernelStep(w, k, digits);
      for (let i = k * 147; i < (k + 1) * 147 && onGrid; i++) {
        const q = (w.convWeight[i] as number) / s;
        onGrid = Math.abs(q - Math.round(q)) <= gridTolerance(q);
      }
    }
    if (onGrid) return digits;
  }
  return 3;
}

/**
 * The same weights with each kernel's conv weights rounded to its symmetric 8-bit grid (step max|w| / 127, levels
 * −127…127). Biases and the linear layer stay float. Rounding moves a weight by at most half a step.
 */
export function quantiseConvWeights(w: FocusWeights): FocusWeights {
  const convWeight = new Float32Array(w.convWeight.length);
  for (let k = 0; k < w.kernels; k++) {
    const s = kernelStep(w, k, 1);
    for (let i = k * 147; i < (k + 1) * 147; i++) convWeight[i] = (Math.round((w.convWeight[i] as number) / s) || 0) * s; // || 0: no −0, as JSON would write it
  }
  return { ...w, convWeight };
}
