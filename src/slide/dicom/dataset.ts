// A small, bounded DICOM Part 10 dataset parser: what a whole-slide reader needs (explicit or implicit VR little
// endian, nested sequences of defined or undefined length), stopping at Pixel Data. Every length is checked against
// the bytes at hand, so a corrupt or truncated header is a specific error, never an unbounded read.
import { SlideError } from '../types.ts';

export const tag = (group: number, element: number) => ((group << 16) | element) >>> 0;

export const Tags = {
  TransferSyntaxUID: tag(0x0002, 0x0010),
  ImageType: tag(0x0008, 0x0008),
  SOPClassUID: tag(0x0008, 0x0016),
  SOPInstanceUID: tag(0x0008, 0x0018),
  SeriesDescription: tag(0x0008, 0x103e),
  ManufacturerModelName: tag(0x0008, 0x1090),
  ContainerIdentifier: tag(0x0040, 0x0512),
  SpecimenIdentifier: tag(0x0040, 0x0551),
  SpecimenDescriptionSequence: tag(0x0040, 0x0560),
  OpticalPathSequence: tag(0x0048, 0x0105),
  ObjectiveLensPower: tag(0x0048, 0x0112),
  Manufacturer: tag(0x0008, 0x0070),
  StudyDate: tag(0x0008, 0x0020),
  StudyDescription: tag(0x0008, 0x1030),
  StudyInstanceUID: tag(0x0020, 0x000d),
  SeriesInstanceUID: tag(0x0020, 0x000e),
  SeriesNumber: tag(0x0020, 0x0011),
  NumberOfStudyRelatedSeries: tag(0x0020, 0x1206),
  NumberOfSeriesRelatedInstances: tag(0x0020, 0x1209),
  DimensionOrganizationType: tag(0x0020, 0x9311),
  ConcatenationUID: tag(0x0020, 0x9161),
  ConcatenationFrameOffsetNumber: tag(0x0020, 0x9228),
  SamplesPerPixel: tag(0x0028, 0x0002),
  PhotometricInterpretation: tag(0x0028, 0x0004),
  NumberOfFrames: tag(0x0028, 0x0008),
  Rows: tag(0x0028, 0x0010),
  Columns: tag(0x0028, 0x0011),
  PixelSpacing: tag(0x0028, 0x0030),
  BitsAllocated: tag(0x0028, 0x0100),
  PixelMeasuresSequence: tag(0x0028, 0x9110),
  ImagedVolumeWidth: tag(0x0048, 0x0001),
  TotalPixelMatrixColumns: tag(0x0048, 0x0006),
  TotalPixelMatrixRows: tag(0x0048, 0x0007),
  TotalPixelMatrixFocalPlanes: tag(0x0048, 0x0303),
  PlanePositionSlideSequence: tag(0x0048, 0x021a),
  ColumnPositionInTotalImagePixelMatrix: tag(0x0048, 0x021e),
  RowPositionInTotalImagePixelMatrix: tag(0x0048, 0x021f),
  SharedFunctionalGroupsSequence: tag(0x5200, 0x9229),
  PerFrameFunctionalGroupsSequence: tag(0x5200, 0x9230),
  ExtendedOffsetTable: tag(0x7fe0, 0x0001),
  ExtendedOffsetTableLengths: tag(0x7fe0, 0x0002),
  PixelData: tag(0x7fe0, 0x0010),
} as const;

/** Every tag the readers look at (the JSON metadata of a large series is reduced to these). */
export const READ_TAGS: ReadonlySet<number> = new Set(Object.values(Tags));

