import { readScaledRegion } from '../slide/region.ts';
import type { SlideSource } from '../slide/types.ts';
import type { PatchScorer } from './model/patch-scorer.ts';
import { cellRect, type SlideGrid } from './slide-grid.ts';
import { TISSUE_RULES, tissueFraction } from './tissue.ts';


export interface BlockResult {
  /** Per requested cell: the score, or NaN when the cell was not scored (glass). */
  scores: Float32Array;
  /** Per requested cell: fraction of tissue in the low-resolution mask. */
  tissue: Float32Array;
  /** Level-0 megapixels decoded for this block, for throughput reporting. */
  pixels: number;
}

/** Downsample of the rendering used for the tissue mask. */
const MASK_DOWNSAMPLE = 8;

/**
 * Scores a set of nearby grid cells: a tissue mask from a low-resolution rendering decides which cells to score,
 * then one level-0 read covers all of them and one model call scores them. Shared by the browser workers and the
 * CLI, so both produce the same numbers for the same pixels.
 */
export async function scoreBlock(
  slide: SlideSource,
  grid: SlideGrid,
  cells: readonly number[],
  score: PatchScorer,
  signal?: AbortSignal,
): Promise<BlockResult> {
  const rects = cells.map((c) => cellRect(grid, c));
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.width));
  const y1 = Math.max(...rects.map((r) => r.y + r.height));

  const maskW = Math.max(1, Math.round((x1 - x0) / MASK_DOWNSAMPLE));
  const maskH = Math.max(1, Math.round((y1 - y0) / MASK_DOWNSAMPLE));
  const mask = await readScaledRegion(slide, x0, y0, x1 - x0, y1 - y0, maskW, maskH, signal);
  const sx = maskW / (x1 - x0);
  const sy = maskH / (y1 - y0);
  const tissue = new Float32Array(cells.length);
  rects.forEach((r, i) => {
    tissue[i] = tissueFraction(mask, (r.x - x0) * sx, (r.y - y0) * sy, (r.x + r.width - x0) * sx, (r.y + r.height - y0) * sy);
  });

  const scores = new Float32Array(cells.length).fill(Number.NaN);
  const todo = cells.map((_, i) => i).filter((i) => (tissue[i] ?? 0) >= TISSUE_RULES.minScore);
  if (todo.length === 0) return { scores, tissue, pixels: 0 };
  const bx0 = Math.min(...todo.map((i) => rects[i]!.x));
  const by0 = Math.min(...todo.map((i) => rects[i]!.y));
  const bx1 = Math.max(...todo.map((i) => rects[i]!.x + grid.patch));
  const by1 = Math.max(...todo.map((i) => rects[i]!.y + grid.patch));
  const pixels = await slide.readRegion(0, bx0, by0, bx1 - bx0, by1 - by0, signal);
  const corners = todo.map((i) => ({ x: rects[i]!.x - bx0, y: rects[i]!.y - by0 }));
  const out = await score(pixels, corners);
  todo.forEach((cell, k) => {
    scores[cell] = out[k] ?? Number.NaN;
  });
  return { scores, tissue, pixels: (bx1 - bx0) * (by1 - by0) };
}
