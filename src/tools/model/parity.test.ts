// The exact model: ONNX (onnxruntime-web WASM in Node) and the TS reference against the official FocusLiteNN scores
// in ../shared/reference, for all six released checkpoints, within 1e-4 per patch.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes } from '../../slide/image/node-decode.ts';
import { buildFocusModel } from './onnx-builder.ts';
import { patchGrid } from '../../focus/patch-grid.ts';
import { referencePatchScores } from './reference.ts';
import { createFocusSession, scoreImage, type FocusSession } from '../../focus/session/session.ts';
import { loadOfficialWeights, OFFICIAL_MODELS, readSharedJson, type OfficialModel } from './shared-data.ts';
import { sharedRoot, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { syntheticImage, SYNTHETIC_NAMES } from './synthetic-images.ts';
import type { RGBAImage } from '../../slide/types.ts';
import type { FocusWeights } from './weights.ts';

const TOL = 1e-4;
const shared = sharedRoot;

interface Expected {
  grid: number[][];
  mean: number;
}

const maxErr: Record<string, number> = {};
function track(kind: string, model: string, got: ArrayLike<number>, grid: number[][]) {
  const flat = grid.flat();
  expect(got.length).toBe(flat.length);
  let worst = 0;
  flat.forEach((e, i) => {
    worst = Math.max(worst, Math.abs((got[i] as number) - e));
  });
  const key = `${kind} ${model}`;
  maxErr[key] = Math.max(maxErr[key] ?? 0, worst);
  expect(worst, `${key}: max abs error over ${flat.length} patches`).toBeLessThanOrEqual(TOL);
}

(shared ? describe : describe.skip)(shared ? 'FocusLiteNN parity with the official models (../shared/reference)' : `FocusLiteNN parity: ${SKIP_SHARED_MESSAGE}`, () => {
  const sessions = new Map<OfficialModel, FocusSession>();
  const weights = new Map<OfficialModel, FocusWeights>();

  beforeAll(async () => {
    for (const m of OFFICIAL_MODELS) {
      const w = loadOfficialWeights(shared as string, m);
      weights.set(m, w);
      sessions.set(m, await createFocusSession(buildFocusModel(w, { name: `official-${m}` })));
    }
  });
  afterAll(async () => {
    for (const s of sessions.values()) await s.release();
    const lines = Object.entries(maxErr).map(([k, v]) => `  ${k.padEnd(32)} ${v.toExponential(2)}`);
    if (lines.length) console.log(`max |score - reference| per patch:\n${lines.join('\n')}`);
  });

  async function checkImage(kind: 'synthetic' | 'real', img: RGBAImage, expected: Record<string, Expected>) {
    const grid = patchGrid(img.width, img.height);
    for (const m of OFFICIAL_MODELS) {
      const e = expected[m];
      expect(e, `reference for ${m}`).toBeDefined();
      if (!e) continue;
      const onnx = await scoreImage(sessions.get(m) as FocusSession, img);
      expect([onnx.patchGrid.length, onnx.patchGrid[0]?.length]).toEqual([e.grid.length, e.grid[0]?.length]);
      track(`${kind} onnx`, m, onnx.patchGrid.flat(), e.grid);
      expect(Math.abs(onnx.score - e.mean)).toBeLessThanOrEqual(TOL);
      const ref = referencePatchScores(weights.get(m) as FocusWeights, img, grid.corners);
      track(`${kind} ts-reference`, m, ref, e.grid);
    }
  }

  // describe.skip still collects this body, so read nothing when ../shared is absent.
  const synth = (shared ? readSharedJson(shared, 'reference/synthetic-scores.json') : {}) as Record<string, Record<string, { mean_unclamped: number; patch_grid_7x7: number[][] }>>;
  for (const { name, pattern, sigma } of SYNTHETIC_NAMES) {
    it(`synthetic ${name}: ONNX and TS reference, six models`, async () => {
      const entry = synth[name];
      expect(entry, `${name} in synthetic-scores.json`).toBeDefined();
      const expected: Record<string, Expected> = {};
      for (const m of OFFICIAL_MODELS) {
        const r = entry?.[m];
        if (r) expected[m] = { grid: r.patch_grid_7x7, mean: r.mean_unclamped };
      }
      await checkImage('synthetic', syntheticImage(pattern, sigma), expected);
    });
  }

  const real = shared ? (readSharedJson(shared, 'reference/real-patch-scores.json') as { images: Record<string, Record<string, unknown>> }).images : {};
  for (const [rel, entry] of Object.entries(real)) {
    it(`real ${rel}: ONNX and TS reference, six models`, async () => {
      const img = await decodeImageBytes(await readFile(resolve(shared as string, rel)), rel);
      expect([img.width, img.height]).toEqual([entry.width, entry.height]);
      const expected: Record<string, Expected> = {};
      for (const m of OFFICIAL_MODELS) {
        const r = entry[m] as { mean: number; patch_grid: number[][] } | undefined;
        if (r) expected[m] = { grid: r.patch_grid, mean: r.mean };
      }
      await checkImage('real', img, expected);
    });
  }
});
