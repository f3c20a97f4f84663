import { SlideError } from '../types.ts';
import { LIMITS } from '../limits.ts';
import type { Ifd, TiffReader } from './ifd.ts';
import { Tag } from './tags.ts';

/** The facts of one IFD that tiling and decoding need, read once. Strips are treated as full-width tiles. */
export interface TiffImage {
  ifd: Ifd;
  width: number;
  height: number;
  tiled: boolean;
  tileWidth: number;
  tileHeight: number;
  tilesAcross: number;
  tilesDown: number;
  compression: number;
  photometric: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  planar: number;
  predictor: number;
  newSubfileType: number;
  description: string;
  jpegTables?: Uint8Array;
  /** Offsets of SubIFDs (OME-TIFF pyramids). */
  subIfds: number[];
  xResolution?: number;
  resolutionUnit?: number;
}

/** A size or count read from a tag: a positive integer (FLOAT/RATIONAL tags can hold NaN or fractions). */
const isCount = (n: number) => Number.isInteger(n) && n >= 1;
const show = (n: number) => (Number.isFinite(n) ? String(n) : '(not a number)');

export async function readTiffImage(reader: TiffReader, ifd: Ifd, signal?: AbortSignal): Promise<TiffImage> {
  const num = (tag: number) => reader.number(ifd, tag, signal);
  const width = (await num(Tag.ImageWidth)) ?? 0;
  const height = (await num(Tag.ImageLength)) ?? 0;
  const name = reader.source.name;
  if (!isCount(width) || !isCount(height)) throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: image size ${show(width)}×${show(height)}.`);
  const max = LIMITS.maxSide;
  if (width > max || height > max) {
    throw new SlideError(`${name}: image size ${width}×${height} exceeds the supported maximum of ${max}×${max} pixels (corrupt file?).`);
  }
  const tiled = ifd.entries.has(Tag.TileWidth);
  const tileWidth = tiled ? ((await num(Tag.TileWidth)) ?? 0) : width;
  const rowsPerStrip = (await num(Tag.RowsPerStrip)) ?? height;
  const tileHeight = tiled ? ((await num(Tag.TileLength)) ?? 0) : Math.min(Math.max(rowsPerStrip, 1), height);
  if (!isCount(tileWidth) || !isCount(tileHeight) || tileWidth > LIMITS.maxTileSide || (tiled && tileHeight > LIMITS.maxTileSide)) {
    const tooBig = tileWidth > LIMITS.maxTileSide || (tiled && tileHeight > LIMITS.maxTileSide);
    throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: tile size ${show(tileWidth)}×${show(tileHeight)}${tooBig ? ` (at most ${LIMITS.maxTileSide} a side)` : ''}.`);
  }
  if (tileWidth * tileHeight > LIMITS.maxTilePixels) {
    throw new SlideError(`${name}: ${tiled ? 'tiles' : 'strips'} of ${tileWidth}×${tileHeight} pixels exceed the supported maximum of ${LIMITS.maxTilePixels / 2 ** 20} megapixels.`);
  }
  const tilesAcross = Math.ceil(width / tileWidth);
  const tilesDown = Math.ceil(height / tileHeight);
  const offsetsTag = tiled ? Tag.TileOffsets : Tag.StripOffsets;
  const countsTag = tiled ? Tag.TileByteCounts : Tag.StripByteCounts;
  const samplesPerPixel = (await num(Tag.SamplesPerPixel)) ?? 1;
  const planar = (await num(Tag.PlanarConfiguration)) ?? 1;
  const expected = tilesAcross * tilesDown * (planar === 2 && isCount(samplesPerPixel) ? samplesPerPixel : 1);
  const offsets = ifd.entries.get(offsetsTag);
  const counts = ifd.entries.get(countsTag);
  if (!offsets || !counts) throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: no tile or strip offsets.`);
  if (expected > LIMITS.maxTilesPerImage) {
    throw new SlideError(`${name}: image ${width}×${height} in ${tileWidth}×${tileHeight} tiles needs ${expected} tiles, more than the supported ${LIMITS.maxTilesPerImage} (corrupt file?).`);
  }
  if (offsets.count < expected || counts.count < expected) {
    throw new SlideError(
      `${name}: corrupt image directory at byte ${ifd.offset}: ${offsets.count} tile offsets for ${expected} tiles of a ${width}×${height} image.`,
    );
  }
  const bits = (await reader.numbers(ifd, Tag.BitsPerSample, signal)) ?? [1];
  return {
    ifd,
    width,
    height,
    tiled,
    tileWidth,
    tileHeight,
    tilesAcross,
    tilesDown,
    compression: (await num(Tag.Compression)) ?? 1,
    photometric: (await num(Tag.PhotometricInterpretation)) ?? (samplesPerPixel >= 3 ? 2 : 1),
    samplesPerPixel,
    bitsPerSample: bits[0] ?? 8,
    planar,
    predictor: (await num(Tag.Predictor)) ?? 1,
    newSubfileType: (await num(Tag.NewSubfileType)) ?? 0,
    description: (await reader.text(ifd, Tag.ImageDescription, signal)) ?? '',
    jpegTables: await reader.bytes(ifd, Tag.JPEGTables, signal),
    subIfds: (await reader.numbers(ifd, Tag.SubIFDs, signal)) ?? [],
    xResolution: await num(Tag.XResolution),
    resolutionUnit: await num(Tag.ResolutionUnit),
  };
}

/** Where tile `index` is in the file (offset, byte count); the arrays are read on first use. */
export async function tileLocation(reader: TiffReader, image: TiffImage, index: number, signal?: AbortSignal): Promise<[number, number]> {
  const offsets = await reader.numbers(image.ifd, image.tiled ? Tag.TileOffsets : Tag.StripOffsets, signal);
  const counts = await reader.numbers(image.ifd, image.tiled ? Tag.TileByteCounts : Tag.StripByteCounts, signal);
  return [offsets?.[index] ?? 0, counts?.[index] ?? 0];
}
