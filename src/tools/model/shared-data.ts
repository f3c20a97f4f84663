// Locates ../shared (official FocusLiteNN weights and reference scores) for tests and the benchmark. Node only.
// Those files are under a non-commercial licence: read them in place, never copy them into the repository.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from './node-model.ts';
import { parseTensorsJson, type LoadedWeights } from './weights.ts';

export const OFFICIAL_MODELS = ['1kernel', '2kernel', '10kernel', '1kernel-mse', '2kernel-mse', '10kernel-mse'] as const;
export type OfficialModel = (typeof OFFICIAL_MODELS)[number];


/** Where ../shared is looked for: FOCUSLITE_SHARED when set (e.g. a path that does not exist, to check that tests skip
 * cleanly), else the folder beside the repository. */
export function sharedLocation(): string {
  return process.env.FOCUSLITE_SHARED ? resolve(process.env.FOCUSLITE_SHARED) : resolve(packageRoot(), '../shared');
}

/**
 * ../shared, or undefined when it is absent (a user's fresh clone). The one rule for its presence, for the tools, the
 * unit tests and the end-to-end tests alike (test-support/shared.ts): the folder holds the reference weights.
 */
export function sharedDir(): string | undefined {
  const dir = sharedLocation();
  return existsSync(resolve(dir, 'reference', 'weights')) ? dir : undefined;
}

export const SHARED_MISSING = 'skipped: ../shared (official FocusLiteNN weights and reference scores) is not present beside the repository';

export function officialWeightsPath(shared: string, model: OfficialModel): string {
  return resolve(shared, 'reference', 'weights', `focuslitenn-${model}.json`);
}

export function loadOfficialWeights(shared: string, model: OfficialModel): LoadedWeights {
  return parseTensorsJson(readFileSync(officialWeightsPath(shared, model), 'utf8'));
}

export function readSharedJson(shared: string, relative: string): unknown {
  return JSON.parse(readFileSync(resolve(shared, relative), 'utf8'));
}
