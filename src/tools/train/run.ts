// `focuslite train` end to end: build the samples (simulated defocus of in-focus tissue, or labelled files), train
// one model per requested kernel count, calibrate it on held-out samples, and write weights, ONNX and model card.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { buildFocusModel } from '../model/onnx-builder.ts';
import { fromNchw } from '../../focus/session/input-layout.ts';
import { createFocusSession, inputLayout, runPatchTensor } from '../../focus/session/session.ts';
import { quantiseConvWeights } from '../model/quantise.ts';
import { writeWeightsJson, type FocusWeights } from '../model/weights.ts';
import { calibrate, modelCard, round, type Calibration } from './card.ts';
import { calibrateOnnx, scorePackedSamples } from './calibrate.ts';
import { PATCH, PADDED, PLANE, SAMPLE_BYTES } from './image.ts';
import { isValidationFile, packLabelledCrops, readLabelledData } from './labelled.ts';
import type { LossKind } from './loss.ts';
import { netFromWeights, netToWeights, scoreSamples } from './net.ts';
import { Pool, sampleBuffer, toShared, workerCount, type Buffers } from './pool.ts';
import { nominalPsf, psfKernel, kernelSigma, PX_PER_LEVEL } from './psf.ts';
import { DEFAULT_SIMULATION, findCandidates, type Range, type SimulationConfig } from './simulate.ts';
import { readSlideLevel } from './source.ts';
import { trainNet, type SampleSet, type TrainOptions } from './trainer.ts';

/** Training target from the focus level z: z itself, √z or log(1 + z) (see TARGETS). */
export type Target = 'z' | 'sqrt' | 'log';

/**
 * The PLCC target compresses the blurry end: the visible effect of defocus grows fast for the first levels and then
 * saturates (a 10 px blur and a 14 px blur both leave no detail), so a score linear in z must spend its range on
 * differences that are invisible, at the expense of the ones around the in-focus/out-of-focus boundary. PLCC against
 * log(1 + z) (the default) or √z keeps the ordering (SRCC is unchanged) and moves the emphasis to z = 0…6; with
 * zero-mean kernels log(1 + z) ranked CMU-1 better than √z (measured in models/README.md).
 */
export const TARGETS: Record<Target, (z: number) => number> = { z: (z) => z, sqrt: (z) => Math.sqrt(z), log: (z) => Math.log1p(z) };
const TARGET_LABELS: Record<Target, string> = { z: 'z', sqrt: '√z', log: 'log(1 + z)' };

export interface RunOptions {
  out: string;
  kernels: number[];
  loss: LossKind;
  /** What the PLCC/MSE loss compares the score with (default log(1 + z) for PLCC, z for MSE). */
  target?: Target;
  seed: number;
  trainSamples: number;
  valSamples: number;
  /** Epochs (default DEFAULT_EPOCHS). */
  epochs?: number;
  batchSize: number;
  lr: number;
  lrStepEpochs?: number;
  lrGamma: number;
  slides: string[];
  data?: string;
  workers?: number;
  name: string;
  /** Keep the kernels zero-mean while training (trainer.ts zeroMeanKernels). */
  zeroMean?: TrainOptions['zeroMean'];
  /** Initialisations tried per model, the best on validation after a short probe kept (trainer.ts TrainOptions.starts). */
  starts?: number;
  /** Ship the conv weights as trained instead of on their 8-bit grid (quantise.ts). */
  floatWeights?: boolean;
  command: string;
  log: (s: string) => void;
  sim?: Partial<SimulationConfig>;
}

/** Epochs for every kernel count; the learning rate steps down every third of them. */
export const DEFAULT_EPOCHS = 60;

interface Prepared {
  /** Consecutive samples forming a z-stack (shuffled together). */
  groupSize: number;
  train: SampleSet;
  val: SampleSet;
  buffers: Buffers;
  description: Record<string, unknown>;
}

/** A factor-range augmentation for the card: 'none' when it is [1, 1], else the text with $ replaced by the range. */
const gainRange = (r: Range, text: string): string => (r[0] === 1 && r[1] === 1 ? 'none' : text.replace('$', r.join(',')));

