// Rasterises the in-focus slide for one rectangle: stain amounts (haematoxylin H, eosin E, pen ink P) per pixel,
// painted layer by layer — stroma, glands and vessels, red cells, nuclei, pen — then turned into RGB.
import { FatLattice } from './adipose.ts';
import { hash2 } from './hash.ts';
import type { SlideLayout } from './layout.ts';
import { NUCLEUS_REACH, STRUCTURE_WARP, cellsNear, structuresNear, type Nucleus, type RedCell, type Structure } from './objects.ts';
import { EOSIN, HAEMATOXYLIN, LUT_SCALE, LUT_SIZE, PEN_INK, transmissionTable } from './stain.ts';
import { TEXTURE_MASK, TEXTURE_SIZE, makeGrain, makeTexture } from './texture.ts';
import { FieldGrid, GRID } from './tissue-field.ts';
import type { RGBAImage } from '../../slide/types.ts';

/** Per-slide tables shared by every rectangle. */
export interface PaintContext {
  layout: SlideLayout;
  /** Clumpy texture (~2 px) for chromatin. */
  chromatin: Float32Array;
  /** Soft speckle (~4 px) for cytoplasm and stroma. */
  speckle: Float32Array;
  /** Per-pixel noise for the glass and camera grain. */
  grain: Float32Array;
  /** Coarse (~16 px) noise that thins and breaks each collagen fibre independently. */
  gate: Float32Array;
  /** Smooth (~32 px) noise that bends the walls of fat cells. */
  bend: Float32Array;
  lut: Float32Array;
}

export function createPaintContext(layout: SlideLayout): PaintContext {
  return {
    layout,
    chromatin: makeTexture(hash2(layout.seed, 1, 0xc401), 2),
    speckle: makeTexture(hash2(layout.seed, 2, 0xc401), 4),
    grain: makeGrain(hash2(layout.seed, 3, 0xc401)),
    gate: makeTexture(hash2(layout.seed, 4, 0xc401), 16),
    bend: makeTexture(hash2(layout.seed, 5, 0xc401), 32),
    lut: transmissionTable(),
  };
}

/** Stain layers of a rectangle, row-major. */
interface Layers {
  x0: number;
  y0: number;
  w: number;
  h: number;
  H: Float32Array;
  E: Float32Array;
  /** Tissue coverage 0–1 (soft outline); H and E are multiplied by it at the end. */
  mask: Float32Array;
  /** Light through bare glass, 0–255. */
  glass: Float32Array;
  /** Pen ink, allocated (zeroed) on first use. */
  P?: Float32Array;
  newPen(): Float32Array;
}

/** How far beyond the rectangle the field grid reaches, so nuclei just outside it see the tissue outline. */
const GRID_MARGIN = 2 * GRID + NUCLEUS_REACH;

export function renderSharp(ctx: PaintContext, x0: number, y0: number, w: number, h: number): RGBAImage {
  return { width: w, height: h, data: paintRect(ctx, x0, y0, w, h).slice() };
}

/** Reused working buffers: rendering a slide paints thousands of rectangles of the same few sizes. */
class Scratch {
  private size = 0;
  H = new Float32Array(0);
  E = new Float32Array(0);
  mask = new Float32Array(0);
  glass = new Float32Array(0);
  P = new Float32Array(0);
  rgba = new Uint8ClampedArray(0);
  layers(x0: number, y0: number, w: number, h: number): Layers {
    const n = w * h;
    if (n > this.size) {
      this.size = n;
      this.H = new Float32Array(n);
      this.E = new Float32Array(n);
      this.mask = new Float32Array(n);
      this.glass = new Float32Array(n);
      this.P = new Float32Array(n);
      this.rgba = new Uint8ClampedArray(n * 4);
    }
    const layers = {
      x0,
      y0,
      w,
      h,
      H: this.H.subarray(0, n),
      E: this.E.subarray(0, n),
      mask: this.mask.subarray(0, n),
      glass: this.glass.subarray(0, n),
      newPen: () => this.P.subarray(0, n).fill(0),
    };
    layers.H.fill(0);
    layers.E.fill(0);
    layers.mask.fill(0);
    return layers;
  }
}

