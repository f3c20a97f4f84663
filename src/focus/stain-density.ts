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
export const OD: Readonly<Float64Array> = Float64Array.from({ length: 256 }, (_, v) => -Math.log10(Math.max(1, v) / 255));

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
 * Σ (OD[R] + OD[G] + OD[B]) over the pixels x0 ≤ x < x1, y0 ≤ y < y1 of an image, in any order of addition (see
 * densityTables). The kernel (kernel/u8-kernel.ts) sums in WebAssembly; odRectSum is the JavaScript one.
 */
export type OdRectSum = (x0: number, x1: number, y0: number, y1: number) => number;

/**
 * The density table of every patch at `corners`: for each, exactly densityTable(densityGain(patchMeanOd(img, x, y), n)),
 * with every pixel read once instead of once per overlapping patch (~3.4 times at stride 128). The image is cut at
 * every patch edge into rectangles; a patch's density sum is the sum of its rectangles' sums (`rectSum`).
 *
 * That sum adds the same per-pixel terms (OD[R] + OD[G] + OD[B]) as patchMeanOd in another order, so the mean can
 * differ in its last bits and a table entry could round the other way. Both sums of the m = 235² nonnegative terms lie
 * within (m − 1)·2⁻⁵³ ≈ 6.1e−12 (relative) of the exact sum whatever the order (Higham's bound), so the gains differ by
 * less than 1.3e−11 relative, and an entry 255·x^g by at most 255/e times that (x^g·g·|ln x| ≤ 1/e): 1.2e−9. An entry
 * whose unrounded value lies farther than ROUNDING_MARGIN from a half rounds alike for both means; a patch with an
 * entry that close (about 1 in 2000) gets its table from patchMeanOd itself.
 */
export function densityTables(img: PixelImage, corners: readonly { x: number; y: number }[], n: DensityNormalisation, rectSum: OdRectSum = odRectSum(img)): Uint8Array[] {
  const sums = patchOdSums(corners, rectSum);
  return corners.map(({ x, y }, i) => certainTable(densityGain(sums[i]! / (PATCH * PATCH * 3), n)) ?? densityTable(densityGain(patchMeanOd(img, x, y), n)));
}

/** 1000 times the worst difference of an entry between the two means (densityTables), far above pow/exp's own error. */
const ROUNDING_MARGIN = 1e-6;
const LOG_X = Float64Array.from({ length: 256 }, (_, v) => Math.log(Math.max(1, v) / 255));

/** densityTable(gain), or undefined when an entry lies within ROUNDING_MARGIN of a half. */
function certainTable(gain: number): Uint8Array | undefined {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const value = 255 * Math.exp(gain * LOG_X[v]!); // cheaper than Math.pow, and within 1e-12 of it
    const rounded = Math.round(value);
    if (Math.abs(value - rounded) > 0.5 - ROUNDING_MARGIN) return undefined;
    table[v] = rounded;
  }
  return table;
}

/**
 * OD[R] + OD[G] for every little-endian (R, G) pair, indexed R + 256·G: one lookup instead of two and an addition per
 * pixel (15–45 % less time for the sums, a one-off Node measurement). The sum is the one `OD[R] + OD[G] + OD[B]`
 * computes first, so each pixel's term is the same number. 512 KB, made on first use.
 */
let redGreen: Float64Array | undefined;
function redGreenOd(): Float64Array {
  if (!redGreen) {
    redGreen = new Float64Array(65536);
    for (let g = 0; g < 256; g++) for (let r = 0; r < 256; r++) redGreen[(g << 8) | r] = OD[r]! + OD[g]!;
  }
  return redGreen;
}

/** OdRectSum of an image in JavaScript. */
export function odRectSum(img: PixelImage): OdRectSum {
  const ch = channelsOf(img);
  const { data, width } = img;
  const words = ch === 4 ? wordsOf(data) : undefined;
  const rg = words ? redGreenOd() : OD;
  return (x0, x1, y0, y1) => {
    // Two running sums (any order is fine, see densityTables): half the wait on the previous addition.
    let sum = 0;
    let odd = 0;
    for (let row = y0; row < y1; row++) {
      if (words) {
        let p = row * width + x0;
        const end = row * width + x1;
        for (; p + 1 < end; p += 2) {
          const v = words[p]!;
          const w = words[p + 1]!;
          sum += rg[v & 0xffff]! + OD[(v >>> 16) & 255]!;
          odd += rg[w & 0xffff]! + OD[(w >>> 16) & 255]!;
        }
        if (p < end) {
          const v = words[p]!;
          sum += rg[v & 0xffff]! + OD[(v >>> 16) & 255]!;
        }
      } else {
        for (let p = (row * width + x0) * ch, end = (row * width + x1) * ch; p < end; p += ch) sum += OD[data[p]!]! + OD[data[p + 1]!]! + OD[data[p + 2]!]!;
      }
    }
    return sum + odd;
  };
}

/** Sum of OD[R] + OD[G] + OD[B] over each patch, from rectangle sums between consecutive patch edges. */
function patchOdSums(corners: readonly { x: number; y: number }[], rectSum: OdRectSum): Float64Array {
  const edges = (at: (c: { x: number; y: number }) => number) => [...new Set(corners.flatMap((c) => [at(c), at(c) + PATCH]))].sort((a, b) => a - b);
  const xs = edges((c) => c.x);
  const ys = edges((c) => c.y);
  const cols = xs.length - 1;
  // Only rectangles inside some patch are summed (a block's glass cells are not scored), each once.
  const rects = new Float64Array(Math.max(0, cols * (ys.length - 1))).fill(Number.NaN);
  const spans = corners.map(({ x, y }) => [xs.indexOf(x), xs.indexOf(x + PATCH), ys.indexOf(y), ys.indexOf(y + PATCH)] as const);
  return Float64Array.from(spans, ([i0, i1, j0, j1]) => {
    let sum = 0;
    for (let j = j0; j < j1; j++) {
      for (let i = i0; i < i1; i++) {
        const k = j * cols + i;
        if (Number.isNaN(rects[k]!)) rects[k] = rectSum(xs[i]!, xs[i + 1]!, ys[j]!, ys[j + 1]!);
        sum += rects[k]!;
      }
    }
    return sum;
  });
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
  const tables = densityTables(img, corners, n);
  corners.forEach(({ x, y }, i) => {
    const table = tables[i]!;
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
