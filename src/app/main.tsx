import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HeatmapOverlay } from '../heatmap/overlay.ts';
import { App } from './App.tsx';
import { useProfiles } from './state/calibration-profiles.ts';
import { useFocusProgress } from './state/focus-progress.ts';
import { useFocusSettings } from './state/focus-settings.ts';
import { currentModel } from './state/current-model.ts';
import { HeatmapController } from './state/heatmap-controller.ts';
import { installInspectionApi } from './state/inspection-api.ts';
import { useCheckStore } from './state/check-store.ts';
import { openFiles, openStartup } from './state/open-actions.ts';
import { QuickCheckSession } from './state/quick-check-session.ts';
import { useSlideStore } from './state/slide-store.ts';
import { useSlideQueue } from './state/slide-queue.ts';
import { useViewerStore } from './state/viewer-store.ts';
import { HeatmapContext } from './ui/heatmap-context.ts';
import { QuickCheckContext } from './ui/quick-check-context.ts';
import './ui/app.css';

const heatmap = new HeatmapController({
  settings: useFocusSettings,
  progress: useFocusProgress,
  slides: useSlideStore,
  viewers: useViewerStore,
  profiles: useProfiles,
  createOverlay: (viewer) => new HeatmapOverlay(viewer),
});
heatmap.install();
const quickCheck = new QuickCheckSession({ store: useCheckStore, slides: useSlideStore, openFiles, queueFiles: (files) => useSlideQueue.getState().add(files), currentModel });
installInspectionApi();
// Before the first render: the slide (a DICOMweb series' metadata, often the slowest request) starts loading while
// React and OpenSeadragon set up.
openStartup();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <HeatmapContext value={heatmap}>
      <QuickCheckContext value={quickCheck}>
        <App />
      </QuickCheckContext>
    </HeatmapContext>
  </StrictMode>,
);
