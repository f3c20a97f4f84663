// DICOM whole-slide images (VL Whole Slide Microscopy Image, Supplement 145): one instance is one pyramid level, its
// frames the tiles; a series' VOLUME instances make the pyramid (openDicomSeries), one file alone a one-level slide.
// Frames are placed by their per-frame positions when the file has them (TILED_SPARSE, and files that store TILED_FULL
// frames in another order), else in TILED_FULL order; only the first focal plane and optical path are read. Frames
// are found through the Extended Offset Table, else by walking the pixel data's fragment headers (through a 64 KiB
// window), with the Basic Offset Table when a frame spans several fragments.
import { concatBytes } from '../../common/bytes.ts';
import type { Codecs } from '../codecs.ts';
import { j2kFrameInfo } from '../jp2k/openjpeg.ts';
import { hasJfif, jpegFrameInfo, markAsRgb } from '../jpeg/stream.ts';
import { LIMITS } from '../limits.ts';
import { composeRegion, TileCache, type TileGrid } from '../tile-cache.ts';
import { SlideError, type ByteSource, type RegionOptions, type RGBAImage, type SlideInfo, type SlideSource } from '../types.ts';
import { decimals, firstItem, integer, NeedMoreBytes, parseDataset, tag, Tags, text, type Dataset } from './dataset.ts';

export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';

const SYNTAXES: Record<string, { codec: 'jpeg' | 'jp2k' | 'native'; explicit: boolean; name: string }> = {
  '1.2.840.10008.1.2': { codec: 'native', explicit: false, name: 'uncompressed (implicit VR)' },
  '1.2.840.10008.1.2.1': { codec: 'native', explicit: true, name: 'uncompressed' },
  '1.2.840.10008.1.2.4.50': { codec: 'jpeg', explicit: true, name: 'JPEG baseline' },
  '1.2.840.10008.1.2.4.51': { codec: 'jpeg', explicit: true, name: 'JPEG extended' },
  '1.2.840.10008.1.2.4.90': { codec: 'jp2k', explicit: true, name: 'JPEG 2000 lossless' },
  '1.2.840.10008.1.2.4.91': { codec: 'jp2k', explicit: true, name: 'JPEG 2000' },
};

/** Bytes read at a time while walking the fragment item headers. */
const WALK_WINDOW = 64 * 1024;

/** The dataset header (everything before Pixel Data) may not be larger than this. */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

export type FrameCodec = 'jpeg' | 'jp2k' | 'native' | 'sniff';

interface Level extends TileGrid {
  /** Frame index per tile (row-major), -1 where the file has no frame; worked out on first use (see instanceFromDataset). */
  frameOf: () => Int32Array;
  /** 'sniff': by the frame's own bytes (frames from a server, whose transfer syntax comes with each frame). */
  codec: FrameCodec;
  rgb: boolean;
  samplesPerPixel: number;
}

/** Whether bytes at offset 128 say DICM (a DICOM Part 10 file). */
export async function isDicom(source: ByteSource, signal?: AbortSignal): Promise<boolean> {
  if (source.size < 132) return false;
  return String.fromCharCode(...(await source.read(128, 4, signal))) === 'DICM';
}

/** Where an instance's frames come from: a file, or a DICOMweb server. */
export interface FrameSource {
  /** File name or instance URL, for messages. */
  name: string;
  /** Bytes stored, when known (files). */
  size: number;
  /** The encoded bytes of frame `index` (0-based). */
  read(index: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Hint: these frames will be read soon, nearest first (sources that pay per request fetch them together). */
  prefetch?(frames: readonly number[]): void;
  close(): void;
}

/** One DICOM instance: its series, its kind and the one tiled image it holds. */
export interface DicomInstance {
  frames: FrameSource;
  seriesUid: string;
  /** Image Type value 3: VOLUME (also when absent), LABEL, OVERVIEW or THUMBNAIL. */
  flavour: string;
  manufacturer: string;
  syntaxName: string;
  mpp?: number;
  magnification?: number;
  /** SlideInfo.details: descriptive metadata, no patient identifiers. */
  details: Record<string, string>;
  /** Concatenation UID: instances that share it are parts of one image. */
  concatenation?: string;
  level: Level;
}

/** A pyramid level: one instance, or the parts of a concatenation; each tile's part and frame (worked out on first use). */
interface DicomLevel {
  grid: TileGrid;
  parts: DicomInstance[];
  map: () => { part: Int32Array; frame: Int32Array };
}

/** Joins instances of one image size into a level: a concatenation's parts fill each other's tiles. */
function levelOf(parts: DicomInstance[]): DicomLevel {
  const grid = parts[0]!.level;
  return {
    grid,
    parts,
    map: once(() => {
      const n = grid.tilesAcross * grid.tilesDown;
      const part = new Int32Array(n).fill(-1);
      const frame = new Int32Array(n).fill(-1);
      parts.forEach((p, k) => {
        const frameOf = p.level.frameOf();
        for (let t = 0; t < n; t++) {
          const f = frameOf[t]!;
          if (f >= 0 && part[t]! < 0) {
            part[t] = k;
            frame[t] = f;
          }
        }
      });
      return { part, frame };
    }),
  };
}

/** `make`'s result, made on the first call (a failure is thrown again on every call). */
function once<T>(make: () => T): () => T {
  let made: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!made) {
      try {
        made = { value: make() };
      } catch (error) {
        made = { error };
      }
    }
    if ('error' in made) throw made.error;
    return made.value;
  };
}

