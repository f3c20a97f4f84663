// Training on labelled files decodes them as `focuslite score` does (src/slide/image/node-decode.ts: libjpeg-turbo via
// sharp): a labelled JPEG gives the trainer the scorer's pixels. A 4:2:0 JPEG, where decoders differ most (chroma
// upsampling, IDCT rounding): another decoder gives other pixels on about half the bytes, by up to ~30 grey levels.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../../test-support/encode-image.ts';
import { readImageFile } from '../../slide/image/node-decode.ts';
import { PADDED, PATCH, PLANE, SAMPLE_BYTES } from './image.ts';
import { packLabelledCrops } from './labelled.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-labelled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labelled files', () => {
  it('a labelled JPEG packs into training samples with exactly the pixels the scorer decodes', async () => {
    // One patch-sized image, so the crop is the whole image whatever the random corner.
    const rgb = new Uint8Array(PATCH * PATCH * 3);
    for (let y = 0; y < PATCH; y++)
      for (let x = 0; x < PATCH; x++) rgb.set([128 + 100 * Math.sin(x / 3 + y / 11), (x * y) & 255, 128 + 90 * Math.cos((x - y) / 4)], (y * PATCH + x) * 3);
    const path = join(dir, 'patch.jpg');
    writeFileSync(path, await encodeJpeg({ width: PATCH, height: PATCH, data: rgb }, 75));

    const samples = new Uint8Array(2 * SAMPLE_BYTES);
    const labels = await packLabelledCrops([{ name: 'patch.jpg', path, label: 5 }], 2, 1, samples);
    expect(Array.from(labels)).toEqual([5, 5]);

    const scorer = await readImageFile(path);
    expect([scorer.width, scorer.height]).toEqual([PATCH, PATCH]);
    for (let c = 0; c < 3; c++) {
      const trainer = new Uint8Array(PATCH * PATCH);
      const scored = new Uint8Array(PATCH * PATCH);
      for (let y = 0; y < PATCH; y++)
        for (let x = 0; x < PATCH; x++) {
          trainer[y * PATCH + x] = samples[c * PLANE + (y + 1) * PADDED + x + 1]!;
          scored[y * PATCH + x] = scorer.data[(y * PATCH + x) * 4 + c]!;
        }
      expect(trainer).toEqual(scored);
    }
  });
});
