import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { ScanReport } from '../../focus/qc/report.ts';
import type { ScanState } from '../../focus/scan-progress.ts';
import { ScoreMap } from '../../focus/score-map.ts';
import { slideGrid } from '../../focus/slide-grid.ts';
import type { SlideInfo } from '../../slide/types.ts';
import type { SlideInput } from '../../workers/slide-protocol.ts';
import { createQueueStore, runQueue, type QueueDeps } from './slide-queue.ts';
import type { ViewerStatus } from './slide-store.ts';

const info = (name: string): SlideInfo => ({ name, format: 'tiff', vendor: 'generic', compression: 'JPEG', levels: [{ width: 1000, height: 800, tileWidth: 256, tileHeight: 256, downsample: 1 }] });
const scanState = (running: boolean, cancelled = false): ScanState => ({ running, cancelled, startedAt: 0, elapsedMs: 0, cellsDone: running ? 0 : 10, cellsTotal: 10, cellsReused: 0, megapixelsPerSecond: 0, etaSeconds: 0 });

/** A stand-in app: opening 'bad.svs' fails, every other slide opens and scans; `hold` keeps scans running. */
function fakeApp(options: { hold?: boolean } = {}) {
  const queue = createQueueStore();
  const slides = create<{ status: ViewerStatus; error?: string; slide?: { info: SlideInfo }; openInput(input: SlideInput): Promise<void> }>((set) => ({
    status: 'idle',
    async openInput(input) {
      const name = input.kind === 'file' ? input.name : '?';
      set({ status: 'loading', error: undefined });
      await Promise.resolve();
      if (name === 'bad.svs') set({ status: 'error', error: 'bad.svs: not a TIFF file' });
      else {
        set({ slide: { info: info(name) } });
        setTimeout(() => slides.setState({ status: 'ready' }), 1);
      }
    },
  }));
  const progress = create<{ scan?: ScanState }>(() => ({}));
  const map = new ScoreMap(slideGrid(1000, 800));
  const opened: string[] = [];
  slides.subscribe((s, prev) => s.slide !== prev.slide && s.slide && opened.push(s.slide.info.name));
  const deps: QueueDeps = {
    queue,
    slides,
    progress,
    startScan: () => {
      progress.setState({ scan: scanState(true) });
      if (!options.hold) setTimeout(() => progress.setState({ scan: scanState(false) }), 1);
    },
    cancelScan: () => progress.setState({ scan: scanState(false, true) }),
    lastScan: () => ({ map, scan: scanState(false) }),
    modelId: () => 'm',
    report: (_, i) => ({ slide: { name: i.name }, summary: { verdict: i.name.startsWith('blur') ? 'fail' : 'pass' } }) as unknown as ScanReport,
  };
  return { queue, deps, opened, progress };
}

const file = (name: string) => new File([new Uint8Array(10)], name);

describe('slide queue', () => {
  it('opens and scans each waiting slide in turn, keeps each report under the model, and marks an unreadable one failed without stopping', async () => {
    const { queue, deps, opened } = fakeApp();
    queue.getState().add([file('a.svs'), file('bad.svs'), file('blur.svs'), file('a.svs')]);
    expect(queue.getState().items.map((i) => i.name)).toEqual(['a.svs', 'bad.svs', 'blur.svs']); // the same file once
    await runQueue(deps);
    const items = queue.getState().items;
    expect(items.map((i) => i.status)).toEqual(['done', 'failed', 'done']);
    expect(items[1]!.error).toBe('bad.svs: not a TIFF file');
    expect(items.map((i) => i.reports.m?.summary.verdict)).toEqual(['pass', undefined, 'fail']);
    expect(opened).toEqual(['a.svs', 'blur.svs']);
    expect(queue.getState().running).toBe(false);
    // Nothing left to do: a second run opens nothing.
    await runQueue(deps);
    expect(opened).toEqual(['a.svs', 'blur.svs']);
  });

  it('stops on request: the scan under way is cancelled and marked stopped, the rest wait', async () => {
    const { queue, deps, progress } = fakeApp({ hold: true });
    queue.getState().add([file('a.svs'), file('b.svs')]);
    const run = runQueue(deps);
    await new Promise<void>((resolve) => {
      const stop = progress.subscribe((p) => p.scan?.running && (stop(), resolve()));
    });
    queue.setState({ stopping: true });
    await run;
    expect(queue.getState().items.map((i) => i.status)).toEqual(['stopped', 'waiting']);
    expect(queue.getState().running).toBe(false);
  });
});
