import type OpenSeadragon from 'openseadragon';
import { create } from 'zustand';

/** The live OpenSeadragon viewer, for components that draw on it or read its viewport (scale bar, overlays). */
interface ViewerState {
  viewer?: OpenSeadragon.Viewer;
  /** Tiles that failed to load or decode in the current slide: shown as missing, counted for the status line. */
  failedTiles: number;
  lastTileError?: string;
  setViewer(viewer: OpenSeadragon.Viewer | undefined): void;
  tileFailed(message: string): void;
  resetFailures(): void;
}

export const useViewerStore = create<ViewerState>((set) => ({
  failedTiles: 0,
  setViewer: (viewer) => set({ viewer }),
  tileFailed: (message) => set((s) => ({ failedTiles: s.failedTiles + 1, lastTileError: message })),
  resetFailures: () => set({ failedTiles: 0, lastTileError: undefined }),
}));
