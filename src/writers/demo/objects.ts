// Discrete tissue structures — glands, small vessels, red cells, nuclei — placed on global jittered grids. Each
// grid cell draws its contents from its own hash, so listing the objects near any rectangle gives the same objects
// with the same parameters whichever rectangle is asked for.
import { directionTable } from './det-math.ts';
import { Rng, hash2 } from './hash.ts';
import type { Ellipse, SlideLayout } from './layout.ts';
import { perlin } from './noise.ts';
import type { FatLattice } from './adipose.ts';
import { cellularity, fibrePhase, fieldSeed, glandularity, tissueDistance, type FieldGrid } from './tissue-field.ts';

/** A gland (epithelial ring round a lumen), a small vessel (thin wall round red cells) or a lymphoid follicle. */
export interface Structure extends Ellipse {
  kind: 'gland' | 'vessel' | 'follicle';
  /** Normalised radius of the lumen edge (the outer edge is 1). */
  lumen: number;
  /** Eosin of the lumen content (secretion). */
  content: number;
}

export interface Nucleus {
  x: number;
  y: number;
  /** Semi-axes (px) and the unit direction of `a`. */
  a: number;
  b: number;
  ux: number;
  uy: number;
  /** Haematoxylin and eosin inside. */
  h: number;
  e: number;
  /** Chromatin texture amplitude, and where in the texture this nucleus samples. */
  texture: number;
  ox: number;
  oy: number;
  /** Cell body size relative to the nucleus; 0 for none (painted separately). */
  cytoplasm: number;
  /** Optional nucleolus offset (px from the centre) — NaN when none. */
  nx: number;
  ny: number;
}

export interface RedCell {
  x: number;
  y: number;
  r: number;
  e: number;
}

/** Grid cell of the structure lattice, its maximum radius and centre jitter (so neighbours never overlap). */
export const STRUCTURE_CELL = 600;
const STRUCTURE_MAX_R = 180;
const STRUCTURE_JITTER = 110;
/** Stroma nucleus lattice. */
const NUCLEUS_CELL = 18;
/** Furthest a nucleus reaches from its centre, px. */
export const NUCLEUS_REACH = 13;
/** Strength of the outline roughening of structures (matches the warp field of the grid). */
export const STRUCTURE_WARP = 0.1;

const DIRS = directionTable(1024);

function randomDirection(rng: Rng): { ux: number; uy: number } {
  const k = rng.int(1024);
  return { ux: DIRS.cos[k] ?? 1, uy: DIRS.sin[k] ?? 0 };
}

function warpAt(layout: SlideLayout, x: number, y: number): number {
  return perlin(x / 70, y / 70, fieldSeed(layout, 6));
}

function structureInCell(layout: SlideLayout, i: number, j: number): Structure | undefined {
  const rng = new Rng(hash2(i, j, fieldSeed(layout, 20)));
  const cx = (i + 0.5) * STRUCTURE_CELL + rng.uniform(-STRUCTURE_JITTER, STRUCTURE_JITTER);
  const cy = (j + 0.5) * STRUCTURE_CELL + rng.uniform(-STRUCTURE_JITTER, STRUCTURE_JITTER);
  const pick = rng.float();
  const g = glandularity(layout, cx, cy);
  const pGland = Math.min(0.85, Math.max(0.04, 0.2 + 1.1 * g));
  const pVessel = 0.3;
  const dir = randomDirection(rng);
  if (pick < pGland) {
    const rx = rng.uniform(70, STRUCTURE_MAX_R);
    const ry = rx * rng.uniform(0.5, 1);
    if (tissueDistance(layout, cx, cy) < ry * 0.5) return undefined;
    const wall = rng.uniform(24, 36);
    return {
      kind: 'gland',
      cx,
      cy,
      rx,
      ry,
      ...dir,
      lumen: Math.max(0.12, 1 - wall / ry),
      content: rng.float() < 0.25 ? rng.uniform(0.05, 0.18) : 0,
    };
  }
  if (pick < pGland + pVessel) {
    const rx = rng.uniform(16, 55);
    const ry = rx * rng.uniform(0.4, 1);
    if (tissueDistance(layout, cx, cy) < rx + 10) return undefined;
    return { kind: 'vessel', cx, cy, rx, ry, ...dir, lumen: Math.max(0.3, 1 - rng.uniform(3.5, 5.5) / ry), content: 0 };
  }
  if (pick < pGland + pVessel + 0.08) {
    const r = rng.uniform(90, STRUCTURE_MAX_R);
    if (tissueDistance(layout, cx, cy) < r * 0.5) return undefined;
    return { kind: 'follicle', cx, cy, rx: r, ry: r, ux: 1, uy: 0, lumen: 0, content: 0 };
  }
  return undefined;
}

