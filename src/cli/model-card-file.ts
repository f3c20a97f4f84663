// The model card beside a model file (M.json next to M.onnx), read with the one card parser (src/focus/model-card.ts).
import { readFile } from 'node:fs/promises';
import { displayPath } from '../tools/model/node-model.ts';
import { parseCard, type ModelCard } from '../focus/model-card.ts';

/** The card of `modelPath`, {} when it has none; a card that is not JSON or cannot be used throws with the reason. */
export async function readCardBeside(modelPath: string): Promise<ModelCard> {
  const cardPath = modelPath.replace(/\.onnx$/i, '') + '.json';
  let text: string;
  try {
    text = await readFile(cardPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`model card ${displayPath(cardPath)} is not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return parseCard(raw, `model card ${displayPath(cardPath)}`);
}
