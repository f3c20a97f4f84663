// The one heatmap rasteriser: cells of a patch grid → RGBA pixels over a base image, at any scale. The quick check's
// per-image maps, the whole-slide report PNG (app and CLI alike) and, through cellColours, the viewer overlay all
// follow its rule:
//   - a cell's colour sits at its patch centre (stride·k + patch/2); smoothing interpolates the scores (before
//     colouring) bilinearly between centres, crisp takes the nearest centre;
//   - edges: beyond the outermost centres the edge cells are held flat out to the patches' far edges; the margin no
//     patch reaches shows the base alone;
//   - glass, unscored and non-finite cells show nothing: smoothing renormalises the score over the neighbours that
//     have one and fades the colour by the share of weight they carry (as the overlay's canvas does with transparent
//     cells), crisp leaves their squares bare.
import { colormapLut, type ColormapName } from './colormaps.ts';
import { normalise } from './normalise.ts';
import type { Normaliser } from '../focus/score-range.ts';
import type { ScoreMap } from '../focus/score-map.ts';
import type { RGBAImage } from '../slide/types.ts';

/** Where a grid's patches lie: corners at stride·k (k < cols or rows), each `patch` pixels square; a slide grid's
 * last column (row) may instead sit against the edge at edgeX (edgeY) (focus/slide-grid.ts). */
export interface GridShape {
  cols: number;
  rows: number;
  patch: number;
  stride: number;
  edgeX?: number;
  edgeY?: number;
}

/** A grid's cells ready to draw. */
export interface CellField extends GridShape {
  /** Row-major colour positions 0…1 (normalised scores); NaN where a cell has nothing to show. */
  values: Float64Array;
}

/** Normalises each cell's score; `score` gives NaN (or any non-finite value) for cells with nothing to show. */
export function cellField(shape: GridShape, normaliser: Normaliser, score: (cell: number) => number): CellField {
  const values = new Float64Array(shape.cols * shape.rows);
  for (let cell = 0; cell < values.length; cell++) {
    const s = score(cell);
    values[cell] = Number.isFinite(s) ? normalise(s, normaliser) : Number.NaN;
  }
  return {
    cols: shape.cols,
    rows: shape.rows,
    patch: shape.patch,
    stride: shape.stride,
    ...(shape.edgeX !== undefined ? { edgeX: shape.edgeX } : {}),
    ...(shape.edgeY !== undefined ? { edgeY: shape.edgeY } : {}),
    values,
  };
}

/** A slide's cells: scored tissue cells show; glass, little-tissue, unscored and failed ones do not. */
export function scoreMapField(map: ScoreMap, normaliser: Normaliser): CellField {
  return cellField(map.grid, normaliser, (cell) => (map.isTissue(cell) ? map.scores[cell]! : Number.NaN));
}

export interface RasterOptions {
  colormap: ColormapName;
  /** 0…1 */
  opacity: number;
  /** Bilinear between cell centres (else each pixel takes its nearest cell). */
  smooth: boolean;
  /** Keep the base's colours under the heatmap instead of grayscale. */
  keepColour?: boolean;
}

/** Grid (image) pixels per output pixel along each axis. */
export interface RasterScale {
  x: number;
  y: number;
}

/** One axis of the lookup: for each output pixel, its first cell (-1 outside every patch) and the weight of the next. */
interface AxisSamples {
  first: Int32Array;
  frac: Float64Array;
}

function axisSamples(pixels: number, scale: number, cells: number, patch: number, stride: number, smooth: boolean, edge?: number): AxisSamples {
  const first = new Int32Array(pixels).fill(-1);
  const frac = new Float64Array(pixels);
  // Centres at stride·k + patch/2, the edge cell's (if any) at edge + patch/2, between the last regular one and the side.
  const regular = edge === undefined ? cells : cells - 1;
  const lastRegular = (regular - 1) * stride + patch / 2;
  const edgeCentre = edge === undefined ? Number.NaN : edge + patch / 2;
  const covered = cells === 0 ? 0 : edge !== undefined ? edge + patch : (cells - 1) * stride + patch;
  for (let p = 0; p < pixels; p++) {
    const at = (p + 0.5) * scale;
    if (at >= covered) continue;
    let c: number;
    let f: number;
    if (edge !== undefined && at > lastRegular) {
      // Between the last regular centre and the edge cell's.
      const t = clamp((at - lastRegular) / (edgeCentre - lastRegular), 0, 1);
      c = regular > 0 ? regular - 1 : cells - 1;
      f = regular > 0 ? t : 0;
      if (!smooth || regular === 0 || t === 1) {
        c = !smooth && t < 0.5 && regular > 0 ? regular - 1 : cells - 1;
        f = 0;
      }
    } else {
      const g = clamp((at - patch / 2) / stride, 0, regular - 1);
      c = smooth ? Math.floor(g) : Math.round(g);
      f = smooth ? g - c : 0;
    }
    first[p] = c;
    frac[p] = f;
  }
  return { first, frac };
}

/**
 * `base` (the image, already resized to the output size) in grayscale, or in colour with keepColour, with the cells
 * blended on top by the rule above. Writes into `out` when given (at least base's size, e.g. with room for a legend
 * below; its other rows are left alone), else into a new image of base's size.
 */
