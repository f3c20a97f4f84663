import OpenSeadragon from 'openseadragon';
import type { ScoreMap } from '../focus/score-map.ts';
import { cellAt, cellRangeIn, cellRect } from '../focus/slide-grid.ts';
import type { ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { cellColours, edgePad, scoreMapField, upsampleColours } from './raster.ts';
import type { RGBAImage } from '../slide/types.ts';
import { freshFrame, releaseFrame } from './viewer-canvas.ts';
import { CellState } from '../focus/cell-state.ts';
import { formatScore, judgeScore, type VerdictScale } from '../focus/verdict-scale.ts';

/** Device pixels per cell from which the smooth heatmap is drawn upsampled (see upsampleColours): below it a
 * canvas's own bilinear scaling shows no steps. */
const UPSAMPLE_FROM = 48;

export interface OverlayStyle {
  colormap: ColormapName;
  normaliser?: Normaliser;
  opacity: number;
  smooth: boolean;
  /** Raw score above which cells are outlined. */
  threshold?: number;
  /** The scale the hover speaks in (grade, verdict, borderline); raw scores without one. */
  verdict?: VerdictScale;
  /** Swipe comparison: draw only left of this fraction of the viewer's width (the slide shows on the right). */
  swipe?: number;
}

/**
 * The heatmap layer: one pixel per grid cell in a small canvas, drawn over the OpenSeadragon canvas with the
 * viewport's affine transform, so it stays aligned at every zoom, pan, rotation and flip. It follows the exported
 * heatmap's rule (raster.ts) on the GPU: smoothing interpolates between cell centres (as in the paper's figures; the
 * canvas blends colours where the rasteriser blends scores), crisp mode shows each cell's stride square, glass cells
 * are transparent and the edge cells reach the patches' edges.
 */
export class HeatmapOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly cells: HTMLCanvasElement;
  /** The cells' colours (cellColours), kept for drawing upsampled at deep zoom. */
  private colours: RGBAImage | undefined;
  /** The visible cells at several pixels per cell, for deep zoom (see upsampleColours). */
  private readonly fine: HTMLCanvasElement = document.createElement('canvas');
  private map: ScoreMap | undefined;
  private style: OverlayStyle = { colormap: 'viridis', opacity: 0.6, smooth: true };
  private readonly tooltip: HTMLDivElement;
  private frame = 0;
  /** Where the last frame was drawn (see `draw`); cleared when the scores or the style change. */
  private drawnAt: string | undefined;

  constructor(private readonly viewer: OpenSeadragon.Viewer) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap-overlay';
    this.canvas.setAttribute('data-testid', 'heatmap-overlay');
    viewer.canvas.appendChild(this.canvas);
    this.cells = document.createElement('canvas');
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'heatmap-tooltip';
    this.tooltip.setAttribute('data-testid', 'heatmap-tooltip');
    this.tooltip.hidden = true;
    viewer.container.appendChild(this.tooltip);
    viewer.addHandler('update-viewport', this.draw);
    viewer.element.addEventListener('mousemove', this.hover);
    viewer.element.addEventListener('mouseleave', this.hideTooltip);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.viewer.removeHandler('update-viewport', this.draw);
    this.viewer.element.removeEventListener('mousemove', this.hover);
    this.viewer.element.removeEventListener('mouseleave', this.hideTooltip);
    this.canvas.remove();
    this.tooltip.remove();
  }

  /** New scores or style: rebuild the cell image (cheap: one pixel per cell) on the next frame, then redraw. */
  update(map: ScoreMap | undefined, style: OverlayStyle): void {
    this.map = map;
    this.style = style;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.rebuild();
      this.drawnAt = undefined;
      this.draw();
    });
  }

  private rebuild(): void {
    const map = this.map;
    const n = this.style.normaliser;
    if (!map || !n) return;
    const colours = cellColours(scoreMapField(map, n), this.style.colormap);
    this.colours = colours;
    if (this.cells.width !== colours.width || this.cells.height !== colours.height) {
      this.cells.width = colours.width;
      this.cells.height = colours.height;
    }
    if (colours.width === 0 || colours.height === 0) return;
    this.cells.getContext('2d')!.putImageData(new ImageData(colours.data as Uint8ClampedArray<ArrayBuffer>, colours.width, colours.height), 0, 0);
  }

  /**
   * OpenSeadragon raises update-viewport on every frame it draws, also for each batch of tiles arriving after a pan
   * with the view standing still. Repainting the same heatmap then cost a full-viewer canvas raster and upload per
   * batch on the main thread (software rendering: the largest part of the long tasks in a Chrome trace of
   * bench:viewer), so a frame is drawn only when the view, the viewer's size, the scores or the style changed.
   */
  private readonly draw = () => {
    const item = this.viewer.world.getItemAt(0);
    const at = item
      ? [
          item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 0)),
          item.imageToViewerElementCoordinates(new OpenSeadragon.Point(1e6, 0)),
          item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 1e6)),
        ]
          .map((p) => `${p.x},${p.y}`)
          .join(';')
      : '';
    const key = `${at}|${this.viewer.container.clientWidth}x${this.viewer.container.clientHeight}@${window.devicePixelRatio}`;
    if (key === this.drawnAt) return;
    this.drawnAt = key;
    if (!this.map || !item || !this.style.normaliser) {
      releaseFrame(this.canvas); // heatmap off: no viewer-sized canvas for the compositor to take on every frame
      return;
    }
    const { ctx, width, height, dpr } = freshFrame(this.canvas, this.viewer);
    // The swipe's clip must not outlive this frame.
    ctx.save();
    try {
      this.paint(ctx, width, height, dpr);
    } finally {
      ctx.restore();
    }
  };

  private paint(ctx: CanvasRenderingContext2D, width: number, height: number, dpr: number): void {
    const map = this.map;
    const item = this.viewer.world.getItemAt(0);
    if (!map || !item || !this.style.normaliser) return;
    const swipe = this.style.swipe;
    if (swipe !== undefined) {
      // Left of the divider the heatmap, right of it the slide alone; the divider itself in white.
      const x = Math.round(Math.min(1, Math.max(0, swipe)) * width);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(x - Math.round(dpr), 0, Math.max(2, Math.round(2 * dpr)), height);
      ctx.beginPath();
      ctx.rect(0, 0, x - Math.round(dpr), height);
      ctx.clip();
    }
    const { cols, rows, stride, patch } = map.grid;
    const offset = patch / 2 - stride / 2;
    const toScreen = (x: number, y: number) => item.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    const o = toScreen(offset, offset);
    const px = toScreen(offset + cols * stride, offset);
    const py = toScreen(offset, offset + rows * stride);
    // Grid units (one cell) → screen pixels, as an affine map: follows rotation and flips too.
    ctx.setTransform(((px.x - o.x) / cols) * dpr, ((px.y - o.y) / cols) * dpr, ((py.x - o.x) / rows) * dpr, ((py.y - o.y) / rows) * dpr, o.x * dpr, o.y * dpr);
    ctx.globalAlpha = this.style.opacity;
    ctx.imageSmoothingEnabled = this.style.smooth;
    // Bilinear is exactly "interpolated between cell centres"; higher qualities cost seconds in software rendering.
    ctx.imageSmoothingQuality = 'low';
    // The cell image carries `pad` copies of the edge cells around the grid (raster.ts cellColours); clipped to the
    // patches' extent, they hold the edges flat out to the patch edges like the exported heatmap.
    const pad = edgePad(map.grid);
    const margin = offset / stride;
    // Draw only the cells on screen (plus one for interpolation): at 1:1 zoom the whole grid spans tens of
    // thousands of screen pixels, and scaling all of it every frame would stall the main thread.
    const bounds = item.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    const visible = cellRangeIn(map.grid, { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height });
    if (visible && this.cells.width > 0) {
      const c0 = visible.col0 > 0 ? visible.col0 - 1 : -pad;
      const r0 = visible.row0 > 0 ? visible.row0 - 1 : -pad;
      const c1 = visible.col1 + 2 < cols ? visible.col1 + 2 : cols + pad;
      const r1 = visible.row1 + 2 < rows ? visible.row1 + 2 : rows + pad;
      ctx.save();
      ctx.beginPath();
      // To the slide's edges: the patches reach them (slide-grid.ts adds an edge column and row where needed).
      ctx.rect(-margin, -margin, map.grid.width / stride, map.grid.height / stride);
      ctx.clip();
      const cellPixels = Math.hypot(px.x - o.x, px.y - o.y) / cols;
      if (this.style.smooth && cellPixels * dpr > UPSAMPLE_FROM && this.colours) {
        // Deep zoom: the visible cells pre-interpolated at k pixels per cell (at most ~16 screen pixels each).
        const k = Math.min(32, Math.ceil((cellPixels * dpr) / 16));
        const fine = upsampleColours(this.colours, c0 + pad, r0 + pad, c1 - c0, r1 - r0, k);
        if (this.fine.width !== fine.width || this.fine.height !== fine.height) {
          this.fine.width = fine.width;
          this.fine.height = fine.height;
        }
        this.fine.getContext('2d')!.putImageData(new ImageData(fine.data as Uint8ClampedArray<ArrayBuffer>, fine.width, fine.height), 0, 0);
        ctx.drawImage(this.fine, 0, 0, fine.width, fine.height, c0, r0, c1 - c0, r1 - r0);
      } else {
        ctx.drawImage(this.cells, c0 + pad, r0 + pad, c1 - c0, r1 - r0, c0, r0, c1 - c0, r1 - r0);
      }
      ctx.restore();
    }
    ctx.globalAlpha = 1;
    if (this.style.threshold !== undefined) this.outline(ctx, map, this.style.threshold, Math.hypot(px.x - o.x, px.y - o.y) / cols);
  }

  private outline(ctx: CanvasRenderingContext2D, map: ScoreMap, threshold: number, cellPixels: number): void {
    const item = this.viewer.world.getItemAt(0)!;
    const bounds = item.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    const range = cellRangeIn(map.grid, { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height });
    if (!range || cellPixels < 2) return;
    ctx.strokeStyle = '#ff3b30';
    ctx.lineWidth = 2 / cellPixels;
    ctx.beginPath();
    for (let r = range.row0; r <= range.row1; r++) {
      for (let c = range.col0; c <= range.col1; c++) {
        const cell = r * map.grid.cols + c;
        if (map.scores[cell]! >= threshold && map.isTissue(cell)) ctx.rect(c, r, 1, 1);
      }
    }
    ctx.stroke();
  }

  private readonly hover = (event: MouseEvent) => {
    const map = this.map;
    const item = this.viewer.world.getItemAt(0);
    if (!map || !item) return this.hideTooltip();
    const rect = this.viewer.element.getBoundingClientRect();
    const p = item.viewerElementToImageCoordinates(new OpenSeadragon.Point(event.clientX - rect.left, event.clientY - rect.top));
    const cell = cellAt(map.grid, p.x, p.y);
    if (cell === undefined || map.state[cell] !== CellState.Done) return this.hideTooltip();
    const r = cellRect(map.grid, cell);
    const score = map.scores[cell]!;
    const scale = this.style.verdict;
    let what: string;
    if (!Number.isFinite(score)) what = 'glass (not scored)';
    else if (!map.isTissue(cell)) what = `${scale ? formatScore(scale, score) : `score ${score.toFixed(3)}`} (little tissue, not judged)`;
    else if (!scale) what = `score ${score.toFixed(3)}`;
    else {
      const j = judgeScore(scale, score);
      const value = scale.grade ? `${formatScore(scale, score)} (score ${score.toFixed(3)})` : `${formatScore(scale, score)}, uncalibrated`;
      what = `${value} · ${j.outOfFocus ? 'out of focus' : 'in focus'}${j.borderline ? ' · borderline' : ''}`;
    }
    this.tooltip.textContent = `${what} · cell at (${r.x}, ${r.y}) px, ${r.width}×${r.height}`;
    this.tooltip.style.left = `${event.clientX - rect.left + 14}px`;
    this.tooltip.style.top = `${event.clientY - rect.top + 14}px`;
    this.tooltip.hidden = false;
  };

  private readonly hideTooltip = () => {
    this.tooltip.hidden = true;
  };
}
