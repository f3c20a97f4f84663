// A large slide of real, in-focus tissue for benchmarks and verdicts: copies of the shared slides' level 0 (CMU-1 and
// TCGA-CR-7395), each flipped one of four ways and placed at a seeded offset on glass, written as a pyramidal JPEG
// TIFF. The procedural demo slide behaves differently from real tissue (pale squamous epithelium, dense lymphocytes,
// fat) for speed and for verdicts; this is real tissue at a real slide's size. Offsets are not multiples of the
// 128-px stride, so every copy meets the patch grid at another phase: cells are new crops, not repeats.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeTiffFile } from '../../writers/tiff/writer.ts';
import type { RGBImage } from '../train/image.ts';
import { Rng } from '../../common/random.ts';
import { readSlideLevel } from '../train/source.ts';

/** The in-focus slides copied, relative to ../shared/slides. */
export const MOSAIC_SOURCES = ['CMU-1-Small-Region.svs', 'derived/TCGA-CR-7395-pyramid-jpeg.tif'] as const;
/** Bump when the picture or the file changes, so stale mosaics are rebuilt. */
const VERSION = 1;
/** Glass between the copies: the sources' own background brightness. */
const GLASS = [242, 241, 244] as const;

export interface MosaicParams {
  size: number;
  seed: number;
  quality: number;
}

export const DEFAULT_MOSAIC: MosaicParams = { size: 24576, seed: 1, quality: 85 };

interface Placement {
  source: number;
  x: number;
  y: number;
  flipX: boolean;
  flipY: boolean;
}

/** Copies on a grid of cells as large as the largest source plus a margin, each at a seeded offset within its cell. */
export function mosaicLayout(sizes: readonly { width: number; height: number }[], p: MosaicParams): Placement[] {
  const rng = new Rng(p.seed);
  const cellW = Math.max(...sizes.map((s) => s.width)) + 256;
  const cellH = Math.max(...sizes.map((s) => s.height)) + 256;
  const out: Placement[] = [];
  for (let row = 0; row * cellH < p.size; row++)
    for (let col = 0; col * cellW < p.size; col++) {
      const source = (row + col) % sizes.length;
      const s = sizes[source]!;
      out.push({
        source,
        x: col * cellW + Math.floor(rng.float() * (cellW - s.width)),
        y: row * cellH + Math.floor(rng.float() * (cellH - s.height)),
        flipX: rng.float() < 0.5,
        flipY: rng.float() < 0.5,
      });
    }
  return out;
}

/** Level-0 rows of the mosaic, composed band by band (the whole picture is never held). */
export function mosaicRows(sources: readonly RGBImage[], layout: readonly Placement[], size: number) {
  return {
    width: size,
    height: size,
    readRows(y0: number, rows: number) {
      const data = new Uint8ClampedArray(size * rows * 4);
      const glass = (GLASS[0] | (GLASS[1] << 8) | (GLASS[2] << 16) | (255 << 24)) >>> 0;
      new Uint32Array(data.buffer).fill(glass);
      for (const p of layout) {
        const src = sources[p.source]!;
        const from = Math.max(y0, p.y);
        const to = Math.min(y0 + rows, p.y + src.height);
        if (from >= to || p.x >= size) continue;
        const w = Math.min(src.width, size - p.x);
        const ch = src.channels;
        for (let y = from; y < to; y++) {
          const sy = p.flipY ? src.height - 1 - (y - p.y) : y - p.y;
          let q = ((y - y0) * size + p.x) * 4;
          for (let x = 0; x < w; x++, q += 4) {
            const s = (sy * src.width + (p.flipX ? src.width - 1 - x : x)) * ch;
            data[q] = src.data[s]!;
            data[q + 1] = src.data[s + 1]!;
            data[q + 2] = src.data[s + 2]!;
          }
        }
      }
      return { width: size, height: rows, data };
    },
  };
}

export interface MosaicResult {
  path: string;
  skipped: boolean;
  copies: number;
  bytes: number;
}

/**
 * Writes (or finds up to date) the mosaic at `path`, with `path.json` describing it. `slidesDir` is
 * ../shared/slides; the sources are read from there in place.
 */
export async function writeTissueMosaic(path: string, slidesDir: string, params: MosaicParams = DEFAULT_MOSAIC, log: (s: string) => void = () => {}): Promise<MosaicResult> {
  const meta = `${path}.json`;
  const wanted = { version: VERSION, params, sources: MOSAIC_SOURCES };
  if (existsSync(path) && existsSync(meta)) {
    const had = JSON.parse(await readFile(meta, 'utf8')) as typeof wanted & { copies: number };
    if (JSON.stringify({ version: had.version, params: had.params, sources: had.sources }) === JSON.stringify(wanted)) {
      return { path, skipped: true, copies: had.copies, bytes: (await stat(path)).size };
    }
  }
  const sources: RGBImage[] = [];
  for (const name of MOSAIC_SOURCES) {
    const file = join(slidesDir, name);
    if (!existsSync(file)) throw new Error(`tissue mosaic: source slide ${file} not found`);
    sources.push(await readSlideLevel(file, 0));
  }
  const layout = mosaicLayout(sources, params);
  const copies = layout.filter((p) => p.x < params.size && p.y < params.size).length;
  log(`writing a ${params.size}×${params.size} tissue mosaic (${copies} copies of ${MOSAIC_SOURCES.map((s) => basename(s)).join(', ')}) to ${path} …`);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const summary = await writeTiffFile(partial, mosaicRows(sources, layout, params.size), {
    compression: 'jpeg',
    quality: params.quality,
    tileSize: 256,
    micronsPerPixel: 0.5,
    description: `focuslite tissue mosaic: copies of ${MOSAIC_SOURCES.join(', ')} (in-focus tissue), seed ${params.seed}`,
  });
  await rm(meta, { force: true });
  await rename(partial, path);
  await writeFile(meta, `${JSON.stringify({ ...wanted, copies, bytes: summary.bytes }, null, 1)}\n`);
  return { path, skipped: false, copies, bytes: summary.bytes };
}
