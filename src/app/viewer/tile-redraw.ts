// Which tiles a canvas frame must draw, given what the canvas shows from the last frame of the same view.

export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A tile as a frame draws it: the same tile drawn with the same data, opacity and place looks the same. */
export interface DrawnTile {
  tile: object;
  opacity: number | null;
  /** What is drawn (the bitmap or canvas), so a tile whose data was replaced counts as new. */
  data: unknown;
  /** Where, in canvas pixels. */
  rect: TileRect;
  /** Cleared before it is drawn and blended over what lies under it (OpenSeadragon's `hasTransparency`). */
  transparent?: boolean;
}

/** Part of a frame: the tiles to draw again, in order, clipped to `clip` (whole canvas pixels). */
export interface RedrawArea {
  clip: TileRect;
  tiles: DrawnTile[];
}

/**
 * What to draw over the canvas showing `before` so that it shows what a whole redraw of `now` would: nothing when it
 * does already, undefined when only a whole redraw will do. A canvas draws an image on an axis-aligned grid without
 * antialiasing: it sets the pixels whose centres lie inside, so with opaque tiles each pixel shows the last tile that
 * sets it. Hence: the tiles drawn before must keep their order; a tile gone must not show (its pixels all set by
 * tiles drawn after it that stay, or by new ones); and each new tile is drawn clipped to its pixels, followed by the
 * tiles after it that reach them (its neighbours overlap it by OpenSeadragon's pixel). Tiles before it need no redraw
 * there — it sets every one of those pixels — unless an edge falls on a pixel centre, where the rounding is not known.
 */
export function tilesToRedraw(before: readonly DrawnTile[], now: readonly DrawnTile[], canvas: { width: number; height: number }): RedrawArea[] | undefined {
  const opaque = (t: DrawnTile) => t.opacity === 1 && !t.transparent;
  if (!now.every(opaque) || !before.every(opaque)) return undefined;
  const index = new Map(now.map((t, i) => [t.tile, i]));
  const kept = new Set<number>();
  const gone: number[] = [];
  let last = -1;
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!;
    const k = index.get(b.tile);
    if (k === undefined) {
      gone.push(i);
      continue;
    }
    const n = now[k]!;
    if (k < last || n.data !== b.data || n.opacity !== b.opacity || !sameRect(n.rect, b.rect)) return undefined;
    last = k;
    kept.add(k);
  }
  if (kept.size === 0 && now.length > 0) return undefined;
  const area = { x: 0, y: 0, width: canvas.width, height: canvas.height };
  const added = now.filter((_, k) => !kept.has(k)).map((t) => surePixels(t.rect));
  for (const i of gone) {
    const above = before.slice(i + 1).filter((t) => index.has(t.tile)).map((t) => surePixels(t.rect));
    if (!covered(intersect(maybePixels(before[i]!.rect), area), [...above, ...added])) return undefined;
  }
  const areas: RedrawArea[] = [];
  for (let k = 0; k < now.length; k++) {
    if (kept.has(k)) continue;
    const clip = intersect(maybePixels(now[k]!.rect), area);
    if (clip.width <= 0 || clip.height <= 0) continue;
    const ties = !sameRect(clip, intersect(surePixels(now[k]!.rect), area));
    areas.push({ clip, tiles: now.filter((t, j) => (j === k || j > k || ties) && overlap(maybePixels(t.rect), clip)) });
  }
  return areas;
}

/** The pixels a tile drawn at `r` sets: those whose centres lie inside it. */
function surePixels(r: TileRect): TileRect {
  const x = Math.floor(r.x - 0.5) + 1;
  const y = Math.floor(r.y - 0.5) + 1;
  return { x, y, width: Math.max(0, Math.ceil(r.x + r.width - 0.5) - x), height: Math.max(0, Math.ceil(r.y + r.height - 0.5) - y) };
}

/** The pixels it may set: also those whose centres lie on its edges. */
function maybePixels(r: TileRect): TileRect {
  const x = Math.ceil(r.x - 0.5);
  const y = Math.ceil(r.y - 0.5);
  return { x, y, width: Math.max(0, Math.floor(r.x + r.width - 0.5) + 1 - x), height: Math.max(0, Math.floor(r.y + r.height - 0.5) + 1 - y) };
}

function sameRect(a: TileRect, b: TileRect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

function overlap(a: TileRect, b: TileRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function intersect(a: TileRect, b: TileRect): TileRect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, width: Math.min(a.x + a.width, b.x + b.width) - x, height: Math.min(a.y + a.height, b.y + b.height) - y };
}

/** Whether the union of `by` covers `area`: tested at the middle of each cell the rectangles' edges cut it into. */
export function covered(area: TileRect, by: readonly TileRect[]): boolean {
  if (area.width <= 0 || area.height <= 0) return true;
  const cuts = (lo: number, hi: number, edges: number[]) => [...new Set([lo, hi, ...edges.filter((e) => e > lo && e < hi)])].sort((a, b) => a - b);
  const xs = cuts(area.x, area.x + area.width, by.flatMap((r) => [r.x, r.x + r.width]));
  const ys = cuts(area.y, area.y + area.height, by.flatMap((r) => [r.y, r.y + r.height]));
  for (let j = 0; j + 1 < ys.length; j++) {
    const y = (ys[j]! + ys[j + 1]!) / 2;
    for (let i = 0; i + 1 < xs.length; i++) {
      const x = (xs[i]! + xs[i + 1]!) / 2;
      if (!by.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)) return false;
    }
  }
  return true;
}
