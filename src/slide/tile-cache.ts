import { blankImage } from './codecs.ts';
import { LruCache } from './lru.ts';
import { blit, checkRegion } from './region.ts';
import { throwIfAborted, type RGBAImage } from './types.ts';

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
    this.tiles = new LruCache(maxBytes, (t) => t.data.byteLength);
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
): Promise<RGBAImage> {
  checkRegion(name, x, y, width, height);
  const out = blankImage(width, height);
  const col0 = Math.max(0, Math.floor(x / grid.tileWidth));
  const row0 = Math.max(0, Math.floor(y / grid.tileHeight));
  const col1 = Math.min(grid.tilesAcross - 1, Math.floor((x + width - 1) / grid.tileWidth));
  const row1 = Math.min(grid.tilesDown - 1, Math.floor((y + height - 1) / grid.tileHeight));
  const jobs: Promise<void>[] = [];
  for (let row = row0; row <= row1; row++) {
    for (let col = col0; col <= col1; col++) {
      jobs.push(
        tile(col, row).then((t) => {
          const left = col * grid.tileWidth;
          const top = row * grid.tileHeight;
          if (t) blit(out, t, left - x, top - y, grid.width - left, grid.height - top);
        }),
      );
    }
  }
  await Promise.all(jobs);
  return out;
}
