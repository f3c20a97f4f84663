// Deterministic replacements for Math.exp / Math.sin / Math.cos (whose last bits may differ between engines):
// series in plain IEEE arithmetic. Used to build tables, so they favour accuracy over speed.

/** e^x, |x| ≲ 700. */
export function detExp(x: number): number {
  // e^x = (e^(x/2^k))^(2^k) with a Taylor series on the small argument.
  const k = 12;
  const r = x / 4096;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 12; n++) {
    term = (term * r) / n;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum *= sum;
  return sum;
}

const TWO_PI = 6.283185307179586;

/** sin x via a Taylor series after reducing x to [-π, π]. */
export function detSin(x: number): number {
  let r = x - Math.floor(x / TWO_PI + 0.5) * TWO_PI;
  // Fold to [-π/2, π/2] where the series converges fast.
  if (r > TWO_PI / 4) r = TWO_PI / 2 - r;
  else if (r < -TWO_PI / 4) r = -TWO_PI / 2 - r;
  const r2 = r * r;
  let term = r;
  let sum = r;
  for (let n = 1; n < 12; n++) {
    term = (-term * r2) / ((2 * n) * (2 * n + 1));
    sum += term;
  }
  return sum;
}

export function detCos(x: number): number {
  return detSin(x + TWO_PI / 4);
}

export const DEG = TWO_PI / 360;

/** Unit vectors for `n` evenly spaced angles, for picking random orientations without trigonometry per use. */
export function directionTable(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cos[i] = detCos((TWO_PI * i) / n);
    sin[i] = detSin((TWO_PI * i) / n);
  }
  return { cos, sin };
}
