// Benchmark core shared by Node (bench-node.ts) and the Chromium worker (bench-worker.ts): no Node or DOM APIs.
import { INPUT_LAYOUTS, inputType, packInput, valuesPerPatch } from '../../focus/session/input-layout.ts';
import { buildFocusModel, defaultLayout } from '../model/onnx-builder.ts';
import { weightDigits } from '../model/quantise.ts';
import { patchGrid, STRIDE } from '../../focus/patch-grid.ts';
import { referencePatchScores } from '../model/reference.ts';
import { createFocusSession, RUN_BATCH, runPatchTensor, scoreImage } from '../../focus/session/session.ts';
import { createModelEngine } from '../../focus/model-engine.ts';
import { readU8Graph } from '../../focus/kernel/u8-graph.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import { syntheticImage } from '../model/synthetic-images.ts';
import type { FocusWeights } from '../model/weights.ts';

export interface BenchRow {
  model: string;
  /** what was timed */
  what: string;
  msPerPatch: number;
  msPerImage: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

/** Median of `reps` timings of fn (after `warmup` untimed calls). */
async function time(fn: () => unknown, reps: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export interface BenchOptions {
  reps?: number;
  /** Skip the (slow) plain TypeScript reference. */
  skipReference?: boolean;
}

/** A shipped card's normalisation (focuslite-1kernel), for the rows that include it. */
const DENSITY: DensityNormalisation = { method: 'mean-od', targetOd: 0.5, maxGain: 4 };

/**
 * Times one model on a 1024×1024 image (7×7 = 49 patches) in each input layout (input-layout.ts): ONNX at batch 1,
 * 8 and 49, packing, scoreImage (batches of RUN_BATCH) without and with the stain-density normalisation, the exact
 * integer kernel (one-digit weights), and once the TS reference. The layout the builder picks by default is marked.
 */
export async function benchModel(label: string, weights: FocusWeights, options: BenchOptions = {}): Promise<BenchRow[]> {
  const reps = options.reps ?? 10;
  const img = syntheticImage('checker_noise', 1);
  const grid = patchGrid(img.width, img.height);
  const n = grid.corners.length;
  const rows: BenchRow[] = [];
  const row = (what: string, msPerImage: number) => rows.push({ model: label, what, msPerPatch: msPerImage / n, msPerImage });
  for (const layout of INPUT_LAYOUTS) {
    const session = await createFocusSession(buildFocusModel(weights, { layout }));
    const tag = `${layout}${layout === 'u8' ? `/${weightDigits(weights)}d` : ''}${layout === defaultLayout(weights) ? '*' : ''}`;
    try {
      const tensor = packInput(layout, img, grid.corners);
      const one = tensor.slice(0, valuesPerPatch(layout));
      row(`${tag} onnx, batch 1 (×49 runs)`, (await time(() => runPatchTensor(session, one, 1), reps * 5)) * n);
      const eight = tensor.slice(0, 8 * valuesPerPatch(layout));
      row(`${tag} onnx, batch 8 (×49/8 runs)`, ((await time(() => runPatchTensor(session, eight, 8), reps * 2)) * n) / 8);
      row(`${tag} onnx, batch 49 (1 run)`, await time(() => runPatchTensor(session, tensor, n), reps));
      row(`${tag} pack RGBA → ${inputType(layout)}`, await time(() => packInput(layout, img, grid.corners, tensor), reps));
      row(`${tag} scoreImage (pack + onnx, batches of ${RUN_BATCH})`, await time(() => scoreImage(session, img), reps));
      row(`${tag} scoreImage + stain-density norm.`, await time(() => scoreImage(session, img, STRIDE, { density: DENSITY }), reps));
    } finally {
      await session.release();
    }
  }
  // The exact integer kernel the app and CLI use for one-digit 'u8' graphs instead of onnxruntime (same scores).
  const onnx = buildFocusModel(weights);
  if (readU8Graph(onnx)) {
    const engine = await createModelEngine(onnx, createFocusSession, 'u8-kernel');
    row('u8 kernel, no onnxruntime', await time(() => engine.score(img, grid.corners), reps));
    row('u8 kernel + stain-density norm.', await time(() => engine.score(img, grid.corners, DENSITY), reps));
  }
  if (!options.skipReference) row('TS reference (float64)', await time(() => referencePatchScores(weights, img, grid.corners), Math.max(3, reps / 3), 1));
  return rows;
}

/** Made-up weights for when the official ones are absent (timing does not depend on the values). */
export function randomWeights(c: number): FocusWeights {
  let s = 12345 + c;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const w: FocusWeights = { kernels: c, convWeight: Float32Array.from({ length: c * 147 }, r), convBias: Float32Array.from({ length: c }, r) };
  if (c > 1) {
    w.fcWeight = Float32Array.from({ length: c }, r);
    w.fcBias = Math.fround(r());
  }
  return w;
}

export function formatRows(rows: BenchRow[]): string {
  const lines = [`${'model'.padEnd(22)} ${'what'.padEnd(46)} ${'ms/patch'.padStart(9)} ${'ms/image(49)'.padStart(13)}`];
  for (const r of rows) lines.push(`${r.model.padEnd(22)} ${r.what.padEnd(46)} ${r.msPerPatch.toFixed(3).padStart(9)} ${r.msPerImage.toFixed(2).padStart(13)}`);
  return lines.join('\n');
}
