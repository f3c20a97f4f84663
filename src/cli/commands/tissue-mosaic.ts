import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { sharedDir, SHARED_MISSING } from '../../tools/model/shared-data.ts';
import { DEFAULT_MOSAIC, MOSAIC_SOURCES, writeTissueMosaic } from '../../tools/slides/tissue-mosaic.ts';

const USAGE = `focuslite tissue-mosaic --out FILE [--size N] [--seed S] [--quality Q]

Writes a large slide of real in-focus tissue for benchmarks and verdicts: copies of ${MOSAIC_SOURCES.join(' and ')}
(read from ../shared/slides), each flipped and placed at a seeded offset on glass, as a pyramidal JPEG TIFF (256² tiles,
0.5 µm/px) with FILE.json describing it. Does nothing when FILE is already up to date.

Options:
  --out FILE     output TIFF (required)
  --size N       level-0 width and height in pixels (default ${DEFAULT_MOSAIC.size}: ${((DEFAULT_MOSAIC.size ** 2) / 1e6).toFixed(0)} MP)
  --seed S       layout seed (default ${DEFAULT_MOSAIC.seed})
  --quality Q    JPEG quality 1–100 (default ${DEFAULT_MOSAIC.quality})`;

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not '${value}'.`);
  return n;
}

const command: Command = {
  summary: 'Write a large slide of real in-focus tissue from the shared slides (benchmarks, verdicts).',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' }, quality: { type: 'string' } }, strict: true });
    if (!values.out) throw new UsageError('--out FILE is required.');
    const params = {
      size: integer('size', values.size, DEFAULT_MOSAIC.size, 4096, 1 << 17),
      seed: integer('seed', values.seed, DEFAULT_MOSAIC.seed, 0, 0xffffffff),
      quality: integer('quality', values.quality, DEFAULT_MOSAIC.quality, 1, 100),
    };
    const shared = sharedDir();
    if (!shared) {
      console.error(`focuslite tissue-mosaic: ${SHARED_MISSING}`);
      return EXIT.failed;
    }
    const t0 = performance.now();
    const r = await writeTissueMosaic(values.out, join(shared, 'slides'), params, (s) => console.log(s));
    console.log(
      r.skipped
        ? `${r.path} is up to date (${params.size}², seed ${params.seed}).`
        : `wrote ${r.path}: ${params.size}×${params.size}, ${r.copies} copies, ${(r.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    return EXIT.ok;
  },
};

export default command;
