import type { ScoreMap } from '../score-map.ts';
import { cellRect } from '../slide-grid.ts';
import { TISSUE_RULES } from '../tissue.ts';
import type { SlideInfo } from '../../slide/types.ts';
import { summarise, type FocusRegion, type QcSummary } from './summary.ts';
import { CellState } from '../cell-state.ts';
import { judgeScore, type VerdictScale } from '../verdict-scale.ts';

export const REPORT_SCHEMA = 'focuslite-scan-report/1';

/**
 * Where the app can open the slide again by URL (`?slide=` or `?dicomweb=&study=&series=`). Only such locations are
 * written: a local file path is left out, as paths can hold patient names.
 */
export type ReportSlideSource = { url: string } | { dicomweb: string; study: string; series: string };

/** The reviewer's call on the slide (the app's region review); null until someone decides. */
export type ReviewDecision = 'accept' | 'rescan';

/** A region of the report: the summary's, plus its box in µm from the slide origin when the pixel size is known. */
export type ReportRegion = FocusRegion & { um?: { x: number; y: number; width: number; height: number } };

export interface ReportPatch {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Raw model output; null for glass cells, which are not scored. */
  score: number | null;
  /** The score on the defocus-grade scale; null for glass and for uncalibrated models. */
  grade: number | null;
  /** score ≥ summary.threshold; null for glass and cells with too little tissue, which the summary does not judge. */
  outOfFocus: boolean | null;
  /** Within the scale's borderline band (always false for glass and uncalibrated models). */
  borderline: boolean;
  tissue: boolean;
}

/** The JSON report of a scan; its schema is documented in the README ("Scan report"). */
export interface ScanReport {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  software: string;
  slide: {
    name: string;
    format: string;
    vendor: string;
    compression: string;
    width: number;
    height: number;
    levels: { width: number; height: number; downsample: number }[];
    mpp: number | null;
    magnification: number | null;
    /** Descriptive metadata from the file (scanner, study/series description, container, specimen); no patient identifiers. */
    details: Record<string, string>;
    /** Present only for slides the app can open by URL (http(s) or DICOMweb). */
    source?: ReportSlideSource;
  };
  model: { id: string; card: Record<string, unknown> };
  /** edgeX / edgeY: where the last column's / row's patches sit when they are against the slide's edge (slide-grid.ts). */
  grid: { patch: number; stride: number; cols: number; rows: number; edgeX?: number; edgeY?: number };
  tissueMask: typeof TISSUE_RULES;
  summary: Omit<QcSummary, 'regions'>;
  /** The reviewer's decision, and their note if they wrote one. */
  decision: ReviewDecision | null;
  decisionNote?: string;
  regions: ReportRegion[];
  patches: ReportPatch[];
}

export interface ReportInput {
  info: SlideInfo;
  map: ScoreMap;
  modelId: string;
  card: Record<string, unknown>;
  /** The scale and threshold the verdicts are given on (verdictScale of the card, or a raw threshold). */
  scale: VerdictScale;
  tolerancePercent: number;
  software: string;
  source?: ReportSlideSource;
  decision?: ReviewDecision | null;
  decisionNote?: string;
  now?: Date;
}

export function buildReport(input: ReportInput): ScanReport {
  const { info, map } = input;
  const full = summarise(map, input.scale, input.tolerancePercent, info.mpp, Number.MAX_SAFE_INTEGER);
  const { regions, ...summary } = full;
  const patches: ReportPatch[] = [];
  for (let cell = 0; cell < map.state.length; cell++) {
    if (map.state[cell] !== CellState.Done || Number.isNaN(map.tissue[cell]!)) continue;
    const r = cellRect(map.grid, cell);
    const score = map.scores[cell]!;
    const tissue = map.isTissue(cell);
    if (!Number.isFinite(score)) {
      patches.push({ ...r, score: null, grade: null, outOfFocus: null, borderline: false, tissue });
      continue;
    }
    const judged = judgeScore(input.scale, score);
    const grade = input.scale.grade ? judged.value : null;
    patches.push({ ...r, score, grade, outOfFocus: tissue ? judged.outOfFocus : null, borderline: tissue && judged.borderline, tissue });
  }
  const level0 = info.levels[0]!;
  return {
    schema: REPORT_SCHEMA,
    generatedAt: (input.now ?? new Date()).toISOString(),
    software: input.software,
    slide: {
      name: info.name,
      format: info.format,
      vendor: info.vendor,
      compression: info.compression,
      width: level0.width,
      height: level0.height,
      levels: info.levels.map((l) => ({ width: l.width, height: l.height, downsample: l.downsample })),
      mpp: info.mpp ?? null,
      magnification: info.magnification ?? null,
      details: info.details ?? {},
      ...(input.source ? { source: input.source } : {}),
    },
    model: { id: input.modelId, card: input.card },
    grid: {
      patch: map.grid.patch,
      stride: map.grid.stride,
      cols: map.grid.cols,
      rows: map.grid.rows,
      ...(map.grid.edgeX !== undefined ? { edgeX: map.grid.edgeX } : {}),
      ...(map.grid.edgeY !== undefined ? { edgeY: map.grid.edgeY } : {}),
    },
    tissueMask: TISSUE_RULES,
    summary,
    decision: input.decision ?? null,
    ...(input.decisionNote ? { decisionNote: input.decisionNote } : {}),
    regions: info.mpp ? regions.map((r) => ({ ...r, um: regionMicrons(r, info.mpp!) })) : regions,
    patches,
  };
}

/** A level-0 box in µm from the slide origin (top-left), to 0.1 µm. */
export function regionMicrons(r: { x: number; y: number; width: number; height: number }, mpp: number): NonNullable<ReportRegion['um']> {
  const um = (px: number) => Math.round(px * mpp * 10) / 10;
  return { x: um(r.x), y: um(r.y), width: um(r.width), height: um(r.height) };
}
