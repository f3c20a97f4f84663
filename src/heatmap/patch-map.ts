// Heatmaps of one image's patch grid over a grayscale rendering of it, at any output size. Pure pixels, no DOM.
import { colormapLut, type ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { normalise } from './normalise.ts';
import type { RGBAImage } from '../slide/types.ts';

/** Where an image's patches lie: corners at stride·k (k < cols or rows), each `patch` pixels square. */
export interface PatchGeometry {
  width: number;
  height: number;
  patch: number;
  stride: number;
  patchGrid: number[][];
}

export type HeatmapScale = 'fixed' | 'image';

/**
 * The colour range shared by every heatmap of the batch, or undefined for "each image its own min–max". `fixed` is
 * the model card's display scale, so colours mean the same in every row and a sharp tile looks uniformly cool; a
 * card without one falls back to the range of every patch score in the batch (`batch`, from batchRange; same
 * property, but it widens as results stream in). `image` stretches each image's own range, which shows structure inside a tile
 * but makes every tile look equally "hot".
 */
export function sharedNormaliser(
  scale: HeatmapScale,
  cardScale: readonly [number, number] | undefined,
  batch: Normaliser | undefined,
): Normaliser | undefined {
  if (scale !== 'fixed') return undefined;
  if (cardScale && cardScale[1] > cardScale[0]) return { lo: cardScale[0], hi: cardScale[1] };
  return batch;
}

/** Min–max over patch grids, widened when flat so it still has a span. */
export function rangeOf(grids: Iterable<readonly (readonly number[])[] | undefined>): Normaliser | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const grid of grids) {
    if (!grid) continue;
    for (const row of grid) {
      for (const v of row) {
        if (!Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(hi >= lo)) return undefined;
  return hi > lo ? { lo, hi } : { lo: lo - 0.5, hi: hi + 0.5 };
}

/**
 * The batch's colour range, rounded outward to a step of about a tenth of its span (…, 0.2, 0.5, 1, 2, …): as
 * results stream in it changes only when a score crosses a step, not with every new extreme, so hundreds of small
 * heatmaps are not redrawn after every file.
 */
export function batchRange(grids: Iterable<readonly (readonly number[])[] | undefined>): Normaliser | undefined {
  const range = rangeOf(grids);
  if (!range) return undefined;
  const span = range.hi - range.lo;
  const magnitude = 10 ** Math.floor(Math.log10(span / 10));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= span / 10) ?? 10 * magnitude;
  return { lo: Math.floor(range.lo / step) * step, hi: Math.ceil(range.hi / step) * step };
}

export interface PatchHit {
  row: number;
  col: number;
  /** Top-left corner of the patch, in image pixels. */
  x: number;
  y: number;
  score: number;
}

/**
 * The patch under image point (x, y): of the (up to four) overlapping patches covering it, the one whose centre is
 * nearest. Undefined outside every patch (the right and bottom margins no patch reaches).
 */
export function patchAt(g: PatchGeometry, x: number, y: number): PatchHit | undefined {
  const rows = g.patchGrid.length;
  const cols = g.patchGrid[0]?.length ?? 0;
  if (rows === 0 || cols === 0 || x < 0 || y < 0) return undefined;
  if (x >= (cols - 1) * g.stride + g.patch || y >= (rows - 1) * g.stride + g.patch) return undefined;
  const col = clamp(Math.round((x - g.patch / 2) / g.stride), 0, cols - 1);
  const row = clamp(Math.round((y - g.patch / 2) / g.stride), 0, rows - 1);
  return { row, col, x: col * g.stride, y: row * g.stride, score: g.patchGrid[row]![col]! };
}

export interface HeatmapOptions {
  colormap: ColormapName;
  normaliser: Normaliser;
  /** 0…1 */
  opacity: number;
  /** Bilinear between patch centres (else each pixel takes its nearest patch). */
  smooth: boolean;
  /** Keep the image's colours under the heatmap instead of grayscale. */
  keepColour?: boolean;
}

/**
 * `base` (the image, resized to the output size) in grayscale with the patch scores blended on top. Scores are
 * interpolated before colouring, between patch centres (stride·k + patch/2), and held flat from the outermost centres
 * to the patches' edges; the margin no patch covers shows the image alone.
 */
export function renderHeatmap(base: RGBAImage, g: PatchGeometry, options: HeatmapOptions): RGBAImage {
  const { width, height } = base;
  const out: RGBAImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  const lut = colormapLut(options.colormap);
  const rows = g.patchGrid.length;
  const cols = g.patchGrid[0]?.length ?? 0;
  const sx = g.width / width;
  const sy = g.height / height;
  const coveredW = cols ? (cols - 1) * g.stride + g.patch : 0;
  const coveredH = rows ? (rows - 1) * g.stride + g.patch : 0;
  const t = g.patchGrid.map((row) => row.map((v) => (Number.isFinite(v) ? normalise(v, options.normaliser) : 0)));
  const a = Math.min(1, Math.max(0, options.opacity));

  // Per column: neighbouring grid columns and weight (the same for every row), so the inner loop stays cheap.
  const c0s = new Int32Array(width);
  const c1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const ix = (x + 0.5) * sx;
    if (ix >= coveredW) {
      c0s[x] = -1;
      continue;
    }
    const gx = clamp((ix - g.patch / 2) / g.stride, 0, cols - 1);
    const c0 = options.smooth ? Math.floor(gx) : Math.round(gx);
    c0s[x] = c0;
    c1s[x] = Math.min(cols - 1, c0 + 1);
    fxs[x] = options.smooth ? gx - c0 : 0;
  }

  for (let y = 0; y < height; y++) {
    const iy = (y + 0.5) * sy;
    const covered = iy < coveredH && cols > 0;
    const gy = clamp((iy - g.patch / 2) / g.stride, 0, Math.max(0, rows - 1));
    const r0 = options.smooth ? Math.floor(gy) : Math.round(gy);
    const r1 = Math.min(rows - 1, r0 + 1);
    const fy = options.smooth ? gy - r0 : 0;
    const top = t[r0];
    const bottom = t[r1];
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let r = base.data[i]!;
      let gr = base.data[i + 1]!;
      let b = base.data[i + 2]!;
      if (!options.keepColour) {
        r = gr = b = Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
      }
      const c0 = c0s[x]!;
      if (covered && c0 >= 0 && top && bottom) {
        const c1 = c1s[x]!;
        const fx = fxs[x]!;
        const v = (top[c0]! * (1 - fx) + top[c1]! * fx) * (1 - fy) + (bottom[c0]! * (1 - fx) + bottom[c1]! * fx) * fy;
        const k = Math.round(v * 255) * 3;
        r = r * (1 - a) + lut[k]! * a;
        gr = gr * (1 - a) + lut[k + 1]! * a;
        b = b * (1 - a) + lut[k + 2]! * a;
      }
      out.data[i] = r;
      out.data[i + 1] = gr;
      out.data[i + 2] = b;
      out.data[i + 3] = 255;
    }
  }
  return out;
}

/** Output size fitting `maxSide`, keeping the aspect ratio (never upscaling, at least 1×1). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
