import OpenSeadragon from 'openseadragon';

/** The parts of OpenSeadragon's canvas drawer that are not in its type declarations. */
interface CanvasDrawerInternals {
  _calculateCanvasSize(): OpenSeadragon.Point;
  canvas: HTMLCanvasElement;
}

/** The canvas drawer's class with its `draw` (missing from the type declarations). */
type CanvasDrawerClass = new (options: object) => OpenSeadragon.CanvasDrawer & { draw(tiledImages: OpenSeadragon.TiledImage[]): void };

interface TiledImageInternals {
  _clip?: unknown;
  _croppingPolygons?: unknown;
  compositeOperation?: string | null;
  placeholderFillStyle?: unknown;
  smoothTileEdgesMinZoom: number;
}

/**
 * OpenSeadragon's canvas drawer, drawing our tiles' ImageBitmaps as they come from the workers. The stock drawer
 * only draws 2D contexts, so OpenSeadragon copied every tile into a new canvas first (a canvas and a 512² draw per
 * tile on the main thread: the largest part of its JavaScript in a CPU profile of bench:viewer) and drew the tile
 * a frame later. `drawImage` takes a bitmap as it takes a canvas; the drawer reads only `.canvas` of what it draws.
 *
 * A frame that would show exactly what the canvas shows already (the same view and placement, the same tiles in the same
 * order) is not drawn again. OpenSeadragon asks for one on most animation frames while tiles load (about half the
 * frames of a pan in bench:viewer), and without a GPU the browser rasterises a redrawn canvas and copies it to the
 * compositor on the main thread at commit: most of the long tasks of bench:viewer (Chrome trace: Commit →
 * LayerTreeHost::DoUpdateLayers). Rotation, flips, clipping, opacity and edge smoothing are always drawn as before.
 */
export class BitmapCanvasDrawer extends (OpenSeadragon.CanvasDrawer as unknown as CanvasDrawerClass) {
  /** What the last frame drew: the view, and the tiles of each image in drawing order. */
  private lastView = '';
  private lastTiles: DrawnTile[][] = [];

  override getSupportedDataFormats(): string[] {
    return ['imageBitmap', 'context2d'];
  }

  override getDataToDraw(tile: OpenSeadragon.Tile): unknown {
    const data: unknown = super.getDataToDraw(tile);
    return data instanceof ImageBitmap ? { canvas: data } : data;
  }

  override draw(tiledImages: OpenSeadragon.TiledImage[]): void {
    const view = this.viewKey(tiledImages);
    // A tile's opacity changes while it blends in (blendTime): then the same tiles make another frame.
    const tiles = tiledImages.map((image) => image.getTilesToDraw().map((info: { tile: OpenSeadragon.Tile }) => ({ tile: info.tile, opacity: info.tile.opacity })));
    const same = view !== undefined && view === this.lastView && sameTiles(tiles, this.lastTiles);
    if (!same) super.draw(tiledImages);
    this.lastView = view ?? '';
    this.lastTiles = tiles;
  }

  /** The view and the images' placement, for frames that may be skipped (see the class comment); else undefined. */
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
      if (image.getOpacity() !== 1 || image.getRotation(true) % 360 !== 0 || internals._clip || internals._croppingPolygons || internals.placeholderFillStyle) return undefined;
      if (internals.compositeOperation && internals.compositeOperation !== 'source-over') return undefined;
      // Above this zoom OpenSeadragon composites the tiles on a sketch canvas first (edge smoothing).
      if (image.viewportToImageZoom(zoom) > internals.smoothTileEdgesMinZoom) return undefined;
      parts.push(rect(image.getBounds(true)));
    }
    return parts.join('|');
  }
}

interface DrawnTile {
  tile: OpenSeadragon.Tile;
  opacity: number | null;
}

function sameTiles(a: readonly DrawnTile[][], b: readonly DrawnTile[][]): boolean {
  return a.length === b.length && a.every((list, i) => list.length === b[i]!.length && list.every((t, k) => t.tile === b[i]![k]!.tile && t.opacity === b[i]![k]!.opacity));
}
