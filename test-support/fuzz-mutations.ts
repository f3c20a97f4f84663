// Helpers for the reader fuzz test (fuzz.test.ts): a seeded PRNG, a TIFF layout parser that finds the bytes worth
// corrupting (IFD tables, entry fields, tile offset/byte-count arrays, tile data), mutators that turn a valid file
// into one kind of bad input, and a runner that opens and reads each case within a time bound. All in memory.
import { BufferSource } from '../src/slide/bytes/blob-source.ts';
import type { Codecs } from '../src/slide/codecs.ts';
import { openSlide } from '../src/slide/open.ts';
import { SlideError, type SlideSource } from '../src/slide/types.ts';
import { FIELD_TYPE_SIZE } from '../src/slide/tiff/tags.ts';
import { Rng } from '../src/common/random.ts';

// ---------------------------------------------------------------------------------------------------- PRNG

/** The same seed always gives the same cases. */
export function seededRng(seed: number): Rng {
  return new Rng(seed);
}

export function randomBytes(r: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = r.int(256);
  return out;
}

// ---------------------------------------------------------------------------------------------------- layout

export interface EntryLoc {
  tag: number;
  type: number;
  count: number;
  /** File offset of the 12-byte (BigTIFF: 20-byte) entry. */
  at: number;
  /** File offset of the value bytes: inside the entry when inline, else where the entry points. */
  valueAt: number;
  inline: boolean;
}

export interface IfdLoc {
  offset: number;
  count: number;
  entries: EntryLoc[];
  /** File offset of the next-IFD pointer. */
  nextAt: number;
  width: number;
  height: number;
  /** Reached through a SubIFDs tag rather than the main chain. */
  sub: boolean;
}

export interface Layout {
  le: boolean;
  big: boolean;
  ifds: IfdLoc[];
}

class Bytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly le: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number) { return this.view.getUint16(at, this.le); }
  u32(at: number) { return this.view.getUint32(at, this.le); }
  u64(at: number) { return Number(this.view.getBigUint64(at, this.le)); }
  set16(at: number, v: number) { this.view.setUint16(at, v, this.le); }
  set32(at: number, v: number) { this.view.setUint32(at, v >>> 0, this.le); }
  set64(at: number, v: number) { this.view.setBigUint64(at, BigInt(v), this.le); }
}

/** The IFDs of a valid TIFF (main chain, then the SubIFDs of each), with where each field lives in the file. */
export function parseLayout(bytes: Uint8Array): Layout {
  const le = bytes[0] === 0x49;
  const b = new Bytes(bytes, le);
  const big = b.u16(2) === 43;
  const ifds: IfdLoc[] = [];
  const readOne = (offset: number, sub: boolean): IfdLoc => {
    const count = big ? b.u64(offset) : b.u16(offset);
    const first = offset + (big ? 8 : 2);
    const size = big ? 20 : 12;
    const entries: EntryLoc[] = [];
    for (let i = 0; i < count; i++) {
      const at = first + i * size;
      const type = b.u16(at + 2);
      const n = big ? b.u64(at + 4) : b.u32(at + 4);
      const fieldAt = at + (big ? 12 : 8);
      const inline = (FIELD_TYPE_SIZE[type] ?? 1) * n <= (big ? 8 : 4);
      entries.push({ tag: b.u16(at), type, count: n, at, valueAt: inline ? fieldAt : big ? b.u64(fieldAt) : b.u32(fieldAt), inline });
    }
    const ifd: IfdLoc = { offset, count, entries, nextAt: first + count * size, width: 0, height: 0, sub };
    ifd.width = entryValues(bytes, le, entries.find((e) => e.tag === 256))[0] ?? 0;
    ifd.height = entryValues(bytes, le, entries.find((e) => e.tag === 257))[0] ?? 0;
    return ifd;
  };
  let offset = big ? b.u64(8) : b.u32(4);
  while (offset !== 0 && ifds.length < 64) {
    const ifd = readOne(offset, false);
    ifds.push(ifd);
    offset = big ? b.u64(ifd.nextAt) : b.u32(ifd.nextAt);
  }
  for (const parent of [...ifds]) {
    for (const sub of entryValues(bytes, le, parent.entries.find((e) => e.tag === 330))) ifds.push(readOne(sub, true));
  }
  return { le, big, ifds };
}

