import { useSlideStore } from './slide-store.ts';
import { useViewerStore } from './viewer-store.ts';
import { currentModel } from './current-model.ts';
import { modelRefOf } from './models.ts';
import { slideGrid } from '../../focus/slide-grid.ts';
import type { BenchRequest } from '../../workers/bench/bench-stages.ts';
import { runBenchStages } from '../../workers/bench/bench-workers.ts';

/**
 * A read-only handle for automation and end-to-end tests: the decoded pixels of a level-0 region exactly as the
 * viewer's workers produce them for OpenSeadragon. Local only; it sends nothing anywhere.
 */
export interface InspectionApi {
  renderRegion(x: number, y: number, width: number, height: number): Promise<{ width: number; height: number; rgbaBase64: string }>;
  /** Moves the view at once (no animation) to show the level-0 rectangle; used by benchmarks and tests. */
  showRegion(x: number, y: number, width: number, height: number): void;
  /** Where a level-0 point is on the page now (client pixels), for driving the mouse over the slide. */
  screenPoint(x: number, y: number): { x: number; y: number };
  /** Level-0 zoom: how many screen pixels one level-0 pixel takes now. */
  imageZoom(): number;
  /** The level-0 rectangle the view is moving to (or shows, when still). */
  viewRect(): { x: number; y: number; width: number; height: number };
  /** Every tile the current view needs is loaded and drawn (OpenSeadragon's fully-loaded state). */
  tilesLoaded(): boolean;
  /** Runs a benchmark stage split over as many bench workers as there are slide workers, in parallel; returns wall time and level-0 pixels covered. */
  benchStage(kind: 'decode' | 'model' | 'per-patch', options?: { maxTiles?: number; patches?: number; cells?: number }): Promise<{ ms: number; pixels: number; workers: number }>;
}

declare global {
  interface Window {
    focuslite?: InspectionApi;
  }
}

export function installInspectionApi(): void {
  window.focuslite = {
    async renderRegion(x, y, width, height) {
      const slide = useSlideStore.getState().slide;
      if (slide?.kind !== 'workers') throw new Error('no slide open in the workers');
      const bitmap = await slide.workers.render(x, y, width, height, width, height);
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      const bytes = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { width, height, rgbaBase64: btoa(binary) };
    },
    showRegion(x, y, width, height) {
      const viewer = useViewerStore.getState().viewer;
      const item = viewer?.world.getItemAt(0);
      if (!viewer || !item) throw new Error('no slide shown');
      viewer.viewport.fitBounds(item.imageToViewportRectangle(x, y, width, height), true);
    },
    screenPoint(x, y) {
      const viewer = useViewerStore.getState().viewer;
      const item = viewer?.world.getItemAt(0);
      if (!viewer || !item) throw new Error('no slide shown');
      const p = viewer.viewport.pixelFromPoint(item.imageToViewportCoordinates(x, y), true);
      const r = viewer.canvas.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    async benchStage(kind, options = {}) {
      const slide = useSlideStore.getState().slide;
      const model = currentModel();
      if (slide?.kind !== 'workers' || !model) throw new Error('no slide open in the workers, or no model');
      const n = slide.workers.size;
      const level0 = slide.info.levels[0]!;
      const requests: BenchRequest[] = [];
      if (kind === 'decode') {
        const tw = level0.tileWidth;
        const th = level0.tileHeight;
        const tiles: { x: number; y: number; width: number; height: number }[] = [];
        for (let y = 0; y < level0.height; y += th) for (let x = 0; x < level0.width; x += tw) tiles.push({ x, y, width: Math.min(tw, level0.width - x), height: Math.min(th, level0.height - y) });
        const take = tiles.slice(0, options.maxTiles ?? tiles.length);
        // Contiguous bands per worker, as a scan reads them.
        for (let w = 0; w < n; w++) requests.push({ kind: 'decode', tiles: take.slice(Math.floor((w * take.length) / n), Math.floor(((w + 1) * take.length) / n)) });
      } else if (kind === 'model') {
        const patches = options.patches ?? 4096;
        for (let w = 0; w < n; w++) requests.push({ kind: 'model', patches: Math.ceil(patches / n), batch: 64 });
      } else {
        const grid = slideGrid(level0.width, level0.height);
        const all = Array.from({ length: grid.cols * grid.rows }, (_, i) => i);
        const step = Math.max(1, Math.floor(all.length / (options.cells ?? 256)));
        const cells = all.filter((_, i) => i % step === 0);
        for (let w = 0; w < n; w++) requests.push({ kind: 'per-patch', grid, cells: cells.filter((_, i) => i % n === w) });
      }
      // Bench workers of their own (one per slide worker), each opening the same slide: the viewer's are left alone.
      const { ms, results } = await runBenchStages(slide.workers.input, modelRefOf(model), requests);
      return { ms, pixels: results.reduce((s, r) => s + r.pixels, 0), workers: n };
    },
    imageZoom() {
      const viewer = useViewerStore.getState().viewer;
      const item = viewer?.world.getItemAt(0);
      return viewer && item ? item.viewportToImageZoom(viewer.viewport.getZoom(true)) : Number.NaN;
    },
    viewRect() {
      const viewer = useViewerStore.getState().viewer;
      const item = viewer?.world.getItemAt(0);
      if (!viewer || !item) throw new Error('no slide shown');
      const r = item.viewportToImageRectangle(viewer.viewport.getBounds(false));
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    },
    tilesLoaded() {
      // Every image in the world: while the slide's colour and grayscale images are swapped (TileModeSwap) there are two.
      const world = useViewerStore.getState().viewer?.world;
      const count = world?.getItemCount() ?? 0;
      for (let i = 0; i < count; i++) if (!world!.getItemAt(i).getFullyLoaded()) return false;
      return count > 0;
    },
  };
}
