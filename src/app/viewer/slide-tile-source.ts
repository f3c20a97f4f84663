import OpenSeadragon from 'openseadragon';
import type { SlideWorkers } from '../../workers/slide-workers.ts';

/**
 * An OpenSeadragon tile source backed by our slide workers. OSD asks for power-of-two levels; the worker picks the
 * closest stored level and resamples, so SVS pyramids with 4× steps and single-level images both work.
 * Tiles arrive as ImageBitmaps, which OSD 6 draws directly. They are 512² whatever the file's tiles: a view takes a
 * quarter as many worker round trips, bitmaps and draws (bench:viewer, pan → tiles drawn at level 0: about 1.05–1.1 s
 * at 256², 0.5–0.63 s at 512²; BENCHMARKS.md).
 * `slideId` (OpenSlide.id) and the mode go into the tile URLs, which OSD caches tiles by: two slides, or the colour and
 * the grayscale image of one (both in the world while the viewer swaps them, see TileModeSwap), must not share one.
 * `gray`: the tiles in grayscale (the slide under the heatmap).
 */
export function createSlideTileSource(slide: SlideWorkers, slideId: number, gray = false): OpenSeadragon.TileSource {
  const { width, height } = slide.info.levels[0]!;
  const tileSize = 512;
  const source = new OpenSeadragon.TileSource({
    width,
    height,
    tileSize,
    tileOverlap: 0,
    minLevel: 0,
    maxLevel: Math.ceil(Math.log2(Math.max(width, height))),
  } as OpenSeadragon.TileSourceOptions);

  source.getTileUrl = (level: number, x: number, y: number) => `focuslite://${slideId}/${gray ? 'gray' : 'colour'}/${level}/${x}/${y}`;
  source.hasTransparency = () => false;
  source.downloadTileStart = (job: OpenSeadragon.ImageJob) => {
    const [level, x, y] = job.src.split('/').slice(-3).map(Number) as [number, number, number];
    const scale = source.getLevelScale(level);
    const levelWidth = Math.ceil(width * scale);
    const levelHeight = Math.ceil(height * scale);
    const px = x * tileSize;
    const py = y * tileSize;
    const outWidth = Math.min(tileSize, levelWidth - px);
    const outHeight = Math.min(tileSize, levelHeight - py);
    const controller = new AbortController();
    job.userData.abort = controller;
    const region = { x: px / scale, y: py / scale, width: Math.min(width - px / scale, outWidth / scale), height: Math.min(height - py / scale, outHeight / scale) };
    // Full-resolution tiles go to the worker that scores the blocks over them (their decoded file tiles are shared,
    // see SlideWorkers.workerFor); coarser ones alternate, so a zoomed-out view too is spread over every worker.
    const worker = scale >= 1 ? slide.workerFor(region) : (x + y) % slide.size;
    slide
      .render(region.x, region.y, region.width, region.height, outWidth, outHeight, controller.signal, { gray, worker })
      .then(
        (bitmap) => job.finish(bitmap, null, 'imageBitmap'),
        (err: Error) => job.fail(`tile ${level}/${x}/${y}: ${err.message}`, null),
      );
  };
  source.downloadTileAbort = (job: OpenSeadragon.ImageJob) => {
    (job.userData.abort as AbortController | undefined)?.abort();
  };
  return source;
}
