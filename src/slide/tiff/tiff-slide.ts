import type { Codecs } from '../codecs.ts';
import { LIMITS } from '../limits.ts';
import { composeRegion, EMPTY_TILE, TileCache } from '../tile-cache.ts';
import { SlideError, type ByteSource, type RegionOptions, type RGBAImage, type SlideInfo, type SlideSource } from '../types.ts';
import { decodeTiffTile, unsupportedReason } from './decode-tile.ts';
import { TiffReader } from './ifd.ts';
import { detectPyramid } from './pyramid.ts';
import { compressionName, Tag } from './tags.ts';
import { readTiffImage, tileLocation, type TiffImage } from './tiff-image.ts';

export interface TiffSlideOptions {
  /** Bytes of decoded tiles kept for reuse (bounded LRU). */
  tileCacheBytes?: number;
}

/** SVS, pyramidal TIFF and OME-TIFF slides: tiles read on demand and decoded by the environment's codecs. */
export class TiffSlide implements SlideSource {
  private readonly tiles: TileCache;

  private constructor(
    readonly info: SlideInfo,
    private readonly reader: TiffReader,
    private readonly levelImages: TiffImage[],
    private readonly codecs: Codecs,
    options: TiffSlideOptions,
  ) {
    this.tiles = new TileCache(options.tileCacheBytes ?? 96 * 1024 * 1024);
  }

  static async open(source: ByteSource, codecs: Codecs, options: TiffSlideOptions = {}, signal?: AbortSignal): Promise<TiffSlide> {
    const reader = await TiffReader.open(source, signal);
    const chain = await reader.readChain(signal);
    const warnings: string[] = [];
    const main: TiffImage[] = [];
    for (const [i, ifd] of chain.entries()) {
      try {
        main.push(await readTiffImage(reader, ifd, signal));
      } catch (err) {
        if (i === 0 || !(err instanceof SlideError)) throw err;
        warnings.push(`image ${i} skipped: ${err.message}`);
      }
    }
    const first = main[0];
    if (!first) throw new SlideError(`${source.name}: the TIFF file has no readable images.`);
    const subIfds: TiffImage[] = [];
    const seen = new Set(chain.map((ifd) => ifd.offset));
    for (const offset of first.subIfds.slice(0, LIMITS.maxSubIfds)) {
      if (seen.has(offset)) throw new SlideError(`${source.name}: corrupt file: a SubIFD points back at an image directory (byte ${offset}).`);
      seen.add(offset);
      try {
        subIfds.push(await readTiffImage(reader, await reader.readIfd(offset, signal), signal));
      } catch (err) {
        if (!(err instanceof SlideError)) throw err;
        warnings.push(`reduced level skipped: ${err.message}`);
      }
    }
    const pyramid = detectPyramid(main, subIfds);
    const levels = pyramid.levels.filter((image, i) => {
      const reason = unsupportedReason(image);
      if (reason && i === 0) throw new SlideError(`${source.name}: ${reason}`);
      if (reason) warnings.push(`level ${image.width}×${image.height} skipped: ${reason}`);
      return !reason;
    });
    const base = levels[0]!;
    for (const image of levels) await checkTilesInsideFile(reader, image, signal);
    const info: SlideInfo = {
      name: source.name,
      format: pyramid.format,
      vendor: pyramid.vendor,
      compression: compressionName(base.compression),
      levels: levels.map((image) => ({
        width: image.width,
        height: image.height,
        tileWidth: image.tileWidth,
        tileHeight: image.tileHeight,
        downsample: (base.width / image.width + base.height / image.height) / 2,
      })),
      byteLength: source.size,
      ...(pyramid.mpp !== undefined ? { mpp: pyramid.mpp } : {}),
      ...(pyramid.magnification !== undefined ? { magnification: pyramid.magnification } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
    return new TiffSlide(info, reader, levels, codecs, options);
  }

  async readRegion(level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal, options?: RegionOptions): Promise<RGBAImage> {
    const image = this.levelImages[level];
    if (!image) throw new SlideError(`${this.info.name}: no level ${level}.`);
    return composeRegion(this.info.name, image, x, y, width, height, (col, row) => this.tile(level, col, row, signal), options);
  }

  /** One decoded tile, or undefined for tiles the file leaves empty (byte count 0). Cached and de-duplicated. */
  async tile(level: number, col: number, row: number, signal?: AbortSignal): Promise<RGBAImage | undefined> {
    const image = this.levelImages[level];
    if (!image) throw new SlideError(`${this.info.name}: no level ${level}.`);
    const key = `${level}/${col}/${row}`;
    return this.tiles.get(key, () => this.load(image, row * image.tilesAcross + col, key), signal);
  }

  private async load(image: TiffImage, index: number, key: string): Promise<RGBAImage> {
    // Every failure names the tile: the viewer shows that tile as missing and the rest of the slide still reads.
    const fail = (err: unknown) => {
      const message = (err instanceof Error ? err.message : String(err)).replace(`${this.info.name}: `, '');
      return new SlideError(`${this.info.name}: tile ${index} of the ${image.width}×${image.height} level failed to decode: ${message}`);
    };
    let bytes: Uint8Array;
    try {
      const [offset, count] = await tileLocation(this.reader, image, index);
      if (count === 0) return EMPTY_TILE;
      const most = 2 * image.tileWidth * image.tileHeight * Math.max(3, image.samplesPerPixel) + LIMITS.tileBytesSlack;
      if (count > most) throw new SlideError(`its byte count (${count}) is more than a ${image.tileWidth}×${image.tileHeight} tile can need: the file is corrupt.`);
      bytes = await this.reader.source.read(offset, count);
    } catch (err) {
      throw fail(err); // a failed read (network, file gone) may work next time: not remembered
    }
    try {
      return await decodeTiffTile(image, bytes, this.codecs);
    } catch (err) {
      const error = fail(err);
      this.tiles.remember(key, error);
      throw error;
    }
  }

  close(): void {
    this.tiles.clear();
    this.reader.source.close?.();
  }
}

/** A truncated download or copy is caught when the slide opens, not as a patchwork of missing tiles later. */
async function checkTilesInsideFile(reader: TiffReader, image: TiffImage, signal?: AbortSignal): Promise<void> {
  const count = image.tilesAcross * image.tilesDown;
  // Both arrays once, then a plain loop: up to LIMITS.maxTilesPerImage tiles.
  const [offsets, byteCounts] = await Promise.all([
    reader.numbers(image.ifd, image.tiled ? Tag.TileOffsets : Tag.StripOffsets, signal),
    reader.numbers(image.ifd, image.tiled ? Tag.TileByteCounts : Tag.StripByteCounts, signal),
  ]);
  let end = 0;
  for (let i = 0; i < count; i++) {
    const bytes = byteCounts?.[i] ?? 0;
    if (bytes > 0) end = Math.max(end, (offsets?.[i] ?? 0) + bytes);
  }
  const size = reader.source.size;
  if (end > size) {
    throw new SlideError(
      `${reader.source.name}: the file is truncated: the ${image.width}×${image.height} level needs ${end.toLocaleString('en')} bytes but the file has only ${size.toLocaleString('en')}.`,
    );
  }
}
