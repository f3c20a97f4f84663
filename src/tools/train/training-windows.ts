// Which simulation windows are tissue (training only): tissue versus glass on the in-focus training slide. Not the
// product's mask (src/focus/tissue.ts), which also sets ink and pen marks apart on the slide being checked; this rule
// only picks source windows, and changing it changes the trained models (so `train:models` would no longer reproduce
// the shipped weights).
import type { RGBImage } from './image.ts';

/** Colourfulness (max − min channel) from which a pixel counts as tissue. Glass stays below ~10. */
export const TISSUE_CHROMA = 20;
/** Mean grey level below which a pixel counts as tissue even when grey (dense or dark material). */
export const TISSUE_DARK = 160;

export function isTissuePixel(r: number, g: number, b: number): boolean {
  const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
  const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
  return mx - mn >= TISSUE_CHROMA || r + g + b < 3 * TISSUE_DARK;
}

/** Summed-area table of the tissue mask: fraction of tissue in any rectangle in O(1). */
export class TissueIntegral {
  readonly width: number;
  readonly height: number;
  private readonly sat: Float64Array;

  constructor(img: RGBImage) {
    const { width: w, height: h, channels: ch, data } = img;
    this.width = w;
    this.height = h;
    const sat = new Float64Array((w + 1) * (h + 1));
    for (let y = 0; y < h; y++) {
      let row = 0;
      for (let x = 0; x < w; x++) {
        const s = (y * w + x) * ch;
        if (isTissuePixel(data[s]!, data[s + 1]!, data[s + 2]!)) row++;
        sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + row;
      }
    }
    this.sat = sat;
  }

  /** Tissue fraction of [x0, x0+w) × [y0, y0+h); the part outside the image counts as glass. */
  fraction(x0: number, y0: number, w: number, h: number): number {
    const W = this.width + 1;
    const xa = Math.max(0, Math.min(this.width, x0));
    const xb = Math.max(0, Math.min(this.width, x0 + w));
    const ya = Math.max(0, Math.min(this.height, y0));
    const yb = Math.max(0, Math.min(this.height, y0 + h));
    const s = this.sat[yb * W + xb]! - this.sat[ya * W + xb]! - this.sat[yb * W + xa]! + this.sat[ya * W + xa]!;
    return s / (w * h);
  }
}
