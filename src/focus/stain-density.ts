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
  const words = ch === 4 ? wordsOf(data) : undefined;
  let sum = 0;
  for (let row = y; row < y + patch; row++) {
    if (words) {
      // One 32-bit read per RGBA pixel (little-endian: R in the low byte), as the packers read.
      for (let p = row * width + x, end = p + patch; p < end; p++) {
        const v = words[p]!;
        sum += OD[v & 255]! + OD[(v >>> 8) & 255]! + OD[(v >>> 16) & 255]!;
      }
    } else {
      let p = (row * width + x) * ch;
      for (let col = 0; col < patch; col++, p += ch) sum += OD[data[p]!]! + OD[data[p + 1]!]! + OD[data[p + 2]!]!;
    }
  }
  return sum / (patch * patch * 3);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The pixels as 32-bit words when they can be read so (aligned RGBA on a little-endian machine). */
function wordsOf(data: Uint8Array | Uint8ClampedArray): Uint32Array | undefined {
  return LITTLE_ENDIAN && data.byteOffset % 4 === 0 && data.byteLength % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2) : undefined;
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
  const source = ch === 4 ? wordsOf(img.data) : undefined;
  const target = wordsOf(data);
  corners.forEach(({ x, y }, i) => {
    const table = densityTable(densityGain(patchMeanOd(img, x, y), n));
    let q = i * PATCH * PATCH * 4;
    for (let row = y; row < y + PATCH; row++) {
      if (source && target) {
        // Word in, word out: the same bytes as the loop below, a quarter of the memory operations.
        let w = q >> 2;
        for (let p = row * img.width + x, end = p + PATCH; p < end; p++, w++) {
          const v = source[p]!;
          target[w] = (table[v & 255]! | (table[(v >>> 8) & 255]! << 8) | (table[(v >>> 16) & 255]! << 16) | 0xff000000) >>> 0;
        }
        q += PATCH * 4;
        continue;
      }
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
