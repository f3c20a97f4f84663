import OpenSeadragon from 'openseadragon';
import { type DrawnTile, type RedrawArea, tilesToRedraw } from './tile-redraw.ts';

/** The parts of OpenSeadragon's canvas drawer that are not in its type declarations. */
interface CanvasDrawerInternals {
  _calculateCanvasSize(): OpenSeadragon.Point;
  _drawTile(tile: OpenSeadragon.Tile, tiledImage: OpenSeadragon.TiledImage, useSketch: boolean, scale: undefined, translate: undefined, round: boolean, source: OpenSeadragon.TileSource): void;
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D;
}

/** The canvas drawer's class with its `draw` (missing from the type declarations). */
type CanvasDrawerClass = new (options: object) => OpenSeadragon.CanvasDrawer & { draw(tiledImages: OpenSeadragon.TiledImage[]): void };

interface TiledImageInternals {
  _clip?: unknown;
  _croppingPolygons?: unknown;
  _isBottomItem(): boolean;
  compositeOperation?: string | null;
  debugMode?: boolean;
  placeholderFillStyle?: unknown;
  smoothTileEdgesMinZoom: number;
}

/**
 * OpenSeadragon's canvas drawer, drawing our tiles' ImageBitmaps as they come from the workers. The stock drawer
 * only draws 2D contexts, so OpenSeadragon copied every tile into a new canvas first (a canvas and a 512² draw per
 * tile on the main thread: the largest part of its JavaScript in a CPU profile of bench:viewer) and drew the tile
 * a frame later. `drawImage` takes a bitmap as it takes a canvas; the drawer reads only `.canvas` of what it draws.
 *
 * With the view standing still, a frame draws only what changed since the last one (tile-redraw.ts): nothing when
 * the tiles are the same or only lost ones hidden under others, else each new tile's pixels again. OpenSeadragon
 * asks for a frame for each batch of tiles arriving after a pan, and a whole frame (every tile again, the coarse ones
 * scaled up under them) cost 10–28 ms of main thread: without a GPU the browser rasterises a canvas's draws on the
 * main thread when it commits the frame (Chrome trace of bench:viewer: Commit → LayerTreeHost::DoUpdateLayers), most
 * of the long tasks of a pan; and it composites only the part of the screen a canvas reports changed. A new view,
 * rotation, flips, clipping, opacity, transparency and edge smoothing draw whole frames as before.
 *
 * (Tried and dropped: the coarse tiles on a small canvas under this one, scaled by a CSS transform. The first frame
 * after a pan got 6–10 ms cheaper, but the compositor then scaled them again for every frame while the view's own
 * tiles came in, on the cores that decode them: image tiles drawn 60 ms later on the demo slide.)
 */
export class BitmapCanvasDrawer extends (OpenSeadragon.CanvasDrawer as unknown as CanvasDrawerClass) {
  /** What the last frame drew: the view, and every image's tiles in drawing order. */
  private lastView = '';
  private lastTiles: DrawnTile[] = [];

  override getSupportedDataFormats(): string[] {
    return ['imageBitmap', 'context2d'];
  }

  override getDataToDraw(tile: OpenSeadragon.Tile): unknown {
    const data: unknown = super.getDataToDraw(tile);
    return data instanceof ImageBitmap ? { canvas: data } : data;
  }

  override draw(tiledImages: OpenSeadragon.TiledImage[]): void {
    let view = this.viewKey(tiledImages);
    const tiles: DrawnTile[] = [];
    const owner = new Map<OpenSeadragon.Tile, OpenSeadragon.TiledImage>();
    for (const image of tiledImages) {
      const drawn = (image.getTilesToDraw() as { tile: OpenSeadragon.Tile }[]).map((info) => info.tile);
      // OpenSeadragon composites an image over another on a sketch canvas when its source may be transparent.
      const first = drawn[0];
      if (first && !(image as unknown as TiledImageInternals)._isBottomItem() && image.source.hasTransparency(undefined as unknown as CanvasRenderingContext2D, first.getUrl(), first.ajaxHeaders, first.postData)) view = undefined;
      for (const tile of drawn) {
        owner.set(tile, image);
        // A tile's opacity changes while it blends in (blendTime), its bitmap when its data is replaced: both redraw it.
        const data = (this.getDataToDraw(tile) as { canvas?: unknown } | undefined)?.canvas;
        tiles.push({ tile, opacity: tile.opacity, data, rect: tileRect(tile, OpenSeadragon.pixelDensityRatio), transparent: tile.hasTransparency });
      }
    }
    const sameView = view !== undefined && view === this.lastView;
    if (!sameView || !sameTiles(this.lastTiles, tiles)) {
      const redraw = sameView ? tilesToRedraw(this.lastTiles, tiles, this.canvasSize()) : undefined;
      if (redraw) this.drawAreas(redraw, owner);
      else super.draw(tiledImages);
    }
    this.lastView = view ?? '';
    this.lastTiles = tiles;
  }

