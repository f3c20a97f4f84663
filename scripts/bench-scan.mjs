// npm run bench:scan — whole-slide scan throughput, measured in headless Chromium with the app's own workers and
// pipeline, stage by stage in one run: (a) decode only, (b) model only, (c) full scan, (d) the original per-patch method
// on a subset; then the CLI and, when Debian's python3-torch and python3-pil are installed, the original method in
// PyTorch (scripts/bench-pytorch.py). The slide: the demo generator's (SIZE², default 20480²), or with --slide=mosaic
// real in-focus tissue (`focuslite tissue-mosaic`, 24576², copies of the shared slides), or --slide=PATH any slide.
// --model=NAME picks the shipped model (default focuslite-1kernel, the PyTorch baseline's weights) in the app and CLI.
// Prints measured numbers and the machine; asserts nothing.
// Then the same slide as a DICOM series from Orthanc (npm run bench:dicomweb: app and CLI, local against DICOMweb).
// Usage: npm run bench:scan [-- SIZE] [--slide=mosaic|shared|PATH] [--model=NAME] [--only=a,b,c,d,cli,torch,dicomweb] (default all)
//        [--rounds=N] (CLI/PyTorch pairs, default 3) [--dist=DIR] (serve another build, for A/B runs: `npx vite build --outDir DIR`) [--port=N] (default 4392).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { launchChromium, openApp, startPreview } from './bench-browser.mjs';
import { cpuSnapshot, cpuSummary } from './proc-cpu.mjs';

const root = resolve(import.meta.dirname, '..');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const size = Number(positional[0] ?? 20480);
// --only=a,b,c,d,cli,torch runs a subset of the stages (for measuring one change quickly).
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = new Set((onlyArg ? onlyArg.slice(7) : 'a,b,c,d,cli,torch,dicomweb').split(','));
const slideArg = process.argv.find((a) => a.startsWith('--slide='))?.slice(8);
const modelName = process.argv.find((a) => a.startsWith('--model='))?.slice(8) ?? 'focuslite-1kernel';
const cli = resolve(root, 'bin/focuslite.mjs');
const PORT = Number(process.argv.find((a) => a.startsWith('--port='))?.slice(7) ?? 4392);
const dist = process.argv.find((a) => a.startsWith('--dist='))?.slice(7);

// --slide=shared: the small real slides of ../shared, one after another in this run, CLI against PyTorch only (the
// browser stages are for slides large enough to measure throughput).
if (slideArg === 'shared') {
  const shared = resolve(root, '../shared/slides/derived');
  const rest = process.argv.slice(2).filter((a) => !a.startsWith('--slide=') && !a.startsWith('--only='));
  for (const name of ['TCGA-CR-7395-pyramid-jpeg.tif', 'TCGA-CR-7395-synthetic-blur.tif', 'CMU-1-pyramid-jpeg.tif']) {
    if (!existsSync(resolve(shared, name))) throw new Error(`--slide=shared: ${resolve(shared, name)} is missing (../shared is needed)`);
    execFileSync('node', [import.meta.filename, `--slide=${resolve(shared, name)}`, '--only=cli,torch', ...rest], { stdio: 'inherit' });
  }
  process.exit(0);
}

let slidePath;
let slideKind;
if (slideArg === 'mosaic') {
  slidePath = resolve(root, '.bench/tissue-mosaic-24576.tif');
  slideKind = 'real in-focus tissue: focuslite tissue-mosaic (copies of the shared CMU-1 and TCGA-CR-7395 slides), JPEG Q85';
  execFileSync('node', [cli, 'tissue-mosaic', '--out', slidePath], { stdio: 'inherit' });
} else if (slideArg) {
  slidePath = resolve(slideArg);
  slideKind = 'as given';
} else {
  slidePath = resolve(root, `.bench/bench-${size}.tif`);
  slideKind = 'demo generator seed 7';
  if (!existsSync(slidePath)) {
    console.log(`Generating the ${size}×${size} benchmark slide (demo generator) …`);
    execFileSync('node', [cli, 'demo-slide', '--out', slidePath, '--width', String(size), '--height', String(size), '--seed', '7'], { stdio: 'inherit' });
  }
}
const slideSize = await sharp(slidePath, { limitInputPixels: false }).metadata(); // level 0 (page 0)
const megapixels = (slideSize.width * slideSize.height) / 1e6;

