import type OpenSeadragon from 'openseadragon';
import { describe, expect, it } from 'vitest';
import { loadFinestFirst } from './finest-first.ts';

interface FakeTile {
  level: number;
  loading: boolean;
}

/** A TiledImage's loader as OpenSeadragon's: marks the tile loading and records it. */
function fakeImage() {
  const started: FakeTile[] = [];
  const image = {
    _loadTile(tile: FakeTile) {
      tile.loading = true;
      started.push(tile);
    },
  };
  loadFinestFirst(image as unknown as OpenSeadragon.TiledImage);
  const load = (tile: FakeTile) => (image as unknown as { _loadTile(t: FakeTile, time: number): void })._loadTile(tile, 0);
  return { started, load };
}

describe('loadFinestFirst', () => {
  it('starts no coarser tile while a finer one is loading, and starts it once none is', () => {
    const { started, load } = fakeImage();
    const fine = [{ level: 13, loading: false }, { level: 13, loading: false }];
    const coarse = { level: 12, loading: false };
    for (const t of fine) load(t);
    load(coarse);
    expect(started).toEqual(fine);
    expect(coarse.loading).toBe(false);
    fine[0]!.loading = false; // loaded
    load(coarse);
    expect(started).toHaveLength(2);
    fine[1]!.loading = false; // failed or aborted: OpenSeadragon clears the flag too
    load(coarse);
    expect(started).toEqual([...fine, coarse]);
  });

  it('starts tiles of the same or a finer level while others load', () => {
    const { started, load } = fakeImage();
    const tiles = [{ level: 12, loading: false }, { level: 12, loading: false }, { level: 13, loading: false }];
    for (const t of tiles) load(t);
    expect(started).toEqual(tiles);
  });
});
