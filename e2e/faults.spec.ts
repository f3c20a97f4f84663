import { expect, test } from '@playwright/test';
import { expectReady, gotoApp } from './helpers.ts';

test('a model that fails to load gives a clear message and the viewer keeps working without the heatmap', async ({ page }) => {
  await page.route((url) => url.pathname.endsWith('.onnx'), (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('this is not an ONNX model') }));
  await gotoApp(page);
  await page.getByTestId('heatmap-toggle').click();
  const alert = page.getByRole('alert').filter({ hasText: 'Heatmap unavailable' });
  await expect(alert).toContainText(/model .*failed to load/);
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-heatmap', 'done');
  expect(Number(await page.getByTestId('viewer').getAttribute('data-scored-cells'))).toBe(0);
  // The viewer still pans, zooms and loads tiles.
  await page.evaluate(() => window.focuslite!.showRegion(1000, 1000, 800, 600));
  const pixels = await page.evaluate(() => window.focuslite!.renderRegion(1000, 1000, 64, 64));
  expect(pixels.width).toBe(64);
  await expectReady(page);
});
