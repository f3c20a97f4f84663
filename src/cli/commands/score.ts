import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT } from '../exit-codes.ts';
import { readImageFile } from '../../slide/image/node-decode.ts';
import { DEFAULT_MODEL, defaultModelPath, loadModelSource } from '../../tools/model/node-model.ts';
import type { ModelCard } from '../../focus/model-card.ts';
import { formatGrade, OUT_OF_FOCUS_GRADE } from '../../focus/grade.ts';
import { judgeScore, verdictScale, type VerdictScale } from '../../focus/verdict-scale.ts';
import { readCardBeside } from '../model-card-file.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { createFocusSession, scoreImage } from '../../focus/session/session.ts';
import type { ImageScore } from '../../focus/patch-grid.ts';

const usage = `focuslite score IMAGE... [--model M.onnx | --weights W] [--json] [--stride 128] [--batch 49]

  IMAGE          PNG, JPEG or TIFF files (at least 235×235 pixels)
  --model M      ONNX model (default: ${DEFAULT_MODEL}); its card M.json, if any, gives the
                 preprocessing, the defocus-grade scale and the out-of-focus threshold
  --weights W    score with a weights file instead (focuslite-weights JSON, tensors JSON, PyTorch .pt; no card:
                 raw scores, no preprocessing, no verdict)
  --json         print {"model", "scale", "threshold", "results": [{file, width, height, score, grade, verdict,
                 borderline, patch, stride, patchGrid}]}
  --stride S     distance between patch corners in pixels (default 128)
  --batch N      patches per inference run (default 49)

Scores are FocusLiteNN's: mean over 235×235 patches, higher = blurrier. With a calibrated card each image also gets
its defocus grade (0 sharp … 10 severely blurred; out of focus from grade ${OUT_OF_FOCUS_GRADE}) and its verdict.`;

interface Result extends ImageScore {
  file: string;
}

const command: Command = {
  summary: 'Focus-quality score (FocusLiteNN) of image files',
  usage,
  async run(argv) {
    const { values, positionals: files } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        weights: { type: 'string' },
        json: { type: 'boolean', default: false },
        stride: { type: 'string', default: String(STRIDE) },
        batch: { type: 'string', default: '49' },
      },
    });
    const stride = Number(values.stride);
    const batchSize = Number(values.batch);
    if (!Number.isInteger(stride) || stride < 1) return usageError(`--stride must be a positive integer, got '${values.stride}'`);
    if (!Number.isInteger(batchSize) || batchSize < 1) return usageError(`--batch must be a positive integer, got '${values.batch}'`);
    if (files.length === 0) return usageError('no image files given');

    let source;
    try {
      source = await loadModelSource({ model: values.model, weights: values.weights });
    } catch (err) {
      console.error(`focuslite score: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
    let card: ModelCard;
    try {
      card = values.weights ? {} : await readCardBeside(values.model ?? defaultModelPath());
    } catch (err) {
      console.error(`focuslite score: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
    const scale = verdictScale(card);
    const density = card.preprocessing?.density;
    const session = await createFocusSession(source.onnx);

    const results: Result[] = [];
    let failed = 0;
    try {
      for (const file of files) {
        try {
          const img = await readImageFile(file);
          if (img.width < PATCH || img.height < PATCH) {
            throw new Error(`${file}: image is ${img.width}×${img.height}; FocusLiteNN needs at least ${PATCH}×${PATCH} pixels`);
          }
          const r = await scoreImage(session, img, stride, { batchSize, ...(density ? { density } : {}) });
          results.push({ file, ...r });
          if (!values.json) printRow(results.length === 1, source.label, scale, file, r);
        } catch (err) {
          failed++;
          const msg = err instanceof Error ? err.message : String(err);
          console.error(`focuslite score: ${msg.startsWith(file) ? msg : `${file}: ${msg}`}`);
        }
      }
    } finally {
      await session.release();
    }
    if (values.json) {
      const out = {
        model: source.label,
        scale: scale?.name ?? null,
        threshold: scale?.threshold ?? null,
        results: results.map((r) => {
          const judged = scale ? judgeScore(scale, r.score) : undefined;
          return {
            file: r.file,
            width: r.width,
            height: r.height,
            score: r.score,
            grade: judged && scale?.grade ? judged.value : null,
            verdict: judged ? (judged.outOfFocus ? 'out-of-focus' : 'in-focus') : null,
            borderline: judged?.borderline ?? false,
            patch: r.patch,
            stride: r.stride,
            patchGrid: r.patchGrid,
          };
        }),
      };
      console.log(JSON.stringify(out, null, 2));
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};

function usageError(msg: string): number {
  console.error(`focuslite score: ${msg}\n\nUsage: ${usage}`);
  return EXIT.usage;
}

function scaleNote(scale: VerdictScale | undefined): string {
  if (!scale) return 'no card threshold: no verdicts';
  if (scale.grade && scale.outOfFocusGrade !== undefined) return `${scale.name} 0–10, out of focus from ${formatGrade(scale.outOfFocusGrade)}`;
  return `${scale.name}, out of focus at score ≥ ${scale.threshold.toFixed(2)}`;
}

function printRow(first: boolean, model: string, scale: VerdictScale | undefined, file: string, r: ImageScore): void {
  if (first) {
    console.log(`model: ${model}   (patch ${r.patch}, stride ${r.stride}; ${scaleNote(scale)}; raw score: higher = blurrier)`);
    console.log(`${'grade'.padStart(5)}  ${'verdict'.padEnd(23)}  ${'score'.padStart(10)}  ${'min'.padStart(9)}  ${'max'.padStart(9)}  ${'patches'.padEnd(8)}  ${'size'.padEnd(11)}  file`);
  }
  const judged = scale ? judgeScore(scale, r.score) : undefined;
  const grade = judged && scale?.grade ? formatGrade(judged.value) : '–';
  const verdict = judged ? `${judged.outOfFocus ? 'out of focus' : 'in focus'}${judged.borderline ? ' (borderline)' : ''}` : '–';
  const flat = r.patchGrid.flat();
  const lo = flat.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = flat.reduce((a, b) => Math.max(a, b), -Infinity);
  const grid = `${r.patchGrid.length}×${r.patchGrid[0]?.length ?? 0}`;
  console.log(
    `${grade.padStart(5)}  ${verdict.padEnd(23)}  ${r.score.toFixed(4).padStart(10)}  ${lo.toFixed(3).padStart(9)}  ${hi.toFixed(3).padStart(9)}  ${grid.padEnd(8)}  ${`${r.width}×${r.height}`.padEnd(11)}  ${file}`,
  );
}

export default command;
