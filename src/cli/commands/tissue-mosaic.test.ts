// `focuslite tissue-mosaic` (the built CLI): 0 written or up to date, 2 usage errors; the file opens as a pyramid.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { hasShared, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { openSlideFile } from '../../slide/node.ts';
import { EXIT } from '../exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-mosaic-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('focuslite tissue-mosaic', () => {
  it('usage errors: 2, naming the option; nothing written', () => {
    const out = join(dir, 'bad.tif');
    for (const [args, message] of [
      [[], /--out FILE is required/],
      [['--out', out, '--size', '100'], /--size must be a whole number from 4096/],
      [['--out', out, '--quality', '0'], /--quality must be a whole number from 1 to 100/],
    ] as const) {
      const r = runCli(['tissue-mosaic', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!hasShared)(`writes a pyramidal slide of the shared tissue, then finds it up to date${hasShared ? '' : ` (${SKIP_SHARED_MESSAGE})`}`, async () => {
    const out = join(dir, 'mosaic.tif');
    const first = runCli(['tissue-mosaic', '--out', out, '--size', '8192']);
    expect(first.status, first.stderr).toBe(EXIT.ok);
    // cells of 4699 × 3823 px (TCGA-CR-7395 plus a margin): 2 across, 3 down
    expect(first.stdout).toMatch(/wrote .*: 8192×8192, 6 copies/);
    expect(runCli(['tissue-mosaic', '--out', out, '--size', '8192']).stdout).toMatch(/is up to date/);
    const slide = await openSlideFile(out);
    try {
      expect(slide.info.levels[0]).toMatchObject({ width: 8192, height: 8192 });
      expect(slide.info.levels.length).toBeGreaterThan(3);
      expect(slide.info.mpp).toBeCloseTo(0.5, 3);
      // Tissue where the first copy lies (not glass everywhere): the pixels vary.
      const region = await slide.readRegion(slide.info.levels.length - 1, 0, 0, 64, 64);
      let min = 255;
      for (let i = 0; i < region.data.length; i += 4) min = Math.min(min, region.data[i + 1]!);
      expect(min).toBeLessThan(200);
    } finally {
      slide.close();
    }
  }, 120_000);
});
