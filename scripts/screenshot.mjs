// Retakes docs/screenshot.png (the README's picture): the demo slide after a whole-slide scan with the default
// (shipped 1-kernel) model, the QC summary and a hover tooltip. Run after `npm run build`.
import { resolve } from 'node:path';
import { launchChromium, openApp, root, startPreview } from './bench-browser.mjs';

const PORT = 4394;
const stop = await startPreview(PORT);
try {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await openApp(page, PORT);
  await page.click('[data-testid=scan-start]'); // turns the heatmap on and scores every tissue cell
  await page.waitForSelector('[data-testid=scan-progress][data-running=false]', { state: 'attached', timeout: 300_000 });
  await page.waitForTimeout(500);
  const box = await page.locator('[data-testid=viewer]').boundingBox();
  if (box) await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.5);
  await page.waitForTimeout(300);
  const out = resolve(root, 'docs/screenshot.png');
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
  await browser.close();
} finally {
  stop();
}
