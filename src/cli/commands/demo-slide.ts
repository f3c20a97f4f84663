import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { DEFAULT_PARAMS, writeDemoSlide, type DemoSlideParams } from '../../writers/demo/write-demo-slide.ts';
import type { TiffCompression, TiffLayout } from '../../writers/tiff/writer.ts';

const USAGE = `focuslite demo-slide --out FILE [options]

Writes a procedurally generated H&E-like slide (deterministic from the seed) as a pyramidal TIFF, with three
deliberately defocused regions described in FILE.regions.json. Does nothing when FILE is already up to date.

Options:
  --out FILE            output TIFF (required)
  --width W --height H  level-0 size in pixels (default ${DEFAULT_PARAMS.width} × ${DEFAULT_PARAMS.height}; 0.5 µm/px)
  --seed S              picture seed (default ${DEFAULT_PARAMS.seed})
  --quality Q           JPEG quality 1–100 (default ${DEFAULT_PARAMS.quality})
  --layout L            chain (levels in the IFD chain, default) | subifd (OME-TIFF, levels in SubIFDs) | single
  --compression C       jpeg (default) | none | deflate | lzw
  --tile-size N         tile edge, a multiple of 16 (default ${DEFAULT_PARAMS.tileSize})
  --strip-rows N        single layout only: strips of N rows instead of tiles
  --no-jpeg-tables      complete JPEG streams in every tile instead of shared JPEGTables
  --bigtiff             always write BigTIFF (default: only when the file could pass 4 GB)
  --force               rebuild even when up to date
  --quiet               print nothing unless something goes wrong`;

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not '${value}'.`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not '${value}'.`);
  return value as T;
}

const command: Command = {
  summary: 'Write the procedural demo slide (pyramidal TIFF + defocus ground truth).',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        seed: { type: 'string' },
        quality: { type: 'string' },
        layout: { type: 'string' },
        compression: { type: 'string' },
        'tile-size': { type: 'string' },
        'strip-rows': { type: 'string' },
        'no-jpeg-tables': { type: 'boolean' },
        bigtiff: { type: 'boolean' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.out) {
      console.error(`focuslite demo-slide: --out FILE is required.\n\nUsage: ${USAGE}`);
      return EXIT.usage;
    }
    const layout = oneOf<TiffLayout>('layout', values.layout, ['chain', 'subifd', 'single'], DEFAULT_PARAMS.layout);
    const stripRows = values['strip-rows'] === undefined ? null : integer('strip-rows', values['strip-rows'], 0, 16, 65536);
    if (stripRows !== null && layout !== 'single') throw new UsageError('--strip-rows needs --layout single.');
    const params: DemoSlideParams = {
      width: integer('width', values.width, DEFAULT_PARAMS.width, 64, 1 << 20),
      height: integer('height', values.height, DEFAULT_PARAMS.height, 64, 1 << 20),
      seed: integer('seed', values.seed, DEFAULT_PARAMS.seed, 0, 0xffffffff),
      quality: integer('quality', values.quality, DEFAULT_PARAMS.quality, 1, 100),
      layout,
      compression: oneOf<TiffCompression>('compression', values.compression, ['jpeg', 'none', 'deflate', 'lzw'], DEFAULT_PARAMS.compression),
      tileSize: integer('tile-size', values['tile-size'], DEFAULT_PARAMS.tileSize, 16, 4096),
      rowsPerStrip: stripRows,
      jpegTables: !values['no-jpeg-tables'],
      bigTiff: values.bigtiff ? true : 'auto',
    };
    const log = values.quiet ? () => {} : (line: string) => console.log(line);
    const megapixels = (params.width * params.height) / 1e6;
    let nextReport = 0.1;
    const result = await writeDemoSlide(values.out, params, {
      force: Boolean(values.force),
      onProgress:
        megapixels >= 100 && !values.quiet
          ? (done, total) => {
              if (done / total >= nextReport) {
                console.error(`  ${Math.floor((done / total) * 100)}% of level 0`);
                while (done / total >= nextReport) nextReport += 0.1;
              }
            }
          : undefined,
    });
    const { truth } = result;
    if (result.skipped) {
      log(`${result.tiffPath} is up to date (${params.width}×${params.height}, seed ${params.seed}); --force rebuilds it.`);
      return EXIT.ok;
    }
    const mb = (truth.bytes / 1e6).toFixed(1);
    const kind = truth.bigTiff ? 'BigTIFF' : 'TIFF';
    log(
      `wrote ${result.tiffPath}: ${params.width}×${params.height} (${megapixels.toFixed(1)} MP), ${truth.levels.length} level(s), ` +
        `${params.compression}${params.compression === 'jpeg' ? ` q${params.quality}` : ''}, ${params.layout} layout, ${kind}, ${mb} MB ` +
        `in ${result.seconds.toFixed(1)} s`,
    );
    log(
      `wrote ${result.regionsPath}: ${truth.defocus.regions.map((r) => `${r.label} σ=${r.sigma} at (${r.cx}, ${r.cy})`).join('; ')}`,
    );
    return EXIT.ok;
  },
};
export default command;
