// Real DICOM WSI series for the tests, made from the shared TIFF slides by Orthanc's OrthancWSIDicomizer (Debian
// `orthanc-wsi`; `.ci/run` installs it): JPEG tiles copied as they are, or re-encoded as JPEG 2000.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DICOMIZER = '/usr/bin/OrthancWSIDicomizer';
export const hasDicomizer = existsSync(DICOMIZER);
export const SKIP_DICOMIZER = `${DICOMIZER} is absent (apt-get install orthanc-wsi): the tests on dicomized slides are skipped`;

// CI installs it (.ci/run): there, its absence fails the run instead of skipping tests silently.
if (!hasDicomizer && process.env.FOCUSLITE_REQUIRE_SHARED === '1') throw new Error(`FOCUSLITE_REQUIRE_SHARED=1 but ${SKIP_DICOMIZER}`);

/** Writes the DICOM series of `slide` into a new temporary folder and returns it. */
export function dicomize(slide: string, extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-dicom-'));
  const r = spawnSync(DICOMIZER, ['--folder', dir, '--max-size', '0', ...extra, slide], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`OrthancWSIDicomizer failed (${r.status}): ${r.stderr.slice(-2000)}`);
  if (readdirSync(dir).length === 0) throw new Error(`OrthancWSIDicomizer wrote nothing for ${slide}`);
  return dir;
}
