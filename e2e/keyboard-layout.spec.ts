// Global keyboard shortcuts (the viewer's keys without clicking the slide first, H and O, never while typing), the
// Keys list (Escape and a click elsewhere close it; it leaves the side panel uncovered), and the side panel's layout:
// everything in it reachable at 1280×720, wider on a 2560 px screen.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { expectReady, gotoApp } from './helpers.ts';

/** The demo slide's level-0 size, from the description `npm run build` writes beside it. */
const DEMO = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../public/demo/demo-slide.tif.regions.json'), 'utf8')) as { levels: { width: number; height: number }[] }).levels[0]!;

const viewRect = (page: Page) => page.evaluate(() => window.focuslite!.viewRect());
const imageZoom = (page: Page) => page.evaluate(() => window.focuslite!.imageZoom());

/** The view (where it is going) holds the whole slide: the home view, or further out. */
async function wholeSlide(page: Page): Promise<boolean> {
  const r = await viewRect(page);
  return r.x <= 1 && r.y <= 1 && r.x + r.width >= DEMO.width - 1 && r.y + r.height >= DEMO.height - 1;
}

/** The view once OpenSeadragon has stopped moving (two reads in a row agree). */
async function settledZoom(page: Page): Promise<number> {
  let last = Number.NaN;
  await expect
    .poll(async () => {
      const now = await imageZoom(page);
      const same = Math.abs(now - last) < 1e-9;
      last = now;
      return same;
    })
    .toBe(true);
  return last;
}

async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.y + box.height <= size.height && box.x >= 0 && box.x + box.width <= size.width;
}

test.describe('keyboard', () => {
  test('viewer keys work from anywhere but a text field, without clicking the slide; H and O', async ({ page }) => {
    await gotoApp(page);
    await expectReady(page);
    // Nothing has been clicked: the focus is on the page itself.
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    expect(await wholeSlide(page)).toBe(true);
    const home = await settledZoom(page);
    const start = await viewRect(page);
    await expect(page.locator('.viewer .navigator')).toBeHidden(); // nothing to navigate: the whole slide is in view

    await page.keyboard.press('Equal');
    await expect.poll(() => imageZoom(page)).toBeGreaterThan(home * 1.01);
    await expect(page.locator('.viewer .navigator')).toBeVisible();
    await page.keyboard.down('ArrowRight');
    await expect.poll(async () => (await viewRect(page)).x).toBeGreaterThan(start.x + 50);
    await page.keyboard.up('ArrowRight');
    await settledZoom(page);
    expect(await wholeSlide(page)).toBe(false);
    await page.keyboard.press('Digit0');
    await expect.poll(() => wholeSlide(page)).toBe(true);

    // After a click on a toolbar or panel button the keys still reach the slide.
    await page.getByTestId('keys-toggle').click();
    await page.getByTestId('keys-toggle').click();
    await expect(page.getByTestId('keys-toggle')).toBeFocused();
    await page.keyboard.press('NumpadAdd');
    await expect.poll(() => imageZoom(page)).toBeGreaterThan(home * 1.01);
    await settledZoom(page); // a short press still zooms for a few frames (OpenSeadragon's minimum step)
    expect(await wholeSlide(page)).toBe(false);
    await page.keyboard.press('Digit0');
    await expect.poll(() => wholeSlide(page)).toBe(true);

    // H and O, but not while typing: an "h" and an "o" typed into the URL box stay there. (Were they taken as
    // shortcuts, the heatmap would end up off after the H below, and a second file chooser would be counted.)
    let choosers = 0;
    page.on('filechooser', () => choosers++);
    const toggle = page.getByTestId('heatmap-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    const url = page.getByTestId('open-url');
    await url.click();
    await page.keyboard.type('ho');
    await expect(url).toHaveValue('ho');
    await url.blur();
    await page.keyboard.press('h');
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('o');
    expect((await chooser).isMultiple()).toBe(true); // the slide picker (several files make a DICOM series)
    expect(choosers).toBe(1);
    await page.keyboard.press('h');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  });

  test('the Keys list closes on Escape and on a click elsewhere, and leaves the side panel uncovered', async ({ page }) => {
    await gotoApp(page);
    const button = page.getByTestId('keys-toggle');
    const list = page.getByTestId('keys-popover');
    await button.click();
    await expect(list).toBeVisible();
    await expect(button).toHaveAttribute('aria-expanded', 'true');
    await expect(list).toContainText('open a slide');
    const listBox = (await list.boundingBox())!;
    const panelBox = (await page.getByRole('complementary', { name: 'Focus heatmap' }).boundingBox())!;
    expect(listBox.x + listBox.width).toBeLessThanOrEqual(panelBox.x);
    // The panel's controls stay usable while the list is shown.
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('heatmap-toggle')).toHaveAttribute('aria-pressed', 'true');
    await expect(list).toBeHidden();

    await button.click();
    await expect(list).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(list).toBeHidden();
    await expect(button).toBeFocused();
    await expect(button).toHaveAttribute('aria-expanded', 'false');

    await button.click();
    await expect(list).toBeVisible();
    const viewer = (await page.getByTestId('viewer').boundingBox())!;
    await page.mouse.click(viewer.x + 40, viewer.y + viewer.height - 40);
    await expect(list).toBeHidden();
  });
});

