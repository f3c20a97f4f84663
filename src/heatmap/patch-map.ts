// Heatmaps of one image's patch grid over a grayscale rendering of it, at any output size. Pure pixels, no DOM.
import type { ModelCard } from '../focus/model-card.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { absoluteNormaliser } from './normalise.ts';
import type { RGBAImage } from '../slide/types.ts';
import { cellField, rasterise, type CellField, type RasterOptions } from './raster.ts';

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
 * the model card's scale (its grades 0–10, else its raw display range), so colours mean the same in every row and a sharp tile looks uniformly cool; a
 * card without one falls back to the range of every patch score in the batch (`batch`, from batchRange; same
 * property, but it widens as results stream in). `image` stretches each image's own range, which shows structure inside a tile
 * but makes every tile look equally "hot".
 */
export function sharedNormaliser(
  scale: HeatmapScale,
  card: Pick<ModelCard, 'grade' | 'displayScale'> | undefined,
  batch: Normaliser | undefined,
): Normaliser | undefined {
  if (scale !== 'fixed') return undefined;
  return absoluteNormaliser(card) ?? batch;
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

export type HeatmapOptions = RasterOptions & { normaliser: Normaliser };

/** The patch grid as cells for the rasteriser; every finite score is shown. */
function patchField(g: PatchGeometry, normaliser: Normaliser): CellField {
  const cols = g.patchGrid[0]?.length ?? 0;
  return cellField({ cols, rows: g.patchGrid.length, patch: g.patch, stride: g.stride }, normaliser, (cell) => g.patchGrid[Math.floor(cell / cols)]![cell % cols]!);
}

/**
 * `base` (the image, resized to the output size) with the patch scores blended on top, by the one heatmap rule
 * (raster.ts): interpolated between patch centres when smooth, held flat from the outermost centres to the patches'
 * edges; the margin no patch covers shows the image alone.
 */
export function renderHeatmap(base: RGBAImage, g: PatchGeometry, options: HeatmapOptions): RGBAImage {
  return rasterise(base, patchField(g, options.normaliser), { x: g.width / base.width, y: g.height / base.height }, options);
}

/** Output size fitting `maxSide`, keeping the aspect ratio (never upscaling, at least 1×1). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
