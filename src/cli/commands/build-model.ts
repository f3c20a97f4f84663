import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT } from '../exit-codes.ts';
import { describeInput, INPUT_LAYOUTS, type InputLayout } from '../../focus/session/input-layout.ts';
import { INPUT_NAME, OUTPUT_NAME } from '../../focus/session/input-layout.ts';
import { architectureString, buildFocusModel, CONV_OUT, defaultLayout, ONNX_IR_VERSION, ONNX_OPSET } from '../../tools/model/onnx-builder.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { createFocusSession } from '../../focus/session/session.ts';
import { loadWeights, parameterCount } from '../../tools/model/weights.ts';

const usage = `focuslite build-model --weights FILE --out M.onnx [--name NAME] [--layout nchw|s2d|u8]

  --weights FILE  focuslite-weights JSON, tensors JSON ({"tensors": …}), or a PyTorch .pt checkpoint
                  (legacy or zip format, with or without 'module.' prefixes); detected by content
  --out M.onnx    the ONNX model to write; a model card M.json is written beside it
  --name NAME     model name recorded in the model and the card (default: from the weights file name)
  --layout L      input layout: nchw (float [N,3,235,235], the released graph as is), s2d (float [N,75,48,48],
                  the same maths as matrix products) or u8 (uint8 [N,105,48,48], an exact integer matrix product
                  with the weights as 1 base-256 digit when they lie on an 8-bit grid, as trained models do, else 3);
                  default u8 for 1–2 kernels and for 8-bit-grid weights (fastest there), nchw for more`;

function isLayout(s: string): s is InputLayout {
  return (INPUT_LAYOUTS as readonly string[]).includes(s);
}

/** The model card's path: M.onnx → M.json. */
export function cardPath(out: string): string {
  return out.toLowerCase().endsWith('.onnx') ? `${out.slice(0, -5)}.json` : `${out}.json`;
}

const command: Command = {
  summary: 'Build the FocusLiteNN ONNX model from a weights file (our JSON, tensors JSON or PyTorch .pt)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { weights: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, layout: { type: 'string' } },
    });
    if (!values.weights || !values.out) {
      console.error(`focuslite build-model: --weights and --out are required\n\nUsage: ${usage}`);
      return EXIT.usage;
    }
    const layout = values.layout;
    if (layout !== undefined && !isLayout(layout)) {
      console.error(`focuslite build-model: --layout must be ${INPUT_LAYOUTS.join(', ')}, not '${layout}'\n\nUsage: ${usage}`);
      return EXIT.usage;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(values.weights);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      console.error(`focuslite build-model: ${values.weights}: ${code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
    const weights = loadWeights(bytes, values.weights);
    const name = values.name ?? basename(values.weights).replace(/\.(json|pt|pth|tar|ckpt)$/i, '');
    const onnx = buildFocusModel(weights, { name, layout: layout ?? defaultLayout(weights), metadata: { source_weights: basename(values.weights) } });
    // Load it once before writing, so a file that onnxruntime-web cannot run is never produced.
    const session = await createFocusSession(onnx);
    await session.release();

    const meta = weights.metadata;
    const declaredLicence = meta.licence ?? meta.license;
    const card = {
      format: 'focuslite-model-card/1',
      name,
      model: basename(values.out),
      architecture: architectureString(weights),
      kernels: weights.kernels,
      parameters: parameterCount(weights),
      input: { name: INPUT_NAME, ...describeInput(layout ?? defaultLayout(weights)) },
      output: { name: OUTPUT_NAME, type: 'float32', shape: ['N', 1], meaning: 'patch focus score, higher = blurrier' },
      convMap: [CONV_OUT, CONV_OUT],
      imageScore: { patch: PATCH, stride: STRIDE, aggregate: 'mean of patch scores', corners: '0, stride, 2·stride, … while corner + patch ≤ side; rows outer' },
      onnx: { opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, bytes: onnx.length },
      sourceWeights: {
        file: basename(values.weights),
        format: weights.format,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
      licence: `as the source weights (${basename(values.weights)})${declaredLicence !== undefined ? `: ${String(declaredLicence)}` : ''}`,
      ...(weights.format === 'focuslite-json' && Object.keys(meta).length ? { sourceMetadata: meta } : {}),
    };
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, onnx);
    await writeFile(cardPath(values.out), JSON.stringify(card, null, 2) + '\n');
    console.log(`wrote ${values.out} (${onnx.length} bytes, ${weights.kernels} kernel${weights.kernels > 1 ? 's' : ''}, ${parameterCount(weights)} parameters, from ${weights.format}) and ${cardPath(values.out)}`);
    return EXIT.ok;
  },
};

export default command;
