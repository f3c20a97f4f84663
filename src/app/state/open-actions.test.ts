import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_SLIDE_URL, openFile, openFiles, openFromUrl, seriesName, startupSlideUrl } from './open-actions.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import { useSlideStore } from './slide-store.ts';
import { useSeriesChoice } from './series-choice.ts';
import { buildDicom } from '../../../test-support/dicom-fixture.ts';

const PAGE = 'http://127.0.0.1:4173/';

/** The page's address, with `assign` recorded instead of navigating. */
function stubLocation(href: string) {
  const url = new URL(href);
  const assign = vi.fn();
  vi.stubGlobal('location', { href: url.href, origin: url.origin, pathname: url.pathname, search: url.search, assign });
  return assign;
}

const initial = useSlideStore.getState();
/** The slide store's actions, recorded instead of opening anything. */
function fakeActions() {
  return { openInput: vi.fn<(input: SlideInput) => Promise<void>>(async () => {}), openOsdUrl: vi.fn<(url: string) => void>(), fail: vi.fn<(message: string) => void>() };
}
let actions: ReturnType<typeof fakeActions>;

beforeEach(() => {
  actions = fakeActions();
  useSlideStore.setState(actions);
});
afterEach(() => {
  useSlideStore.setState(initial, true);
  vi.unstubAllGlobals();
});

describe('startup slide', () => {
  it('is ?slide= when given, else the demo slide', () => {
    stubLocation(`${PAGE}?slide=%2Fdata%2Fa.svs`);
    expect(startupSlideUrl()).toBe('/data/a.svs');
    stubLocation(PAGE);
    expect(startupSlideUrl()).toBe(DEMO_SLIDE_URL);
  });
});

describe('opening', () => {
  it('opens a picked file through the slide workers', () => {
    const file = new File([new Uint8Array(4)], 'a.tif');
    openFile(file);
    expect(actions.openInput).toHaveBeenCalledWith({ kind: 'file', file, name: 'a.tif' });
  });

  it('opens several files as one slide (a DICOM series), named by their folder or their first file', async () => {
    const a = new File([new Uint8Array(4)], 'level-0.dcm');
    const b = new File([new Uint8Array(4)], 'level-1.dcm');
    openFiles([a, b]); // not DICOM: the reader will say so, naming the file
    await vi.waitFor(() => expect(actions.openInput).toHaveBeenCalledWith({ kind: 'files', files: [{ file: a, name: 'level-0.dcm' }, { file: b, name: 'level-1.dcm' }], name: 'level-0.dcm (+1 files)' }));
    expect(seriesName([{ name: 'x.dcm', webkitRelativePath: 'case 12/series 3/x.dcm' }])).toBe('case 12/series 3');
    openFiles([a]);
    expect(actions.openInput).toHaveBeenLastCalledWith({ kind: 'file', file: a, name: 'level-0.dcm' });
  });

  it('asks which series to open when the files hold several, and opens one series as one slide', async () => {
    const tile = new Uint8Array(16 * 16 * 3);
    const dcm = (name: string, series: string) => new File([buildDicom({ width: 16, height: 16, tile: 16, frames: [tile], syntax: '1.2.840.10008.1.2.1', series }).slice().buffer as ArrayBuffer], name);
    const files = [dcm('a1.dcm', '1.2.1'), dcm('b1.dcm', '1.2.2'), dcm('a2.dcm', '1.2.1')];
    openFiles(files);
    await vi.waitFor(() => expect(useSeriesChoice.getState().choices).toHaveLength(2));
    expect(useSeriesChoice.getState().choices!.map((c) => [c.uid, c.files.map((f) => f.name)])).toEqual([['1.2.1', ['a1.dcm', 'a2.dcm']], ['1.2.2', ['b1.dcm']]]);
    expect(actions.openInput).not.toHaveBeenCalled();
    useSeriesChoice.setState({ choices: undefined });
    openFiles([files[0]!, files[2]!]);
    await vi.waitFor(() => expect(actions.openInput).toHaveBeenCalledWith(expect.objectContaining({ kind: 'files', name: 'a1.dcm (+1 files)' })));
  });

  it('opens a same-origin URL (made absolute) in the workers, and Deep Zoom or IIIF in OpenSeadragon', () => {
    stubLocation(PAGE);
    openFromUrl('  /demo/demo-slide.tif ');
    expect(actions.openInput).toHaveBeenCalledWith({ kind: 'url', url: `${PAGE}demo/demo-slide.tif` });
    openFromUrl('/tiles/slide.dzi');
    expect(actions.openOsdUrl).toHaveBeenCalledWith(`${PAGE}tiles/slide.dzi`);
    expect(actions.fail).not.toHaveBeenCalled();
  });

  it('ignores an empty address and refuses what is not http(s)', () => {
    stubLocation(PAGE);
    openFromUrl('   ');
    openFromUrl('ftp://example.org/a.tif');
    openFromUrl('http://[bad');
    expect(actions.openInput).not.toHaveBeenCalled();
    expect(actions.fail.mock.calls).toEqual([['Only http(s) URLs can be opened (got ftp:).'], ['"http://[bad" is not a valid URL.']]);
  });

  it('reloads with ?slide= for another origin (the CSP allows only that one), then opens it in place', () => {
    const assign = stubLocation(PAGE);
    openFromUrl('https://example.org/s/a.svs');
    expect(assign).toHaveBeenCalledWith(`/?slide=${encodeURIComponent('https://example.org/s/a.svs')}`);
    expect(actions.openInput).not.toHaveBeenCalled();

    const again = stubLocation(`${PAGE}?slide=${encodeURIComponent('https://example.org/s/a.svs')}`);
    openFromUrl('https://example.org/s/a.svs');
    expect(again).not.toHaveBeenCalled();
    expect(actions.openInput).toHaveBeenCalledWith({ kind: 'url', url: 'https://example.org/s/a.svs' });
  });
});