/** Structures reaching into [x0, x1) × [y0, y1), plus `margin`. */
export function structuresNear(layout: SlideLayout, x0: number, y0: number, x1: number, y1: number, margin = 0): Structure[] {
  const reach = STRUCTURE_MAX_R * (1 + STRUCTURE_WARP) + STRUCTURE_JITTER + margin;
  const out: Structure[] = [];
  const i0 = Math.floor((x0 - reach) / STRUCTURE_CELL);
  const i1 = Math.floor((x1 + reach) / STRUCTURE_CELL);
  const j0 = Math.floor((y0 - reach) / STRUCTURE_CELL);
  const j1 = Math.floor((y1 + reach) / STRUCTURE_CELL);
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const s = structureInCell(layout, i, j);
      if (!s) continue;
      const r = s.rx * (1 + STRUCTURE_WARP) + margin + 2;
      if (s.cx + r < x0 || s.cx - r > x1 || s.cy + r < y0 || s.cy - r > y1) continue;
      out.push(s);
    }
  }
  return out;
}

/** Normalised radius of a point in a structure (1 at the outer edge, before roughening). */
function structureRadius(s: Structure, x: number, y: number): number {
  const dx = x - s.cx;
  const dy = y - s.cy;
  const u = (dx * s.ux + dy * s.uy) / s.rx;
  const v = (dy * s.ux - dx * s.uy) / s.ry;
  return Math.sqrt(u * u + v * v);
}

