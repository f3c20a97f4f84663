// npm run bench:dicomweb — the same slide opened and scanned in headless Chromium from a local pyramidal TIFF and as a
// DICOM series from a DICOMweb server on this machine (Orthanc behind the documented nginx CORS proxy,
// docs/dicomweb-cors.nginx.conf; the series made by OrthancWSIDicomizer with the TIFF's JPEG tiles copied, so the pixels
// are the same). Alternates the two ROUNDS times and prints the measured numbers and the machine; asserts nothing.
// Usage: npm run bench:dicomweb [-- SLIDE.tif] [--rounds=2] [--max-size=MB] [--first-view-only] (default: the real-tissue mosaic, focuslite tissue-mosaic).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import sharp from 'sharp';
import { launchChromium, root, startPreview } from './bench-browser.mjs';

const PORT = 4393;
const APP = `http://127.0.0.1:${PORT}`;
const cli = resolve(root, 'bin/focuslite.mjs');
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
// MB per DICOM instance (OrthancWSIDicomizer --max-size; 0 = one instance per level, as many scanners write them).
const maxSize = process.argv.find((a) => a.startsWith('--max-size='))?.slice(11) ?? '0';
// --first-view-only: time the opening, skip the scans.
const scan = !process.argv.includes('--first-view-only');
let slide = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!slide) {
  slide = resolve(root, '.bench/tissue-mosaic-24576.tif');
  execFileSync('node', [cli, 'tissue-mosaic', '--out', slide], { stdio: 'inherit' });
}
slide = resolve(slide);
const { width, height } = await sharp(slide, { limitInputPixels: false }).metadata();
const megapixels = (width * height) / 1e6;

// The test support that starts Orthanc and nginx is TypeScript: bundle it for this script.
const helper = resolve(root, '.bench/orthanc-helper.mjs');
await build({ entryPoints: [resolve(root, 'test-support/orthanc.ts')], outfile: helper, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
const { startDicomWeb } = await import(helper);

const dir = mkdtempSync(join(tmpdir(), 'focuslite-bench-dicom-'));
const t0 = Date.now();
execFileSync('/usr/bin/OrthancWSIDicomizer', ['--folder', dir, '--max-size', maxSize, slide], { stdio: 'ignore' });
const server = await startDicomWeb(APP);
await server.upload(readdirSync(dir).map((f) => join(dir, f)));
const [ids] = await server.series();
console.log(`bench:dicomweb — ${slide.split('/').pop()}: ${width}×${height} (${megapixels.toFixed(0)} MP), dicomized (${readdirSync(dir).length} instances, --max-size ${maxSize}) and stored in Orthanc in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

const stopPreview = await startPreview(PORT);
const browser = await launchChromium();
try {
  const run = async (label, open) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const start = await open(page);
    await page.waitForSelector('[data-testid=viewer][data-status=ready]', { state: 'attached', timeout: 120_000 });
    const firstView = Date.now() - start;
    if (!scan) {
      console.log(`  ${label}: first view ready ${firstView} ms`);
      await page.close();
      return Number.NaN;
    }
    const t = Date.now();
    await page.click('[data-testid=scan-start]');
    await page.waitForSelector('[data-testid=scan-progress][data-running=false]', { state: 'attached', timeout: 1_800_000 });
    const scanS = (Date.now() - t) / 1000;
    const cells = await page.getAttribute('[data-testid=viewer]', 'data-scored-cells');
    console.log(`  ${label}: first view ready ${firstView} ms; whole-slide scan ${scanS.toFixed(1)} s = ${(megapixels / scanS).toFixed(1)} MP/s (${cells} cells)`);
    await page.close();
    return megapixels / scanS;
  };
  const local = [];
  const web = [];
  for (let r = 0; r < rounds; r++) {
    local.push(
      await run('local TIFF ', async (page) => {
        await page.goto(`${APP}/`);
        await page.waitForSelector('[data-testid=viewer][data-status=ready]', { state: 'attached', timeout: 60_000 });
        const start = Date.now(); // from picking the file
        await page.setInputFiles('[data-testid=open-file]', slide);
        await page.waitForFunction((name) => document.querySelector('[data-testid=status-name]')?.textContent === name, slide.split('/').pop());
        return start;
      }),
    );
    web.push(
      await run('DICOMweb   ', async (page) => {
        const start = Date.now(); // from navigation: the page loads, then the series' metadata and first tiles
        await page.goto(`${APP}/?dicomweb=${encodeURIComponent(server.proxied)}&study=${ids.study}&series=${ids.series}`);
        return start;
      }),
    );
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (scan) console.log(`  DICOMweb scan / local scan (median of ${rounds}): ${(median(web) / median(local)).toFixed(2)}`);
  // The CLI on the same pixels: the TIFF, and the series straight from Orthanc (no browser, so no CORS proxy).
  if (scan) {
    const out = mkdtempSync(join(tmpdir(), 'focuslite-bench-cli-'));
    const cliScan = (args) => {
      const t = Date.now();
      execFileSync('node', [cli, 'scan', ...args, '--out', out, '--json'], { stdio: 'ignore' });
      return (Date.now() - t) / 1000;
    };
    for (let r = 0; r < rounds; r++) {
      const localS = cliScan([slide]);
      const webS = cliScan(['--dicomweb', server.orthanc, '--study', ids.study, '--series', ids.series]);
      console.log(`  CLI focuslite scan (process start included): local TIFF ${localS.toFixed(1)} s = ${(megapixels / localS).toFixed(1)} MP/s; --dicomweb ${webS.toFixed(1)} s = ${(megapixels / webS).toFixed(1)} MP/s; ratio ${(localS / webS).toFixed(2)}`);
    }
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  await browser.close();
  stopPreview();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
