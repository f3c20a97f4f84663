// Calibration profiles in the app: mark quick-check rows as in focus / out of focus, fit a profile, see every verdict
// follow it, export it, refuse a bad import, go back to the model card.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { gotoApp, hasShared, shared, SKIP_SHARED } from './helpers.ts';

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
});
