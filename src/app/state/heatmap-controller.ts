import type OpenSeadragon from 'openseadragon';
import type { StoreApi } from 'zustand';
import { FocusRunner } from '../../focus/focus-runner.ts';
import { PATCH } from '../../focus/patch-grid.ts';
import { advanceScan, beginScan, cancelledScan, type ScanState } from '../../focus/scan-progress.ts';
import { ScoreMap } from '../../focus/score-map.ts';
import { slideGrid } from '../../focus/slide-grid.ts';
import type { OverlayStyle } from '../../heatmap/overlay.ts';
import { LruCache } from '../../slide/lru.ts';
import { FrameThrottle, type RequestFrame } from './frame-throttle.ts';
import type { FocusProgress } from './focus-progress.ts';
import type { FocusSettings } from './focus-settings.ts';
import { activeProfile, type ProfilesState } from './calibration-profiles.ts';
import { activeThreshold, MODELS, modelById, modelRefOf, type ModelEntry } from './models.ts';
import { absoluteNormaliser } from '../../heatmap/normalise.ts';
import type { OpenSlide, ViewerStatus } from './slide-store.ts';
import { ViewerBinding, type ScoreOverlay } from './viewer-binding.ts';

/** Score maps kept per slide, model and stride, so toggling the heatmap or returning to a model rescores nothing. */
const MAX_CACHED_MAPS = 8;

/** Results arrive hundreds of times a second; redrawing the heatmap and panels for each took a third of a core in
 * software rendering (bench:scan) and made long main-thread tasks while browsing (bench:viewer). So progress is
 * shown at most every 100 ms while browsing and 500 ms during a scan; the final state at once. A whole-slide scan's
 * redraws at 250 ms still kept the page's main thread busy for a third of the scan, on the cores the workers need. */
const SCAN_PUBLISH_MS = 500;
const VIEW_PUBLISH_MS = 100;
/** Re-plan at most this often while the user pans (each plan drops work that left the view). */
const VIEW_REPLAN_MS = 50;

const NO_MODEL = 'No focus model is available: models/ has no .onnx file.';
const VIEW_ONLY = 'Deep Zoom and IIIF sources are shown as served and cannot be scored; open the slide file itself (or its URL) for the heatmap.';

/** Settings that change what is scored or drawn (keep-colour and the tolerance do not; the QC threshold changes the
 * hover's verdicts). */
const DRAWN_SETTINGS = ['enabled', 'modelId', 'stride', 'colormap', 'opacity', 'smooth', 'outline', 'qcThreshold', 'normalisation', 'swipe'] as const;

type Watched<T> = Pick<StoreApi<T>, 'getState' | 'subscribe'>;

export interface HeatmapControllerOptions {
  settings: StoreApi<FocusSettings>;
  progress: StoreApi<FocusProgress>;
  slides: Watched<{ slide?: OpenSlide; status: ViewerStatus }>;
  viewers: Watched<{ viewer?: OpenSeadragon.Viewer }>;
  /** The saved calibration profiles: the model's active one sets the out-of-focus point of outlines and the hover. */
  profiles?: Watched<Pick<ProfilesState, 'profiles' | 'active'>>;
  /** Draws the scores over a viewer: `new HeatmapOverlay(viewer)` in the page. */
  createOverlay: (viewer: OpenSeadragon.Viewer) => ScoreOverlay;
  /** The models to pick from (default: those in models/). */
  models?: readonly ModelEntry[];
  requestFrame?: RequestFrame;
}

/**
 * Glue between the focus stores, the OpenSeadragon viewer and the scoring runner; no React. One instance per app:
 * `install()` follows the stores, the panels call `startScan`/`cancelScan` and read `scoreMap`.
 */
export class HeatmapController {
  private readonly maps = new LruCache<string, ScoreMap>(MAX_CACHED_MAPS, () => 1); // every map counts one
  /** `key`: this opening of the slide (its workers); `content`: the slide's pixels, for caches that outlive it. */
  private current: { key: string; runner: FocusRunner; content: string } | undefined;
  /** Whole-slide scans that ran to the end, by slide, model and stride: their verdicts stay when the heatmap is off. */
  private readonly finished = new Map<string, { map: ScoreMap; scan: ScanState }>();
  private binding: ViewerBinding | undefined;
  private readonly publisher: FrameThrottle;
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  /** The view changed since the last plan, while the re-plan interval runs (see onViewChange). */
  private viewPending = false;

  constructor(private readonly options: HeatmapControllerOptions) {
    this.publisher = new FrameThrottle(() => this.render(), options.requestFrame);
  }

