// Minimal DICOM Part 10 whole-slide files for the reader's tests (explicit VR little endian): the elements a WSI
// reader needs, encapsulated or native frames, optional per-frame positions. Not a general DICOM writer.
import { concatBytes } from '../src/common/bytes.ts';

export interface DicomFixture {
  width: number;
  height: number;
  tile: number;
  /** One entry per frame: encoded bytes (JPEG) or raw RGB (native). */
  frames: Uint8Array[];
  syntax?: string;
  photometric?: string;
  imageType?: string;
  sopClass?: string;
  organisation?: string;
  /** 1-based (column, row) pixel positions per frame: writes a Per-Frame Functional Groups Sequence. */
  positions?: [number, number][];
  /** Pixel spacing in mm (Shared Functional Groups). */
  spacingMm?: number;
  /** Leave out Pixel Data. */
  noPixelData?: boolean;
  /** Encapsulated frames: split each into this many fragments (default 1). */
  fragmentsPerFrame?: number;
  /** Write a Basic Offset Table ('auto': the true offsets; or given values). */
  bot?: 'auto' | number[];
  /** A part of a concatenation: its UID and the offset of its first frame in the whole image. */
  concatenation?: { uid: string; offset: number };
  /** Series Instance UID (default a fixed one). */
  series?: string;
  /** Write an Extended Offset Table (true: the true offsets; or given [offset, length] pairs). */
  eot?: true | [number, number][];
  /** Descriptive and identifying elements, to check which reach the slide's details. */
  describe?: { patientName?: string; patientId?: string; model?: string; series?: string; container?: string; specimen?: string; power?: number };
}

const LONG = new Set(['OB', 'OW', 'OV', 'SQ', 'UN', 'UT', 'UC', 'UR']);
const enc = new TextEncoder();

/** Set while buildDicom writes an implicit-VR data set (the file meta group stays explicit). */
let implicitVR = false;

function element(group: number, el: number, vr: string, value: Uint8Array): Uint8Array {
  if (implicitVR && group !== 0x0002) {
    const out = new Uint8Array(8 + value.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, group, true);
    v.setUint16(2, el, true);
    v.setUint32(4, value.length, true);
    out.set(value, 8);
    return out;
  }
  const long = LONG.has(vr);
  const out = new Uint8Array((long ? 12 : 8) + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, el, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, value.length, true);
  else v.setUint16(6, value.length, true);
  out.set(value, long ? 12 : 8);
  return out;
}

const pad = (s: string, with0 = false) => enc.encode(s.length % 2 ? s + (with0 ? '\0' : ' ') : s);
const str = (g: number, e: number, vr: string, s: string) => element(g, e, vr, pad(s, vr === 'UI'));
const us = (g: number, e: number, n: number) => element(g, e, 'US', new Uint8Array(new Uint16Array([n]).buffer));
const ul = (g: number, e: number, n: number) => element(g, e, 'UL', new Uint8Array(new Uint32Array([n]).buffer));
const concat = concatBytes;
/** A sequence of defined length whose items are defined-length too. */
const sequence = (g: number, e: number, items: Uint8Array[]) =>
  element(g, e, 'SQ', concat(items.map((body) => concat([new Uint8Array([0xfe, 0xff, 0x00, 0xe0, ...new Uint8Array(new Uint32Array([body.length]).buffer)]), body]))));

export function buildDicom(f: DicomFixture): Uint8Array {
  const syntax = f.syntax ?? '1.2.840.10008.1.2.4.50';
  implicitVR = syntax === '1.2.840.10008.1.2';
  try {
    return build(f, syntax);
  } finally {
    implicitVR = false;
  }
}

