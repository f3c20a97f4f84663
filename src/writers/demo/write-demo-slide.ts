// Writes the demo slide as a pyramidal TIFF plus `<out>.regions.json` (the ground truth of its defocused regions),
// and skips the work when both exist and were made with the same parameters.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeTiffFile, type TiffCompression, type TiffLayout, type TiffWriteSummary } from '../tiff/writer.ts';
import { createDemoSlide } from './demo-slide.ts';
import { DEFAULT_HEIGHT, DEFAULT_SEED, DEFAULT_WIDTH, type DefocusRegion, type PenMark } from './layout.ts';

/** Bump when the picture or the file layout changes, so stale demo slides are rebuilt. */
export const GENERATOR_VERSION = 1;
export const DEMO_MPP = 0.5;
export const DEMO_MAGNIFICATION = 20;

export interface DemoSlideParams {
  width: number;
  height: number;
  seed: number;
  quality: number;
  layout: TiffLayout;
  compression: TiffCompression;
  tileSize: number;
  /** Single layout only: strips of this many rows instead of tiles. */
  rowsPerStrip: number | null;
  jpegTables: boolean;
  bigTiff: boolean | 'auto';
}

export const DEFAULT_PARAMS: DemoSlideParams = {
  width: DEFAULT_WIDTH,
  height: DEFAULT_HEIGHT,
  seed: DEFAULT_SEED,
  quality: 90,
  layout: 'chain',
  compression: 'jpeg',
  tileSize: 256,
  rowsPerStrip: null,
  jpegTables: true,
  bigTiff: 'auto',
};

export interface GroundTruth {
  generator: 'focuslite demo-slide';
  version: number;
  params: DemoSlideParams;
  /** File name of the slide, next to this file. */
  slide: string;
  bytes: number;
  bigTiff: boolean;
  mpp: number;
  levels: { width: number; height: number; downsample: number }[];
  defocus: {
    model: string;
    regions: DefocusRegion[];
  };
  penMark: PenMark | null;
}

export interface DemoSlideResult {
  /** True when an up-to-date slide was already there. */
  skipped: boolean;
  tiffPath: string;
  regionsPath: string;
  truth: GroundTruth;
  seconds: number;
}

export function regionsPathFor(tiffPath: string): string {
  return `${tiffPath}.regions.json`;
}

export function demoDescription(params: DemoSlideParams): string {
  const parts = [
    'FocusLite demo slide (procedural H&E, not a patient sample)',
    `${params.width}x${params.height}`,
    `MPP = ${DEMO_MPP}`,
    `AppMag = ${DEMO_MAGNIFICATION}`,
    `Seed = ${params.seed}`,
  ];
  if (params.layout !== 'subifd') return parts.join('|');
  return omeXml(params.width, params.height, DEMO_MPP, parts[0] ?? 'FocusLite demo slide');
}

/** Minimal OME-XML for the OME-TIFF flavour: one RGB plane, pyramid levels in SubIFDs. */
function omeXml(width: number, height: number, mpp: number, name: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" Creator="FocusLite demo-slide">' +
    `<Image ID="Image:0" Name="${name.replace(/&/g, '&amp;')}">` +
    `<Pixels ID="Pixels:0" DimensionOrder="XYCZT" Type="uint8" SizeX="${width}" SizeY="${height}" SizeC="3" SizeZ="1" SizeT="1" ` +
    `PhysicalSizeX="${mpp}" PhysicalSizeXUnit="µm" PhysicalSizeY="${mpp}" PhysicalSizeYUnit="µm" Interleaved="true">` +
    '<Channel ID="Channel:0:0" SamplesPerPixel="3"/>' +
    '<TiffData IFD="0" PlaneCount="1"/>' +
    '</Pixels></Image></OME>'
  );
}

/** The recorded ground truth when the slide at `tiffPath` was made with exactly `params`, else undefined. */
export async function upToDate(tiffPath: string, params: DemoSlideParams): Promise<GroundTruth | undefined> {
  try {
    const truth = JSON.parse(await readFile(regionsPathFor(tiffPath), 'utf8')) as GroundTruth;
    if (truth.version !== GENERATOR_VERSION) return undefined;
    if (JSON.stringify(truth.params) !== JSON.stringify(params)) return undefined;
    const info = await stat(tiffPath);
    return info.size === truth.bytes ? truth : undefined;
  } catch {
    return undefined;
  }
}

export interface WriteDemoSlideOptions {
  force?: boolean;
  onProgress?(rowsDone: number, rowsTotal: number): void;
}

export async function writeDemoSlide(
  tiffPath: string,
  overrides: Partial<DemoSlideParams> = {},
  options: WriteDemoSlideOptions = {},
): Promise<DemoSlideResult> {
  const started = performance.now();
  const params: DemoSlideParams = { ...DEFAULT_PARAMS, ...overrides };
  const regionsPath = regionsPathFor(tiffPath);
  if (!options.force) {
    const truth = await upToDate(tiffPath, params);
    if (truth) return { skipped: true, tiffPath, regionsPath, truth, seconds: (performance.now() - started) / 1000 };
  }
  const slide = createDemoSlide({ width: params.width, height: params.height, seed: params.seed });
  await mkdir(dirname(tiffPath), { recursive: true });
  // Drop the old ground truth first and write the slide under a temporary name, so an interrupted run never
  // looks up to date.
  await rm(regionsPath, { force: true });
  const partial = `${tiffPath}.partial`;
  let summary: TiffWriteSummary;
  try {
    summary = await writeTiffFile(partial, slide, {
      compression: params.compression,
      quality: params.quality,
      jpegTables: params.jpegTables,
      layout: params.layout,
      tileSize: params.tileSize,
      ...(params.rowsPerStrip ? { rowsPerStrip: params.rowsPerStrip } : {}),
      bigTiff: params.bigTiff,
      description: demoDescription(params),
      software: `FocusLite Viewer demo-slide (generator v${GENERATOR_VERSION})`,
      micronsPerPixel: DEMO_MPP,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, tiffPath);
  const truth: GroundTruth = {
    generator: 'focuslite demo-slide',
    version: GENERATOR_VERSION,
    params,
    slide: tiffPath.split(/[\\/]/).pop() ?? tiffPath,
    bytes: summary.bytes,
    bigTiff: summary.bigTiff,
    mpp: DEMO_MPP,
    levels: summary.levels.map((l) => ({ width: l.width, height: l.height, downsample: params.width / l.width })),
    defocus: {
      model:
        'Gaussian blur of the in-focus image with standard deviation `sigma` (level-0 px), truncated at 3 sigma. ' +
        'Full strength inside the axis-aligned ellipse ((x-cx)/rx)^2 + ((y-cy)/ry)^2 <= 1 (pixel centres, level-0 px); ' +
        'outside it the blurred and sharp images are mixed with weight 1 - d/feather, d = (rho-1)*min(rx,ry), ' +
        'rho the normalised ellipse radius. Everything else is in focus.',
      regions: slide.regions.map((r) => ({ ...r, bbox: [...r.bbox] })),
    },
    penMark: slide.layout.pen ?? null,
  };
  await writeFile(regionsPath, `${JSON.stringify(truth, null, 2)}\n`);
  return { skipped: false, tiffPath, regionsPath, truth, seconds: (performance.now() - started) / 1000 };
}