/** A slide made of DICOM instances: the VOLUME ones of one series, one level each, largest first. */
export class DicomSlide implements SlideSource {
  private readonly tiles = new TileCache(96 * 1024 * 1024);

  private constructor(
    readonly info: SlideInfo,
    private readonly levels: DicomLevel[],
    private readonly codecs: Codecs,
  ) {}

  /** One file: refused when it is a label or overview rather than tissue. */
  static async open(source: ByteSource, codecs: Codecs, signal?: AbortSignal): Promise<DicomSlide> {
    const instance = await readInstance(source, signal);
    if (instance.flavour === 'LABEL' || instance.flavour === 'OVERVIEW') {
      throw new SlideError(`${source.name}: this DICOM file is the slide's ${instance.flavour.toLowerCase()} image, not its tissue; open a VOLUME instance of the series.`);
    }
    return DicomSlide.fromInstances(source.name, [instance], codecs);
  }

  /** The pyramid of a series' instances (all of one series): VOLUME ones by size; labels, overviews and thumbnails left out. */
  static fromInstances(name: string, instances: readonly DicomInstance[], codecs: Codecs): DicomSlide {
    const volumes = instances.filter((i) => i.flavour === 'VOLUME').sort((a, b) => b.level.width - a.level.width || b.level.height - a.level.height);
    const base = volumes[0];
    if (!base) throw new SlideError(`${name}: the series has no VOLUME image (only ${[...new Set(instances.map((i) => i.flavour.toLowerCase()))].join(', ')}).`);
    const warnings: string[] = [];
    const groups: DicomInstance[][] = [];
    for (const v of volumes) {
      const same = groups.find((g) => g[0]!.level.width === v.level.width && g[0]!.level.height === v.level.height);
      if (!same) groups.push([v]);
      else if (v.concatenation && v.concatenation === same[0]!.concatenation) same.push(v);
      else warnings.push(`${v.frames.name}: a second ${v.level.width}×${v.level.height} instance (another focal plane or optical path) is not read`);
    }
    const levels = groups.map(levelOf);
    const info: SlideInfo = {
      name,
      format: 'dicom',
      vendor: base.manufacturer || 'DICOM',
      compression: `${base.syntaxName} (DICOM)`,
      levels: levels.map(({ grid: l }) => ({ width: l.width, height: l.height, tileWidth: l.tileWidth, tileHeight: l.tileHeight, downsample: (base.level.width / l.width + base.level.height / l.height) / 2 })),
      byteLength: instances.reduce((n, i) => n + i.frames.size, 0),
      ...(base.mpp !== undefined ? { mpp: base.mpp } : {}),
      ...(base.magnification !== undefined ? { magnification: base.magnification } : {}),
      ...(Object.keys(base.details).length ? { details: base.details } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
    return new DicomSlide(info, levels, codecs);
  }

  async readRegion(level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal, options?: RegionOptions): Promise<RGBAImage> {
    const l = this.levels[level];
    if (!l) throw new SlideError(`${this.info.name}: no level ${level}.`);
    const map = l.map();
    return composeRegion(this.info.name, l.grid, x, y, width, height, (col, row) => {
      const tile = row * l.grid.tilesAcross + col;
      const part = map.part[tile]!;
      const frame = map.frame[tile]!;
      const key = `${level}/${part}/${frame}`;
      return part < 0 ? Promise.resolve(undefined) : this.tiles.get(key, () => this.load(l.parts[part]!, key, frame, tile), signal);
    }, options);
  }

  /** Fetches ahead the frames under a rectangle of a level, column by column from its left edge, that are not decoded yet. */
  prefetch(level: number, x: number, y: number, width: number, height: number): void {
    const l = this.levels[level];
    if (!l || width <= 0 || height <= 0) return;
    let map: ReturnType<DicomLevel['map']>;
    try {
      map = l.map();
    } catch {
      return; // a hint: the read itself reports what is wrong with the level
    }
    const { tileWidth, tileHeight, tilesAcross, tilesDown } = l.grid;
    const col0 = Math.max(0, Math.floor(x / tileWidth));
    const col1 = Math.min(tilesAcross - 1, Math.floor((x + width - 1) / tileWidth));
    const row0 = Math.max(0, Math.floor(y / tileHeight));
    const row1 = Math.min(tilesDown - 1, Math.floor((y + height - 1) / tileHeight));
    const perPart = l.parts.map((): number[] => []);
    for (let col = col0; col <= col1; col++) {
      for (let row = row0; row <= row1; row++) {
        const tile = row * tilesAcross + col;
        const part = map.part[tile]!;
        const frame = map.frame[tile]!;
        if (part >= 0 && !this.tiles.has(`${level}/${part}/${frame}`)) perPart[part]!.push(frame);
      }
    }
    perPart.forEach((frames, part) => {
      if (frames.length) l.parts[part]!.frames.prefetch?.(frames);
    });
  }

  private async load(instance: DicomInstance, key: string, frame: number, tile: number): Promise<RGBAImage> {
    const l = instance.level;
    const name = instance.frames.name;
    // Every failure names the tile (and its frame): the viewer shows that tile as missing and the rest still reads.
    const fail = (err: unknown) =>
      new SlideError(`${name}: tile ${tile} (frame ${frame + 1}) of the ${l.width}×${l.height} level failed to decode: ${err instanceof Error ? err.message.replace(`${name}: `, '') : String(err)}`);
    let bytes: Uint8Array;
    try {
      bytes = await instance.frames.read(frame);
    } catch (err) {
      throw fail(err); // a failed read (network, file gone) may work next time: not remembered
    }
    try {
      const codec = l.codec === 'sniff' ? sniffCodec(bytes) : l.codec;
      if (codec === 'jpeg') {
        checkFrame(jpegFrameInfo(bytes), l, 'JPEG');
        // A JFIF marker means YCbCr whatever the file says: converters write JFIF frames into files marked RGB.
        return await this.codecs.jpeg(l.rgb && !hasJfif(bytes) ? markAsRgb(bytes) : bytes);
      }
      if (codec === 'jp2k') {
        checkFrame(j2kFrameInfo(bytes), l, 'JPEG 2000');
        return await this.codecs.jp2k(bytes, false);
      }
      if (codec === 'png') {
        const image = await this.codecs.image(bytes);
        checkFrame(image, l, 'rendered');
        return image;
      }
      return nativeToRgba(bytes, l);
    } catch (err) {
      const error = fail(err);
      this.tiles.remember(key, error);
      throw error;
    }
  }

  /** Where the levels are read from. */
  frameSources(): FrameSource[] {
    return this.levels.flatMap((l) => l.parts.map((p) => p.frames));
  }

  close(): void {
    this.tiles.clear();
    for (const frames of this.frameSources()) frames.close();
  }
}

/** The file meta information and the data set up to Pixel Data (or just past `stopAfter`), read in growing chunks. */
async function readHeader(source: ByteSource, signal?: AbortSignal, stopAfter?: number) {
  const name = source.name;
  const fail = (why: string): never => {
    throw new SlideError(`${name}: ${why}`);
  };
  // File meta information: always explicit VR little endian, its length in (0002,0000).
  const metaHead = await source.read(132, Math.min(12, source.size - 132), signal);
  if (metaHead.length < 12 || metaHead[0] !== 0x02 || metaHead[1] !== 0x00 || metaHead[2] !== 0x00 || metaHead[3] !== 0x00) fail('corrupt DICOM file: no file meta information group length.');
  const metaLength = new DataView(metaHead.buffer, metaHead.byteOffset).getUint32(8, true);
  const metaEnd = 144 + metaLength;
  if (metaEnd > source.size || metaLength > 1 << 20) fail('corrupt DICOM file: the file meta information runs past the end of the file.');
  const metaBytes = await source.read(144, metaLength, signal);
  const meta = parseDataset(metaBytes, 144, 0, true, true, name).dataset;
  const syntaxUid = text(meta, Tags.TransferSyntaxUID) ?? '';
  const syntax = SYNTAXES[syntaxUid];
  if (!syntax) fail(`unsupported DICOM transfer syntax ${syntaxUid || '(none)'}; supported: ${Object.values(SYNTAXES).map((s) => s.name).join(', ')}.`);
  // The header of a large slide holds one item per frame: start small, grow by 4×.
  let chunk = Math.min(source.size - metaEnd, stopAfter === undefined ? 1 << 20 : 1 << 16);
  for (;;) {
    const bytes = await source.read(metaEnd, chunk, signal);
    try {
      return { syntax: syntax!, ...parseDataset(bytes, metaEnd, 0, syntax!.explicit, metaEnd + chunk >= source.size, name, stopAfter) };
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (chunk >= MAX_HEADER_BYTES) fail(`the DICOM header is larger than ${MAX_HEADER_BYTES / 2 ** 20} MiB.`);
      chunk = Math.min(source.size - metaEnd, chunk * 4, MAX_HEADER_BYTES);
    }
  }
}

/** The series a DICOM file belongs to, from the start of its header only (for telling dropped series apart). */
export async function seriesOf(source: ByteSource, signal?: AbortSignal): Promise<{ uid: string; description: string; number: string }> {
  const { dataset } = await readHeader(source, signal, Tags.SeriesNumber);
  return { uid: text(dataset, Tags.SeriesInstanceUID) ?? '', description: text(dataset, Tags.SeriesDescription) ?? '', number: text(dataset, Tags.SeriesNumber) ?? '' };
}

export async function readInstance(source: ByteSource, signal?: AbortSignal): Promise<DicomInstance> {
  const name = source.name;
  const fail = (why: string): never => {
    throw new SlideError(`${name}: ${why}`);
  };
  const parsed = await readHeader(source, signal);
  const syntax = parsed.syntax;
  const ds = parsed.dataset;
  if (!parsed.pixelData) fail('corrupt DICOM file: no pixel data.');
  const samplesPerPixel = integer(ds, Tags.SamplesPerPixel) ?? 3;
  const frameCount = integer(ds, Tags.NumberOfFrames) ?? 1;
  if (frameCount < 1 || frameCount > LIMITS.maxTilesPerImage) fail(`corrupt DICOM file: ${frameCount} frames.`);
  const frameBytes = syntax!.codec === 'native' ? (integer(ds, Tags.Columns) ?? 0) * (integer(ds, Tags.Rows) ?? 0) * samplesPerPixel : 0;
  const locations = await frameLocations(source, ds, parsed.pixelData!, frameCount, frameBytes, signal);
  const frames: FrameSource = {
    name,
    size: source.size,
    read: async (i, s) => {
      const ranges = locations[i]!;
      if (ranges.length === 1) return source.read(ranges[0]![0], ranges[0]![1], s);
      return concatBytes(await Promise.all(ranges.map(([at, length]) => source.read(at, length, s))));
    },
    close: () => source.close?.(),
  };
  const instance = instanceFromDataset(ds, frames, syntax!, locations.map((ranges) => ranges.reduce((n, [, length]) => n + length, 0)));
  instance.level.frameOf(); // a file's frame layout is checked when it opens
  return instance;
}

/**
 * The instance a data set describes (from a file, or a server's metadata), with its frames from `frames`. `frameSizes`
 * (bytes per frame, when known before reading them) let the storage order be inferred for files that do not state it.
 * Where each frame goes is worked out when first needed: a server's large level has an item per frame to go through,
 * and the first view reads only the small levels.
 */
export function instanceFromDataset(ds: Dataset, frames: FrameSource, syntax: { codec: FrameCodec; name: string }, frameSizes?: readonly number[]): DicomInstance {
  const name = frames.name;
  const fail = (why: string): never => {
    throw new SlideError(`${name}: ${why}`);
  };
  const sop = text(ds, Tags.SOPClassUID);
  if (sop !== WSI_SOP_CLASS) fail(`a DICOM file, but not a whole-slide image (SOP class ${sop ?? 'missing'}, VL Whole Slide Microscopy is ${WSI_SOP_CLASS}).`);
  const flavour = (text(ds, Tags.ImageType) ?? '').split('\\')[2] ?? '';
  const tileWidth = integer(ds, Tags.Columns) ?? 0;
  const tileHeight = integer(ds, Tags.Rows) ?? 0;
  const width = integer(ds, Tags.TotalPixelMatrixColumns) ?? tileWidth;
  const height = integer(ds, Tags.TotalPixelMatrixRows) ?? tileHeight;
  const frameCount = integer(ds, Tags.NumberOfFrames) ?? 1;
  const samplesPerPixel = integer(ds, Tags.SamplesPerPixel) ?? 3;
  const bits = integer(ds, Tags.BitsAllocated) ?? 8;
  const photometric = text(ds, Tags.PhotometricInterpretation) ?? '';
  if (tileWidth < 1 || tileHeight < 1 || tileWidth > LIMITS.maxTileSide || tileHeight > LIMITS.maxTileSide) fail(`unsupported DICOM frame size ${tileWidth}×${tileHeight}.`);
  if (width < 1 || height < 1 || width > LIMITS.maxSide || height > LIMITS.maxSide) fail(`unsupported image size ${width}×${height}.`);
  if (bits !== 8) fail(`unsupported DICOM sample depth: ${bits} bits (8 supported).`);
  if (syntax.codec === 'native' && !['RGB', 'MONOCHROME2'].includes(photometric)) fail(`unsupported uncompressed colour space ${photometric || '(none)'} (RGB and MONOCHROME2 supported).`);
  if (frameCount < 1 || frameCount > LIMITS.maxTilesPerImage) fail(`corrupt DICOM file: ${frameCount} frames.`);
  const tilesAcross = Math.ceil(width / tileWidth);
  const tilesDown = Math.ceil(height / tileHeight);
  if (tilesAcross * tilesDown > LIMITS.maxTilesPerImage) fail(`too many tiles (${tilesAcross * tilesDown}).`);
  const frameOf = once(() => placeFrames(ds, frameCount, frameSizes, { width, height, tileWidth, tileHeight, tilesAcross, tilesDown }, fail));
  const mpp = micronsPerPixel(ds, width);
  const power = decimals(firstItem(ds, Tags.OpticalPathSequence), Tags.ObjectiveLensPower)[0];
  const magnification = power !== undefined && power > 0 && power <= 200 ? power : undefined;
  return {
    frames,
    seriesUid: text(ds, Tags.SeriesInstanceUID) ?? '',
    flavour: flavour || 'VOLUME',
    manufacturer: text(ds, Tags.Manufacturer) ?? '',
    syntaxName: syntax.name,
    ...(mpp !== undefined ? { mpp } : {}),
    ...(magnification !== undefined ? { magnification } : {}),
    details: describe(ds),
    ...(text(ds, Tags.ConcatenationUID) ? { concatenation: text(ds, Tags.ConcatenationUID) } : {}),
    level: { width, height, tileWidth, tileHeight, tilesAcross, tilesDown, frameOf, codec: syntax.codec, rgb: photometric === 'RGB', samplesPerPixel },
  };
}

/** What the status line and reports may show of an instance: how and what was scanned, never who (no patient tags). */
function describe(ds: Dataset): Record<string, string> {
  const specimens = (ds.get(Tags.SpecimenDescriptionSequence)?.items ?? []).map((item) => text(item, Tags.SpecimenIdentifier) ?? '').filter(Boolean);
  const entries: [string, string | undefined][] = [
    ['scanner', [text(ds, Tags.Manufacturer), text(ds, Tags.ManufacturerModelName)].filter(Boolean).join(' ')],
    ['study', text(ds, Tags.StudyDescription)],
    ['series', text(ds, Tags.SeriesDescription)],
    ['container', text(ds, Tags.ContainerIdentifier)],
    ['specimen', specimens.join(', ')],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => Boolean(e[1])).map(([k, v]) => [k, v.slice(0, 200)]));
}

/** JPEG (FFD8), JPEG 2000 (a codestream, FF4F, or a JP2 file) or PNG (a rendered frame); else uncompressed. */
function sniffCodec(bytes: Uint8Array): 'jpeg' | 'jp2k' | 'png' | 'native' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png'; // a rendered frame
  if ((bytes[0] === 0xff && bytes[1] === 0x4f) || (bytes[4] === 0x6a && bytes[5] === 0x50 && bytes[6] === 0x20 && bytes[7] === 0x20)) return 'jp2k';
  return 'native';
}