/** Nuclei and red cells of the structures: columnar epithelium, flat endothelium, red cells in vessel lumens. */
function structureCells(layout: SlideLayout, s: Structure, nuclei: Nucleus[], cells: RedCell[]): void {
  const rng = new Rng(hash2(Math.round(s.cx * 16), Math.round(s.cy * 16), fieldSeed(layout, 21)));
  if (s.kind === 'follicle') return;
  const meanR = Math.sqrt((s.rx * s.rx + s.ry * s.ry) / 2);
  const place = (phi: number, rho: number) => {
    const k = Math.round((phi / (2 * Math.PI)) * 1024) & 1023;
    const c = DIRS.cos[k] ?? 1;
    const sn = DIRS.sin[k] ?? 0;
    // Point on the ellipse (local frame), then the outward normal there.
    const lx = s.rx * c;
    const ly = s.ry * sn;
    let nx = c / s.rx;
    let ny = sn / s.ry;
    const nl = Math.sqrt(nx * nx + ny * ny);
    nx /= nl;
    ny /= nl;
    const x0 = s.cx + (lx * s.ux - ly * s.uy) * rho;
    const y0 = s.cy + (lx * s.uy + ly * s.ux) * rho;
    // Follow the roughened outline the painter draws.
    const r = rho / (1 + STRUCTURE_WARP * warpAt(layout, x0, y0));
    return {
      x: s.cx + (lx * s.ux - ly * s.uy) * r,
      y: s.cy + (lx * s.uy + ly * s.ux) * r,
      nx: nx * s.ux - ny * s.uy,
      ny: nx * s.uy + ny * s.ux,
    };
  };
  if (s.kind === 'gland') {
    const count = Math.max(6, Math.round((2 * Math.PI * meanR * (1 + s.lumen)) / 2 / rng.uniform(9, 11)));
    const goblets = rng.uniform(0, 0.6);
    // Goblet cells: pale mucin vacuoles on the lumen side, between the nuclei (painted first, under them).
    for (let k = 0; k < count; k++) {
      if (rng.float() >= goblets) continue;
      const p = place(((k + 0.5) / count) * 2 * Math.PI, s.lumen + (1 - s.lumen) * rng.uniform(0.22, 0.35));
      nuclei.push({
        x: p.x,
        y: p.y,
        a: rng.uniform(5, 7.5),
        b: rng.uniform(3.5, 4.8),
        ux: p.nx,
        uy: p.ny,
        h: 0.1,
        e: 0.04,
        texture: 0.5,
        ox: rng.int(256),
        oy: rng.int(256),
        nx: NaN,
        ny: NaN,
        cytoplasm: 0,
      });
    }
    for (let k = 0; k < count; k++) {
      const phi = ((k + rng.uniform(-0.25, 0.25)) / count) * 2 * Math.PI;
      const rho = s.lumen + (1 - s.lumen) * rng.uniform(0.45, 0.75);
      const p = place(phi, rho);
      const a = rng.uniform(5.5, 8);
      const nucleolus = rng.float() < 0.35 ? rng.uniform(-2, 2) : NaN;
      nuclei.push({
        x: p.x,
        y: p.y,
        a,
        b: rng.uniform(2.8, 3.6),
        ux: p.nx,
        uy: p.ny,
        h: rng.uniform(1.2, 1.5),
        e: 0.18,
        texture: 0.3,
        ox: rng.int(256),
        oy: rng.int(256),
        nx: p.nx * nucleolus,
        ny: p.ny * nucleolus,
        cytoplasm: 0,
      });
    }
    return;
  }
  const wallNuclei = Math.max(1, Math.round((2 * Math.PI * meanR) / rng.uniform(45, 70)));
  for (let k = 0; k < wallNuclei; k++) {
    const p = place(((k + rng.float()) / wallNuclei) * 2 * Math.PI, (1 + s.lumen) / 2);
    nuclei.push({
      x: p.x,
      y: p.y,
      a: rng.uniform(5.5, 7.5),
      b: rng.uniform(1.5, 2),
      ux: -p.ny,
      uy: p.nx,
      h: rng.uniform(1.35, 1.6),
      e: 0.2,
      texture: 0.1,
      ox: rng.int(256),
      oy: rng.int(256),
      nx: NaN,
      ny: NaN,
      cytoplasm: 0,
    });
  }
  // Red cells fill part of the lumen.
  const lumenArea = Math.PI * s.rx * s.ry * s.lumen * s.lumen;
  const fill = rng.uniform(0.2, 0.9);
  const count = Math.round((lumenArea * fill) / 110);
  for (let k = 0; k < count; k++) {
    const u = rng.uniform(-1, 1);
    const v = rng.uniform(-1, 1);
    if (u * u + v * v > 1) continue;
    const lx = u * s.rx * s.lumen * 0.85;
    const ly = v * s.ry * s.lumen * 0.85;
    cells.push({
      x: s.cx + lx * s.ux - ly * s.uy,
      y: s.cy + lx * s.uy + ly * s.ux,
      r: rng.uniform(5.5, 7),
      e: rng.uniform(1.1, 1.45),
    });
  }
}

/**
 * All nuclei and red cells that can touch [x0, x1) × [y0, y1). `grid` must cover that rectangle grown by
 * NUCLEUS_REACH; it supplies the tissue distance used to keep stroma nuclei on tissue.
 */
