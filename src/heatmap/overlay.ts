import OpenSeadragon from 'openseadragon';
import type { ScoreMap } from '../focus/score-map.ts';
import { cellAt, cellRangeIn, cellRect } from '../focus/slide-grid.ts';
import { colormapLut, type ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { normalise } from './normalise.ts';
import { CellState } from '../focus/cell-state.ts';

export interface OverlayStyle {
  colormap: ColormapName;
  normaliser?: Normaliser;
  opacity: number;
  smooth: boolean;
  threshold?: number;
}

/**
 * The heatmap layer: one pixel per grid cell in a small canvas, drawn over the OpenSeadragon canvas with the
 * viewport's affine transform, so it stays aligned at every zoom, pan, rotation and flip. Smoothing interpolates
 * between cell centres (as in the paper's figures); crisp mode shows each cell's stride square.
 */
export class HeatmapOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly cells: HTMLCanvasElement;
  private map: ScoreMap | undefined;
  private style: OverlayStyle = { colormap: 'viridis', opacity: 0.6, smooth: true };
  private readonly tooltip: HTMLDivElement;
  private frame = 0;

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
      this.draw();
    });
  }

  private rebuild(): void {
    const map = this.map;
    const n = this.style.normaliser;
    if (!map || !n) return;
    const { cols, rows } = map.grid;
    if (this.cells.width !== cols || this.cells.height !== rows) {
      this.cells.width = cols;
      this.cells.height = rows;
    }
    const ctx = this.cells.getContext('2d')!;
    const image = ctx.createImageData(cols, rows);
    const lut = colormapLut(this.style.colormap);
    for (let cell = 0; cell < cols * rows; cell++) {
      const score = map.scores[cell]!;
      if (!Number.isFinite(score) || !map.isTissue(cell)) continue;
      const k = Math.round(normalise(score, n) * 255) * 3;
      image.data[cell * 4] = lut[k]!;
      image.data[cell * 4 + 1] = lut[k + 1]!;
      image.data[cell * 4 + 2] = lut[k + 2]!;
      image.data[cell * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  private readonly draw = () => {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(this.viewer.container.clientWidth * dpr);
    const height = Math.round(this.viewer.container.clientHeight * dpr);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const map = this.map;
    const item = this.viewer.world.getItemAt(0);
    if (!map || !item || !this.style.normaliser) return;
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
    // Draw only the cells on screen (plus one for interpolation): at 1:1 zoom the whole grid spans tens of
    // thousands of screen pixels, and scaling all of it every frame would stall the main thread.
    const bounds = item.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    const visible = cellRangeIn(map.grid, { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height });
    if (visible) {
      const c0 = Math.max(0, visible.col0 - 1);
      const r0 = Math.max(0, visible.row0 - 1);
      const c1 = Math.min(cols, visible.col1 + 2);
      const r1 = Math.min(rows, visible.row1 + 2);
      ctx.drawImage(this.cells, c0, r0, c1 - c0, r1 - r0, c0, r0, c1 - c0, r1 - r0);
    }
    ctx.globalAlpha = 1;
    if (this.style.threshold !== undefined) this.outline(ctx, map, this.style.threshold, Math.hypot(px.x - o.x, px.y - o.y) / cols);
  };

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
    const what = Number.isFinite(score) ? `score ${score.toFixed(3)}${map.isTissue(cell) ? '' : ' (little tissue)'}` : 'glass (not scored)';
    this.tooltip.textContent = `${what} · cell at (${r.x}, ${r.y}) px, ${r.width}×${r.height}`;
    this.tooltip.style.left = `${event.clientX - rect.left + 14}px`;
    this.tooltip.style.top = `${event.clientY - rect.top + 14}px`;
    this.tooltip.hidden = false;
  };

  private readonly hideTooltip = () => {
    this.tooltip.hidden = true;
  };
}
