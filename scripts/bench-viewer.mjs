// npm run bench:viewer — time from the end of a pan to every image tile drawn and to every visible cell scored, for a 1920×1080 viewport at
// level 0 (1 screen pixel = 1 slide pixel), and main-thread long tasks over the views, in headless Chromium against a
// production build. Prints measured numbers with the machine; asserts nothing.
// Usage: node scripts/bench-viewer.mjs [SLIDE] [--dist=DIR] (serve another build, for A/B runs: `npx vite build --outDir DIR`)
//        [--heatmap=off] (the slide alone, in colour: only the tiles are waited for)
//        [--port=N] (default 4391) [--trace=FILE.json] (a Chrome trace of the measured views, for chrome://tracing or
//        DevTools' Performance panel; with --trace-cpu also CPU samples of every thread, the slide workers' included)
//        [--profile=FILE.cpuprofile] (a CPU profile of the page's main thread over them).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { launchChromium, openApp, startPreview } from './bench-browser.mjs';
import { cpuSnapshot, cpuSummary } from './proc-cpu.mjs';

/** This run's Chromium threads only (other benchmarks may run beside it): the processes descended from this one. */
function ownCpuSnapshot() {
  const parentOf = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return 0;
    }
  };
  const ours = (pid) => {
    for (let p = pid, i = 0; p > 1 && i < 20; p = parentOf(p), i++) if (p === process.pid) return true;
    return false;
  };
  return new Map([...cpuSnapshot()].filter(([id]) => ours(Number(id.split('/')[0]))));
}

const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const PORT = Number(option('port') ?? 4391);
const dist = option('dist');
const tracePath = option('trace');
const profilePath = option('profile');
const heatmap = option('heatmap') !== 'off';
const slideArg = process.argv.slice(2).find((a) => !a.startsWith('--'));
const slide = slideArg ? resolve(slideArg) : null;

