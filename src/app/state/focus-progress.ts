import { create } from 'zustand';
import type { ScanState } from '../../focus/scan-progress.ts';

export type HeatmapStatus = 'off' | 'scoring' | 'done';

/** The live scoring status of the current view and scan, written only by the heatmap controller. Scores themselves
 * live in ScoreMaps. */
export interface FocusProgress {
  status: HeatmapStatus;
  scoredCells: number;
  viewDone: number;
  viewTotal: number;
  error?: string;
  failedCells: number;
  lastFailure?: string;
  /** Bumped whenever scores or the colour range change, so the overlay and panels redraw. */
  version: number;
  /** The whole-slide scan, when one was started for the current slide. */
  scan?: ScanState;
}

/** A progress store with nothing scored; the app has one (useFocusProgress), tests make their own. */
export function createFocusProgress() {
  return create<FocusProgress>(() => ({ status: 'off', scoredCells: 0, viewDone: 0, viewTotal: 0, failedCells: 0, version: 0 }));
}

export const useFocusProgress = createFocusProgress();