/** Resident memory of all Chromium processes (browser, renderer, workers' utility processes), in MB. */
function browserRss() {
  try {
    const rows = execFileSync('ps', ['-e', '-o', 'rss=,comm='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
    return rows.filter(([, comm]) => /chrom/i.test(comm ?? '')).reduce((sum, [rss]) => sum + Number(rss), 0) / 1024;
  } catch {
    return Number.NaN;
  }
}

const modelPath = resolve(root, 'models', `${modelName}.onnx`);
if (!existsSync(modelPath)) throw new Error(`--model=${modelName}: ${modelPath} does not exist`);

const stopPreview = await startPreview(PORT, dist ? resolve(dist) : undefined);
const lines = [];
const say = (s) => { console.log(s); lines.push(s); };
try {
  if (['a', 'b', 'c', 'd'].some((k) => only.has(k))) {
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openApp(page, PORT);
    await page.setInputFiles('[data-testid=open-file]', slidePath);
    await page.waitForFunction((name) => document.querySelector('[data-testid=status-name]')?.textContent === name, slidePath.split('/').pop(), { timeout: 60_000 });
    await page.waitForSelector('[data-testid=viewer][data-status=ready]', { state: 'attached', timeout: 60_000 });
    await page.selectOption('[data-testid=model-picker]', modelName);
    const workers = await page.evaluate(() => window.focuslite.benchStage('model', { patches: 128 }).then((r) => r.workers)); // warm-up: model loaded in every worker

    say(`bench:scan — ${slidePath.split('/').pop()}: ${slideSize.width}×${slideSize.height} pyramidal TIFF (${megapixels.toFixed(0)} MP, ${(statSync(slidePath).size / 1e6).toFixed(0)} MB), ${slideKind}; model ${modelName}`);
    say(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Chromium headless (${await browser.version()}), ${workers} slide workers`);

    const stage = async (label, kind, options) => {
      let peak = 0;
      const timer = setInterval(() => { peak = Math.max(peak, browserRss()); }, 250);
      const cpu0 = cpuSnapshot();
      const r = await page.evaluate(([k, o]) => window.focuslite.benchStage(k, o), [kind, options]);
      const cpu = cpuSummary(cpu0, cpuSnapshot());
      clearInterval(timer);
      const rate = r.pixels / 1e6 / (r.ms / 1000);
      say(`  ${label}: ${(r.pixels / 1e6).toFixed(0)} MP in ${(r.ms / 1000).toFixed(2)} s = ${rate.toFixed(1)} MP/s (peak Chromium RSS ${peak.toFixed(0)} MB)`);
      say(`      Chromium CPU: ${cpu}`);
      return rate;
    };
    const decode = only.has('a') ? await stage('(a) decode only, every level-0 tile', 'decode', {}) : Number.NaN;
    const model = only.has('b') ? await stage('(b) model only, pre-decoded pixels (per 128×128 cell of slide)', 'model', { patches: 8192 }) : Number.NaN;
    let full = Number.NaN;
    if (only.has('c')) {
      // (c) the app's own whole-slide scan, from the UI.
      await page.evaluate(() => window.focuslite.showRegion(0, 0, 100, 100));
      let peak = 0;
      const timer = setInterval(() => { peak = Math.max(peak, browserRss()); }, 250);
      await page.click('[data-testid=heatmap-toggle]');
      await page.waitForSelector('[data-testid=viewer][data-heatmap=done]', { state: 'attached', timeout: 60_000 });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const m0 = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const cpu0 = cpuSnapshot();
      const t0 = Date.now();
      await page.click('[data-testid=scan-start]');
      await page.waitForSelector('[data-testid=scan-progress][data-running=false]', { state: 'attached', timeout: 1_800_000 });
      const scanMs = Date.now() - t0;
      const cpu = cpuSummary(cpu0, cpuSnapshot());
      const m1 = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const mainBusy = m1.TaskDuration - m0.TaskDuration;
      clearInterval(timer);
      const scored = Number(await page.getAttribute('[data-testid=viewer]', 'data-scored-cells'));
      full = megapixels / (scanMs / 1000);
      say(`  (c) full scan (read, decode, tissue mask, model): ${megapixels.toFixed(0)} MP in ${(scanMs / 1000).toFixed(1)} s = ${full.toFixed(1)} MP/s of slide, ${((scored * 128 * 128) / 1e6 / (scanMs / 1000)).toFixed(1)} MP/s of tissue (${scored} cells scored, 128² each; glass skipped) (peak Chromium RSS ${peak.toFixed(0)} MB)`);
      say(`      main thread busy ${mainBusy.toFixed(1)} s; Chromium CPU: ${cpu}`);
    }
    const perPatch = !only.has('d') ? Number.NaN : await stage('(d) original per-patch method (each 235×235 patch cut and scored alone), 512-cell subset', 'per-patch', { cells: 512 });
    const bound = 1 / (1 / decode + 1 / model);
    if (only.has('a') && only.has('b')) say(`  pipeline bound 1/(1/a + 1/b) = ${bound.toFixed(1)} MP/s; full scan = ${((100 * full) / bound).toFixed(0)}% of it; ${(full / perPatch).toFixed(1)}× the per-patch method`);
    await browser.close();
  } else {
    say(`bench:scan — ${slidePath.split('/').pop()}: ${slideSize.width}×${slideSize.height} (${megapixels.toFixed(0)} MP), ${slideKind}; model ${modelName}`);
    say(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  }

  // The CLI and the original method in PyTorch (when Debian's python3-torch and python3-pil exist) on the same slide
  // and weights, alternating for --rounds=N rounds (default 3): wall time with process start, CPU time and peak memory
  // of each process (GNU time), and the CLI's speed-up over PyTorch per round.
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
  const weights = resolve(root, `models/weights/${modelName}.json`);
  const runs = { cli: [], torch: [] };
  let torchInfo;
  for (let round = 0; round < rounds && (only.has('cli') || only.has('torch')); round++) {
    if (only.has('cli')) runs.cli.push(timedRun('node', [cli, 'scan', slidePath, '--model', modelPath, '--threshold=0']));
    if (only.has('torch') && torchInfo !== null) {
      try {
        const run = timedRun('/usr/bin/python3', [resolve(root, 'scripts/bench-pytorch.py'), slidePath, weights, String(Math.min(2, cpus().length))]);
        torchInfo = JSON.parse(run.stdout.trim().split('\n').pop());
        runs.torch.push(run);
      } catch (err) {
        say(`  PyTorch baseline skipped: /usr/bin/python3 with torch and PIL is needed (apt-get install python3-torch python3-pil): ${String(err.message ?? err).split('\n')[0]}`);
        torchInfo = null;
      }
    }
  }
  const describe = (r) => `${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} CPU-s, ${(r.peakKb / 1024).toFixed(0)} MB peak`;
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return (v[Math.floor((v.length - 1) / 2)] + v[Math.ceil((v.length - 1) / 2)]) / 2;
  };
  if (runs.cli.length) {
    say(`  CLI: focuslite scan (worker threads by slide size; process start and model load included), ${runs.cli.length} runs: ${runs.cli.map(describe).join('; ')}`);
    say(`      median ${median(runs.cli.map((r) => r.wall)).toFixed(2)} s = ${(megapixels / median(runs.cli.map((r) => r.wall))).toFixed(1)} MP/s`);
  }
  if (runs.torch.length) {
    say(`  PyTorch ${torchInfo.torch} (original method: Pillow decode of level 0, every patch at stride 128, ${torchInfo.threads} threads; process start and torch import included), ${runs.torch.length} runs: ${runs.torch.map(describe).join('; ')}`);
    say(`      median ${median(runs.torch.map((r) => r.wall)).toFixed(2)} s; inside the script (last run) ${torchInfo.totalSeconds} s (decode ${torchInfo.decodeSeconds} s, model ${torchInfo.modelSeconds} s)`);
  }
  if (runs.cli.length && runs.cli.length === runs.torch.length) {
    say(`  CLI speed-up over PyTorch, round by round: ${runs.cli.map((r, i) => `${(runs.torch[i].wall / r.wall).toFixed(2)}×`).join(', ')}; of the medians ${(median(runs.torch.map((r) => r.wall)) / median(runs.cli.map((r) => r.wall))).toFixed(2)}×`);
  }
} finally {
  stopPreview();
}
// The same slide as a DICOM series from Orthanc over DICOMweb against the local TIFF, in the app and the CLI
// (scripts/bench-dicomweb.mjs, which needs Orthanc, its DICOMweb plugin, nginx and OrthancWSIDicomizer).
if (only.has('dicomweb')) {
  try {
    execFileSync('node', [resolve(root, 'scripts/bench-dicomweb.mjs'), slidePath, '--rounds=1'], { stdio: 'inherit' });
  } catch (err) {
    say(`  DICOMweb comparison skipped: ${String(err.message ?? err).split('\n')[0]}`);
  }
}

/** Runs a process to the end under GNU time (/usr/bin/time): its wall and CPU seconds, peak RSS and stdout. */
function timedRun(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = (r.stderr ?? '').split('\n').find((l) => l.startsWith('TIME '));
  if (r.error || r.status !== 0 || !line) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
  const [wall, user, sys, peakKb] = line.split(' ').slice(1).map(Number);
  return { wall, cpu: user + sys, peakKb, stdout: r.stdout };
}
