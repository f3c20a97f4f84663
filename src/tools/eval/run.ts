// `focuslite eval` end to end: load our weights (and the official ones when ../shared is present), score the
// evaluation sets, and render the results as text, JSON and a Markdown table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadOfficialWeights, OFFICIAL_MODELS } from '../model/shared-data.ts';
import { loadWeights } from '../model/weights.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import { Pool, sampleBuffer, workerCount } from '../train/pool.ts';
import { ModelBank, type EvalModel } from './score.ts';
import { DEFAULT_MOSAIC, writeTissueMosaic } from '../slides/tissue-mosaic.ts';
import { packageRoot } from '../model/node-model.ts';
import { cmuDefocusSlide, evalVerdicts, sharedInFocusSlides, verdictMarkdown, type SlideScanner, type VerdictModel, type VerdictReport } from './verdicts.ts';
import { buildFocusModel } from '../model/onnx-builder.ts';
import { CMU_JPEG_QUALITY, evalCmu, evalRealPairs, evalSyntheticBlur, OUT_OF_FOCUS_LEVEL, Scorer, type EvalSetResult } from './sets.ts';

export const SET_IDS = ['real', 'cmu', 'cmu-nojpeg', 'cmu-disk', 'synthetic-blur', 'verdicts'] as const;
export type SetId = (typeof SET_IDS)[number];
export const DEFAULT_SETS: SetId[] = ['real', 'cmu', 'cmu-nojpeg', 'synthetic-blur', 'verdicts'];

export interface EvalOptions {
  shared: string;
  /** Our weights files (any format loadWeights reads). */
  weights: string[];
  official: boolean;
  sets: SetId[];
  workers?: number;
  /** Whole-slide scanning for the 'verdicts' set (the CLI passes scanSlideFile; tools may not import src/workers). */
  scanSlide?: SlideScanner;
  log: (s: string) => void;
}

export interface EvalReport {
  models: { name: string; group: string; kernels: number; source: string; threshold?: number }[];
  sets: EvalSetResult[];
  /** (d): verdicts through the product's path, when the 'verdicts' set ran. */
  verdicts?: VerdictReport;
  seconds: number;
}

/** Our weights files in a models folder: weights/*.json. */
export function ourWeightsIn(dir: string): string[] {
  const w = join(dir, 'weights');
  if (!existsSync(w)) return [];
  return readdirSync(w)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => kernelsOf(a) - kernelsOf(b) || a.localeCompare(b))
    .map((f) => join(w, f));
}

function kernelsOf(name: string): number {
  return Number(/(\d+)kernel/.exec(name)?.[1] ?? 0);
}

