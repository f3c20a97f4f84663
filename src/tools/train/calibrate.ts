// Calibration of a model on the training run's held-out validation samples, through the product's path: the ONNX
// model run by scorePatches with the card's stain-density normalisation. Used by `focuslite train` for new models
// and by `focuslite calibrate` to recalibrate shipped ones without retraining (the samples are rebuilt from the card:
// they are a pure function of the slides, the seed and the simulation settings).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createFocusSession, scorePatches, type FocusSession } from '../../focus/session/session.ts';
import { OUT_OF_FOCUS_GRADE } from '../../focus/grade.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { calibrate, separation, withCalibration, BLURRED_MIN_Z, SHARP_MAX_Z, type Calibration } from './card.ts';
import { PADDED, PATCH, PLANE, SAMPLE_BYTES } from './image.ts';
import { Pool, sampleBuffer, toShared, workerCount } from './pool.ts';
import { DEFAULT_SIMULATION, findCandidates, type SimulationConfig } from './simulate.ts';
import { readSlideLevel } from './source.ts';

/** Stain-density targets tried (mean optical density per patch); the gain stays within [1/4, 4]. */
export const DENSITY_TARGETS = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8] as const;
export const DENSITY_MAX_GAIN = 4;

/** Samples scored per scorePatches call (a 235 × 235·n RGBA image). */
const CHUNK = 64;

/** Packed samples [from, to) (image.ts layout) as one RGBA image, stacked vertically, and their corners. */
export function samplesToImage(data: Uint8Array, from: number, to: number): { image: RGBAImage; corners: { x: number; y: number }[] } {
  const n = to - from;
  const out = new Uint8ClampedArray(PATCH * PATCH * 4 * n);
  for (let i = 0; i < n; i++) {
    const base = (from + i) * SAMPLE_BYTES;
    let q = i * PATCH * PATCH * 4;
    for (let y = 0; y < PATCH; y++)
      for (let x = 0; x < PATCH; x++, q += 4) {
        const p = base + (y + 1) * PADDED + x + 1;
        out[q] = data[p]!;
        out[q + 1] = data[p + PLANE]!;
        out[q + 2] = data[p + 2 * PLANE]!;
        out[q + 3] = 255;
      }
  }
  return { image: { width: PATCH, height: PATCH * n, data: out }, corners: Array.from({ length: n }, (_, i) => ({ x: 0, y: i * PATCH })) };
}

/** Scores of `count` packed samples by an ONNX session, as the app scores patches (optionally density-normalised). */
export async function scorePackedSamples(session: FocusSession, data: Uint8Array, count: number, density?: DensityNormalisation): Promise<Float64Array> {
  const scores = new Float64Array(count);
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK);
    const { image, corners } = samplesToImage(data, from, to);
    scores.set(await scorePatches(session, image, corners, density ? { density } : {}), from);
  }
  return scores;
}

export const DENSITY_TARGET_RULE =
  `the target among ${DENSITY_TARGETS.join(', ')} with the highest ROC-AUC of clearly defocused (z ≥ ${BLURRED_MIN_Z}) against clearly sharp ` +
  `(z ≤ ${SHARP_MAX_Z}) validation samples, whose stain density (×0.6–4 on every stain), HED stain mix and white balance vary as in training ` +
  `(the first on a tie); gain kept within [1/${DENSITY_MAX_GAIN}, ${DENSITY_MAX_GAIN}]`;

/**
 * Calibrates an ONNX model on packed validation samples of known level: chooses the stain-density target
 * (DENSITY_TARGET_RULE), then fits the grade curve, threshold and display range to the normalised scores.
 */
export async function calibrateOnnx(onnx: Uint8Array, data: Uint8Array, labels: ArrayLike<number>, log: (s: string) => void = () => {}): Promise<Calibration> {
  const session = await createFocusSession(onnx);
  try {
    const count = labels.length;
    const raw = await scorePackedSamples(session, data, count);
    const rawSeparation = separation(raw, labels);
    let best: { density: DensityNormalisation; scores: Float64Array; separation: number } | undefined;
    const candidates: { targetOd: number; separation: number }[] = [];
    for (const targetOd of DENSITY_TARGETS) {
      const density: DensityNormalisation = { method: 'mean-od', targetOd, maxGain: DENSITY_MAX_GAIN };
      const scores = await scorePackedSamples(session, data, count, density);
      const sep = separation(scores, labels);
      candidates.push({ targetOd, separation: sep });
      if (!best || sep > best.separation) best = { density, scores, separation: sep };
    }
    log(
      `  separation (ROC-AUC z ≥ ${BLURRED_MIN_Z} vs z ≤ ${SHARP_MAX_Z}): raw ${rawSeparation.toFixed(4)}; ` +
        candidates.map((c) => `${c.targetOd}: ${c.separation.toFixed(4)}`).join(', ') +
        ` → target OD ${best!.density.targetOd}`,
    );
    return calibrate(best!.scores, labels, { density: best!.density, choice: { rule: DENSITY_TARGET_RULE, raw: rawSeparation, candidates }, rawScores: raw });
  } finally {
    await session.release();
  }
}

interface CardTraining {
  command?: string;
  data?: { slides?: string[]; validationSamples?: number; simulationConfig?: SimulationConfig };
  recipe?: { seed?: number };
}

export interface RecalibrateOptions {
  /** The models folder: NAME.json cards beside NAME.onnx. */
  models: string;
  /** Where the training slides named in the cards are looked for (../shared/slides/derived, ../shared/slides). */
  slideDirs: string[];
  workers?: number;
  command: string;
  log: (s: string) => void;
}

