// `focuslite build-model` exit codes (the built CLI): 0 built, 1 weights unreadable, 2 usage errors.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { EXIT } from '../exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-build-cli-'));
const weights = resolve(import.meta.dirname, '../../../models/weights/focuslite-1kernel.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('focuslite build-model exit codes', () => {
  it('weights built into a model and card: 0', () => {
    const out = join(dir, 'm.onnx');
    const r = runCli(['build-model', '--weights', weights, '--out', out]);
    expect(r.status, r.stderr).toBe(EXIT.ok);
    expect(existsSync(out) && existsSync(join(dir, 'm.json'))).toBe(true);
  });

  it('weights that cannot be read: 1', () => {
    const missing = runCli(['build-model', '--weights', join(dir, 'nope.json'), '--out', join(dir, 'x.onnx')]);
    expect(missing.status).toBe(EXIT.failed);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);
    writeFileSync(join(dir, 'junk.json'), 'not weights');
    const junk = runCli(['build-model', '--weights', join(dir, 'junk.json'), '--out', join(dir, 'x.onnx')]);
    expect(junk.status).toBe(EXIT.failed);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });

  it('usage errors: 2', () => {
    for (const args of [['--weights', weights], ['--out', join(dir, 'x.onnx')], ['--weights', weights, '--out', join(dir, 'x.onnx'), '--layout', 'nhwc'], ['--weights']]) {
      const r = runCli(['build-model', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
    }
  });
});
