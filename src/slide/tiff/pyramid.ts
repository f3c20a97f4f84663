import type { SlideFormat } from '../types.ts';
import type { TiffImage } from './tiff-image.ts';

export interface Pyramid {
  format: SlideFormat;
  vendor: string;
  /** Pyramid levels, largest first. */
  levels: TiffImage[];
  /** Label, macro, thumbnail and other images that are not levels, with the reason. */
  associated: { image: TiffImage; kind: string }[];
  mpp?: number;
  magnification?: number;
}

/** Parses "Aperio Image Library v10.0.51\r\n46920x33014 [...] |AppMag = 20|MPP = 0.4990|..." key/value pairs. */
export function parseAperioDescription(description: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of description.split('|').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return fields;
}

export function isAperio(description: string): boolean {
  return description.startsWith('Aperio');
}

/** Physical pixel size of the first OME Pixels element, in µm. */
export function parseOmeMpp(xml: string): number | undefined {
  const pixels = /<(?:\w+:)?Pixels\b[^>]*>/.exec(xml)?.[0];
  if (!pixels) return undefined;
  const size = Number(/PhysicalSizeX="([^"]+)"/.exec(pixels)?.[1]);
  if (!Number.isFinite(size) || size <= 0) return undefined;
  const unit = /PhysicalSizeXUnit="([^"]+)"/.exec(pixels)?.[1] ?? 'µm';
  const toMicrons: Record<string, number> = { 'µm': 1, 'um': 1, 'μm': 1, 'nm': 1e-3, 'mm': 1e3, 'cm': 1e4, 'm': 1e6 };
  const factor = toMicrons[unit];
  return factor === undefined ? undefined : size * factor;
}

/** µm per pixel from XResolution/ResolutionUnit, when it is plausible for microscopy (0.05–100 µm). */
export function resolutionMpp(image: TiffImage): number | undefined {
  const { xResolution, resolutionUnit } = image;
  if (!xResolution || xResolution <= 0) return undefined;
  const micronsPerUnit = resolutionUnit === 3 ? 1e4 : resolutionUnit === 2 || resolutionUnit === undefined ? 25400 : 0;
  if (!micronsPerUnit) return undefined;
  const mpp = micronsPerUnit / xResolution;
  return mpp >= 0.05 && mpp <= 100 ? mpp : undefined;
}

const ASSOCIATED_WORDS = /\b(label|macro|thumbnail|overview|barcode)\b/i;

/**
 * Sorts a TIFF's images into pyramid levels and associated images. Levels must share level 0's aspect ratio
 * (within rounding), be tiled when level 0 is, and not be flagged as masks or named label/macro/thumbnail.
 */
export function detectPyramid(main: TiffImage[], subIfdLevels: TiffImage[]): Pyramid {
  const first = main[0];
  if (!first) throw new Error('detectPyramid needs at least one image');
  const description = first.description;
  const aperio = isAperio(description);
  const ome = /<OME[\s>]/.test(description) || description.includes('openmicroscopy.org');
  const associated: Pyramid['associated'] = [];

  let candidates: TiffImage[];
  if (ome && subIfdLevels.length > 0) {
    // OME-TIFF: each main IFD is a plane; the first plane's SubIFDs are its reduced levels.
    candidates = [first, ...subIfdLevels];
    for (const image of main.slice(1)) associated.push({ image, kind: 'other plane' });
  } else {
    candidates = [...main, ...subIfdLevels];
  }

  const base = candidates.reduce((a, b) => (b.width * b.height > a.width * a.height && !isAssociated(b) ? b : a), first);
  const levels: TiffImage[] = [];
  for (const image of candidates) {
    const kind = classify(image, base, aperio);
    if (kind) {
      if (!associated.some((a) => a.image === image)) associated.push({ image, kind });
    } else {
      levels.push(image);
    }
  }
  levels.sort((a, b) => b.width * b.height - a.width * a.height);

  let mpp: number | undefined;
  let magnification: number | undefined;
  let vendor = 'generic';
  let format: SlideFormat = levels.length > 1 ? 'pyramidal-tiff' : 'tiff';
  if (aperio) {
    const fields = parseAperioDescription(description);
    mpp = positive(fields.MPP);
    magnification = positive(fields.AppMag);
    vendor = 'Aperio';
    format = 'aperio-svs';
  } else if (ome) {
    mpp = parseOmeMpp(description);
    vendor = 'OME';
    format = 'ome-tiff';
  }
  mpp ??= resolutionMpp(base);
  return { format, vendor, levels, associated, mpp, magnification };
}

function isAssociated(image: TiffImage): boolean {
  return (image.newSubfileType & 4) !== 0 || ASSOCIATED_WORDS.test(image.description);
}

function classify(image: TiffImage, base: TiffImage, aperio: boolean): string | undefined {
  if (image === base) return undefined;
  if (image.newSubfileType & 4) return 'mask';
  const word = ASSOCIATED_WORDS.exec(image.description)?.[1]?.toLowerCase();
  if (word) return word;
  if (image.width > base.width || image.height > base.height) return 'larger than level 0';
  if (base.tiled && !image.tiled) return aperio ? 'thumbnail' : 'stripped image beside a tiled pyramid';
  // Same aspect ratio, allowing each side to be rounded when downsampling.
  const scaleX = base.width / image.width;
  const expectedHeight = base.height / scaleX;
  if (Math.abs(expectedHeight - image.height) > Math.max(2, scaleX * 0.02 + 1)) return 'different aspect ratio (label or macro)';
  return undefined;
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
