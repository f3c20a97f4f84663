import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { openSlideFile } from '../src/slide/node.ts';
import { DEFAULT_MODEL_NAME } from '../src/focus/model-card.ts';

// ../shared by the same rule as the unit tests (and FOCUSLITE_REQUIRE_SHARED=1 makes its absence fail the run).
export { hasShared, SHARED_DIR as SHARED, sharedPath as shared, SKIP_SHARED_MESSAGE as SKIP_SHARED } from '../test-support/shared.ts';

export async function openFile(page: Page, path: string): Promise<void> {
  await page.setInputFiles('[data-testid=open-file]', path);
}

export async function expectReady(page: Page, timeout = 60_000): Promise<void> {
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', 'ready', { timeout });
}

export async function gotoApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  // The app opens the demo slide at start; wait for it so later opens are not racing it.
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', /ready|error/, { timeout: 60_000 });
}

/** Level-0 pixels as the viewer's workers decode them. */
export async function renderRegion(page: Page, x: number, y: number, width: number, height: number): Promise<Uint8ClampedArray> {
  const result = await page.evaluate(([x, y, w, h]) => window.focuslite!.renderRegion(x!, y!, w!, h!), [x, y, width, height]);
  return new Uint8ClampedArray(Buffer.from(result.rgbaBase64, 'base64'));
}

/** The model the app picks by default (DEFAULT_MODEL_NAME; else the first of models/), for CLI comparisons. */
export function defaultModelFile(): string {
  const dir = resolve(import.meta.dirname, '../models');
  const names = readdirSync(dir).filter((n) => n.endsWith('.onnx'));
  const name = names.includes(`${DEFAULT_MODEL_NAME}.onnx`) ? `${DEFAULT_MODEL_NAME}.onnx` : names.sort()[0]!;
  return resolve(dir, name);
}

/** Level-0 pixels of a slide file decoded in Node (libjpeg-turbo via sharp, OpenJPEG), independently of the browser. */
export async function nodeRegion(path: string, x: number, y: number, width: number, height: number): Promise<Uint8ClampedArray> {
  const slide = await openSlideFile(path);
  try {
    return (await slide.readRegion(0, x, y, width, height)).data;
  } finally {
    slide.close();
  }
}

/** Bytes that differ between the viewer's pixels of a level-0 region and the Node reader's of `reference` (a file). */
export async function differingFrom(page: Page, reference: string, x: number, y: number, width: number, height: number): Promise<number> {
  const [browser, node] = [await renderRegion(page, x, y, width, height), await nodeRegion(reference, x, y, width, height)];
  let n = 0;
  for (let i = 0; i < browser.length; i++) if (browser[i] !== node[i]) n++;
  return n;
}

/** Scans the open slide in the app and expects the CLI's scores for `file` (same pixels: 0 difference); returns the app's report. */
export async function expectScanLikeCli(page: Page, file: string): Promise<{ slide: { format: string } }> {
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-progress')).toHaveAttribute('data-running', 'false', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const report = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { slide: { format: string }; patches: { x: number; y: number; score: number | null }[] };
  const cli = spawnSync('node', [resolve(import.meta.dirname, '../bin/focuslite.mjs'), 'scan', file, '--json', '--model', defaultModelFile()], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(cli.status, cli.stderr).toBe(0);
  const expected = JSON.parse(cli.stdout) as typeof report;
  expect(report.patches.map((p) => [p.x, p.y, p.score])).toEqual(expected.patches.map((p) => [p.x, p.y, p.score]));
  return report;
}

/**
 * Drops files or folders from disk on the viewer as the operating system would (Chromium's own drag and drop, through
 * the DevTools protocol): a folder arrives as a directory entry, as when dragged from a file manager.
 */
export async function dropPaths(page: Page, paths: string[]): Promise<void> {
  const box = await page.getByTestId('viewer').boundingBox();
  if (!box) throw new Error('no viewer to drop on');
  const cdp = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}