  /** Follows the stores from now on; returns the function that stops following and releases the viewer. */
  install(): () => void {
    const { settings, slides, viewers, profiles } = this.options;
    const unsubscribe = [
      ...(profiles
        ? [
            profiles.subscribe((s, prev) => {
              if (s.active !== prev.active || s.profiles !== prev.profiles) this.sync();
            }),
          ]
        : []),
      settings.subscribe((s, prev) => {
        if (DRAWN_SETTINGS.some((k) => s[k] !== prev[k])) this.sync();
      }),
      slides.subscribe((s, prev) => {
        if (s.slide?.id !== prev.slide?.id || s.status !== prev.status) this.sync();
      }),
      viewers.subscribe((s, prev) => {
        if (s.viewer !== prev.viewer) this.sync();
      }),
    ];
    this.sync();
    return () => {
      for (const stop of unsubscribe) stop();
      this.stopRunner();
      this.binding?.destroy();
      this.binding = undefined;
      clearTimeout(this.viewTimer);
      this.viewTimer = undefined;
      this.publisher.cancel();
    };
  }

  /** The scores of the open slide under the current model and stride, while the heatmap is on. */
  get scoreMap(): ScoreMap | undefined {
    return this.current?.runner.map;
  }

  /**
   * How the overlay (and the PNG export) colours `map` with the current settings and model card: the absolute scale
   * is the card's defocus grades 0–10 (its raw display range for uncalibrated models); outlines and the QC verdicts
   * use the one threshold in force (activeThreshold: the user's, else the profile's, else the card's).
   */
  overlayStyle(map: ScoreMap | undefined): OverlayStyle {
    const s = this.options.settings.getState();
    const model = this.model();
    const card = model?.card;
    const profile = this.options.profiles ? activeProfile(this.options.profiles.getState(), model) : undefined;
    const normaliser = (s.normalisation === 'absolute' ? absoluteNormaliser(card) : undefined) ?? map?.range.normaliser();
    // One threshold: the outlines are the cells the verdicts call out of focus.
    const verdict = activeThreshold(card, { user: s.qcThreshold, profile }).scale;
    const outline = s.outline ? verdict?.threshold : undefined;
    return {
      colormap: s.colormap,
      opacity: s.opacity,
      smooth: s.smooth,
      ...(outline !== undefined ? { threshold: outline } : {}),
      ...(normaliser ? { normaliser } : {}),
      ...(verdict ? { verdict } : {}),
      ...(s.swipe !== undefined ? { swipe: s.swipe } : {}),
    };
  }

  /**
   * The last whole-slide scan that ran to the end on the open slide with the chosen model, whether the heatmap is on
   * or not (turning it off or trying another model must not take the verdict away).
   */
  lastScan(): { map: ScoreMap; scan: ScanState } | undefined {
    const { slide } = this.options.slides.getState();
    const model = this.model();
    if (slide?.kind !== 'workers' || !model) return undefined;
    return this.finished.get(contentKey(slide, model.id, this.options.settings.getState().stride));
  }

  /** Scores every tissue cell of the slide with the same workers (turning the heatmap on if it is off); cells already
   * scored are reused. */
  startScan(): void {
    const { settings, progress } = this.options;
    if (!settings.getState().enabled) settings.setState({ enabled: true });
    const runner = this.sync();
    if (!runner) return;
    const { width, height } = runner.map.grid;
    progress.setState({ scan: beginScan(runner.map.state, performance.now()) });
    runner.setScanMode(true);
    runner.setView({ x: 0, y: 0, width, height });
  }

  /** Stops the scan and goes back to scoring what is on screen; the rest of the scan queue is dropped. */
  cancelScan(): void {
    const { progress } = this.options;
    const scan = progress.getState().scan;
    if (!scan?.running) return;
    progress.setState({ scan: cancelledScan(scan) });
    this.current?.runner.setScanMode(false);
    const rect = this.binding?.viewRect();
    if (rect) this.current?.runner.setView(rect);
  }

  private model(): ModelEntry | undefined {
    return modelById(this.options.settings.getState().modelId, this.options.models ?? MODELS);
  }

  private scanning(): boolean {
    return this.options.progress.getState().scan?.running === true;
  }

