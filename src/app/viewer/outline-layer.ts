import OpenSeadragon from 'openseadragon';
import type { Outlines } from '../../heatmap/outline-shapes.ts';
import { freshFrame, releaseFrame } from '../../heatmap/viewer-canvas.ts';

const DEFAULT_COLOUR = '#00d5ff';

/**
 * Imported outlines drawn over the slide on their own canvas with the viewport's affine transform (level-0 pixels →
 * screen), so they stay aligned at every zoom, pan, rotation and flip. Only shapes whose box meets the view are drawn.
 */
export class OutlineCanvas {
  private readonly canvas: HTMLCanvasElement;
  private layers: readonly Outlines[] = [];
  private highlight: Outlines | undefined;

  constructor(private readonly viewer: OpenSeadragon.Viewer) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'outline-layer';
    this.canvas.dataset.testid = 'outline-layer';
    viewer.canvas.appendChild(this.canvas);
    viewer.addHandler('update-viewport', this.draw);
  }

  /** `highlight`: one more set of outlines drawn bolder (the region under review). */
  show(layers: readonly Outlines[], highlight?: Outlines): void {
    this.layers = layers;
    this.highlight = highlight;
    this.canvas.dataset.highlight = highlight ? String(highlight.shapes.length) : '0';
    this.canvas.dataset.shapes = String(layers.reduce((n, l) => n + l.shapes.length, 0));
    this.draw();
  }

  destroy(): void {
    this.viewer.removeHandler('update-viewport', this.draw);
    this.canvas.remove();
  }

  private readonly draw = () => {
    const item = this.viewer.world.getItemAt(0);
    if (!item || !(this.layers.length || this.highlight)) {
      // Nothing to draw (the usual case): no full-viewer canvas either. Cleared on every frame, it was one of the three
      // viewer-sized canvases the browser copied to the compositor per frame (software rendering: the main-thread
      // long tasks of bench:viewer are these commits).
      releaseFrame(this.canvas);
      this.canvas.dataset.drawn = '0';
      return;
    }
    const { ctx, dpr } = freshFrame(this.canvas, this.viewer);
    let drawn = 0;
    const unit = 1024; // level-0 pixels: a long enough base for an exact affine map
    const o = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 0));
    const px = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(unit, 0));
    const py = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, unit));
    const a = (px.x - o.x) / unit;
    const b = (px.y - o.y) / unit;
    ctx.setTransform(a * dpr, b * dpr, ((py.x - o.x) / unit) * dpr, ((py.y - o.y) / unit) * dpr, o.x * dpr, o.y * dpr);
    const screenPx = 1 / Math.hypot(a, b);
    ctx.lineJoin = 'round';
    const view = item.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    const layers = this.highlight ? [...this.layers, this.highlight] : this.layers;
    for (const layer of layers) {
      // 2 screen pixels at any zoom; the region under review 4, so it stands out over outlines and heatmap.
      ctx.lineWidth = (layer === this.highlight ? 4 : 2) * screenPx;
      for (const shape of layer.shapes) {
        const { x0, y0, x1, y1 } = shape.box;
        if (x1 < view.x || y1 < view.y || x0 > view.x + view.width || y0 > view.y + view.height) continue;
        ctx.strokeStyle = shape.color ? `rgb(${shape.color.join(',')})` : DEFAULT_COLOUR;
        ctx.beginPath();
        for (const path of shape.paths) {
          const xy = path.xy;
          ctx.moveTo(xy[0]!, xy[1]!);
          for (let i = 2; i + 1 < xy.length; i += 2) ctx.lineTo(xy[i]!, xy[i + 1]!);
          if (path.closed) ctx.closePath();
        }
        ctx.stroke();
        drawn++;
      }
    }
    this.canvas.dataset.drawn = String(drawn);
  };
}
