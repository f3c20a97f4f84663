// node scripts/bench-tile-bitmaps.mjs — what a viewer tile's ImageBitmap costs in a Chromium worker, made the ways a
// slide worker could make it (src/workers/opaque-bitmap.ts), and drawn on a 1920×1080 canvas as the viewer's drawer
// draws it. Prints measured milliseconds with the machine; asserts nothing. Synthetic opaque pixels (the cost does not
// depend on them). Usage: node scripts/bench-tile-bitmaps.mjs [--rounds=N] (default 200 per measurement)
import { cpus, totalmem } from 'node:os';
import { launchChromium } from './bench-browser.mjs';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 200);

// Runs in a dedicated worker, as the slide workers do.
const workerSource = `
onmessage = async ({ data: { rounds, size } }) => {
  const px = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < px.length; i++) px[i] = i % 4 === 3 ? 255 : (Math.imul(i, 2654435761) >>> 24);
  const out = {};
  const time = async (name, make) => {
    for (let i = 0; i < 5; i++) (await make())?.close?.();
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) (await make())?.close?.();
    out[name] = (performance.now() - t0) / rounds;
  };
  const image = () => new ImageData(px, size, size);
  await time('createImageBitmap, premultiplied', () => createImageBitmap(image(), { premultiplyAlpha: 'premultiply', colorSpaceConversion: 'none' }));
  await time('createImageBitmap, unpremultiplied', () => createImageBitmap(image(), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' }));
  const opaque = new OffscreenCanvas(size, size).getContext('2d', { alpha: false });
  await time('opaque canvas: putImageData + transferToImageBitmap', () => { opaque.putImageData(image(), 0, 0); return opaque.canvas.transferToImageBitmap(); });
  // Drawing: eight tiles side by side at 1:1, and one scaled up over the canvas (the coarse stand-in after a jump);
  // getImageData(1 px) makes the canvas carry out its draws.
  const view = new OffscreenCanvas(1920, 1080).getContext('2d');
  const bitmaps = {
    premultiplied: await createImageBitmap(image(), { premultiplyAlpha: 'premultiply', colorSpaceConversion: 'none' }),
    unpremultiplied: await createImageBitmap(image(), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' }),
    opaque: (opaque.putImageData(image(), 0, 0), opaque.canvas.transferToImageBitmap()),
  };
  for (const [kind, bitmap] of Object.entries(bitmaps)) {
    await time('draw 8 at 1:1, ' + kind, () => { for (let j = 0; j < 8; j++) view.drawImage(bitmap, (j % 4) * size, Math.floor(j / 4) * size); view.getImageData(0, 0, 1, 1); });
    await time('draw 1 scaled over the canvas, ' + kind, () => { view.drawImage(bitmap, 0, 0, 1920, 1920); view.getImageData(0, 0, 1, 1); });
  }
  postMessage(out);
};`;

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>bench</title>');
  const version = browser.version();
  console.log(`bench:tile-bitmaps — ${rounds} rounds each, in a dedicated worker`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Chromium ${version} headless`);
  for (const size of [256, 512]) {
    const result = await page.evaluate(
      ([source, rounds, size]) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => reject(new Error(e.message));
          worker.postMessage({ rounds, size });
        }),
      [workerSource, rounds, size],
    );
    console.log(`${size}² tiles:`);
    for (const [name, ms] of Object.entries(result)) console.log(`  ${name.padEnd(58)} ${ms.toFixed(3)} ms`);
  }
} finally {
  await browser.close();
}
