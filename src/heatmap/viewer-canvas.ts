import type OpenSeadragon from 'openseadragon';

/**
 * Readies a canvas laid over an OpenSeadragon viewer for a new frame: sized to the viewer in device pixels (sharp on
 * high-DPI screens), identity transform, cleared. The imported outlines draw this way (the heatmap is a small canvas
 * the compositor scales instead, see overlay.ts).
 */
export function freshFrame(canvas: HTMLCanvasElement, viewer: OpenSeadragon.Viewer): { ctx: CanvasRenderingContext2D; width: number; height: number; dpr: number } {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(viewer.container.clientWidth * dpr);
  const height = Math.round(viewer.container.clientHeight * dpr);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height, dpr };
}

/** Empties a canvas laid over the viewer that has nothing to show: a 0×0 canvas costs the compositor nothing per frame. */
export function releaseFrame(canvas: HTMLCanvasElement): void {
  if (canvas.width !== 0 || canvas.height !== 0) {
    canvas.width = 0;
    canvas.height = 0;
  }
}
