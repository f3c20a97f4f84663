import { LruCache } from './lru.ts';
import { lumaInPlace } from './luma.ts';
import { blit, checkRegion } from './region.ts';
import { throwIfAborted, type LevelRect, type RegionOptions, type RGBAImage } from './types.ts';

/**
 * A decoded tile kept in a form of its own (YCbCr planes: 1.5 bytes a pixel instead of 4) that writes its pixels
 * straight into a region, converting on the way: no RGBA copy of the tile is made, in fresh memory, only to be copied
 * again (first writes to fresh memory cost more than the conversion). `data` makes that RGBA copy for other readers.
 */
export interface ComposableTile extends RGBAImage {
  /** Bytes the tile holds, for the cache's budget. */
  readonly byteSize: number;
  /** As blit(dst, this, x, y, useWidth, useHeight). */
  blitInto(dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void;
  /** As blitInto, in grayscale (RegionOptions.gray), where the tile has a cheaper way than converting its colour. */
  blitLumaInto?(dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void;
  /**
   * The tile cache dropped the tile: its memory may be reused (for the next tile's planes, written to by copyTo:
   * fresh memory cost ten times the copy). The tile throws if used afterwards. Safe because composeRegion uses a tile
   * as soon as it has it, and the cache drops only its least recently used tiles.
   */
  release?(): void;
}

function isComposable(tile: RGBAImage): tile is ComposableTile {
  return 'blitInto' in tile;
}

/** A tile the file leaves empty (no bytes): shown as glass. */
export const EMPTY_TILE: RGBAImage = { width: 0, height: 0, data: new Uint8ClampedArray(0) };

/**
 * Decoded tiles of a tiled slide (any format): a bounded LRU of pixels, one load per tile however many callers want
 * it, and the tiles that failed to decode remembered with their error, so a broken tile is read once, not on every view.
 */
export class TileCache {
  private readonly tiles: LruCache<string, RGBAImage>;
  private readonly pending = new Map<string, Promise<RGBAImage>>();
  private readonly failed = new LruCache<string, Error>(1024, () => 1);

  constructor(maxBytes: number) {
    this.tiles = new LruCache(
      maxBytes,
      (t) => (isComposable(t) ? t.byteSize : t.data.byteLength),
      (t) => (isComposable(t) ? t.release?.() : undefined),
    );
  }

  /** The tile under `key`, loaded by `load` once; undefined for an empty tile. */
  async get(key: string, load: () => Promise<RGBAImage>, signal?: AbortSignal): Promise<RGBAImage | undefined> {
    const cached = this.tiles.get(key);
    if (cached) return cached.width === 0 ? undefined : cached;
    const failure = this.failed.get(key);
    if (failure) throw failure;
    let pending = this.pending.get(key);
    if (!pending) {
      // Shared by every caller that wants this tile, so it is not tied to one caller's signal.
      pending = load();
      this.pending.set(key, pending);
      pending
        .then((tile) => this.tiles.set(key, tile), () => undefined)
        .finally(() => this.pending.delete(key));
    }
    const tile = await pending;
    throwIfAborted(signal);
    return tile.width === 0 ? undefined : tile;
  }

  /** Whether the tile is decoded or being decoded. */
  has(key: string): boolean {
    return this.tiles.has(key) || this.pending.has(key);
  }

  /** Remembers a tile that cannot be decoded (a failed read may work next time and is not remembered). */
  remember(key: string, error: Error): void {
    this.failed.set(key, error);
  }

  clear(): void {
    this.tiles.clear();
    this.failed.clear();
  }
}

/** A level cut into tiles of one size, the last column and row possibly cut short by the level's edge. */
export interface TileGrid {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  tilesAcross: number;
  tilesDown: number;
}

/** A rectangle of a tiled level composed from its tiles; glass (white) where there is none. */
export async function composeRegion(
  name: string,
  grid: TileGrid,
  x: number,
  y: number,
  width: number,
  height: number,
  tile: (col: number, row: number) => Promise<RGBAImage | undefined>,
  { needed, into, gray }: RegionOptions = {},
): Promise<RGBAImage> {
  checkRegion(name, x, y, width, height);
  // Every pixel is written once, from a tile or as white where none covers it (or none is needed), so the memory needs
  // no clearing first and may be reused (`into`).
  const size = width * height * 4;
  const out: RGBAImage = { width, height, data: into && into.length >= size ? into.subarray(0, size) : new Uint8ClampedArray(size) };
  const { tileWidth: tw, tileHeight: th } = grid;
  const jobs: Promise<void>[] = [];
  for (let row = Math.floor(y / th); row <= Math.floor((y + height - 1) / th); row++) {
    for (let col = Math.floor(x / tw); col <= Math.floor((x + width - 1) / tw); col++) {
      const wanted = col >= 0 && row >= 0 && col < grid.tilesAcross && row < grid.tilesDown && (!needed || touches(needed, col * tw, row * th, tw, th));
      jobs.push(
        (wanted ? tile(col, row) : Promise.resolve(undefined)).then((t) => {
          const left = col * tw;
          const top = row * th;
          // The part of this cell the tile fills: edge tiles carry padding past the level's edge that must not show.
          const w = t ? Math.min(t.width, tw, grid.width - left) : 0;
          const h = t ? Math.min(t.height, th, grid.height - top) : 0;
          if (t && w > 0 && h > 0) {
            if (gray && isComposable(t) && t.blitLumaInto) t.blitLumaInto(out, left - x, top - y, w, h);
            else {
              if (isComposable(t)) t.blitInto(out, left - x, top - y, w, h);
              else blit(out, t, left - x, top - y, w, h);
              if (gray) lumaInPlace(out, left - x, top - y, left - x + w, top - y + h);
            }
          }
          fillWhite(out, left + Math.max(0, w) - x, top - y, left + tw - x, top + Math.max(0, h) - y);
          fillWhite(out, left - x, top + Math.max(0, h) - y, left + tw - x, top + th - y);
        }),
      );
    }
  }
  await Promise.all(jobs);
  return out;
}

function touches(rects: readonly LevelRect[], x: number, y: number, width: number, height: number): boolean {
  return rects.some((r) => r.x < x + width && x < r.x + r.width && r.y < y + height && y < r.y + r.height);
}

/** Opaque white in the rectangle [x0, x1) × [y0, y1) of `img`, clipped to it. */
function fillWhite(img: RGBAImage, x0: number, y0: number, x1: number, y1: number): void {
  const a = Math.max(0, x0);
  const b = Math.min(img.width, x1);
  if (b <= a) return;
  for (let row = Math.max(0, y0); row < Math.min(img.height, y1); row++) img.data.fill(255, (row * img.width + a) * 4, (row * img.width + b) * 4);
}
