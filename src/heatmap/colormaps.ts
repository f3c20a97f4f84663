// Colormaps as 256-entry RGB lookup tables. Viridis and inferno (perceptually uniform, matplotlib's) are evaluated
// from Matt Zucker's published 6th-order polynomial fits (max error about 1/255 against the original tables);
// jet is the classic piecewise-linear map, kept for users who expect it from the paper's figures.

export type ColormapName = 'viridis' | 'inferno' | 'jet';
export const COLORMAPS: ColormapName[] = ['viridis', 'inferno', 'jet'];

type Vec3 = [number, number, number];

const FITS: Record<'viridis' | 'inferno', Vec3[]> = {
  viridis: [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ],
  inferno: [
    [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
    [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
    [11.60249308247187, -3.972853965665698, -15.9423941062914],
    [-41.70399613139459, 17.43639888205313, 44.35414519872813],
    [77.162935699427, -33.40235894210092, -81.80730925738993],
    [-71.31942824499214, 32.62606426397723, 73.20951985803202],
    [25.13112622477341, -12.24266895238567, -23.07032500287172],
  ],
};

function polynomial(coefficients: Vec3[], t: number): Vec3 {
  const out: Vec3 = [0, 0, 0];
  for (let k = coefficients.length - 1; k >= 0; k--) {
    const c = coefficients[k]!;
    for (let i = 0; i < 3; i++) out[i] = out[i]! * t + c[i]!;
  }
  return out;
}

function jet(t: number): Vec3 {
  const channel = (offset: number) => Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - offset)));
  return [channel(3), channel(2), channel(1)];
}

const cache = new Map<ColormapName, Uint8Array>();

/** 256×3 bytes: entry i is the colour for t = i / 255. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = cache.get(name);
  if (lut) return lut;
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const rgb = name === 'jet' ? jet(t) : polynomial(FITS[name], t);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(Math.min(1, Math.max(0, rgb[c]!)) * 255);
  }
  cache.set(name, lut);
  return lut;
}

/** CSS linear-gradient of a colormap, for legends. */
export function colormapGradient(name: ColormapName, stops = 16): string {
  const lut = colormapLut(name);
  const parts: string[] = [];
  for (let s = 0; s <= stops; s++) {
    const i = Math.round((s / stops) * 255) * 3;
    parts.push(`rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]}) ${((s / stops) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${parts.join(', ')})`;
}
