import { areaScores, type AreaScores, type MarkedArea } from '../../focus/area-examples.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { areasOf, useMarkedAreas } from '../state/marked-areas.ts';
import type { ModelEntry } from '../state/models.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { exampleValue, type Examples } from './CalibrationFit.tsx';
import { useHeatmap } from './heatmap-context.ts';

export interface AreaExamples {
  areas: readonly MarkedArea[];
  /** Per area id: its cells and which of them are examples, in the current score map. */
  byArea: Map<number, AreaScores>;
  examples: Examples;
  pending: number;
}

/** The areas marked on the open slide and their examples under the current model, following the scores as they come. */
export function useAreaExamples(model: ModelEntry | undefined): AreaExamples {
  const slideId = useSlideStore((s) => s.slide?.id);
  const areas = useMarkedAreas((s) => areasOf(s, slideId));
  useFocusProgress((s) => s.scoredCells); // re-read the map as cells are scored
  const map = useHeatmap().scoreMap;
  const byArea = new Map<number, AreaScores>();
  const examples: Examples = { inFocus: [], outOfFocus: [] };
  let pending = 0;
  for (const area of areas) {
    const got = map ? areaScores(map, area.rect) : { scores: [], cells: 0, pending: 0, skipped: 0 };
    byArea.set(area.id, got);
    pending += got.pending;
    if (model) (area.label === 'in-focus' ? examples.inFocus : examples.outOfFocus).push(...got.scores.map((s) => exampleValue(model, s)));
  }
  return { areas, byArea, examples, pending };
}
