import { create } from 'zustand';
import type { ColormapName } from '../../heatmap/colormaps.ts';
import type { NormalisationMode } from '../../heatmap/normalise.ts';
import { DEFAULT_MODEL_ID } from './models.ts';

export type HeatmapStatus = 'off' | 'scoring' | 'done';

export interface ScanState {
  running: boolean;
  cancelled: boolean;
  startedAt: number;
  elapsedMs: number;
  cellsDone: number;
  cellsTotal: number;
  /** Cells already scored (while browsing, or by an earlier scan) when the scan started: reused, not recomputed. */
  cellsReused: number;
  /** Level-0 slide area covered per second, in megapixels. */
  megapixelsPerSecond: number;
  etaSeconds: number;
}

/** Heatmap settings and the live scoring status of the current view. Scores themselves live in ScoreMaps. */
interface FocusState {
  enabled: boolean;
  modelId?: string;
  stride: number;
  opacity: number;
  colormap: ColormapName;
  normalisation: NormalisationMode;
  smooth: boolean;
  keepColour: boolean;
  /** Outline cells scoring above this; undefined = no outlines. */
  threshold?: number;
  status: HeatmapStatus;
  scoredCells: number;
  viewDone: number;
  viewTotal: number;
  error?: string;
  failedCells: number;
  lastFailure?: string;
  /** Bumped whenever scores or the colour range change, so the overlay redraws. */
  version: number;
  /** The whole-slide scan, when one was started for the current slide. */
  scan?: ScanState;
  /** QC: score at or above which a tissue cell is out of focus (undefined = the model card's threshold). */
  qcThreshold?: number;
  /** QC: the largest percentage of tissue out of focus that still passes. */
  tolerancePercent: number;
  set(patch: Partial<Omit<FocusState, 'set' | 'toggle'>>): void;
  toggle(): void;
}

export const useFocusStore = create<FocusState>((set) => ({
  enabled: false,
  modelId: DEFAULT_MODEL_ID,
  stride: 128,
  opacity: 0.6,
  colormap: 'viridis',
  normalisation: 'relative',
  smooth: true,
  keepColour: false,
  status: 'off',
  scoredCells: 0,
  viewDone: 0,
  viewTotal: 0,
  failedCells: 0,
  version: 0,
  tolerancePercent: 5,
  set: (patch) => set(patch),
  toggle: () => set((s) => ({ enabled: !s.enabled })),
}));
