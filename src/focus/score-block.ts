import type { SlideSource } from '../slide/types.ts';
import { SpareMemory } from '../slide/spare-memory.ts';
import type { PatchScorer } from './session/patch-scorer.ts';
import { cellRect, type SlideGrid } from './slide-grid.ts';
import { TISSUE_RULES } from './tissue.ts';
import { tissueMapOf } from './tissue-map.ts';

export interface BlockResult {
  /** Per requested cell: the score, or NaN when the cell was not scored (glass). */
  scores: Float32Array;
  /** Per requested cell: fraction of tissue in the low-resolution mask. */
  tissue: Float32Array;
  /** Level-0 megapixels decoded for this block, for throughput reporting. */
  pixels: number;
}

/**
 * Scores a set of nearby grid cells: the slide's tissue mask (tissue-map.ts) decides which cells to score,
 * then one level-0 read covers all of them and one model call scores them. Shared by the browser workers and the
 * CLI, so both produce the same numbers for the same pixels.
 * `readAhead`: the block is part of a whole-slide scan, which moves right along a band of blocks; the slide is told the
 * rest of the band will be read (SlideSource.prefetch), so a source that pays per request fetches it in a few.
 */
export async function scoreBlock(
  slide: SlideSource,
  grid: SlideGrid,
  cells: readonly number[],
  score: PatchScorer,
  signal?: AbortSignal,
  readAhead = false,
): Promise<BlockResult> {
  const rects = cells.map((c) => cellRect(grid, c));
  if (readAhead && rects.length) {
    const x = Math.min(...rects.map((r) => r.x));
    const y = Math.min(...rects.map((r) => r.y));
    slide.prefetch?.(0, x, y, grid.width - x, Math.max(...rects.map((r) => r.y)) + grid.patch - y);
  }
  const map = tissueMapOf(slide);
  const tissue = new Float32Array(cells.length);
  for (const [i, r] of rects.entries()) tissue[i] = await map.fraction(r, signal);

  const scores = new Float32Array(cells.length).fill(Number.NaN);
  const todo = cells.map((_, i) => i).filter((i) => (tissue[i] ?? 0) >= TISSUE_RULES.minScore);
  if (todo.length === 0) return { scores, tissue, pixels: 0 };
  const bx0 = Math.min(...todo.map((i) => rects[i]!.x));
  const by0 = Math.min(...todo.map((i) => rects[i]!.y));
  const bx1 = Math.max(...todo.map((i) => rects[i]!.x + grid.patch));
  const by1 = Math.max(...todo.map((i) => rects[i]!.y + grid.patch));
  const spare = spareBlocks(slide);
  const size = (bx1 - bx0) * (by1 - by0) * 4;
  // New block memory is made as large as a block of all these cells could be, so that later blocks of the same group
  // shape fit in it whichever of their cells hold tissue.
  const most = (Math.max(...rects.map((r) => r.x)) + grid.patch - Math.min(...rects.map((r) => r.x))) * (Math.max(...rects.map((r) => r.y)) + grid.patch - Math.min(...rects.map((r) => r.y))) * 4;
  const into = spare.take(size, most);
  // Only the scored patches are looked at: tiles under none of them (glass between tissue) are not decoded. A read
  // that fails may still have tiles on their way into `into`: it is then not kept.
  const pixels = await slide.readRegion(0, bx0, by0, bx1 - bx0, by1 - by0, signal, { needed: todo.map((i) => rects[i]!), into });
  const corners = todo.map((i) => ({ x: rects[i]!.x - bx0, y: rects[i]!.y - by0 }));
  try {
    const out = await score(pixels, corners);
    todo.forEach((cell, k) => {
      scores[cell] = out[k] ?? Number.NaN;
    });
  } finally {
    spare.keep(into);
  }
  return { scores, tissue, pixels: (bx1 - bx0) * (by1 - by0) };
}

/** Block memory kept per slide (SpareMemory): as many as a worker has blocks in flight. */
const MAX_SPARE_BLOCKS = 4;
const spares = new WeakMap<SlideSource, SpareMemory>();

function spareBlocks(slide: SlideSource): SpareMemory {
  let spare = spares.get(slide);
  if (!spare) spares.set(slide, (spare = new SpareMemory(MAX_SPARE_BLOCKS)));
  return spare;
}
