// `focuslite calibrate` usage: listed by the CLI, bad input is a clear error. Recalibration itself is exercised by
// run.test.ts (focuslite train calibrates new models through the same calibrateOnnx) and grade-fit.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { OUT_OF_FOCUS_GRADE } from '../../focus/grade.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    const code = await main(['calibrate', ...argv]).catch((x: unknown) => {
      err.push(x instanceof Error ? x.message : String(x));
      return -1;
    });
    return { code, stderr: err.join('\n'), stdout: out.join('\n') };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

describe('focuslite calibrate', () => {
  it('--help explains the rules', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain(`out-of-focus grade (${OUT_OF_FOCUS_GRADE})`);
  });

  it('--workers must be a number: usage error', async () => {
    const r = await run(['--workers', 'x']);
    expect(r.stderr).toMatch(/--workers must be a non-negative integer, got 'x'/);
  });

  it('a card not made by focuslite train on simulated defocus is refused with the reason', async () => {
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ name: 'm', model: 'm.onnx', training: { data: { kind: 'labelled patches' } } }));
    const r = await run(['--models', dir, '--slides', dir, '--workers', '0']);
    expect(r.stderr).toMatch(/m\.json: not a card of a model trained by `focuslite train` on simulated defocus/);
  });
});
