// Quick check: many image tiles at once, by file picker and by a real drop; the browser's scores against the CLI's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp, { type Sharp } from 'sharp';
import { gotoApp, hasShared, shared, SKIP_SHARED } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const REAL = ['fqpath-in-focus.png', 'fqpath-out-of-focus.png', 'tcga-in-focus.png', 'tcga-out-of-focus.png'];
const PAIRS: [string, string][] = [
  ['fqpath-out-of-focus.png', 'fqpath-in-focus.png'],
  ['tcga-out-of-focus.png', 'tcga-in-focus.png'],
];
const TOL = 1e-4;

interface Row {
  file: string;
  score: string;
  verdict: string;
  grade: string;
  borderline: string;
  text: string;
}

/** The label of a real patch, from its file name. */
const labelOf = (file: string) => (file.includes('out-of-focus') ? 'out-of-focus' : 'in-focus');

interface CliResult {
  file: string;
  width: number;
  height: number;
  score: number;
  patchGrid: number[][];
}

let dir = '';
let bad: { text: string; tiny: string };
const cliCache = new Map<string, Map<string, CliResult>>();

/** `focuslite score --json` on the four real patches with the given model file. */
function cliScores(modelFile: string): Map<string, CliResult> {
  let cached = cliCache.get(modelFile);
  if (!cached) {
    const out = execFileSync('node', [resolve(ROOT, 'bin/focuslite.mjs'), 'score', ...REAL.map((f) => shared('focus/real', f)), '--json', '--model', modelFile], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    const parsed = JSON.parse(out) as { results: CliResult[] };
    cached = new Map(parsed.results.map((r) => [basename(r.file), r]));
    cliCache.set(modelFile, cached);
  }
  return cached;
}

async function rows(page: Page): Promise<Row[]> {
  return page.$$eval('[data-testid=check-result]', (els) =>
    els.map((el) => ({
      file: el.getAttribute('data-file') ?? '',
      score: el.getAttribute('data-score') ?? '',
      verdict: el.getAttribute('data-verdict') ?? '',
      grade: el.getAttribute('data-grade') ?? '',
      borderline: el.getAttribute('data-borderline') ?? '',
      text: el.textContent ?? '',
    })),
  );
}

async function openPanel(page: Page) {
  const panel = page.getByTestId('quick-check');
  if (!(await panel.isVisible())) await page.getByTestId('quick-check-toggle').click();
  await expect(panel).toBeVisible();
  return panel;
}

/** The model the app scores with (MODELS[0] unless picked otherwise), as a file the CLI can load. */
async function modelFileOf(page: Page): Promise<string> {
  const id = await page.getByTestId('quick-check').getAttribute('data-model-id');
  expect(id, 'the app has a model (models/*.onnx)').toBeTruthy();
  const file = resolve(ROOT, 'models', `${id}.onnx`);
  expect(existsSync(file), `${file} exists`).toBe(true);
  return file;
}

/** Everything the issue asks of a batch of the four real patches plus two bad files. */
async function expectBatch(page: Page, label: string): Promise<void> {
  const panel = page.getByTestId('quick-check');
  await expect(panel).toHaveAttribute('data-total', '6');
  await expect(panel).toHaveAttribute('data-finished', '6', { timeout: 90_000 });
  const got = await rows(page);
  expect(got.map((r) => r.file).sort()).toEqual([...REAL, basename(bad.text), basename(bad.tiny)].sort());
  const byFile = new Map(got.map((r) => [r.file, r]));

  // The two bad files: per-file errors with a clear message; the others are scored.
  const text = byFile.get(basename(bad.text))!;
  const tiny = byFile.get(basename(bad.tiny))!;
  expect(text.verdict).toBe('error');
  expect(text.text).toContain('not a PNG, JPEG or TIFF image');
  expect(tiny.verdict).toBe('error');
  expect(tiny.text).toContain('image is 100×100; at least 235×235 pixels needed');
  expect(text.score).toBe('');

  // Same numbers as the CLI with the same model file.
  const modelFile = await modelFileOf(page);
  const cli = cliScores(modelFile);
  let maxDiff = 0;
  for (const file of REAL) {
    const row = byFile.get(file)!;
    expect(row.verdict, `${file} is scored`).toMatch(/^(in-focus|out-of-focus)$/);
    const score = Number(row.score);
    expect(Number.isFinite(score), `${file} has a numeric data-score`).toBe(true);
    maxDiff = Math.max(maxDiff, Math.abs(score - cli.get(file)!.score));
  }
  const threshold = Number(await panel.getAttribute('data-threshold'));
  const source = await panel.getAttribute('data-threshold-source');
  const scale = await panel.getAttribute('data-scale');
  console.log(
    `quick check (${label}), model ${basename(modelFile)}, threshold ${threshold} (${source}, ${scale}): ` +
      REAL.map((f) => `${f} ${Number(byFile.get(f)!.score).toFixed(6)} grade ${byFile.get(f)!.grade || '–'} (${byFile.get(f)!.verdict}${byFile.get(f)!.borderline === 'true' ? ', borderline' : ''})`).join(', ') +
      `; max |browser − CLI| ${maxDiff.toExponential(2)}`,
  );
  expect(maxDiff).toBeLessThanOrEqual(TOL);

  // Verdicts follow the card's threshold (never a batch midpoint: the shipped cards have one) …
  expect(source).toBe('card');
  for (const file of REAL) {
    const row = byFile.get(file)!;
    expect(row.verdict).toBe(Number(row.score) >= threshold ? 'out-of-focus' : 'in-focus');
    expect(row.borderline).toMatch(/^(true|false)$/);
  }
  // … and every real patch gets the verdict of its label; the out-of-focus ones score above their in-focus partners.
  for (const file of REAL) expect(byFile.get(file)!.verdict, `${file} verdict`).toBe(labelOf(file));
  for (const [out, sharp] of PAIRS) expect(Number(byFile.get(out)!.score)).toBeGreaterThan(Number(byFile.get(sharp)!.score));
}

/** Drops files on the element as a browser would: dragenter, dragover, drop, with a DataTransfer of real Files. */
async function dropFiles(page: Page, selector: string, files: { name: string; path: string; type: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: readFileSync(f.path).toString('base64') }));
  await page.evaluate(
    ({ selector, payload }) => {
      const target = document.querySelector(selector);
      if (!target) throw new Error(`no ${selector}`);
      const dt = new DataTransfer();
      for (const f of payload) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    { selector, payload },
  );
}