/** SHORT, LONG and LONG8 values of an entry (the only types the tags we target use). */
export function entryValues(bytes: Uint8Array, le: boolean, entry: EntryLoc | undefined): number[] {
  if (!entry) return [];
  const b = new Bytes(bytes, le);
  const size = FIELD_TYPE_SIZE[entry.type] ?? 0;
  return Array.from({ length: entry.count }, (_, i) =>
    size === 2 ? b.u16(entry.valueAt + i * 2) : size === 4 ? b.u32(entry.valueAt + i * 4) : size === 8 ? b.u64(entry.valueAt + i * 8) : 0,
  );
}

function setValue(bytes: Uint8Array, layout: Layout, entry: EntryLoc, index: number, value: number): void {
  const b = new Bytes(bytes, layout.le);
  const size = FIELD_TYPE_SIZE[entry.type] ?? 0;
  if (size === 2) b.set16(entry.valueAt + index * 2, value);
  else if (size === 4) b.set32(entry.valueAt + index * 4, value);
  else if (size === 8) b.set64(entry.valueAt + index * 8, value);
}

/** Replaces an entry by a single inline LONG value (e.g. ImageWidth = 10^9 where it was a SHORT). */
function setInlineLong(bytes: Uint8Array, layout: Layout, entry: EntryLoc, value: number, type = 4): void {
  const b = new Bytes(bytes, layout.le);
  b.set16(entry.at + 2, type);
  if (layout.big) {
    b.set64(entry.at + 4, 1);
    b.set64(entry.at + 12, 0);
    b.set32(entry.at + 12, value);
  } else {
    b.set32(entry.at + 4, 1);
    b.set32(entry.at + 8, value);
  }
}

interface Tiles {
  offsets: number[];
  counts: number[];
  offsetsEntry: EntryLoc;
  countsEntry: EntryLoc;
  tileWidth: number;
  tileHeight: number;
}

function tilesOf(bytes: Uint8Array, layout: Layout, ifd: IfdLoc): Tiles | undefined {
  const find = (tag: number) => ifd.entries.find((e) => e.tag === tag);
  const tiled = !!find(324);
  const offsetsEntry = find(tiled ? 324 : 273);
  const countsEntry = find(tiled ? 325 : 279);
  if (!offsetsEntry || !countsEntry) return undefined;
  const tileWidth = tiled ? (entryValues(bytes, layout.le, find(322))[0] ?? 0) : ifd.width;
  const tileHeight = tiled ? (entryValues(bytes, layout.le, find(323))[0] ?? 0) : Math.min(entryValues(bytes, layout.le, find(278))[0] ?? ifd.height, ifd.height);
  return { offsets: entryValues(bytes, layout.le, offsetsEntry), counts: entryValues(bytes, layout.le, countsEntry), offsetsEntry, countsEntry, tileWidth, tileHeight };
}

// ---------------------------------------------------------------------------------------------------- mutations

/** One bad input. `target` names a tile the mutation corrupted, so the runner reads it (and another one). */
export interface FuzzCase {
  label: string;
  name: string;
  bytes: Uint8Array;
  target?: { width: number; height: number; tileWidth: number; tileHeight: number; index: number };
}

/** `what` starting with "skip:" means the mutation does not apply to this file (e.g. JPEG markers in an LZW tile). */
export type Mutator = (r: Rng, base: Uint8Array, layout: Layout) => { bytes: Uint8Array; what: string; target?: FuzzCase['target'] };

function flipBits(r: Rng, bytes: Uint8Array, from: number, to: number, flips: number): string[] {
  const done: string[] = [];
  for (let i = 0; i < flips; i++) {
    const at = from + r.int(Math.max(1, to - from));
    const bit = r.int(8);
    bytes[at]! ^= 1 << bit;
    done.push(`${at}.${bit}`);
  }
  return done;
}

