import { create } from 'zustand';
import type { SlideInfo } from '../../slide/types.ts';
import { SlideWorkers } from '../../workers/slide-workers.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';

export type ViewerStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the viewer shows: our own slide workers, or a DZI/IIIF source OpenSeadragon reads itself. */
export type OpenSlide =
  | { kind: 'workers'; id: number; workers: SlideWorkers; info: SlideInfo }
  | { kind: 'osd-url'; id: number; url: string; info: SlideInfo };

interface SlideState {
  status: ViewerStatus;
  slide?: OpenSlide;
  error?: string;
  /** `metadata`: a DICOMweb series' metadata already being fetched (undefined when that failed: fetched again). */
  openInput(input: SlideInput, metadata?: Promise<ArrayBuffer | undefined>): Promise<void>;
  openOsdUrl(url: string): void;
  setStatus(status: ViewerStatus): void;
  fail(message: string): void;
  dismissError(): void;
}

/** URLs OpenSeadragon reads natively (Deep Zoom and IIIF Image API); everything else goes through our readers. */
export function isOsdNativeUrl(url: string): boolean {
  return /\.dzi(\?|#|$)/i.test(url) || /info\.json(\?|#|$)/i.test(url);
}

/** Starts the slide workers for an input (SlideWorkers.open in the page); rejects, or is closed, when aborted. */
export type OpenWorkers = (input: SlideInput, signal: AbortSignal) => Promise<SlideWorkers>;

const openWorkers: OpenWorkers = (input, signal) => SlideWorkers.open(input, undefined, signal);

/** The open slide and its loading status; the app has one (useSlideStore), tests make their own. */
export function createSlideStore(open: OpenWorkers = openWorkers) {
  /** Ids tell slides apart (the heatmap's score maps, the viewer's tile URLs). */
  let nextId = 1;
  /** The slide being opened: opening another abandons it. */
  let opening: AbortController | undefined;

  return create<SlideState>((set, get) => ({
    status: 'idle',

    async openInput(input, metadata) {
      opening?.abort();
      const controller = new AbortController();
      opening = controller;
      set({ status: 'loading', error: undefined });
      try {
        const early = input.kind === 'dicomweb' && !input.metadata ? await metadata : undefined;
        if (controller.signal.aborted) return; // another slide was asked for meanwhile
        const workers = await open(early && input.kind === 'dicomweb' ? { ...input, metadata: early } : input, controller.signal);
        if (controller.signal.aborted) {
          workers.close();
          return;
        }
        closeSlide(get().slide);
        set({ slide: { kind: 'workers', id: nextId++, workers, info: workers.info }, status: 'loading' });
      } catch (err) {
        if (controller.signal.aborted) return;
        get().fail(err instanceof Error ? err.message : String(err));
      }
    },

    openOsdUrl(url) {
      opening?.abort();
      closeSlide(get().slide);
      const name = decodeURIComponent(url.split('/').filter(Boolean).slice(-2).join('/'));
      const info: SlideInfo = { name, format: 'image', vendor: url.endsWith('.dzi') ? 'Deep Zoom' : 'IIIF', compression: 'served tiles', levels: [] };
      set({ slide: { kind: 'osd-url', id: nextId++, url, info }, status: 'loading', error: undefined });
    },

    setStatus(status) {
      set({ status });
    },

    fail(message) {
      set({ status: 'error', error: message });
    },

    dismissError() {
      set((s) => ({ error: undefined, status: s.status === 'error' ? (s.slide ? 'ready' : 'idle') : s.status }));
    },
  }));
}

export const useSlideStore = createSlideStore();

function closeSlide(slide: OpenSlide | undefined): void {
  if (slide?.kind === 'workers') slide.workers.close();
}
