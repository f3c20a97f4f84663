// Checks against ../shared (skipped with a message when it is absent): the evaluation's scoring path reproduces the
// official reference scores, and the shipped 1-kernel model ranks the real out-of-focus patches above the in-focus ones.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../model/node-model.ts';
import { patchGrid } from '../../focus/patch-grid.ts';
import { createFocusSession, scorePatches } from '../../focus/session/session.ts';
import { loadOfficialWeights, readSharedJson } from '../model/shared-data.ts';
import { sharedRoot, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { loadWeights } from '../model/weights.ts';
import { Pool, sampleBuffer } from '../train/pool.ts';
import { readImage } from '../train/source.ts';
import { ModelBank } from './score.ts';
import { REAL_PAIRS, Scorer } from './sets.ts';

const shared = sharedRoot;

const models = join(packageRoot(), 'models');
const ONNX_1 = join(models, 'focuslite-1kernel.onnx');
const WEIGHTS_1 = join(models, 'weights', 'focuslite-1kernel.json');

interface RealRef {
  images: Record<string, Record<string, { mean: number; patch_grid: number[][] }>>;
}

describe.skipIf(!shared)(`evaluation against ../shared (${shared ? 'present' : SKIP_SHARED_MESSAGE})`, () => {
  it('scores the real patches exactly as the official reference (1- and 10-kernel)', async () => {
    const ref = readSharedJson(shared!, 'reference/real-patch-scores.json') as RealRef;
    const bank = new ModelBank([
      { name: '1', group: 'official', weights: loadOfficialWeights(shared!, '1kernel') },
      { name: '10', group: 'official', weights: loadOfficialWeights(shared!, '10kernel') },
    ]);
    const pool = await Pool.create(0);
    const buf = sampleBuffer(49, false);
    await pool.init(undefined, { eval: buf });
    const scorer = new Scorer(pool, bank, buf, 'eval');
    const file = 'fqpath-out-of-focus.png';
    const img = await readImage(join(shared!, 'focus', 'real', file));
    const [s1, s10] = await scorer.score(img, patchGrid(img.width, img.height).corners);
    const want = ref.images[`focus/real/${file}`]!;
    const flat = (k: string) => want[k]!.patch_grid.flat();
    flat('1kernel').forEach((v, i) => expect(Math.abs(s1![i]! - v)).toBeLessThan(1e-4));
    flat('10kernel').forEach((v, i) => expect(Math.abs(s10![i]! - v)).toBeLessThan(1e-4));
    await pool.close();
  });

  it('the shipped 1-kernel model (ONNX, as the app runs it) scores both real out-of-focus patches above their in-focus pairs', async () => {
    expect(existsSync(ONNX_1), `${ONNX_1} is missing: run npm run train:models`).toBe(true);
    const session = await createFocusSession(readFileSync(ONNX_1));
    const weights = loadWeights(readFileSync(WEIGHTS_1), WEIGHTS_1);
    const bank = new ModelBank([{ name: 'ours', group: 'ours', weights }]);
    const pool = await Pool.create(0);
    const buf = sampleBuffer(49, false);
    await pool.init(undefined, { eval: buf });
    const scorer = new Scorer(pool, bank, buf, 'eval');
    const imageScore = async (file: string) => {
      const img = await readImage(join(shared!, 'focus', 'real', file));
      const corners = patchGrid(img.width, img.height).corners;
      const onnx = await scorePatches(session, { ...img, channels: img.channels }, corners);
      const [ts] = await scorer.score(img, corners);
      // the .onnx computes what the evaluation computed
      onnx.forEach((v, i) => expect(Math.abs(v - ts![i]!)).toBeLessThan(1e-4));
      return onnx.reduce((a, b) => a + b, 0) / onnx.length;
    };
    for (const pair of REAL_PAIRS) {
      const inFocus = await imageScore(pair.inFocus);
      const outOfFocus = await imageScore(pair.outOfFocus);
      expect(outOfFocus, `${pair.name}: out of focus ${outOfFocus} vs in focus ${inFocus}`).toBeGreaterThan(inFocus);
    }
    await session.release();
    await pool.close();
  });
});