const scratches = new WeakMap<PaintContext, Scratch>();

/** Paints a rectangle into a reused buffer: valid until the next call with the same context. */
export function paintRect(ctx: PaintContext, x0: number, y0: number, w: number, h: number): Uint8ClampedArray {
  let scratch = scratches.get(ctx);
  if (!scratch) scratches.set(ctx, (scratch = new Scratch()));
  const layers = scratch.layers(x0, y0, w, h);
  const grid = new FieldGrid(ctx.layout, x0 - GRID_MARGIN, y0 - GRID_MARGIN, w + 2 * GRID_MARGIN, h + 2 * GRID_MARGIN);
  const fat = new FatLattice(ctx.layout, ctx.bend, x0 - GRID_MARGIN, y0 - GRID_MARGIN, w + 2 * GRID_MARGIN, h + 2 * GRID_MARGIN);
  const tissue = paintStroma(ctx, grid, fat, layers);
  if (tissue) {
    const structures = structuresNear(ctx.layout, x0, y0, x0 + w, y0 + h, NUCLEUS_REACH);
    for (const s of structures) paintStructure(ctx, grid, layers, s);
    const { nuclei, redCells } = cellsNear(ctx.layout, grid, fat, structures, x0, y0, x0 + w, y0 + h);
    for (const c of redCells) paintRedCell(layers, c);
    for (const nu of nuclei) if (nu.cytoplasm > 0) paintCytoplasm(ctx, layers, nu);
    for (const nu of nuclei) paintNucleus(ctx, layers, nu);
  }
  paintPen(ctx, layers);
  return toRgba(ctx, layers, scratch.rgba.subarray(0, w * h * 4));
}

