import { describe, expect, it } from 'vitest';
import { FocusRunner, IMAGE_FIRST_MS, type CellScorer } from './focus-runner.ts';
import { ModelLoadError } from './model-load-error.ts';
import { ScoreMap } from './score-map.ts';
import { slideGrid } from './slide-grid.ts';

/** A scorer whose every block fails with the given error. */
const failing = (err: Error): CellScorer => ({ size: 1, score: () => Promise.reject(err) });

async function runOnce(err: Error) {
  const map = new ScoreMap(slideGrid(2000, 2000));
  const runner = new FocusRunner(failing(err), map, { url: 'model.onnx' }, () => undefined);
  runner.setView({ x: 0, y: 0, width: 2000, height: 2000 });
  await new Promise((r) => setTimeout(r, 0));
  return { runner, map };
}

describe('FocusRunner and model-load failures', () => {
  it('stops with the message when the error says the model could not be loaded (its kind, not its text)', async () => {
    const { runner, map } = await runOnce(new ModelLoadError('the model m.onnx failed to load: bad protobuf'));
    expect(runner.progress().error).toBe('the model m.onnx failed to load: bad protobuf');
    expect(runner.busy).toBe(false);
    expect(map.failed).toBe(0);
  });

  it('records other failures as failed cells and goes on, even when their text mentions a model', async () => {
    const { runner, map } = await runOnce(new Error('tile decode failed near the model slide label'));
    expect(runner.progress().error).toBeUndefined();
    expect(runner.progress().lastFailure).toBe('tile decode failed near the model slide label');
    expect(map.failed).toBeGreaterThan(0);
  });

  it('takes any error carrying kind "model" (as pools rebuild it from a worker message)', async () => {
    const err = Object.assign(new Error('worker says no'), { kind: 'model' });
    const { runner } = await runOnce(err);
    expect(runner.progress().error).toBe('worker says no');
  });
});

describe('FocusRunner start', () => {
  it('has every worker load the model as soon as it is created, before any view is planned', () => {
    const preloaded: string[] = [];
    const scorer: CellScorer = { size: 2, score: () => new Promise(() => undefined), preload: async (m) => void preloaded.push(m.url) };
    new FocusRunner(scorer, new ScoreMap(slideGrid(2000, 2000)), { url: 'model.onnx' }, () => undefined);
    expect(preloaded).toEqual(['model.onnx']);
  });
});


describe('FocusRunner: the image first', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** A scorer that records how many blocks it was sent and never answers. */
  const counting = () => {
    const sent: boolean[] = [];
    const scorer: CellScorer = { size: 2, score: (_m, _g, _c, _w, _s, readAhead) => (sent.push(readAhead ?? false), new Promise(() => undefined)) };
    return { sent, scorer };
  };

  it('sends no block while the viewer loads the image of a new view, and starts when it has', async () => {
    let loading = true;
    const { sent, scorer } = counting();
    const runner = new FocusRunner(scorer, new ScoreMap(slideGrid(2000, 2000)), { url: 'm.onnx' }, () => undefined, () => loading);
    runner.setView({ x: 0, y: 0, width: 2000, height: 2000 });
    await wait(60);
    expect(sent).toHaveLength(0);
    expect(runner.busy).toBe(true);
    loading = false;
    await wait(60);
    expect(sent.length).toBeGreaterThan(0);
    runner.stop();
  });

  it('does not wait for an image that never finishes loading (a failed tile) longer than IMAGE_FIRST_MS', async () => {
    const { sent, scorer } = counting();
    const runner = new FocusRunner(scorer, new ScoreMap(slideGrid(2000, 2000)), { url: 'm.onnx' }, () => undefined, () => true);
    runner.setView({ x: 0, y: 0, width: 2000, height: 2000 });
    await wait(IMAGE_FIRST_MS - 300);
    expect(sent).toHaveLength(0);
    await wait(500);
    expect(sent.length).toBeGreaterThan(0);
    runner.stop();
  });

  it('a worker done with its part of the image takes blocks while the other still renders', async () => {
    const workers: number[] = [];
    const scorer: CellScorer = { size: 2, score: (_m, _g, _c, worker) => (workers.push(worker), new Promise(() => undefined)) };
    const runner = new FocusRunner(scorer, new ScoreMap(slideGrid(2000, 2000)), { url: 'm.onnx' }, () => undefined, (worker) => worker === 0);
    runner.setView({ x: 0, y: 0, width: 2000, height: 2000 });
    await wait(30);
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((w) => w === 1)).toBe(true);
    runner.stop();
  });

  it('sends a browsing block to the worker that renders the tiles under it (workerFor), a scan by bands', () => {
    const sent: { worker: number; centre: number }[] = [];
    const grid = slideGrid(4096, 1024);
    const scorer: CellScorer = {
      size: 2,
      score: (_m, g, cells, worker) => {
        // The middle of the level-0 columns the block's patches cover.
        const xs = cells.map((c) => (c % g.cols) * g.stride);
        sent.push({ worker, centre: (Math.min(...xs) + Math.max(...xs) + g.patch) / 2 });
        return new Promise(() => undefined);
      },
      workerFor: (region) => (region.x + region.width / 2 < 2048 ? 0 : 1),
    };
    const runner = new FocusRunner(scorer, new ScoreMap(grid), { url: 'm.onnx' }, () => undefined);
    runner.setView({ x: 0, y: 0, width: 4096, height: 1024 });
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((s) => s.worker))).toEqual(new Set([0, 1]));
    for (const { worker, centre } of sent) expect(worker).toBe(centre < 2048 ? 0 : 1);
    runner.stop();
  });

  it('a whole-slide scan does not wait, and tells the workers to read ahead', async () => {
    const { sent, scorer } = counting();
    const runner = new FocusRunner(scorer, new ScoreMap(slideGrid(2000, 2000)), { url: 'm.onnx' }, () => undefined, () => true);
    runner.setScanMode(true);
    runner.setView({ x: 0, y: 0, width: 2000, height: 2000 });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every(Boolean)).toBe(true);
    runner.stop();
  });
});
