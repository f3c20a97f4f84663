import { LIMITS } from '../limits.ts';
import { SlideError, type ByteSource } from '../types.ts';
import { FIELD_TYPE_SIZE } from './tags.ts';


export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Value bytes when they fit in the entry itself. */
  inline?: Uint8Array;
  /** Otherwise, where the value bytes are. */
  offset: number;
}

/** One image file directory: its entries, read lazily, and the offset of the next IFD. */
export interface Ifd {
  offset: number;
  entries: Map<number, IfdEntry>;
  next: number;
}

/** The parsed header and directory reader of a classic or BigTIFF file. */
export class TiffReader {
  private readonly cache = new Map<string, Promise<number[] | string | Uint8Array>>();

  private constructor(
    readonly source: ByteSource,
    readonly littleEndian: boolean,
    readonly bigTiff: boolean,
    readonly firstIfd: number,
  ) {}

  static async open(source: ByteSource, signal?: AbortSignal): Promise<TiffReader> {
    if (source.size === 0) throw new SlideError(`${source.name}: the file is empty (0 bytes).`);
    if (source.size < 8) throw new SlideError(`${source.name}: not a TIFF file (only ${source.size} bytes).`);
    const head = await source.read(0, Math.min(16, source.size), signal);
    const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
    if (order !== 'II' && order !== 'MM') throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
    const le = order === 'II';
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const magic = view.getUint16(2, le);
    if (magic === 42) return new TiffReader(source, le, false, view.getUint32(4, le));
    if (magic === 43) {
      if (head.byteLength < 16) throw new SlideError(`${source.name}: the file is truncated (BigTIFF header incomplete).`);
      if (view.getUint16(4, le) !== 8) throw new SlideError(`${source.name}: unsupported BigTIFF offset size.`);
      return new TiffReader(source, le, true, toSafeNumber(view.getBigUint64(8, le), source.name));
    }
    throw new SlideError(`${source.name}: not a TIFF file (byte order mark but magic number ${magic}).`);
  }

  async readIfd(offset: number, signal?: AbortSignal): Promise<Ifd> {
    const name = this.source.name;
    const countSize = this.bigTiff ? 8 : 2;
    const entrySize = this.bigTiff ? 20 : 12;
    const offsetSize = this.bigTiff ? 8 : 4;
    if (offset < 8 || offset + countSize > this.source.size) {
      throw new SlideError(`${name}: the file is truncated or corrupt: an image directory offset (${offset}) lies outside the file (${this.source.size} bytes).`);
    }
    const countBytes = await this.source.read(offset, countSize, signal);
    const cv = view(countBytes);
    const count = this.bigTiff ? toSafeNumber(cv.getBigUint64(0, this.littleEndian), name) : cv.getUint16(0, this.littleEndian);
    if (count === 0 || count > LIMITS.maxEntriesPerIfd) {
      throw new SlideError(`${name}: corrupt image directory at byte ${offset} (${count} entries${count > LIMITS.maxEntriesPerIfd ? `, more than the ${LIMITS.maxEntriesPerIfd} supported` : ''}).`);
    }
    const tableLength = count * entrySize + offsetSize;
    if (offset + countSize + tableLength > this.source.size) {
      throw new SlideError(`${name}: the file is truncated: the image directory at byte ${offset} runs past the end of the file.`);
    }
    const table = await this.source.read(offset + countSize, tableLength, signal);
    const tv = view(table);
    const entries = new Map<number, IfdEntry>();
    for (let i = 0; i < count; i++) {
      const at = i * entrySize;
      const tag = tv.getUint16(at, this.littleEndian);
      const type = tv.getUint16(at + 2, this.littleEndian);
      const n = this.bigTiff ? toSafeNumber(tv.getBigUint64(at + 4, this.littleEndian), name) : tv.getUint32(at + 4, this.littleEndian);
      const size = FIELD_TYPE_SIZE[type];
      if (size === undefined) continue; // unknown field types are skipped, as the TIFF spec asks
      const valueAt = at + (this.bigTiff ? 12 : 8);
      const bytes = size * n;
      if (bytes <= offsetSize) {
        entries.set(tag, { tag, type, count: n, inline: table.slice(valueAt, valueAt + bytes), offset: 0 });
      } else {
        const valueOffset = this.bigTiff
          ? toSafeNumber(tv.getBigUint64(valueAt, this.littleEndian), name)
          : tv.getUint32(valueAt, this.littleEndian);
        entries.set(tag, { tag, type, count: n, offset: valueOffset });
      }
    }
    const next = this.bigTiff
      ? toSafeNumber(tv.getBigUint64(count * entrySize, this.littleEndian), name)
      : tv.getUint32(count * entrySize, this.littleEndian);
    return { offset, entries, next };
  }

