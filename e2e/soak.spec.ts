import { expect, test } from '@playwright/test';
import { expectReady, gotoApp } from './helpers.ts';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 150);

test('memory levels off while panning and zooming at random with the heatmap on', async ({ page }) => {
  test.setTimeout((SOAK_SECONDS + 120) * 1000);
  await gotoApp(page);
  await expectReady(page);
  await page.getByTestId('heatmap-toggle').click();
  const size = await page.evaluate(() => document.querySelector('[data-testid=status-size]')!.textContent!.replace(/[, px]/g, '').split('×').map(Number));
  const [W, H] = size as [number, number];

  /** Memory of the page and its workers (cross-origin isolated pages may measure it), in MB. */
  const measure = () =>
    page.evaluate(async () => {
      const m = await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory();
      return m.bytes / 2 ** 20;
    });

  // A fixed pseudo-random walk, so runs are comparable.
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const samples: { t: number; mb: number }[] = [];
  const start = Date.now();
  let moves = 0;
  while (Date.now() - start < SOAK_SECONDS * 1000) {
    const w = 300 + random() * (W - 300);
    const h = (w * 3) / 4;
    await page.evaluate(([x, y, w, h]) => window.focuslite!.showRegion(x!, y!, w!, h!), [random() * (W - w), random() * (H - h), w, h]);
    moves++;
    await page.waitForTimeout(150 + random() * 350);
    if (moves % 25 === 0) samples.push({ t: (Date.now() - start) / 1000, mb: await measure() });
  }
  samples.push({ t: (Date.now() - start) / 1000, mb: await measure() });
  console.log(`soak: ${moves} random views in ${SOAK_SECONDS} s; page+workers memory (MB) over time: ${samples.map((s) => `${s.t.toFixed(0)}s ${s.mb.toFixed(0)}`).join(', ')}`);
  expect(samples.length).toBeGreaterThanOrEqual(4);
  // Levelling off: the second half never exceeds the first half's peak by more than 25 %.
  const half = Math.floor(samples.length / 2);
  const firstPeak = Math.max(...samples.slice(0, half).map((s) => s.mb));
  const secondPeak = Math.max(...samples.slice(half).map((s) => s.mb));
  expect(secondPeak).toBeLessThan(firstPeak * 1.25);
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', 'ready');
});