test.describe('side panel layout', () => {
  test('at 1280×720 every control of the side panel can be scrolled into view, after a scan too', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await gotoApp(page);
    await expectReady(page);
    await page.getByTestId('heatmap-toggle').click();
    await page.getByTestId('scan-start').click();
    await expect(page.getByTestId('scan-progress')).toHaveAttribute('data-running', 'false', { timeout: 240_000 });
    await expect(page.getByTestId('qc-verdict')).toBeVisible();
    const panel = page.getByRole('complementary', { name: 'Focus heatmap' });
    const panelBox = (await panel.boundingBox())!;
    expect(panelBox.width).toBe(260);
    // Its sections one below the other, none squeezed into the next.
    const sections = await panel.evaluate((el) => [...el.children].map((c) => c.getBoundingClientRect()).filter((r) => r.height > 0).map((r) => [r.top, r.bottom]));
    for (let i = 1; i < sections.length; i++) expect(sections[i]![0], `section ${i} starts below section ${i - 1}`).toBeGreaterThanOrEqual(sections[i - 1]![1]! - 0.5);
    const controls = panel.locator('button:visible, select:visible, input:visible');
    const n = await controls.count();
    expect(n).toBeGreaterThan(10);
    for (let i = 0; i < n; i++) {
      const control = controls.nth(i);
      await control.scrollIntoViewIfNeeded();
      expect(await inViewport(page, control), `control ${i} (${await control.evaluate((el) => el.outerHTML.slice(0, 120))}) reachable`).toBe(true);
    }
    // The exports specifically (the issue found them below the fold).
    for (const id of ['export-png', 'export-json', 'export-geojson', 'export-csv']) {
      await page.getByTestId(id).scrollIntoViewIfNeeded();
      expect(await inViewport(page, page.getByTestId(id)), `${id} reachable`).toBe(true);
    }
  });

  test('on a 2560×1440 screen the panel is wider, quick-check thumbnails larger, scores beside the file names', async ({ page }) => {
    await page.setViewportSize({ width: 2560, height: 1440 });
    await gotoApp(page);
    const box = (await page.getByRole('complementary', { name: 'Focus heatmap' }).boundingBox())!;
    expect(box.width).toBe(420); // clamp(260px, 18vw, 420px)

    // Two generated tiles in the quick check (pink and purple stripes: tissue to the tissue rule).
    const tile = async (name: string, period: number) => {
      const raw = Buffer.alloc(300 * 300 * 3);
      for (let i = 0; i < 300 * 300; i++) raw.set((i % 300) % period < period / 2 ? [205, 120, 170] : [110, 60, 150], i * 3);
      return { name, mimeType: 'image/png', buffer: await sharp(raw, { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer() };
    };
    await page.getByTestId('quick-check-toggle').click();
    await page.setInputFiles('[data-testid=check-files]', [await tile('stripes-4.png', 4), await tile('stripes-12.png', 12)]);
    await expect(page.getByTestId('quick-check')).toHaveAttribute('data-finished', '2', { timeout: 60_000 });
    const row = page.locator('[data-testid=check-result]').first();
    const thumb = (await row.locator('.check-thumb').first().boundingBox())!;
    expect(thumb.width).toBe(128); // clamp(64px, 5vw, 128px)
    const name = (await row.locator('.check-name').boundingBox())!;
    const score = (await row.locator('.check-score').boundingBox())!;
    expect(score.x - (name.x + name.width)).toBeLessThan(40);
    expect(score.x - name.x).toBeLessThanOrEqual(44 * 14 + 12); // the name column stops at 44rem
  });
});
