// Shared by the browser benchmarks: a `vite preview` of the production build and a headless Chromium.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium-path.mjs';

export const root = resolve(import.meta.dirname, '..');

/**
 * Starts the preview server on `port`; returns a stop function. `dist`: another build's output directory (A/B runs of
 * two builds, e.g. `vite build --outDir /tmp/dist-A`); default the repository's dist.
 */
export async function startPreview(port, dist = resolve(root, 'dist')) {
  if (!existsSync(resolve(dist, 'index.html'))) {
    console.error(`Build first: npm run build (no ${dist}/index.html)`);
    process.exit(1);
  }
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist], { cwd: root, stdio: 'ignore', detached: true });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return () => {
    try {
      process.kill(-server.pid);
    } catch {
      // already gone
    }
  };
}

export function launchChromium() {
  return chromium.launch({ executablePath: findChromium() ?? undefined, args: CHROMIUM_ARGS });
}

/** Loads the app from the preview server and waits until its viewer is ready (the demo slide is open). */
export async function openApp(page, port) {
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('[data-testid=viewer][data-status=ready]', { state: 'attached', timeout: 60_000 });
}
