// Locates ../shared (real slides, focus patches, reference weights) for tests; they skip when it is absent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHARED_DIR = resolve(import.meta.dirname, '../../shared');
export const hasShared = existsSync(resolve(SHARED_DIR, 'README.md'));
export const SKIP_SHARED_MESSAGE = `../shared is absent (${SHARED_DIR}): tests on real slides and reference data are skipped`;

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

if (!hasShared) console.warn(`[skip] ${SKIP_SHARED_MESSAGE}`);
