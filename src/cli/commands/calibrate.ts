import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { packageRoot } from '../../tools/model/node-model.ts';
import { sharedDir, SHARED_MISSING } from '../../tools/model/shared-data.ts';
import { DENSITY_TARGET_RULE, recalibrateModels } from '../../tools/train/calibrate.ts';
import { GRADE_FIT_RULE } from '../../tools/train/grade-fit.ts';
import { OUT_OF_FOCUS_GRADE } from '../../focus/grade.ts';

const usage = `focuslite calibrate [--models DIR] [options]

Recalibrates trained models without retraining: rebuilds each card's held-out validation samples exactly as
\`focuslite train\` made them (same slides, seed and simulation, read from the card), scores them with the model's
ONNX file as the app does, and rewrites the card's calibration (the ONNX and weights files are not touched):
  stain-density normalisation: ${DENSITY_TARGET_RULE}
  grade curve: ${GRADE_FIT_RULE}
  threshold = the score at the out-of-focus grade (${OUT_OF_FOCUS_GRADE}); displayScale = the scores at grades 0 and 10.
\`focuslite train\` calibrates new models the same way.

  --models DIR     folder with the models (NAME.onnx beside its card NAME.json); default the package's models/
  --slides DIR     folder with the training slides named in the cards (default ../shared/slides/derived)
  --workers N      worker threads for rebuilding the samples (default 2)`;

const command: Command = {
  summary: 'Recalibrate trained models (grade scale, threshold, stain-density normalisation) on their validation samples',
  usage,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { models: { type: 'string' }, slides: { type: 'string' }, workers: { type: 'string' } } });
    const workers = values.workers !== undefined ? Number(values.workers) : undefined;
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`--workers must be a non-negative integer, got '${values.workers}'`);
    let slideDirs: string[];
    if (values.slides) slideDirs = [resolve(values.slides)];
    else {
      const shared = sharedDir();
      if (!shared) {
        console.error(`focuslite calibrate: ${SHARED_MISSING}; the training slides live there (or pass --slides DIR)`);
        return EXIT.usage;
      }
      slideDirs = [join(shared, 'slides', 'derived'), join(shared, 'slides')];
    }
    const models = resolve(values.models ?? join(packageRoot(), 'models'));
    const args = argv.filter((a, i) => a !== '--workers' && argv[i - 1] !== '--workers');
    await recalibrateModels({ models, slideDirs, workers, command: ['focuslite', 'calibrate', ...args].join(' '), log: (s) => console.log(s) });
    return EXIT.ok;
  },
};

export default command;