/** A model card that `focuslite calibrate` can recalibrate: trained by `focuslite train` on simulated defocus. */
function simulatedTraining(card: Record<string, unknown>, file: string): Required<Pick<CardTraining, 'data' | 'recipe'>> & { slides: string[]; valSamples: number; cfg: SimulationConfig; seed: number } {
  const t = card.training as CardTraining | undefined;
  const cfg = t?.data?.simulationConfig;
  const slides = t?.data?.slides;
  const valSamples = t?.data?.validationSamples;
  const seed = t?.recipe?.seed;
  if (!t?.data || !t.recipe || !cfg || !slides?.length || typeof valSamples !== 'number' || typeof seed !== 'number')
    throw new Error(`${file}: not a card of a model trained by \`focuslite train\` on simulated defocus (no training.data.simulationConfig, slides, validationSamples or recipe.seed)`);
  return { data: t.data, recipe: t.recipe, slides: slides.map((s) => s.replace(/ \(level 0\)$/, '')), valSamples, cfg: { ...DEFAULT_SIMULATION, ...cfg }, seed };
}

/** Recalibrates every card in a models folder on its training run's validation samples; the ONNX files are only read. */
export async function recalibrateModels(o: RecalibrateOptions): Promise<{ name: string; calibration: Calibration }[]> {
  const cards = readdirSync(o.models)
    .filter((f) => f.endsWith('.json') && !f.includes('.local.'))
    .sort();
  if (cards.length === 0) throw new Error(`no model cards (*.json) in ${o.models}`);
  const out: { name: string; calibration: Calibration }[] = [];
  const nWorkers = workerCount(o.workers);
  const pool = await Pool.create(nWorkers);
  // one rendering per distinct training run (the shipped models share one)
  const rendered = new Map<string, { data: Uint8Array; labels: Float64Array }>();
  try {
    for (const file of cards) {
      const path = join(o.models, file);
      const card = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      const run = simulatedTraining(card, path);
      const onnxPath = join(o.models, String(card.model));
      const onnx = new Uint8Array(await readFile(onnxPath));
      const sha = createHash('sha256').update(onnx).digest('hex');
      const recorded = (card.onnx as { sha256?: string } | undefined)?.sha256;
      if (recorded && recorded !== sha) throw new Error(`${onnxPath} is not the model its card describes (sha256 ${sha}, card ${recorded})`);
      const key = JSON.stringify([run.slides, run.seed, run.valSamples, run.cfg]);
      let samples = rendered.get(key);
      if (!samples) {
        const t0 = performance.now();
        const sources = [];
        for (const name of run.slides) {
          const slide = o.slideDirs.map((d) => join(d, name)).find((p) => existsSync(p));
          if (!slide) throw new Error(`${path}: training slide ${name} not found in ${o.slideDirs.join(', ')}`);
          sources.push(toShared(await readSlideLevel(slide, 0)));
        }
        const candidates = findCandidates(sources, run.cfg);
        const data = sampleBuffer(run.valSamples, nWorkers > 0);
        await pool.init({ sources, candidates, cfg: run.cfg, seed: run.seed }, { val: data });
        await pool.render('val', run.valSamples);
        const levels = run.cfg.zMax + 1;
        samples = { data, labels: Float64Array.from({ length: run.valSamples }, (_, i) => i % levels) };
        rendered.set(key, samples);
        o.log(`rebuilt ${run.valSamples} validation samples of ${run.slides.join(', ')} (seed ${run.seed}, ${candidates.val.length} positions) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      o.log(`${card.name}:`);
      const cal = await calibrateOnnx(onnx, samples.data, samples.labels, o.log);
      checkRebuild(card, cal, path);
      await writeFile(path, JSON.stringify(withCalibration(card, cal, o.command), null, 2) + '\n');
      o.log(
        `  grade ${OUT_OF_FOCUS_GRADE} (threshold) at ${cal.threshold.toFixed(4)}, grades 0/10 at ${cal.displayScale.map((v) => v.toFixed(3)).join(' / ')}; ` +
          `validation balanced accuracy ${cal.validation.balancedAccuracy.toFixed(4)}, separation ${cal.validation.separation.toFixed(4)}; wrote ${basename(path)}`,
      );
      out.push({ name: String(card.name), calibration: cal });
    }
  } finally {
    await pool.close();
  }
  return out;
}

/**
 * The rebuilt samples must be the training run's: their raw median scores per level equal the ones the card recorded
 * when it was written (metrics.validation of an uncalibrated card, or the calibration's own record).
 */
function checkRebuild(card: Record<string, unknown>, cal: Calibration, path: string): void {
  const calib = card.calibration as { medianScoreByLevelWithoutNormalisation?: Record<string, number> } | undefined;
  const metrics = card.metrics as { validation?: { medianScoreByLevel?: Record<string, number> } } | undefined;
  const recorded = calib?.medianScoreByLevelWithoutNormalisation ?? (card.preprocessing === undefined && !card.grade ? metrics?.validation?.medianScoreByLevel : undefined);
  if (!recorded || !cal.rawMedians) return;
  for (const [z, v] of Object.entries(recorded)) {
    const got = cal.rawMedians[z];
    if (got === undefined || Math.abs(got - v) > 1e-3) throw new Error(`${path}: the rebuilt validation samples are not the training run's (median raw score at ${z}: ${got} against ${v} in the card)`);
  }
}
