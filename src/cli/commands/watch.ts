// `focuslite watch INBOX --out QC_DIR`: the QC workstation beside a scanner. Every slide that appears in INBOX is
// scanned once it has stopped growing (the scanner is still writing while it grows), with the same `scan` command
// and options, and the cohort report in QC_DIR is brought up to date after each. A ledger in QC_DIR remembers what
// was scanned (by size and modification time), so a restart does not scan it again and a slide written anew is.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import scan from './scan.ts';
import { describeCohort, writeCohortReport } from './report.ts';

const USAGE = `focuslite watch INBOX --out QC_DIR [--interval 5] [--settle 30] [--once]
          [scan options: --model M.onnx --threshold T | --calibration P.json --tolerance 5 --workers N --png-width 1600 --colormap C --scale S]

  Scans each slide that appears in INBOX (files .svs .tif .tiff .ndpi .scn .bif .dcm, and folders holding a DICOM
  series) once its size and time have not changed for --settle seconds, writes its reports to QC_DIR as
  \`focuslite scan\` does, and rewrites QC_DIR's cohort report (cohort.csv, cohort.html, rescan.csv) after each.
  A slide that cannot be read becomes an error row with its message. QC_DIR/.focuslite-watch.json records what was
  scanned: a restart skips it; a slide written again (new size or time) is scanned again. --interval is how often
  INBOX is looked at, in seconds. --once scans what is there (waiting for it to settle) and exits.`;

/** Slide files; anything else in the inbox (sidecar XML, checksums, partial downloads) is left alone. */
const SLIDE_FILE = /\.(svs|tiff?|ndpi|scn|bif|dcm)$/i;
/** Names scanners and copy tools use while a file is being written. */
const IN_PROGRESS = /^\.|\.(part|partial|tmp|crdownload|filepart)$|~$/i;

export const LEDGER = '.focuslite-watch.json';
const LEDGER_SCHEMA = 'focuslite-watch/1';

interface LedgerEntry {
  /** Size, modification time and file count when scanned (a folder's: its files' total and latest). */
  fingerprint: string;
  status: 'done' | 'failed';
  scannedAt: string;
}
interface Ledger {
  schema: typeof LEDGER_SCHEMA;
  slides: Record<string, LedgerEntry>;
}

export type WatchEvent =
  | { kind: 'scanned'; name: string; status: LedgerEntry['status']; startedAt: number; endedAt: number }
  | { kind: 'skipped'; name: string; reason: string }
  | { kind: 'cohort'; text: string }
  | { kind: 'error'; message: string };

export interface WatchOptions {
  inbox: string;
  out: string;
  intervalMs: number;
  settleMs: number;
  /** Scan what is there and return. */
  once?: boolean;
  /** Extra `focuslite scan` options. */
  scanArgs?: string[];
  signal?: AbortSignal;
  onEvent?: (e: WatchEvent) => void;
}

async function fingerprintOf(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile()) return info.size > 0 ? `${info.size}:${info.mtimeMs}` : undefined;
  if (!info.isDirectory()) return undefined;
  // A DICOM series folder: settled when no file in it changes.
  let files = 0;
  let bytes = 0;
  let latest = info.mtimeMs;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const s = await stat(p);
        files++;
        bytes += s.size;
        latest = Math.max(latest, s.mtimeMs);
      }
    }
  };
  await walk(path);
  return files > 0 ? `${files}:${bytes}:${latest}` : undefined;
}

async function readLedger(path: string): Promise<Ledger> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return { schema: LEDGER_SCHEMA, slides: {} };
  const ledger = JSON.parse(text) as Ledger;
  if (ledger.schema !== LEDGER_SCHEMA || typeof ledger.slides !== 'object') throw new Error(`${path} is not a focuslite watch ledger (${LEDGER_SCHEMA})`);
  return ledger;
}

