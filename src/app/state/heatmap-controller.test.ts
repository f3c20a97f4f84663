import type OpenSeadragon from 'openseadragon';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { CellState } from '../../focus/cell-state.ts';
import type { CellScorer } from '../../focus/focus-runner.ts';
import type { ModelRef } from '../../focus/model-card.ts';
import type { ScoreMap } from '../../focus/score-map.ts';
import { cellRangeIn, type Rect, type SlideGrid } from '../../focus/slide-grid.ts';
import type { OverlayStyle } from '../../heatmap/overlay.ts';
import type { SlideWorkers } from '../../workers/slide-workers.ts';
import { createFocusProgress } from './focus-progress.ts';
import { createFocusSettings } from './focus-settings.ts';
import { createProfileStore } from './calibration-profiles.ts';
import { HeatmapController } from './heatmap-controller.ts';
import type { ModelEntry } from './models.ts';
import type { OpenSlide, ViewerStatus } from './slide-store.ts';

const DENSITY = { method: 'mean-od' as const, targetOd: 0.35, maxGain: 4 };
const MODEL_A: ModelEntry = { id: 'a', label: 'A', url: '/models/a.onnx', card: { displayScale: [-5, -1], preprocessing: { density: DENSITY } } };
const MODEL_B: ModelEntry = { id: 'b', label: 'B', url: '/models/b.onnx', card: {} };

/** A worker pool that holds every request until the test settles it; aborted requests reject as the real one does. */
class FakePool implements CellScorer {
  readonly size = 2;
  readonly calls: { model: ModelRef; grid: SlideGrid; cells: number[] }[] = [];
  private pending: { cells: number[]; resolve: (r: { scores: Float32Array; tissue: Float32Array }) => void }[] = [];

