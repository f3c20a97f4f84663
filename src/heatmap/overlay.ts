import OpenSeadragon from 'openseadragon';
import type { ScoreMap } from '../focus/score-map.ts';
import { cellAt, cellRect } from '../focus/slide-grid.ts';
import type { ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { cellColours, edgePad, scoreMapField, upsampleColours } from './raster.ts';
import type { RGBAImage } from '../slide/types.ts';
import { boundingRect, type CellWindow, cellsInView, holds, outlinePath, windowAround } from './cell-window.ts';
import { releaseFrame } from './viewer-canvas.ts';
import { CellState } from '../focus/cell-state.ts';
import { formatScore, judgeScore, type VerdictScale } from '../focus/verdict-scale.ts';

/** Device pixels per cell from which the smooth heatmap is drawn upsampled (see upsampleColours): below it a
 * canvas's own bilinear scaling shows no steps. */
const UPSAMPLE_FROM = 48;
const SVG = 'http://www.w3.org/2000/svg';

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
 * The heatmap layer. It follows the exported heatmap's rule (raster.ts): smoothing interpolates between cell centres
 * (the scaling blends premultiplied colours where the rasteriser blends scores), crisp mode shows each cell's stride
 * square, glass cells are transparent and the edge cells reach the patches' edges.
 *
 * The cells in view and a margin around them are painted one pixel per cell into a small canvas (several at deep zoom,
 * see upsampleColours), which a CSS transform — the viewport's affine map, so rotation and flips too — scales over the
 * slide, inside a box of the slide's extent that clips the edge cells where the slide ends. The browser's compositor
 * scales it (bilinear, or nearest with `image-rendering: pixelated`) off the main thread. A viewer-sized canvas redrawn
 * on every view change instead cost a raster and an upload of the whole viewer on the main thread at each commit
 * without a GPU (7 ms of CPU per frame in a Chrome trace of bench:viewer); a pan within the margin now only moves the
 * canvas. The swipe clips a wrapper; the outlines are an SVG path in cell units with a stroke that does not scale.
 */
export class HeatmapOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly layer: HTMLDivElement;
  /** The swipe's clip: the heatmap shows only inside it. */
  private readonly clip: HTMLDivElement;
  /** The slide's extent in level-0 pixels, placed by the viewport's transform; clips to the slide. */
  private readonly extent: HTMLDivElement;
  private readonly divider: HTMLDivElement;
  private readonly outlines: SVGSVGElement;
  private readonly outlineGroup: SVGGElement;
  private readonly outlinePath: SVGPathElement;
  /** The cells' colours (cellColours), and as ImageData for the canvas. */
  private colours: RGBAImage | undefined;
  private image: ImageData | undefined;
  /** The cells the canvas holds (undefined = to paint again), from which colours; those the outline path covers. */
  private held: CellWindow | undefined;
  private painted: RGBAImage | undefined;
  private outlined: CellWindow | undefined;
  private map: ScoreMap | undefined;
  private style: OverlayStyle = { colormap: 'viridis', opacity: 0.6, smooth: true };
  private readonly tooltip: HTMLDivElement;
  private frame = 0;
  /** The transforms and sizes last written (most frames of a pan leave them as they are). */
  private readonly written = new Map<string, string>();

  constructor(private readonly viewer: OpenSeadragon.Viewer) {
    this.layer = element('div', 'heatmap-layer');
    this.clip = element('div', 'heatmap-clip');
    this.extent = element('div', 'heatmap-extent');
    this.canvas = element('canvas', 'heatmap-overlay');
    this.canvas.setAttribute('data-testid', 'heatmap-overlay');
    this.divider = element('div', 'heatmap-divider');
    this.divider.setAttribute('data-testid', 'heatmap-divider');
    this.outlines = document.createElementNS(SVG, 'svg');
    this.outlines.setAttribute('class', 'heatmap-outlines');
    this.outlines.setAttribute('data-testid', 'heatmap-outlines');
    this.outlineGroup = document.createElementNS(SVG, 'g');
    this.outlinePath = document.createElementNS(SVG, 'path');
    this.outlinePath.setAttribute('fill', 'none');
    this.outlinePath.setAttribute('stroke', '#ff3b30');
    this.outlinePath.setAttribute('stroke-width', '2');
    this.outlinePath.setAttribute('vector-effect', 'non-scaling-stroke');
    this.outlineGroup.appendChild(this.outlinePath);
    this.outlines.appendChild(this.outlineGroup);
    this.extent.appendChild(this.canvas);
    this.clip.append(this.extent, this.outlines);
    this.layer.append(this.clip, this.divider);
    this.layer.hidden = true;
    viewer.canvas.appendChild(this.layer);
    this.tooltip = element('div', 'heatmap-tooltip');
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
    this.layer.remove();
    this.tooltip.remove();
  }

  /** New scores or style: rebuild the cell image (cheap: one pixel per cell) on the next frame, then redraw. */
  update(map: ScoreMap | undefined, style: OverlayStyle): void {
    this.map = map;
    this.style = style;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.rebuild();
      this.outlined = undefined;
      // Only the cells whose colours changed are painted again: the canvas then tells the compositor which part of it
      // changed, and it redraws just that part of the screen (a whole repaint cost it ~7 ms per score update to scale
      // the canvas over the whole viewer again, without a GPU).
      const { held, painted, colours, map } = this;
      const changed = held && painted && colours && map ? changedCells(painted, colours, held, edgePad(map.grid)) : 'all';
      if (changed === 'all') this.held = undefined;
      else if (changed && held) this.paintCells(held, changed, edgePad(map!.grid));
      this.draw();
    });
  }

  private rebuild(): void {
    const map = this.map;
    const n = this.style.normaliser;
    this.colours = undefined;
    this.image = undefined;
    if (!map || !n) return;
    const colours = cellColours(scoreMapField(map, n), this.style.colormap);
    if (colours.width === 0 || colours.height === 0) return;
    this.colours = colours;
    this.image = new ImageData(colours.data as Uint8ClampedArray<ArrayBuffer>, colours.width, colours.height);
    const swipe = this.style.swipe === undefined ? undefined : `${Math.min(1, Math.max(0, this.style.swipe)) * 100}%`;
    // Left of the divider the heatmap, right of it the slide alone; the divider itself 2 pixels of white.
    this.clip.style.width = swipe === undefined ? '' : `calc(${swipe} - 1px)`;
    this.divider.hidden = swipe === undefined;
    this.divider.style.left = swipe === undefined ? '' : `calc(${swipe} - 1px)`;
    this.canvas.style.opacity = String(this.style.opacity);
    this.canvas.style.imageRendering = this.style.smooth ? '' : 'pixelated';
  }

  /** Places the heatmap for the view OpenSeadragon has just drawn; paints the canvas only when its cells fall short. */
  private readonly draw = () => {
    const map = this.map;
    const item = this.viewer.world.getItemAt(0);
    if (!map || !item || !this.style.normaliser || !this.image) {
      // Heatmap off: nothing for the compositor to take on every frame.
      this.layer.hidden = true;
      releaseFrame(this.canvas);
      this.held = undefined;
      this.outlined = undefined;
      this.written.clear();
      return;
    }
    this.layer.hidden = false;
    const { width, height, patch, stride } = map.grid;
    // Level-0 pixels → viewer pixels, as an affine map: follows rotation and flips too.
    const toScreen = (x: number, y: number) => item.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    const o = toScreen(0, 0);
    const px = toScreen(width, 0);
    const py = toScreen(0, height);
    const [a, b, c, d] = [(px.x - o.x) / width, (px.y - o.y) / width, (py.x - o.x) / height, (py.y - o.y) / height];
    this.write('extent', `matrix(${a}, ${b}, ${c}, ${d}, ${o.x}, ${o.y}) ${width}x${height}`, () => {
      this.extent.style.transform = `matrix(${a}, ${b}, ${c}, ${d}, ${o.x}, ${o.y})`;
      this.extent.style.width = `${width}px`;
      this.extent.style.height = `${height}px`;
    });
    // The cells in view (the corners' bounding box: a rotated view's too), at the resolution this zoom needs.
    const dpr = window.devicePixelRatio || 1;
    const cellPixels = Math.hypot(a, b) * stride;
    const k = this.style.smooth && cellPixels * dpr > UPSAMPLE_FROM ? Math.min(32, Math.ceil((cellPixels * dpr) / 16)) : 1;
    const w = this.viewer.container.clientWidth;
    const h = this.viewer.container.clientHeight;
    const corners = [new OpenSeadragon.Point(0, 0), new OpenSeadragon.Point(w, 0), new OpenSeadragon.Point(0, h), new OpenSeadragon.Point(w, h)].map((p) => item.viewerElementToImageCoordinates(p));
    const pad = edgePad(map.grid);
    const offset = patch / 2 - stride / 2;
    const needed = cellsInView(map.grid, boundingRect(corners), pad, k);
    // Upsampled cells cost k² pixels each: a margin of a cell, not half a view.
    if (needed && !holds(this.held, needed)) this.paint(windowAround(needed, map.grid, pad, k === 1 ? 0.5 : 0), pad, offset, stride);
    const threshold = this.style.threshold;
    const outlined = threshold !== undefined && cellPixels >= 2;
    this.write('outlines', String(outlined), () => (this.outlines.style.display = outlined ? '' : 'none'));
    if (!outlined) return;
    // Grid units (one cell) → screen pixels.
    const m = `matrix(${a * stride}, ${b * stride}, ${c * stride}, ${d * stride}, ${o.x + (a + c) * offset}, ${o.y + (b + d) * offset})`;
    this.write('outline-transform', m, () => this.outlineGroup.setAttribute('transform', m));
    if (this.held && this.outlined !== this.held) {
      this.outlinePath.setAttribute('d', outlinePath(map, threshold, this.held));
      this.outlined = this.held;
    }
  };

  /** Runs `apply` when `value` differs from what was last written under `key`. */
  private write(key: string, value: string, apply: () => void): void {
    if (this.written.get(key) === value) return;
    this.written.set(key, value);
    apply();
  }

  /** Paints `cells` into the canvas and places it over them (level-0 pixels of the extent box). */
  private paint(cells: CellWindow, pad: number, offset: number, stride: number): void {
    const { c0, r0, c1, r1, k } = cells;
    sizeCanvas(this.canvas, (c1 - c0) * k, (r1 - r0) * k);
    this.paintCells(cells, cells, pad);
    this.canvas.style.left = `${offset + c0 * stride}px`;
    this.canvas.style.top = `${offset + r0 * stride}px`;
    this.canvas.style.width = `${(c1 - c0) * stride}px`;
    this.canvas.style.height = `${(r1 - r0) * stride}px`;
    this.held = cells;
  }

  /** Paints the cells `part` of the canvas holding `cells`. */
  private paintCells(cells: CellWindow, part: CellWindow, pad: number): void {
    const { k } = cells;
    const ctx = this.canvas.getContext('2d')!;
    const [w, h] = [part.c1 - part.c0, part.r1 - part.r0];
    if (k === 1) {
      // The cells as they are in the cell image (putImageData neither blends nor scales).
      ctx.putImageData(this.image!, -(cells.c0 + pad), -(cells.r0 + pad), part.c0 + pad, part.r0 + pad, w, h);
    } else {
      // Deep zoom: the cells pre-interpolated at k pixels per cell (at most ~16 screen pixels each).
      const fine = upsampleColours(this.colours!, part.c0 + pad, part.r0 + pad, w, h, k);
      ctx.putImageData(new ImageData(fine.data as Uint8ClampedArray<ArrayBuffer>, fine.width, fine.height), (part.c0 - cells.c0) * k, (part.r0 - cells.r0) * k);
    }
    this.painted = this.colours;
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

/**
 * The cells of `held` to paint again for cell image `b` over `a` (both with `pad` cells more each side than the grid):
 * those that changed and one more around them (the interpolation between cell centres reaches half a cell into each
 * neighbour), within it; undefined when none did, 'all' when the images do not compare.
 */
function changedCells(a: RGBAImage, b: RGBAImage, held: CellWindow, pad: number): CellWindow | 'all' | undefined {
  if (a.width !== b.width || a.height !== b.height) return 'all';
  let [c0, r0, c1, r1] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let y = Math.max(0, held.r0 + pad - 1); y < Math.min(a.height, held.r1 + pad + 1); y++) {
    for (let x = Math.max(0, held.c0 + pad - 1); x < Math.min(a.width, held.c1 + pad + 1); x++) {
      const i = (y * a.width + x) * 4;
      if (a.data[i] === b.data[i] && a.data[i + 1] === b.data[i + 1] && a.data[i + 2] === b.data[i + 2] && a.data[i + 3] === b.data[i + 3]) continue;
      [c0, r0, c1, r1] = [Math.min(c0, x - pad), Math.min(r0, y - pad), Math.max(c1, x - pad + 1), Math.max(r1, y - pad + 1)];
    }
  }
  if (c0 > c1) return undefined;
  const part = { c0: Math.max(held.c0, c0 - 1), r0: Math.max(held.r0, r0 - 1), c1: Math.min(held.c1, c1 + 1), r1: Math.min(held.r1, r1 + 1), k: held.k };
  return part.c0 < part.c1 && part.r0 < part.r1 ? part : undefined;
}

function element<K extends 'div' | 'canvas'>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
}
