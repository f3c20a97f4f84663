// Smooth slide-wide fields: tissue outline, collagen fibre phase, stain density. They vary over tens of pixels or
// more, so they are evaluated on a global 8-px grid and interpolated; the grid is aligned to multiples of 8 so a
// pixel's value never depends on which rectangle was asked for.
import { hash2 } from './hash.ts';
import type { SlideLayout } from './layout.ts';
import { fbm, perlin } from './noise.ts';

export const GRID = 8;
const GRID_SHIFT = 3;

/** Seeds for the independent noise fields. */
export function fieldSeed(layout: { seed: number }, field: number): number {
  return hash2(layout.seed, field, 0x7155);
}

/** Positive inside tissue, ~1 at the heart of a piece; the outline is its zero level. */
export function tissueRaw(layout: SlideLayout, x: number, y: number): number {
  let best = -1e9;
  for (const b of layout.blobs) {
    const dx = x - b.cx;
    const dy = y - b.cy;
    const u = (dx * b.ux + dy * b.uy) / b.rx;
    const v = (dy * b.ux - dx * b.uy) / b.ry;
    const e = 1 - Math.sqrt(u * u + v * v);
    if (e > best) best = e;
  }
  return (
    best +
    0.32 * fbm(x / (900 * layout.outlineScale), y / (900 * layout.outlineScale), fieldSeed(layout, 1), 3) +
    0.07 * perlin(x / (120 * layout.outlineScale), y / (120 * layout.outlineScale), fieldSeed(layout, 2)) +
    0.015 * perlin(x / 32, y / 32, fieldSeed(layout, 2) + 1)
  );
}

/** Approximate signed distance to the tissue outline in pixels (positive inside). */
export function tissueDistance(layout: SlideLayout, x: number, y: number): number {
  const h = 4;
  const f = tissueRaw(layout, x, y);
  const gx = (tissueRaw(layout, x + h, y) - tissueRaw(layout, x - h, y)) / (2 * h);
  const gy = (tissueRaw(layout, x, y + h) - tissueRaw(layout, x, y - h)) / (2 * h);
  return f / Math.sqrt(gx * gx + gy * gy + 1e-12);
}

/**
 * Collagen fibres run along the level lines of this field, one fibre per unit. A large, slow term sets a
 * locally consistent direction (and keeps closed contours rare); a warped smaller term makes the bundles wave.
 */
export function fibrePhase(layout: SlideLayout, x: number, y: number): number {
  const s = fieldSeed(layout, 3);
  const wx = x + 40 * perlin(x / 160, y / 160, s + 1);
  const wy = y + 40 * perlin(x / 160 + 31.7, y / 160 - 11.3, s + 1);
  return 240 * perlin(x / 3000, y / 3000, s + 2) + 14 * fbm(wx / 300, wy / 300, s, 2) + 0.6 * perlin(x / 45, y / 45, s + 3);
}

/** Positive where the stroma is replaced by fat (adipocytes). */
export function fatness(layout: SlideLayout, x: number, y: number): number {
  return fbm(x / 1700, y / 1700, fieldSeed(layout, 11), 2) - 0.3;
}

/** Cellularity in [0, 1]: how crowded nuclei are; high values make lymphocyte-rich patches. */
export function cellularity(layout: SlideLayout, x: number, y: number): number {
  const n = fbm(x / 1400, y / 1400, fieldSeed(layout, 9), 2);
  return Math.min(1, Math.max(0, 0.3 + 0.9 * n));
}

/** Glandular zones: where glands are likely. */
export function glandularity(layout: SlideLayout, x: number, y: number): number {
  return perlin(x / 2600, y / 2600, fieldSeed(layout, 10));
}

/** Fields on the grid points covering a rectangle; see the `row*` methods for per-pixel values. */
export class FieldGrid {
  readonly gx0: number;
  readonly gy0: number;
  readonly cols: number;
  readonly rows: number;
  /** Signed distance to the tissue outline, px. */
  readonly dist: Float64Array;
  readonly phase: Float64Array;
  /** Fraction of a fibre period that is fibre. */
  readonly thick: Float64Array;
  /** Eosin density multiplier. */
  readonly eosin: Float64Array;
  /** Low-frequency noise in [-1, 1] that roughens gland outlines. */
  readonly warp: Float64Array;
  /** Brightness variation of the glass in [-1, 1]. */
  readonly glass: Float64Array;
  /** fatness() — positive in fatty areas. */
  readonly fat: Float64Array;

