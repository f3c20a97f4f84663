import { parentPort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { sharedDir } from '../../tools/model/shared-data.ts';
import { serveWorker } from '../../tools/train/pool.ts';
import { DEFAULT_EPOCHS, runTraining } from '../../tools/train/run.ts';
import { DEFAULT_SIMULATION, type Range } from '../../tools/train/simulate.ts';

const fmtRange = (r: Range) => r.join(',');

/** A positive factor range 'A,B' (A ≤ B), for the log-uniform augmentations. */
function range(v: string | undefined, name: string): Range | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((p) => Number(p.trim()));
  const [a, b] = parts;
  if (parts.length !== 2 || a === undefined || b === undefined || !(a > 0) || !(b >= a) || !Number.isFinite(b))
    throw new UsageError(`--${name} must be two positive factors A,B with A ≤ B, got '${v}'`);
  return [a, b];
}

const DEFAULT_SLIDE = 'slides/derived/TCGA-CR-7395-pyramid-jpeg.tif';
/** Initialisations tried per model (trainer.ts TrainOptions.starts). */
const DEFAULT_STARTS = 4;

const usage = `focuslite train --out DIR [options]

Trains FocusLiteNN models (one per kernel count) and writes, per model, DIR/NAME.onnx, the model card DIR/NAME.json
and the weights DIR/weights/NAME.json (our focuslite-weights format). Without --data the samples are simulated:
graded defocus (disk + Gaussian PSF, z = 0…14) of in-focus tissue, with stain, noise and JPEG augmentation.

  --out DIR            output folder (created)
  --kernels LIST       kernel counts, e.g. 1 or 1,2,10 (default 1); all share one sample set
  --loss plcc|mse      PLCC loss as in the paper (default), or MSE against z for absolute-scale models
  --target log|sqrt|z  what the loss compares the score with: log(1 + z) (default for PLCC), √z, or z (default
                       for MSE)
  --seed N             random seed (default 1); the same seed gives the same weights
  --slides LIST        pyramidal TIFFs of in-focus tissue, level 0 used
                       (default ../shared/${DEFAULT_SLIDE})
  --data PATH          train on labelled patches instead: a CSV of path,label or a folder with the FocusPath
                       layout (images and a label list; label = |focus offset|)
  --samples N          training samples (default 4500)
  --val-samples N      held-out validation samples, for calibration (default 600)
  --epochs N           epochs (default ${DEFAULT_EPOCHS})
  --batch N            batch size (default 64)
  --lr X               Adam learning rate (default 0.01)
  --lr-step N          decay the learning rate every N epochs (default a third of the epochs)
  --lr-gamma X         decay factor (default 0.1)
  --workers N          worker threads (default 2, capped by the cores)
  --stain-density A,B  overall stain density factor range, one factor on every stain (default ${fmtRange(DEFAULT_SIMULATION.stainDensity)};
                       1,1 = off): section thickness and staining vary between labs
  --exposure A,B       illumination gain range on transmitted intensity (default ${fmtRange(DEFAULT_SIMULATION.exposure)}; 1,1 = off)
  --white-balance A,B  a further gain range per colour channel (default ${fmtRange(DEFAULT_SIMULATION.whiteBalance)}; 1,1 = off)
  --starts N           initialisations tried per model (default ${DEFAULT_STARTS}): each trains 5 epochs, the one with the
                       lowest validation loss is kept and trained in full
  --zero-mean MODE     keep the kernels zero-mean while training: over all three colours (grey, the default), per
                       colour (channel), or not at all (none)
  --float-weights      ship the conv weights as trained (float32) instead of on an 8-bit grid per kernel;
                       the default 8-bit grid makes the model's integer product 3× cheaper (1 digit, not 3)
  --name PREFIX        model name prefix (default focuslite)`;

function num(v: string | undefined, name: string, fallback: number, integer = true): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) throw new UsageError(`--${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}, got '${v}'`);
  return n;
}

