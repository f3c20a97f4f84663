import { describe, expect, it, vi } from 'vitest';
import type { SlideInfo } from '../../slide/types.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import type { SlideWorkers } from '../../workers/slide-workers.ts';
import { createSlideStore } from './slide-store.ts';

function fakeWorkers(name: string) {
  const info: SlideInfo = { name, format: 'tiff', vendor: 'generic', compression: 'JPEG', levels: [{ width: 1000, height: 800, tileWidth: 256, tileHeight: 256, downsample: 1 }] };
  return { info, close: vi.fn() };
}

/** A slide store whose workers open when the test says so; every open is recorded with its abort signal. */
function setup() {
  const opens: { input: SlideInput; signal: AbortSignal; resolve: (w: ReturnType<typeof fakeWorkers>) => void; reject: (e: unknown) => void }[] = [];
  const store = createSlideStore(
    (input, signal) =>
      new Promise<SlideWorkers>((resolve, reject) => opens.push({ input, signal, resolve: (w) => resolve(w as unknown as SlideWorkers), reject })),
  );
  return { store, opens };
}

const input = (url: string): SlideInput => ({ kind: 'url', url });

describe('slide store', () => {
  it('opens a slide: loading, then the slide with an id', async () => {
    const { store, opens } = setup();
    const done = store.getState().openInput(input('/a.tif'));
    expect(store.getState().status).toBe('loading');
    const a = fakeWorkers('a.tif');
    opens[0]!.resolve(a);
    await done;
    expect(store.getState().slide).toMatchObject({ kind: 'workers', id: 1, info: a.info });
  });

  it('opening a second slide abandons the first: its workers are closed when they arrive, and it is never shown', async () => {
    const { store, opens } = setup();
    const first = store.getState().openInput(input('/a.tif'));
    const second = store.getState().openInput(input('/b.tif'));
    expect(opens[0]!.signal.aborted).toBe(true);
    expect(opens[1]!.signal.aborted).toBe(false);
    const b = fakeWorkers('b.tif');
    opens[1]!.resolve(b);
    await second;
    const a = fakeWorkers('a.tif');
    opens[0]!.resolve(a);
    await first;
    expect(a.close).toHaveBeenCalled();
    expect(b.close).not.toHaveBeenCalled();
    expect(store.getState().slide).toMatchObject({ id: 1, info: { name: 'b.tif' } });
  });

  it('replacing an open slide closes its workers; a Deep Zoom URL does too, and aborts an open in progress', async () => {
    const { store, opens } = setup();
    const a = fakeWorkers('a.tif');
    const b = fakeWorkers('b.tif');
    const first = store.getState().openInput(input('/a.tif'));
    opens[0]!.resolve(a);
    await first;
    const second = store.getState().openInput(input('/b.tif'));
    opens[1]!.resolve(b);
    await second;
    expect(a.close).toHaveBeenCalled();
    expect(store.getState().slide?.id).toBe(2);

    const third = store.getState().openInput(input('/c.tif'));
    store.getState().openOsdUrl('http://127.0.0.1/tiles/slide.dzi');
    expect(opens[2]!.signal.aborted).toBe(true);
    expect(b.close).toHaveBeenCalled();
    opens[2]!.reject(new DOMException('aborted', 'AbortError'));
    await third;
    expect(store.getState()).toMatchObject({ status: 'loading', error: undefined, slide: { kind: 'osd-url', id: 3, info: { name: 'tiles/slide.dzi', vendor: 'Deep Zoom' } } });
  });

  it('a failed open sets the error; dismissing it goes back to idle, or to ready with a slide shown', async () => {
    const { store, opens } = setup();
    const failing = store.getState().openInput(input('/bad.tif'));
    opens[0]!.reject(new Error('not a TIFF file'));
    await failing;
    expect(store.getState()).toMatchObject({ status: 'error', error: 'not a TIFF file' });
    store.getState().dismissError();
    expect(store.getState()).toMatchObject({ status: 'idle', error: undefined });

    const ok = store.getState().openInput(input('/a.tif'));
    opens[1]!.resolve(fakeWorkers('a.tif'));
    await ok;
    store.getState().fail('Could not open a.tif.');
    store.getState().dismissError();
    expect(store.getState()).toMatchObject({ status: 'ready', error: undefined });
  });

  it('stores share nothing: each numbers its slides from 1, and opening in one aborts nothing in another', async () => {
    const one = setup();
    const two = setup();
    void one.store.getState().openInput(input('/a.tif'));
    const opened = two.store.getState().openInput(input('/b.tif'));
    expect(one.opens[0]!.signal.aborted).toBe(false);
    two.opens[0]!.resolve(fakeWorkers('b.tif'));
    await opened;
    expect(two.store.getState().slide?.id).toBe(1);
  });
});