  constructor(layout: SlideLayout, x0: number, y0: number, width: number, height: number) {
    this.gx0 = Math.floor(x0 / GRID) - 1;
    this.gy0 = Math.floor(y0 / GRID) - 1;
    const gx1 = Math.floor((x0 + width - 1) / GRID) + 2;
    const gy1 = Math.floor((y0 + height - 1) / GRID) + 2;
    this.cols = gx1 - this.gx0 + 1;
    this.rows = gy1 - this.gy0 + 1;
    const n = this.cols * this.rows;
    const raw = new Float64Array(n);
    this.dist = new Float64Array(n);
    this.phase = new Float64Array(n);
    this.thick = new Float64Array(n);
    this.eosin = new Float64Array(n);
    this.warp = new Float64Array(n);
    this.glass = new Float64Array(n);
    this.fat = new Float64Array(n).fill(-1);
    const sThick = fieldSeed(layout, 4);
    const sEosin = fieldSeed(layout, 5);
    const sWarp = fieldSeed(layout, 6);
    const sGlass = fieldSeed(layout, 7);
    for (let r = 0; r < this.rows; r++) {
      const y = (this.gy0 + r) * GRID;
      for (let c = 0; c < this.cols; c++) {
        const x = (this.gx0 + c) * GRID;
        raw[r * this.cols + c] = tissueRaw(layout, x, y);
        this.glass[r * this.cols + c] = perlin(x / 300, y / 300, sGlass);
      }
    }
    // Distance = value / gradient, the gradient by central differences (one-sided on the outer ring, which only
    // serves as a margin: pixels interpolate between inner points).
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) {
        const i = r * this.cols + c;
        const l = c > 0 ? i - 1 : i;
        const rt = c < this.cols - 1 ? i + 1 : i;
        const u = r > 0 ? i - this.cols : i;
        const d = r < this.rows - 1 ? i + this.cols : i;
        const gx = ((raw[rt] ?? 0) - (raw[l] ?? 0)) / ((rt - l) * GRID);
        const gy = ((raw[d] ?? 0) - (raw[u] ?? 0)) / (((d - u) / this.cols) * GRID);
        this.dist[i] = (raw[i] ?? 0) / Math.sqrt(gx * gx + gy * gy + 1e-12);
      }
    }
    for (let r = 0; r < this.rows; r++) {
      const y = (this.gy0 + r) * GRID;
      for (let c = 0; c < this.cols; c++) {
        const i = r * this.cols + c;
        // Tissue fields are only needed within reach of tissue.
        if ((this.dist[i] ?? 0) < -3 * GRID) continue;
        const x = (this.gx0 + c) * GRID;
        this.phase[i] = fibrePhase(layout, x, y);
        this.thick[i] = 0.58 + 0.3 * perlin(x / 420, y / 420, sThick);
        this.eosin[i] = 0.8 + 0.25 * fbm(x / 700, y / 700, sEosin, 2);
        this.warp[i] = perlin(x / 70, y / 70, sWarp);
        this.fat[i] = fatness(layout, x, y);
      }
    }
  }

  /** Interpolates `field` along pixel row `y` at every grid column into `out` (length ≥ cols). */
  row(field: Float64Array, y: number, out: Float64Array): void {
    const r = (y >> GRID_SHIFT) - this.gy0;
    const t = (y & (GRID - 1)) / GRID;
    const a = r * this.cols;
    const b = a + this.cols;
    for (let c = 0; c < this.cols; c++) {
      const v0 = field[a + c] ?? 0;
      out[c] = v0 + ((field[b + c] ?? 0) - v0) * t;
    }
  }

  /** Bilinear value of `field` at pixel (x, y) inside the grid. */
  at(field: Float64Array, x: number, y: number): number {
    const c = (x >> GRID_SHIFT) - this.gx0;
    const r = (y >> GRID_SHIFT) - this.gy0;
    const tx = (x & (GRID - 1)) / GRID;
    const ty = (y & (GRID - 1)) / GRID;
    const i = r * this.cols + c;
    const v00 = field[i] ?? 0;
    const v10 = field[i + 1] ?? 0;
    const v01 = field[i + this.cols] ?? 0;
    const v11 = field[i + this.cols + 1] ?? 0;
    const a = v00 + (v10 - v00) * tx;
    const b = v01 + (v11 - v01) * tx;
    return a + (b - a) * ty;
  }
}
