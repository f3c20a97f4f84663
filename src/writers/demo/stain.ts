// Beer–Lambert colour model: each stain has an optical density per unit amount in R, G, B; the light through the
// glass is attenuated by exp(-total density). This is what makes overlapping stains mix like real H&E.
import { detExp } from './det-math.ts';

/** Optical density per unit amount, R G B. */
export const HAEMATOXYLIN = [0.66, 0.76, 0.32] as const;
export const EOSIN = [0.17, 0.95, 0.45] as const;
/** Blue-black marker ink. */
export const PEN_INK = [0.95, 0.7, 0.25] as const;

/** Densities are quantised to 1/LUT_SCALE before the table lookup. */
export const LUT_SCALE = 512;
export const LUT_SIZE = 8192;

/** exp(-i / LUT_SCALE) for i in [0, LUT_SIZE). */
export function transmissionTable(): Float32Array {
  const lut = new Float32Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) lut[i] = detExp(-i / LUT_SCALE);
  return lut;
}
