// The Snakemake workflow end to end with Debian's snakemake: two real slides and a corrupt one, one `focuslite scan`
// job each, then `focuslite report`; the corrupt slide is an error row and does not stop the others, the cohort agrees
// with the per-slide reports, and a rerun with nothing changed does nothing. Then the same through a private
// single-node SLURM (test/slurm-single-node.sh) when munge and slurm-wlm are installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared, REQUIRE_SHARED_ENV, sharedPath, SKIP_SHARED_MESSAGE } from '../../test-support/shared.ts';
import { readCsv } from '../../test-support/csv.ts';
import { COHORT_COLUMNS } from '../../src/focus/qc/cohort.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SNAKEFILE = join(import.meta.dirname, 'Snakefile');
const PROFILE = join(import.meta.dirname, 'slurm');
const SLURM_SCRIPT = join(import.meta.dirname, 'test/slurm-single-node.sh');

const found = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const hasSnakemake = found('snakemake');
const hasSlurm = ['/usr/sbin/munged', '/usr/sbin/mungekey', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/sinfo'].every((f) => existsSync(f));
const SKIP_SNAKEMAKE = 'snakemake is not installed (apt-get install snakemake): the workflow test is skipped';
const SKIP_SLURM = 'munge and slurm-wlm are not installed (apt-get install munge slurmctld slurmd slurm-client): the SLURM run of the workflow is skipped';
// CI installs them (.ci/run): there, their absence fails the run instead of skipping the test silently.
if (process.env[REQUIRE_SHARED_ENV] === '1') {
  if (!hasSnakemake) throw new Error(`${REQUIRE_SHARED_ENV}=1 but ${SKIP_SNAKEMAKE}`);
  if (!hasSlurm) throw new Error(`${REQUIRE_SHARED_ENV}=1 but ${SKIP_SLURM}`);
}
if (!hasSnakemake) console.warn(`[skip] ${SKIP_SNAKEMAKE}`);
else if (!hasSlurm) console.warn(`[skip] ${SKIP_SLURM}`);
if (!hasShared) console.warn(`[skip] focus-qc workflow: ${SKIP_SHARED_MESSAGE}`);

const SLIDES = {
  'CMU-1-Small-Region.svs': 'slides/CMU-1-Small-Region.svs',
  'TCGA-CR-7395-synthetic-blur.tif': 'slides/derived/TCGA-CR-7395-synthetic-blur.tif',
};

interface Run {
  status: number | null;
  output: string;
}

function snakemake(dir: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync('snakemake', ['--snakefile', SNAKEFILE, '--configfile', join(dir, 'config.yaml'), '--directory', dir, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** A fresh folder with the slides (symlinks into ../shared, never copies) and a corrupt one, and its config file. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-workflow-'));
  mkdirSync(join(dir, 'slides'));
  for (const [name, rel] of Object.entries(SLIDES)) symlinkSync(sharedPath(rel), join(dir, 'slides', name));
  writeFileSync(join(dir, 'slides', 'corrupt.svs'), Buffer.from('II*\0 the rest of this TIFF is missing'));
  writeFileSync(join(dir, 'slides', 'notes.txt'), 'not a slide: left out by the extension list');
  // Small cluster requests, so the single test node can take the jobs.
  writeFileSync(join(dir, 'config.yaml'), `slides: ${JSON.stringify(join(dir, 'slides'))}\nout: ${JSON.stringify(join(dir, 'qc'))}\nscan_mem_mb: 1000\nscan_runtime_min: 20\n`);
  return dir;
}

/** Data rows of the RFC 4180 cohort files (the header left out). */
const csvRows = (text: string) => readCsv(text).slice(1);

/** The cohort of `qc` agrees with its per-slide reports: verdicts, percentages, region counts and the worst-first order. */
function expectCohort(qc: string): void {
  const reports = ['TCGA-CR-7395-synthetic-blur', 'CMU-1-Small-Region'].map((stem) => JSON.parse(readFileSync(join(qc, `${stem}.focus.json`), 'utf8')));
  expect(reports.map((r) => r.summary.verdict)).toEqual(['fail', 'pass']);
  const failure = JSON.parse(readFileSync(join(qc, 'corrupt.focus-error.json'), 'utf8'));
  expect(failure).toMatchObject({ schema: 'focuslite-scan-failure/1', slide: { name: 'corrupt.svs' } });
  const rows = csvRows(readFileSync(join(qc, 'cohort.csv'), 'utf8'));
  expect(rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
    ['corrupt.svs', 'error', '', ''],
    ...reports.map((r) => [r.slide.name, r.summary.verdict, String(Number(r.summary.outOfFocusPercent.toPrecision(6))), String(r.summary.regionCount)]),
  ]);
  expect(rows[0]![COHORT_COLUMNS.indexOf('error')]).toBe(failure.error);
  const rescan = csvRows(readFileSync(join(qc, 'rescan.csv'), 'utf8'));
  expect(rescan.map((r) => r.slice(0, 2))).toEqual(reports[0].regions.slice(0, 5).map((g: { rank: number }) => ['TCGA-CR-7395-synthetic-blur.tif', String(g.rank)]));
  const html = readFileSync(join(qc, 'cohort.html'), 'utf8');
  expect(html).toContain('3 slides: 1 pass, 1 fail, 1 error');
  for (const f of ['.focus.csv', '.focus.png']) for (const stem of ['TCGA-CR-7395-synthetic-blur', 'CMU-1-Small-Region']) expect(existsSync(join(qc, stem + f))).toBe(true);
}

describe.skipIf(!hasSnakemake || !hasShared)('focus-qc Snakemake workflow', () => {
  const dirs: string[] = [];
  beforeAll(() => {
    // The workflow runs the built CLI (bin/focuslite.mjs → dist-cli/), which `npm install` makes.
    if (!existsSync(join(ROOT, 'dist-cli/focuslite.mjs'))) {
      const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
    }
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs on one machine: a job per slide, the corrupt one an error row, then the cohort; a rerun does nothing', () => {
    const dir = workspace();
    dirs.push(dir);
    const first = snakemake(dir, ['--cores', '2']);
    expect(first.status, first.output).toBe(0);
    expect(first.output).toMatch(/5 of 5 steps \(100%\) done/); // 3 scans (none for notes.txt), the report and `all`
    expectCohort(join(dir, 'qc'));
    expect(readFileSync(join(dir, 'qc/.scan/corrupt.status'), 'utf8').trim()).toBe('unreadable');

    const again = snakemake(dir, ['--cores', '2']);
    expect(again.status, again.output).toBe(0);
    expect(again.output).toContain('Nothing to be done');
  });

  it('fails the slide\'s job, naming it, when scan fails without a failure record (no model)', () => {
    const dir = workspace();
    dirs.push(dir);
    writeFileSync(join(dir, 'config.yaml'), `${readFileSync(join(dir, 'config.yaml'), 'utf8')}scan_options: "--model ${join(dir, 'missing.onnx')}"\n`);
    const run = snakemake(dir, ['--cores', '2']);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/missing\.onnx not found/);
    expect(existsSync(join(dir, 'qc/cohort.csv'))).toBe(false);
  });

  describe.skipIf(!hasSlurm)('through SLURM', () => {
    let slurmDir = '';
    let env: Record<string, string> = {};
    beforeAll(() => {
      slurmDir = mkdtempSync(join(tmpdir(), 'focuslite-slurm-'));
      const started = spawnSync('bash', [SLURM_SCRIPT, 'start', slurmDir], { encoding: 'utf8' });
      expect(started.status, `${started.stderr}`).toBe(0);
      env = { SLURM_CONF: join(slurmDir, 'slurm.conf') };
    });
    afterAll(() => {
      spawnSync('bash', [SLURM_SCRIPT, 'stop', slurmDir]);
      rmSync(slurmDir, { recursive: true, force: true });
    });

    it('runs each job with sbatch on a single-node cluster, with the same result; a rerun does nothing', { timeout: 600_000 }, () => {
      const dir = workspace();
      dirs.push(dir);
      const run = snakemake(dir, ['--profile', PROFILE], env);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toMatch(/Submitted job \d+ with external jobid '\d+'/);
      expectCohort(join(dir, 'qc'));
      // The jobs ran under SLURM: sbatch wrote each one's output file, named by rule and SLURM job id.
      const logs = readdirSync(join(dir, 'slurm-logs')).sort();
      expect(logs.filter((f) => /^scan-\d+\.out$/.test(f))).toHaveLength(3);
      expect(logs.filter((f) => /^report-\d+\.out$/.test(f))).toHaveLength(1);
      const again = snakemake(dir, ['--profile', PROFILE], env);
      expect(again.status, again.output).toBe(0);
      expect(again.output).toContain('Nothing to be done');
    });
  });
});
