// Locates ../shared (real slides, focus patches, reference weights) for the unit and end-to-end tests, by the one rule
// in src/tools/model/shared-data.ts. Absent, its tests skip with a message (a user's fresh clone); with
// FOCUSLITE_REQUIRE_SHARED=1 (set by .ci/run) an absent ../shared fails every test file that needs it instead.
import { resolve } from 'node:path';
import { sharedDir, sharedLocation } from '../src/tools/model/shared-data.ts';

export const REQUIRE_SHARED_ENV = 'FOCUSLITE_REQUIRE_SHARED';

/** The ../shared folder when present, else undefined. */
export const sharedRoot: string | undefined = sharedDir();
export const hasShared = sharedRoot !== undefined;
export const SHARED_DIR = sharedRoot ?? sharedLocation();
export const SKIP_SHARED_MESSAGE = `../shared is absent (${SHARED_DIR}): tests on real slides and reference data are skipped`;

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

if (!hasShared) {
  if (process.env[REQUIRE_SHARED_ENV] === '1') {
    throw new Error(`${REQUIRE_SHARED_ENV}=1 but ../shared is absent (${SHARED_DIR}, no reference/weights): the tests on real data cannot run`);
  }
  console.warn(`[skip] ${SKIP_SHARED_MESSAGE}`);
}
