// The slide queue: several slides scanned one after the other in the app, each result kept per slide and model while
// the app is open (whatever the heatmap toggle says), for a table a QC technician reviews and exports as the CLI's
// cohort CSV.
import { create, type StoreApi } from 'zustand';
import type { ScanReport } from '../../focus/qc/report.ts';
import type { ScanState } from '../../focus/scan-progress.ts';
import type { ScoreMap } from '../../focus/score-map.ts';
import type { SlideInfo } from '../../slide/types.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import type { FocusProgress } from './focus-progress.ts';
import type { ViewerStatus } from './slide-store.ts';

export type QueueStatus = 'waiting' | 'opening' | 'scanning' | 'done' | 'failed' | 'stopped';

export interface QueueItem {
  id: number;
  name: string;
  file: File;
  status: QueueStatus;
  /** Percent of the slide's cells looked at, while scanning. */
  percent: number;
  error?: string;
  /** The finished scan's report, by model id. */
  reports: Record<string, ScanReport>;
}

export interface QueueState {
  items: QueueItem[];
  open: boolean;
  running: boolean;
  /** Asked to stop: the slide being scanned is cancelled and the rest wait. */
  stopping: boolean;
  nextId: number;
  add(files: readonly File[]): void;
  remove(id: number): void;
  update(id: number, patch: Partial<QueueItem>): void;
  show(open: boolean): void;
}

export function createQueueStore() {
  return create<QueueState>((set) => ({
    items: [],
    open: false,
    running: false,
    stopping: false,
    nextId: 1,
    add: (files) =>
      set((s) => {
        // The same file twice is one entry.
        const same = (a: File, b: File) => a.name === b.name && a.size === b.size;
        const fresh = files.filter((f, k) => !s.items.some((i) => same(i.file, f)) && files.findIndex((g) => same(g, f)) === k);
        const items = fresh.map((file, k) => ({ id: s.nextId + k, name: file.name, file, status: 'waiting' as const, percent: 0, reports: {} }));
        return { items: [...s.items, ...items], nextId: s.nextId + items.length, open: true };
      }),
    remove: (id) => set((s) => ({ items: s.items.filter((i) => i.id !== id || i.status === 'opening' || i.status === 'scanning') })),
    update: (id, patch) => set((s) => ({ items: s.items.map((i) => (i.id === id ? { ...i, ...patch } : i)) })),
    show: (open) => set({ open }),
  }));
}

export const useSlideQueue = createQueueStore();

/** What running the queue needs of the app: its stores and the heatmap controller's scan. */
export interface QueueDeps {
  queue: StoreApi<QueueState>;
  slides: StoreApi<{ status: ViewerStatus; error?: string; slide?: { info: SlideInfo }; openInput(input: SlideInput): Promise<void> }>;
  progress: Pick<StoreApi<Pick<FocusProgress, 'scan'>>, 'getState' | 'subscribe'>;
  startScan(): void;
  cancelScan(): void;
  lastScan(): { map: ScoreMap; scan: ScanState } | undefined;
  modelId(): string | undefined;
  report(map: ScoreMap, info: SlideInfo): ScanReport | undefined;
}

/** Resolves with the first state that `done` accepts (now or later). */
function until<T>(store: Pick<StoreApi<T>, 'getState' | 'subscribe'>, done: (s: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    if (done(store.getState())) return resolve(store.getState());
    const stop = store.subscribe((s) => {
      if (!done(s)) return;
      stop();
      resolve(s);
    });
  });
}

/**
 * Scans the waiting slides in turn: opens each in the viewer, scans it whole with the heatmap's workers, keeps its
 * report under the current model. A slide that cannot be opened is marked failed with its message and the next one
 * goes on; `stopping` cancels the scan under way and leaves the rest waiting.
 */
export async function runQueue(deps: QueueDeps): Promise<void> {
  const { queue, slides, progress } = deps;
  if (queue.getState().running) return;
  queue.setState({ running: true, stopping: false });
  try {
    for (;;) {
      const item = queue.getState().items.find((i) => i.status === 'waiting' || i.status === 'stopped');
      if (!item || queue.getState().stopping) break;
      const { update } = queue.getState();
      update(item.id, { status: 'opening', percent: 0, error: undefined });
      await slides.getState().openInput({ kind: 'file', file: item.file, name: item.name });
      const opened = await until(slides, (s) => s.status === 'ready' || s.status === 'error' || s.status === 'idle');
      if (opened.status !== 'ready' || !opened.slide) {
        update(item.id, { status: 'failed', error: opened.error ?? 'the slide could not be opened' });
        continue;
      }
      update(item.id, { status: 'scanning' });
      deps.startScan();
      if (!progress.getState().scan) {
        update(item.id, { status: 'failed', error: 'the scan could not start (no focus model, or the slide cannot be scored)' });
        continue;
      }
      const unwatch = progress.subscribe((p) => {
        if (p.scan) update(item.id, { percent: p.scan.cellsTotal ? (100 * p.scan.cellsDone) / p.scan.cellsTotal : 0 });
      });
      let cancelled = false;
      const stop = queue.subscribe((q) => {
        if (!q.stopping || cancelled) return;
        cancelled = true;
        deps.cancelScan();
      });
      const end = await until(progress, (p) => p.scan !== undefined && !p.scan.running);
      unwatch();
      stop();
      const finished = deps.lastScan();
      const modelId = deps.modelId();
      const report = !end.scan?.cancelled && finished && modelId ? deps.report(finished.map, opened.slide.info) : undefined;
      if (!report || !modelId) {
        update(item.id, { status: end.scan?.cancelled ? 'stopped' : 'failed', ...(end.scan?.cancelled ? {} : { error: 'no report: the model or its threshold is missing' }) });
        continue;
      }
      const current = queue.getState().items.find((i) => i.id === item.id);
      update(item.id, { status: 'done', percent: 100, reports: { ...(current?.reports ?? {}), [modelId]: report } });
    }
  } finally {
    queue.setState({ running: false, stopping: false });
  }
}
