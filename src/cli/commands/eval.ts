import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT } from '../exit-codes.ts';
import { packageRoot } from '../../tools/model/node-model.ts';
import { sharedDir, SHARED_MISSING } from '../../tools/model/shared-data.ts';
import { DEFAULT_SETS, markdownReport, ourWeightsIn, runEvaluation, SET_IDS, type EvalReport, type SetId } from '../../tools/eval/run.ts';
import { round } from '../../tools/train/card.ts';
import { scanSlideFile } from '../../workers/node-scan.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';

const BEGIN = '<!-- focuslite eval: begin (generated, do not edit by hand) -->';
const END = '<!-- focuslite eval: end -->';

const usage = `focuslite eval [options]

Scores our trained models and, side by side, the six official FocusLiteNN weights from ../shared, on:
  real            (a) the four real patches in ../shared/focus/real (two in/out-of-focus pairs)
  cmu             (b) CMU-1 (never trained on) with graded Gaussian defocus, re-compressed as the scan was
  cmu-nojpeg      (b″) the same without the re-compression
  cmu-disk        (b′) the same with the disk-defocus PSF of the training simulation (not run by default)
  synthetic-blur  (c) the TCGA-CR-7395 synthetic-blur slide and its mask (training tissue: reported apart)
Metrics as in the paper's Table 1: SRCC and PLCC against the blur level, ROC-AUC and PR-AUC (out of focus = positive).

  --models DIR      folder with our models (weights/*.json, cards *.json); default the package's models/
  --weights LIST    evaluate these weights files instead (any format build-model reads)
  --no-official     leave out the official weights
  --sets LIST       comma-separated, default ${DEFAULT_SETS.join(',')}
  --readme FILE     write the Markdown tables into FILE between the eval markers (created if missing)
  --update-cards    record the results in our models' cards (metrics.evaluation)
  --json FILE       write the full results as JSON
  --workers N       worker threads (default 2)`;

function setMetricsForCard(report: EvalReport, model: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of report.sets) {
    const m = s.metrics[model];
    if (!m) continue;
    const o: Record<string, unknown> = { title: s.title, samples: s.samples };
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'number') o[k] = round(v, 4);
      else if (k === 'pairs') o[k] = Object.fromEntries(Object.entries(v as Record<string, { inFocus: number; outOfFocus: number }>).map(([p, x]) => [p, { inFocus: round(x.inFocus, 4), outOfFocus: round(x.outOfFocus, 4) }]));
    }
    out[s.id] = o;
  }
  return out;
}

const command: Command = {
  summary: 'Evaluate our models (and the official FocusLiteNN weights) as in the paper: SRCC, PLCC, ROC-AUC, PR-AUC',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        models: { type: 'string' },
        weights: { type: 'string' },
        'no-official': { type: 'boolean' },
        sets: { type: 'string' },
        readme: { type: 'string' },
        'update-cards': { type: 'boolean' },
        json: { type: 'string' },
        workers: { type: 'string' },
      },
    });
    const shared = sharedDir();
    if (!shared) {
      console.error(`focuslite eval: ${SHARED_MISSING}; the evaluation sets live there`);
      return EXIT.usage;
    }
    const sets = (values.sets ?? DEFAULT_SETS.join(',')).split(',').map((s) => s.trim()) as SetId[];
    const unknown = sets.filter((s) => !(SET_IDS as readonly string[]).includes(s));
    if (unknown.length) {
      console.error(`focuslite eval: unknown set(s) ${unknown.join(', ')}; choose from ${SET_IDS.join(', ')}`);
      return EXIT.usage;
    }
    const modelsDir = resolve(values.models ?? join(packageRoot(), 'models'));
    const weights = values.weights ? values.weights.split(',') : ourWeightsIn(modelsDir);
    for (const w of weights) {
      if (!existsSync(w)) {
        console.error(`focuslite eval: ${w}: no such file`);
        return EXIT.failed;
      }
    }
    if (weights.length === 0) console.error(`focuslite eval: no weights in ${join(modelsDir, 'weights')}; evaluating the official models only`);
    const workers = values.workers !== undefined ? Number(values.workers) : undefined;
    const scanSlide = (path: string, m: { model: Uint8Array; density?: DensityNormalisation }) => scanSlideFile(path, { ...m, workers: 0 }).then((r) => r.map);
    const report = await runEvaluation({ shared, weights, official: !values['no-official'], sets, workers, scanSlide, log: (s) => console.log(s) });
    const cmd = ['focuslite', 'eval', ...argv.filter((a, i) => !['--json', '--workers'].includes(a) && !['--json', '--workers'].includes(argv[i - 1] ?? ''))].join(' ');
    const md = markdownReport(report, values.readme ? 'npm run eval:models' : cmd);
    console.log('\n' + md);
    if (values.json) await writeFile(values.json, JSON.stringify(report, null, 1) + '\n');
    if (values.readme) {
      const block = `${BEGIN}\n${md}\n${END}`;
      let text = existsSync(values.readme) ? await readFile(values.readme, 'utf8') : `# Models\n\n`;
      const a = text.indexOf(BEGIN);
      const b = text.indexOf(END);
      text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n${block}\n`;
      await writeFile(values.readme, text);
      console.log(`wrote the tables into ${values.readme}`);
    }
    if (values['update-cards']) {
      for (const m of report.models.filter((x) => x.group === 'ours')) {
        const card = join(m.source, '..', '..', basename(m.source));
        if (!existsSync(card)) continue;
        const c = JSON.parse(await readFile(card, 'utf8')) as { metrics?: Record<string, unknown> };
        c.metrics = { ...c.metrics, evaluation: { command: 'npm run eval:models', ...setMetricsForCard(report, m.name) } };
        await writeFile(card, JSON.stringify(c, null, 2) + '\n');
        console.log(`updated ${card}`);
      }
    }
    return EXIT.ok;
  },
};

export default command;
