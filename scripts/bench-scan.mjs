// npm run bench:scan — whole-slide scan throughput, measured in headless Chromium with the app's own workers and
// pipeline, stage by stage in one run: (a) decode only, (b) model only, (c) full scan, (d) the original per-patch method
// on a subset; then the CLI and, when Debian's python3-torch and python3-pil are installed, the original method in
// PyTorch (scripts/bench-pytorch.py). The slide: the demo generator's (SIZE², default 20480²), or with --slide=mosaic
// real in-focus tissue (`focuslite tissue-mosaic`, 24576², copies of the shared slides), or --slide=PATH any slide.
// --model=NAME picks the shipped model (default focuslite-1kernel, the PyTorch baseline's weights) in the app and CLI.
// Prints measured numbers and the machine; asserts nothing.
// Then the same slide as a DICOM series from Orthanc (npm run bench:dicomweb: app and CLI, local against DICOMweb).
// Usage: npm run bench:scan [-- SIZE] [--slide=mosaic|PATH] [--model=NAME] [--only=a,b,c,d,cli,torch,dicomweb] (default all)
//        [--dist=DIR] (serve another build, for A/B runs: `npx vite build --outDir DIR`) [--port=N] (default 4392).
import { execFileSync } from 'node:child_process';
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
  say(`  pipeline bound 1/(1/a + 1/b) = ${bound.toFixed(1)} MP/s; full scan = ${((100 * full) / bound).toFixed(0)}% of it; ${(full / perPatch).toFixed(1)}× the per-patch method`);
  await browser.close();

  // The CLI on the same slide (libjpeg-turbo via sharp, worker threads).
  if (only.has('cli')) {
    const t1 = Date.now();
    execFileSync('node', [cli, 'scan', slidePath, '--model', modelPath, '--threshold=0'], { stdio: 'ignore' });
    const cliS = (Date.now() - t1) / 1000;
    say(`  CLI: focuslite scan (worker threads by slide size): ${megapixels.toFixed(0)} MP in ${cliS.toFixed(1)} s wall (process start and model load included) = ${(megapixels / cliS).toFixed(1)} MP/s`);
  }
  // The original method in PyTorch on the same slide and weights, when Debian's python3-torch and python3-pil exist.
  if (only.has('torch')) {
    const weights = resolve(root, `models/weights/${modelName}.json`);
    try {
      const t2 = Date.now();
      const out = execFileSync('/usr/bin/python3', [resolve(root, 'scripts/bench-pytorch.py'), slidePath, weights, String(Math.min(2, cpus().length))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const wallS = (Date.now() - t2) / 1000;
      const r = JSON.parse(out.trim().split('\n').pop());
      say(`  PyTorch ${r.torch} (original method: Pillow decode of level 0, every patch at stride 128, ${r.threads} threads): ${wallS.toFixed(1)} s wall (process start and torch import included) = ${(megapixels / wallS).toFixed(1)} MP/s; inside the script ${r.totalSeconds} s (decode ${r.decodeSeconds} s, model ${r.modelSeconds} s) = ${r.megapixelsPerSecond} MP/s`);
    } catch (err) {
      say(`  PyTorch baseline skipped: /usr/bin/python3 with torch and PIL is needed (apt-get install python3-torch python3-pil): ${String(err.message ?? err).split('\n')[0]}`);
    }
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
