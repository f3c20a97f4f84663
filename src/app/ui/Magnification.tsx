import OpenSeadragon from 'openseadragon';
import { useEffect, useRef } from 'react';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';

/** Objective magnifications pathologists think in. */
export const PRESETS = [5, 10, 20, 40] as const;

/**
 * The microscope convention: a 40× scan is about 0.25 µm per pixel, so a slide shown at `imageZoom` screen pixels per
 * level-0 pixel looks like a 10 / mpp × imageZoom objective. (A screen pixel is not a camera pixel; this is the
 * convention viewers use, not an optical equivalence.)
 */
export function magnificationAt(mpp: number, imageZoom: number): number {
  return (10 / mpp) * imageZoom;
}

/** The live magnification of the view, with 5×/10×/20×/40× presets (centred where the view is); needs the pixel size. */
export function Magnification() {
  const viewer = useViewerStore((s) => s.viewer);
  const mpp = useSlideStore((s) => s.slide?.info.mpp);
  const readout = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!viewer || !mpp) return;
    // Straight into the DOM on every frame, as the scale bar: no React render while zooming.
    const update = () => {
      const item = viewer.world.getItemAt(0);
      if (!item || !readout.current) return;
      const m = magnificationAt(mpp, item.viewportToImageZoom(viewer.viewport.getZoom(true)));
      // Only what changed: setting the same text replaces the text node and costs a style and layout pass every frame.
      const text = `${m >= 10 ? m.toFixed(0) : m.toFixed(1)}×`;
      if (readout.current.textContent !== text) readout.current.textContent = text;
      if (readout.current.dataset.value !== m.toFixed(3)) readout.current.dataset.value = m.toFixed(3);
    };
    viewer.addHandler('update-viewport', update);
    update();
    return () => viewer.removeHandler('update-viewport', update);
  }, [viewer, mpp]);

  if (!mpp) return null;
  const go = (m: number) => {
    const item = viewer?.world.getItemAt(0);
    if (!viewer || !item) return;
    viewer.viewport.zoomTo(item.imageToViewportZoom((m * mpp) / 10), viewer.viewport.getCenter(true) as OpenSeadragon.Point);
  };
  return (
    <div className="magnification" role="group" aria-label="Magnification">
      <span ref={readout} data-testid="magnification" title="Magnification of the view (40× ≈ 0.25 µm per screen pixel)" />
      {PRESETS.map((m) => (
        <button key={m} type="button" onClick={() => go(m)} data-testid={`magnification-${m}`} title={`Show the slide as a ${m}× objective would`}>
          {m}×
        </button>
      ))}
    </div>
  );
}