/** Images that are levels-to-be: tiled (or stripped) with at least one tile, preferring the main levels. */
function imageIfds(bytes: Uint8Array, layout: Layout): { ifd: IfdLoc; tiles: Tiles }[] {
  return layout.ifds.flatMap((ifd) => {
    const tiles = tilesOf(bytes, layout, ifd);
    return tiles && tiles.offsets.length ? [{ ifd, tiles }] : [];
  });
}

/** A tile with data, of level 0 half the time (the one every view needs), else of any image. */
function pickTile(r: Rng, bytes: Uint8Array, layout: Layout) {
  const images = imageIfds(bytes, layout);
  const { ifd, tiles } = r.float() < 0.5 ? images[0]! : r.pick(images);
  const withData = tiles.counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  const index = withData.length ? r.pick(withData) : 0;
  const target = { width: ifd.width, height: ifd.height, tileWidth: tiles.tileWidth, tileHeight: tiles.tileHeight, index };
  return { ifd, tiles, index, offset: tiles.offsets[index] ?? 0, count: tiles.counts[index] ?? 0, target };
}

function pointerFields(layout: Layout): { at: number; what: string }[] {
  const fields = [{ at: 4, what: 'first IFD offset' }];
  if (layout.big) fields[0] = { at: 8, what: 'first IFD offset' };
  layout.ifds.forEach((ifd, i) => { if (!ifd.sub) fields.push({ at: ifd.nextAt, what: `IFD ${i} next pointer` }); });
  return fields;
}

function writePointer(bytes: Uint8Array, layout: Layout, at: number, value: number): void {
  const b = new Bytes(bytes, layout.le);
  if (layout.big) b.set64(at, value);
  else b.set32(at, value);
}

const HUGE = [0xffffffff, 0x7fffffff, 0x10000000, 1e9];

