import { create } from 'zustand';
import type { ColormapName } from '../../heatmap/colormaps.ts';
import type { NormalisationMode } from '../../heatmap/normalise.ts';
import { DEFAULT_MODEL_ID } from './models.ts';

/** What the user chose for the heatmap and the QC summary. Outputs (status, counts, the scan) are in focus-progress. */
export interface FocusSettings {
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
  /** QC: score at or above which a tissue cell is out of focus (undefined = the model card's threshold). */
  qcThreshold?: number;
  /** QC: the largest percentage of tissue out of focus that still passes. */
  tolerancePercent: number;
  set(patch: Partial<Omit<FocusSettings, 'set' | 'toggle'>>): void;
  toggle(): void;
}

/** A settings store with the defaults; the app has one (useFocusSettings), tests make their own. */
export function createFocusSettings() {
  return create<FocusSettings>((set) => ({
    enabled: false,
    modelId: DEFAULT_MODEL_ID,
    stride: 128,
    opacity: 0.6,
    colormap: 'viridis',
    normalisation: 'relative',
    smooth: true,
    keepColour: false,
    tolerancePercent: 5,
    set: (patch) => set(patch),
    toggle: () => set((s) => ({ enabled: !s.enabled })),
  }));
}

export const useFocusSettings = createFocusSettings();