const ITEM = tag(0xfffe, 0xe000);
const ITEM_END = tag(0xfffe, 0xe00d);
const SEQUENCE_END = tag(0xfffe, 0xe0dd);
const UNDEFINED = 0xffffffff;
/** VRs whose explicit header has 2 reserved bytes and a 4-byte length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** Sequences an implicit-VR file may hold among the tags read here (implicit VR carries no VR to tell). */
const SEQUENCES = new Set<number>([
  Tags.PixelMeasuresSequence,
  Tags.PlanePositionSlideSequence,
  Tags.SharedFunctionalGroupsSequence,
  Tags.PerFrameFunctionalGroupsSequence,
  Tags.OpticalPathSequence,
  Tags.SpecimenDescriptionSequence,
]);
/** Deeper nesting than this is refused (real files nest 3–4 deep). */
const MAX_DEPTH = 16;

export interface Element {
  vr: string;
  /** Absolute file offset of the value. */
  offset: number;
  length: number;
  value: Uint8Array;
  items?: Dataset[];
}

export type Dataset = Map<number, Element>;

/** The bytes ran out before the dataset ended: read more of the file and parse again. */
export class NeedMoreBytes extends Error {}

export interface ParseResult {
  dataset: Dataset;
  /** Pixel Data, when reached: where its value starts and whether it is encapsulated (undefined length). */
  pixelData?: { valueOffset: number; length: number; encapsulated: boolean };
}

const hex = (t: number) => `(${(t >>> 16).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`.toUpperCase();

/**
 * Parses the data set in `bytes` (which start at file offset `base`) from `start` until Pixel Data or the end of the
 * data (or, with `stopAfter`, the first top-level element past that tag). `complete`: `bytes` hold the whole file, so
 * running out is corruption rather than a reason to read more.
 */
export function parseDataset(bytes: Uint8Array, base: number, start: number, explicit: boolean, complete: boolean, name: string, stopAfter?: number): ParseResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const short = (what: string): never => {
    if (complete) throw new SlideError(`${name}: corrupt DICOM file: ${what} runs past the end of the file.`);
    throw new NeedMoreBytes(what);
  };
  let pixelData: ParseResult['pixelData'];

  const readElements = (pos: number, end: number, depth: number, stopAtItemEnd: boolean): { dataset: Dataset; pos: number } => {
    const dataset: Dataset = new Map();
    while (pos < end) {
      if (pos + 8 > bytes.length) short('an element header');
      const t = ((view.getUint16(pos, true) << 16) | view.getUint16(pos + 2, true)) >>> 0;
      if (t === ITEM_END) {
        if (!stopAtItemEnd) throw new SlideError(`${name}: corrupt DICOM file: an item delimiter outside an item at byte ${base + pos}.`);
        return { dataset, pos: pos + 8 };
      }
      let vr = '';
      let length: number;
      let header: number;
      if (explicit && t !== ITEM && t !== SEQUENCE_END) {
        vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
        if (!/^[A-Z]{2}$/.test(vr)) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t)} at byte ${base + pos} has no valid value representation.`);
        if (LONG_VRS.has(vr)) {
          if (pos + 12 > bytes.length) short('an element header');
          length = view.getUint32(pos + 8, true);
          header = 12;
        } else {
          length = view.getUint16(pos + 6, true);
          header = 8;
        }
      } else {
        length = view.getUint32(pos + 4, true);
        header = 8;
        if (SEQUENCES.has(t) || (length === UNDEFINED && t !== Tags.PixelData)) vr = 'SQ';
      }
      const valueAt = pos + header;
      // Top-level elements come in tag order: past `stopAfter`, everything asked for has been read.
      if (stopAfter !== undefined && depth === 0 && t > stopAfter) return { dataset, pos: end };
      if (t === Tags.PixelData) {
        pixelData = { valueOffset: base + valueAt, length, encapsulated: length === UNDEFINED };
        return { dataset, pos: end };
      }
      if (vr === 'SQ') {
        if (depth >= MAX_DEPTH) throw new SlideError(`${name}: corrupt DICOM file: sequences nested more than ${MAX_DEPTH} deep.`);
        const items: Dataset[] = [];
        const seqEnd = length === UNDEFINED ? Infinity : valueAt + length;
        if (seqEnd !== Infinity && seqEnd > bytes.length) short(`sequence ${hex(t)}`);
        let p = valueAt;
        for (;;) {
          if (p >= seqEnd) break;
          if (p + 8 > bytes.length) short(`sequence ${hex(t)}`);
          const it = ((view.getUint16(p, true) << 16) | view.getUint16(p + 2, true)) >>> 0;
          const itemLength = view.getUint32(p + 4, true);
          if (it === SEQUENCE_END) {
            p += 8;
            break;
          }
          if (it !== ITEM) throw new SlideError(`${name}: corrupt DICOM file: sequence ${hex(t)} holds ${hex(it)} where an item should be (byte ${base + p}).`);
          const itemEnd = itemLength === UNDEFINED ? Infinity : p + 8 + itemLength;
          if (itemEnd !== Infinity && itemEnd > bytes.length) short(`an item of ${hex(t)}`);
          const r = readElements(p + 8, itemEnd, depth + 1, itemLength === UNDEFINED);
          items.push(r.dataset);
          p = itemEnd === Infinity ? r.pos : itemEnd;
        }
        dataset.set(t, { vr, offset: base + valueAt, length: p - valueAt, value: new Uint8Array(0), items });
        pos = p;
        continue;
      }
      if (length === UNDEFINED) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t)} has an undefined length.`);
      if (valueAt + length > bytes.length) short(`element ${hex(t)}`);
      dataset.set(t, { vr, offset: base + valueAt, length, value: bytes.subarray(valueAt, valueAt + length) });
      pos = valueAt + length;
    }
    if (stopAtItemEnd && end === Infinity) short('an item');
    return { dataset, pos };
  };

  const { dataset } = readElements(start, complete ? bytes.length : Infinity, 0, false);
  return { dataset, ...(pixelData ? { pixelData } : {}) };
}