async function prepareSimulated(pool: Pool, o: RunOptions, shared: boolean): Promise<Prepared> {
  const cfg: SimulationConfig = { ...DEFAULT_SIMULATION, ...o.sim };
  const t0 = performance.now();
  const sources = [];
  for (const s of o.slides) sources.push(toShared(await readSlideLevel(s, 0)));
  const candidates = findCandidates(sources, cfg);
  o.log(
    `training tissue: ${o.slides.map((s) => basename(s)).join(', ')} level 0 (${sources.map((s) => `${s.width}×${s.height}`).join(', ')}); ` +
      `${candidates.train.length} training and ${candidates.val.length} validation positions (≥ ${cfg.minTissue * 100}% tissue)`,
  );
  const buffers: Buffers = { train: sampleBuffer(o.trainSamples, shared), val: sampleBuffer(o.valSamples, shared) };
  await pool.init({ sources, candidates, cfg, seed: o.seed }, buffers);
  let last = 0;
  const progress = (what: string, total: number) => (done: number) => {
    const now = performance.now();
    if (now - last > 10_000 || done === total) {
      last = now;
      o.log(`  rendering ${what} samples: ${done}/${total} (${((now - t0) / 1000).toFixed(0)} s)`);
    }
  };
  await pool.render('train', o.trainSamples, progress('training', o.trainSamples));
  await pool.render('val', o.valSamples, progress('validation', o.valSamples));
  const levels = cfg.zMax + 1;
  const labels = (n: number) => Float64Array.from({ length: n }, (_, i) => i % levels);
  const seconds = (performance.now() - t0) / 1000;
  o.log(`built ${o.trainSamples} + ${o.valSamples} samples in ${seconds.toFixed(1)} s with ${pool.size || 'no'} worker${pool.size === 1 ? '' : 's'}`);
  return {
    groupSize: cfg.stackSize,
    train: { buffer: 'train', count: o.trainSamples, labels: labels(o.trainSamples) },
    val: { buffer: 'val', count: o.valSamples, labels: labels(o.valSamples) },
    buffers,
    description: {
      kind: 'simulated defocus of in-focus tissue',
      slides: o.slides.map((s) => `${basename(s)} (level 0)`),
      validation: `positions whose 235×235 window lies in the right-hand ${cfg.validationBand * 100}% of each slide (never used for training)`,
      trainSamples: o.trainSamples,
      validationSamples: o.valSamples,
      tissue: `windows with ≥ ${cfg.minTissue * 100}% tissue (max−min channel ≥ 20 or mean < 160)`,
      levels: `z = 0…${cfg.zMax}, balanced (sample i has z = i mod ${cfg.zMax + 1})`,
      psf:
        `PSF(z) = α·normalise(D(r) + γ·D(ρr)) ⊛ G(σo) + (1 − α)·G(√((r/2)² + σo²)), D = anti-aliased unit disk, ` +
        `r = z·${cfg.pxPerLevel} px·U(${1 - cfg.radiusJitter}, ${1 + cfg.radiusJitter}); α ∈ [${cfg.diskWeight}], ρ ∈ [${cfg.innerRatio}], γ ∈ [${cfg.innerGain}] ` +
        `(spherical aberration: rim- or centre-heavy disk), σo ∈ [${cfg.opticsSigma}] px (in-focus optics); Gaussians of σ ≥ 3 recursive (Young–van Vliet)`,
      gaussianEquivalentSigmaByLevel: Object.fromEntries([0, 1, 2, 3, 6, 9, 12, 14].map((z) => [`z${z}`, round(kernelSigma(psfKernel(nominalPsf(z, PX_PER_LEVEL))), 2)])),
      augmentations: {
        magnification: `×U_log(${cfg.scale}) bicubic resampling of the tissue before the PSF (finer sampling of the same tissue)`,
        stain: `HED colour deconvolution (Ruifrok–Johnston); concentration × log-uniform H ∈ [${cfg.stainScale[0]}], E ∈ [${cfg.stainScale[1]}], residual ∈ [${cfg.stainScale[2]}]; optical-density shift ± ${cfg.stainShift}`,
        stainDensity: gainRange(cfg.stainDensity, "every stain's concentration × one log-uniform factor ∈ [$] (section thickness, staining time)"),
        exposure: gainRange(cfg.exposure, 'transmitted intensity × log-uniform gain ∈ [$], clipped at white (lamp, exposure, white level)'),
        whiteBalance: gainRange(cfg.whiteBalance, "each colour channel's transmitted intensity × its own log-uniform gain ∈ [$] (colour calibration)"),
        noise: `Poisson–Gaussian: σ² = read² + shot·I/255 grey levels², read ∈ [${cfg.noiseRead}], shot ∈ [${cfg.noiseShot}]`,
        sharpening:
          cfg.sharpenProbability > 0
            ? `with probability ${cfg.sharpenProbability}: unsharp mask, amount ∈ [${cfg.sharpenAmount}], σ ∈ [${cfg.sharpenSigma}] px (scanner "USM" filters)`
            : 'none (an unsharp-mask augmentation is available but did not help)',
        jpeg: `with probability ${cfg.jpegProbability}: baseline-JPEG quantisation (libjpeg tables) at quality ∈ [${cfg.jpegQuality}], 4:2:0 chroma with probability ${cfg.jpegSubsampleProbability}`,
        geometry: 'random position (16-px grid ± 8 px jitter) and one of the 8 flips/rotations',
      },
      order: `stain → magnification → defocus PSF (linear intensity) → noise → ${cfg.sharpenProbability > 0 ? 'sharpening → ' : ''}JPEG → 8-bit`,
      simulationConfig: cfg,
    },
  };
}

