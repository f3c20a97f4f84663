// `focuslite` itself (the built CLI): help, unknown commands and usage errors have the documented exit codes.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/cli.ts';
import { EXIT } from './exit-codes.ts';

describe('focuslite exit codes', () => {
  it('no command: the help, exit 2; `help` and `COMMAND --help`: exit 0', () => {
    const none = runCli([]);
    expect(none.status).toBe(EXIT.usage);
    expect(none.stdout).toMatch(/Commands:/);
    expect(runCli(['help']).status).toBe(EXIT.ok);
    const scanHelp = runCli(['scan', '--help']);
    expect(scanHelp.status).toBe(EXIT.ok);
    expect(scanHelp.stdout).toMatch(/Usage: focuslite scan SLIDE/);
  });

  it('an unknown command: exit 2, naming it', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('an unknown option is a usage error (exit 2) for every command, with its usage', () => {
    for (const command of ['score', 'build-model', 'train', 'calibrate', 'eval', 'scan', 'demo-slide', 'tissue-mosaic']) {
      const r = runCli([command, '--bogus']);
      expect(r.status, `${command}: ${r.stderr}`).toBe(EXIT.usage);
      expect(r.stderr).toMatch(new RegExp(`^focuslite ${command}: Unknown option '--bogus'`));
      expect(r.stderr).toMatch(new RegExp(`Usage: focuslite ${command}`));
    }
  });
});