export const MUTATORS: Record<string, { cases: number; mutate: Mutator }> = {
  'header bit flips': {
    cases: 3,
    mutate: (r, base) => {
      const bytes = base.slice();
      return { bytes, what: `flipped ${flipBits(r, bytes, 0, 16, 1 + r.int(3)).join(',')}` };
    },
  },
  'IFD bit flips': {
    cases: 6,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const ifd = r.pick(layout.ifds);
      return { bytes, what: `IFD@${ifd.offset} flipped ${flipBits(r, bytes, ifd.offset, ifd.nextAt + 4, 1 + r.int(4)).join(',')}` };
    },
  },
  'random bit flips': {
    cases: 6,
    mutate: (r, base) => {
      const bytes = base.slice();
      return { bytes, what: `flipped ${flipBits(r, bytes, 0, bytes.length, 1 + r.int(32)).length} bits` };
    },
  },
  truncation: {
    cases: 5,
    mutate: (r, base, layout) => {
      // Anywhere, or inside the structures (an IFD table, a tile) where a reader is most likely to trip.
      const ifd = r.pick(layout.ifds);
      const { offset, count } = pickTile(r, base, layout);
      const at = r.pick([r.int(base.length), ifd.offset + r.int(ifd.nextAt + 4 - ifd.offset), offset + r.int(Math.max(1, count)), r.int(64)]);
      return { bytes: base.slice(0, at), what: `truncated to ${at} bytes` };
    },
  },
  'IFD offsets': {
    cases: 4,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const field = r.pick(pointerFields(layout));
      const value = r.pick([r.int(base.length), base.length + r.int(1 << 20), 1, 7, base.length - 2, 0xffffffff]);
      writePointer(bytes, layout, field.at, value);
      return { bytes, what: `${field.what} = ${value}` };
    },
  },
  'IFD loops': {
    cases: 3,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const main = layout.ifds.filter((i) => !i.sub);
      const subs = layout.ifds.filter((i) => i.sub);
      const from = r.pick(main);
      const to = r.pick(main.slice(0, main.indexOf(from) + 1));
      if (subs.length && r.float() < 0.4) {
        // A SubIFD that points back at a main IFD, or whose next pointer loops to itself.
        const sub = r.pick(subs);
        const subEntry = main[0]!.entries.find((e) => e.tag === 330)!;
        setValue(bytes, layout, subEntry, r.int(subEntry.count), to.offset);
        writePointer(bytes, layout, sub.nextAt, sub.offset);
        return { bytes, what: `SubIFD -> IFD@${to.offset}, SubIFD@${sub.offset} next -> itself` };
      }
      writePointer(bytes, layout, from.nextAt, to.offset);
      return { bytes, what: `IFD@${from.offset} next -> IFD@${to.offset}` };
    },
  },
  'IFD entry counts': {
    cases: 4,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const ifd = r.pick(layout.ifds);
      const value = r.pick([0, 1, 0xffff, ifd.count + 1, ifd.count - 1, r.int(0x10000)]);
      const b = new Bytes(bytes, layout.le);
      if (layout.big) b.set64(ifd.offset, value);
      else b.set16(ifd.offset, value);
      return { bytes, what: `IFD@${ifd.offset} entry count ${ifd.count} -> ${value}` };
    },
  },
  'tag types': {
    cases: 5,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const ifd = r.pick(layout.ifds);
      const entry = r.float() < 0.6 ? (r.pick(ifd.entries.filter((e) => [256, 257, 322, 323, 324, 325, 273, 279, 259, 277, 330].includes(e.tag))) ?? r.pick(ifd.entries)) : r.pick(ifd.entries);
      const type = r.pick([0, 1, 2, 5, 6, 8, 9, 11, 12, 16, 17, 99, r.int(20)]);
      new Bytes(bytes, layout.le).set16(entry.at + 2, type);
      return { bytes, what: `tag ${entry.tag} type ${entry.type} -> ${type}` };
    },
  },
  'tag counts': {
    cases: 5,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const ifd = r.pick(layout.ifds);
      const entry = r.pick(ifd.entries);
      const count = r.pick([0, 1, entry.count * 2, entry.count + 1, ...HUGE, r.int(1 << 24)]);
      const b = new Bytes(bytes, layout.le);
      if (layout.big) b.set64(entry.at + 4, count);
      else b.set32(entry.at + 4, count);
      return { bytes, what: `tag ${entry.tag} count ${entry.count} -> ${count}` };
    },
  },
  'tag value offsets': {
    cases: 3,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const entries = layout.ifds.flatMap((i) => i.entries.filter((e) => !e.inline));
      const entry = r.pick(entries);
      const value = r.pick([r.int(base.length), base.length - 1, base.length + r.int(1000), 0, 0xffffffff]);
      writePointer(bytes, layout, entry.at + (layout.big ? 12 : 8), value);
      return { bytes, what: `tag ${entry.tag} value offset -> ${value}` };
    },
  },
  'absurd dimensions': {
    cases: 4,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const ifd = r.float() < 0.6 ? layout.ifds[0]! : r.pick(layout.ifds);
      const [w, h] = r.pick([[1e9, 1e9], [1e9, ifd.height], [ifd.width, 1e9], [0, ifd.height], [(1 << 21) + 1, 2], [0xffffffff, 0xffffffff]] as const);
      const float = r.float() < 0.2; // a FLOAT width: NaN bits
      for (const [tag, v] of [[256, w], [257, h]] as const) {
        const entry = ifd.entries.find((e) => e.tag === tag);
        if (entry) setInlineLong(bytes, layout, entry, float ? 0x7fc00000 : v, float ? 11 : 4);
      }
      return { bytes, what: float ? `IFD@${ifd.offset} width/height = NaN (FLOAT)` : `IFD@${ifd.offset} ${w}×${h}` };
    },
  },
  'tile sizes and counts': {
    cases: 5,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const { ifd, tiles } = r.float() < 0.6 ? imageIfds(base, layout)[0]! : r.pick(imageIfds(base, layout));
      const choice = r.int(3);
      if (choice === 0) {
        // Tile dimensions: tiny (absurd tile counts), zero, huge.
        const tw = ifd.entries.find((e) => e.tag === 322) ?? ifd.entries.find((e) => e.tag === 278);
        const value = r.pick([0, 1, 3, 16, 65535, 65536, 1e6, 0xffffffff]);
        if (tw) setInlineLong(bytes, layout, tw, value);
        const th = ifd.entries.find((e) => e.tag === 323);
        if (th && r.float() < 0.5) setInlineLong(bytes, layout, th, value);
        return { bytes, what: `IFD@${ifd.offset} tile size -> ${value}` };
      }
      // Tile offset / byte count arrays claiming absurd counts, or fewer than the image needs.
      const entry = choice === 1 ? tiles.offsetsEntry : tiles.countsEntry;
      const count = r.pick([...HUGE, 0, 1, Math.max(0, entry.count - 1)]);
      const b = new Bytes(bytes, layout.le);
      if (layout.big) b.set64(entry.at + 4, count);
      else b.set32(entry.at + 4, count);
      return { bytes, what: `IFD@${ifd.offset} tag ${entry.tag} count ${entry.count} -> ${count}` };
    },
  },
  'tile offsets': {
    cases: 4,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const { tiles, index, target } = pickTile(r, base, layout);
      const value = r.pick([r.int(base.length), 0, base.length - 1, base.length + 100, 0xffffffff, tiles.offsets[(index + 1) % tiles.offsets.length]!]);
      setValue(bytes, layout, tiles.offsetsEntry, index, value);
      return { bytes, what: `tile ${index} of ${target.width}×${target.height} offset -> ${value}`, target };
    },
  },
  'tile byte counts': {
    cases: 5,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const { tiles, index, offset, count, target } = pickTile(r, base, layout);
      const value = r.pick([0, 1, 2, 3, Math.max(0, count - 1) >> 1, count * 8, base.length - offset + 1, 0xffffffff]);
      if (tiles.countsEntry.type === 3 && value > 0xffff) return { bytes, what: 'skip: SHORT byte counts' };
      setValue(bytes, layout, tiles.countsEntry, index, value);
      return { bytes, what: `tile ${index} of ${target.width}×${target.height} byte count ${count} -> ${value}`, target };
    },
  },
  'tile data': {
    cases: 8,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const { offset, count, target } = pickTile(r, base, layout);
      const kind = r.int(5);
      if (kind === 0) bytes.set(randomBytes(r, count), offset);
      else if (kind === 1) bytes.fill(0, offset, offset + count);
      else if (kind === 2) flipBits(r, bytes, offset, offset + Math.min(count, 64), 1 + r.int(8)); // the header: markers
      else if (kind === 3) flipBits(r, bytes, offset, offset + count, 1 + r.int(64));
      else bytes.fill(0xff, offset + (count >> 1), offset + count); // second half lost
      return { bytes, what: `tile ${target.index} of ${target.width}×${target.height} (${count} bytes): ${['random bytes', 'zeros', 'header bit flips', 'bit flips', 'second half 0xFF'][kind]}`, target };
    },
  },
  'codestream headers': {
    cases: 5,
    mutate: (r, base, layout) => {
      // The frame size inside a tile: JPEG SOF or JPEG 2000 SIZ, set to absurd or zero sizes.
      const bytes = base.slice();
      const { offset, count, target } = pickTile(r, base, layout);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [w, h] = r.pick([[65535, 65535], [0, 0], [target.tileWidth * 4, target.tileHeight], [1, 1], [30000, 30000]] as const);
      for (let at = offset; at < offset + Math.min(count, 2048) - 12; at++) {
        const m = bytes[at + 1]!;
        if (bytes[at] !== 0xff) continue;
        if (m === 0xc0 || m === 0xc1 || m === 0xc2) {
          view.setUint16(at + 5, h);
          view.setUint16(at + 7, w);
          return { bytes, what: `tile ${target.index}: JPEG SOF ${w}×${h}`, target };
        }
        if (m === 0x51) {
          const big = r.float() < 0.5 ? 1e9 : 0;
          view.setUint32(at + 6, big || w); // Xsiz
          view.setUint32(at + 10, big || h); // Ysiz
          if (r.float() < 0.3) view.setUint16(at + 38, r.pick([0, 255, 16384])); // Csiz
          return { bytes, what: `tile ${target.index}: J2K SIZ ${big || w}×${big || h}`, target };
        }
      }
      return { bytes, what: 'skip: no frame header found', target };
    },
  },
  'JPEG marker segments': {
    cases: 5,
    mutate: (r, base, layout) => {
      // Segment lengths that are wrong: a JFIF APP0 running past the end of the tile, or the first segment's length.
      const bytes = base.slice();
      const { offset, target } = pickTile(r, base, layout);
      if (bytes[offset] !== 0xff || bytes[offset + 1] !== 0xd8) return { bytes, what: 'skip: not a JPEG tile', target };
      if (r.float() < 0.5) {
        bytes.set([0xff, 0xe0, 0xff, 0xff, 0x4a, 0x46, 0x49, 0x46, 0], offset + 2);
        return { bytes, what: `tile ${target.index} of ${target.width}×${target.height}: JFIF APP0 of 65535 bytes`, target };
      }
      const length = r.pick([0, 1, 2, 0xffff]);
      new DataView(bytes.buffer).setUint16(offset + 4, length);
      return { bytes, what: `tile ${target.index} of ${target.width}×${target.height}: first JPEG segment length ${length}`, target };
    },
  },
  'JPEGTables and descriptions': {
    cases: 3,
    mutate: (r, base, layout) => {
      const bytes = base.slice();
      const entries = layout.ifds.flatMap((i) => i.entries.filter((e) => e.tag === 347 || e.tag === 270));
      if (!entries.length) return { bytes, what: 'skip: no JPEGTables or description' };
      const entry = r.pick(entries);
      if (r.float() < 0.5) bytes.set(randomBytes(r, Math.min(entry.count, 256)), entry.valueAt);
      else flipBits(r, bytes, entry.valueAt, entry.valueAt + entry.count, 1 + r.int(16));
      return { bytes, what: `tag ${entry.tag} value corrupted` };
    },
  },
};

