// `focuslite eval` exit codes (the built CLI): 0 evaluated, 1 a weights file unreadable, 2 usage errors (no ../shared
// is one: the evaluation sets live there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { hasShared, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { EXIT } from '../exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'focuslite-eval-cli-'));
const weights = resolve(import.meta.dirname, '../../../models/weights/focuslite-1kernel.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('focuslite eval exit codes', () => {
  it('no ../shared: 2, saying so', () => {
    const r = runCli(['eval', '--sets', 'real'], { FOCUSLITE_SHARED: join(dir, 'no-shared') });
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/\.\.\/shared .* is not present/);
  });

  describe.skipIf(!hasShared)(`with ../shared (${hasShared ? 'present' : SKIP_SHARED_MESSAGE})`, () => {
    it('the real patches evaluated: 0', () => {
      const json = join(dir, 'eval.json');
      const r = runCli(['eval', '--sets', 'real', '--no-official', '--weights', weights, '--workers', '1', '--json', json]);
      expect(r.status, r.stderr).toBe(EXIT.ok);
      expect(r.stdout).toMatch(/focuslite-1kernel/);
    });

    it('a weights file that does not exist: 1; an unknown set: 2', () => {
      const missing = runCli(['eval', '--sets', 'real', '--weights', join(dir, 'nope.json')]);
      expect(missing.status).toBe(EXIT.failed);
      expect(missing.stderr).toMatch(/nope\.json: no such file/);
      const unknown = runCli(['eval', '--sets', 'real,moon']);
      expect(unknown.status).toBe(EXIT.usage);
      expect(unknown.stderr).toMatch(/unknown set\(s\) moon/);
    });
  });
});
