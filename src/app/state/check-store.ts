import { create } from 'zustand';
import { CheckFailure, type FailureKind } from '../../workers/check/failure.ts';
import type { HeatmapScale } from '../../heatmap/patch-map.ts';
import { CheckPool, type CheckJob } from '../../workers/check/pool.ts';
import { THUMB_SIZE, type CheckedImage } from '../../workers/check/protocol.ts';
import type { Outcome } from '../../workers/check/queue.ts';
import type { CheckRecord, SortSpec, VerdictFilter } from '../check/results.ts';
import { routeDrop } from '../check/routing.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { currentModel } from './current-model.ts';
import type { ModelEntry } from './models.ts';
import { openFile } from './open-actions.ts';
import { useSlideStore } from './slide-store.ts';

/** Patch stride of the quick check: the CLI's default, so scores equal `focuslite score`'s. */
export const CHECK_STRIDE = 128;
/** Longer side of the large view's image. */
export const PREVIEW_SIZE = 1024;

export interface CheckItem extends CheckRecord {
  file: File;
  /** The model this row was (or is being) scored with. */
  modelId: string;
  patch?: number;
  stride?: number;
  patchGrid?: number[][];
  thumb?: RGBAImage;
  failure?: FailureKind;
}

interface CheckState {
  /** The quick check panel is shown. */
  open: boolean;
  items: CheckItem[];
  /** The user's out-of-focus threshold; undefined = the model card's (see activeThreshold in models.ts). */
  userThreshold?: number;
  sort: SortSpec;
  filter: VerdictFilter;
  scale: HeatmapScale;
  /** The row shown large. */
  selectedId?: number;
  /** Files dropped on the viewer while a slide is open, waiting for the user to say what they are. */
  pendingDrop?: File[];
  set(patch: Partial<Omit<CheckState, 'set'>>): void;
}

export const useCheckStore = create<CheckState>((set) => ({
  open: false,
  items: [],
  sort: { key: 'added', descending: false },
  filter: 'all',
  scale: 'fixed',
  set: (patch) => set(patch),
}));

let pool: CheckPool | undefined;
let nextId = 1;

// Results are applied in batches: hundreds of small files finish faster than React needs to re-render the list.
const updates = new Map<number, Partial<CheckItem>>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function update(id: number, patch: Partial<CheckItem>): void {
  updates.set(id, { ...updates.get(id), ...patch });
  flushTimer ??= setTimeout(flush, 100);
}

function flush(): void {
  flushTimer = undefined;
  if (updates.size === 0) return;
  const batch = new Map(updates);
  updates.clear();
  useCheckStore.setState((s) => ({ items: s.items.map((item) => (batch.has(item.id) ? { ...item, ...batch.get(item.id) } : item)) }));
}

function settled(job: CheckJob, outcome: Outcome<CheckedImage>): void {
  if (outcome.ok) {
    const r = outcome.value;
    update(job.id, {
      status: 'done',
      width: r.width,
      height: r.height,
      score: r.score,
      patch: r.patch,
      stride: r.stride,
      patchGrid: r.patchGrid,
      thumb: r.thumb,
    });
  } else {
    const err = outcome.error;
    const failure = err instanceof CheckFailure ? err : undefined;
    update(job.id, {
      status: 'error',
      error: err instanceof Error ? err.message : String(err),
      failure: failure?.kind ?? 'unreadable',
      width: failure?.width,
      height: failure?.height,
    });
  }
}

function getPool(): CheckPool {
  pool ??= new CheckPool({
    started: (job) => update(job.id, { status: 'running' }),
    settled,
  });
  return pool;
}

/** Queues files for checking (they go to the workers a few at a time) and shows the panel. */
export function checkFiles(files: readonly File[]): void {
  if (files.length === 0) return;
  const model = currentModel(); // the quick check scores with the model picked for the heatmap
  const items: CheckItem[] = files.map((file) => ({
    id: nextId++,
    file,
    name: file.name,
    size: file.size,
    status: model ? 'queued' : 'error',
    modelId: model?.id ?? '',
    ...(model ? {} : { error: 'no focus model is available: models/ has no .onnx file', failure: 'model' as const }),
  }));
  useCheckStore.setState((s) => ({ items: [...s.items, ...items], open: true }));
  if (model) getPool().submit(items.map((item) => jobFor(item, model)));
}

function jobFor(item: CheckItem, model: ModelEntry): CheckJob {
  return { id: item.id, file: item.file, name: item.name, modelUrl: new URL(model.url, location.href).href, stride: CHECK_STRIDE, thumbSize: THUMB_SIZE };
}

/** Stops the batch: files not yet scored are marked as not checked. */
export function cancelCheck(): void {
  const dropped = pool?.cancel() ?? [];
  for (const job of dropped) update(job.id, { status: 'error', error: 'not checked: cancelled', failure: 'cancelled' });
  flush();
}

/** Scores every file again, with the model now picked (after the user changed it). */
export function recheckAll(): void {
  const files = useCheckStore.getState().items.map((item) => item.file);
  clearResults();
  checkFiles(files);
}

export function clearResults(): void {
  pool?.cancel();
  updates.clear();
  useCheckStore.setState({ items: [], selectedId: undefined });
}

export function loadPreview(item: CheckItem): Promise<RGBAImage> {
  return getPool().preview(item.file, item.name, PREVIEW_SIZE);
}

/** Files dropped anywhere on the window (the quick check panel handles its own drops). */
export function dropFiles(files: readonly File[]): void {
  const slide = useSlideStore.getState();
  const action = routeDrop(
    files.map((f) => f.name),
    { slideOpen: slide.slide !== undefined || slide.status === 'loading', checkOpen: useCheckStore.getState().open },
  );
  if (action === 'open') openFile(files[0]!);
  else if (action === 'check') checkFiles(files);
  else if (action === 'ask') useCheckStore.setState({ pendingDrop: [...files] });
}

/** The user's answer to "open as slide or check?". */
export function resolveDrop(choice: 'open' | 'check' | 'cancel'): void {
  const files = useCheckStore.getState().pendingDrop ?? [];
  useCheckStore.setState({ pendingDrop: undefined });
  if (choice === 'open' && files[0]) openFile(files[0]);
  else if (choice === 'check') checkFiles(files);
}
