import type { ScoreMap } from '../focus/score-map.ts';
import { colormapLut, type ColormapName } from './colormaps.ts';
import type { Normaliser } from '../focus/score-range.ts';
import { readScaledRegion } from '../slide/region.ts';
import type { RGBAImage, SlideSource } from '../slide/types.ts';
import { drawText, GLYPH_HEIGHT, GLYPH_WIDTH, textWidth } from './bitmap-font.ts';
import { rasterise, scoreMapField } from './raster.ts';
import { scalePosition } from './normalise.ts';
import { formatGrade, gradeOf } from '../focus/grade.ts';
import type { ScanReport } from '../focus/qc/report.ts';

export interface HeatmapImageOptions {
  colormap: ColormapName;
  /** With a grade scale, the legend reads in defocus grades. */
  normaliser: Normaliser;
  opacity: number;
  /** Raw score from which a cell is out of focus (marked on the legend). */
  threshold?: number;
  /** What the image is of, written under the legend (the strip grows to hold it); without it the image is as it
   * always was. */
  caption?: ReportCaption;
}

/** The caption of an exported heatmap: which slide, its verdict, when, and with which model and threshold. */
export interface ReportCaption {
  /** The slide's file name. */
  slide: string;
  /** The QC verdict, when the whole slide was scanned, e.g. "FAIL: 8.9% of tissue out of focus". */
  verdict?: string;
  /** When the image was made: a Date is written as `YYYY-MM-DD HH:MM UTC`, a string as it is. */
  date: Date | string;
  /** The model's name, e.g. "focuslite-2kernel". */
  model: string;
  /** The threshold as the app says it, e.g. "out of focus from grade 3.0 (calibration profile Scanner 2)"; by
   * default written from `threshold` (and the normaliser's grade scale). */
  threshold?: string;
}

/**
 * The caption of a scan report's heatmap, as the app's export and `focuslite scan` write it: the slide, its verdict
 * (only when the whole slide was scanned) and the reviewer's decision, the model, the out-of-focus point and what set
 * it, and when the report was made.
 */
export function reportCaption(report: ScanReport): ReportCaption {
  const s = report.summary;
  const whole = s.coverage.done === s.coverage.total;
  const decision = report.decision ? ` · decision: ${report.decision === 'rescan' ? 're-scan' : 'accept'}` : '';
  const verdict = whole
    ? `${s.verdict.toUpperCase()}: ${s.outOfFocusPercent.toFixed(1)}% of tissue out of focus${decision}`
    : `none yet: ${s.coverage.done} of ${s.coverage.total} cells looked at${decision}`;
  const point = s.outOfFocusGrade !== null ? `grade ${formatGrade(s.outOfFocusGrade)}` : `score ${s.threshold.toFixed(2)}`;
  return { slide: report.slide.name, verdict, date: new Date(report.generatedAt), model: report.model.id, threshold: `out of focus from ${point} (${s.calibration})` };
}

const LEGEND_HEIGHT = 52;
const MARGIN = 8;
/** Pixel-font scale of the legend's and caption's text. */
const textSize = (width: number) => (width >= 800 ? 2 : 1);
/** Caption lines after wrapping; a longer caption ends in "...". */
const MAX_CAPTION_LINES = 8;
const lineHeight = (size: number) => (GLYPH_HEIGHT + 4) * size;

function formatDate(date: Date | string): string {
  if (typeof date === 'string') return date;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Splits text into lines of at most `max` characters, at spaces where it can. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > 0) {
      const room = max - (line ? line.length + 1 : 0);
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, max));
        rest = rest.slice(max);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The caption's lines as drawn in an image `width` pixels wide (upper-cased by the font when drawn). */
export function captionLines(caption: ReportCaption, options: Pick<HeatmapImageOptions, 'normaliser' | 'threshold'>, width: number): string[] {
  const { normaliser: n, threshold } = options;
  const thresholdText =
    caption.threshold ??
    (threshold === undefined ? undefined : n.grade ? `out of focus from grade ${formatGrade(gradeOf(n.grade, threshold))}` : `out of focus at score ${threshold.toFixed(2)}`);
  const fields = [
    `Slide: ${caption.slide}`,
    ...(caption.verdict ? [`Verdict: ${caption.verdict}`] : []),
    [`Model: ${caption.model}`, thresholdText, formatDate(caption.date)].filter(Boolean).join(' · '),
  ];
  const max = Math.max(4, Math.floor((width - 2 * MARGIN) / (GLYPH_WIDTH * textSize(width))));
  const lines = fields.flatMap((f) => wrap(f, max));
  if (lines.length <= MAX_CAPTION_LINES) return lines;
  const kept = lines.slice(0, MAX_CAPTION_LINES);
  kept[MAX_CAPTION_LINES - 1] = `${kept[MAX_CAPTION_LINES - 1]!.slice(0, max - 3)}...`;
  return kept;
}

/**
 * The exported heatmap: the slide in grayscale at the chosen size, the cell scores blended on top, smoothed between
 * cell centres by the one heatmap rule (raster.ts), and a legend strip (colour bar, range with the minimum on the
 * left, threshold). Pure pixels.
 */
export function renderHeatmapImage(map: ScoreMap, base: RGBAImage, levelWidth: number, options: HeatmapImageOptions): RGBAImage {
  const { width, height } = base;
  const caption = options.caption ? captionLines(options.caption, options, width) : [];
  const strip = LEGEND_HEIGHT + caption.length * lineHeight(textSize(width));
  const out: RGBAImage = { width, height: height + strip, data: new Uint8ClampedArray(width * (height + strip) * 4) };
  const scale = levelWidth / width; // level-0 pixels per output pixel, both axes (the height is rounded from it)
  rasterise(base, scoreMapField(map, options.normaliser), { x: scale, y: scale }, { colormap: options.colormap, opacity: options.opacity, smooth: true }, out);
  drawLegend(out, height, colormapLut(options.colormap), options);
  const size = textSize(width);
  caption.forEach((line, i) => drawText(out, line, MARGIN, height + LEGEND_HEIGHT + i * lineHeight(size), [0, 0, 0], size));
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
  const barX = MARGIN;
  const barW = Math.max(16, width - 2 * MARGIN);
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
  const size = textSize(width);
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