// ---------------------------------------------------------------------------------------------------- runner

export type Outcome =
  | { kind: 'ok'; detail: string; ms: number }
  | { kind: 'refused'; detail: string; message: string; ms: number }
  | { kind: 'tile-errors'; detail: string; message: string; ms: number }
  | { kind: 'failure'; detail: string; message: string; ms: number };

/** Names the class of a SlideError message, for the outcome table. */
export function messageClass(message: string): string {
  const classes: [RegExp, string][] = [
    [/empty \(0 bytes\)/, 'empty file'],
    [/was it renamed\?/, 'image, not a slide'],
    [/not a (TIFF|slide)|does not start with a TIFF/, 'not a TIFF'],
    [/loop|points back/, 'IFD loop'],
    [/exceeds|too large|more than|absurd|limit/, 'beyond a limit'],
    [/unsupported/i, 'unsupported content'],
    [/JPEG 2000/, 'JPEG 2000 decode'],
    [/JPEG/, 'JPEG decode'],
    [/failed to decode|could not be decoded/, 'decode failed'],
    [/truncated|past its end|outside the file|runs past|past the end/, 'truncated / outside the file'],
    [/corrupt image directory/, 'corrupt IFD'],
    [/no readable images|has no images/, 'no images'],
    [/corrupt/, 'corrupt (other)'],
  ];
  return classes.find(([re]) => re.test(message))?.[1] ?? `other: ${message.slice(0, 50)}`;
}

