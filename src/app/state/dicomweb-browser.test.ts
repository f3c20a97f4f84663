import { describe, expect, it, vi } from 'vitest';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import { createDicomWebBrowser, STUDIES_PAGE } from './dicomweb-browser.ts';

const BASE = 'http://pacs.test/dicom-web';

function browser(options: { studies?: number; allowed?: string } = {}) {
  const all = Array.from({ length: options.studies ?? 3 }, (_, i) => ({ study: `1.2.${i}`, date: '20261206', description: `study ${i}`, series: 1 }));
  const deps = {
    listStudies: vi.fn(async (_base: string, _token: string | undefined, page: { offset: number; limit: number }) => all.slice(page.offset, page.offset + page.limit)),
    listSeries: vi.fn(async () => [{ series: '9.9', number: '1', description: 'H&E', instances: 5 }]),
    openInput: vi.fn<(input: SlideInput) => void>(),
    allowedOrigins: () => [options.allowed ?? 'http://pacs.test'],
    reloadWith: vi.fn<(base: string) => void>(),
  };
  return { store: createDicomWebBrowser(deps), deps };
}

describe('DICOMweb browser', () => {
  it('lists studies page by page, then a study’s series, and opens one with the token', async () => {
    const { store, deps } = browser({ studies: STUDIES_PAGE + 3 });
    store.getState().show(BASE);
    store.getState().set({ token: 'secret' });
    await store.getState().list();
    expect(store.getState()).toMatchObject({ more: true, busy: false });
    expect(store.getState().studies).toHaveLength(STUDIES_PAGE);
    await store.getState().list(true);
    expect(store.getState().studies).toHaveLength(STUDIES_PAGE + 3);
    expect(store.getState().more).toBe(false);
    expect(deps.listStudies).toHaveBeenLastCalledWith(BASE, 'secret', { offset: STUDIES_PAGE, limit: STUDIES_PAGE });
    await store.getState().pickStudy('1.2.1');
    expect(store.getState().series.map((s) => s.series)).toEqual(['9.9']);
    store.getState().openSeries('9.9');
    expect(deps.openInput).toHaveBeenCalledWith({ kind: 'dicomweb', base: BASE, study: '1.2.1', series: '9.9', token: 'secret' });
    expect(store.getState().open).toBe(false);
  });

  it('reloads the page for a service on an origin its policy does not name, and says what is wrong', async () => {
    const { store, deps } = browser({ allowed: 'http://other.test' });
    store.getState().show(BASE);
    await store.getState().list();
    expect(deps.reloadWith).toHaveBeenCalledWith(BASE);
    expect(deps.listStudies).not.toHaveBeenCalled();
    store.getState().set({ base: 'not a url' });
    await store.getState().list();
    expect(store.getState().error).toMatch(/is not a URL/);
    const empty = browser({ studies: 0 });
    empty.store.getState().show(BASE);
    await empty.store.getState().list();
    expect(empty.store.getState().error).toMatch(/No study with slide-microscopy/);
    empty.deps.listSeries.mockRejectedValueOnce(new Error('the DICOMweb server refused access (401)'));
    await empty.store.getState().pickStudy('1.2');
    expect(empty.store.getState()).toMatchObject({ busy: false, error: 'the DICOMweb server refused access (401)' });
  });
});
