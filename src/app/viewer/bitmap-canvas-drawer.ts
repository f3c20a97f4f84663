import OpenSeadragon from 'openseadragon';

/**
 * OpenSeadragon's canvas drawer, drawing our tiles' ImageBitmaps as they come from the workers. The stock drawer
 * only draws 2D contexts, so OpenSeadragon copied every tile into a new canvas first (a canvas and a 512² draw per
 * tile on the main thread: the largest part of its JavaScript in a CPU profile of bench:viewer) and drew the tile
 * a frame later. `drawImage` takes a bitmap as it takes a canvas; the drawer reads only `.canvas` of what it draws.
 */
export class BitmapCanvasDrawer extends OpenSeadragon.CanvasDrawer {
  override getSupportedDataFormats(): string[] {
    return ['imageBitmap', 'context2d'];
  }

  override getDataToDraw(tile: OpenSeadragon.Tile): unknown {
    const data: unknown = super.getDataToDraw(tile);
    return data instanceof ImageBitmap ? { canvas: data } : data;
  }
}
