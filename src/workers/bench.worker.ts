// A bench worker (npm run bench:scan): its own handle on the slide the viewer has open and its own model session,
// running one benchmark stage at a time. Started on demand by the page's inspection API, never by the viewer.
import type { PatchScorer } from '../focus/session/patch-scorer.ts';
import type { SlideSource } from '../slide/types.ts';
import type { BenchWorkerRequest, BenchWorkerResponse } from './bench/bench-protocol.ts';
import { runBenchStage } from './bench/bench-stages.ts';
import { patchScorers } from './model-cache.ts';
import { openSlideInput } from './open-input.ts';

const modelRunner = patchScorers();
let opened: { slide: SlideSource; score: PatchScorer } | undefined;

const post = (message: BenchWorkerResponse) => (self as unknown as { postMessage(m: unknown): void }).postMessage(message);
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

self.onmessage = async (event: MessageEvent<BenchWorkerRequest>) => {
  const request = event.data;
  if (request.type === 'open') {
    opened?.slide.close();
    opened = undefined;
    try {
      opened = { slide: await openSlideInput(request.input), score: await modelRunner(request.model) };
      post({ type: 'opened' });
    } catch (err) {
      post({ type: 'open-failed', message: describe(err) });
    }
  } else if (request.type === 'run') {
    try {
      if (!opened) throw new Error('no slide is open');
      post({ type: 'done', id: request.id, result: await runBenchStage(opened.slide, opened.score, request.request) });
    } catch (err) {
      post({ type: 'failed', id: request.id, message: describe(err) });
    }
  }
};
