import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildFocusModel } from '../tools/model/onnx-builder.ts';
import { createFocusSession, scoreImage, scorePatches } from '../focus/session/session.ts';
import { parseTensorsJson } from '../tools/model/weights.ts';
import { openSlideFile } from '../slide/node.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../test-support/shared.ts';
import { defaultScanWorkers, scanSlideFile, SMALL_SLIDE_MP } from './node-scan.ts';
import { CellState } from '../focus/cell-state.ts';
import { cellRect } from '../focus/slide-grid.ts';

describe.skipIf(!hasShared)(`whole-slide scan in Node (${hasShared ? 'shared present' : SKIP_SHARED_MESSAGE})`, () => {
  it('gives every tissue cell the same score as scoring the level-0 image whole, the edge column and row their edge patches', async () => {
    // The official weights are read in place for this test only; nothing derived from them is written anywhere.
    const weights = parseTensorsJson(await readFile(sharedPath('reference/weights/focuslitenn-1kernel.json'), 'utf8'));
    const model = buildFocusModel(weights);
    const path = sharedPath('slides/CMU-1-Small-Region.svs');
    const result = await scanSlideFile(path, { model, workers: 0 });
    const { map } = result;
    // The paper's grid (what `focuslite score` uses), plus the column and row against the right and bottom edges.
    const paperCols = Math.floor((2220 - 235) / 128) + 1;
    const paperRows = Math.floor((2967 - 235) / 128) + 1;
    expect(map.grid).toMatchObject({ cols: paperCols + 1, rows: paperRows + 1, edgeX: 2220 - 235, edgeY: 2967 - 235 });
    expect(map.state.every((s) => s === CellState.Done)).toBe(true);
    expect(map.scored).toBeGreaterThan(100);

    const slide = await openSlideFile(path);
    const whole = await slide.readRegion(0, 0, 0, 2220, 2967);
    slide.close();
    const session = await createFocusSession(model);
    const reference = await scoreImage(session, whole);
    const edgeCells: number[] = [];
    let maxDiff = 0;
    for (let cell = 0; cell < map.scores.length; cell++) {
      const score = map.scores[cell]!;
      if (!Number.isFinite(score)) continue;
      const col = cell % map.grid.cols;
      const row = Math.floor(cell / map.grid.cols);
      if (col === paperCols || row === paperRows) edgeCells.push(cell);
      else maxDiff = Math.max(maxDiff, Math.abs(score - reference.patchGrid[row]![col]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // The edge cells: their own patches, against the slide's edges, scored alone.
    expect(edgeCells.length).toBeGreaterThan(10);
    const alone = await scorePatches(session, whole, edgeCells.map((c) => cellRect(map.grid, c)));
    edgeCells.forEach((cell, k) => expect(Math.abs(map.scores[cell]! - alone[k]!)).toBeLessThan(1e-5));
    expect(edgeCells.map((c) => cellRect(map.grid, c)).every((r) => r.x + r.width <= 2220 && r.y + r.height <= 2967)).toBe(true);
    // Glass cells are not scored; tissue cells are.
    const glass = map.tissue.filter((t) => t < 0.05).length;
    expect(glass).toBeGreaterThan(20);
    expect(map.scored).toBe(map.scores.length - glass);
  });

  it('stops with the model\'s own error when the model does not load, although blocks start before it is ready', async () => {
    const path = sharedPath('slides/CMU-1-Small-Region.svs');
    await expect(scanSlideFile(path, { model: new TextEncoder().encode('not an onnx model'), workers: 0 })).rejects.toThrow(/protobuf|model|onnx/i);
  });
});

describe('defaultScanWorkers', () => {
  it('scans small slides in the calling thread and large ones with up to 4 worker threads', async () => {
    const { availableParallelism } = await import('node:os');
    expect(defaultScanWorkers(16)).toBe(0);
    expect(defaultScanWorkers(SMALL_SLIDE_MP)).toBe(0);
    expect(defaultScanWorkers(604)).toBe(Math.min(4, availableParallelism()));
    expect(defaultScanWorkers()).toBe(Math.min(4, availableParallelism()));
  });
});
