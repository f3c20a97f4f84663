import { useEffect, useRef } from 'react';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';

const TARGET_PX = 140;

/** Round lengths for the bar: 1, 2, 5 × 10^k µm. */
export function niceLength(micronsPerScreenPixel: number): { microns: number; pixels: number; label: string } {
  const target = micronsPerScreenPixel * TARGET_PX;
  const power = 10 ** Math.floor(Math.log10(target));
  const microns = [1, 2, 5, 10].map((m) => m * power).filter((m) => m <= target).pop() ?? power;
  const label = microns >= 1000 ? `${microns / 1000} mm` : microns >= 1 ? `${microns} µm` : `${Math.round(microns * 1000)} nm`;
  return { microns, pixels: microns / micronsPerScreenPixel, label };
}

/** A scale bar from the slide's microns per pixel; updated straight in the DOM on every frame, not through React. */
export function ScaleBar() {
  const viewer = useViewerStore((s) => s.viewer);
  const mpp = useSlideStore((s) => s.slide?.info.mpp);
  const bar = useRef<HTMLDivElement>(null);
  const label = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!viewer || !mpp) return;
    let shown = '';
    const update = () => {
      const item = viewer.world.getItemAt(0);
      if (!item || !bar.current || !label.current) return;
      const imageZoom = item.viewportToImageZoom(viewer.viewport.getZoom(true));
      const scale = niceLength(mpp / imageZoom);
      // Only what changed: setting the same text replaces the text node and costs a style and layout pass every frame.
      const width = `${scale.pixels.toFixed(1)}px`;
      if (`${width} ${scale.label}` === shown) return;
      shown = `${width} ${scale.label}`;
      bar.current.style.width = width;
      label.current.textContent = scale.label;
    };
    viewer.addHandler('update-viewport', update);
    update();
    return () => viewer.removeHandler('update-viewport', update);
  }, [viewer, mpp]);

  if (!mpp) return null;
  return (
    <div className="scale-bar" data-testid="scale-bar" role="group" aria-label="Scale bar">
      <div ref={bar} className="scale-bar-line" />
      <span ref={label} />
    </div>
  );
}
