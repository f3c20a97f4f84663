// End to end through runTraining on a tiny labelled-patch set (CSV of path,label): weights, ONNX and card are
// written, the ONNX file itself (run as the scorer runs it) agrees with the reference maths on the trained weights,
// and the card carries a calibrated threshold.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../../test-support/encode-image.ts';
import { createFocusSession, scoreImage } from '../../focus/session/session.ts';
import { readImageFile } from '../../slide/image/node-decode.ts';
import { referenceImageScore } from '../model/reference.ts';
import { parseWeightsJson } from '../model/weights.ts';
import { newPlanar } from './image.ts';
import { parseLabelList } from './labelled.ts';
import { gaussianBlur } from './psf.ts';
import { Rng } from './rng.ts';
import { runTraining } from './run.ts';
import { DENSITY_TARGETS } from './calibrate.ts';
import { OUT_OF_FOCUS_GRADE, scoreAtGrade, validateGradeScale } from '../../focus/grade.ts';
import { quantiseConvWeights, weightDigits } from '../model/quantise.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 300×300 PNGs of random blobs, blurred by σ = z/2, labelled z. */
async function writeSet(): Promise<void> {
  const rows = ['path,label'];
  for (let i = 0; i < 40; i++) {
    const z = i % 8;
    const rng = new Rng(i + 1);
    const size = 300;
    const img = newPlanar(size, size);
    const n = size * size;
    img.data.fill(230);
    for (let b = 0; b < 150; b++) {
      const cx = rng.uniform(0, size);
      const cy = rng.uniform(0, size);
      const r = rng.uniform(2, 8);
      const col = [rng.uniform(60, 200), rng.uniform(20, 120), rng.uniform(90, 200)];
      for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(size, cy + r); y++)
        for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(size, cx + r); x++)
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) for (let c = 0; c < 3; c++) img.data[c * n + y * size + x] = col[c]!;
    }
    const out = z ? gaussianBlur(img, z / 2) : img;
    const rgb = new Uint8Array(n * 3);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(out.data[c * n + p]!);
    writeFileSync(join(dir, `p${i}.png`), await encodePng({ width: size, height: size, data: rgb }));
    rows.push(`p${i}.png,${z}`);
  }
  writeFileSync(join(dir, 'labels.csv'), rows.join('\n') + '\n');
}

