// `focuslite train` option checks (in process): each bad option is a usage error (exit 2) naming it, before any
// data is read. Training itself is tested in src/tools/train (run.test.ts, trainer.test.ts).
import { describe, expect, it, vi } from 'vitest';
import train from './train.ts';

async function usageError(argv: string[]) {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await train.run(argv), stderr: err.join('\n') };
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
