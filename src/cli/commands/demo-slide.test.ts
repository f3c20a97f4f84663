// `focuslite demo-slide` exit codes (the built CLI): 0 written (or up to date), 1 not writable, 2 usage errors.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { EXIT } from '../exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const small = ['--width', '256', '--height', '256', '--quiet'];

describe('focuslite demo-slide exit codes', () => {
  it('written, then up to date: 0 both times', () => {
    const out = join(dir, 'demo.tif');
    const first = runCli(['demo-slide', '--out', out, ...small]);
    expect(first.status, first.stderr).toBe(EXIT.ok);
    expect(existsSync(out)).toBe(true);
    expect(runCli(['demo-slide', '--out', out, ...small]).status).toBe(EXIT.ok);
  });

  it('an output that cannot be written: 1', () => {
    writeFileSync(join(dir, 'file'), '');
    const r = runCli(['demo-slide', '--out', join(dir, 'file', 'demo.tif'), ...small]);
    expect(r.status, r.stderr).toBe(EXIT.failed);
  });

  it('usage errors: 2, naming the option', () => {
    const out = join(dir, 'x.tif');
    for (const [args, message] of [
      [small, /--out FILE is required/],
      [['--out', out, '--layout', 'diagonal'], /--layout must be one of chain, subifd, single, not 'diagonal'/],
      [['--out', out, '--width', '10'], /--width must be a whole number from 64/],
      [['--out', out, '--strip-rows', '32'], /--strip-rows needs --layout single/],
    ] as const) {
      const r = runCli(['demo-slide', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});
