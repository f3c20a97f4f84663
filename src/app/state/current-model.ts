import type { CalibrationProfile } from '../../focus/calibration-profile.ts';
import { activeProfile, useProfiles } from './calibration-profiles.ts';
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

/** The current model's active calibration profile (undefined: its model card), for components. */
export function useCurrentProfile(): CalibrationProfile | undefined {
  const model = useCurrentModel();
  return useProfiles((s) => activeProfile(s, model));
}
