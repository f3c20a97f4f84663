import { create } from 'zustand';
import type { ColormapName } from '../heatmap/colormaps.ts';
import type { NormalisationMode } from '../heatmap/normalise.ts';
import { DEFAULT_MODEL_ID } from './models.ts';

export type HeatmapStatus = 'off' | 'scoring' | 'done';

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
  /** Bumped whenever scores or the colour range change, so the overlay redraws. */
  version: number;
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
  version: 0,
  set: (patch) => set(patch),
  toggle: () => set((s) => ({ enabled: !s.enabled })),
}));
