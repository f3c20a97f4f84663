// Streaming writer of tiled (or stripped) pyramidal TIFF. Level 0 comes from a row source band by band; each
// lower level is the 2×2 box average of the one above, built from the same bands, so memory stays at about two
// full-width bands whatever the slide size. Directories are reserved right after the header (their size is known
// in advance) and filled in at the end, so readers find all metadata in the first bytes of the file.
import { open, type FileHandle } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { RGBAImage } from '../../slide/types.ts';
import { FieldType, ifdByteSize, serializeIfd, tiffHeader, type IfdEntry } from './writer-ifd.ts';
import { JpegEncoder } from './writer-jpeg.ts';
import { lzwEncode } from './writer-lzw.ts';

export type TiffCompression = 'jpeg' | 'none' | 'deflate' | 'lzw';
/** chain: every level in the main IFD chain; subifd: reduced levels in level 0's SubIFDs (OME style); single: level 0 only. */
export type TiffLayout = 'chain' | 'subifd' | 'single';

/** Level-0 pixels, read top to bottom in full-width bands. */
export interface RowSource {
  readonly width: number;
  readonly height: number;
  /** RGBA rows [y, y + height), `width` pixels each. */
  readRows(y: number, height: number): RGBAImage | Promise<RGBAImage>;
}

