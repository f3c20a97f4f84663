import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { seriesMetadataPath } from '../slide/dicom/dicomweb.ts';

/** Runs public/early-metadata.js as the page would, for a page URL; the URLs it fetched and the global it set. */
function runEarly(href: string): { fetched: string[]; early?: { url: string } } {
  const fetched: string[] = [];
  const window: { focusliteEarlyMetadata?: { url: string } } = {};
  const code = readFileSync(resolve(import.meta.dirname, '../../public/early-metadata.js'), 'utf8');
  runInNewContext(code, { location: new URL(href), URL, URLSearchParams, window, fetch: (url: string) => (fetched.push(url), Promise.resolve()) });
  return { fetched, early: window.focusliteEarlyMetadata };
}

describe('public/early-metadata.js', () => {
  it('asks for the URL the app asks for (else the app cannot take the early answer)', () => {
    const ref = { study: '1.2.3', series: '1.2.3.4' };
    // The app: `${new URL(base, location.href).href without trailing slashes}/${seriesMetadataPath(ref)}` (open-actions.ts).
    for (const [base, service] of [
      ['http://pacs:8042/dicom-web/', 'http://pacs:8042/dicom-web'],
      ['/dicom-web', 'http://app/dicom-web'],
    ] as const) {
      const { fetched, early } = runEarly(`http://app/x/?dicomweb=${encodeURIComponent(base)}&study=${ref.study}&series=${ref.series}`);
      expect(fetched).toEqual([`${service}/${seriesMetadataPath(ref)}`]);
      expect(early?.url).toBe(fetched[0]);
    }
  });

  it('asks for nothing unless a series is named with valid UIDs', () => {
    for (const search of ['?dicomweb=http://pacs/dicom-web&study=1.2', '?dicomweb=http://pacs/dicom-web&study=1.2&series=../../x', '?slide=http://x/a.svs', '']) {
      expect(runEarly(`http://app/${search}`)).toEqual({ fetched: [], early: undefined });
    }
  });
});
