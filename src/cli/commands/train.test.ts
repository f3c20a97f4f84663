// `focuslite train` option checks (in process, through main): each bad option is a usage error (exit 2) naming it,
// before any data is read. Training itself is tested in src/tools/train (run.test.ts, trainer.test.ts).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { encodePng } from '../../../test-support/encode-image.ts';
import { EXIT } from '../exit-codes.ts';
import { main } from '../main.ts';

async function usageError(argv: string[]) {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(['train', ...argv]), stderr: err.join('\n') };
  } finally {
    error.mockRestore();
  }
}

describe('focuslite train options', () => {
  for (const [argv, message] of [
    [['--kernels', '1'], /--out is required/],
    [['--out', 'x', '--target', 'cube'], /--target must be sqrt, z or log, got 'cube'/],
    [['--out', 'x', '--zero-mean', 'yes'], /--zero-mean must be grey, channel or none, got 'yes'/],
    [['--out', 'x', '--loss', 'l1'], /--loss must be plcc or mse, got 'l1'/],
    [['--out', 'x', '--float-weights=1'], /float-weights/],
    [['--out', 'x', '--stain-density', '2'], /--stain-density must be two positive factors A,B with A ≤ B, got '2'/],
    [['--out', 'x', '--stain-density', '3,1'], /--stain-density must be two positive factors/],
    [['--out', 'x', '--exposure', '0,1'], /--exposure must be two positive factors A,B with A ≤ B, got '0,1'/],
    [['--out', 'x', '--exposure', '0.5,x'], /--exposure must be two positive factors/],
    [['--out', 'x', '--white-balance', '1.1,0.9'], /--white-balance must be two positive factors/],
    [['--out', 'x', '--starts', '0'], /--starts must be at least 1, got '0'/],
    [['--out', 'x', '--starts', '2.5'], /--starts must be a non-negative integer, got '2.5'/],
  ] as const) {
    it(`${argv.join(' ')}: usage error`, async () => {
      const r = await usageError([...argv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('focuslite train exit codes (the built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-train-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trained on a few labelled patches: 0', async () => {
    // Enough files that the hashed 10% validation split holds at least one.
    const rows: string[] = [];
    for (let i = 0; i < 24; i++) {
      const data = new Uint8Array(240 * 240 * 3).map((_, k) => ((k * (i + 3)) % 11) * 15 + 60);
      writeFileSync(join(dir, `p${i}.png`), await encodePng({ width: 240, height: 240, data }));
      rows.push(`p${i}.png,${i % 6}`);
    }
    writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
    const tiny = ['--samples', '4', '--val-samples', '4', '--epochs', '1', '--starts', '1', '--batch', '4', '--workers', '0'];
    const r = runCli(['train', '--out', join(dir, 'out'), '--data', join(dir, 'labels.csv'), ...tiny]);
    expect(r.status, r.stderr).toBe(EXIT.ok);
    expect(existsSync(join(dir, 'out', 'focuslite-1kernel.onnx'))).toBe(true);
  });

  it('training data that cannot be read: 1', () => {
    const slide = runCli(['train', '--out', join(dir, 'x'), '--slides', join(dir, 'missing.tif')]);
    expect(slide.status).toBe(EXIT.failed);
    expect(slide.stderr).toMatch(/missing\.tif: no such file/);
    const data = runCli(['train', '--out', join(dir, 'x'), '--data', join(dir, 'nowhere.csv')]);
    expect(data.status).toBe(EXIT.failed);
    expect(data.stderr).toMatch(/nowhere\.csv: no such file or folder/);
  });

  it('a bad number or evaluation data as training tissue: 2', () => {
    const samples = runCli(['train', '--out', join(dir, 'x'), '--data', join(dir, 'nowhere.csv'), '--samples', 'many']);
    expect(samples.status).toBe(EXIT.usage);
    expect(samples.stderr).toMatch(/--samples must be a non-negative integer, got 'many'/);
    writeFileSync(join(dir, 'CMU-1.tif'), '');
    expect(runCli(['train', '--out', join(dir, 'x'), '--slides', join(dir, 'CMU-1.tif')]).status).toBe(EXIT.usage);
  });
});
