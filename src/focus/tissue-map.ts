import { LruCache } from '../slide/lru.ts';
import { readScaledRegion } from '../slide/region.ts';
import type { SlideSource } from '../slide/types.ts';
import { classifyPixel } from './tissue.ts';
import type { Rect } from './slide-grid.ts';

/** Level-0 pixels per mask pixel. */
const MASK_DOWNSAMPLE = 8;
/** Mask pixels per side of one mask tile (2048 level-0 pixels). */
const MASK_TILE = 256;
const TILE_SPAN = MASK_TILE * MASK_DOWNSAMPLE;

interface MaskTile {
  width: number;
  height: number;
  /** 1 where the mask pixel is tissue, 0 for glass and pen. */
  tissue: Uint8Array;
}

/**
 * A slide's tissue mask at 1/8 resolution, built on demand in fixed 2048×2048 (level-0) tiles and cached.
 *
 * Fixed tiles make a cell's tissue fraction independent of how cells are grouped into blocks (the viewer, the scan
 * and the CLI group differently and must agree cell for cell), and one low-resolution read serves the ~256 cells
 * a tile covers: rendering a mask per cell cost more than scoring the tissue cells.
 */
export class TissueMap {
  private readonly tiles = new LruCache<number, Promise<MaskTile>>(256, () => 1);
  private readonly across: number;

  constructor(private readonly slide: SlideSource) {
    this.across = Math.ceil((slide.info.levels[0]?.width ?? 0) / TILE_SPAN);
  }

  /** Fraction of tissue in a level-0 rectangle, over the mask pixels it touches. */
  async fraction(rect: Rect, signal?: AbortSignal): Promise<number> {
    const level0 = this.slide.info.levels[0]!;
    const u0 = Math.max(0, Math.floor(rect.x / MASK_DOWNSAMPLE));
    const v0 = Math.max(0, Math.floor(rect.y / MASK_DOWNSAMPLE));
    const u1 = Math.min(Math.ceil(level0.width / MASK_DOWNSAMPLE), Math.ceil((rect.x + rect.width) / MASK_DOWNSAMPLE));
    const v1 = Math.min(Math.ceil(level0.height / MASK_DOWNSAMPLE), Math.ceil((rect.y + rect.height) / MASK_DOWNSAMPLE));
    let tissue = 0;
    let total = 0;
    for (let ty = Math.floor(v0 / MASK_TILE); ty * MASK_TILE < v1; ty++) {
      for (let tx = Math.floor(u0 / MASK_TILE); tx * MASK_TILE < u1; tx++) {
        const tile = await this.tile(tx, ty, signal);
        const ua = Math.max(u0 - tx * MASK_TILE, 0);
        const ub = Math.min(u1 - tx * MASK_TILE, tile.width);
        const va = Math.max(v0 - ty * MASK_TILE, 0);
        const vb = Math.min(v1 - ty * MASK_TILE, tile.height);
        for (let v = va; v < vb; v++) {
          for (let u = ua; u < ub; u++) tissue += tile.tissue[v * tile.width + u] as number;
        }
        total += Math.max(0, ub - ua) * Math.max(0, vb - va);
      }
    }
    return total ? tissue / total : 0;
  }

  private tile(tx: number, ty: number, signal?: AbortSignal): Promise<MaskTile> {
    const key = ty * this.across + tx;
    let tile = this.tiles.get(key);
    if (!tile) {
      // Not tied to the caller's signal: other cells share the tile.
      tile = this.render(tx, ty);
      this.tiles.set(key, tile);
      tile.catch(() => this.tiles.delete(key));
    }
    return signal ? tile.then((t) => (signal.throwIfAborted(), t)) : tile;
  }

  private async render(tx: number, ty: number): Promise<MaskTile> {
    const level0 = this.slide.info.levels[0]!;
    const x0 = tx * TILE_SPAN;
    const y0 = ty * TILE_SPAN;
    const w0 = Math.min(TILE_SPAN, level0.width - x0);
    const h0 = Math.min(TILE_SPAN, level0.height - y0);
    const width = Math.ceil(w0 / MASK_DOWNSAMPLE);
    const height = Math.ceil(h0 / MASK_DOWNSAMPLE);
    const image = await readScaledRegion(this.slide, x0, y0, w0, h0, width, height);
    const tissue = new Uint8Array(width * height);
    const d = image.data;
    for (let i = 0; i < tissue.length; i++) tissue[i] = classifyPixel(d[4 * i] as number, d[4 * i + 1] as number, d[4 * i + 2] as number) === 'tissue' ? 1 : 0;
    return { width, height, tissue };
  }
}

const maps = new WeakMap<SlideSource, TissueMap>();

/** The (cached) tissue map of an open slide. */
export function tissueMapOf(slide: SlideSource): TissueMap {
  let map = maps.get(slide);
  if (!map) {
    map = new TissueMap(slide);
    maps.set(slide, map);
  }
  return map;
}