/**
 * A slide from several DICOM files: the instances are grouped by Series Instance UID and the one series makes the
 * pyramid. Files that are not DICOM, or several series at once, are refused naming them.
 */
export async function openDicomSeries(name: string, sources: readonly ByteSource[], codecs: Codecs, signal?: AbortSignal): Promise<DicomSlide> {
  const instances: DicomInstance[] = [];
  try {
    for (const source of sources) {
      if (!(await isDicom(source, signal))) throw new SlideError(`${source.name}: not a DICOM file (no DICM preamble); a series is opened from its DICOM files only.`);
      instances.push(await readInstance(source, signal));
    }
    const series = [...new Set(instances.map((i) => i.seriesUid))];
    if (series.length > 1) {
      const counts = series.map((uid) => `${uid || '(no UID)'}: ${instances.filter((i) => i.seriesUid === uid).length} files`);
      throw new SlideError(`${name}: the files belong to ${series.length} DICOM series (${counts.join('; ')}); open one series at a time.`);
    }
    const slide = DicomSlide.fromInstances(name, instances, codecs);
    const used = new Set(slide.frameSources());
    for (const i of instances) if (!used.has(i.frames)) i.frames.close();
    return slide;
  } catch (err) {
    for (const source of sources) source.close?.();
    throw err;
  }
}

