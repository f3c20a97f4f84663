import type OpenSeadragon from 'openseadragon';
import { FocusRunner } from '../../focus/focus-runner.ts';
import { ScoreMap } from '../../focus/score-map.ts';
import { slideGrid, type Rect } from '../../focus/slide-grid.ts';
import { PATCH } from '../../focus/patch-grid.ts';
import { HeatmapOverlay, type OverlayStyle } from '../../heatmap/overlay.ts';
import { useFocusStore } from './focus-store.ts';
import { MODELS } from './models.ts';
import { useSlideStore } from './slide-store.ts';
import { useViewerStore } from './viewer-store.ts';
import { CellState } from '../../focus/cell-state.ts';

// Glue between the stores, the OpenSeadragon viewer and the scoring runner; no React. Score maps are cached per
// slide, model and stride, so toggling the heatmap or returning to a region never rescores anything.

const MAX_CACHED_MAPS = 8;
const maps = new Map<string, ScoreMap>();
let runner: { key: string; runner: FocusRunner } | undefined;
let overlay: { viewer: OpenSeadragon.Viewer; overlay: HeatmapOverlay } | undefined;
let frame = 0;

export function currentScoreMap(): ScoreMap | undefined {
  return runner?.runner.map;
}

export function currentModel() {
  const id = useFocusStore.getState().modelId;
  return MODELS.find((m) => m.id === id);
}

function viewRect(viewer: OpenSeadragon.Viewer): Rect | undefined {
  const item = viewer.world.getItemAt(0);
  if (!item) return undefined;
  const r = item.viewportToImageRectangle(viewer.viewport.getBounds(true));
  return { x: r.x, y: r.y, width: r.width, height: r.height };
}

export function overlayStyle(map: ScoreMap | undefined): OverlayStyle {
  const s = useFocusStore.getState();
  const scale = currentModel()?.card.displayScale;
  const normaliser = s.normalisation === 'absolute' && scale ? { lo: scale[0], hi: scale[1] } : map?.range.normaliser();
  return { colormap: s.colormap, opacity: s.opacity, smooth: s.smooth, threshold: s.threshold, ...(normaliser ? { normaliser } : {}) };
}

/** Results arrive hundreds of times a second; redrawing the heatmap and panels for each took a third of a core in
 * software rendering (bench:scan) and made long main-thread tasks while browsing (bench:viewer). So progress is
 * shown at most every 100 ms while browsing and 250 ms during a scan; the final state at once. */
const SCAN_PUBLISH_MS = 250;
const VIEW_PUBLISH_MS = 100;
let lastPublish = 0;
let publishTimer: ReturnType<typeof setTimeout> | undefined;

function publish(): void {
  const urgent = !runner?.runner.busy; // finished (or stopped): show it on the next frame
  if (publishTimer !== undefined && !urgent) return; // already scheduled: it reads the latest progress when it runs
  clearTimeout(publishTimer);
  const interval = scanning() ? SCAN_PUBLISH_MS : VIEW_PUBLISH_MS;
  const wait = urgent ? 0 : Math.max(0, lastPublish + interval - performance.now());
  publishTimer = setTimeout(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(render);
  }, wait);
}

function render(): void {
  publishTimer = undefined;
  lastPublish = performance.now();
  const r = runner?.runner;
  if (!r) return;
  const p = r.progress();
  const scan = useFocusStore.getState().scan;
  let nextScan = scan;
  if (scan?.running) {
    const elapsedMs = performance.now() - scan.startedAt;
    const newlyDone = p.done - scan.cellsReused;
    const rate = elapsedMs > 0 ? newlyDone / elapsedMs : 0; // cells per ms
    const cellArea = r.map.grid.stride ** 2;
    if (!p.busy) r.setScanMode(false);
    nextScan = {
      ...scan,
      running: p.busy,
      elapsedMs,
      cellsDone: p.done,
      cellsTotal: p.total,
      megapixelsPerSecond: (rate * cellArea * 1000) / 1e6,
      etaSeconds: rate > 0 ? (p.total - p.done) / rate / 1000 : Number.NaN,
    };
  }
  useFocusStore.setState((s) => ({
    status: p.busy ? 'scoring' : 'done',
    scoredCells: r.map.scored,
    viewDone: p.done,
    viewTotal: p.total,
    error: p.error,
    failedCells: p.failed,
    lastFailure: p.lastFailure,
    version: s.version + 1,
    scan: nextScan,
  }));
  overlay?.overlay.update(r.map, overlayStyle(r.map));
}

