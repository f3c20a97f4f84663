import { createContext, use } from 'react';
import type { HeatmapController } from '../state/heatmap-controller.ts';

/** The app's one heatmap controller (created in main.tsx), for the panels that start scans and read scores. */
export const HeatmapContext = createContext<HeatmapController | undefined>(undefined);

export function useHeatmap(): HeatmapController {
  const controller = use(HeatmapContext);
  if (!controller) throw new Error('useHeatmap() outside <HeatmapContext>');
  return controller;
}
