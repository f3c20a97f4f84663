import { useEffect, useState } from 'react';
import { useCurrentModel } from '../state/current-model.ts';
import { useMarkedAreas } from '../state/marked-areas.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';
import { AreaMarker } from '../viewer/area-marker.ts';
import { useAreaExamples } from './use-area-examples.ts';

/** Binds the marked areas to the viewer: draws them, and turns drags into new areas while the user is marking. */
export function AreaMarks() {
  const viewer = useViewerStore((s) => s.viewer);
  const drawing = useMarkedAreas((s) => s.drawing);
  const { areas, byArea } = useAreaExamples(useCurrentModel());
  const [marker, setMarker] = useState<AreaMarker>();

  useEffect(() => {
    if (!viewer) return;
    const m = new AreaMarker(viewer, {
      added: (label, rect) => {
        const slideId = useSlideStore.getState().slide?.id;
        if (slideId !== undefined) useMarkedAreas.getState().add(slideId, label, rect);
      },
      stop: () => useMarkedAreas.getState().draw(undefined),
    });
    setMarker(m);
    return () => {
      m.destroy();
      setMarker(undefined);
    };
  }, [viewer]);

  useEffect(() => marker?.setDrawing(drawing), [marker, drawing]);

  const captions = new Map([...byArea].map(([id, a]) => [id, a.pending > 0 ? `${a.scores.length} cells, ${a.pending} to score` : `${a.scores.length} cells`]));
  const captionKey = [...captions].join('|');
  useEffect(() => marker?.show(areas, captions), [marker, areas, captionKey]); // eslint-disable-line react-hooks/exhaustive-deps
  return null;
}
