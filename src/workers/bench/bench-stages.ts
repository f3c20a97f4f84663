// Stage benchmarks run inside a bench worker (npm run bench:scan, see bench.worker.ts): decode only, model only, and
// the original per-patch method, each on the same slide and model as the app's scan. Numbers only; nothing asserted.
import type { SlideSource } from '../../slide/types.ts';
import type { PatchScorer } from '../../focus/session/patch-scorer.ts';
import { PATCH } from '../../focus/patch-grid.ts';
import { cellRect, type SlideGrid } from '../../focus/slide-grid.ts';

export type BenchRequest =
  | { kind: 'decode'; tiles: { x: number; y: number; width: number; height: number }[] }
  | { kind: 'model'; patches: number; batch: number }
  | { kind: 'per-patch'; grid: SlideGrid; cells: number[] };

export interface BenchResult {
  ms: number;
  /** Level-0 pixels the stage covered (tile area, or cells × stride² of slide area). */
  pixels: number;
}

export async function runBenchStage(slide: SlideSource, score: PatchScorer, request: BenchRequest): Promise<BenchResult> {
  const t0 = performance.now();
  let pixels = 0;
  if (request.kind === 'decode') {
    // Four decodes in flight, as a block read has.
    let next = 0;
    const lane = async () => {
      while (next < request.tiles.length) {
        const t = request.tiles[next++]!;
        await slide.readRegion(0, t.x, t.y, t.width, t.height);
        pixels += t.width * t.height;
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  } else if (request.kind === 'model') {
    // Pre-decoded pixels: a fixed pseudo-random RGBA region holding one block of patches side by side.
    const width = PATCH * request.batch;
    const data = new Uint8ClampedArray(width * PATCH * 4);
    for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
    const image = { width, height: PATCH, data };
    const corners = Array.from({ length: request.batch }, (_, k) => ({ x: k * PATCH, y: 0 }));
    const start = performance.now();
    for (let done = 0; done < request.patches; done += request.batch) await score(image, corners.slice(0, Math.min(request.batch, request.patches - done)));
    return { ms: performance.now() - start, pixels: request.patches * 128 * 128 };
  } else {
    // The reference code's way: every 235×235 patch cut from the slide and scored on its own.
    for (const cell of request.cells) {
      const r = cellRect(request.grid, cell);
      const patch = await slide.readRegion(0, r.x, r.y, r.width, r.height);
      await score(patch, [{ x: 0, y: 0 }]);
      pixels += request.grid.stride ** 2;
    }
  }
  return { ms: performance.now() - t0, pixels };
}