export function text(ds: Dataset | undefined, t: number): string | undefined {
  const e = ds?.get(t);
  if (!e) return undefined;
  let s = '';
  for (const b of e.value) s += String.fromCharCode(b);
  return s.replace(/[\0 ]+$/, '').trim();
}

/** An integer from a US/UL/SS/SL value, or from an IS string. */
export function integer(ds: Dataset | undefined, t: number): number | undefined {
  const e = ds?.get(t);
  if (!e) return undefined;
  const v = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  if (e.vr === 'US' && e.length >= 2) return v.getUint16(0, true);
  if (e.vr === 'UL' && e.length >= 4) return v.getUint32(0, true);
  if (e.vr === 'SS' && e.length >= 2) return v.getInt16(0, true);
  if (e.vr === 'SL' && e.length >= 4) return v.getInt32(0, true);
  if (e.vr === 'IS' || e.vr === '') {
    // implicit VR: a 2- or 4-byte binary value, or a decimal string
    const s = text(ds, t) ?? '';
    if (/^[+-]?\d+$/.test(s)) return Number(s);
    if (e.vr === '' && e.length === 2) return v.getUint16(0, true);
    if (e.vr === '' && e.length === 4) return v.getUint32(0, true);
  }
  return undefined;
}

/** Decimal numbers of a DS (or FD/FL) value. */
export function decimals(ds: Dataset | undefined, t: number): number[] {
  const e = ds?.get(t);
  if (!e) return [];
  const v = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  if (e.vr === 'FD') return Array.from({ length: Math.floor(e.length / 8) }, (_, i) => v.getFloat64(i * 8, true));
  if (e.vr === 'FL') return Array.from({ length: Math.floor(e.length / 4) }, (_, i) => v.getFloat32(i * 4, true));
  return (text(ds, t) ?? '').split('\\').map(Number).filter(Number.isFinite);
}

export function firstItem(ds: Dataset | undefined, t: number): Dataset | undefined {
  return ds?.get(t)?.items?.[0];
}