describe('focuslite train on labelled patches', () => {
  it('parses CSV and FocusPath label lists', () => {
    const csv = parseLabelList('path,label\na.png,3\nb.png,0\n', '/d');
    expect(csv).toEqual([
      { name: 'a.png', path: '/d/a.png', label: 3 },
      { name: 'b.png', path: '/d/b.png', label: 0 },
    ]);
    const fp = parseLabelList('Slide01_Strip00_Slice01_Position02.tif,1,0,1,2,87.98,-7\n', '/f');
    expect(fp[0]!.label).toBe(7);
    expect(() => parseLabelList('a.png,3\nb.png,x\n', '/d')).toThrow(/not a number/);
  });

  it('writes weights, an ONNX model that matches the TypeScript forward, and a calibrated model card', async () => {
    await writeSet();
    const out = join(dir, 'models');
    const lines: string[] = [];
    const [res] = await runTraining({
      out,
      kernels: [2],
      loss: 'plcc',
      seed: 4,
      trainSamples: 64,
      valSamples: 32,
      epochs: 4,
      batchSize: 16,
      lr: 0.01,
      lrGamma: 0.1,
      slides: [],
      data: join(dir, 'labels.csv'),
      workers: 0,
      name: 'tiny',
      command: 'test',
      log: (s) => lines.push(s),
    });
    expect(res!.name).toBe('tiny-2kernel');
    const card = JSON.parse(readFileSync(join(out, 'tiny-2kernel.json'), 'utf8'));
    const weights = parseWeightsJson(readFileSync(join(out, 'weights', 'tiny-2kernel.json'), 'utf8'));
    expect(weights.kernels).toBe(2);
    expect(card.parameters).toBe(299);
    expect(card.model).toBe('tiny-2kernel.onnx');
    expect(card.onnx.maxAbsDiffVsTypeScriptForward).toBeLessThan(1e-4);
    expect(readFileSync(join(out, 'tiny-2kernel.onnx')).length).toBe(card.onnx.bytes);
    // The ONNX file the run wrote, scored as `focuslite score` scores, equals the reference maths on the trained
    // weights (tolerance as in src/tools/model/parity.test.ts), patch by patch, on images at both ends of the labels.
    const session = await createFocusSession(new Uint8Array(readFileSync(join(out, 'tiny-2kernel.onnx'))));
    try {
      for (const file of ['p0.png', 'p3.png', 'p7.png']) {
        const img = await readImageFile(join(dir, file));
        const onnx = await scoreImage(session, img);
        const ref = referenceImageScore(weights, img);
        expect(onnx.patchGrid.flat()).toHaveLength(ref.patchGrid.flat().length);
        const worst = Math.max(...onnx.patchGrid.flat().map((v, i) => Math.abs(v - ref.patchGrid.flat()[i]!)));
        expect(worst, file).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(onnx.score - ref.score)).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      await session.release();
    }
    // calibrated as `focuslite calibrate` calibrates (calibrate.ts): a density target, a monotone grade curve, the
    // threshold at the out-of-focus grade and the display range at grades 0 and 10 of that curve
    expect(card.preprocessing.density).toEqual({ method: 'mean-od', targetOd: expect.any(Number), maxGain: 4 });
    expect(DENSITY_TARGETS).toContain(card.preprocessing.density.targetOd);
    const grade = validateGradeScale(card.grade);
    expect(card.grade.outOfFocusFrom).toBe(OUT_OF_FOCUS_GRADE);
    expect(card.threshold).toBeCloseTo(scoreAtGrade(grade, OUT_OF_FOCUS_GRADE), 5);
    expect(card.decision.threshold).toBe(card.threshold);
    expect(card.displayScale).toEqual([scoreAtGrade(grade, 0), scoreAtGrade(grade, 10)].map((v) => Number(v.toFixed(5))));
    expect(card.display.scale).toEqual(card.displayScale);
    const sep = card.calibration.densityTarget.separationByTarget as Record<string, number>;
    expect(sep[String(card.preprocessing.density.targetOd)]).toBe(Math.max(...Object.values(sep)));
    expect(card.licence).toMatch(/MIT/);
    expect(card.training.recipe.seed).toBe(4);
    // conv weights shipped on their 8-bit grid (one integer digit in the u8 graph), float metrics kept in the card
    expect(weightDigits(weights)).toBe(1);
    expect(card.input.type).toBe('uint8');
    expect(card.training.recipe.convWeights.rule).toMatch(/8-bit grid/);

    // --float-weights: the same training, weights as trained (off the grid), so 1 digit would not hold them
    const floatOut = join(dir, 'models-float');
    await runTraining({ out: floatOut, kernels: [2], loss: 'plcc', seed: 4, trainSamples: 64, valSamples: 32, epochs: 4, batchSize: 16, lr: 0.01, lrGamma: 0.1, slides: [], data: join(dir, 'labels.csv'), workers: 0, name: 'tiny', command: 'test', floatWeights: true, log: () => {} });
    const floatWeights = parseWeightsJson(readFileSync(join(floatOut, 'weights', 'tiny-2kernel.json'), 'utf8'));
    expect(weightDigits(floatWeights)).toBe(3);
    // the float32 metrics the rounded model's card records are those of the weights as trained
    const floatCard = JSON.parse(readFileSync(join(floatOut, 'tiny-2kernel.json'), 'utf8'));
    expect(floatCard.preprocessing).toEqual(card.preprocessing);
    expect(card.training.recipe.convWeights.validationFloat32).toEqual({ plcc: floatCard.metrics.validation.plcc, srcc: floatCard.metrics.validation.srcc, rocAuc: floatCard.metrics.validation.rocAuc });
    expect(floatCard.training.recipe.convWeights).toMatch(/float32 as trained/);
    const rounded = quantiseConvWeights(floatWeights).convWeight;
    expect(rounded).toEqual(weights.convWeight); // the shipped = the trained, rounded
  });
});