function checkFrame(frame: { width: number; height: number }, l: Level, what: string): void {
  if (frame.width < 1 || frame.height < 1 || frame.width > l.tileWidth || frame.height > l.tileHeight) {
    throw new SlideError(`corrupt ${what} frame: ${frame.width}×${frame.height} pixels in a ${l.tileWidth}×${l.tileHeight} image.`);
  }
}

/**
 * Tile → frame. Per-frame positions when the file has them; else TILED_FULL order, row by row — unless the file does
 * not say TILED_FULL and its frames are evidently stored column by column (as some converters write them): the frames
 * on the right and bottom edges hold mostly padding and compress to far fewer bytes, so the order in which the small
 * frames fall on the edges tells the two apart.
 */
function placeFrames(ds: Dataset, frameCount: number, frameSizes: readonly number[] | undefined, g: TileGrid, fail: (why: string) => never): Int32Array {
  const frameOf = new Int32Array(g.tilesAcross * g.tilesDown).fill(-1);
  const perFrame = ds.get(Tags.PerFrameFunctionalGroupsSequence)?.items;
  const positions = perFrame?.map((item) => {
    const p = firstItem(item, Tags.PlanePositionSlideSequence);
    return [integer(p, Tags.ColumnPositionInTotalImagePixelMatrix), integer(p, Tags.RowPositionInTotalImagePixelMatrix)] as const;
  });
  if (positions && positions.length === frameCount && positions.every(([c, r]) => c !== undefined && r !== undefined)) {
    for (let i = 0; i < frameCount; i++) {
      const [c, r] = positions[i]!;
      const col = (c! - 1) / g.tileWidth;
      const row = (r! - 1) / g.tileHeight;
      if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= g.tilesAcross || row >= g.tilesDown) {
        fail(`corrupt DICOM file: frame ${i + 1} is positioned at (${c}, ${r}), not on the ${g.tileWidth}×${g.tileHeight} tile grid of the image.`);
      }
      const at = row * g.tilesAcross + col;
      if (frameOf[at]! < 0) frameOf[at] = i; // the first focal plane / optical path at a position
    }
    return frameOf;
  }
  const organisation = text(ds, Tags.DimensionOrganizationType);
  if (organisation === 'TILED_SPARSE') fail('corrupt DICOM file: TILED_SPARSE frames without per-frame positions.');
  // A concatenation's part holds frames from its offset on (Concatenation Frame Offset Number).
  const concatenationOffset = text(ds, Tags.ConcatenationUID) ? (integer(ds, Tags.ConcatenationFrameOffsetNumber) ?? 0) : undefined;
  if (concatenationOffset !== undefined) {
    if (concatenationOffset < 0 || concatenationOffset + frameCount > frameOf.length) fail(`corrupt DICOM file: concatenation frames ${concatenationOffset + 1}–${concatenationOffset + frameCount} for ${frameOf.length} tiles.`);
    for (let i = 0; i < frameCount; i++) frameOf[concatenationOffset + i] = i;
    return frameOf;
  }
  if (frameCount < frameOf.length) fail(`corrupt DICOM file: ${frameCount} frames for ${frameOf.length} tiles (TILED_FULL).`);
  const byColumns = organisation !== 'TILED_FULL' && frameSizes !== undefined && storedByColumns(frameSizes, g);
  for (let i = 0; i < frameOf.length; i++) {
    frameOf[i] = byColumns ? (i % g.tilesAcross) * g.tilesDown + Math.floor(i / g.tilesAcross) : i;
  }
  return frameOf;
}

