// The models shipped in models/ (and any *.local.onnx a user adds there), bundled as same-origin assets by Vite.

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

const onnxUrls = import.meta.glob('/models/*.onnx', { query: '?url', import: 'default', eager: true }) as Record<string, string>;
const cards = import.meta.glob('/models/*.json', { import: 'default', eager: true }) as Record<string, ModelCard>;

function readCard(raw: ModelCard | undefined): ModelCard {
  if (!raw) return {};
  const card: ModelCard = { ...raw };
  const threshold = raw.threshold ?? (raw.decisionThreshold as number | undefined) ?? ((raw.decision as { threshold?: number } | undefined)?.threshold);
  if (typeof threshold === 'number') card.threshold = threshold;
  const scale = raw.displayScale ?? (raw.display as { scale?: [number, number] } | undefined)?.scale ?? (raw.absoluteScale as [number, number] | undefined);
  if (Array.isArray(scale) && scale.length === 2 && scale.every((v) => typeof v === 'number')) card.displayScale = scale;
  return card;
}

export const MODELS: ModelEntry[] = Object.entries(onnxUrls)
  .map(([path, url]) => {
    const id = path.split('/').pop()!.replace(/\.onnx$/, '');
    const card = readCard(cards[path.replace(/\.onnx$/, '.json')]);
    const kernels = card.kernels ?? Number(/(\d+)kernel/.exec(id)?.[1] ?? NaN);
    const label = card.name ?? (Number.isFinite(kernels) ? `FocusLiteNN ${kernels}-kernel` : id);
    return { id, label: id.endsWith('.local') ? `${label} (local)` : label, url, card };
  })
  .sort((a, b) => (a.id === 'focuslite-1kernel' ? -1 : b.id === 'focuslite-1kernel' ? 1 : a.id.localeCompare(b.id)));

export const DEFAULT_MODEL_ID = MODELS[0]?.id;