/** Glass everywhere, and stroma (collagen fibres) where there is tissue. Returns whether any tissue was seen. */
function paintStroma(ctx: PaintContext, grid: FieldGrid, fatCells: FatLattice, L: Layers): boolean {
  const { x0, y0, w, h, H, E, mask, glass } = L;
  const cols = grid.cols;
  const rowD = new Float64Array(cols);
  const rowG = new Float64Array(cols);
  const rowP = new Float64Array(cols);
  const rowT = new Float64Array(cols);
  const rowE = new Float64Array(cols);
  const rowF = new Float64Array(cols);
  const grain = ctx.grain;
  const speckle = ctx.speckle;
  const gate = ctx.gate;
  let any = false;
  for (let j = 0; j < h; j++) {
    const y = y0 + j;
    grid.row(grid.dist, y, rowD);
    grid.row(grid.glass, y, rowG);
    let rowHasTissue = false;
    for (let c = 0; c < cols; c++) {
      if ((rowD[c] ?? 0) > -4) {
        rowHasTissue = true;
        break;
      }
    }
    if (rowHasTissue) {
      grid.row(grid.phase, y, rowP);
      grid.row(grid.thick, y, rowT);
      grid.row(grid.eosin, y, rowE);
      grid.row(grid.fat, y, rowF);
      any = true;
    }
    const grainRow = (y & TEXTURE_MASK) * TEXTURE_SIZE;
    const speckleRow = ((y + 41) & TEXTURE_MASK) * TEXTURE_SIZE;
    let i = j * w;
    let x = x0;
    const xEnd = x0 + w;
    while (x < xEnd) {
      const c = (x >> 3) - grid.gx0;
      const spanEnd = Math.min(xEnd, (x | 7) + 1);
      const g0 = rowG[c] ?? 0;
      const gStep = ((rowG[c + 1] ?? 0) - g0) / GRID;
      const d0 = rowD[c] ?? 0;
      const d1 = rowD[c + 1] ?? 0;
      if (!rowHasTissue || (d0 < -4 && d1 < -4)) {
        for (; x < spanEnd; x++, i++) glass[i] = 240 + 2.2 * (g0 + gStep * (x & 7)) + 1.4 * (grain[grainRow + (x & TEXTURE_MASK)] ?? 0);
        continue;
      }
      const dStep = (d1 - d0) / GRID;
      const p0 = rowP[c] ?? 0;
      const pStep = ((rowP[c + 1] ?? 0) - p0) / GRID;
      const t0 = rowT[c] ?? 0;
      const tStep = ((rowT[c + 1] ?? 0) - t0) / GRID;
      const e0 = rowE[c] ?? 0;
      const eStep = ((rowE[c + 1] ?? 0) - e0) / GRID;
      const nearFat = (rowF[c] ?? -1) > -0.12 || (rowF[c + 1] ?? -1) > -0.12;
      for (; x < spanEnd; x++, i++) {
        const k = x & 7;
        glass[i] = 240 + 2.2 * (g0 + gStep * k) + 1.4 * (grain[grainRow + (x & TEXTURE_MASK)] ?? 0);
        const sp = speckle[speckleRow + ((x + 87) & TEXTURE_MASK)] ?? 0;
        // A few pixels of raggedness on the cut edge.
        const d = d0 + dStep * k + 2.5 * sp;
        const m = d / 1.2 + 0.5;
        if (m <= 0) continue;
        mask[i] = m >= 1 ? 1 : m;
        const phase = p0 + pStep * k;
        const fibre = Math.floor(phase);
        let f = (phase - fibre) * 2 - 1;
        if (f < 0) f = -f;
        // Each fibre samples the gate texture at its own offset, so neighbours thin and break independently.
        const gy = ((y + fibre * 73) & TEXTURE_MASK) * TEXTURE_SIZE;
        const gv = gate[gy + ((x + fibre * 151) & TEXTURE_MASK)] ?? 0;
        // Per-fibre thickness and stain from low-discrepancy sequences of the fibre index.
        const r1 = fibre * 0.6180339887;
        const r2 = fibre * 0.7548776662;
        const thickness = (t0 + tStep * k) * (0.55 + 0.9 * gv) * (0.7 + 0.6 * (r2 - Math.floor(r2)));
        let fib = (thickness - f) * 3.2 + 0.5;
        fib = fib < 0 ? 0 : fib > 1 ? 1 : fib;
        let e = (e0 + eStep * k) * (0.22 + fib * (0.5 + 0.55 * (r1 - Math.floor(r1)))) * (1 + 0.22 * sp);
        let hh = 0.045 + 0.02 * sp;
        // Sections stain a little darker along their cut edge.
        if (d < 30) e *= 1.3 - 0.01 * (d > 0 ? d : 0);
        if (nearFat) {
          fatCells.sample(x + 0.5, y + 0.5);
          let inside = fatCells.interior;
          let wall = fatCells.membrane;
          // Adipocytes on the cut edge keep their membrane there too.
          if (inside > 0 && d < 2.5) {
            const edgeWall = d < 1.5 ? 1 : 2.5 - d;
            if (edgeWall > wall) {
              inside = Math.max(0, inside - (edgeWall - wall));
              wall = edgeWall;
            }
          }
          if (inside > 0 || wall > 0) {
            e *= 1 - inside;
            hh *= 1 - inside;
            e += (0.62 * (1 + 0.2 * sp) - e) * wall;
            hh += (0.05 - hh) * wall;
          }
        }
        E[i] = e;
        H[i] = hh;
      }
    }
  }
  return any;
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function paintStructure(ctx: PaintContext, grid: FieldGrid, L: Layers, s: Structure): void {
  const reach = Math.max(s.rx, s.ry) * (1 + STRUCTURE_WARP) + 2;
  const xa = clip(Math.floor(s.cx - reach), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(s.cx + reach), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(s.cy - reach), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(s.cy + reach), L.y0, L.y0 + L.h);
  const scale = Math.min(s.rx, s.ry);
  if (s.kind === 'follicle') {
    paintFollicle(L, s);
    return;
  }
  const gland = s.kind === 'gland';
  const wallE = gland ? 0.48 : 0.85;
  const wallH = gland ? 0.16 : 0.08;
  const lumenE = gland ? s.content : 0.04;
  const lumenH = gland ? 0.02 : 0.01;
  const limit = 1 + 1.5 / scale;
  const speckle = ctx.speckle;
  const { E, H } = L;
  for (let y = ya; y < yb; y++) {
    const dy = y + 0.5 - s.cy;
    const speckleRow = ((y + 11) & TEXTURE_MASK) * TEXTURE_SIZE;
    let i = (y - L.y0) * L.w + (xa - L.x0);
    for (let x = xa; x < xb; x++, i++) {
      const dx = x + 0.5 - s.cx;
      const u = (dx * s.ux + dy * s.uy) / s.rx;
      const v = (dy * s.ux - dx * s.uy) / s.ry;
      const r0 = Math.sqrt(u * u + v * v);
      if (r0 * (1 - STRUCTURE_WARP) > limit) continue;
      const rho = r0 * (1 + STRUCTURE_WARP * grid.at(grid.warp, x, y));
      if (rho > limit) continue;
      const outer = clip((1 - rho) * scale + 0.5, 0, 1);
      const inner = clip((s.lumen - rho) * scale + 0.5, 0, 1);
      const sp = speckle[speckleRow + ((x + 5) & TEXTURE_MASK)] ?? 0;
      let e = E[i] ?? 0;
      let hh = H[i] ?? 0;
      e += (wallE * (1 + 0.25 * sp) - e) * outer;
      hh += (wallH * (1 + 0.3 * sp) - hh) * outer;
      e += (lumenE - e) * inner;
      hh += (lumenH - hh) * inner;
      E[i] = e;
      H[i] = hh;
    }
  }
}

/** Lymphoid follicle: the lymphocytes come with the nuclei; here the collagen between them thins out. */
function paintFollicle(L: Layers, s: Structure): void {
  const xa = clip(Math.floor(s.cx - s.rx), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(s.cx + s.rx), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(s.cy - s.rx), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(s.cy + s.rx), L.y0, L.y0 + L.h);
  const { E, H } = L;
  for (let y = ya; y < yb; y++) {
    const dy = (y + 0.5 - s.cy) / s.rx;
    let i = (y - L.y0) * L.w + (xa - L.x0);
    for (let x = xa; x < xb; x++, i++) {
      const dx = (x + 0.5 - s.cx) / s.rx;
      const q = dx * dx + dy * dy;
      if (q >= 1) continue;
      const k = 1 - q;
      E[i] = (E[i] ?? 0) * (1 - 0.5 * k);
      H[i] = (H[i] ?? 0) + 0.06 * k;
    }
  }
}

function paintRedCell(L: Layers, c: RedCell): void {
  const reach = c.r + 1.5;
  const xa = clip(Math.floor(c.x - reach), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(c.x + reach), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(c.y - reach), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(c.y + reach), L.y0, L.y0 + L.h);
  const { E, H } = L;
  for (let y = ya; y < yb; y++) {
    const dy = y + 0.5 - c.y;
    let i = (y - L.y0) * L.w + (xa - L.x0);
    for (let x = xa; x < xb; x++, i++) {
      const dx = x + 0.5 - c.x;
      const d = Math.sqrt(dx * dx + dy * dy);
      const alpha = clip(c.r - d + 0.5, 0, 1);
      if (alpha === 0) continue;
      // Biconcave disc: paler in the middle.
      const s = d / c.r;
      const e = c.e * (0.62 + 0.38 * s * s);
      E[i] = (E[i] ?? 0) + (e - (E[i] ?? 0)) * alpha;
      H[i] = (H[i] ?? 0) * (1 - alpha);
    }
  }
}

/** A soft pink-violet cell body round a nucleus, `cytoplasm` times its size. */
function paintCytoplasm(ctx: PaintContext, L: Layers, nu: Nucleus): void {
  const a = nu.a * nu.cytoplasm;
  const b = nu.b * nu.cytoplasm;
  const reach = a + 1;
  const xa = clip(Math.floor(nu.x - reach), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(nu.x + reach), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(nu.y - reach), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(nu.y + reach), L.y0, L.y0 + L.h);
  const { E, H } = L;
  const speckle = ctx.speckle;
  // Offset along the major axis: plasma cells keep their nucleus to one side.
  const cx = nu.x + nu.ux * nu.a * 0.5;
  const cy = nu.y + nu.uy * nu.a * 0.5;
  for (let y = ya; y < yb; y++) {
    const dy = y + 0.5 - cy;
    const texRow = ((y + nu.oy + 17) & TEXTURE_MASK) * TEXTURE_SIZE;
    let i = (y - L.y0) * L.w + (xa - L.x0);
    for (let x = xa; x < xb; x++, i++) {
      const dx = x + 0.5 - cx;
      const u = (dx * nu.ux + dy * nu.uy) / a;
      const v = (dy * nu.ux - dx * nu.uy) / b;
      const q = u * u + v * v;
      if (q >= 1) continue;
      const alpha = clip((1 - q) * 4, 0, 1) * 0.85;
      const sp = speckle[texRow + ((x + nu.ox) & TEXTURE_MASK)] ?? 0;
      E[i] = (E[i] ?? 0) + (0.5 * (1 + 0.3 * sp) - (E[i] ?? 0)) * alpha;
      H[i] = (H[i] ?? 0) + (0.16 - (H[i] ?? 0)) * alpha;
    }
  }
}

function paintNucleus(ctx: PaintContext, L: Layers, nu: Nucleus): void {
  const reach = nu.a + 1.5;
  const xa = clip(Math.floor(nu.x - reach), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(nu.x + reach), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(nu.y - reach), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(nu.y + reach), L.y0, L.y0 + L.h);
  if (xa >= xb || ya >= yb) return;
  const { E, H } = L;
  const invA = 1 / nu.a;
  const invB = 1 / nu.b;
  const invA2 = invA * invA;
  const invB2 = invB * invB;
  const limit = (1 + 1.2 * invB) * (1 + 1.2 * invB);
  const chromatin = ctx.chromatin;
  const hasNucleolus = nu.nx === nu.nx;
  const nlx = nu.x + nu.nx;
  const nly = nu.y + nu.ny;
  for (let y = ya; y < yb; y++) {
    const dy = y + 0.5 - nu.y;
    const texRow = ((y + nu.oy) & TEXTURE_MASK) * TEXTURE_SIZE;
    let i = (y - L.y0) * L.w + (xa - L.x0);
    for (let x = xa; x < xb; x++, i++) {
      const dx = x + 0.5 - nu.x;
      const u = (dx * nu.ux + dy * nu.uy) * invA;
      const v = (dy * nu.ux - dx * nu.uy) * invB;
      const q = u * u + v * v;
      if (q >= limit) continue;
      const s = Math.sqrt(q);
      // Distance to the outline in px ≈ (s - 1) / |∇s|: about one pixel of anti-aliasing all round.
      let edge = -10;
      if (s > 0.3) edge = ((s - 1) * s) / Math.sqrt(u * u * invA2 + v * v * invB2);
      const alpha = clip(0.5 - edge, 0, 1);
      if (alpha === 0) continue;
      const t = chromatin[texRow + ((x + nu.ox) & TEXTURE_MASK)] ?? 0;
      let hn = nu.h * (1 + nu.texture * t);
      // Chromatin gathers under the nuclear membrane.
      if (edge > -1.5) hn *= 1.18;
      if (hasNucleolus) {
        const ex = x + 0.5 - nlx;
        const ey = y + 0.5 - nly;
        const nd = ex * ex + ey * ey;
        if (nd < 1.6) hn += 0.7 * (1 - nd / 1.6);
      }
      H[i] = (H[i] ?? 0) + (hn - (H[i] ?? 0)) * alpha;
      E[i] = (E[i] ?? 0) + (nu.e - (E[i] ?? 0)) * alpha;
    }
  }
}

function paintPen(ctx: PaintContext, L: Layers): void {
  const pen = ctx.layout.pen;
  if (!pen) return;
  const reach = Math.max(pen.rx, pen.ry) + pen.halfWidth + 2;
  const xa = clip(Math.floor(pen.cx - reach), L.x0, L.x0 + L.w);
  const xb = clip(Math.ceil(pen.cx + reach), L.x0, L.x0 + L.w);
  const ya = clip(Math.floor(pen.cy - reach), L.y0, L.y0 + L.h);
  const yb = clip(Math.ceil(pen.cy + reach), L.y0, L.y0 + L.h);
  if (xa >= xb || ya >= yb) return;
  const scale = Math.sqrt(pen.rx * pen.ry);
  const inner = 1 - (pen.halfWidth + 2) / Math.min(pen.rx, pen.ry);
  const outer = 1 + (pen.halfWidth + 2) / Math.min(pen.rx, pen.ry);
  const speckle = ctx.speckle;
  let P = L.P;
  for (let y = ya; y < yb; y++) {
    const dy = y + 0.5 - pen.cy;
    const v = dy / pen.ry;
    const texRow = ((y * 3) & TEXTURE_MASK) * TEXTURE_SIZE;
    for (let x = xa; x < xb; x++) {
      const dx = x + 0.5 - pen.cx;
      const u = dx / pen.rx;
      const s2 = u * u + v * v;
      if (s2 < inner * inner || s2 > outer * outer) continue;
      const s = Math.sqrt(s2);
      const dist = Math.abs(s - 1) * scale;
      let alpha = clip((pen.halfWidth - dist) / 3 + 0.5, 0, 1);
      if (alpha === 0) continue;
      // Open arc: fade out where the point lies towards the gap direction.
      const cosGap = (dx * pen.gapX + dy * pen.gapY) / (s * scale);
      alpha *= clip((0.55 - cosGap) * 6, 0, 1);
      if (alpha === 0) continue;
      P ??= L.P = L.newPen();
      const streak = speckle[texRow + ((x >> 2) & TEXTURE_MASK)] ?? 0;
      P[(y - L.y0) * L.w + (x - L.x0)] = alpha * (0.6 + 0.25 * streak);
    }
  }
}

function toRgba(ctx: PaintContext, L: Layers, data: Uint8ClampedArray): Uint8ClampedArray {
  const n = L.w * L.h;
  const { H, E, mask, glass, P } = L;
  const lut = ctx.lut;
  const [hr, hg, hb] = HAEMATOXYLIN;
  const [er, eg, eb] = EOSIN;
  const [pr, pg, pb] = PEN_INK;
  const top = LUT_SIZE - 1;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const m = mask[i] ?? 0;
    const g = glass[i] ?? 0;
    const p = P ? (P[i] ?? 0) : 0;
    if (m === 0 && p === 0) {
      data[o] = g;
      data[o + 1] = g;
      data[o + 2] = g + 1.5;
      data[o + 3] = 255;
      continue;
    }
    const hh = (H[i] ?? 0) * m;
    const e = (E[i] ?? 0) * m;
    const r = ((hh * hr + e * er + p * pr) * LUT_SCALE) | 0;
    const gg = ((hh * hg + e * eg + p * pg) * LUT_SCALE) | 0;
    const b = ((hh * hb + e * eb + p * pb) * LUT_SCALE) | 0;
    data[o] = g * (lut[r < top ? r : top] ?? 0);
    data[o + 1] = g * (lut[gg < top ? gg : top] ?? 0);
    data[o + 2] = (g + 1.5) * (lut[b < top ? b : top] ?? 0);
    data[o + 3] = 255;
  }
  return data;
}
