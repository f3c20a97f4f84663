// Calibration profiles in the app: mark quick-check rows or areas of the open slide as in focus / out of focus, fit a
// profile, see every verdict follow it, export it, refuse a bad import or examples that do not separate, go back to
// the model card.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectReady, gotoApp, hasShared, openFile, shared, SKIP_SHARED } from './helpers.ts';

const REAL = ['fqpath-in-focus.png', 'fqpath-out-of-focus.png', 'tcga-in-focus.png', 'tcga-out-of-focus.png'];
const labelOf = (file: string) => (file.includes('out-of-focus') ? 'out-of-focus' : 'in-focus');
const NAME = 'Scanner 2 · H&E';

const row = (page: Page, file: string) => page.locator(`[data-testid=check-result][data-file="${file}"]`);

async function verdicts(page: Page): Promise<Map<string, string>> {
  const got = await page.$$eval('[data-testid=check-result]', (els) => els.map((el) => [el.getAttribute('data-file') ?? '', el.getAttribute('data-verdict') ?? ''] as const));
  return new Map(got);
}

test.describe('calibration profiles', () => {
  test.skip(!hasShared, SKIP_SHARED);
  let dir = '';
  test.beforeAll(() => {
    dir = mkdtempSync(resolve(tmpdir(), 'focuslite-calibration-'));
  });
  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('fit from marked quick-check rows, export, refuse a bad import, back to the model card', async ({ page }) => {
    await gotoApp(page);
    await page.getByTestId('quick-check-toggle').click();
    const panel = page.getByTestId('quick-check');
    await page.setInputFiles('[data-testid=check-files]', REAL.map((f) => shared('focus/real', f)));
    await expect(panel).toHaveAttribute('data-finished', '4', { timeout: 90_000 });
    await expect(panel).toHaveAttribute('data-threshold-source', 'card');
    const cardThreshold = Number(await panel.getAttribute('data-threshold'));
    const select = page.getByTestId('profile-select');
    await expect(select).toHaveValue('');

    // Too few examples: refused, saying why; nothing is saved.
    await row(page, 'fqpath-in-focus.png').getByTestId('mark-in-focus').click();
    await row(page, 'fqpath-out-of-focus.png').getByTestId('mark-out-of-focus').click();
    await page.getByTestId('profile-name').fill(NAME);
    await page.getByTestId('profile-fit').click();
    await expect(page.getByRole('alert').filter({ hasText: 'No profile fitted' })).toContainText('mark at least 2 in-focus and 2 out-of-focus examples');
    await expect(panel).toHaveAttribute('data-threshold-source', 'card');

    // Two of each: fitted, saved, active, and the verdicts follow it at once.
    await row(page, 'tcga-in-focus.png').getByTestId('mark-in-focus').click();
    await row(page, 'tcga-out-of-focus.png').getByTestId('mark-out-of-focus').click();
    await expect(row(page, 'tcga-out-of-focus.png')).toHaveAttribute('data-mark', 'out-of-focus');
    await expect(page.getByTestId('profile-examples')).toHaveText('Examples marked: 2 sharp, 2 blurred');
    await page.getByTestId('profile-fit').click();
    await expect(page.getByTestId('profile-fit-message')).toContainText(`“${NAME}” saved and in use`);
    await expect(select).toHaveValue(NAME);
    await expect(panel).toHaveAttribute('data-threshold-source', 'profile');
    await expect(page.getByTestId('check-threshold-note')).toContainText(NAME);
    const profileThreshold = Number(await panel.getAttribute('data-threshold'));
    expect(profileThreshold).not.toBe(cardThreshold);
    const byFile = await verdicts(page);
    for (const file of REAL) expect(byFile.get(file), file).toBe(labelOf(file));
    // The fitted point lies between the marked grades.
    const grades = new Map(await page.$$eval('[data-testid=check-result]', (els) => els.map((el) => [el.getAttribute('data-file') ?? '', Number(el.getAttribute('data-grade'))] as const)));
    const sharpest = Math.max(grades.get('fqpath-in-focus.png')!, grades.get('tcga-in-focus.png')!);
    const blurriest = Math.min(grades.get('fqpath-out-of-focus.png')!, grades.get('tcga-out-of-focus.png')!);
    console.log(`calibration: card threshold ${cardThreshold}, profile threshold ${profileThreshold}; in-focus grades ≤ ${sharpest}, out-of-focus ≥ ${blurriest}`);

    // Export: the active profile as JSON, with its name and model.
    const download = page.waitForEvent('download');
    await page.getByTestId('profile-export').click();
    const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as Record<string, unknown>;
    expect(exported).toMatchObject({ format: 'focuslite-calibration/1', name: NAME, model: await panel.getAttribute('data-model-id'), examples: { inFocus: 2, outOfFocus: 2 } });
    const point = exported['outOfFocusFrom'] as number;
    expect(point).toBeGreaterThan(sharpest);
    expect(point).toBeLessThan(blurriest);

    // A bad import is refused with an alert, and the app keeps working with the profile in force.
    const notProfile = resolve(dir, 'not-a-profile.json');
    writeFileSync(notProfile, JSON.stringify({ hello: 'world' }));
    await page.setInputFiles('[data-testid=profile-import]', notProfile);
    await expect(page.getByTestId('profile-error')).toHaveAttribute('role', 'alert');
    await expect(page.getByTestId('profile-error')).toContainText('not a calibration profile');
    const otherModel = resolve(dir, 'other-model.json');
    writeFileSync(otherModel, JSON.stringify({ ...exported, model: 'some-other-model', name: 'Elsewhere' }));
    await page.setInputFiles('[data-testid=profile-import]', otherModel);
    await expect(page.getByTestId('profile-error')).toContainText('was fitted with some-other-model');
    await expect(select).toHaveValue(NAME);
    await expect(select.locator('option')).toHaveCount(2);

    // It survives a reload (localStorage).
    await page.reload();
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', /ready|error/, { timeout: 60_000 });
    await page.getByTestId('quick-check-toggle').click();
    await expect(page.getByTestId('profile-select')).toHaveValue(NAME);

    // Back to the model card: the card's threshold again.
    await page.setInputFiles('[data-testid=check-files]', REAL.map((f) => shared('focus/real', f)));
    await expect(panel).toHaveAttribute('data-finished', '4', { timeout: 90_000 });
    await expect(panel).toHaveAttribute('data-threshold', String(profileThreshold));
    await page.getByTestId('profile-select').selectOption({ label: 'Model card' });
    await expect(panel).toHaveAttribute('data-threshold-source', 'card');
    await expect(panel).toHaveAttribute('data-threshold', String(cardThreshold));
  });

  test('fit from areas marked on the open slide; examples that do not separate are refused', async ({ page }) => {
    // The synthetic-blur slide: severe blur (σ 6 px) in x 1700–2600, y 2500–3200; untouched tissue left of it.
    await gotoApp(page);
    await openFile(page, shared('slides/derived/TCGA-CR-7395-synthetic-blur.tif'));
    await expectReady(page);
    await page.evaluate(() => window.focuslite!.showRegion(800, 2300, 2000, 1000));
    const sharpButton = page.getByTestId('mark-area-in-focus');
    const blurredButton = page.getByTestId('mark-area-out-of-focus');
    await expect(sharpButton).toBeDisabled(); // nothing scores the areas while the heatmap is off
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-heatmap', 'done', { timeout: 60_000 });

    const drag = async (x0: number, y0: number, x1: number, y1: number) => {
      const a = await page.evaluate(([x, y]) => window.focuslite!.screenPoint(x!, y!), [x0, y0]);
      const b = await page.evaluate(([x, y]) => window.focuslite!.screenPoint(x!, y!), [x1, y1]);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 8 });
      await page.mouse.up();
    };
    const anchor = () => page.evaluate(() => window.focuslite!.screenPoint(1000, 2500));

    // A drag while marking draws an area instead of panning.
    await sharpButton.click();
    await expect(sharpButton).toHaveAttribute('aria-pressed', 'true');
    const before = await anchor();
    await drag(1000, 2550, 1550, 3050);
    expect(await anchor()).toEqual(before);
    const items = page.getByTestId('area-item');
    await expect(items).toHaveCount(1);
    await expect(page.locator('[data-testid=marked-area][data-label=in-focus]')).toHaveCount(1);
    const sharpCells = Number(await items.first().getAttribute('data-cells'));
    expect(sharpCells).toBeGreaterThanOrEqual(9);

    // A second "sharp" area on the blur, called blurred: the examples overlap and no profile is fitted.
    await blurredButton.click();
    await drag(1150, 2600, 1450, 2950);
    await expect(items).toHaveCount(2);
    await page.getByTestId('profile-name').fill('Mixed up');
    await page.getByTestId('profile-fit').click();
    await expect(page.getByRole('alert').filter({ hasText: 'No profile fitted' })).toBeVisible();
    await expect(page.getByTestId('profile-select')).toHaveValue('');
    await items.nth(1).getByTestId('area-remove').click();
    await expect(items).toHaveCount(1);

    // The real blur, marked as blurred: fitted, saved, in use, outlines drawn from the fitted point.
    await drag(1850, 2600, 2450, 3100);
    await expect(items).toHaveCount(2);
    await page.keyboard.press('Escape');
    await expect(blurredButton).toHaveAttribute('aria-pressed', 'false');
    const blurredCells = Number(await items.nth(1).getAttribute('data-cells'));
    expect(blurredCells).toBeGreaterThanOrEqual(9);
    await expect(page.getByTestId('profile-examples')).toHaveText(`Examples marked: ${sharpCells} sharp, ${blurredCells} blurred cells in 2 areas`);
    await page.getByTestId('profile-name').fill('Scanner 1 · slide marks');
    await page.getByTestId('profile-fit').click();
    await expect(page.getByTestId('profile-fit-message')).toContainText('“Scanner 1 · slide marks” saved and in use');
    await expect(page.getByTestId('profile-select')).toHaveValue('Scanner 1 · slide marks');
    await expect(page.getByTestId('outline-toggle')).toBeChecked();

    const download = page.waitForEvent('download');
    await page.getByTestId('profile-export').click();
    const profile = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { outOfFocusFrom: number; examples: { inFocus: number; outOfFocus: number }; scale: string };
    expect(profile.examples).toEqual({ inFocus: sharpCells, outOfFocus: blurredCells });
    expect(profile.scale).toBe('defocus grade');
    expect(Number(await page.getByTestId('threshold').inputValue())).toBeCloseTo(profile.outOfFocusFrom, 1);
    console.log(`slide marks: ${sharpCells} sharp and ${blurredCells} blurred cells; out of focus from grade ${profile.outOfFocusFrom.toFixed(2)}`);

    // Another slide starts with no areas.
    await openFile(page, shared('slides/CMU-1-Small-Region.svs'));
    await expectReady(page);
    await expect(items).toHaveCount(0);
    await expect(page.locator('[data-testid=marked-area]')).toHaveCount(0);
  });
});
