// The shipped models (models/*.onnx) are exactly what the builder makes from the shipped weights, and those weights
// lie on the 8-bit grid that lets the u8 graph run one integer digit per weight (quantise.ts). Needs no ../shared.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './node-model.ts';
import { buildFocusModel, defaultLayout } from './onnx-builder.ts';
import { weightDigits } from './quantise.ts';
import { createFocusSession, inputLayout } from '../../focus/session/session.ts';
import { parseWeightsJson } from './weights.ts';

const models = join(packageRoot(), 'models');

describe('shipped models', () => {
  for (const c of [1, 2, 10]) {
    const name = `focuslite-${c}kernel`;
    it(`${name}: 8-bit-grid conv weights, and the .onnx is the builder's one-digit u8 graph of them, as the card says`, async () => {
      const weights = parseWeightsJson(readFileSync(join(models, 'weights', `${name}.json`), 'utf8'));
      const card = JSON.parse(readFileSync(join(models, `${name}.json`), 'utf8')) as { onnx: { sha256: string }; input: { type: string }; training: { recipe: { seed: number } } };
      const onnx = readFileSync(join(models, `${name}.onnx`));
      expect(weightDigits(weights)).toBe(1);
      expect(defaultLayout(weights)).toBe('u8');
      const rebuilt = buildFocusModel(weights, { name, metadata: { licence: 'MIT', trained_by: 'focuslite train', seed: String(card.training.recipe.seed) } });
      expect(Buffer.from(rebuilt).equals(onnx)).toBe(true);
      expect(createHash('sha256').update(onnx).digest('hex')).toBe(card.onnx.sha256);
      expect(card.input.type).toBe('uint8');
      const session = await createFocusSession(onnx);
      expect(inputLayout(session)).toBe('u8');
      await session.release();
    });
  }
});
