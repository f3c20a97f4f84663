// The models shipped in models/ (and any *.local.onnx a user adds there), bundled as same-origin assets by Vite;
// which one is picked, and the out-of-focus threshold in force.
import { DEFAULT_MODEL_NAME, modelRef, parseCard, type ModelCard, type ModelRef } from '../../focus/model-card.ts';
import type { CalibrationProfile } from '../../focus/calibration-profile.ts';
import { rawScale, verdictScale, type VerdictScale } from '../../focus/verdict-scale.ts';

export { parseCard, type ModelCard };

export interface ModelEntry {
  id: string;
  label: string;
  url: string;
  card: ModelCard;
}

/**
 * The model list from `models/*.onnx` URLs and their `.json` cards (by path): 1-kernel first, then by id. A model
 * whose card cannot be used (a broken preprocessing or grade scale) is left out, with the reason on the console:
 * scoring it without what its card asks for would give wrong verdicts.
 */
export function modelsFrom(onnxUrls: Record<string, string>, cards: Record<string, unknown>, report: (message: string) => void = console.error): ModelEntry[] {
  return Object.entries(onnxUrls)
    .flatMap(([path, url]) => {
      const id = path.split('/').pop()!.replace(/\.onnx$/, '');
      const cardPath = path.replace(/\.onnx$/, '.json');
      let card: ModelCard;
      try {
        card = parseCard(cards[cardPath], cardPath);
      } catch (err) {
        report(`model ${id} left out: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
      const kernels = card.kernels ?? Number(/(\d+)kernel/.exec(id)?.[1] ?? NaN);
      const label = card.name ?? (Number.isFinite(kernels) ? `FocusLiteNN ${kernels}-kernel` : id);
      return [{ id, label: id.endsWith('.local') ? `${label} (local)` : label, url, card }];
    })
    .sort((a, b) => (a.id === DEFAULT_MODEL_NAME ? -1 : b.id === DEFAULT_MODEL_NAME ? 1 : a.id.localeCompare(b.id)));
}

export const MODELS: ModelEntry[] = modelsFrom(
  import.meta.glob('/models/*.onnx', { query: '?url', import: 'default', eager: true }) as Record<string, string>,
  import.meta.glob('/models/*.json', { import: 'default', eager: true }) as Record<string, unknown>,
);

export const DEFAULT_MODEL_ID = MODELS[0]?.id;

/** The model picked by id; an unknown or missing id means the default (first) model. The one rule for the app. */
export function modelById(id: string | undefined, models: readonly ModelEntry[] = MODELS): ModelEntry | undefined {
  return models.find((m) => m.id === id) ?? models[0];
}

export type ThresholdSource = 'user' | 'profile' | 'card' | 'batch' | 'none';

export interface Threshold {
  /** Raw score from which an image or cell is out of focus. */
  value?: number;
  source: ThresholdSource;
  /** The scale verdicts are read on (grades when the card has a scale); present whenever `value` is. */
  scale?: VerdictScale;
}

/** What a model is scored with: its URL (absolute, as workers need) and its card's preprocessing. */
export function modelRefOf(model: ModelEntry, base?: string): ModelRef {
  return modelRef(base ? new URL(model.url, base).href : model.url, model.card);
}

/**
 * The out-of-focus threshold in force and where it came from: the user's value (a grade when the card has a grade
 * scale, a raw score otherwise), else the active calibration profile's (named as the scale's `calibration`; the caller
 * passes only a profile that fits the model, see activeProfile), else the model card's, else — when
 * a batch of image scores is given (the quick check) — the midpoint between its lowest and highest score. The batch
 * midpoint is a stop-gap for uncalibrated models (cards written by `build-model` carry no threshold): it splits a
 * batch that holds both sharp and blurred tiles, and the panel says it is uncalibrated. With fewer than two distinct
 * scores there is no threshold.
 */
export function activeThreshold(
  card: ModelCard | undefined,
  given: { user?: number; profile?: CalibrationProfile; batch?: readonly { status: string; score?: number }[] } = {},
): Threshold {
  const { user, profile, batch = [] } = given;
  const withScale = (scale: VerdictScale | undefined, source: ThresholdSource): Threshold | undefined => (scale ? { value: scale.threshold, source, scale } : undefined);
  if (user !== undefined && Number.isFinite(user)) {
    const found = withScale(verdictScale(card, card?.grade ? { grade: user } : { score: user }), 'user');
    if (found) return found;
  }
  if (profile) {
    const point = profile.scale === 'defocus grade' ? { grade: profile.outOfFocusFrom } : { score: profile.outOfFocusFrom };
    const found = withScale(verdictScale(card, point, profile.name), 'profile');
    if (found) return found;
  }
  const fromCard = withScale(verdictScale(card), 'card');
  if (fromCard) return fromCard;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of batch) {
    if (r.status !== 'done' || r.score === undefined || !Number.isFinite(r.score)) continue;
    lo = Math.min(lo, r.score);
    hi = Math.max(hi, r.score);
  }
  return hi > lo ? { value: (lo + hi) / 2, source: 'batch', scale: rawScale((lo + hi) / 2, 'batch midpoint') } : { source: 'none' };
}
