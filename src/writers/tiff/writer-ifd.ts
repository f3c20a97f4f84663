// Serialises TIFF / BigTIFF image file directories (little-endian). A directory's byte size depends only on its
// entries' types and counts, so the writer can reserve space up front and fill in tile offsets at the end.

import { FIELD_TYPE_SIZE } from '../../slide/tiff/tags.ts';

export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  UNDEFINED: 7,
  IFD: 13,
  LONG8: 16,
  IFD8: 18,
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

export interface IfdEntry {
  tag: number;
  type: FieldType;
  /** Numbers (RATIONAL takes numerator, denominator pairs), raw bytes, or text (ASCII gets its NUL added). */
  values: readonly number[] | Uint8Array | string;
}

function valueCount(entry: IfdEntry): number {
  const v = entry.values;
  if (typeof v === 'string') return new TextEncoder().encode(v).length + 1;
  if (entry.type === FieldType.RATIONAL) return v.length / 2;
  return v.length;
}

function payloadSize(entry: IfdEntry): number {
  return valueCount(entry) * FIELD_TYPE_SIZE[entry.type]!;
}

/** Bytes taken by a directory plus its out-of-line values, padded to an even size. */
export function ifdByteSize(entries: readonly IfdEntry[], bigTiff: boolean): number {
  const inline = bigTiff ? 8 : 4;
  let size = bigTiff ? 8 + entries.length * 20 + 8 : 2 + entries.length * 12 + 4;
  for (const e of entries) {
    const n = payloadSize(e);
    if (n > inline) size += n + (n & 1);
  }
  return size;
}

/** Writes the directory at file offset `at`, its out-of-line values right after it; returns the bytes. */
export function serializeIfd(entries: readonly IfdEntry[], at: number, nextIfd: number, bigTiff: boolean): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const size = ifdByteSize(sorted, bigTiff);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const inline = bigTiff ? 8 : 4;
  let p = 0;
  let extra = bigTiff ? 8 + sorted.length * 20 + 8 : 2 + sorted.length * 12 + 4;
  const putOffset = (pos: number, value: number) => {
    if (bigTiff) view.setBigUint64(pos, BigInt(value), true);
    else view.setUint32(pos, value, true);
  };
  if (bigTiff) {
    view.setBigUint64(0, BigInt(sorted.length), true);
    p = 8;
  } else {
    view.setUint16(0, sorted.length, true);
    p = 2;
  }
  for (const e of sorted) {
    view.setUint16(p, e.tag, true);
    view.setUint16(p + 2, e.type, true);
    const count = valueCount(e);
    putOffset(p + 4, count);
    const valuePos = p + (bigTiff ? 12 : 8);
    const n = payloadSize(e);
    let dataPos = valuePos;
    if (n > inline) {
      putOffset(valuePos, at + extra);
      dataPos = extra;
      extra += n + (n & 1);
    }
    writeValues(view, bytes, dataPos, e);
    p += bigTiff ? 20 : 12;
  }
  putOffset(p, nextIfd);
  return bytes;
}

function writeValues(view: DataView, bytes: Uint8Array, pos: number, e: IfdEntry): void {
  const v = e.values;
  if (typeof v === 'string') {
    bytes.set(new TextEncoder().encode(v), pos);
    return;
  }
  if (v instanceof Uint8Array) {
    bytes.set(v, pos);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? 0;
    switch (e.type) {
      case FieldType.BYTE:
      case FieldType.UNDEFINED:
        view.setUint8(pos + i, x);
        break;
      case FieldType.SHORT:
        view.setUint16(pos + i * 2, x, true);
        break;
      case FieldType.LONG8:
      case FieldType.IFD8:
        view.setBigUint64(pos + i * 8, BigInt(x), true);
        break;
      default: // LONG, IFD, and RATIONAL as flattened LONG pairs
        view.setUint32(pos + i * 4, x, true);
    }
  }
}

/** The 8-byte (classic) or 16-byte (BigTIFF) header pointing at the first directory. */
export function tiffHeader(firstIfd: number, bigTiff: boolean): Uint8Array {
  const bytes = new Uint8Array(bigTiff ? 16 : 8);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x49;
  bytes[1] = 0x49;
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setBigUint64(8, BigInt(firstIfd), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfd, true);
  }
  return bytes;
}
