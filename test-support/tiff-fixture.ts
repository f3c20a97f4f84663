// Builds small classic little-endian TIFF files in memory for tests of the reader (structure, pyramids, corruption).
import { FIELD_TYPE_SIZE } from '../src/slide/tiff/tags.ts';

export type TagValue = { type: 3 | 4 | 2 | 7 | 5; values: number[] | string | Uint8Array };

export interface FixtureImage {
  tags: Record<number, TagValue>;
  /** Tile or strip payloads; their offsets/byte counts are filled into tags 324/325 (or 273/279 with `strips`). */
  tiles: Uint8Array[];
  strips?: boolean;
  /** SubIFDs (tag 330) of this image. */
  subIfds?: FixtureImage[];
}

/** Writes images as a main IFD chain; returns the bytes and the offset of every IFD in the order written (SubIFDs before their parent). */
export function buildTiff(images: FixtureImage[]): { bytes: Uint8Array; ifdOffsets: number[] } {
  const chunks: Uint8Array[] = [];
  let size = 8;
  const append = (bytes: Uint8Array): number => {
    const at = size;
    chunks.push(bytes);
    size += bytes.length;
    if (size % 2) { chunks.push(new Uint8Array(1)); size++; }
    return at;
  };
  const ifdOffsets: number[] = [];

  const writeImage = (image: FixtureImage): { patchNext: (next: number) => void; offset: number } => {
    const tags: Record<number, TagValue> = { ...image.tags };
    const offsets = image.tiles.map((t) => append(t));
    tags[image.strips ? 273 : 324] = { type: 4, values: offsets };
    tags[image.strips ? 279 : 325] = { type: 4, values: image.tiles.map((t) => t.length) };
    if (image.subIfds?.length) {
      const subs = image.subIfds.map((sub) => writeImage(sub));
      subs.forEach((s) => s.patchNext(0));
      tags[330] = { type: 4, values: subs.map((s) => s.offset) };
    }
    const ids = Object.keys(tags).map(Number).sort((a, b) => a - b);
    const entries = new Uint8Array(2 + ids.length * 12 + 4);
    const view = new DataView(entries.buffer);
    view.setUint16(0, ids.length, true);
    const pending: { at: number; data: Uint8Array }[] = [];
    ids.forEach((id, i) => {
      const tag = tags[id]!;
      const raw = encode(tag);
      const count = typeof tag.values === 'string' ? raw.length : tag.type === 5 ? tag.values.length / 2 : tag.values.length;
      const at = 2 + i * 12;
      view.setUint16(at, id, true);
      view.setUint16(at + 2, tag.type, true);
      view.setUint32(at + 4, count, true);
      if (raw.length <= 4) entries.set(raw, at + 8);
      else pending.push({ at: at + 8, data: raw });
    });
    for (const p of pending) view.setUint32(p.at, append(p.data), true);
    const offset = append(entries);
    ifdOffsets.push(offset);
    const nextAt = offset + 2 + ids.length * 12;
    return {
      offset,
      patchNext: (next) => nextPatches.push({ at: nextAt, value: next }),
    };
  };

  const nextPatches: { at: number; value: number }[] = [];
  const written = images.map((image) => writeImage(image));
  written.forEach((w, i) => w.patchNext(written[i + 1]?.offset ?? 0));
  const bytes = new Uint8Array(size);
  bytes.set([0x49, 0x49, 42, 0], 0);
  new DataView(bytes.buffer).setUint32(4, written[0]?.offset ?? 0, true);
  let at = 8;
  for (const chunk of chunks) { bytes.set(chunk, at); at += chunk.length; }
  for (const p of nextPatches) new DataView(bytes.buffer).setUint32(p.at, p.value, true);
  return { bytes, ifdOffsets };
}

function encode(tag: TagValue): Uint8Array {
  if (typeof tag.values === 'string') return new TextEncoder().encode(`${tag.values}\0`);
  if (tag.values instanceof Uint8Array) return tag.values;
  const size = FIELD_TYPE_SIZE[tag.type]!;
  const out = new Uint8Array(tag.values.length * (tag.type === 5 ? 4 : size));
  const view = new DataView(out.buffer);
  tag.values.forEach((v, i) => {
    if (tag.type === 3) view.setUint16(i * 2, v, true);
    else if (tag.type === 4 || tag.type === 5) view.setUint32(i * 4, v, true);
    else out[i] = v;
  });
  return out;
}

/** An uncompressed RGB tiled image filled with one colour per tile. */
export function rgbImage(width: number, height: number, tile: number, extra: Record<number, TagValue> = {}, colour = [200, 100, 150]): FixtureImage {
  const across = Math.ceil(width / tile);
  const down = Math.ceil(height / tile);
  const payload = new Uint8Array(tile * tile * 3);
  for (let i = 0; i < payload.length; i += 3) payload.set(colour, i);
  return {
    tags: {
      256: { type: 4, values: [width] },
      257: { type: 4, values: [height] },
      258: { type: 3, values: [8, 8, 8] },
      259: { type: 3, values: [1] },
      262: { type: 3, values: [2] },
      277: { type: 3, values: [3] },
      322: { type: 3, values: [tile] },
      323: { type: 3, values: [tile] },
      ...extra,
    },
    tiles: Array.from({ length: across * down }, () => payload),
  };
}

/**
 * One IFD entry exactly as written: `value` is the inline value (SHORT or LONG) or the offset of the values; with
 * `data`, those bytes are the value: inline when they fit in 4 bytes, else stored after the IFDs and pointed at. `count` is written as given, so a
 * header can declare far more values (or pixels) than the file holds.
 */
export interface RawEntry {
  tag: number;
  type: number;
  count: number;
  value?: number;
  data?: Uint8Array;
}

/** A classic little-endian TIFF of these IFDs, chained in order, entries as given; `data` follows the IFDs. */
export function buildRawTiff(ifds: RawEntry[][]): Uint8Array {
  const ifdBytes = ifds.map((entries) => 2 + entries.length * 12 + 4);
  const ifdOffsets: number[] = [];
  let at = 8;
  for (const n of ifdBytes) {
    ifdOffsets.push(at);
    at += n;
  }
  const dataOffsets = new Map<RawEntry, number>();
  for (const entry of ifds.flat()) {
    if (!entry.data || entry.data.length <= 4) continue;
    dataOffsets.set(entry, at);
    at += entry.data.length + (entry.data.length % 2);
  }
  const bytes = new Uint8Array(at);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 42, 0], 0);
  view.setUint32(4, ifdOffsets[0] ?? 0, true);
  ifds.forEach((entries, i) => {
    const base = ifdOffsets[i]!;
    view.setUint16(base, entries.length, true);
    entries.forEach((entry, j) => {
      const e = base + 2 + j * 12;
      view.setUint16(e, entry.tag, true);
      view.setUint16(e + 2, entry.type, true);
      view.setUint32(e + 4, entry.count, true);
      const data = dataOffsets.get(entry);
      if (data !== undefined) view.setUint32(e + 8, data, true);
      else if (entry.data) bytes.set(entry.data, e + 8);
      else if (entry.type === 3 && entry.count <= 2) view.setUint16(e + 8, entry.value ?? 0, true);
      else view.setUint32(e + 8, entry.value ?? 0, true);
    });
    view.setUint32(base + 2 + entries.length * 12, ifdOffsets[i + 1] ?? 0, true);
  });
  for (const [entry, offset] of dataOffsets) bytes.set(entry.data!, offset);
  return bytes;
}
