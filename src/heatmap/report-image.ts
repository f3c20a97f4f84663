import type { ScoreMap } from '../focus/score-map.ts';
import { colormapLut, type ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { normalise } from './normalise.ts';
import type { RGBAImage } from '../slide/types.ts';
import { drawText, textWidth } from './bitmap-font.ts';

export interface HeatmapImageOptions {
  colormap: ColormapName;
  normaliser: Normaliser;
  opacity: number;
  threshold?: number;
}

const LEGEND_HEIGHT = 52;

/**
 * The exported heatmap: the slide in grayscale at the chosen size, the cell scores blended on top with bilinear
 * interpolation between cell centres, and a legend strip (colour bar, range with the minimum on the left, threshold).
 * Pure pixels: the app and the CLI produce the same image for the same scores.
 */
export function renderHeatmapImage(map: ScoreMap, base: RGBAImage, levelWidth: number, options: HeatmapImageOptions): RGBAImage {
  const { width, height } = base;
  const out: RGBAImage = { width, height: height + LEGEND_HEIGHT, data: new Uint8ClampedArray(width * (height + LEGEND_HEIGHT) * 4) };
  const lut = colormapLut(options.colormap);
  const { grid } = map;
  const scale = levelWidth / width; // level-0 pixels per output pixel
  const offset = grid.patch / 2; // cell centres at stride·k + patch/2
  const value = (col: number, row: number): number => {
    const cell = row * grid.cols + col;
    const score = map.scores[cell]!;
    return Number.isFinite(score) && map.isTissue(cell) ? normalise(score, options.normaliser) : Number.NaN;
  };
  for (let y = 0; y < height; y++) {
    const gy = ((y + 0.5) * scale - offset) / grid.stride;
    const r0 = Math.floor(gy);
    const fy = gy - r0;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const g = Math.round(0.299 * base.data[i]! + 0.587 * base.data[i + 1]! + 0.114 * base.data[i + 2]!);
      out.data[i] = g;
      out.data[i + 1] = g;
      out.data[i + 2] = g;
      out.data[i + 3] = 255;
      const gx = ((x + 0.5) * scale - offset) / grid.stride;
      const c0 = Math.floor(gx);
      const fx = gx - c0;
      // Bilinear over the available neighbours (weights renormalised where cells are glass or off the grid).
      let sum = 0;
      let weight = 0;
      for (const [dc, dr, w] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
        const c = c0 + dc;
        const r = r0 + dr;
        if (c < 0 || r < 0 || c >= grid.cols || r >= grid.rows || w === 0) continue;
        const v = value(c, r);
        if (Number.isNaN(v)) continue;
        sum += v * w;
        weight += w;
      }
      if (weight < 0.25) continue;
      const k = Math.round((sum / weight) * 255) * 3;
      const a = options.opacity * Math.min(1, weight * 2);
      out.data[i] = Math.round(g * (1 - a) + lut[k]! * a);
      out.data[i + 1] = Math.round(g * (1 - a) + lut[k + 1]! * a);
      out.data[i + 2] = Math.round(g * (1 - a) + lut[k + 2]! * a);
    }
  }
  drawLegend(out, height, lut, options);
  return out;
}

function drawLegend(out: RGBAImage, top: number, lut: Uint8Array, options: HeatmapImageOptions): void {
  const { width } = out;
  for (let i = top * width * 4; i < out.data.length; i += 4) {
    out.data[i] = 255;
    out.data[i + 1] = 255;
    out.data[i + 2] = 255;
    out.data[i + 3] = 255;
  }
  const margin = 8;
  const barX = margin;
  const barW = Math.max(16, width - 2 * margin);
  const barY = top + 6;
  const barH = 12;
  for (let x = 0; x < barW; x++) {
    const k = Math.round((x / Math.max(1, barW - 1)) * 255) * 3;
    for (let y = barY; y < barY + barH; y++) {
      const i = (y * width + barX + x) * 4;
      out.data[i] = lut[k]!;
      out.data[i + 1] = lut[k + 1]!;
      out.data[i + 2] = lut[k + 2]!;
    }
  }
  const { lo, hi } = options.normaliser;
  const textY = barY + barH + 5;
  const black: [number, number, number] = [0, 0, 0];
  const size = width >= 800 ? 2 : 1;
  drawText(out, lo.toFixed(2), barX, textY, black, size);
  const hiText = hi.toFixed(2);
  drawText(out, hiText, barX + barW - textWidth(hiText, size), textY, black, size);
  const title = options.threshold !== undefined ? `BLUR SCORE (THRESHOLD ${options.threshold.toFixed(2)})` : 'BLUR SCORE';
  if (width > textWidth(title, size) + textWidth(hiText, size) * 2 + 40) drawText(out, title, Math.round(width / 2 - textWidth(title, size) / 2), textY, black, size);
  if (options.threshold !== undefined && hi > lo) {
    const t = (options.threshold - lo) / (hi - lo);
    if (t >= 0 && t <= 1) {
      const x = barX + Math.round(t * (barW - 1));
      for (let y = barY - 3; y < barY + barH + 3; y++) {
        for (const dx of [-1, 0, 1]) {
          const i = (y * width + x + dx) * 4;
          out.data[i] = dx === 0 ? 255 : 0;
          out.data[i + 1] = dx === 0 ? 255 : 0;
          out.data[i + 2] = dx === 0 ? 255 : 0;
        }
      }
    }
  }
}