test.describe('quick check', () => {
  test.skip(!hasShared, SKIP_SHARED);

  test.beforeAll(async () => {
    dir = mkdtempSync(resolve(tmpdir(), 'focuslite-quick-check-'));
    bad = { text: resolve(dir, 'notes.txt'), tiny: resolve(dir, 'tiny-100.png') };
    writeFileSync(bad.text, 'These are not pixels.\n');
    await sharp({ create: { width: 100, height: 100, channels: 3, background: { r: 200, g: 120, b: 160 } } }).png().toFile(bad.tiny);
  });

  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('file picker: scores equal the CLI, verdicts, per-file errors, large view, sort, filter, export, clear', async ({ page }) => {
    await gotoApp(page);
    await openPanel(page);
    await page.setInputFiles('[data-testid=check-files]', [...REAL.map((f) => shared('focus/real', f)), bad.text, bad.tiny]);
    await expectBatch(page, 'file picker');
    const modelFile = await modelFileOf(page);
    const cli = cliScores(modelFile);

    // Large view: hovering a point shows the score of the patch whose centre is nearest, as the CLI computed it.
    await page.locator('[data-testid=check-result][data-file="fqpath-out-of-focus.png"]').click();
    const figure = page.getByTestId('check-view-image');
    await expect(page.getByTestId('check-view')).toBeVisible();
    const box = (await figure.boundingBox())!;
    const [ix, iy] = [300, 600]; // image pixels of the 1024×1024 patch: column round(182.5/128) = 1, row round(482.5/128) = 4
    await page.mouse.move(box.x + ((ix + 0.5) / 1024) * box.width, box.y + ((iy + 0.5) / 1024) * box.height);
    const hover = page.getByTestId('check-hover');
    await expect(hover).toContainText('patch row 5, column 2');
    const shown = Number(/score (-?\d+\.\d+)/.exec((await hover.textContent()) ?? '')?.[1]);
    expect(Math.abs(shown - cli.get('fqpath-out-of-focus.png')!.patchGrid[4]![1]!)).toBeLessThanOrEqual(0.0006);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('check-view')).toBeHidden();

    // Sort by score, blurriest first: both out-of-focus patches lead, the errors come last.
    await page.getByTestId('check-sort').selectOption('score:desc');
    const sorted = await rows(page);
    expect(sorted.slice(0, 2).map((r) => r.file).sort()).toEqual(['fqpath-out-of-focus.png', 'tcga-out-of-focus.png']);
    const scores = sorted.slice(0, 4).map((r) => Number(r.score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(sorted.slice(4).map((r) => r.verdict)).toEqual(['error', 'error']);

    // Filter by verdict.
    await page.getByTestId('check-filter').selectOption('error');
    expect((await rows(page)).map((r) => r.file).sort()).toEqual(['notes.txt', 'tiny-100.png']);
    // The filter shows exactly the two out-of-focus patches (the labels, on the card's threshold).
    await page.getByTestId('check-filter').selectOption('out-of-focus');
    const filtered = (await rows(page)).map((r) => r.file).sort();
    expect(filtered).toEqual(['fqpath-out-of-focus.png', 'tcga-out-of-focus.png']);
    await page.getByTestId('check-filter').selectOption('all');

    // Exports: the rows shown, `file,width,height,score,verdict,grade,borderline` with full-precision raw scores; JSON
    // adds `error`.
    const shownRows = await rows(page);
    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('check-export-csv').click();
    const csv = readFileSync(await (await csvDownload).path(), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('file,width,height,score,verdict,grade,borderline');
    expect(csv.slice(1)).toEqual(
      shownRows.map((r) => {
        const size = r.file === 'tiny-100.png' ? '100,100' : r.file === 'notes.txt' ? ',' : r.file.startsWith('tcga') ? '1025,1025' : '1024,1024';
        return `${r.file},${size},${r.score},${r.verdict},${r.grade},${r.borderline || 'false'}`;
      }),
    );
    const jsonDownload = page.waitForEvent('download');
    await page.getByTestId('check-export-json').click();
    const json = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8')) as Record<string, unknown>[];
    expect(json.map((r) => r.file)).toEqual(shownRows.map((r) => r.file));
    for (const r of json) {
      if (r.verdict === 'error') {
        expect(r.score).toBeNull();
        expect(typeof r.error).toBe('string');
      } else {
        expect(r.score).toBe(Number(shownRows.find((s) => s.file === r.file)!.score));
        expect(Math.abs((r.score as number) - cli.get(r.file as string)!.score)).toBeLessThanOrEqual(TOL);
        expect('error' in r).toBe(false);
      }
    }

    // An adjustable threshold: above every score, everything is in focus.
    await page.getByTestId('check-threshold').fill('1000');
    await expect(page.getByTestId('quick-check')).toHaveAttribute('data-threshold-source', 'user');
    expect((await rows(page)).filter((r) => r.verdict === 'out-of-focus')).toHaveLength(0);
    // One threshold in the app: the one typed here is the heatmap panel's and the scan's too ("yours", with a way back).
    await expect(page.getByTestId('threshold-reset')).toBeAttached();

    await page.getByTestId('check-clear').click();
    await expect(page.locator('[data-testid=check-result]')).toHaveCount(0);
  });

  test('real drag and drop: several files are checked and the open slide stays; a lone tile asks first', async ({ page }) => {
    await gotoApp(page);
    const slideName = await page.getByTestId('status-name').textContent();
    expect(slideName).toBeTruthy();
    await expect(page.getByTestId('quick-check')).toHaveCount(0);

    const files = [
      ...REAL.map((f) => ({ name: f, path: shared('focus/real', f), type: 'image/png' })),
      { name: basename(bad.text), path: bad.text, type: 'text/plain' },
      { name: basename(bad.tiny), path: bad.tiny, type: 'image/png' },
    ];
    // Dropped on the viewer with a slide open: several files go to the quick check, which opens by itself.
    await dropFiles(page, '[data-testid=viewer]', files);
    await expect(page.getByTestId('quick-check')).toBeVisible();
    await expectBatch(page, 'drag and drop');
    await expect(page.getByTestId('status-name')).toHaveText(slideName!);

    // A lone PNG dropped on the viewer while a slide is open: the app asks; "check" adds it to the batch.
    await page.getByTestId('check-close').click();
    await dropFiles(page, '[data-testid=viewer]', [files[2]!]);
    await expect(page.getByTestId('drop-prompt')).toBeVisible();
    await expect(page.getByTestId('drop-check')).toHaveText('Check 1 file for focus');
    await page.getByTestId('drop-check').click();
    await expect(page.getByTestId('drop-prompt')).toHaveCount(0);
    await expect(page.getByTestId('quick-check')).toHaveAttribute('data-finished', '7', { timeout: 60_000 });
    const again = (await rows(page)).filter((r) => r.file === 'tcga-in-focus.png');
    expect(again).toHaveLength(2);
    expect(again[0]!.score).toBe(again[1]!.score);
    await expect(page.getByTestId('status-name')).toHaveText(slideName!);

    // Dropped onto the open panel itself, files are checked directly.
    await dropFiles(page, '[data-testid=quick-check]', [files[0]!]);
    await expect(page.getByTestId('quick-check')).toHaveAttribute('data-finished', '8', { timeout: 60_000 });

    // Cancel leaves everything as it was; "open as slide" replaces the slide only when asked to.
    await page.getByTestId('check-close').click();
    await dropFiles(page, '[data-testid=viewer]', [files[1]!]);
    await page.getByTestId('drop-cancel').click();
    await expect(page.getByTestId('drop-prompt')).toHaveCount(0);
    await expect(page.getByTestId('status-name')).toHaveText(slideName!);
    await dropFiles(page, '[data-testid=viewer]', [files[1]!]);
    await page.getByTestId('drop-open-slide').click();
    await expect(page.getByTestId('status-name')).toHaveText('fqpath-out-of-focus.png', { timeout: 60_000 });
  });

  test('blank glass and a binary mask are "no tissue"; the large view steps through the rows with ← → and its buttons', async ({ page }) => {
    // Blank glass: bright, grey, a little noise. A binary mask: black and white squares.
    const size = 512;
    const glass = Buffer.alloc(size * size * 3);
    const mask = Buffer.alloc(size * size * 3);
    for (let i = 0; i < size * size; i++) {
      const [x, y] = [i % size, Math.floor(i / size)];
      glass.set([236 + ((x * 7 + y * 13) % 6), 237, 234], i * 3);
      mask.fill(((x >> 6) + (y >> 6)) % 2 ? 255 : 0, i * 3, i * 3 + 3);
    }
    const files = { glass: resolve(dir, 'blank-glass.png'), mask: resolve(dir, 'binary-mask.png') };
    await sharp(glass, { raw: { width: size, height: size, channels: 3 } }).png().toFile(files.glass);
    await sharp(mask, { raw: { width: size, height: size, channels: 3 } }).png().toFile(files.mask);

    await gotoApp(page);
    const panel = await openPanel(page);
    const order = ['blank-glass.png', 'fqpath-in-focus.png', 'binary-mask.png', 'tcga-out-of-focus.png'];
    await page.setInputFiles('[data-testid=check-files]', [files.glass, shared('focus/real', order[1]!), files.mask, shared('focus/real', order[3]!)]);
    await expect(panel).toHaveAttribute('data-finished', '4', { timeout: 90_000 });
    const byFile = new Map((await rows(page)).map((r) => [r.file, r]));
    expect(byFile.get('blank-glass.png')!.verdict).toBe('no-tissue');
    expect(byFile.get('binary-mask.png')!.verdict).toBe('no-tissue');
    expect(byFile.get('blank-glass.png')!.text).toContain('no tissue');
    expect(byFile.get('fqpath-in-focus.png')!.verdict).toBe('in-focus');
    expect(byFile.get('tcga-out-of-focus.png')!.verdict).toBe('out-of-focus');
    // Still scored (the same number as the CLI), just not judged; counted and filtered apart.
    expect(Number.isFinite(Number(byFile.get('blank-glass.png')!.score))).toBe(true);
    await expect(page.getByTestId('check-progress-text')).toContainText('1 out of focus · 1 in focus · 2 no tissue');
    await page.getByTestId('check-filter').selectOption('no-tissue');
    expect((await rows(page)).map((r) => r.file).sort()).toEqual(['binary-mask.png', 'blank-glass.png']);
    await page.getByTestId('check-filter').selectOption('out-of-focus');
    expect((await rows(page)).map((r) => r.file)).toEqual(['tcga-out-of-focus.png']);
    await page.getByTestId('check-filter').selectOption('all');

    // The large view: previous / next in the list's order, by key and by button; Escape closes it.
    const view = page.getByTestId('check-view');
    const title = view.locator('h2');
    await page.locator('[data-testid=check-result][data-file="blank-glass.png"]').click();
    await expect(title).toHaveText(order[0]!);
    await expect(page.getByTestId('check-view-position')).toHaveText('1 of 4');
    await expect(page.getByTestId('check-view-prev')).toBeDisabled();
    await page.keyboard.press('ArrowRight');
    await expect(title).toHaveText(order[1]!);
    await page.getByTestId('check-view-next').click();
    await expect(title).toHaveText(order[2]!);
    await page.keyboard.press('ArrowRight');
    await expect(title).toHaveText(order[3]!);
    await expect(page.getByTestId('check-view-position')).toHaveText('4 of 4');
    await expect(page.getByTestId('check-view-next')).toBeDisabled();
    await page.keyboard.press('ArrowRight'); // at the end: stays
    await expect(title).toHaveText(order[3]!);
    await page.keyboard.press('ArrowLeft');
    await expect(title).toHaveText(order[2]!);
    await page.getByTestId('check-view-prev').click();
    await expect(title).toHaveText(order[1]!);
    // The hover readout works on the file shown now.
    const box = (await page.getByTestId('check-view-image').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.getByTestId('check-hover')).toContainText('patch row');
    // In the order shown: sorted by name, the next after binary-mask.png is blank-glass.png.
    await page.keyboard.press('Escape');
    await expect(view).toBeHidden();
    await page.getByTestId('check-sort').selectOption('name:asc');
    await page.locator('[data-testid=check-result][data-file="binary-mask.png"]').click();
    await expect(page.getByTestId('check-view-position')).toHaveText('1 of 4');
    await page.keyboard.press('ArrowRight');
    await expect(title).toHaveText('blank-glass.png');
    await page.keyboard.press('Escape');
    await expect(view).toBeHidden();
  });

  test('JPEG (also EXIF-rotated) and TIFF tiles (stripped LZW, tiled JPEG) score as the CLI scores them', async ({ page }) => {
    const files = [
      { path: resolve(dir, 'fqpath.jpg'), make: (s: Sharp) => s.jpeg({ quality: 92 }) },
      { path: resolve(dir, 'tcga-lzw.tif'), make: (s: Sharp) => s.tiff({ compression: 'lzw' }) },
      { path: resolve(dir, 'tcga-tiled-jpeg.tif'), make: (s: Sharp) => s.tiff({ compression: 'jpeg', quality: 90, tile: true, tileWidth: 256, tileHeight: 256 }) },
      // Browsers rotate by EXIF orientation, the CLI does not: the app must score the stored pixel grid (1024×600).
      { path: resolve(dir, 'rotated-exif.jpg'), make: (s: Sharp) => s.extract({ left: 0, top: 0, width: 1024, height: 600 }).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }) },
    ];
    const sources = ['fqpath-out-of-focus.png', 'tcga-out-of-focus.png', 'tcga-in-focus.png', 'fqpath-in-focus.png'].map((f) => shared('focus/real', f));
    await Promise.all(files.map((f, i) => f.make(sharp(sources[i]!)).toFile(f.path)));
    await gotoApp(page);
    await openPanel(page);
    await page.setInputFiles('[data-testid=check-files]', files.map((f) => f.path));
    await expect(page.getByTestId('quick-check')).toHaveAttribute('data-finished', '4', { timeout: 60_000 });
    const got = new Map((await rows(page)).map((r) => [r.file, r]));
    expect(got.get('rotated-exif.jpg')!.text).toContain('1024×600');
    const out = execFileSync('node', [resolve(ROOT, 'bin/focuslite.mjs'), 'score', ...files.map((f) => f.path), '--json', '--model', await modelFileOf(page)], { encoding: 'utf8' });
    const cli = (JSON.parse(out) as { results: CliResult[] }).results;
    let maxDiff = 0;
    for (const c of cli) {
      const row = got.get(basename(c.file))!;
      expect(row.verdict).toMatch(/^(in-focus|out-of-focus)$/);
      maxDiff = Math.max(maxDiff, Math.abs(Number(row.score) - c.score));
    }
    console.log(`quick check, JPEG/TIFF tiles: ${cli.map((c) => `${basename(c.file)} ${c.score.toFixed(6)}`).join(', ')}; max |browser − CLI| ${maxDiff.toExponential(2)}`);
    expect(cli).toHaveLength(4);
    expect(maxDiff).toBeLessThanOrEqual(TOL);
  });
});