  /** All IFDs of the main chain, refusing loops and runaway chains. */
  async readChain(signal?: AbortSignal): Promise<Ifd[]> {
    const seen = new Set<number>();
    const ifds: Ifd[] = [];
    let offset = this.firstIfd;
    while (offset !== 0) {
      if (seen.has(offset)) throw new SlideError(`${this.source.name}: corrupt file: its image directories form a loop (at byte ${offset}).`);
      if (ifds.length >= LIMITS.maxIfds) throw new SlideError(`${this.source.name}: corrupt file: more than ${LIMITS.maxIfds} image directories.`);
      seen.add(offset);
      const ifd = await this.readIfd(offset, signal);
      ifds.push(ifd);
      offset = ifd.next;
    }
    if (ifds.length === 0) throw new SlideError(`${this.source.name}: the TIFF file has no images.`);
    return ifds;
  }

  private async rawValue(ifd: Ifd, entry: IfdEntry, signal?: AbortSignal): Promise<Uint8Array> {
    if (entry.inline) return entry.inline;
    const bytes = (FIELD_TYPE_SIZE[entry.type] ?? 1) * entry.count;
    if (bytes > LIMITS.maxValueBytes) {
      throw new SlideError(`${this.source.name}: corrupt image directory at byte ${ifd.offset}: tag ${entry.tag} claims ${entry.count} values (${bytes} bytes, more than the ${LIMITS.maxValueBytes / 2 ** 20} MiB limit).`);
    }
    return this.source.read(entry.offset, bytes, signal);
  }

  /** Numeric values of a tag (rationals as numerator/denominator), or undefined when absent. */
  async numbers(ifd: Ifd, tag: number, signal?: AbortSignal): Promise<number[] | undefined> {
    const entry = ifd.entries.get(tag);
    if (!entry) return undefined;
    const key = `n${ifd.offset}:${tag}`;
    let pending = this.cache.get(key) as Promise<number[]> | undefined;
    if (!pending) {
      pending = this.rawValue(ifd, entry, signal).then((raw) => decodeNumbers(raw, entry.type, entry.count, this.littleEndian, this.source.name));
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  async number(ifd: Ifd, tag: number, signal?: AbortSignal): Promise<number | undefined> {
    return (await this.numbers(ifd, tag, signal))?.[0];
  }

  async text(ifd: Ifd, tag: number, signal?: AbortSignal): Promise<string | undefined> {
    const entry = ifd.entries.get(tag);
    if (!entry) return undefined;
    const raw = await this.rawValue(ifd, entry, signal);
    return new TextDecoder('utf-8').decode(raw).replace(/\0+$/, '');
  }

  async bytes(ifd: Ifd, tag: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const entry = ifd.entries.get(tag);
    return entry ? this.rawValue(ifd, entry, signal) : undefined;
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toSafeNumber(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new SlideError(`${name}: corrupt file: an offset or count is too large (${value}).`);
  return Number(value);
}

function decodeNumbers(raw: Uint8Array, type: number, count: number, le: boolean, name: string): number[] {
  const v = view(raw);
  const out: number[] = new Array(type === 5 || type === 10 ? count : count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 1: case 2: case 7: out[i] = v.getUint8(i); break;
      case 6: out[i] = v.getInt8(i); break;
      case 3: out[i] = v.getUint16(i * 2, le); break;
      case 8: out[i] = v.getInt16(i * 2, le); break;
      case 4: case 13: out[i] = v.getUint32(i * 4, le); break;
      case 9: out[i] = v.getInt32(i * 4, le); break;
      case 11: out[i] = v.getFloat32(i * 4, le); break;
      case 12: out[i] = v.getFloat64(i * 8, le); break;
      case 16: case 18: out[i] = toSafeNumber(v.getBigUint64(i * 8, le), name); break;
      case 17: out[i] = Number(v.getBigInt64(i * 8, le)); break;
      case 5: { const d = v.getUint32(i * 8 + 4, le); out[i] = d === 0 ? 0 : v.getUint32(i * 8, le) / d; break; }
      case 10: { const d = v.getInt32(i * 8 + 4, le); out[i] = d === 0 ? 0 : v.getInt32(i * 8, le) / d; break; }
      default: out[i] = 0;
    }
  }
  return out;
}

/** A helpful guess at what a non-TIFF file is, for the error message. */
export function describeNonTiff(head: Uint8Array): string {
  const b = Array.from(head.subarray(0, 8));
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'not a slide: this is a PNG image, not a TIFF/SVS file (was it renamed?). Open it as an image or with Quick check.';
  if (b[0] === 0xff && b[1] === 0xd8) return 'not a slide: this is a JPEG image, not a TIFF/SVS file (was it renamed?). Open it as an image or with Quick check.';
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'not a slide: this is a PDF document.';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'not a slide: this is a ZIP archive (for MRXS/VSI-style multi-file slides, unpack and open the TIFF/SVS inside, if any).';
  return 'not a slide: the file does not start with a TIFF header (II*/MM*), so it is not an SVS, TIFF or OME-TIFF file.';
}
