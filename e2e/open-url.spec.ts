import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { expectReady } from './helpers.ts';

test('the app opens on the built-in demo slide, read from its URL with range requests', async ({ page }) => {
  const ranges: string[] = [];
  page.on('request', (r) => {
    const range = r.headers()['range'];
    if (r.url().includes('/demo/demo-slide.tif') && range) ranges.push(range);
  });
  await page.goto('/');
  await expectReady(page);
  await expect(page.getByTestId('status-name')).toHaveText('demo-slide.tif');
  expect(Number(await page.getByTestId('status-levels').getAttribute('data-levels'))).toBeGreaterThan(1);
  await expect(page.getByTestId('scale-bar')).toBeVisible();
  expect(ranges.length).toBeGreaterThan(0);
});

test('?slide= and the URL box open slides by URL; a bad URL gets an alert', async ({ page }) => {
  await page.goto('/?slide=/demo/demo-slide.tif');
  await expectReady(page);
  await page.getByTestId('open-url').fill('/demo/missing-slide.svs');
  await page.getByRole('button', { name: 'Open URL' }).click();
  await expect(page.getByRole('alert')).toContainText(/missing-slide\.svs.*(HTTP 404|not a slide)/);
});

test('Deep Zoom (.dzi) URLs open through OpenSeadragon\'s own tile source', async ({ page }) => {
  // A 600×400 DZI served by the test itself on the app's origin: levels 0..10, 256-px tiles.
  const [W, H, T] = [600, 400, 256];
  await page.route((url) => url.pathname === '/e2e-dzi/slide.dzi', (route) =>
    route.fulfill({
      contentType: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="png" Overlap="0" TileSize="${T}"><Size Width="${W}" Height="${H}"/></Image>`,
    }),
  );
  await page.route((url) => url.pathname.startsWith('/e2e-dzi/slide_files/'), async (route) => {
    const [level, tile] = route.request().url().split('/').slice(-2);
    const [x, y] = tile!.replace('.png', '').split('_').map(Number);
    const scale = 2 ** (Number(level) - 10);
    const w = Math.max(1, Math.min(T, Math.ceil(W * scale) - x! * T));
    const h = Math.max(1, Math.min(T, Math.ceil(H * scale) - y! * T));
    const body = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 220, g: 120, b: 170 } } }).png().toBuffer();
    await route.fulfill({ contentType: 'image/png', body });
  });
  await page.goto('/?slide=/e2e-dzi/slide.dzi');
  await expectReady(page);
  await expect(page.getByTestId('status-size')).toContainText('600 × 400');
});