export function cellsNear(
  layout: SlideLayout,
  grid: FieldGrid,
  fat: FatLattice,
  structures: readonly Structure[],
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): { nuclei: Nucleus[]; redCells: RedCell[] } {
  const nuclei: Nucleus[] = [];
  const redCells: RedCell[] = [];
  for (const s of structures) structureCells(layout, s, nuclei, redCells);

  const seed = fieldSeed(layout, 22);
  const follicles = structures.filter((s) => s.kind === 'follicle');
  const solid = structures.filter((s) => s.kind !== 'follicle');
  const reach = NUCLEUS_REACH;
  const i0 = Math.floor((x0 - reach) / NUCLEUS_CELL);
  const i1 = Math.floor((x1 + reach) / NUCLEUS_CELL);
  const j0 = Math.floor((y0 - reach) / NUCLEUS_CELL);
  const j1 = Math.floor((y1 + reach) / NUCLEUS_CELL);
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const ccx = (i + 0.5) * NUCLEUS_CELL;
      const ccy = (j + 0.5) * NUCLEUS_CELL;
      const rng = new Rng(hash2(i, j, seed));
      const first = rng.float();
      if (first > 0.95) continue;
      let k = cellularity(layout, ccx, ccy);
      for (const f of follicles) {
        const r = structureRadius(f, ccx, ccy);
        if (r < 1.2) k = Math.max(k, Math.min(1, 1.35 - 0.6 * r * r));
      }
      let count = first < 0.1 + 0.85 * k ? 1 : 0;
      // Crowded areas (lymphoid) pack up to four small nuclei per cell.
      while (count > 0 && count < 4 && rng.float() < (k - 0.5 - 0.12 * count) * 2.5) count++;
      for (let n = 0; n < count; n++) {
        const x = ccx + rng.uniform(-0.5, 0.5) * NUCLEUS_CELL;
        const y = ccy + rng.uniform(-0.5, 0.5) * NUCLEUS_CELL;
        const extent = NUCLEUS_REACH + 1;
        if (x < x0 - extent || x > x1 + extent || y < y0 - extent || y > y1 + extent) continue;
        if (grid.at(grid.dist, Math.floor(x), Math.floor(y)) < 2) continue;
        if (solid.some((s) => structureRadius(s, x, y) < 1.12)) continue;
        if (grid.at(grid.fat, Math.floor(x), Math.floor(y)) > -0.12) {
          fat.sample(x, y);
          if (fat.interior > 0.3) continue;
        }
        nuclei.push(stromaNucleus(layout, rng, x, y, k));
      }
    }
  }
  return { nuclei, redCells };
}

function stromaNucleus(layout: SlideLayout, rng: Rng, x: number, y: number, k: number): Nucleus {
  const kind = rng.float();
  const ox = rng.int(256);
  const oy = rng.int(256);
  if (k > 0.5 && kind < (k - 0.4) * 1.6) {
    // Lymphocyte: small, round, dark.
    const r = rng.uniform(3.4, 4.6);
    const dir = randomDirection(rng);
    return { x, y, a: r * rng.uniform(1, 1.15), b: r, ...dir, h: rng.uniform(1.6, 2), e: 0.12, texture: 0.12, ox, oy, nx: NaN, ny: NaN, cytoplasm: 0 };
  }
  if (kind < 0.65) {
    // Fibroblast: thin spindle along the collagen fibres (perpendicular to the phase gradient).
    const gx = fibrePhase(layout, x + 2, y) - fibrePhase(layout, x - 2, y);
    const gy = fibrePhase(layout, x, y + 2) - fibrePhase(layout, x, y - 2);
    const gl = Math.sqrt(gx * gx + gy * gy) || 1;
    return {
      x,
      y,
      a: rng.uniform(6, 10.5),
      b: rng.uniform(1.7, 2.8),
      ux: -gy / gl,
      uy: gx / gl,
      h: rng.uniform(1.3, 1.6),
      e: 0.2,
      texture: 0.15,
      ox,
      oy,
      nx: NaN,
      ny: NaN,
      cytoplasm: 0,
    };
  }
  // Larger vesicular nucleus (histiocyte / plasma cell / reactive), sometimes with a nucleolus.
  const a = rng.uniform(4.8, 7);
  const dir = randomDirection(rng);
  const nucleolus = rng.float() < 0.45;
  return {
    x,
    y,
    a,
    b: a * rng.uniform(0.65, 0.95),
    ...dir,
    h: rng.uniform(0.95, 1.2),
    e: 0.2,
    texture: 0.4,
    ox,
    oy,
    nx: nucleolus ? rng.uniform(-1.5, 1.5) : NaN,
    ny: nucleolus ? rng.uniform(-1.5, 1.5) : NaN,
    cytoplasm: rng.float() < 0.6 ? rng.uniform(1.7, 2.4) : 0,
  };
}
