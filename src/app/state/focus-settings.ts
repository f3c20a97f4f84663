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
  /** Outline the out-of-focus cells (at the one threshold in force, below). */
  outline: boolean;
  /** Swipe comparison: the heatmap covers the viewer only left of this fraction of its width; undefined = everywhere. */
  swipe?: number;
  /**
   * The user's out-of-focus point — a defocus grade when the model has a scale, else a raw score; undefined = the
   * active calibration profile's, else the model card's (activeThreshold in models.ts). The one threshold of the app:
   * the verdicts, the legend marker, the outlines, the hover and the reports all use it.
   */
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
    outline: false,
    tolerancePercent: 5,
    set: (patch) => set(patch),
    toggle: () => set((s) => ({ enabled: !s.enabled })),
  }));
}

export const useFocusSettings = createFocusSettings();