function build(f: DicomFixture, syntax: string): Uint8Array {
  const native = syntax === '1.2.840.10008.1.2.1' || syntax === '1.2.840.10008.1.2';
  const metaBody = concat([str(0x0002, 0x0001 + 0, 'OB', '\0\x01'), str(0x0002, 0x0010, 'UI', syntax)]);
  const meta = concat([ul(0x0002, 0x0000, metaBody.length), metaBody]);
  const parts: Uint8Array[] = [
    str(0x0008, 0x0008, 'CS', f.imageType ?? 'ORIGINAL\\PRIMARY\\VOLUME\\NONE'),
    str(0x0008, 0x0016, 'UI', f.sopClass ?? '1.2.840.10008.5.1.4.1.1.77.1.6'),
    str(0x0008, 0x0070, 'LO', 'Fixture'),
  ];
  const d = f.describe;
  if (d?.model) parts.push(str(0x0008, 0x1090, 'LO', d.model));
  if (d?.series) parts.push(str(0x0008, 0x103e, 'LO', d.series));
  if (d?.patientName) parts.push(str(0x0010, 0x0010, 'PN', d.patientName));
  if (d?.patientId) parts.push(str(0x0010, 0x0020, 'LO', d.patientId));
  parts.push(str(0x0020, 0x000e, 'UI', f.series ?? '1.2.826.0.1.3680043.10.1'));
  if (f.organisation) parts.push(str(0x0020, 0x9311, 'CS', f.organisation));
  if (f.concatenation) parts.push(str(0x0020, 0x9161, 'UI', f.concatenation.uid), ul(0x0020, 0x9228, f.concatenation.offset));
  parts.push(
    us(0x0028, 0x0002, 3),
    str(0x0028, 0x0004, 'CS', f.photometric ?? (native ? 'RGB' : 'YBR_FULL_422')),
    str(0x0028, 0x0008, 'IS', String(f.frames.length)),
    us(0x0028, 0x0010, f.tile),
    us(0x0028, 0x0011, f.tile),
    us(0x0028, 0x0100, 8),
    ul(0x0048, 0x0006, f.width),
    ul(0x0048, 0x0007, f.height),
  );
  if (d?.container) parts.push(str(0x0040, 0x0512, 'LO', d.container));
  if (d?.specimen) parts.push(sequence(0x0040, 0x0560, [str(0x0040, 0x0551, 'LO', d.specimen)]));
  if (d?.power) parts.push(sequence(0x0048, 0x0105, [str(0x0048, 0x0112, 'DS', String(d.power))]));
  if (f.spacingMm !== undefined) {
    const spacing = str(0x0028, 0x0030, 'DS', `${f.spacingMm}\\${f.spacingMm}`);
    parts.push(sequence(0x5200, 0x9229, [sequence(0x0028, 0x9110, [spacing])]));
  }
  if (f.positions) {
    parts.push(
      sequence(
        0x5200,
        0x9230,
        f.positions.map(([c, r]) => sequence(0x0048, 0x021a, [concat([element(0x0048, 0x021e, 'SL', new Uint8Array(new Int32Array([c]).buffer)), element(0x0048, 0x021f, 'SL', new Uint8Array(new Int32Array([r]).buffer))])])),
      ),
    );
  }
  if (!f.noPixelData) {
    if (native) {
      parts.push(element(0x7fe0, 0x0010, 'OB', concat(f.frames)));
    } else {
      const header = new Uint8Array(12);
      const v = new DataView(header.buffer);
      v.setUint16(0, 0x7fe0, true);
      v.setUint16(2, 0x0010, true);
      header.set([0x4f, 0x42], 4); // OB
      v.setUint32(8, 0xffffffff, true);
      const item = (body: Uint8Array) => concat([new Uint8Array([0xfe, 0xff, 0x00, 0xe0, ...new Uint8Array(new Uint32Array([body.length]).buffer)]), body]);
      const frames = f.frames.map((b) => (b.length % 2 ? concat([b, new Uint8Array(1)]) : b));
      const n = f.fragmentsPerFrame ?? 1;
      const fragmentsOf = (b: Uint8Array) => {
        const size = Math.ceil(b.length / n / 2) * 2;
        return Array.from({ length: n }, (_, k) => b.subarray(k * size, Math.min(b.length, (k + 1) * size)));
      };
      const frameItems = frames.map((b) => concat(fragmentsOf(b).map(item)));
      const trueOffsets: number[] = [];
      let at = 0;
      for (const fi of frameItems) {
        trueOffsets.push(at);
        at += fi.length;
      }
      if (f.eot) {
        const pairs = f.eot === true ? trueOffsets.map((o, i) => [o, frames[i]!.length] as [number, number]) : f.eot;
        const u64 = (xs: number[]) => new Uint8Array(new BigUint64Array(xs.map(BigInt)).buffer);
        parts.push(element(0x7fe0, 0x0001, 'OV' as 'OB', u64(pairs.map((p) => p[0]))), element(0x7fe0, 0x0002, 'OV' as 'OB', u64(pairs.map((p) => p[1]))));
      }
      const offsets = f.bot === 'auto' ? trueOffsets : f.bot;
      const botBody = offsets ? new Uint8Array(new Uint32Array(offsets).buffer) : new Uint8Array(0);
      parts.push(header, item(botBody), ...frameItems, new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
    }
  }
  const preamble = new Uint8Array(132);
  preamble.set(enc.encode('DICM'), 128);
  return concat([preamble, meta, ...parts]);
}
