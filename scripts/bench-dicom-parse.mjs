// npm run bench:dicom-parse — the DICOM header parsing of this project (src/slide/dicom/dataset.ts) against
// dicom-parser's on the same bytes, and what the reader reads to open each file. Prints measured numbers; asserts nothing.
// Usage: npm run bench:dicom-parse [-- FILE.dcm ...] (default: the real TCGA-XK-AAJU file from ../shared and the levels
// of the real-tissue mosaic dicomized by OrthancWSIDicomizer, one instance per level).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
let files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  const shared = process.env.FOCUSLITE_SHARED ?? resolve(root, '../shared');
  const mosaic = resolve(root, '.bench/tissue-mosaic-24576.tif');
  const dir = resolve(root, '.bench/tissue-mosaic-dicom');
  execFileSync('node', [resolve(root, 'bin/focuslite.mjs'), 'tissue-mosaic', '--out', mosaic], { stdio: 'inherit' });
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('/usr/bin/OrthancWSIDicomizer', ['--folder', dir, '--max-size', '0', mosaic], { stdio: 'ignore' });
  }
  files = [join(shared, 'slides/TCGA-XK-AAJU-small.dcm'), ...readdirSync(dir).sort().slice(0, 3).map((f) => join(dir, f))];
}
const bundle = resolve(root, '.bench/dicom-parse.mjs');
await build({ entryPoints: [resolve(root, 'scripts/bench-src/dicom-parse.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
const { compare } = await import(bundle);
console.log(`bench:dicom-parse — median of 5; ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
for (const f of files) console.log(await compare(resolve(f)));
