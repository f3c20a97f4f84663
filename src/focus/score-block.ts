import type { SlideSource } from '../slide/types.ts';
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
  const into = takeSpare(spare, size) ?? new Uint8ClampedArray(Math.max(size, most));
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
    keep(spare, into);
  }
  return { scores, tissue, pixels: (bx1 - bx0) * (by1 - by0) };
}

/**
 * Block pixels are read into memory kept from earlier blocks: a fresh 5 MB block had its pages mapped in as the tiles
 * were copied into it, which cost a scan more than the copying itself (0.2–0.7 ms per 256² tile against 0.02–0.04 ms
 * into kept memory, a one-off page in Chromium). As many as a worker has blocks in flight.
 * (A reader that does not use `into` leaves it unused; the pixels it returns are never reused.)
 */
const MAX_SPARE_BLOCKS = 4;
const spares = new WeakMap<SlideSource, Uint8ClampedArray[]>();

function spareBlocks(slide: SlideSource): Uint8ClampedArray[] {
  let list = spares.get(slide);
  if (!list) spares.set(slide, (list = []));
  return list;
}

/** The smallest kept block memory of at least `size` bytes, taken out of `spare`. */
function takeSpare(spare: Uint8ClampedArray[], size: number): Uint8ClampedArray | undefined {
  let best = -1;
  for (const [i, b] of spare.entries()) if (b.length >= size && (best < 0 || b.length < spare[best]!.length)) best = i;
  return best < 0 ? undefined : spare.splice(best, 1)[0];
}

/** Keeps block memory for later blocks; when MAX_SPARE_BLOCKS are kept already, it replaces the smallest if larger. */
function keep(spare: Uint8ClampedArray[], block: Uint8ClampedArray): void {
  if (spare.length < MAX_SPARE_BLOCKS) {
    spare.push(block);
    return;
  }
  let smallest = 0;
  for (const [i, b] of spare.entries()) if (b.length < spare[smallest]!.length) smallest = i;
  if (spare[smallest]!.length < block.length) spare[smallest] = block;
}
