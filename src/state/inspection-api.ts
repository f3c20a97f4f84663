import { useSlideStore } from './slide-store.ts';
import { useViewerStore } from './viewer-store.ts';

/**
 * A read-only handle for automation and end-to-end tests: the decoded pixels of a level-0 region exactly as the
 * viewer's workers produce them for OpenSeadragon. Local only; it sends nothing anywhere.
 */
export interface InspectionApi {
  renderRegion(x: number, y: number, width: number, height: number): Promise<{ width: number; height: number; rgbaBase64: string }>;
  /** Moves the view at once (no animation) to show the level-0 rectangle; used by benchmarks and tests. */
  showRegion(x: number, y: number, width: number, height: number): void;
  /** Level-0 zoom: how many screen pixels one level-0 pixel takes now. */
  imageZoom(): number;
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
    imageZoom() {
      const viewer = useViewerStore.getState().viewer;
      const item = viewer?.world.getItemAt(0);
      return viewer && item ? item.viewportToImageZoom(viewer.viewport.getZoom(true)) : Number.NaN;
    },
  };
}
