// Finds a Chromium for the end-to-end tests, installing Debian's package when we are root with apt-get.
// Prints the path it chose; playwright.config.ts repeats the same search (see scripts/chromium-path.mjs).
import { execSync } from 'node:child_process';
import { findChromium } from './chromium-path.mjs';

let path = findChromium();
if (!path) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let hasApt = false;
  try {
    execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/sh' });
    hasApt = true;
  } catch {
    hasApt = false;
  }
  if (isRoot && hasApt) {
    console.log('No Chromium found: installing Debian\'s chromium package (apt-get install -y chromium)...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
      shell: '/bin/sh',
    });
    path = findChromium();
  }
}
if (!path) {
  console.error(
    'No Chromium found for the end-to-end tests. Install one, e.g.\n' +
      '  sudo apt-get update && sudo apt-get install -y chromium\n' +
      'or point CHROMIUM_PATH at an existing Chromium or Chrome binary.',
  );
  process.exit(1);
}
console.log(`Chromium for end-to-end tests: ${path}`);
