import OpenSeadragon from 'openseadragon';
import { useEffect, useRef } from 'react';
import { createSlideTileSource } from '../viewer/slide-tile-source.ts';
import { BitmapCanvasDrawer } from '../viewer/bitmap-canvas-drawer.ts';
import { TileModeSwap } from '../viewer/tile-mode-swap.ts';
import { loadFinestFirst } from '../viewer/finest-first.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';
import { useCheckStore } from '../state/check-store.ts';
import { useViewerKeys } from './keyboard.ts';
import { AreaMarks } from './AreaMarks.tsx';
import { OutlineLayersView } from './OutlineLayers.tsx';
import { Magnification } from './Magnification.tsx';
import { ScaleBar } from './ScaleBar.tsx';

/**
 * OpenSeadragon's WebGL drawer composites through a WebGL canvas; without a GPU (software SwiftShader, as in headless
 * or remote sessions) every frame's read-back costs hundreds of milliseconds of main thread, so use the 2D canvas
 * drawer there.
 */
function preferredDrawer(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return 'canvas';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software/i.test(renderer) ? 'canvas' : 'webgl';
  } catch {
    return 'canvas';
  }
}

/** The quick check panel lies over the viewer: keys then go to it, not to the slide underneath. */
const viewerCovered = () => useCheckStore.getState().open;

/** The slide is shown in grayscale under the heatmap (unless the user keeps its colour). */
const grayscaleNow = (s: { enabled: boolean; keepColour: boolean }) => s.enabled && !s.keepColour;

