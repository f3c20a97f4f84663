import type OpenSeadragon from 'openseadragon';

/** The part of OpenSeadragon's TiledImage that starts a tile's load (not in its type declarations). */
interface TileLoader {
  _loadTile(tile: OpenSeadragon.Tile, time: number): void;
}

/**
 * Makes `image` load no coarser tile while a finer one is on its way. After a jump OpenSeadragon asks for the view's
 * own tiles and, in the same frame, for the next coarser level's as a stand-in until they come (with `immediateRender`
 * the view's own come first, but every candidate within `imageLoaderLimit` starts). Our coarser tiles cost the
 * workers as much as the view's own (each is a 512² render of file tiles), so they arrived no sooner and delayed the
 * view: a quarter of the renders and a fifth of the decoded file tiles of each fresh 1:1 view (bench:viewer's views on
 * the demo slide, a worker log). What is already loaded at any level is still drawn under the new tiles; a coarser
 * tile is loaded once no finer tile is loading (after a failed one, say), so a view never waits for it.
 */
export function loadFinestFirst(image: OpenSeadragon.TiledImage): void {
  const loader = image as unknown as TileLoader;
  const load = loader._loadTile.bind(image);
  const loading = new Set<OpenSeadragon.Tile>();
  loader._loadTile = (tile, time) => {
    let finer = false;
    for (const t of loading) {
      if (!t.loading) loading.delete(t); // loaded, failed or aborted
      else if (t.level > tile.level) finer = true; // OpenSeadragon's levels count up towards full resolution
    }
    if (finer) return; // asked again next frame, unless the finer tiles cover it by then
    load(tile, time);
    if (tile.loading) loading.add(tile);
  };
}
