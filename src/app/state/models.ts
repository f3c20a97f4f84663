// The models shipped in models/ (and any *.local.onnx a user adds there), bundled as same-origin assets by Vite;
// which one is picked, and the out-of-focus threshold in force.

export interface ModelCard {
  name?: string;
  kernels?: number;
  /** Score above which a patch is called out of focus. */
  threshold?: number;
  /** Fixed display range for "absolute" normalisation. */
  displayScale?: [number, number];
  [key: string]: unknown;
}

export interface ModelEntry {
  id: string;
  label: string;
  url: string;
  card: ModelCard;
}

/** A card as written by any of our tools: the threshold and display scale may sit under older names. */
export function parseCard(raw: ModelCard | undefined): ModelCard {
  if (!raw) return {};
  const card: ModelCard = { ...raw };
  const threshold = raw.threshold ?? (raw.decisionThreshold as number | undefined) ?? ((raw.decision as { threshold?: number } | undefined)?.threshold);
  if (typeof threshold === 'number') card.threshold = threshold;
  const scale = raw.displayScale ?? (raw.display as { scale?: [number, number] } | undefined)?.scale ?? (raw.absoluteScale as [number, number] | undefined);
  if (Array.isArray(scale) && scale.length === 2 && scale.every((v) => typeof v === 'number')) card.displayScale = scale;
  return card;
}

/** The model list from `models/*.onnx` URLs and their `.json` cards (by path): 1-kernel first, then by id. */
export function modelsFrom(onnxUrls: Record<string, string>, cards: Record<string, ModelCard>): ModelEntry[] {
  return Object.entries(onnxUrls)
    .map(([path, url]) => {
      const id = path.split('/').pop()!.replace(/\.onnx$/, '');
      const card = parseCard(cards[path.replace(/\.onnx$/, '.json')]);
      const kernels = card.kernels ?? Number(/(\d+)kernel/.exec(id)?.[1] ?? NaN);
      const label = card.name ?? (Number.isFinite(kernels) ? `FocusLiteNN ${kernels}-kernel` : id);
      return { id, label: id.endsWith('.local') ? `${label} (local)` : label, url, card };
    })
    .sort((a, b) => (a.id === 'focuslite-1kernel' ? -1 : b.id === 'focuslite-1kernel' ? 1 : a.id.localeCompare(b.id)));
}

export const MODELS: ModelEntry[] = modelsFrom(
  import.meta.glob('/models/*.onnx', { query: '?url', import: 'default', eager: true }) as Record<string, string>,
  import.meta.glob('/models/*.json', { import: 'default', eager: true }) as Record<string, ModelCard>,
);

export const DEFAULT_MODEL_ID = MODELS[0]?.id;

/** The model picked by id; an unknown or missing id means the default (first) model. The one rule for the app. */
export function modelById(id: string | undefined, models: readonly ModelEntry[] = MODELS): ModelEntry | undefined {
  return models.find((m) => m.id === id) ?? models[0];
}

export type ThresholdSource = 'user' | 'card' | 'batch' | 'none';

export interface Threshold {
  value?: number;
  source: ThresholdSource;
}

/**
 * The out-of-focus threshold in force and where it came from: the user's value, else the model card's, else — when
 * a batch of image scores is given (the quick check) — the midpoint between its lowest and highest score. The batch
 * midpoint is a stop-gap for uncalibrated models (cards written by `build-model` carry no threshold): it splits a
 * batch that holds both sharp and blurred tiles, and the panel says it is uncalibrated. With fewer than two distinct
 * scores there is no threshold.
 */
export function activeThreshold(
  card: ModelCard | undefined,
  given: { user?: number; batch?: readonly { status: string; score?: number }[] } = {},
): Threshold {
  const { user, batch = [] } = given;
  if (user !== undefined && Number.isFinite(user)) return { value: user, source: 'user' };
  const fromCard = card?.threshold;
  if (fromCard !== undefined && Number.isFinite(fromCard)) return { value: fromCard, source: 'card' };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of batch) {
    if (r.status !== 'done' || r.score === undefined || !Number.isFinite(r.score)) continue;
    lo = Math.min(lo, r.score);
    hi = Math.max(hi, r.score);
  }
  return hi > lo ? { value: (lo + hi) / 2, source: 'batch' } : { source: 'none' };
}
