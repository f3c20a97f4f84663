import { buildReport, type ScanReport } from '../../focus/qc/report.ts';
import type { ScoreMap } from '../../focus/score-map.ts';
import type { SlideInfo } from '../../slide/types.ts';
import { activeProfile, useProfiles } from './calibration-profiles.ts';
import { currentModel } from './current-model.ts';
import { useFocusSettings } from './focus-settings.ts';
import { activeThreshold } from './models.ts';
import { exportedDecision, NO_REVIEW, reviewKey, useReviews } from './review-store.ts';

/**
 * The scan report of `map` with what is in force now — the current model and card, the one threshold (typed, profile
 * or card), the tolerance and the reviewer's decision — as the JSON export and the slide queue write it. Undefined
 * when no model or no threshold is available.
 */
export function currentReport(map: ScoreMap, info: SlideInfo): ScanReport | undefined {
  const model = currentModel();
  if (!model) return undefined;
  const settings = useFocusSettings.getState();
  const scale = activeThreshold(model.card, { user: settings.qcThreshold, profile: activeProfile(useProfiles.getState(), model) }).scale;
  if (!scale) return undefined;
  const review = useReviews.getState().reviews[reviewKey(info)] ?? NO_REVIEW;
  return buildReport({
    info,
    map,
    modelId: model.id,
    card: model.card,
    scale,
    tolerancePercent: settings.tolerancePercent,
    software: 'FocusLite Viewer',
    ...exportedDecision(review),
  });
}