/** Mean bytes of the frames a storage order puts on the partial right column and bottom row, relative to all frames. */
export function storedByColumns(frameSizes: readonly number[], g: TileGrid): boolean {
  const partialCol = g.width % g.tileWidth !== 0;
  const partialRow = g.height % g.tileHeight !== 0;
  if ((!partialCol && !partialRow) || g.tilesAcross < 2 || g.tilesDown < 2) return false;
  const edgeMean = (index: (col: number, row: number) => number) => {
    let sum = 0;
    let n = 0;
    for (let row = 0; row < g.tilesDown; row++)
      for (let col = 0; col < g.tilesAcross; col++) {
        if ((partialCol && col === g.tilesAcross - 1) || (partialRow && row === g.tilesDown - 1)) {
          sum += frameSizes[index(col, row)]!;
          n++;
        }
      }
    return sum / n;
  };
  const byRows = edgeMean((col, row) => row * g.tilesAcross + col);
  const byCols = edgeMean((col, row) => col * g.tilesDown + row);
  return byCols < byRows / 2; // a clear difference only; row by row is the standard
}

/** Byte ranges of every frame in the file: one range per fragment (a frame is usually one fragment). */
async function frameLocations(
  source: ByteSource,
  ds: Dataset,
  pixel: { valueOffset: number; length: number; encapsulated: boolean },
  frameCount: number,
  nativeFrameBytes: number,
  signal?: AbortSignal,
): Promise<[number, number][][]> {
  const name = source.name;
  const pastEnd = (what: string) => new SlideError(`${name}: corrupt DICOM file: ${what} points past the end of the file.`);
  if (!pixel.encapsulated) {
    if (pixel.valueOffset + nativeFrameBytes * frameCount > source.size || pixel.length < nativeFrameBytes * frameCount) {
      throw new SlideError(`${name}: the file is truncated: its pixel data needs ${(nativeFrameBytes * frameCount).toLocaleString('en')} bytes.`);
    }
    return Array.from({ length: frameCount }, (_, i) => [[pixel.valueOffset + i * nativeFrameBytes, nativeFrameBytes]]);
  }
  // Item headers are read through a 64 KiB window: frames are often a few KiB, so one read serves several headers
  // (a 9,216-frame level from disk: 490 ms with one read per header, 181 ms so).
  let window: Uint8Array = new Uint8Array(0);
  let windowAt = 0;
  const item = async (pos: number) => {
    if (pos + 8 > source.size) throw new SlideError(`${name}: the file is truncated: its pixel data ends early.`);
    if (pos < windowAt || pos + 8 > windowAt + window.length) {
      windowAt = pos;
      window = await source.read(pos, Math.min(WALK_WINDOW, source.size - pos), signal);
    }
    const v = new DataView(window.buffer, window.byteOffset + pos - windowAt, 8);
    return { tag: ((v.getUint16(0, true) << 16) | v.getUint16(2, true)) >>> 0, length: v.getUint32(4, true) };
  };
  // The first item is the Basic Offset Table (often empty).
  const bot = await item(pixel.valueOffset);
  if (bot.tag !== tag(0xfffe, 0xe000)) throw new SlideError(`${name}: corrupt DICOM file: the pixel data does not start with an offset table item.`);
  const firstFragment = pixel.valueOffset + 8 + bot.length;
  if (firstFragment > source.size) throw pastEnd('the Basic Offset Table');

  // Extended Offset Table (7FE0,0001/0002): where each frame's single fragment starts and how long it is; no walk.
  const eot = ds.get(Tags.ExtendedOffsetTable);
  const eotLengths = ds.get(Tags.ExtendedOffsetTableLengths);
  if (eot && eotLengths && eot.length === 8 * frameCount && eotLengths.length === 8 * frameCount) {
    const offsets = new DataView(eot.value.buffer, eot.value.byteOffset, eot.length);
    const lengths = new DataView(eotLengths.value.buffer, eotLengths.value.byteOffset, eotLengths.length);
    return Array.from({ length: frameCount }, (_, i) => {
      const at = firstFragment + Number(offsets.getBigUint64(i * 8, true)) + 8;
      const length = Number(lengths.getBigUint64(i * 8, true));
      if (at + length > source.size) throw pastEnd(`the Extended Offset Table (frame ${i + 1})`);
      return [[at, length]];
    });
  }
  let table: number[] | undefined;
  if (bot.length > 0) {
    if (bot.length !== 4 * frameCount) throw new SlideError(`${name}: corrupt DICOM file: the Basic Offset Table has ${bot.length / 4} entries for ${frameCount} frames.`);
    const b = await source.read(pixel.valueOffset + 8, bot.length, signal);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    table = Array.from({ length: frameCount }, (_, i) => v.getUint32(i * 4, true));
    for (const [i, offset] of table.entries()) if (firstFragment + offset + 8 > source.size) throw pastEnd(`the Basic Offset Table (frame ${i + 1})`);
  }
  // Walk the fragment items (one small read each).
  const fragments: [number, number][] = [];
  for (let pos = firstFragment; ; ) {
    const { tag: t, length } = await item(pos);
    if (t === tag(0xfffe, 0xe0dd)) break;
    if (t !== tag(0xfffe, 0xe000)) throw new SlideError(`${name}: corrupt DICOM file: no fragment item where one should be (byte ${pos}).`);
    if (pos + 8 + length > source.size) throw new SlideError(`${name}: the file is truncated: a frame of its pixel data runs past the end of the file.`);
    fragments.push([pos, length]);
    if (fragments.length > LIMITS.maxTilesPerImage) throw new SlideError(`${name}: corrupt DICOM file: too many fragments.`);
    pos += 8 + length;
  }
  if (fragments.length < frameCount) throw new SlideError(`${name}: corrupt DICOM file: ${frameCount} frames but only ${fragments.length} fragments of pixel data.`);
  if (fragments.length === frameCount) return fragments.map(([at, length]) => [[at + 8, length]]);
  if (!table) throw new SlideError(`${name}: corrupt DICOM file: ${fragments.length} fragments for ${frameCount} frames and no offset table to tell them apart.`);
  // Frames of several fragments: each frame is the fragments from its table entry up to the next one's.
  const starts = new Map(fragments.map(([at], i) => [at - firstFragment, i]));
  return table.map((offset, i) => {
    const from = starts.get(offset);
    const to = i + 1 < frameCount ? starts.get(table![i + 1]!) : fragments.length;
    if (from === undefined || to === undefined || to <= from) throw new SlideError(`${name}: corrupt DICOM file: the Basic Offset Table does not match the fragments (frame ${i + 1}).`);
    return fragments.slice(from, to).map(([at, length]) => [at + 8, length] as [number, number]);
  });
}