  /** Draws parts of a frame over the last one: each area's tiles, clipped to it (see tilesToRedraw). */
  private drawAreas(areas: readonly RedrawArea[], owner: ReadonlyMap<OpenSeadragon.Tile, OpenSeadragon.TiledImage>): void {
    const internals = this as unknown as CanvasDrawerInternals;
    const context = internals.context;
    for (const { clip, tiles } of areas) {
      context.save();
      context.beginPath();
      context.rect(clip.x, clip.y, clip.width, clip.height);
      context.clip();
      for (const { tile } of tiles) {
        const image = owner.get(tile as OpenSeadragon.Tile)!;
        internals._drawTile(tile as OpenSeadragon.Tile, image, false, undefined, undefined, false, image.source);
      }
      context.restore();
    }
  }

  /** The canvas in its own pixels. */
  private canvasSize(): { width: number; height: number } {
    const size = (this as unknown as CanvasDrawerInternals)._calculateCanvasSize();
    return { width: size.x, height: size.y };
  }

  /** The view and the images' placement, for frames drawn in part (see the class comment); else undefined. */
  private viewKey(tiledImages: OpenSeadragon.TiledImage[]): string | undefined {
    const viewport = this.viewport;
    if (viewport.getRotation(true) % 360 !== 0 || viewport.getFlip()) return undefined;
    const size = (this as unknown as CanvasDrawerInternals)._calculateCanvasSize();
    const canvas = (this as unknown as CanvasDrawerInternals).canvas;
    if (canvas.width !== size.x || canvas.height !== size.y) return undefined;
    const zoom = viewport.getZoom(true);
    const rect = (r: OpenSeadragon.Rect) => `${r.x},${r.y},${r.width},${r.height},${r.degrees}`; // exact: Rect.toString rounds
    const parts = [rect(viewport.getBounds(true)), `${size.x}x${size.y}`];
    for (const image of tiledImages) {
      const internals = image as unknown as TiledImageInternals;
      if (image.getOpacity() !== 1 || image.getRotation(true) % 360 !== 0 || internals._clip || internals._croppingPolygons || internals.placeholderFillStyle || internals.debugMode) return undefined;
      if (internals.compositeOperation && internals.compositeOperation !== 'source-over') return undefined;
      // Above this zoom OpenSeadragon composites the tiles on a sketch canvas first (edge smoothing).
      if (image.viewportToImageZoom(zoom) > internals.smoothTileEdgesMinZoom) return undefined;
      parts.push(rect(image.getBounds(true)));
    }
    return parts.join('|');
  }
}

function sameTiles(a: readonly DrawnTile[], b: readonly DrawnTile[]): boolean {
  return a.length === b.length && a.every((t, i) => t.tile === b[i]!.tile && t.opacity === b[i]!.opacity && t.data === b[i]!.data);
}

/** Where OpenSeadragon draws a tile this frame, in the canvas's pixels (`density` of them per CSS pixel). */
function tileRect(tile: OpenSeadragon.Tile, density: number): DrawnTile['rect'] {
  const p = tile.position;
  const s = tile.size;
  return p && s ? { x: p.x * density, y: p.y * density, width: s.x * density, height: s.y * density } : { x: 0, y: 0, width: Number.POSITIVE_INFINITY, height: Number.POSITIVE_INFINITY };
}