  score(model: ModelRef, grid: SlideGrid, cells: number[], _worker: number, signal: AbortSignal) {
    this.calls.push({ model, grid, cells });
    return new Promise<{ scores: Float32Array; tissue: Float32Array }>((resolve, reject) => {
      const entry = { cells, resolve };
      this.pending.push(entry);
      signal.addEventListener('abort', () => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }

  get waiting(): readonly { cells: number[] }[] {
    return this.pending;
  }

  /** Answers up to `n` waiting requests: every cell is tissue, scored -3 + cell/1000. */
  answer(n = Infinity): void {
    for (const p of this.pending.splice(0, n)) {
      p.resolve({ scores: Float32Array.from(p.cells, (c) => -3 + c / 1000), tissue: new Float32Array(p.cells.length).fill(1) });
    }
  }
}

/** Enough of an OpenSeadragon viewer: item 0 maps the viewport to a level-0 rectangle the test moves. */
function fakeViewer() {
  const handlers = new Map<string, Set<() => void>>();
  let view: Rect = { x: 0, y: 0, width: 600, height: 500 };
  let item: object | undefined;
  const fire = (name: string) => handlers.get(name)?.forEach((h) => h());
  return {
    viewer: {
      world: { getItemAt: (i: number) => (i === 0 ? item : undefined), getItemCount: () => (item ? 1 : 0) },
      viewport: { getBounds: () => ({}) },
      addHandler: (name: string, h: () => void) => void handlers.set(name, (handlers.get(name) ?? new Set()).add(h)),
      removeHandler: (name: string, h: () => void) => void handlers.get(name)?.delete(h),
    } as unknown as OpenSeadragon.Viewer,
    handlerCount: () => [...handlers.values()].reduce((n, s) => n + s.size, 0),
    open() {
      item = { viewportToImageRectangle: () => ({ ...view }), getFullyLoaded: () => true }; // tiles drawn at once
      fire('open');
    },
    moveTo(rect: Rect) {
      view = rect;
      fire('viewport-change');
    },
    get view() {
      return view;
    },
  };
}

function fakeOverlay() {
  const overlay = {
    updates: [] as { map: ScoreMap | undefined; style: OverlayStyle }[],
    destroyed: false,
    update: (map: ScoreMap | undefined, style: OverlayStyle) => void overlay.updates.push({ map, style }),
    destroy: () => void (overlay.destroyed = true),
    get last() {
      return overlay.updates.at(-1);
    },
  };
  return overlay;
}

function workersSlide(id: number, pool: FakePool, width = 2000, height = 1500): OpenSlide {
  const info = { name: `slide-${id}.tif`, format: 'tiff' as const, vendor: 'generic', compression: 'JPEG', levels: [{ width, height, tileWidth: 256, tileHeight: 256, downsample: 1 }] };
  return { kind: 'workers', id, workers: pool as unknown as SlideWorkers, info };
}

function setup(models: readonly ModelEntry[] = [MODEL_A, MODEL_B]) {
  const pool = new FakePool();
  const settings = createFocusSettings();
  settings.setState({ modelId: 'a' });
  const progress = createFocusProgress();
  const slides = createStore<{ slide?: OpenSlide; status: ViewerStatus }>(() => ({ slide: workersSlide(1, pool), status: 'ready' }));
  const view = fakeViewer();
  const viewers = createStore<{ viewer?: OpenSeadragon.Viewer }>(() => ({ viewer: view.viewer }));
  const overlays: ReturnType<typeof fakeOverlay>[] = [];
  const profiles = createProfileStore(undefined, () => {});
  const controller = new HeatmapController({
    settings,
    profiles,
    progress,
    slides,
    viewers,
    models,
    createOverlay: () => {
      overlays.push(fakeOverlay());
      return overlays.at(-1)!;
    },
    requestFrame: (callback) => {
      const t = setTimeout(callback, 16);
      return () => clearTimeout(t);
    },
  });
  view.open();
  const uninstall = controller.install();
  /** Answers every request (including those the answers lead to) and lets the throttled publishing run. */
  const settle = async () => {
    do {
      pool.answer();
      await vi.runAllTimersAsync();
    } while (pool.waiting.length > 0);
  };
  return { pool, profiles, settings, progress, slides, viewers, view, overlays, controller, uninstall, settle };
}

type Setup = ReturnType<typeof setup>;
let current: Setup | undefined;
const start = (models?: readonly ModelEntry[]) => (current = setup(models));

beforeEach(() => void vi.useFakeTimers());
afterEach(() => {
  current?.uninstall();
  current = undefined;
  vi.useRealTimers();
});

const cellsOf = (map: ScoreMap, state: number) => map.state.reduce((n, s) => n + (s === state ? 1 : 0), 0);

describe('HeatmapController', () => {
  it("judges the hover and outlines with the model's active calibration profile, redrawing when it changes; the user's QC threshold wins", () => {
    const { settings, profiles, overlays } = start();
    settings.setState({ enabled: true });
    expect(overlays[0]!.last?.style.verdict).toBeUndefined(); // model A: no threshold on its card
    const profile = {
      format: 'focuslite-calibration/1' as const,
      name: 'Scanner 2',
      model: 'a',
      scale: 'raw score' as const,
      outOfFocusFrom: -3,
      examples: { inFocus: 2, outOfFocus: 2 },
      fit: { balancedAccuracy: 1, overlapping: 0 },
      createdAt: '',
    };
    profiles.getState().save(profile);
    expect(overlays[0]!.last?.style.verdict).toMatchObject({ threshold: -3, calibration: 'Scanner 2' });
    profiles.getState().save({ ...profile, name: 'for B', model: 'b' });
    profiles.getState().activate('a', 'Scanner 2');
    settings.setState({ qcThreshold: -2 });
    expect(overlays[0]!.last?.style.verdict).toMatchObject({ threshold: -2, calibration: 'model card' });
    settings.setState({ qcThreshold: undefined });
    profiles.getState().activate('a', undefined);
    expect(overlays[0]!.last?.style.verdict).toBeUndefined();
  });

  it('outlines exactly what the verdicts call out of focus: one threshold, wherever it is set', () => {
    const { settings, profiles, overlays } = start();
    settings.setState({ enabled: true, qcThreshold: -2 });
    expect(overlays[0]!.last?.style.threshold).toBeUndefined(); // outlines off
    settings.setState({ outline: true });
    expect(overlays[0]!.last?.style).toMatchObject({ threshold: -2, verdict: { threshold: -2 } });
    settings.setState({ qcThreshold: -4 });
    expect(overlays[0]!.last?.style).toMatchObject({ threshold: -4, verdict: { threshold: -4 } });
    // Without a typed threshold the profile decides both.
    profiles.getState().save({ format: 'focuslite-calibration/1', name: 'P', model: 'a', scale: 'raw score', outOfFocusFrom: -3, examples: { inFocus: 2, outOfFocus: 2 }, fit: { balancedAccuracy: 1, overlapping: 0 }, createdAt: '' });
    settings.setState({ qcThreshold: undefined });
    expect(overlays[0]!.last?.style).toMatchObject({ threshold: -3, verdict: { threshold: -3, calibration: 'P' } });
  });

  it('does nothing while the heatmap is off', async () => {
    const { pool, progress, controller, settle } = start();
    await settle();
    expect(controller.scoreMap).toBeUndefined();
    expect(pool.calls).toHaveLength(0);
    expect(progress.getState().status).toBe('off');
  });

  it('enabling scores the view of the open slide with the picked model, and publishes the result', async () => {
    const { pool, settings, progress, overlays, controller, view, settle } = start();
    settings.getState().toggle();
    const map = controller.scoreMap!;
    expect(map.grid).toMatchObject({ width: 2000, height: 1500, patch: 235, stride: 128 });
    expect(pool.calls.length).toBeGreaterThan(0);
    expect(pool.calls.every((c) => c.model.url === MODEL_A.url && c.model.density === DENSITY && c.grid === map.grid)).toBe(true);
    await settle();
    const range = cellRangeIn(map.grid, view.view)!;
    const inView = (range.col1 - range.col0 + 1) * (range.row1 - range.row0 + 1);
    expect(progress.getState()).toMatchObject({ status: 'done', viewDone: inView, viewTotal: inView, scoredCells: inView, failedCells: 0 });
    expect(progress.getState().version).toBeGreaterThan(0);
    expect(overlays).toHaveLength(1);
    expect(overlays[0]!.last?.map).toBe(map);
    expect(overlays[0]!.last?.style).toMatchObject({ colormap: 'viridis', opacity: 0.6, smooth: true });
  });

  it('colours on the model card scale when normalisation is absolute', () => {
    const { settings, controller, overlays } = start();
    settings.setState({ enabled: true, normalisation: 'absolute' });
    expect(overlays[0]!.last?.style.normaliser).toEqual({ lo: -5, hi: -1 });
    expect(controller.overlayStyle(undefined).normaliser).toEqual({ lo: -5, hi: -1 });
  });

  it('keeps the old map when the model changes, and reuses it on returning without rescoring', async () => {
    const { pool, settings, controller, settle } = start();
    settings.setState({ enabled: true });
    await settle();
    const mapA = controller.scoreMap!;
    settings.setState({ modelId: 'b' });
    const mapB = controller.scoreMap!;
    expect(mapB).not.toBe(mapA);
    expect(pool.calls.at(-1)!.model).toEqual({ url: MODEL_B.url });
    await settle();
    const calls = pool.calls.length;
    settings.setState({ modelId: 'a' });
    expect(controller.scoreMap).toBe(mapA);
    await settle();
    expect(pool.calls).toHaveLength(calls); // every cell in view was already scored under model a
  });

  it('keeps eight maps and evicts the least recently used, not the oldest', () => {
    const { settings, controller } = start();
    settings.setState({ enabled: true });
    const strides = [128, 96, 100, 104, 108, 112, 116, 120]; // eight keys: slide|model|stride
    const maps = new Map<number, ScoreMap>();
    for (const stride of strides) {
      settings.setState({ stride });
      maps.set(stride, controller.scoreMap!);
    }
    settings.setState({ stride: 128 }); // the oldest, used again
    expect(controller.scoreMap).toBe(maps.get(128));
    settings.setState({ stride: 64 }); // a ninth map: 96, now the least recently used, goes
    settings.setState({ stride: 128 });
    expect(controller.scoreMap).toBe(maps.get(128));
    settings.setState({ stride: 100 });
    expect(controller.scoreMap).toBe(maps.get(100));
    settings.setState({ stride: 96 });
    expect(controller.scoreMap).not.toBe(maps.get(96));
  });

  it('startScan with the heatmap off turns it on and scores the whole slide', async () => {
    const { pool, settings, progress, controller, settle } = start();
    controller.startScan();
    expect(settings.getState().enabled).toBe(true);
    const map = controller.scoreMap!;
    expect(progress.getState().scan).toMatchObject({ running: true, cancelled: false, cellsDone: 0, cellsReused: 0, cellsTotal: map.state.length });
    await settle();
    expect(progress.getState().scan).toMatchObject({ running: false, cancelled: false, cellsDone: map.state.length, cellsTotal: map.state.length });
    expect(cellsOf(map, CellState.Done)).toBe(map.state.length);
    expect(pool.calls.every((c) => c.model.url === MODEL_A.url)).toBe(true);
  });

  it('a scan counts the cells already scored while browsing as reused', async () => {
    const { settings, progress, controller, settle } = start();
    settings.setState({ enabled: true });
    await settle();
    const browsed = cellsOf(controller.scoreMap!, CellState.Done);
    controller.startScan();
    expect(progress.getState().scan).toMatchObject({ running: true, cellsDone: browsed, cellsReused: browsed });
  });

  it('cancelScan drops the rest of the scan and goes back to the cells in view', async () => {
    const { pool, progress, controller, view, settle } = start();
    view.moveTo({ x: 0, y: 0, width: 600, height: 600 }); // 4 groups: one block answered below, the rest still to do
    await vi.runAllTimersAsync();
    controller.startScan();
    pool.answer(1);
    await vi.runAllTimersAsync();
    controller.cancelScan();
    expect(progress.getState().scan).toMatchObject({ running: false, cancelled: true });
    const map = controller.scoreMap!;
    const range = cellRangeIn(map.grid, view.view)!;
    const visible = (c: number) => {
      const col = c % map.grid.cols;
      const row = Math.floor(c / map.grid.cols);
      return col >= range.col0 && col <= range.col1 && row >= range.row0 && row <= range.row1;
    };
    expect(pool.waiting.length).toBeGreaterThan(0);
    expect(pool.waiting.every((w) => w.cells.some(visible))).toBe(true);
    await settle();
    expect(progress.getState()).toMatchObject({ status: 'done' });
    expect(progress.getState().scan).toMatchObject({ running: false, cancelled: true });
    expect(cellsOf(map, CellState.Done)).toBeLessThan(map.state.length); // the rest of the slide was left
    for (let c = 0; c < map.state.length; c++) if (visible(c)) expect(map.state[c]).toBe(CellState.Done);
  });

  it('re-plans for the new view when the user pans, but not during a scan', async () => {
    const { pool, settings, controller, view, settle } = start();
    settings.setState({ enabled: true });
    await settle();
    const calls = pool.calls.length;
    view.moveTo({ x: 1200, y: 900, width: 600, height: 500 });
    await vi.runAllTimersAsync();
    const fresh = pool.calls.slice(calls).flatMap((c) => c.cells);
    expect(fresh.length).toBeGreaterThan(0);
    const range = cellRangeIn(controller.scoreMap!.grid, view.view)!;
    expect(fresh.every((c) => c % controller.scoreMap!.grid.cols >= range.col0)).toBe(true);
    await settle();

    controller.startScan();
    const before = pool.waiting.map((w) => w.cells.join());
    view.moveTo({ x: 0, y: 0, width: 300, height: 300 });
    await vi.advanceTimersByTimeAsync(60); // past the re-plan delay, nothing answered
    expect(pool.waiting.map((w) => w.cells.join())).toEqual(before);
  });

  it('plans a jump to a region at once, and a pan under way once the re-plan interval is over, at its final view', async () => {
    const { pool, settings, view, controller, settle } = start();
    settings.setState({ enabled: true });
    await settle();
    await vi.advanceTimersByTimeAsync(100); // a quiet spell
    const calls = pool.calls.length;
    view.moveTo({ x: 1200, y: 900, width: 600, height: 500 });
    expect(pool.calls.length).toBeGreaterThan(calls); // no timer waited for
    // A pan: the changes within the interval are planned once, for where the view ends up.
    view.moveTo({ x: 1400, y: 500, width: 600, height: 500 });
    view.moveTo({ x: 1400, y: 0, width: 600, height: 500 });
    pool.answer();
    const before = pool.calls.length;
    await vi.advanceTimersByTimeAsync(60);
    const fresh = pool.calls.slice(before).flatMap((c) => c.cells);
    expect(fresh.length).toBeGreaterThan(0);
    const grid = controller.scoreMap!.grid;
    const range = cellRangeIn(grid, view.view)!;
    expect(fresh.every((c) => Math.floor(c / grid.cols) <= range.row1 && c % grid.cols >= range.col0)).toBe(true);
  });

  it('stops when the slide is closed', async () => {
    const { pool, settings, slides, progress, overlays, controller } = start();
    settings.setState({ enabled: true });
    expect(pool.waiting.length).toBeGreaterThan(0);
    slides.setState({ slide: undefined, status: 'idle' });
    expect(controller.scoreMap).toBeUndefined();
    expect(pool.waiting).toHaveLength(0); // in-flight requests were aborted
    expect(progress.getState()).toMatchObject({ status: 'off', viewDone: 0, viewTotal: 0, scan: undefined });
    expect(overlays[0]!.last?.map).toBeUndefined();
    await vi.runAllTimersAsync();
    expect(progress.getState().status).toBe('off'); // a late publish from the stopped runner changes nothing
  });

  it('scores a new slide in a new map once the viewer has opened it', () => {
    const { pool, settings, slides, view, controller } = start();
    settings.setState({ enabled: true });
    const first = controller.scoreMap;
    slides.setState({ slide: workersSlide(2, pool, 3000, 1000), status: 'loading' });
    view.open();
    expect(controller.scoreMap).not.toBe(first);
    expect(controller.scoreMap!.grid).toMatchObject({ width: 3000, height: 1000 });
  });

  it('says why there is no heatmap: no model, or a slide OpenSeadragon reads itself', () => {
    const none = start([]);
    none.settings.setState({ enabled: true });
    expect(none.progress.getState().error).toBe('No focus model is available: models/ has no .onnx file.');
    none.uninstall();

    const { settings, slides, progress, controller } = start();
    slides.setState({ slide: { kind: 'osd-url', id: 9, url: 'https://example.org/a.dzi', info: { name: 'a', format: 'image', vendor: 'Deep Zoom', compression: 'served tiles', levels: [] } } });
    settings.setState({ enabled: true });
    expect(controller.scoreMap).toBeUndefined();
    expect(progress.getState().error).toMatch(/^Deep Zoom and IIIF sources are shown as served/);
  });

  it('moves to a new viewer and releases the old one on uninstall', () => {
    const { viewers, overlays, view, uninstall } = start();
    const other = fakeViewer();
    viewers.setState({ viewer: other.viewer });
    expect(overlays).toHaveLength(2);
    expect(overlays[0]!.destroyed).toBe(true);
    expect(view.handlerCount()).toBe(0);
    expect(other.handlerCount()).toBe(2);
    uninstall();
    expect(overlays[1]!.destroyed).toBe(true);
    expect(other.handlerCount()).toBe(0);
    current = undefined;
  });
});
