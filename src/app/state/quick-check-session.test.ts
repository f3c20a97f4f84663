import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { RGBAImage } from '../../slide/types.ts';
import { CheckFailure } from '../../workers/check/failure.ts';
import type { CheckJob } from '../../workers/check/pool.ts';
import type { CheckedImage } from '../../workers/check/protocol.ts';
import { JobQueue, type QueueCallbacks } from '../../workers/check/queue.ts';
import { createCheckStore, type CheckItem } from './check-store.ts';
import type { ModelEntry } from './models.ts';
import { CHECK_STRIDE, PREVIEW_SIZE, QuickCheckSession, type CheckWorkers } from './quick-check-session.ts';
import type { OpenSlide, ViewerStatus } from './slide-store.ts';

const PAGE = 'http://127.0.0.1:4173/';
const DENSITY = { method: 'mean-od' as const, targetOd: 0.35, maxGain: 4 };
const MODEL_A: ModelEntry = { id: 'a', label: 'A', url: '/models/a.onnx', card: { preprocessing: { density: DENSITY } } };
const MODEL_B: ModelEntry = { id: 'b', label: 'B', url: '/models/b.onnx', card: {} };
const IMAGE: RGBAImage = { width: 1, height: 1, data: new Uint8ClampedArray(4) };

/** The real job queue over two slots, running jobs the test settles by hand (as the check workers would). */
class FakeWorkers implements CheckWorkers {
  readonly queue: JobQueue<CheckJob, CheckedImage>;
  readonly jobs: CheckJob[] = [];
  private readonly running = new Map<number, { resolve: (r: CheckedImage) => void; reject: (e: unknown) => void }>();
  readonly preview = vi.fn(async () => IMAGE);
  disposed = false;

  constructor(callbacks: QueueCallbacks<CheckJob, CheckedImage>) {
    this.queue = new JobQueue(2, (job) => new Promise((resolve, reject) => this.running.set(job.id, { resolve, reject })), callbacks);
  }

  submit(jobs: CheckJob[]): void {
    this.jobs.push(...jobs);
    this.queue.push(...jobs);
  }

  cancel(): CheckJob[] {
    return this.queue.cancel();
  }

  dispose(): void {
    this.disposed = true;
    this.queue.cancel();
  }

  succeed(id: number, score: number): void {
    this.running.get(id)!.resolve({ width: 300, height: 200, score, patch: 235, stride: CHECK_STRIDE, patchGrid: [[score]], thumb: IMAGE, tissue: 1, tissuePatches: 1 });
  }

  fail(id: number, error: unknown): void {
    this.running.get(id)!.reject(error);
  }
}

/** A session over fresh stores; `model: undefined` = no model available (default: model A). */
function setup(options: { model?: ModelEntry | undefined; slide?: OpenSlide } = {}) {
  const { slide } = options;
  const store = createCheckStore();
  const slides = createStore<{ slide?: OpenSlide; status: ViewerStatus }>(() => ({ slide, status: slide ? 'ready' : 'idle' }));
  const openFiles = vi.fn<(files: readonly File[]) => void>();
  let picked = 'model' in options ? options.model : MODEL_A;
  const pools: FakeWorkers[] = [];
  const session = new QuickCheckSession({
    store,
    slides,
    openFiles,
    currentModel: () => picked,
    createWorkers: (callbacks) => {
      pools.push(new FakeWorkers(callbacks));
      return pools.at(-1)!;
    },
  });
  const rows = () => store.getState().items.map((i) => ({ id: i.id, status: i.status, modelId: i.modelId }));
  const row = (id: number): CheckItem => store.getState().items.find((i) => i.id === id)!;
  const pick = (m: ModelEntry | undefined) => void (picked = m);
  return { store, session, openFiles, pools, rows, row, pick };
}

const files = (...names: string[]) => names.map((n) => new File([new Uint8Array(8)], n));
/** Lets settled jobs reach the session without firing its flush timer. */
const settleJobs = () => vi.advanceTimersByTimeAsync(0);