  /** Brings the viewer binding and the runner in line with the stores; returns the runner when the heatmap can run. */
  private readonly sync = (): FocusRunner | undefined => {
    const { settings, progress, slides, viewers } = this.options;
    const viewer = viewers.getState().viewer;
    if (this.binding && this.binding.viewer !== viewer) {
      this.binding.destroy();
      this.binding = undefined;
    }
    if (viewer && !this.binding) {
      this.binding = new ViewerBinding(viewer, this.options.createOverlay(viewer), { viewChanged: this.onViewChange, opened: this.sync });
    }
    const focus = settings.getState();
    const { status, error } = progress.getState();
    const { slide } = slides.getState();
    const model = this.model();
    const binding = this.binding;
    if (!focus.enabled || !binding?.hasImage() || slide?.kind !== 'workers' || !model) {
      if (this.current || status !== 'off') this.stopRunner();
      if (focus.enabled && !model && !error) progress.setState({ error: NO_MODEL });
      if (focus.enabled && slide?.kind === 'osd-url' && error !== VIEW_ONLY) progress.setState({ error: VIEW_ONLY });
      return undefined;
    }
    const key = `${slide.id}|${model.id}|${focus.stride}`;
    if (this.current?.key !== key) {
      this.current?.runner.stop();
      progress.setState({ scan: undefined });
      const workers = slide.workers;
      // A worker still rendering the view's tiles takes no blocks yet (the image first, see FocusRunner).
      const imageLoading = (worker: number) => binding.imageLoading() && (workers.rendering?.(worker) ?? true);
      const runner = new FocusRunner(workers, this.mapFor(contentKey(slide, model.id, focus.stride), slide, focus.stride), modelRefOf(model), this.publish, imageLoading);
      this.current = { key, runner, content: contentKey(slide, model.id, focus.stride) };
      progress.setState({ error: undefined });
      const rect = binding.viewRect();
      if (rect) runner.setView(rect);
    }
    const map = this.current.runner.map;
    binding.overlay.update(map, this.overlayStyle(map));
    return this.current.runner;
  };

  private mapFor(key: string, slide: OpenSlide, stride: number): ScoreMap {
    let map = this.maps.get(key);
    if (!map) {
      const level0 = slide.info.levels[0]!;
      map = new ScoreMap(slideGrid(level0.width, level0.height, PATCH, stride));
      this.maps.set(key, map);
    }
    return map;
  }

  private stopRunner(): void {
    this.current?.runner.stop();
    this.current = undefined;
    this.binding?.overlay.update(undefined, this.overlayStyle(undefined));
    this.options.progress.setState({ scan: undefined, status: 'off', viewDone: 0, viewTotal: 0 });
  }

  /** The runner reported progress: publish it, throttled (see SCAN_PUBLISH_MS). */
  private readonly publish = (): void => {
    const urgent = !this.current?.runner.busy; // finished (or stopped): show it on the next frame
    this.publisher.request(this.scanning() ? SCAN_PUBLISH_MS : VIEW_PUBLISH_MS, urgent);
  };

  private render(): void {
    const runner = this.current?.runner;
    if (!runner) return;
    const p = runner.progress();
    const scan = this.options.progress.getState().scan;
    let nextScan = scan;
    if (scan?.running) {
      nextScan = advanceScan(scan, p, runner.map.grid.stride, performance.now());
      if (!p.busy) runner.setScanMode(false);
      if (!nextScan.running && !nextScan.cancelled && this.current) {
        this.finished.delete(this.current.content);
        this.finished.set(this.current.content, { map: runner.map, scan: nextScan });
        // As many as the score cache holds, oldest out first.
        for (const oldest of this.finished.keys()) if (this.finished.size > MAX_CACHED_MAPS) this.finished.delete(oldest);
      }
    }
    this.options.progress.setState((s) => ({
      status: p.busy ? 'scoring' : 'done',
      scoredCells: runner.map.scored,
      viewDone: p.done,
      viewTotal: p.total,
      error: p.error,
      failedCells: p.failed,
      lastFailure: p.lastFailure,
      version: s.version + 1,
      scan: nextScan,
    }));
    this.binding?.overlay.update(runner.map, this.overlayStyle(runner.map));
  }

  /**
   * A view change after a quiet spell is planned at once (a jump to a region: its first jobs go out as soon as the
   * image lets them, not VIEW_REPLAN_MS later); changes that follow within VIEW_REPLAN_MS (a pan under way) are planned
   * once the interval is over, reading the view then, so the final position is always planned.
   */
  private readonly onViewChange = (): void => {
    if (this.viewTimer) {
      this.viewPending = true;
      return;
    }
    this.replan();
    this.viewPending = false;
    const settle = () => {
      if (!this.viewPending) {
        this.viewTimer = undefined;
        return;
      }
      this.viewPending = false;
      this.replan();
      this.viewTimer = setTimeout(settle, VIEW_REPLAN_MS);
    };
    this.viewTimer = setTimeout(settle, VIEW_REPLAN_MS);
  };

  private replan(): void {
    if (this.scanning()) return; // a whole-slide scan keeps its plan whatever the user looks at
    const rect = this.binding?.viewRect();
    if (rect && this.current) this.current.runner.setView(rect);
  }
}

/**
 * Scores and finished scans belong to the slide's pixels, not to one opening of it: the same file opened again (from
 * the slide queue, or picked again) finds them. Name, level-0 size and byte length tell slides apart.
 */
function contentKey(slide: OpenSlide, modelId: string, stride: number): string {
  const l0 = slide.info.levels[0];
  return `${slide.info.name}|${l0?.width ?? 0}x${l0?.height ?? 0}|${slide.info.byteLength ?? ''}|${modelId}|${stride}`;
}