const stopPreview = await startPreview(PORT, dist ? resolve(dist) : undefined);
try {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await openApp(page, PORT);
  if (slide) {
    await page.setInputFiles('[data-testid=open-file]', slide);
    await page.waitForTimeout(300);
    await page.waitForSelector('[data-testid=viewer][data-status=ready]', { state: 'attached', timeout: 60_000 });
  }
  const info = await page.evaluate(() => document.querySelector('[data-testid=status-size]')?.textContent);
  const [width, height] = (info ?? '').replace(/[, px]/g, '').split('×').map(Number);
  // Size the page so that the viewer itself is 1920×1080 (the heatmap panel and toolbars sit beside it).
  const chrome = await page.evaluate(() => {
    const v = document.querySelector('.viewer-canvas');
    return { w: window.innerWidth - v.clientWidth, h: window.innerHeight - v.clientHeight };
  });
  await page.setViewportSize({ width: 1920 + chrome.w, height: 1080 + chrome.h });
  await page.waitForTimeout(300);
  // Warm up on a small corner so the model loads in every worker without scoring the views measured below.
  await page.evaluate(() => window.focuslite.showRegion(0, 0, 300, 300));
  if (heatmap) {
    await page.click('[data-testid=heatmap-toggle]');
    await page.waitForSelector('[data-testid=viewer][data-heatmap=done]', { state: 'attached', timeout: 120_000 });
  } else {
    await page.waitForFunction(() => window.focuslite.tilesLoaded(), undefined, { timeout: 120_000 });
  }
  await page.waitForTimeout(500);

  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: false });
  });
  const cdp = profilePath ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  if (tracePath) await browser.startTracing(page, { path: tracePath, screenshots: false, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'gpu', 'disabled-by-default-devtools.timeline.frame', ...(process.argv.includes('--trace-cpu') ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
  const cpu0 = ownCpuSnapshot();
  const viewW = await page.evaluate(() => document.querySelector('.viewer-canvas')?.clientWidth ?? 1920);
  const viewH = await page.evaluate(() => document.querySelector('.viewer-canvas')?.clientHeight ?? 1080);
  const results = [];
  const positions = 6;
  for (let k = 0; k < positions; k++) {
    // Fresh, not yet scored regions at 1:1 zoom, spread over the slide.
    const x = Math.round((((k % 3) + 0.5) / 3) * Math.max(0, width - viewW));
    const y = Math.round(((Math.floor(k / 3) + 0.5) / 2) * Math.max(0, height - viewH));
    const { ms, tilesMs } = await page.evaluate(async ([x, y, w, h, heatmap]) => {
      const viewer = document.querySelector('[data-testid=viewer]');
      const t0 = performance.now();
      window.focuslite.showRegion(x, y, w, h);
      await new Promise((r) => setTimeout(r, 0));
      // Done = every cell of this view looked at; the view is fresh, so it must pass through 'scoring' first.
      // Separately: when every image tile of the view is drawn.
      let sawScoring = false;
      let sawLoading = false;
      let ms = Number.NaN;
      let tilesMs = Number.NaN;
      // On a slide smaller than about 3 × 2 views the later views overlap scored ones and may need no scoring at all:
      // such a view counts for the tiles only (cells: "already scored") instead of waiting for 'scoring' forever.
      let doneSince = Number.NaN;
      await new Promise((resolve) => {
        const check = () => {
          if (viewer.getAttribute('data-heatmap') === 'scoring') sawScoring = true;
          const loaded = window.focuslite.tilesLoaded();
          if (!loaded) sawLoading = true;
          if (sawLoading && loaded && Number.isNaN(tilesMs)) tilesMs = performance.now() - t0;
          const [done, total] = (viewer.getAttribute('data-view-cells') ?? '0/0').split('/').map(Number);
          const viewDone = viewer.getAttribute('data-heatmap') === 'done' && total > 0 && done === total;
          if (sawScoring && viewDone && Number.isNaN(ms)) ms = performance.now() - t0;
          doneSince = viewDone && !sawScoring ? (Number.isNaN(doneSince) ? performance.now() : doneSince) : Number.NaN;
          const nothingToScore = !Number.isNaN(tilesMs) && (!heatmap || performance.now() - doneSince > 1000);
          if ((!Number.isNaN(ms) || nothingToScore) && !Number.isNaN(tilesMs)) resolve();
          else setTimeout(check, 2);
        };
        check();
      });
      return { ms, tilesMs };
    }, [x, y, viewW, viewH, heatmap]);
    const cells = await page.evaluate(() => document.querySelector('[data-testid=heatmap-progress]')?.textContent);
    results.push({ x, y, ms, tilesMs, cells });
  }
  const longTasks = await page.evaluate(() => window.__longTasks);
  const cpu = cpuSummary(cpu0, ownCpuSnapshot());
  if (tracePath) await browser.stopTracing();
  if (cdp) writeFileSync(profilePath, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  await browser.close();

  const ms = results.map((r) => r.ms).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  console.log(`bench:viewer — ${slide ?? 'demo slide'} (${width}×${height}), viewport ${viewW}×${viewH} CSS px at level 0, heatmap ${heatmap ? 'on' : 'off'}`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Chromium headless`);
  for (const r of results) console.log(`  view at (${r.x}, ${r.y}): image tiles drawn ${r.tilesMs.toFixed(0)} ms${heatmap ? `, cells scored ${Number.isNaN(r.ms) ? '– (already scored)' : `${r.ms.toFixed(0)} ms`}  [${r.cells}]` : ''}`);
  const tiles = results.map((r) => r.tilesMs).sort((a, b) => a - b);
  console.log(`time from end of pan to every image tile drawn: median ${tiles[Math.floor(tiles.length / 2)].toFixed(0)} ms, max ${tiles[tiles.length - 1].toFixed(0)} ms`);
  if (heatmap) console.log(`time from end of pan to all visible cells scored: median ${ms[Math.floor(ms.length / 2)]?.toFixed(0) ?? '–'} ms, max ${ms[ms.length - 1]?.toFixed(0) ?? '–'} ms over ${ms.length} views that needed scoring`);
  console.log(`main-thread long tasks over the views: ${longTasks.length}${longTasks.length ? `, longest ${Math.max(...longTasks).toFixed(0)} ms (${longTasks.map((d) => d.toFixed(0)).join(', ')})` : ''}`);
  console.log(`CPU over the ${positions} views (this run's Chromium; wall-clock times above move with the machine's load, these less): ${cpu}`);
  console.log(`build: ${dist ? resolve(dist) : 'dist/'}${tracePath ? `; trace ${tracePath}` : ''}${profilePath ? `; profile ${profilePath}` : ''}`);
} finally {
  stopPreview();
}
