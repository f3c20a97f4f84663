import { useEffect, useRef, useState } from 'react';
import { OutlineError, parseOutlines } from '../../heatmap/outline-shapes.ts';
import { useOutlineLayers } from '../state/outline-layers.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';
import { OutlineCanvas } from '../viewer/outline-layer.ts';

/** GeoJSON files larger than this are refused before reading (a focus export of a large slide is a few MB). */
const MAX_GEOJSON_BYTES = 200 * 1024 * 1024;

/** Binds the open slide's visible outline layers to the viewer. */
export function OutlineLayersView() {
  const viewer = useViewerStore((s) => s.viewer);
  const slideId = useSlideStore((s) => s.slide?.id);
  const layers = useOutlineLayers((s) => s.layers);
  const highlight = useOutlineLayers((s) => s.highlighted);
  const [canvas, setCanvas] = useState<OutlineCanvas>();
  useEffect(() => {
    if (!viewer) return;
    const c = new OutlineCanvas(viewer);
    setCanvas(c);
    return () => {
      c.destroy();
      setCanvas(undefined);
    };
  }, [viewer]);
  useEffect(
    () => canvas?.show(layers.filter((l) => l.slideId === slideId && l.visible).map((l) => l.outlines), highlight && highlight.slideId === slideId ? highlight.outlines : undefined),
    [canvas, layers, highlight, slideId],
  );
  return null;
}

/** Import GeoJSON outlines over the open slide; list, hide and remove them. */
export function OutlineLayersPanel() {
  const slideId = useSlideStore((s) => s.slide?.id);
  const { layers, error, add, remove, toggle, fail } = useOutlineLayers();
  const input = useRef<HTMLInputElement>(null);
  if (slideId === undefined) return null;
  const mine = layers.filter((l) => l.slideId === slideId);

  const importFile = async (file: File) => {
    try {
      if (file.size > MAX_GEOJSON_BYTES) throw new OutlineError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB: GeoJSON outlines over ${MAX_GEOJSON_BYTES / 2 ** 20} MB are not read.`);
      add(slideId, parseOutlines(await file.text(), file.name));
    } catch (err) {
      fail(err instanceof OutlineError ? err.message : `${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <div className="outline-layers" data-testid="outline-layers">
      <button type="button" onClick={() => input.current?.click()} title="Draw the polygons of a GeoJSON file (level-0 pixels, as QuPath and the focus export write them) over this slide">
        Import outlines (GeoJSON)…
      </button>
      <input
        ref={input}
        type="file"
        accept=".geojson,.json,application/geo+json,application/json"
        hidden
        data-testid="import-geojson"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void importFile(file);
        }}
      />
      {error && (
        <div role="alert" className="panel-alert" data-testid="outline-error">
          {error}
        </div>
      )}
      {mine.map((l) => (
        <div key={l.id} className="row" data-testid="outline-layer-item" data-shapes={l.outlines.shapes.length}>
          <label className="check">
            <input type="checkbox" checked={l.visible} onChange={() => toggle(l.id)} /> {l.outlines.name} ({l.outlines.shapes.length} shapes
            {l.outlines.skippedPoints ? `, ${l.outlines.skippedPoints} points not drawn` : ''})
          </label>
          <button type="button" onClick={() => remove(l.id)} aria-label={`Remove outlines ${l.outlines.name}`}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
