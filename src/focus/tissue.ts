/**
 * Tissue mask on a low-resolution rendering. A pixel is tissue when it is stained (saturated) but not a pen mark:
 * glass is bright and grey, H&E is pink to purple, while pen ink is very dark, or green/blue-green/deep blue hues
 * that eosin and haematoxylin do not produce. Simple, fast, documented; not a segmentation model.
 */
export const TISSUE_RULES = {
  /** Minimum saturation (max − min of RGB, 0–255) for a stained pixel. */
  minChroma: 18,
  /** Pixels darker than this (max of RGB) are ink, dust or folds, not scoreable tissue. */
  minBrightness: 40,
  /** A cell counts as tissue when at least this fraction of it is tissue; below `minScore` it is not scored at all. */
  tissueFraction: 0.5,
  minScore: 0.05,
};

export type PixelClass = 'glass' | 'tissue' | 'pen';

export function classifyPixel(r: number, g: number, b: number): PixelClass {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < TISSUE_RULES.minBrightness) return 'pen';
  if (max - min < TISSUE_RULES.minChroma) return 'glass';
  // Green dominant, or blue far above red: pen ink (H&E keeps red ≥ green and red close to or above blue).
  if (g > r + 10 || b > r + 60) return 'pen';
  return 'tissue';
}
