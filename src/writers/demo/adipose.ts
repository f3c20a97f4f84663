// Fat: a Voronoi pattern of large empty adipocytes with thin eosin membranes, in areas where fatness() > 0.
// Whether a cell is fat is decided at its seed point, so an adipocyte is never cut by the edge of a fatty area.
import { hash2 } from './hash.ts';
import type { SlideLayout } from './layout.ts';
import { TEXTURE_MASK, TEXTURE_SIZE } from './texture.ts';
import { fatness, fieldSeed } from './tissue-field.ts';

export const FAT_CELL = 110;
/** Largest displacement of the walls, px (less than the margin the lattice keeps around its rectangle). */
const WALL_BEND = 7;

/** The adipocyte lattice over one rectangle (seeds cached; fatness evaluated once per cell, on demand). */
export class FatLattice {
  /** Results of the last sample(): how much of the pixel is adipocyte interior, and membrane. */
  interior = 0;
  membrane = 0;
  private readonly i0: number;
  private readonly j0: number;
  private readonly cols: number;
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  /** 0 unknown, 1 fat, 2 not fat. */
  private readonly fat: Uint8Array;

  /**
   * Covers samples anywhere in [x0, x0 + width) × [y0, y0 + height). `warp` (a smooth TEXTURE_SIZE² texture in
   * [-1, 1]) bends the cell walls, which would otherwise be ruler-straight.
   */
  constructor(
    private readonly layout: SlideLayout,
    private readonly warp: Float32Array,
    x0: number,
    y0: number,
    width: number,
    height: number,
  ) {
    // Samples look one cell beyond the (bent) point's own.
    this.i0 = Math.floor((x0 - WALL_BEND - 1) / FAT_CELL) - 1;
    this.j0 = Math.floor((y0 - WALL_BEND - 1) / FAT_CELL) - 1;
    this.cols = Math.floor((x0 + width + WALL_BEND + 1) / FAT_CELL) + 1 - this.i0 + 1;
    const rows = Math.floor((y0 + height + WALL_BEND + 1) / FAT_CELL) + 1 - this.j0 + 1;
    const n = this.cols * rows;
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.fat = new Uint8Array(n);
    const seed = fieldSeed(layout, 30);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < this.cols; c++) {
        const i = this.i0 + c;
        const j = this.j0 + r;
        const h = hash2(i, j, seed);
        this.sx[r * this.cols + c] = (i + 0.1 + 0.8 * ((h & 0xffff) / 65536)) * FAT_CELL;
        this.sy[r * this.cols + c] = (j + 0.1 + 0.8 * ((h >>> 16) / 65536)) * FAT_CELL;
      }
    }
  }

  private isFat(k: number): boolean {
    let f = this.fat[k]!;
    if (f === 0) {
      f = fatness(this.layout, this.sx[k]!, this.sy[k]!) > 0 ? 1 : 2;
      this.fat[k] = f;
    }
    return f === 1;
  }

  /** Sets `interior` and `membrane` for the point (x, y). */
  sample(px: number, py: number): void {
    const ix = Math.floor(px);
    const iy = Math.floor(py);
    const x = px + WALL_BEND * this.warp[(iy & TEXTURE_MASK) * TEXTURE_SIZE + (ix & TEXTURE_MASK)]!;
    const y = py + WALL_BEND * this.warp[((iy + 128) & TEXTURE_MASK) * TEXTURE_SIZE + ((ix + 64) & TEXTURE_MASK)]!;
    const ci = Math.floor(x / FAT_CELL) - this.i0;
    const cj = Math.floor(y / FAT_CELL) - this.j0;
    let d1 = 1e18;
    let d2 = 1e18;
    let k1 = -1;
    let k2 = -1;
    for (let r = cj - 1; r <= cj + 1; r++) {
      for (let c = ci - 1; c <= ci + 1; c++) {
        const k = r * this.cols + c;
        const dx = x - this.sx[k]!;
        const dy = y - this.sy[k]!;
        const d = dx * dx + dy * dy;
        if (d < d1) {
          d2 = d1;
          k2 = k1;
          d1 = d;
          k1 = k;
        } else if (d < d2) {
          d2 = d;
          k2 = k;
        }
      }
    }
    const fat1 = this.isFat(k1);
    if (!fat1 && !this.isFat(k2)) {
      this.interior = 0;
      this.membrane = 0;
      return;
    }
    // Half the difference of the distances to the two nearest seeds ≈ distance to the cell wall.
    const edge = (Math.sqrt(d2) - Math.sqrt(d1)) / 2;
    const m = 1.9 - edge;
    this.membrane = m <= 0 ? 0 : m >= 1 ? 1 : m;
    this.interior = fat1 ? 1 - this.membrane : 0;
  }
}
