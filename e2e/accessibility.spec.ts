// axe-core on the main page in its busiest state: the demo slide open with its heatmap, a whole-slide scan finished,
// the Keys list open, then the quick check with results and its large view. No serious or critical violation may be
// left; the rest are printed.
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { expectReady, gotoApp, hasShared, shared, SKIP_SHARED } from './helpers.ts';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// The app's Content-Security-Policy allows no inline script, and addScriptTag injects axe inline: this test's
// context bypasses the policy (the privacy test checks the policy itself).
test.use({ bypassCSP: true });

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

async function axe(page: Page, state: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  for (const v of violations) {
    console.log(`axe (${state}): ${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  return violations;
}

const serious = (violations: AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

test.describe('accessibility (axe-core)', () => {
  test('no serious or critical violations: slide, heatmap, scan, Keys list, quick check and its large view', async ({ page }) => {
    await gotoApp(page);
    await expectReady(page);
    const viewer = page.getByTestId('viewer');
    await page.getByTestId('heatmap-toggle').click();
    await expect(viewer).toHaveAttribute('data-heatmap', 'done', { timeout: 90_000 });
    await page.getByTestId('scan-start').click();
    await expect(page.getByTestId('scan-progress')).toHaveAttribute('data-running', 'false', { timeout: 240_000 });
    await expect(page.getByTestId('qc-verdict')).toBeVisible();
    await page.getByTestId('keys-toggle').click();
    await expect(page.getByTestId('keys-popover')).toBeVisible();
    expect(serious(await axe(page, 'slide, heatmap, scan, Keys list'))).toEqual([]);

    // The quick check over the stage, with scored rows when the real patches are at hand.
    await page.keyboard.press('Escape');
    await page.getByTestId('quick-check-toggle').click();
    const panel = page.getByTestId('quick-check');
    await expect(panel).toBeVisible();
    if (hasShared) {
      await page.setInputFiles('[data-testid=check-files]', [shared('focus/real/fqpath-in-focus.png'), shared('focus/real/tcga-out-of-focus.png')]);
      await expect(panel).toHaveAttribute('data-finished', '2', { timeout: 90_000 });
    } else {
      console.log(`quick check checked without rows: ${SKIP_SHARED}`);
    }
    expect(serious(await axe(page, 'quick check'))).toEqual([]);
    if (hasShared) {
      await page.locator('[data-testid=check-result]').first().click();
      await expect(page.getByTestId('check-view')).toBeVisible();
      expect(serious(await axe(page, 'large view'))).toEqual([]);
    }
  });
});
