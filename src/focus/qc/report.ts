import type { ScoreMap } from '../score-map.ts';
import { cellRect } from '../slide-grid.ts';
import { TISSUE_RULES } from '../tissue.ts';
import type { SlideInfo } from '../../slide/types.ts';
import { summarise, type FocusRegion, type QcSummary } from './summary.ts';
import { CellState } from '../cell-state.ts';

export const REPORT_SCHEMA = 'focuslite-scan-report/1';

export interface ReportPatch {
  x: number;
  y: number;
  width: number;
  height: number;
  /** null for glass cells, which are not scored. */
  score: number | null;
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
  };
  model: { id: string; card: Record<string, unknown> };
  grid: { patch: number; stride: number; cols: number; rows: number };
  tissueMask: typeof TISSUE_RULES;
  summary: Omit<QcSummary, 'regions'>;
  regions: FocusRegion[];
  patches: ReportPatch[];
}

export interface ReportInput {
  info: SlideInfo;
  map: ScoreMap;
  modelId: string;
  card: Record<string, unknown>;
  threshold: number;
  tolerancePercent: number;
  software: string;
  now?: Date;
}

export function buildReport(input: ReportInput): ScanReport {
  const { info, map } = input;
  const full = summarise(map, input.threshold, input.tolerancePercent, info.mpp, Number.MAX_SAFE_INTEGER);
  const { regions, ...summary } = full;
  const patches: ReportPatch[] = [];
  for (let cell = 0; cell < map.state.length; cell++) {
    if (map.state[cell] !== CellState.Done || Number.isNaN(map.tissue[cell]!)) continue;
    const r = cellRect(map.grid, cell);
    const score = map.scores[cell]!;
    patches.push({ ...r, score: Number.isFinite(score) ? score : null, tissue: map.isTissue(cell) });
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
    },
    model: { id: input.modelId, card: input.card },
    grid: { patch: map.grid.patch, stride: map.grid.stride, cols: map.grid.cols, rows: map.grid.rows },
    tissueMask: TISSUE_RULES,
    summary,
    regions,
    patches,
  };
}
