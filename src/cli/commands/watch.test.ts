import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { UsageError } from '../exit-codes.ts';
import command, { LEDGER, watchFolder, type WatchEvent } from './watch.ts';

const dirs: string[] = [];
const tempDir = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `focuslite-watch-${tag}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasShared)(`focuslite watch (${hasShared ? 'shared present' : SKIP_SHARED_MESSAGE})`, () => {
  it('scans a slide written slowly once, after it is complete; a corrupt one becomes an error row; a restart scans nothing again', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('qc');
    writeFileSync(join(inbox, 'notes.txt'), 'not a slide');
    writeFileSync(join(inbox, 'broken.svs'), Buffer.alloc(40_000, 7));
    const events: WatchEvent[] = [];
    const stop = new AbortController();
    const watching = watchFolder({ inbox, out, intervalMs: 100, settleMs: 1000, signal: stop.signal, onEvent: (e) => events.push(e) });

    // The scanner writes the slide in pieces, pausing less than the settle time between them.
    const bytes = readFileSync(sharedPath('slides/derived/TCGA-CR-7395-pyramid-jpeg.tif'));
    const fd = openSync(join(inbox, 'slow.tif'), 'w');
    const pieces = 8;
    for (let i = 0; i < pieces; i++) {
      writeSync(fd, bytes, Math.floor((i * bytes.length) / pieces), Math.floor(((i + 1) * bytes.length) / pieces) - Math.floor((i * bytes.length) / pieces));
      await sleep(300);
    }
    closeSync(fd);
    const lastWrite = Date.now();
    const scanned = (name: string) => events.filter((e): e is Extract<WatchEvent, { kind: 'scanned' }> => e.kind === 'scanned' && e.name === name);
    for (let t = 0; t < 600 && scanned('slow.tif').length === 0; t++) await sleep(100);
    await sleep(1500); // long enough for a second scan, were there to be one
    stop.abort();
    await watching;

    expect(scanned('slow.tif')).toHaveLength(1);
    expect(scanned('slow.tif')[0]!).toMatchObject({ status: 'done' });
    expect(scanned('slow.tif')[0]!.startedAt).toBeGreaterThanOrEqual(lastWrite);
    expect(scanned('broken.svs')).toEqual([expect.objectContaining({ status: 'failed' })]);
    expect(events).toContainEqual({ kind: 'skipped', name: 'notes.txt', reason: 'not a slide file type' });
    // The whole slide was read: its report has every cell of the complete file.
    const report = JSON.parse(readFileSync(join(out, 'slow.focus.json'), 'utf8'));
    expect(report.slide).toMatchObject({ width: 4443, height: 3567 });
    expect(report.summary.coverage.done).toBe(report.summary.coverage.total);
    expect(existsSync(join(out, 'slow.focus.geojson'))).toBe(true);
    // The cohort lists both, the corrupt one as an error row with its message.
    const cohort = readFileSync(join(out, 'cohort.csv'), 'utf8').trim().split('\n');
    expect(cohort).toHaveLength(3);
    expect(cohort.find((l) => l.startsWith('broken'))).toMatch(/error/);
    expect(cohort.find((l) => l.startsWith('slow'))).toMatch(/pass/);
    expect(Object.keys(JSON.parse(readFileSync(join(out, LEDGER), 'utf8')).slides).sort()).toEqual(['broken.svs', 'slow.tif']);

    // Restarted: nothing is scanned again.
    const again: WatchEvent[] = [];
    await watchFolder({ inbox, out, intervalMs: 50, settleMs: 100, once: true, onEvent: (e) => again.push(e) });
    expect(again.filter((e) => e.kind === 'scanned')).toEqual([]);
  }, 120_000);
});

describe('focuslite watch options', () => {
  it('stops with the scan\'s own message when the scan cannot start (bad model), marking nothing as scanned', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('qc');
    writeFileSync(join(inbox, 'a.tif'), Buffer.alloc(1000, 1));
    const code = await command.run([inbox, '--out', out, '--once', '--settle', '0', '--interval', '0.05', '--model', join(inbox, 'missing.onnx')]);
    expect(code).toBe(1);
    expect(existsSync(join(out, LEDGER))).toBe(false); // no slide recorded as scanned
  });

  it('needs one inbox folder and --out', async () => {
    await expect(command.run(['--out', 'x'])).rejects.toThrow(UsageError);
    await expect(command.run(['inbox'])).rejects.toThrow(UsageError);
    expect(await command.run([join(tmpdir(), 'no-such-inbox-focuslite'), '--out', tempDir('qc')])).toBe(1);
  });
});
