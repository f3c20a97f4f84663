// Per-patch stain-density normalisation, in front of the model. FocusLiteNN's zero-mean kernel measures edge contrast,
// and contrast follows how much stain a patch holds: sharp but pale tissue (squamous epithelium, a thin section) scored
// as blurry and dense tissue as sharp. Defocus keeps a patch's mean optical density while it lowers contrast, so
// scaling each patch's optical density to one target takes the stain amount out of the score and leaves the blur in.
// A change of stain density multiplies optical density (Beer–Lambert), which a power of the transmitted intensity
// undoes exactly: I' = 255·(I/255)^g.
import type { PixelImage } from './patch-grid.ts';
import { channelsOf, PATCH } from './patch-grid.ts';

export interface DensityNormalisation {
  method: 'mean-od';
  /** Mean optical density (log10, over all pixels and channels) every patch is scaled to. */
  targetOd: number;
  /** The gain is kept within [1/maxGain, maxGain], so near-empty patches are not blown up into noise. */
  maxGain: number;
}

/** −log10(v/255), with 0 read as 1 (a sensor never reports infinite density). */
const OD = Float64Array.from({ length: 256 }, (_, v) => -Math.log10(Math.max(1, v) / 255));

/** Mean optical density of the patch at (x, y). */
export function patchMeanOd(img: PixelImage, x: number, y: number, patch = PATCH): number {
  const ch = channelsOf(img);
  const { data, width } = img;
  let sum = 0;
  for (let row = y; row < y + patch; row++) {
    let p = (row * width + x) * ch;
    for (let col = 0; col < patch; col++, p += ch) sum += OD[data[p]!]! + OD[data[p + 1]!]! + OD[data[p + 2]!]!;
  }
  return sum / (patch * patch * 3);
}

/** The optical-density gain that brings a patch of mean density `meanOd` to the target. */
export function densityGain(meanOd: number, n: DensityNormalisation): number {
  const gain = meanOd > 0 ? n.targetOd / meanOd : n.maxGain;
  return Math.min(n.maxGain, Math.max(1 / n.maxGain, gain));
}

/** Byte → byte table scaling optical density by `gain`, rounded to the nearest byte. */
export function densityTable(gain: number): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, v) => Math.round(255 * Math.pow(Math.max(1, v) / 255, gain)));
}

/**
 * Copies the patches at `corners` into one RGBA image (patches stacked vertically), each scaled to the target density,
 * and returns it with the corners to read them at. The model then scores these as it scores any image.
 */
export function normaliseDensity(
  img: PixelImage,
  corners: readonly { x: number; y: number }[],
  n: DensityNormalisation,
  scratch?: Uint8Array,
): { image: PixelImage & { data: Uint8Array }; corners: { x: number; y: number }[] } {
  const ch = channelsOf(img);
  const size = PATCH * PATCH * 4 * corners.length;
  const data = scratch && scratch.length >= size ? scratch.subarray(0, size) : new Uint8Array(size);
  corners.forEach(({ x, y }, i) => {
    const table = densityTable(densityGain(patchMeanOd(img, x, y), n));
    let q = i * PATCH * PATCH * 4;
    for (let row = y; row < y + PATCH; row++) {
      let p = (row * img.width + x) * ch;
      for (let col = 0; col < PATCH; col++, p += ch, q += 4) {
        data[q] = table[img.data[p]!]!;
        data[q + 1] = table[img.data[p + 1]!]!;
        data[q + 2] = table[img.data[p + 2]!]!;
        data[q + 3] = 255;
      }
    }
  });
  return {
    image: { width: PATCH, height: PATCH * corners.length, data, channels: 4 },
    corners: corners.map((_, i) => ({ x: 0, y: i * PATCH })),
  };
}