/** The model card beside an ONNX model for a weights file models/weights/NAME.json → models/NAME.json. */
function cardFor(weightsPath: string): Record<string, unknown> | undefined {
  const card = join(weightsPath, '..', '..', basename(weightsPath));
  if (!existsSync(card)) return undefined;
  try {
    return JSON.parse(readFileSync(card, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function runEvaluation(o: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const models: EvalModel[] = [];
  const verdictModels: VerdictModel[] = [];
  const info: EvalReport['models'] = [];
  for (const path of o.weights) {
    const w = loadWeights(readFileSync(path), path);
    const name = typeof w.metadata.name === 'string' ? w.metadata.name : basename(path).replace(/\.json$/, '');
    const card = cardFor(path);
    const threshold = typeof card?.threshold === 'number' ? card.threshold : undefined;
    const density = (card?.preprocessing as { density?: DensityNormalisation } | undefined)?.density;
    models.push({ name, group: 'ours', weights: w, threshold, ...(density ? { density } : {}) });
    info.push({ name, group: 'ours', kernels: w.kernels, source: path, threshold });
    const onnx = typeof card?.model === 'string' ? join(path, '..', '..', card.model) : undefined;
    if (onnx && existsSync(onnx)) verdictModels.push({ name, group: 'ours', onnx: new Uint8Array(readFileSync(onnx)), ...(density ? { density } : {}), threshold });
  }
  if (o.official) {
    for (const m of OFFICIAL_MODELS) {
      const name = `official-${m}`;
      models.push({ name, group: 'official', weights: loadOfficialWeights(o.shared, m) });
      info.push({ name, group: 'official', kernels: Number(/^(\d+)/.exec(m)![1]), source: `../shared/reference/weights/focuslitenn-${m}.json` });
      if (m === '1kernel') verdictModels.push({ name, group: 'official', onnx: buildFocusModel(loadOfficialWeights(o.shared, m)) });
    }
  }
  if (models.length === 0) throw new Error('no models to evaluate');
  const nWorkers = workerCount(o.workers);
  const pool = await Pool.create(nWorkers);
  const buffer = sampleBuffer(256, nWorkers > 0);
  await pool.init(undefined, { eval: buffer });
  const scorer = new Scorer(pool, new ModelBank(models), buffer, 'eval');
  const sets: EvalSetResult[] = [];
  let verdicts: VerdictReport | undefined;
  try {
    for (const id of o.sets) {
      if (id === 'verdicts') {
        const t = performance.now();
        if (!o.scanSlide) throw new Error("the 'verdicts' set needs a whole-slide scanner");
        const mosaic = await writeTissueMosaic(join(packageRoot(), '.bench', `tissue-mosaic-${DEFAULT_MOSAIC.size}.tif`), join(o.shared, 'slides'), DEFAULT_MOSAIC, o.log);
        const inFocus = [...sharedInFocusSlides(o.shared), { label: `tissue mosaic ${DEFAULT_MOSAIC.size}²`, path: mosaic.path }];
        verdicts = await evalVerdicts(o.shared, verdictModels, [await cmuDefocusSlide(o.shared)], inFocus, o.scanSlide, o.log);
        o.log(`(d) verdicts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        continue;
      }
      const t = performance.now();
      const r =
        id === 'real'
          ? await evalRealPairs(o.shared, scorer)
          : id === 'cmu'
            ? await evalCmu(o.shared, scorer, 'gaussian', CMU_JPEG_QUALITY, o.log)
            : id === 'cmu-nojpeg'
              ? await evalCmu(o.shared, scorer, 'gaussian', 0, o.log)
              : id === 'cmu-disk'
                ? await evalCmu(o.shared, scorer, 'disk', CMU_JPEG_QUALITY, o.log)
                : await evalSyntheticBlur(o.shared, scorer);
      o.log(`${r.title}: ${r.samples} samples (${r.positives} out of focus) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      sets.push(r);
    }
  } finally {
    await pool.close();
  }
  return { models: info, sets, ...(verdicts ? { verdicts } : {}), seconds: (performance.now() - started) / 1000 };
}

const f4 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '–');

/** Markdown tables, one per set: a row per model, Table 1's four metrics and the set's extra column. */
export function markdownReport(r: EvalReport, command: string): string {
  const out: string[] = [];
  out.push(`Reproduce with \`${command}\` (needs \`../shared\`; ${r.seconds.toFixed(0)} s here).`, '');
  out.push(`Out of focus = simulated level z ≥ ${OUT_OF_FOCUS_LEVEL} (Gaussian σ ≥ 1.5 px) in (b), any blur in (c), the "out of focus" label in (a). Higher score = blurrier for every model. Our models are scored as the app scores them: each patch scaled to the stain density of its card (\`preprocessing.density\`) before the model; the official models raw.`, '');
  for (const set of r.sets) {
    out.push(`### ${set.title}`, '', set.description, '');
    const extraKeys = Object.keys(Object.values(set.metrics)[0] ?? {}).filter((k) => !['srcc', 'plcc', 'rocAuc', 'prAuc', 'pairs'].includes(k));
    const extraName: Record<string, string> = {
      pairsCorrect: 'pairs right',
      minRelativeMargin: 'min margin / range',
      rocAucZ0vsZ3: 'ROC-AUC z0 vs z3',
      rocAucMild: 'ROC-AUC mild only',
      balancedAccuracyAtThreshold: 'bal. acc. at card threshold',
    };
    const head = ['model', 'SRCC', 'PLCC', 'ROC-AUC', 'PR-AUC', ...extraKeys.map((k) => extraName[k] ?? k)];
    if (set.id === 'real') head.push('FQPath in → out', 'TCGA in → out');
    out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const m of r.models) {
      const x = set.metrics[m.name];
      if (!x) continue;
      const cells = [m.group === 'ours' ? `**${m.name}**` : m.name, f4(x.srcc), f4(x.plcc), f4(x.rocAuc), f4(x.prAuc)];
      for (const k of extraKeys) cells.push(k === 'pairsCorrect' ? `${x[k]}/2` : f4(x[k]));
      if (set.id === 'real') {
        const p = x.pairs as Record<string, { inFocus: number; outOfFocus: number }>;
        for (const n of ['fqpath', 'tcga']) cells.push(`${p[n]!.inFocus.toFixed(3)} → ${p[n]!.outOfFocus.toFixed(3)}`);
      }
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  if (r.verdicts) out.push(verdictMarkdown(r.verdicts));
  return out.join('\n');
}
