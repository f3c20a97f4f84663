import { useFocusSettings } from './focus-settings.ts';
import { modelById, type ModelEntry } from './models.ts';

/** The model picked for the heatmap, the scan and the quick check alike (see modelById for the fallback). */
export function currentModel(): ModelEntry | undefined {
  return modelById(useFocusSettings.getState().modelId);
}

/** currentModel() for components: re-renders when the pick changes. */
export function useCurrentModel(): ModelEntry | undefined {
  return useFocusSettings((s) => modelById(s.modelId));
}
