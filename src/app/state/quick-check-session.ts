import type { StoreApi } from 'zustand';
import { CheckFailure } from '../../workers/check/failure.ts';
import { CheckPool, type CheckJob } from '../../workers/check/pool.ts';
import { THUMB_SIZE, type CheckedImage } from '../../workers/check/protocol.ts';
import type { Outcome, QueueCallbacks } from '../../workers/check/queue.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { routeDrop } from '../check/routing.ts';
import type { CheckItem, CheckState } from './check-store.ts';
import { modelRefOf, type ModelEntry } from './models.ts';
import type { OpenSlide, ViewerStatus } from './slide-store.ts';

/** Patch stride of the quick check: the CLI's default, so scores equal `focuslite score`'s. */
export const CHECK_STRIDE = 128;
/** Longer side of the large view's image. */
export const PREVIEW_SIZE = 1024;
/** Results are applied in batches this far apart: hundreds of small files finish faster than React needs to
 * re-render the list. */
const FLUSH_MS = 100;

const NO_MODEL = 'no focus model is available: models/ has no .onnx file';

/** What the session needs of the check workers (CheckPool in the page). */
export type CheckWorkers = Pick<CheckPool, 'submit' | 'cancel' | 'preview' | 'dispose'>;

export interface QuickCheckOptions {
  store: StoreApi<CheckState>;
  /** The open slide, to tell whether a dropped file is a slide to open or tiles to check. */
  slides: Pick<StoreApi<{ slide?: OpenSlide; status: ViewerStatus }>, 'getState'>;
  /** Opens dropped files as the slide: one file, or a DICOM series (open-actions' openFiles in the page). */
  openFiles: (files: readonly File[]) => void;
  /** Puts several dropped slide files in the slide queue (slide-queue.ts in the page). */
  queueFiles?: (files: readonly File[]) => void;
  /** The model picked for the heatmap: the quick check scores with the same one. */
  currentModel: () => ModelEntry | undefined;
  /** Starts the check workers, reporting to `callbacks`; made on the first check (default: a CheckPool). */
  createWorkers?: (callbacks: QueueCallbacks<CheckJob, CheckedImage>) => CheckWorkers;
}

/**
 * The quick check's glue between its store, its workers and the drop routing; no React. One instance per app
 * (created in main.tsx, reached through useQuickCheck()); the panels call its methods and read the store.
 */
export class QuickCheckSession {
  private workers: CheckWorkers | undefined;
  private nextId = 1;
  private readonly updates = new Map<number, Partial<CheckItem>>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: QuickCheckOptions) {}

  /** Queues files for checking (they go to the workers a few at a time) and shows the panel. */
  checkFiles(files: readonly File[]): void {
    if (files.length === 0) return;
    const model = this.options.currentModel();
    const items: CheckItem[] = files.map((file) => ({
      id: this.nextId++,
      file,
      name: file.name,
      size: file.size,
      status: model ? 'queued' : 'error',
      modelId: model?.id ?? '',
      ...(model ? {} : { error: NO_MODEL, failure: 'model' as const }),
    }));
    this.options.store.setState((s) => ({ items: [...s.items, ...items], open: true }));
    if (model) this.getWorkers().submit(items.map((item) => jobFor(item, model)));
  }

  /** Stops the batch: files not yet scored are marked as not checked. */
  cancelCheck(): void {
    const dropped = this.workers?.cancel() ?? [];
    for (const job of dropped) this.update(job.id, { status: 'error', error: 'not checked: cancelled', failure: 'cancelled' });
    this.flush();
  }

  /** Scores every file again, with the model now picked (after the user changed it). */
  recheckAll(): void {
    const files = this.options.store.getState().items.map((item) => item.file);
    this.clearResults();
    this.checkFiles(files);
  }

  clearResults(): void {
    this.workers?.cancel();
    this.updates.clear();
    this.options.store.setState({ items: [], selectedId: undefined });
  }

  loadPreview(item: CheckItem): Promise<RGBAImage> {
    return this.getWorkers().preview(item.file, item.name, PREVIEW_SIZE);
  }

  /** Files dropped anywhere on the window (the quick check panel handles its own drops). */
  dropFiles(files: readonly File[]): void {
    const { slide, status } = this.options.slides.getState();
    const { store, openFiles } = this.options;
    const action = routeDrop(
      files.map((f) => f.name),
      { slideOpen: slide !== undefined || status === 'loading', checkOpen: store.getState().open },
    );
    if (action === 'open') openFiles(files);
    else if (action === 'check') this.checkFiles(files);
    else if (action === 'ask') store.setState({ pendingDrop: [...files] });
    else if (action === 'queue') this.options.queueFiles?.(files);
  }

  /** The user's answer to "open as slide or check?". */
  resolveDrop(choice: 'open' | 'check' | 'cancel'): void {
    const { store, openFiles } = this.options;
    const files = store.getState().pendingDrop ?? [];
    store.setState({ pendingDrop: undefined });
    if (choice === 'open' && files[0]) openFiles([files[0]]);
    else if (choice === 'check') this.checkFiles(files);
  }

  /** Stops the workers and drops results not yet shown. */
  dispose(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.updates.clear();
    this.workers?.dispose();
    this.workers = undefined;
  }

  private getWorkers(): CheckWorkers {
    const create = this.options.createWorkers ?? ((callbacks) => new CheckPool(callbacks));
    this.workers ??= create({
      started: (job) => this.update(job.id, { status: 'running' }),
      settled: (job, outcome) => this.update(job.id, rowPatch(outcome)),
    });
    return this.workers;
  }

  private update(id: number, patch: Partial<CheckItem>): void {
    this.updates.set(id, { ...this.updates.get(id), ...patch });
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.updates.size === 0) return;
    const batch = new Map(this.updates);
    this.updates.clear();
    this.options.store.setState((s) => ({ items: s.items.map((item) => (batch.has(item.id) ? { ...item, ...batch.get(item.id) } : item)) }));
  }
}

function jobFor(item: CheckItem, model: ModelEntry): CheckJob {
  return { id: item.id, file: item.file, name: item.name, model: modelRefOf(model, location.href), stride: CHECK_STRIDE, thumbSize: THUMB_SIZE };
}

/** A finished job as its row shows it. */
function rowPatch(outcome: Outcome<CheckedImage>): Partial<CheckItem> {
  if (outcome.ok) {
    const r = outcome.value;
    return {
      status: 'done',
      width: r.width,
      height: r.height,
      score: r.score,
      patch: r.patch,
      stride: r.stride,
      patchGrid: r.patchGrid,
      thumb: r.thumb,
      tissuePatches: r.tissuePatches,
    };
  }
  const err = outcome.error;
  const failure = err instanceof CheckFailure ? err : undefined;
  return {
    status: 'error',
    error: err instanceof Error ? err.message : String(err),
    failure: failure?.kind ?? 'unreadable',
    width: failure?.width,
    height: failure?.height,
  };
}