/** The deep-zoom canvas. Thin: it mirrors the slide store into OpenSeadragon and reports back the view status. */
export function Viewer() {
  const element = useRef<HTMLDivElement>(null);
  const slide = useSlideStore((s) => s.slide);
  const status = useSlideStore((s) => s.status);
  const viewer = useViewerStore((s) => s.viewer);
  const heatmap = useFocusProgress((s) => s.status);
  const scoredCells = useFocusProgress((s) => s.scoredCells);
  const viewCells = useFocusProgress((s) => `${s.viewDone}/${s.viewTotal}`);
  const grayscale = useFocusSettings(grayscaleNow);
  // Swaps the worker tiles between colour and grayscale for the open slide (see the effect that follows it).
  const modeSwap = useRef<TileModeSwap | undefined>(undefined);
  useViewerKeys(viewer, viewerCovered);

  useEffect(() => {
    if (!element.current) return;
    const osd = OpenSeadragon({
      element: element.current,
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorSizeRatio: 0.18,
      navigatorAutoFade: false,
      animationTime: 0.4,
      blendTime: 0,
      maxZoomPixelRatio: 4,
      visibilityRatio: 0.5,
      // A 1920×1080 view at level 0 is at most 15 of our 512² tiles: all are asked for at once (OpenSeadragon starts one
      // load per frame by default: 1.8 s to fill such a view with 256² tiles here), the view's own level first
      // (immediateRender) — OpenSeadragon's default puts coarser levels first, and a pan waited for them (bench:viewer,
      // pan → tiles drawn: 418–492 → 255–314 ms on the real-tissue mosaic; BENCHMARKS.md). Tiles already loaded at other
      // levels are still drawn while the new ones load.
      imageLoaderLimit: 16,
      maxTilesPerFrame: 16,
      immediateRender: true,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      gestureSettingsTouch: { pinchToZoom: true, flickEnabled: true },
      crossOriginPolicy: 'Anonymous',
      keyboardNavEnabled: true,
      drawer: preferredDrawer() === 'canvas' ? BitmapCanvasDrawer : 'webgl',
    } as OpenSeadragon.Options);
    osd.world.addHandler('add-item', (event) => loadFinestFirst(event.item));
    useViewerStore.getState().setViewer(osd);
    return () => {
      useViewerStore.getState().setViewer(undefined);
      osd.destroy();
    };
  }, []);

  // The navigator (minimap) shows where the view is; with the whole slide in view it tells nothing and would only
  // cover tissue in the corner, so it shows once the view is zoomed in.
  useEffect(() => {
    const navigator = viewer?.navigator?.element;
    if (!viewer || !navigator) return;
    const update = () => {
      const wholeSlide = viewer.viewport.getZoom(true) <= viewer.viewport.getHomeZoom() * 1.05;
      navigator.style.visibility = wholeSlide ? 'hidden' : '';
    };
    viewer.addHandler('update-viewport', update);
    update();
    return () => viewer.removeHandler('update-viewport', update);
  }, [viewer]);

  useEffect(() => {
    if (!viewer || !slide) return;
    const { setStatus, fail } = useSlideStore.getState();
    const { tileFailed, resetFailures } = useViewerStore.getState();
    resetFailures();
    const onOpen = () => {
      const item = viewer.world.getItemAt(0);
      if (!item) return;
      if (slide.kind === 'osd-url') {
        const size = item.source.dimensions;
        useSlideStore.setState({
          slide: { ...slide, info: { ...slide.info, levels: [{ width: size.x, height: size.y, tileWidth: 256, tileHeight: 256, downsample: 1 }] } },
        });
      }
      item.addHandler('fully-loaded-change', (event: { fullyLoaded: boolean }) => {
        if (event.fullyLoaded && useSlideStore.getState().status === 'loading') setStatus('ready');
      });
      if (item.getFullyLoaded()) setStatus('ready');
    };
    const onOpenFailed = (event: { message?: string }) => fail(`Could not open ${slide.info.name}: ${event.message ?? 'the tile source failed to load'}.`);
    const onTileFailed = (event: { message?: string }) => tileFailed(event.message ?? 'tile failed to load');
    viewer.addOnceHandler('open', onOpen);
    viewer.addOnceHandler('open-failed', onOpenFailed as OpenSeadragon.EventHandler<OpenSeadragon.OpenFailedEvent>);
    viewer.addHandler('tile-load-failed', onTileFailed as OpenSeadragon.EventHandler<OpenSeadragon.TileLoadFailedEvent>);
    type Spec = Parameters<typeof viewer.open>[0];
    const gray = grayscaleNow(useFocusSettings.getState());
    let swap: TileModeSwap | undefined;
    if (slide.kind === 'workers') {
      const { workers, id } = slide;
      swap = new TileModeSwap(viewer, (g) => createSlideTileSource(workers, id, g), gray);
      viewer.open(createSlideTileSource(workers, id, gray) as unknown as Spec);
    } else {
      viewer.open(slide.url as unknown as Spec);
    }
    modeSwap.current = swap;
    return () => {
      swap?.destroy();
      if (modeSwap.current === swap) modeSwap.current = undefined;
      viewer.removeHandler('open', onOpen);
      viewer.removeHandler('tile-load-failed', onTileFailed as OpenSeadragon.EventHandler<OpenSeadragon.TileLoadFailedEvent>);
    };
    // Re-open only when a different slide arrives (the osd-url info update keeps the same id).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [viewer, slide?.id]);

  // The workers render the slide's tiles in grayscale (a CSS filter on the canvas made the compositor filter the whole
  // viewer on every frame without a GPU: a fifth of the browser's CPU in bench:viewer); when the mode changes, the
  // other mode's image is loaded over the one on screen, which stays until it is replaced (TileModeSwap: resetting the
  // tiles blanked the slide on every heatmap toggle). Deep Zoom and IIIF sources keep the CSS filter.
  const workerTiles = slide?.kind === 'workers';
  useEffect(() => {
    modeSwap.current?.want(grayscale);
  }, [viewer, grayscale, slide?.id]);

  return (
    <div
      className={grayscale && !workerTiles ? 'viewer grayscale' : 'viewer'}
      data-testid="viewer"
      data-status={status}
      data-heatmap={heatmap}
      data-scored-cells={scoredCells}
      data-view-cells={viewCells}
      role="region"
      aria-label="Slide viewer"
    >
      <div ref={element} className="viewer-canvas" />
      <ScaleBar />
      <Magnification />
      <AreaMarks />
      <OutlineLayersView />
    </div>
  );
}