async function prepareLabelled(pool: Pool, o: RunOptions, shared: boolean): Promise<Prepared> {
  const files = readLabelledData(o.data!);
  const val = files.filter((f) => isValidationFile(f.name, 0.1, o.seed));
  const train = files.filter((f) => !isValidationFile(f.name, 0.1, o.seed));
  if (train.length === 0 || val.length === 0) throw new Error(`--data: need files for both training and the 10% validation split (have ${files.length})`);
  const buffers: Buffers = { train: sampleBuffer(o.trainSamples, shared), val: sampleBuffer(o.valSamples, shared) };
  const trainLabels = await packLabelledCrops(train, o.trainSamples, o.seed, buffers.train!);
  const valLabels = await packLabelledCrops(val, o.valSamples, o.seed + 1, buffers.val!);
  await pool.init(undefined, buffers);
  o.log(`labelled data: ${train.length} training and ${val.length} validation files, ${o.trainSamples} + ${o.valSamples} random 235×235 crops`);
  return {
    groupSize: 1,
    train: { buffer: 'train', count: o.trainSamples, labels: trainLabels },
    val: { buffer: 'val', count: o.valSamples, labels: valLabels },
    buffers,
    description: { kind: 'labelled patches', source: o.data, files: files.length, validation: '10% of the files by a hash of their name', crops: 'random 235×235 crops, files used equally often' },
  };
}

/** Unpacks packed samples into the ONNX input layout (float32 value/255, [n,3,235,235]). */
export function samplesToTensor(data: Uint8Array, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * 3 * PATCH * PATCH);
  indices.forEach((s, n) => {
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < PATCH; y++)
        for (let x = 0; x < PATCH; x++) {
          out[((n * 3 + c) * PATCH + y) * PATCH + x] = data[s * SAMPLE_BYTES + c * PLANE + (y + 1) * PADDED + x + 1]! / 255;
        }
  });
  return out;
}