/** Scores every tissue cell of the slide with the same workers; cells already scored are reused. */
export function startScan(): void {
  const focus = useFocusStore.getState();
  if (!focus.enabled) useFocusStore.setState({ enabled: true }); // sync() creates the runner
  const r = runner?.runner;
  const slide = useSlideStore.getState().slide;
  if (!r || !slide) return;
  const { width, height } = slide.info.levels[0]!;
  const reused = r.map.state.reduce((n, s) => n + (s === CellState.Done ? 1 : 0), 0);
  useFocusStore.setState({
    scan: { running: true, cancelled: false, startedAt: performance.now(), elapsedMs: 0, cellsDone: reused, cellsTotal: r.map.state.length, cellsReused: reused, megapixelsPerSecond: 0, etaSeconds: Number.NaN },
  });
  r.setScanMode(true);
  r.setView({ x: 0, y: 0, width, height });
}

export function cancelScan(): void {
  const scan = useFocusStore.getState().scan;
  if (!scan?.running) return;
  useFocusStore.setState({ scan: { ...scan, running: false, cancelled: true } });
  runner?.runner.setScanMode(false);
  const viewer = overlay?.viewer;
  const rect = viewer && viewRect(viewer);
  if (rect) runner?.runner.setView(rect); // back to what is on screen: the rest of the scan queue is dropped
}

function scanning(): boolean {
  return useFocusStore.getState().scan?.running === true;
}

function stopRunner(): void {
  runner?.runner.stop();
  runner = undefined;
  useFocusStore.setState({ scan: undefined });
  overlay?.overlay.update(undefined, overlayStyle(undefined));
  useFocusStore.setState({ status: 'off', viewDone: 0, viewTotal: 0 });
}

let viewTimer: ReturnType<typeof setTimeout> | undefined;
function onViewChange(): void {
  // Re-plan at most every 50 ms while the user pans (each plan drops work that left the view); the final position
  // is always planned.
  if (viewTimer) return;
  viewTimer = setTimeout(() => {
    viewTimer = undefined;
    if (scanning()) return; // a whole-slide scan keeps its plan whatever the user looks at
    const viewer = overlay?.viewer;
    const rect = viewer && viewRect(viewer);
    if (rect && runner) runner.runner.setView(rect);
  }, 50);
}

function sync(): void {
  const viewer = useViewerStore.getState().viewer;
  if (overlay && overlay.viewer !== viewer) {
    overlay.overlay.destroy();
    overlay.viewer.removeHandler('viewport-change', onViewChange);
    overlay.viewer.removeHandler('open', sync);
    overlay = undefined;
  }
  if (viewer && !overlay) {
    overlay = { viewer, overlay: new HeatmapOverlay(viewer) };
    viewer.addHandler('viewport-change', onViewChange);
    viewer.addHandler('open', sync);
  }
  const focus = useFocusStore.getState();
  const { slide } = useSlideStore.getState();
  const model = currentModel();
  const item = viewer?.world.getItemAt(0);
  if (!focus.enabled || !viewer || !item || slide?.kind !== 'workers' || !model) {
    if (runner || focus.status !== 'off') stopRunner();
    if (focus.enabled && !model && !focus.error) useFocusStore.setState({ error: 'No focus model is available: models/ has no .onnx file.' });
    const viewOnly = 'Deep Zoom and IIIF sources are shown as served and cannot be scored; open the slide file itself (or its URL) for the heatmap.';
    if (focus.enabled && slide?.kind === 'osd-url' && focus.error !== viewOnly) useFocusStore.setState({ error: viewOnly });
    return;
  }
  const key = `${slide.id}|${model.id}|${focus.stride}`;
  if (runner?.key !== key) {
    runner?.runner.stop();
    useFocusStore.setState({ scan: undefined });
    let map = maps.get(key);
    if (!map) {
      const level0 = slide.info.levels[0]!;
      map = new ScoreMap(slideGrid(level0.width, level0.height, PATCH, focus.stride));
      maps.set(key, map);
      while (maps.size > MAX_CACHED_MAPS) maps.delete(maps.keys().next().value as string);
    }
    runner = { key, runner: new FocusRunner(slide.workers, map, model.url, publish) };
    useFocusStore.setState({ error: undefined });
    const rect = viewRect(viewer);
    if (rect) runner.runner.setView(rect);
  }
  overlay?.overlay.update(runner.runner.map, overlayStyle(runner.runner.map));
}

let installed = false;
/** Wires the stores together once; safe to call repeatedly. */
export function installFocusController(): void {
  if (installed) return;
  installed = true;
  // Settings drive sync; progress fields (status, counts, version) are outputs and must not.
  const settings = ['enabled', 'modelId', 'stride', 'colormap', 'opacity', 'smooth', 'threshold', 'normalisation'] as const;
  useFocusStore.subscribe((s, prev) => {
    if (settings.some((k) => s[k] !== prev[k])) sync();
  });
  useSlideStore.subscribe((s, prev) => {
    if (s.slide?.id !== prev.slide?.id || s.status !== prev.status) sync();
  });
  useViewerStore.subscribe((s, prev) => {
    if (s.viewer !== prev.viewer) sync();
  });
  sync();
}
