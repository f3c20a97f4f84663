import type { ScoreMap } from '../focus/score-map.ts';
import { colormapLut, type ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { readScaledRegion } from '../slide/region.ts';
import type { RGBAImage, SlideSource } from '../slide/types.ts';
import { drawText, textWidth } from './bitmap-font.ts';
import { rasterise, scoreMapField } from './raster.ts';
import { scalePosition } from './normalise.ts';
import { formatGrade, gradeOf } from '../focus/grade.ts';

export interface HeatmapImageOptions {
  colormap: ColormapName;
  /** With a grade scale, the legend reads in defocus grades. */
  normaliser: Normaliser;
  opacity: number;
  /** Raw score from which a cell is out of focus (marked on the legend). */
  threshold?: number;
}

const LEGEND_HEIGHT = 52;

/**
 * The exported heatmap: the slide in grayscale at the chosen size, the cell scores blended on top, smoothed between
 * cell centres by the one heatmap rule (raster.ts), and a legend strip (colour bar, range with the minimum on the
 * left, threshold). Pure pixels.
 */
export function renderHeatmapImage(map: ScoreMap, base: RGBAImage, levelWidth: number, options: HeatmapImageOptions): RGBAImage {
  const { width, height } = base;
  const out: RGBAImage = { width, height: height + LEGEND_HEIGHT, data: new Uint8ClampedArray(width * (height + LEGEND_HEIGHT) * 4) };
  const scale = levelWidth / width; // level-0 pixels per output pixel, both axes (the height is rounded from it)
  rasterise(base, scoreMapField(map, options.normaliser), { x: scale, y: scale }, { colormap: options.colormap, opacity: options.opacity, smooth: true }, out);
  drawLegend(out, height, colormapLut(options.colormap), options);
  return out;
}

/** The slide in colour at the report's size, `width` pixels wide (64 to the slide's width): the base of buildReportImage. */
export async function reportBase(slide: SlideSource, width: number): Promise<RGBAImage> {
  const { width: w0, height: h0 } = slide.info.levels[0]!;
  const outWidth = Math.max(64, Math.min(width, w0));
  const outHeight = Math.max(1, Math.round((outWidth * h0) / w0));
  return readScaledRegion(slide, 0, 0, w0, h0, outWidth, outHeight);
}

/**
 * The report PNG's pixels for a slide and its score map, `width` pixels wide (64 to the slide's width): the one
 * image-building path of the app's export (encoded in its slide worker) and `focuslite scan` (encoded with sharp),
 * so both write the same pixels for the same map. `base` is reportBase's image when the caller read it earlier.
 */
export async function buildReportImage(slide: SlideSource, map: ScoreMap, width: number, options: HeatmapImageOptions, base?: RGBAImage): Promise<RGBAImage> {
  return renderHeatmapImage(map, base ?? (await reportBase(slide, width)), slide.info.levels[0]!.width, options);
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
  const n = options.normaliser;
  const { lo, hi } = n;
  const textY = barY + barH + 5;
  const black: [number, number, number] = [0, 0, 0];
  const size = width >= 800 ? 2 : 1;
  const label = (v: number) => (n.grade ? formatGrade(v) : v.toFixed(2));
  drawText(out, label(lo), barX, textY, black, size);
  const hiText = label(hi);
  drawText(out, hiText, barX + barW - textWidth(hiText, size), textY, black, size);
  const { threshold } = options;
  const title = n.grade
    ? `DEFOCUS GRADE${threshold !== undefined ? ` (OUT OF FOCUS FROM ${formatGrade(gradeOf(n.grade, threshold))})` : ''}`
    : `BLUR SCORE${threshold !== undefined ? ` (THRESHOLD ${threshold.toFixed(2)})` : ''}`;
  if (width > textWidth(title, size) + textWidth(hiText, size) * 2 + 40) drawText(out, title, Math.round(width / 2 - textWidth(title, size) / 2), textY, black, size);
  if (threshold !== undefined && hi > lo) {
    const t = scalePosition(threshold, n);
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
