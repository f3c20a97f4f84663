import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT } from '../exit-codes.ts';
import { readImageFile } from '../../slide/image/node-decode.ts';
import { loadModelSource } from '../../tools/model/node-model.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { createFocusSession, scoreImage } from '../../focus/session/session.ts';
import type { ImageScore } from '../../focus/patch-grid.ts';

const usage = `focuslite score IMAGE... [--model M.onnx | --weights W] [--json] [--stride 128] [--batch 49]

  IMAGE          PNG, JPEG or TIFF files (at least 235×235 pixels)
  --model M      ONNX model (default: models/focuslite-1kernel.onnx)
  --weights W    score with a weights file instead (focuslite-weights JSON, tensors JSON, PyTorch .pt)
  --json         print {"model", "results": [{file, width, height, score, patch, stride, patchGrid}]}
  --stride S     distance between patch corners in pixels (default 128)
  --batch N      patches per inference run (default 49)

Scores are FocusLiteNN's: mean over 235×235 patches, higher = blurrier.`;

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
          const r = await scoreImage(session, img, stride, { batchSize });
          results.push({ file, ...r });
          if (!values.json) printRow(results.length === 1, source.label, file, r);
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
        results: results.map((r) => ({ file: r.file, width: r.width, height: r.height, score: r.score, patch: r.patch, stride: r.stride, patchGrid: r.patchGrid })),
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

function printRow(first: boolean, model: string, file: string, r: ImageScore): void {
  if (first) {
    console.log(`model: ${model}   (patch ${r.patch}, stride ${r.stride}; higher = blurrier)`);
    console.log(`${'score'.padStart(10)}  ${'min'.padStart(9)}  ${'max'.padStart(9)}  ${'patches'.padEnd(8)}  ${'size'.padEnd(11)}  file`);
  }
  const flat = r.patchGrid.flat();
  const lo = flat.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = flat.reduce((a, b) => Math.max(a, b), -Infinity);
  const grid = `${r.patchGrid.length}×${r.patchGrid[0]?.length ?? 0}`;
  console.log(
    `${r.score.toFixed(4).padStart(10)}  ${lo.toFixed(3).padStart(9)}  ${hi.toFixed(3).padStart(9)}  ${grid.padEnd(8)}  ${`${r.width}×${r.height}`.padEnd(11)}  ${file}`,
  );
}

export default command;