/** Where the bytes go: positional writes (the directories are written last, near the start). */
export interface ByteSink {
  write(bytes: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

export interface TiffWriterOptions {
  compression?: TiffCompression;
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
  /** JPEG: put the quantisation and Huffman tables once in JPEGTables (347) and abbreviate the tiles (default true). */
  jpegTables?: boolean;
  layout?: TiffLayout;
  /** Tile edge in pixels, a multiple of 16 (default 256). */
  tileSize?: number;
  /** Single layout only: write strips of this many rows (a multiple of 16) instead of tiles. */
  rowsPerStrip?: number;
  /** BigTIFF: 'auto' (default) switches to it when a classic TIFF could pass 4 GB. */
  bigTiff?: boolean | 'auto';
  /** ImageDescription (270) of level 0. */
  description?: string;
  software?: string;
  /** Microns per pixel of level 0, written as X/YResolution in pixels per cm (default 0.5). */
  micronsPerPixel?: number;
  /** Called after each band of level 0 with the rows done so far. */
  onProgress?(rowsDone: number, rowsTotal: number): void;
}

export interface TiffLevelSummary {
  width: number;
  height: number;
  tiles: number;
}

export interface TiffWriteSummary {
  bytes: number;
  bigTiff: boolean;
  levels: TiffLevelSummary[];
}

const CLASSIC_LIMIT = 2 ** 32;
const FLUSH_BYTES = 8 << 20;

interface Level {
  width: number;
  height: number;
  /** Tile (or strip) grid. */
  unitWidth: number;
  unitHeight: number;
  across: number;
  down: number;
  offsets: number[];
  byteCounts: number[];
  /** Rows waiting to be encoded: up to one band of `bandRows`. */
  band: Uint8ClampedArray;
  bandRows: number;
  filled: number;
  /** Level row of band[0]. */
  bandTop: number;
}

/** Level sizes: halve (rounding up) until the level fits in one tile. */
export function pyramidLevelSizes(width: number, height: number, tileSize: number, layout: TiffLayout): { width: number; height: number }[] {
  const sizes = [{ width, height }];
  if (layout === 'single') return sizes;
  let w = width;
  let h = height;
  while (w > tileSize || h > tileSize) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sizes.push({ width: w, height: h });
  }
  return sizes;
}

export async function writeTiffFile(path: string, source: RowSource, options: TiffWriterOptions = {}): Promise<TiffWriteSummary> {
  const handle = await open(path, 'w');
  return writeTiff(fileSink(handle), source, options);
}

export function fileSink(handle: FileHandle): ByteSink {
  return {
    async write(bytes, position) {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

/** Collects the file in memory (tests, small images). */
export class MemorySink implements ByteSink {
  private chunks: { bytes: Uint8Array; position: number }[] = [];
  async write(bytes: Uint8Array, position: number): Promise<void> {
    this.chunks.push({ bytes: bytes.slice(), position });
  }
  async close(): Promise<void> {}
  toBytes(): Uint8Array {
    const size = this.chunks.reduce((m, c) => Math.max(m, c.position + c.bytes.length), 0);
    const out = new Uint8Array(size);
    for (const c of this.chunks) out.set(c.bytes, c.position);
    return out;
  }
}

export async function writeTiff(sink: ByteSink, source: RowSource, options: TiffWriterOptions = {}): Promise<TiffWriteSummary> {
  try {
    return await new TiffWriter(sink, source, options).run();
  } finally {
    await sink.close();
  }
}

class TiffWriter {
  private readonly compression: TiffCompression;
  private readonly layout: TiffLayout;
  private readonly tileSize: number;
  private readonly stripped: boolean;
  private readonly bigTiff: boolean;
  private readonly jpeg?: JpegEncoder;
  private readonly jpegTables?: Uint8Array;
  private readonly levels: Level[];
  private position = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingStart = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly source: RowSource,
    private readonly options: TiffWriterOptions,
  ) {
    const { width, height } = source;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new Error(`bad image size ${width}×${height}.`);
    }
    this.compression = options.compression ?? 'jpeg';
    this.layout = options.layout ?? 'chain';
    this.tileSize = options.tileSize ?? 256;
    if (this.tileSize % 16 !== 0 || this.tileSize <= 0) throw new Error(`tile size must be a positive multiple of 16, not ${this.tileSize}.`);
    const rowsPerStrip = options.rowsPerStrip;
    this.stripped = rowsPerStrip !== undefined;
    if (rowsPerStrip !== undefined) {
      if (this.layout !== 'single') throw new Error('strips are only written with the single-level layout.');
      if (rowsPerStrip % 16 !== 0 || rowsPerStrip <= 0) throw new Error(`rows per strip must be a positive multiple of 16, not ${rowsPerStrip}.`);
    }
    if (this.compression === 'jpeg') {
      const quality = options.quality ?? 90;
      if (!(quality >= 1 && quality <= 100)) throw new Error(`JPEG quality must be 1–100, not ${quality}.`);
      this.jpeg = new JpegEncoder({ quality });
      if (options.jpegTables ?? true) this.jpegTables = this.jpeg.tablesStream();
    }
    this.levels = pyramidLevelSizes(width, height, this.tileSize, this.layout).map((size) => {
      const unitWidth = this.stripped ? size.width : this.tileSize;
      const unitHeight = this.stripped ? Math.min(rowsPerStrip ?? 0, size.height) : this.tileSize;
      const across = Math.ceil(size.width / unitWidth);
      const down = Math.ceil(size.height / unitHeight);
      const bandRows = Math.min(size.height, unitHeight * Math.max(1, Math.round(this.tileSize / unitHeight)));
      return {
        ...size,
        unitWidth,
        unitHeight,
        across,
        down,
        offsets: new Array<number>(across * down).fill(0),
        byteCounts: new Array<number>(across * down).fill(0),
        band: new Uint8ClampedArray(size.width * bandRows * 4),
        bandRows,
        filled: 0,
        bandTop: 0,
      };
    });
    const widest = Math.max(...this.levels.map((l) => Math.max(l.unitWidth, l.unitHeight)));
    if (this.jpeg && widest > 65535) throw new Error(`JPEG frames are limited to 65535 pixels a side; a ${widest}-pixel strip needs tiles.`);
    this.bigTiff = options.bigTiff === 'auto' || options.bigTiff === undefined ? this.worstCaseBytes() >= CLASSIC_LIMIT : options.bigTiff;
  }

  async run(): Promise<TiffWriteSummary> {
    const ifdStart = this.bigTiff ? 16 : 8;
    const sizes = this.directories(new Array(this.levels.length).fill(0)).map((d) => ifdByteSize(d, this.bigTiff));
    const ifdOffsets: number[] = [];
    let at = ifdStart;
    for (const size of sizes) {
      ifdOffsets.push(at);
      at += size;
    }
    this.position = at;
    this.pendingStart = at;

    const { width, height } = this.source;
    const level0 = this.levels[0];
    if (!level0) throw new Error('no levels');
    for (let y = 0; y < height; y += level0.bandRows) {
      const rows = Math.min(level0.bandRows, height - y);
      const image = await this.source.readRows(y, rows);
      if (image.width !== width || image.height !== rows || image.data.length < width * rows * 4) {
        throw new Error(`row source returned ${image.width}×${image.height} for rows ${y}–${y + rows}, expected ${width}×${rows}.`);
      }
      await this.addRows(0, image.data, rows);
      this.options.onProgress?.(y + rows, height);
    }
    for (let i = 0; i < this.levels.length; i++) {
      const level = this.levels[i];
      if (level && level.filled > 0) await this.flushBand(i);
    }
    await this.flush();

    const directories = this.directories(ifdOffsets);
    const header = tiffHeader(ifdOffsets[0] ?? ifdStart, this.bigTiff);
    const chunks = [header];
    directories.forEach((entries, i) => {
      const next = this.layout === 'chain' ? (ifdOffsets[i + 1] ?? 0) : 0;
      chunks.push(serializeIfd(entries, ifdOffsets[i] ?? 0, next, this.bigTiff));
    });
    await this.sink.write(concat(chunks), 0);
    return {
      bytes: this.position,
      bigTiff: this.bigTiff,
      levels: this.levels.map((l) => ({ width: l.width, height: l.height, tiles: l.across * l.down })),
    };
  }

  /** Appends `rows` rows to a level's band, encoding and downsampling each band as it fills. */
  private async addRows(index: number, data: Uint8ClampedArray, rows: number): Promise<void> {
    const level = this.levels[index];
    if (!level) return;
    const rowBytes = level.width * 4;
    let done = 0;
    while (done < rows) {
      const take = Math.min(rows - done, level.bandRows - level.filled);
      level.band.set(data.subarray(done * rowBytes, (done + take) * rowBytes), level.filled * rowBytes);
      level.filled += take;
      done += take;
      if (level.filled === level.bandRows || level.bandTop + level.filled === level.height) await this.flushBand(index);
    }
  }

  private async flushBand(index: number): Promise<void> {
    const level = this.levels[index];
    if (!level || level.filled === 0) return;
    const rows = level.filled;
    const firstUnitRow = level.bandTop / level.unitHeight;
    for (let uy = 0; uy * level.unitHeight < rows; uy++) {
      const y = uy * level.unitHeight;
      const h = Math.min(level.unitHeight, rows - y);
      for (let ux = 0; ux < level.across; ux++) {
        const x = ux * level.unitWidth;
        const w = Math.min(level.unitWidth, level.width - x);
        const bytes = this.encodeUnit(level, x, y, w, h);
        const i = (firstUnitRow + uy) * level.across + ux;
        level.offsets[i] = this.position;
        level.byteCounts[i] = bytes.length;
        await this.append(bytes);
      }
    }
    const next = this.levels[index + 1];
    level.bandTop += rows;
    level.filled = 0;
    if (next) {
      const half = halve(level.band, level.width, rows, next.width);
      await this.addRows(index + 1, half, Math.ceil(rows / 2));
    }
  }

  /** One tile (padded to full size by repeating the edge) or strip (never padded) as stored bytes. */
  private encodeUnit(level: Level, x: number, y: number, w: number, h: number): Uint8Array {
    const frameW = this.stripped ? w : level.unitWidth;
    const frameH = this.stripped ? h : level.unitHeight;
    if (this.jpeg) return this.jpeg.encode(level.band, level.width, x, y, w, h, frameW, frameH, !this.jpegTables);
    const raw = new Uint8Array(frameW * frameH * 3);
    for (let r = 0; r < frameH; r++) {
      const src = ((y + Math.min(r, h - 1)) * level.width + x) * 4;
      let o = r * frameW * 3;
      for (let c = 0; c < frameW; c++) {
        const s = src + Math.min(c, w - 1) * 4;
        raw[o++] = level.band[s] ?? 0;
        raw[o++] = level.band[s + 1] ?? 0;
        raw[o++] = level.band[s + 2] ?? 0;
      }
    }
    if (this.compression === 'deflate') return deflateSync(raw, { level: 6 });
    if (this.compression === 'lzw') return lzwEncode(raw);
    return raw;
  }

  private async append(bytes: Uint8Array): Promise<void> {
    if (!this.bigTiff && this.position + bytes.length > CLASSIC_LIMIT) {
      throw new Error('the file would pass the 4 GB limit of classic TIFF; write BigTIFF instead (bigTiff: true / --bigtiff).');
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    await this.sink.write(concat(this.pending), this.pendingStart);
    this.pendingStart += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Upper bound of the file size, to choose between classic TIFF and BigTIFF before writing. */
  private worstCaseBytes(): number {
    const perByte = this.compression === 'jpeg' ? ((this.options.quality ?? 90) > 95 ? 2 : 1) : this.compression === 'lzw' ? 1.6 : 1.01;
    let total = 1 << 20;
    for (const l of this.levels) total += l.across * l.down * (l.unitWidth * l.unitHeight * 3 * perByte + 1024 + 16);
    return total;
  }

  /** Directory entries for every level, given where each directory will live (for SubIFDs). */
  private directories(ifdOffsets: number[]): IfdEntry[][] {
    const big = this.bigTiff;
    const long = big ? FieldType.LONG8 : FieldType.LONG;
    const mpp = this.options.micronsPerPixel ?? 0.5;
    const level0 = this.levels[0];
    return this.levels.map((level, i) => {
      const entries: IfdEntry[] = [
        { tag: 254, type: FieldType.LONG, values: [i === 0 ? 0 : 1] },
        { tag: 256, type: FieldType.LONG, values: [level.width] },
        { tag: 257, type: FieldType.LONG, values: [level.height] },
        { tag: 258, type: FieldType.SHORT, values: [8, 8, 8] },
        { tag: 259, type: FieldType.SHORT, values: [COMPRESSION_CODE[this.compression]] },
        { tag: 262, type: FieldType.SHORT, values: [this.jpeg ? 6 : 2] },
        { tag: 277, type: FieldType.SHORT, values: [3] },
        { tag: 282, type: FieldType.RATIONAL, values: resolution(mpp, level.width, level0?.width ?? level.width) },
        { tag: 283, type: FieldType.RATIONAL, values: resolution(mpp, level.height, level0?.height ?? level.height) },
        { tag: 284, type: FieldType.SHORT, values: [1] },
        { tag: 296, type: FieldType.SHORT, values: [3] },
      ];
      if (i === 0 && this.options.description) entries.push({ tag: 270, type: FieldType.ASCII, values: this.options.description });
      if (this.options.software) entries.push({ tag: 305, type: FieldType.ASCII, values: this.options.software });
      if (this.stripped) {
        entries.push(
          { tag: 273, type: long, values: level.offsets },
          { tag: 278, type: FieldType.LONG, values: [level.unitHeight] },
          { tag: 279, type: FieldType.LONG, values: level.byteCounts },
        );
      } else {
        entries.push(
          { tag: 322, type: FieldType.LONG, values: [level.unitWidth] },
          { tag: 323, type: FieldType.LONG, values: [level.unitHeight] },
          { tag: 324, type: long, values: level.offsets },
          { tag: 325, type: FieldType.LONG, values: level.byteCounts },
        );
      }
      if (this.jpegTables) entries.push({ tag: 347, type: FieldType.UNDEFINED, values: this.jpegTables });
      if (this.jpeg) {
        entries.push(
          { tag: 530, type: FieldType.SHORT, values: [2, 2] },
          { tag: 532, type: FieldType.RATIONAL, values: [0, 1, 255, 1, 128, 1, 255, 1, 128, 1, 255, 1] },
        );
      }
      if (i === 0 && this.layout === 'subifd' && this.levels.length > 1) {
        entries.push({ tag: 330, type: big ? FieldType.IFD8 : FieldType.IFD, values: ifdOffsets.slice(1) });
      }
      return entries;
    });
  }
}

const COMPRESSION_CODE: Record<TiffCompression, number> = { none: 1, lzw: 5, jpeg: 7, deflate: 8 };

/** Pixels per centimetre as a RATIONAL, scaled for a reduced level's actual size ratio. */
function resolution(mpp: number, levelSize: number, level0Size: number): number[] {
  let num = Math.round((10000 / mpp) * levelSize);
  let den = level0Size;
  const g = gcd(num, den);
  num /= g;
  den /= g;
  while (num > 0xffffffff || den > 0xffffffff) {
    num = Math.round(num / 2);
    den = Math.round(den / 2);
  }
  return [num, Math.max(1, den)];
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/** 2×2 box average of `rows` rows (odd edges average with themselves), rounded to nearest. */
export function halve(src: Uint8ClampedArray, width: number, rows: number, outWidth: number): Uint8ClampedArray {
  const outRows = Math.ceil(rows / 2);
  const out = new Uint8ClampedArray(outWidth * outRows * 4);
  for (let oy = 0; oy < outRows; oy++) {
    const r0 = oy * 2 * width * 4;
    const r1 = Math.min(oy * 2 + 1, rows - 1) * width * 4;
    let o = oy * outWidth * 4;
    for (let ox = 0; ox < outWidth; ox++) {
      const c0 = ox * 8;
      const c1 = Math.min(ox * 2 + 1, width - 1) * 4;
      for (let k = 0; k < 4; k++) {
        out[o++] = ((src[r0 + c0 + k] ?? 0) + (src[r0 + c1 + k] ?? 0) + (src[r1 + c0 + k] ?? 0) + (src[r1 + c1 + k] ?? 0) + 2) >> 2;
      }
    }
  }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
