// The DICOMweb browser's state: a service URL (and an optional token, in memory only), a page of its slide studies,
// the series of the study picked. Opening a series hands it to the slide store. The page may only talk to the origin
// its Content-Security-Policy names, so another service's origin is reached by reloading with ?dicomweb=BASE.
import { create } from 'zustand';
import { listSlideSeriesRows, listSlideStudies, type SeriesRow, type StudyRow } from '../../slide/dicom/dicomweb.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import { useSlideStore } from './slide-store.ts';

export const STUDIES_PAGE = 25;

export interface DicomWebBrowserState {
  open: boolean;
  base: string;
  token: string;
  studies: StudyRow[];
  /** More studies may be on the server (the last page was full). */
  more: boolean;
  study?: string;
  series: SeriesRow[];
  busy: boolean;
  error?: string;
  show(base?: string): void;
  close(): void;
  set(patch: Partial<Pick<DicomWebBrowserState, 'base' | 'token'>>): void;
  /** Lists the service's studies from the start (or the next page). */
  list(next?: boolean): Promise<void>;
  pickStudy(study: string): Promise<void>;
  openSeries(series: string): void;
}

export interface DicomWebBrowserDeps {
  listStudies: typeof listSlideStudies;
  listSeries: typeof listSlideSeriesRows;
  openInput: (input: SlideInput) => void;
  /** The origins the page may contact (its own, and that of ?dicomweb=); another one needs a reload. */
  allowedOrigins: () => string[];
  reloadWith: (base: string) => void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createDicomWebBrowser(deps: DicomWebBrowserDeps) {
  return create<DicomWebBrowserState>((set, get) => ({
    open: false,
    base: '',
    token: '',
    studies: [],
    more: false,
    series: [],
    busy: false,
    show: (base) => set({ open: true, ...(base !== undefined ? { base } : {}), error: undefined }),
    close: () => set({ open: false }),
    set: (patch) => set(patch),

    async list(next = false) {
      const { base, token, studies } = get();
      let origin: string;
      try {
        origin = new URL(base).origin;
      } catch {
        set({ error: `“${base}” is not a URL (for example https://pacs.example.org/dicom-web).` });
        return;
      }
      if (!deps.allowedOrigins().includes(origin)) {
        deps.reloadWith(base); // the page's policy then names this origin
        return;
      }
      const offset = next ? studies.length : 0;
      set({ busy: true, error: undefined, ...(next ? {} : { studies: [], study: undefined, series: [] }) });
      try {
        const page = await deps.listStudies(base, token || undefined, { offset, limit: STUDIES_PAGE });
        set({ studies: [...(next ? studies : []), ...page], more: page.length === STUDIES_PAGE, busy: false });
        if (!next && page.length === 0) set({ error: 'No study with slide-microscopy (SM) images on this service.' });
      } catch (err) {
        set({ busy: false, error: message(err) });
      }
    },

    async pickStudy(study) {
      const { base, token } = get();
      set({ study, series: [], busy: true, error: undefined });
      try {
        const series = await deps.listSeries(base, study, token || undefined);
        set({ series, busy: false, ...(series.length === 0 ? { error: 'This study has no slide-microscopy (SM) series.' } : {}) });
      } catch (err) {
        set({ busy: false, error: message(err) });
      }
    },

    openSeries(series) {
      const { base, token, study } = get();
      if (!study) return;
      deps.openInput({ kind: 'dicomweb', base, study, series, ...(token ? { token } : {}) });
      set({ open: false });
    },
  }));
}

/** This page's origin and its ?dicomweb= origin: the ones its policy names. */
function pageOrigins(): string[] {
  const base = new URLSearchParams(location.search).get('dicomweb');
  try {
    return base ? [location.origin, new URL(base, location.href).origin] : [location.origin];
  } catch {
    return [location.origin];
  }
}

export const useDicomWebBrowser = createDicomWebBrowser({
  listStudies: listSlideStudies,
  listSeries: listSlideSeriesRows,
  openInput: (input) => void useSlideStore.getState().openInput(input),
  allowedOrigins: pageOrigins,
  reloadWith: (base) => location.assign(`${location.pathname}?dicomweb=${encodeURIComponent(base)}`),
});