const command: Command = {
  summary: 'Train FocusLiteNN weights on simulated defocus of in-focus tissue (or on labelled patches)',
  usage,
  async run(argv) {
    if (argv[0] === '--internal-worker') {
      if (!parentPort) throw new Error('--internal-worker is for worker threads');
      await serveWorker(parentPort);
      return EXIT.ok;
    }
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        kernels: { type: 'string' },
        loss: { type: 'string' },
        target: { type: 'string' },
        seed: { type: 'string' },
        slides: { type: 'string' },
        data: { type: 'string' },
        samples: { type: 'string' },
        'val-samples': { type: 'string' },
        epochs: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        'lr-step': { type: 'string' },
        'lr-gamma': { type: 'string' },
        workers: { type: 'string' },
        name: { type: 'string' },
        'float-weights': { type: 'boolean' },
        'zero-mean': { type: 'string' },
        'stain-density': { type: 'string' },
        exposure: { type: 'string' },
        'white-balance': { type: 'string' },
        starts: { type: 'string' },
      },
    });
    if (!values.out) {
      console.error(`focuslite train: --out is required\n\nUsage: ${usage}`);
      return EXIT.usage;
    }
    const kernels = (values.kernels ?? '1').split(',').map((k) => Number(k.trim()));
    if (kernels.some((k) => !Number.isInteger(k) || k < 1 || k > 64)) {
      console.error(`focuslite train: --kernels must list integers 1…64, got '${values.kernels}'`);
      return EXIT.usage;
    }
    const loss = values.loss ?? 'plcc';
    if (loss !== 'plcc' && loss !== 'mse') {
      console.error(`focuslite train: --loss must be plcc or mse, got '${loss}'`);
      return EXIT.usage;
    }
    const target = values.target;
    if (target !== undefined && target !== 'sqrt' && target !== 'z' && target !== 'log') {
      console.error(`focuslite train: --target must be sqrt, z or log, got '${target}'`);
      return EXIT.usage;
    }
    const zeroMeanArg = values['zero-mean'] ?? 'grey';
    if (zeroMeanArg !== 'channel' && zeroMeanArg !== 'grey' && zeroMeanArg !== 'none') {
      console.error(`focuslite train: --zero-mean must be grey, channel or none, got '${zeroMeanArg}'`);
      return EXIT.usage;
    }
    const zeroMean = zeroMeanArg === 'none' ? undefined : zeroMeanArg;
    const starts = num(values.starts, 'starts', DEFAULT_STARTS);
    if (starts < 1) throw new UsageError(`--starts must be at least 1, got '${values.starts}'`);
    const sim: { stainDensity?: Range; exposure?: Range; whiteBalance?: Range } = {};
    const stainDensity = range(values['stain-density'], 'stain-density');
    const exposure = range(values.exposure, 'exposure');
    const whiteBalance = range(values['white-balance'], 'white-balance');
    if (stainDensity) sim.stainDensity = stainDensity;
    if (exposure) sim.exposure = exposure;
    if (whiteBalance) sim.whiteBalance = whiteBalance;
    let slides: string[] = [];
    if (!values.data) {
      if (values.slides) slides = values.slides.split(',');
      else {
        const shared = sharedDir();
        if (!shared) {
          console.error(`focuslite train: no training tissue: ../shared is not beside the repository; pass --slides FILE.tif or --data CSV|DIR`);
          return EXIT.usage;
        }
        slides = [join(shared, DEFAULT_SLIDE)];
      }
      for (const s of slides) {
        if (!existsSync(s)) {
          console.error(`focuslite train: ${s}: no such file`);
          return EXIT.failed;
        }
        if (/CMU-1|synthetic-blur/i.test(basename(s)) || /[\\/]shared[\\/]focus[\\/]/.test(s)) {
          console.error(`focuslite train: ${s} is evaluation data (CMU-1, the synthetic-blur slide and shared/focus are never trained on)`);
          return EXIT.usage;
        }
      }
    }
    const started = performance.now();
    const results = await runTraining({
      out: values.out,
      kernels,
      loss,
      target,
      seed: num(values.seed, 'seed', 1),
      trainSamples: num(values.samples, 'samples', 4500),
      valSamples: num(values['val-samples'], 'val-samples', 600),
      epochs: values.epochs !== undefined ? num(values.epochs, 'epochs', 0) : undefined,
      batchSize: num(values.batch, 'batch', 64),
      lr: num(values.lr, 'lr', 0.01, false),
      lrStepEpochs: values['lr-step'] !== undefined ? num(values['lr-step'], 'lr-step', 1) : undefined,
      lrGamma: num(values['lr-gamma'], 'lr-gamma', 0.1, false),
      slides,
      data: values.data,
      workers: values.workers !== undefined ? num(values.workers, 'workers', 2) : undefined,
      name: values.name ?? 'focuslite',
      floatWeights: values['float-weights'] === true,
      zeroMean,
      starts,
      command: ['focuslite', 'train', ...argv].join(' '),
      sim,
      log: (s) => console.log(s),
    });
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${results.map((r) => `${r.name} (${r.seconds.toFixed(1)} s training)`).join(', ')}`);
    return EXIT.ok;
  },
};

export default command;