async function writeLedger(path: string, ledger: Ledger): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(ledger, null, 1)}\n`);
  await rename(temp, path); // never a half-written ledger, whenever the process is stopped
}

async function wroteSince(dir: string, since: number): Promise<boolean> {
  for (const n of await readdir(dir)) {
    if (!n.endsWith('.focus.json') && !n.endsWith('.focus-error.json')) continue;
    if ((await stat(join(dir, n))).mtimeMs >= since - 1000) return true;
  }
  return false;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
  });

/** Watches until the signal aborts (or, with `once`, until everything there has settled and been scanned). */
export async function watchFolder(o: WatchOptions): Promise<void> {
  const inbox = resolve(o.inbox);
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const ledgerPath = join(out, LEDGER);
  const ledger = await readLedger(ledgerPath);
  const emit = o.onEvent ?? (() => undefined);
  // name → the fingerprint last seen and since when it has not changed
  const seen = new Map<string, { fingerprint: string; since: number }>();
  const ignored = new Set<string>();
  while (!o.signal?.aborted) {
    let pending = 0;
    const entries = await readdir(inbox, { withFileTypes: true }).catch((err: unknown) => {
      throw new Error(`${o.inbox}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
    });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (o.signal?.aborted) break;
      const name = entry.name;
      if (IN_PROGRESS.test(name)) continue;
      if (!entry.isDirectory() && !SLIDE_FILE.test(name)) {
        if (!ignored.has(name)) emit({ kind: 'skipped', name, reason: 'not a slide file type' });
        ignored.add(name);
        continue;
      }
      const fingerprint = await fingerprintOf(join(inbox, name));
      if (fingerprint === undefined) {
        pending++; // empty so far
        continue;
      }
      if (ledger.slides[name]?.fingerprint === fingerprint) continue;
      const last = seen.get(name);
      const now = Date.now();
      if (!last || last.fingerprint !== fingerprint) {
        seen.set(name, { fingerprint, since: now });
        pending++;
        continue;
      }
      if (now - last.since < o.settleMs) {
        pending++;
        continue;
      }
      // Settled: scan it with the scan command itself (same reports, same failure records).
      const startedAt = Date.now();
      const code = await scan.run([join(inbox, name), '--out', out, ...(o.scanArgs ?? [])]);
      const status = code === EXIT.ok || code === EXIT.qcFail ? 'done' : 'failed';
      // A scan that wrote neither a report nor a failure record never reached the slide (options, model): stop, or
      // every slide of the night would be marked as failed.
      if (status === 'failed' && !(await wroteSince(out, startedAt))) throw new Error(`the scan of ${name} did not start (its message is above): fix the options and start again`);
      ledger.slides[name] = { fingerprint, status, scannedAt: new Date().toISOString() };
      await writeLedger(ledgerPath, ledger);
      seen.delete(name);
      emit({ kind: 'scanned', name, status, startedAt, endedAt: Date.now() });
      try {
        emit({ kind: 'cohort', text: describeCohort(await writeCohortReport(out)) });
      } catch (err) {
        emit({ kind: 'error', message: `cohort report: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    if (o.once && pending === 0) return;
    await sleep(o.intervalMs, o.signal);
  }
}

function seconds(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${option} takes a number of seconds ≥ 0, got '${value}'`);
  return n * 1000;
}

const command: Command = {
  summary: 'Watch a folder: scan each new slide once it has stopped growing, and keep the cohort report up to date.',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        interval: { type: 'string', default: '5' },
        settle: { type: 'string', default: '30' },
        once: { type: 'boolean', default: false },
        // passed to `scan` as they are
        model: { type: 'string' },
        threshold: { type: 'string' },
        calibration: { type: 'string' },
        tolerance: { type: 'string' },
        workers: { type: 'string' },
        'png-width': { type: 'string' },
        colormap: { type: 'string' },
        scale: { type: 'string' },
      },
    });
    if (positionals.length !== 1 || !values.out) throw new UsageError('give one INBOX folder and --out QC_DIR');
    const inbox = positionals[0]!;
    if (!(await stat(inbox).catch(() => undefined))?.isDirectory()) {
      console.error(`focuslite watch: ${inbox}: not a folder`);
      return EXIT.failed;
    }
    const scanArgs = (['model', 'threshold', 'calibration', 'tolerance', 'workers', 'png-width', 'colormap', 'scale'] as const).flatMap((k) => (values[k] !== undefined ? [`--${k}`, values[k]] : []));
    const stop = new AbortController();
    const onSignal = () => {
      console.error('focuslite watch: stopping after the slide being scanned');
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const stamp = () => new Date().toISOString();
    console.error(`${stamp()} watching ${inbox} → ${values.out}${values.once ? ' (once)' : ''}`);
    try {
      await watchFolder({
        inbox,
        out: values.out,
        intervalMs: seconds(values.interval, '--interval'),
        settleMs: seconds(values.settle, '--settle'),
        once: values.once,
        scanArgs,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.kind === 'scanned') console.error(`${stamp()} ${e.name}: ${e.status === 'done' ? 'scanned' : 'could not be read (error row in the cohort)'} in ${((e.endedAt - e.startedAt) / 1000).toFixed(1)} s`);
          else if (e.kind === 'skipped') console.error(`${stamp()} ${e.name}: left alone (${e.reason})`);
          else if (e.kind === 'cohort') console.error(`${stamp()} ${e.text}`);
          else console.error(`${stamp()} focuslite watch: ${e.message}`);
        },
      });
    } catch (err) {
      console.error(`focuslite watch: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return EXIT.ok;
  },
};
export default command;
