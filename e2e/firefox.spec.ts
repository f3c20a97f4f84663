// Smoke test in Firefox (Debian's firefox-esr), driven over WebDriver BiDi by puppeteer-core: the app opens the demo
// slide, shows its heatmap, opens a real SVS from a file and scans it — once as Firefox comes (ESR 153 has WebCodecs'
// ImageDecoder), once with WebCodecs switched off by preference, as in older Firefox and other browsers without it:
// JPEG tiles then decode through createImageBitmap (slide/browser/codecs.ts). Either way the decoded pixels must be
// the Node reader's (libjpeg-turbo) exactly. Only Playwright's runner and web server are used, not its browsers.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import puppeteer, { type Page } from 'puppeteer-core';
import { hasShared, nodeRegion, shared, SKIP_SHARED } from './helpers.ts';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? 4317}`;
// CI (FOCUSLITE_REQUIRE_SHARED=1, .ci/run) installs firefox-esr: there a missing browser fails the run.
const REQUIRED = process.env.FOCUSLITE_REQUIRE_SHARED === '1';
const MISSING = `Firefox not found at ${FIREFOX} (apt-get install firefox-esr, or FIREFOX_PATH=…)`;

async function waitFor(page: Page, selector: string, timeout: number): Promise<void> {
  await page.waitForSelector(selector, { timeout });
}

test.describe('Firefox', () => {
  test.skip(!REQUIRED && !existsSync(FIREFOX), `${MISSING}: the Firefox smoke test is skipped`);

  for (const webCodecs of [true, false]) {
    test(`opens a slide, shows the heatmap and scans (WebCodecs ${webCodecs ? 'on' : 'off'})`, async () => {
      expect(existsSync(FIREFOX), MISSING).toBe(true);
      test.setTimeout(360_000);
      const extraPrefsFirefox = webCodecs ? {} : { 'dom.media.webcodecs.enabled': false, 'dom.media.webcodecs.image-decoder.enabled': false };
      const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox });
      const errors: string[] = [];
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 800 });
        page.on('pageerror', (err) => errors.push(String(err)));
        page.on('console', (message) => {
          if (message.type() === 'error') console.log(`firefox console: ${message.text()}`);
        });
        await page.goto(BASE_URL);
        const version = await browser.version();
        const hasDecoder = await page.evaluate(() => typeof (globalThis as { ImageDecoder?: unknown }).ImageDecoder !== 'undefined');
        console.log(`${version}: WebCodecs ImageDecoder ${hasDecoder ? 'present' : 'absent (JPEG tiles through createImageBitmap)'}`);
        if (!webCodecs) expect(hasDecoder, 'the preference switched WebCodecs off').toBe(false);

        // The demo slide opens at start; its heatmap.
        await waitFor(page, '[data-testid=viewer][data-status=ready]', 90_000);
        await page.click('[data-testid=heatmap-toggle]');
        await waitFor(page, '[data-testid=viewer][data-heatmap=done]', 180_000);
        const demoCells = Number(await page.$eval('[data-testid=viewer]', (el) => el.getAttribute('data-scored-cells')));
        expect(demoCells).toBeGreaterThan(100);

        // A real slide from a file (Aperio SVS, RGB JPEG tiles), else the demo slide, scanned whole.
        let name = 'demo-slide.tif';
        if (hasShared) {
          name = 'CMU-1-Small-Region.svs';
          const input = await page.$('input[data-testid=open-file]');
          await input!.uploadFile(shared('slides', name));
          await page.waitForFunction((n) => document.querySelector('[data-testid=status-name]')?.textContent === n, { timeout: 90_000 }, name);
          await waitFor(page, '[data-testid=viewer][data-status=ready]', 90_000);
          // The decoded pixels of a few tiles, byte for byte those of the Node reader.
          const [x, y, w, h] = [240, 480, 720, 480];
          const browserPixels = Buffer.from(
            await page.evaluate(async (r) => (await window.focuslite!.renderRegion(r[0]!, r[1]!, r[2]!, r[3]!)).rgbaBase64, [x, y, w, h]),
            'base64',
          );
          const nodePixels = await nodeRegion(shared('slides', name), x, y, w, h);
          let differing = 0;
          for (let i = 0; i < nodePixels.length; i++) if (browserPixels[i] !== nodePixels[i]) differing++;
          expect(browserPixels.length).toBe(nodePixels.length);
          expect(differing, 'bytes differing from the Node decode').toBe(0);
        } else {
          console.log(`scanning the demo slide: ${SKIP_SHARED}`);
        }
        await page.click('[data-testid=scan-start]');
        await waitFor(page, '[data-testid=scan-progress][data-running=false]', 300_000);
        await waitFor(page, '[data-testid=qc-verdict]:not([data-verdict=pending])', 30_000);
        const verdict = await page.$eval('[data-testid=qc-verdict]', (el) => el.textContent ?? '');
        const cells = Number(await page.$eval('[data-testid=viewer]', (el) => el.getAttribute('data-scored-cells')));
        console.log(`Firefox scanned ${name}: ${cells} cells, ${verdict}`);
        expect(verdict).toMatch(/^(PASS|FAIL): \d+(\.\d)?% of tissue out of focus/);
        expect(cells).toBeGreaterThan(100);
        expect(await page.$eval('[data-testid=viewer]', (el) => el.getAttribute('data-status'))).toBe('ready');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