/** Largest |ONNX − TypeScript| score over some samples: the shipped file must compute what was evaluated. */
async function onnxParity(onnx: Uint8Array, weights: FocusWeights, data: Uint8Array, count: number): Promise<number> {
  const idx = Array.from({ length: Math.min(16, count) }, (_, i) => Math.floor((i * count) / Math.min(16, count)));
  const session = await createFocusSession(onnx);
  try {
    const got = await runPatchTensor(session, fromNchw(inputLayout(session), samplesToTensor(data, idx), idx.length), idx.length);
    const sub = new Uint8Array(idx.length * SAMPLE_BYTES);
    idx.forEach((s, n) => sub.set(data.subarray(s * SAMPLE_BYTES, (s + 1) * SAMPLE_BYTES), n * SAMPLE_BYTES));
    const want = scoreSamples(netFromWeights(weights), sub, idx.length, SAMPLE_BYTES);
    let max = 0;
    for (let i = 0; i < idx.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
    return max;
  } finally {
    await session.release();
  }
}

export interface TrainedModel {
  kernels: number;
  name: string;
  seconds: number;
  calibration: Calibration;
  files: string[];
}

export async function runTraining(o: RunOptions): Promise<TrainedModel[]> {
  const started = performance.now();
  const nWorkers = workerCount(o.workers);
  const pool = await Pool.create(nWorkers);
  const results: TrainedModel[] = [];
  try {
    const prep = o.data ? await prepareLabelled(pool, o, nWorkers > 0) : await prepareSimulated(pool, o, nWorkers > 0);
    const dataSeconds = (performance.now() - started) / 1000;
    await mkdir(join(o.out, 'weights'), { recursive: true });
    const target = o.target ?? (o.loss === 'mse' ? 'z' : 'log');
    const toTarget = (set: SampleSet): SampleSet => ({ ...set, labels: set.labels.map(TARGETS[target]) });
    const trainSet = toTarget(prep.train);
    const valSet = toTarget(prep.val);
    for (const C of o.kernels) {
      const epochs = o.epochs ?? DEFAULT_EPOCHS;
      const topts: TrainOptions = {
        kernels: C,
        loss: o.loss,
        epochs,
        batchSize: o.batchSize,
        lr: o.lr,
        lrStepEpochs: o.lrStepEpochs ?? Math.ceil(epochs / 3),
        lrGamma: o.lrGamma,
        seed: o.seed,
        validateEvery: 5,
        groupSize: prep.groupSize,
        zeroMean: o.zeroMean,
        starts: o.starts,
        log: o.log,
      };
      o.log(`training the ${C}-kernel model: ${epochs} epochs of ${o.trainSamples} samples, batch ${o.batchSize}, ${o.loss.toUpperCase()} loss against ${TARGET_LABELS[target]}`);
      const res = await trainNet(pool, prep.buffers, trainSet, valSet, topts);
      const floatWeights = netToWeights(res.net);
      // Ship the conv weights on an 8-bit grid: the u8 graph then runs one integer digit instead of three (a third
      // of the integer rows, about half the model's time; onnx-builder.ts). Calibrate the weights that are shipped,
      // not the float64 ones trained; the float32 weights' validation metrics go in the card beside them, so the
      // cost of rounding is on record.
      const weights = o.floatWeights ? floatWeights : quantiseConvWeights(floatWeights);
      const name = `${o.name}-${C}kernel${o.loss === 'mse' ? '-mse' : ''}`;
      const onnx = buildFocusModel(weights, { name, metadata: { licence: 'MIT', trained_by: 'focuslite train', seed: String(o.seed) } });
      const parity = await onnxParity(onnx, weights, prep.buffers[prep.val.buffer]!, prep.val.count);
      if (!(parity < 1e-3)) throw new Error(`the ONNX model disagrees with the TypeScript forward by ${parity}`);
      // Calibrate as `focuslite calibrate` does (one implementation): the shipped ONNX through the product's path.
      const valData = prep.buffers[prep.val.buffer]!;
      const cal = await calibrateOnnx(onnx, valData, prep.val.labels, o.log);
      // the float32 weights' metrics, on the same normalised input (only for the record: they are not shipped)
      const floatSession = o.floatWeights ? undefined : await createFocusSession(buildFocusModel(floatWeights));
      const floatCal = floatSession
        ? await scorePackedSamples(floatSession, valData, prep.val.count, cal.density)
            .then((scores) => calibrate(scores, prep.val.labels, cal.density ? { density: cal.density } : undefined))
            .finally(() => void floatSession.release())
        : cal;
      const training = {
        command: o.command,
        data: prep.description,
        recipe: {
          seed: o.seed,
          optimizer: 'Adam (β1 0.9, β2 0.999, ε 1e-8)',
          loss: o.loss === 'plcc' ? `1 − PLCC(scores, ${TARGET_LABELS[target]}) per batch (offset and scale of the score are arbitrary)` : `MSE against ${TARGET_LABELS[target]}${target === 'z' ? ' (score ≈ z-level)' : ''}`,
          target: target === 'z' ? 'z' : `${TARGET_LABELS[target]}: spreads the sharp end, where in/out of focus is decided, and compresses the saturated blurry end`,
          lr: o.lr,
          lrSchedule: `step decay ×${o.lrGamma} every ${topts.lrStepEpochs} epochs`,
          epochs,
          batchSize: o.batchSize,
          steps: res.steps,
          initialisation: 'PyTorch defaults (uniform ±1/√fan_in), seeded',
          selection: 'the weights after the last epoch (no early stopping)',
          ...(res.probeLosses.length > 1
            ? { starts: { tried: res.probeLosses.length, kept: res.start + 1, rule: 'lowest validation loss after 5 epochs, then trained in full', validationLosses: res.probeLosses.map((l) => Number(l.toFixed(5))) } }
            : {}),
          ...(o.zeroMean ? { kernelConstraint: `zero-mean ${o.zeroMean === 'channel' ? 'per colour' : 'over all three colours'} (projection after every step)` } : {}),
          convWeights: o.floatWeights
            ? 'float32 as trained (--float-weights)'
            : {
                rule: 'rounded after training to a symmetric 8-bit grid per kernel (step max|w| / 127); biases and the linear layer stay float32',
                validationFloat32: { plcc: round(floatCal.validation.plcc, 4), srcc: round(floatCal.validation.srcc, 4), rocAuc: round(floatCal.validation.rocAuc, 4) },
              },
        },
        history: res.history.map((h) => ({ epoch: h.epoch, lr: h.lr, loss: round(h.loss, 5), ...(h.valPlcc !== undefined ? { valPlcc: round(h.valPlcc, 4), valSrcc: round(h.valSrcc!, 4) } : {}) })),
        seconds: { samples: round(dataSeconds, 1), training: round(res.seconds, 1), workers: pool.size },
      };
      const weightsFile = `weights/${name}.json`;
      const onnxFile = `${name}.onnx`;
      await writeFile(join(o.out, weightsFile), writeWeightsJson(weights, { name, licence: 'MIT', seed: o.seed, loss: o.loss }));
      await writeFile(join(o.out, onnxFile), onnx);
      const card = modelCard({
        name,
        onnxFile,
        weightsFile,
        weights,
        onnxBytes: onnx.length,
        onnxSha256: createHash('sha256').update(onnx).digest('hex'),
        onnxParityMaxAbsDiff: Number(parity.toExponential(2)),
        calibration: cal,
        training,
      });
      await writeFile(join(o.out, `${name}.json`), JSON.stringify(card, null, 2) + '\n');
      const files = [onnxFile, `${name}.json`, weightsFile].map((f) => {
        const rel = relative(process.cwd(), join(o.out, f));
        return rel && !rel.startsWith('..') ? rel : join(o.out, f);
      });
      o.log(
        `${name}: trained in ${res.seconds.toFixed(1)} s; validation PLCC ${cal.validation.plcc.toFixed(4)}, SRCC ${cal.validation.srcc.toFixed(4)}; ` +
          `threshold ${cal.threshold.toFixed(4)}, display scale [${cal.displayScale[0].toFixed(3)}, ${cal.displayScale[1].toFixed(3)}]; ONNX parity ${parity.toExponential(1)}`,
      );
      o.log(`  wrote ${files.join(', ')}`);
      results.push({ kernels: C, name, seconds: res.seconds, calibration: cal, files });
    }
  } finally {
    await pool.close();
  }
  return results;
}