function micronsPerPixel(ds: Dataset, width: number): number | undefined {
  const shared = firstItem(ds, Tags.SharedFunctionalGroupsSequence);
  const spacing = decimals(firstItem(shared, Tags.PixelMeasuresSequence), Tags.PixelSpacing);
  const mm = spacing[1] ?? spacing[0];
  if (mm !== undefined && mm > 0 && mm < 1) return mm * 1000;
  const volumeWidth = decimals(ds, Tags.ImagedVolumeWidth)[0];
  if (volumeWidth !== undefined && volumeWidth > 0 && width > 0) return (volumeWidth / width) * 1000;
  return undefined;
}

function nativeToRgba(raw: Uint8Array, l: Level): RGBAImage {
  const n = l.tileWidth * l.tileHeight;
  const data = new Uint8ClampedArray(n * 4);
  const spp = l.samplesPerPixel;
  for (let i = 0; i < n; i++) {
    const s = i * spp;
    data[i * 4] = raw[s]!;
    data[i * 4 + 1] = raw[spp >= 3 ? s + 1 : s]!;
    data[i * 4 + 2] = raw[spp >= 3 ? s + 2 : s]!;
    data[i * 4 + 3] = 255;
  }
  return { width: l.tileWidth, height: l.tileHeight, data };
}