export function rasterise(base: RGBAImage, field: CellField, scale: RasterScale, options: RasterOptions, out?: RGBAImage): RGBAImage {
  const { width, height } = base;
  const target = out ?? { width, height, data: new Uint8ClampedArray(width * height * 4) };
  const lut = colormapLut(options.colormap);
  const { cols, values } = field;
  const opacity = clamp(options.opacity, 0, 1);
  const xs = axisSamples(width, scale.x, cols, field.patch, field.stride, options.smooth, field.edgeX);
  const ys = axisSamples(height, scale.y, field.rows, field.patch, field.stride, options.smooth, field.edgeY);
  const weights = new Float64Array(4); // of the neighbours (c0, r0), (c0 + 1, r0), (c0, r0 + 1), (c0 + 1, r0 + 1)
  for (let y = 0; y < height; y++) {
    const r0 = ys.first[y]!;
    const fy = ys.frac[y]!;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let r = base.data[i]!;
      let g = base.data[i + 1]!;
      let b = base.data[i + 2]!;
      if (!options.keepColour) r = g = b = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      const c0 = xs.first[x]!;
      if (r0 >= 0 && c0 >= 0) {
        const fx = xs.frac[x]!;
        // Bilinear over the neighbours that have a score, renormalised; crisp and edge pixels have one neighbour.
        weights[0] = (1 - fx) * (1 - fy);
        weights[1] = fx * (1 - fy);
        weights[2] = (1 - fx) * fy;
        weights[3] = fx * fy;
        let sum = 0;
        let weight = 0;
        let missing = 0;
        for (let n = 0; n < 4; n++) {
          const w = weights[n]!;
          if (w === 0) continue;
          const v = values[(r0 + (n >> 1)) * cols + c0 + (n & 1)]!;
          if (Number.isNaN(v)) {
            missing += w;
            continue;
          }
          sum += v * w;
          weight += w;
        }
        if (weight > 0) {
          const k = Math.round((sum / weight) * 255) * 3;
          const a = missing === 0 ? opacity : opacity * weight;
          r = Math.round(r * (1 - a) + lut[k]! * a);
          g = Math.round(g * (1 - a) + lut[k + 1]! * a);
          b = Math.round(b * (1 - a) + lut[k + 2]! * a);
        }
      }
      target.data[i] = r;
      target.data[i + 1] = g;
      target.data[i + 2] = b;
      target.data[i + 3] = 255;
    }
  }
  return target;
}

/**
 * Whole cells of padding each side that reach from the cells' stride squares (centred on the patch centres) to the
 * patches' outer edges: the overlay draws one pixel per cell over the stride squares and needs this many copies of
 * the edge cells to hold them flat out to the patch edges.
 */
export function edgePad(shape: GridShape): number {
  return Math.max(0, Math.ceil((shape.patch - shape.stride) / 2 / shape.stride));
}

/**
 * One pixel per cell, coloured, and transparent where a cell has nothing to show, with `edgePad` copies of the edge
 * cells around: the overlay's form of the rule, for a canvas to scale (bilinear over premultiplied colours when
 * smooth, nearest when crisp) and clip to the patches' extent.
 */
export function cellColours(field: CellField, colormap: ColormapName): RGBAImage {
  if (field.cols === 0 || field.rows === 0) return { width: 0, height: 0, data: new Uint8ClampedArray(0) };
  const pad = edgePad(field);
  const width = field.cols + 2 * pad;
  const height = field.rows + 2 * pad;
  const data = new Uint8ClampedArray(width * height * 4);
  const lut = colormapLut(colormap);
  for (let y = 0; y < height; y++) {
    const row = clamp(y - pad, 0, field.rows - 1);
    for (let x = 0; x < width; x++) {
      const v = field.values[row * field.cols + clamp(x - pad, 0, field.cols - 1)]!;
      if (Number.isNaN(v)) continue;
      const k = Math.round(v * 255) * 3;
      const i = (y * width + x) * 4;
      data[i] = lut[k]!;
      data[i + 1] = lut[k + 1]!;
      data[i + 2] = lut[k + 2]!;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * A part of cellColours' image (cells [x0, x0 + w) × [y0, y0 + h) of it) at `k` pixels per cell, interpolated bilinearly
 * between cell centres over premultiplied colours — what a canvas does when it scales the image up, but computed in
 * floating point: at deep zoom a canvas's own low-precision bilinear shows steps (banding) across a cell hundreds of
 * pixels wide; drawing this instead leaves it only a k-times smaller step to interpolate.
 */
export function upsampleColours(colours: RGBAImage, x0: number, y0: number, w: number, h: number, k: number): RGBAImage {
  const width = w * k;
  const height = h * k;
  const out = new Uint8ClampedArray(width * height * 4);
  const src = colours.data;
  const sw = colours.width;
  const at = (x: number, y: number, c: number) => src[(y * sw + x) * 4 + c]!;
  for (let j = 0; j < height; j++) {
    const v = clamp(y0 + (j + 0.5) / k - 0.5, 0, colours.height - 1);
    const ya = Math.floor(v);
    const yb = Math.min(ya + 1, colours.height - 1);
    const fy = v - ya;
    for (let i = 0; i < width; i++) {
      const u = clamp(x0 + (i + 0.5) / k - 0.5, 0, sw - 1);
      const xa = Math.floor(u);
      const xb = Math.min(xa + 1, sw - 1);
      const fx = u - xa;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a00 = at(xa, ya, 3);
      const a10 = at(xb, ya, 3);
      const a01 = at(xa, yb, 3);
      const a11 = at(xb, yb, 3);
      const alpha = w00 * a00 + w10 * a10 + w01 * a01 + w11 * a11;
      const o = (j * width + i) * 4;
      if (alpha <= 0) continue;
      for (let c = 0; c < 3; c++) {
        // Premultiplied: a transparent (glass) neighbour pulls the alpha down, not the colour towards black.
        const premul = w00 * at(xa, ya, c) * a00 + w10 * at(xb, ya, c) * a10 + w01 * at(xa, yb, c) * a01 + w11 * at(xb, yb, c) * a11;
        out[o + c] = Math.round(premul / alpha);
      }
      out[o + 3] = Math.round(alpha);
    }
  }
  return { width, height, data: out };
}