let current: ReturnType<typeof setup> | undefined;
const start = (options?: Parameters<typeof setup>[0]) => (current = setup(options));

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('location', { href: PAGE });
});
afterEach(() => {
  current?.session.dispose();
  current = undefined;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('quick check session', () => {
  it('shows rows queued, then running, then done or failed with the reason', async () => {
    const { session, store, pools, rows, row } = start();
    session.checkFiles(files('a.png', 'b.png', 'c.png'));
    expect(store.getState().open).toBe(true);
    expect(rows()).toEqual([
      { id: 1, status: 'queued', modelId: 'a' },
      { id: 2, status: 'queued', modelId: 'a' },
      { id: 3, status: 'queued', modelId: 'a' },
    ]);
    expect(pools[0]!.jobs.map((j) => ({ name: j.name, model: j.model, stride: j.stride }))).toEqual(
      ['a.png', 'b.png', 'c.png'].map((name) => ({ name, model: { url: `${PAGE}models/a.onnx`, density: DENSITY }, stride: CHECK_STRIDE })),
    );

    await vi.runAllTimersAsync();
    expect(rows().map((r) => r.status)).toEqual(['running', 'running', 'queued']); // two workers

    pools[0]!.succeed(1, -2.5);
    pools[0]!.fail(2, new CheckFailure('too-small', 'image is 100×80, smaller than one 235×235 patch', 100, 80));
    await vi.runAllTimersAsync();
    expect(row(1)).toMatchObject({ status: 'done', score: -2.5, width: 300, height: 200, patch: 235, stride: CHECK_STRIDE, patchGrid: [[-2.5]] });
    expect(row(2)).toMatchObject({ status: 'error', failure: 'too-small', error: 'image is 100×80, smaller than one 235×235 patch', width: 100, height: 80 });
    expect(row(3).status).toBe('running');

    pools[0]!.fail(3, new Error('not a PNG'));
    await vi.runAllTimersAsync();
    expect(row(3)).toMatchObject({ status: 'error', failure: 'unreadable', error: 'not a PNG' });
  });

  it('applies results in batches: several finished files make one store update', async () => {
    const { session, store, pools, rows } = start();
    session.checkFiles(files('a.png', 'b.png'));
    await vi.runAllTimersAsync();
    const updates = vi.fn();
    const unsubscribe = store.subscribe(updates);
    pools[0]!.succeed(1, -3);
    pools[0]!.succeed(2, -1);
    await settleJobs();
    expect(updates).not.toHaveBeenCalled();
    expect(rows().map((r) => r.status)).toEqual(['running', 'running']);
    await vi.runAllTimersAsync();
    expect(updates).toHaveBeenCalledTimes(1);
    expect(rows().map((r) => r.status)).toEqual(['done', 'done']);
    unsubscribe();
  });

  it('cancel marks every file not yet scored as not checked, at once, and ignores late results', async () => {
    const { session, pools, row, rows } = start();
    session.checkFiles(files('a.png', 'b.png', 'c.png'));
    await vi.runAllTimersAsync();
    pools[0]!.succeed(1, -2);
    await settleJobs(); // finished, not yet shown: cancel must not lose it
    session.cancelCheck();
    expect(row(1).status).toBe('done');
    for (const id of [2, 3]) expect(row(id)).toMatchObject({ status: 'error', error: 'not checked: cancelled', failure: 'cancelled' });

    pools[0]!.succeed(2, -1); // the worker was stopped; an answer on the way is dropped
    await vi.runAllTimersAsync();
    expect(rows().map((r) => r.status)).toEqual(['done', 'error', 'error']);
  });

  it('without a model, rows fail at once and no worker starts', async () => {
    const { session, pools, rows, row } = start({ model: undefined });
    session.checkFiles(files('a.png', 'b.png'));
    await vi.runAllTimersAsync();
    expect(pools).toHaveLength(0);
    expect(rows()).toEqual([
      { id: 1, status: 'error', modelId: '' },
      { id: 2, status: 'error', modelId: '' },
    ]);
    expect(row(1)).toMatchObject({ failure: 'model', error: 'no focus model is available: models/ has no .onnx file' });
  });

  it('checks again with the model now picked; clear empties the list', async () => {
    const { session, store, pools, rows, pick } = start();
    session.checkFiles(files('a.png', 'b.png'));
    store.getState().set({ selectedId: 1 });
    pick(MODEL_B);
    session.recheckAll();
    expect(rows()).toEqual([
      { id: 3, status: 'queued', modelId: 'b' },
      { id: 4, status: 'queued', modelId: 'b' },
    ]);
    expect(store.getState().selectedId).toBeUndefined();
    expect(pools[0]!.jobs.slice(2).map((j) => j.model)).toEqual([{ url: `${PAGE}models/b.onnx` }, { url: `${PAGE}models/b.onnx` }]);
    session.clearResults();
    await vi.runAllTimersAsync();
    expect(rows()).toEqual([]);
  });

  it('asks what a lone image dropped on an open slide is, and does what the user answers', () => {
    const slide = { kind: 'osd-url', id: 1, url: `${PAGE}s.dzi`, info: { name: 's', format: 'image', vendor: 'Deep Zoom', compression: '', levels: [] } } as OpenSlide;
    const { session, store, openFiles, rows } = start({ slide });
    const [png] = files('tile.png');
    session.dropFiles([png!]);
    expect(store.getState().pendingDrop).toEqual([png]);
    expect(openFiles).not.toHaveBeenCalled();
    session.resolveDrop('open');
    expect(openFiles).toHaveBeenCalledWith([png]);
    expect(store.getState().pendingDrop).toBeUndefined();

    session.dropFiles([png!]);
    session.resolveDrop('check');
    expect(rows()).toEqual([{ id: 1, status: 'queued', modelId: 'a' }]);

    session.dropFiles(files('x.svs')); // a slide file opens whatever is shown
    expect(openFiles).toHaveBeenCalledTimes(2);
    const series = files('level-0.dcm', 'level-1.dcm', 'label.dcm'); // several DICOM files: one slide, all of them
    session.dropFiles(series);
    expect(openFiles).toHaveBeenLastCalledWith(series);
  });

  it('loads the large view through the workers, at the preview size', async () => {
    const { session, store, pools } = start();
    session.checkFiles(files('a.png'));
    await expect(session.loadPreview(store.getState().items[0]!)).resolves.toBe(IMAGE);
    expect(pools[0]!.preview).toHaveBeenCalledWith(store.getState().items[0]!.file, 'a.png', PREVIEW_SIZE);
  });

  it('sessions share nothing: each numbers its rows from 1 and has its own workers', () => {
    const one = setup();
    const two = setup();
    one.session.checkFiles(files('a.png'));
    two.session.checkFiles(files('b.png'));
    expect(two.rows()).toEqual([{ id: 1, status: 'queued', modelId: 'a' }]);
    expect(one.pools).toHaveLength(1);
    expect(two.pools).toHaveLength(1);
    one.session.dispose();
    expect(one.pools[0]!.disposed).toBe(true);
    expect(two.pools[0]!.disposed).toBe(false);
    two.session.dispose();
  });
});