/** A message a user can act on: names the file, no leaked "undefined"/"NaN"/"[object …]". */
export function vagueness(message: string, name: string): string | undefined {
  if (!message.includes(name)) return 'does not name the file';
  if (/\bundefined\b|\bNaN\b|\[object /.test(message)) return 'leaks undefined/NaN/[object]';
  if (/:\s*-?\d+\.?$/.test(message)) return 'ends in a bare number (a leaked exception pointer?)';
  // A wrapped WASM trap ("the decoder aborted (RuntimeError: memory access out of bounds)") is a clean error.
  const leaked = /Invalid typed array length|Cannot read properties|is not a function|is not iterable|out of bounds|Maximum call stack|Offset is outside/i;
  if (leaked.test(message) && !message.includes('the decoder aborted')) return 'leaks a JavaScript runtime error';
  if (message.length - name.length < 15) return 'too short';
  return undefined;
}

class Timeout extends Error {}

async function withTimeout<T>(ms: number, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a case and, if it opens, reads the corrupted tile (when there is one), another tile of the same level, and
 * a 2×2-tile region of the first, middle and last levels. Every step must succeed or throw a specific SlideError;
 * an error reading the target tile must name a tile, and the other tile must still read.
 */
export async function runCase(c: FuzzCase, codecs: Codecs, r: Rng, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const detail = `${c.label}`;
  let slide: SlideSource | undefined;
  const tileErrors: string[] = [];
  try {
    return await withTimeout(timeoutMs, async () => {
      try {
        slide = await openSlide(new BufferSource(c.bytes, c.name), codecs);
      } catch (err) {
        if (!(err instanceof SlideError)) return { kind: 'failure', detail, message: `open threw ${describe(err)}`, ms: ms() } as const;
        const vague = vagueness(err.message, c.name);
        if (vague) return { kind: 'failure', detail, message: `vague open error (${vague}): ${err.message}`, ms: ms() } as const;
        return { kind: 'refused', detail, message: err.message, ms: ms() } as const;
      }
      const { levels } = slide.info;
      const reads: { level: number; x: number; y: number; w: number; h: number; mustSucceed: boolean; target: boolean }[] = [];
      const targetLevel = c.target ? levels.findIndex((l) => l.width === c.target!.width && l.height === c.target!.height) : -1;
      if (c.target && targetLevel >= 0) {
        const l = levels[targetLevel]!;
        const across = Math.ceil(l.width / l.tileWidth);
        const tiles = across * Math.ceil(l.height / l.tileHeight);
        const at = (i: number) => ({ x: (i % across) * l.tileWidth, y: Math.floor(i / across) * l.tileHeight });
        const t = at(c.target.index);
        reads.push({ level: targetLevel, ...t, w: l.tileWidth, h: l.tileHeight, mustSucceed: false, target: true });
        if (tiles > 1) {
          const other = at((c.target.index + 1 + r.int(tiles - 1)) % tiles);
          // Only the target's bytes were touched, so any other tile must read (unless it shares the same bytes).
          reads.push({ level: targetLevel, ...other, w: l.tileWidth, h: l.tileHeight, mustSucceed: true, target: false });
        }
      }
      for (const level of new Set([0, levels.length >> 1, levels.length - 1])) {
        const l = levels[level]!;
        const w = Math.min(l.width, 2 * l.tileWidth, 1024);
        const h = Math.min(l.height, 2 * l.tileHeight, 1024);
        reads.push({ level, x: r.int(Math.max(1, l.width - w)), y: r.int(Math.max(1, l.height - h)), w, h, mustSucceed: false, target: false });
      }
      for (const read of reads) {
        try {
          const img = await slide.readRegion(read.level, read.x, read.y, read.w, read.h);
          if (img.width !== read.w || img.height !== read.h || img.data.length !== read.w * read.h * 4) {
            return { kind: 'failure', detail, message: `region ${read.w}×${read.h} came back ${img.width}×${img.height}`, ms: ms() } as const;
          }
        } catch (err) {
          const where = `reading level ${read.level} at ${read.x},${read.y}`;
          if (!(err instanceof SlideError)) return { kind: 'failure', detail, message: `${where} threw ${describe(err)}`, ms: ms() } as const;
          const vague = vagueness(err.message, c.name) ?? (/\btile\b/.test(err.message) ? undefined : 'does not name the tile');
          if (vague) return { kind: 'failure', detail, message: `vague tile error (${vague}): ${err.message}`, ms: ms() } as const;
          if (read.mustSucceed) {
            return { kind: 'failure', detail, message: `another tile than the corrupted one failed (${where}): ${err.message}`, ms: ms() } as const;
          }
          tileErrors.push(err.message);
        }
      }
      return tileErrors.length
        ? ({ kind: 'tile-errors', detail, message: tileErrors[0]!, ms: ms() } as const)
        : ({ kind: 'ok', detail, ms: ms() } as const);
    });
  } catch (err) {
    return { kind: 'failure', detail, message: err instanceof Timeout ? `timeout: ${err.message}` : `runner: ${describe(err)}`, ms: ms() };
  } finally {
    slide?.close();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}` : `non-Error ${String(err)}`;
}
