// ../../tmp/ana/tags.ts
import { readFileSync } from "node:fs";

// src/slide/types.ts
var SlideError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "SlideError";
  }
};

// src/slide/dicom/dataset.ts
var tag = (group, element) => (group << 16 | element) >>> 0;
var Tags = {
  TransferSyntaxUID: tag(2, 16),
  ImageType: tag(8, 8),
  SOPClassUID: tag(8, 22),
  Manufacturer: tag(8, 112),
  SeriesInstanceUID: tag(32, 14),
  DimensionOrganizationType: tag(32, 37649),
  SamplesPerPixel: tag(40, 2),
  PhotometricInterpretation: tag(40, 4),
  NumberOfFrames: tag(40, 8),
  Rows: tag(40, 16),
  Columns: tag(40, 17),
  PixelSpacing: tag(40, 48),
  BitsAllocated: tag(40, 256),
  PixelMeasuresSequence: tag(40, 37136),
  ImagedVolumeWidth: tag(72, 1),
  TotalPixelMatrixColumns: tag(72, 6),
  TotalPixelMatrixRows: tag(72, 7),
  TotalPixelMatrixFocalPlanes: tag(72, 771),
  PlanePositionSlideSequence: tag(72, 538),
  ColumnPositionInTotalImagePixelMatrix: tag(72, 542),
  RowPositionInTotalImagePixelMatrix: tag(72, 543),
  SharedFunctionalGroupsSequence: tag(20992, 37417),
  PerFrameFunctionalGroupsSequence: tag(20992, 37424),
  ExtendedOffsetTable: tag(32736, 1),
  PixelData: tag(32736, 16)
};
var ITEM = tag(65534, 57344);
var ITEM_END = tag(65534, 57357);
var SEQUENCE_END = tag(65534, 57565);
var UNDEFINED = 4294967295;
var LONG_VRS = /* @__PURE__ */ new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);
var SEQUENCES = /* @__PURE__ */ new Set([Tags.PixelMeasuresSequence, Tags.PlanePositionSlideSequence, Tags.SharedFunctionalGroupsSequence, Tags.PerFrameFunctionalGroupsSequence]);
var MAX_DEPTH = 16;
var NeedMoreBytes = class extends Error {
};
var hex = (t) => `(${(t >>> 16).toString(16).padStart(4, "0")},${(t & 65535).toString(16).padStart(4, "0")})`.toUpperCase();
function parseDataset(bytes, base, start, explicit, complete, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const short = (what) => {
    if (complete) throw new SlideError(`${name}: corrupt DICOM file: ${what} runs past the end of the file.`);
    throw new NeedMoreBytes(what);
  };
  let pixelData;
  const readElements = (pos, end, depth, stopAtItemEnd) => {
    const dataset2 = /* @__PURE__ */ new Map();
    while (pos < end) {
      if (pos + 8 > bytes.length) short("an element header");
      const t = (view.getUint16(pos, true) << 16 | view.getUint16(pos + 2, true)) >>> 0;
      if (t === ITEM_END) {
        if (!stopAtItemEnd) throw new SlideError(`${name}: corrupt DICOM file: an item delimiter outside an item at byte ${base + pos}.`);
        return { dataset: dataset2, pos: pos + 8 };
      }
      let vr = "";
      let length;
      let header;
      if (explicit && t !== ITEM && t !== SEQUENCE_END) {
        vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
        if (!/^[A-Z]{2}$/.test(vr)) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t)} at byte ${base + pos} has no valid value representation.`);
        if (LONG_VRS.has(vr)) {
          if (pos + 12 > bytes.length) short("an element header");
          length = view.getUint32(pos + 8, true);
          header = 12;
        } else {
          length = view.getUint16(pos + 6, true);
          header = 8;
        }
      } else {
        length = view.getUint32(pos + 4, true);
        header = 8;
        if (SEQUENCES.has(t) || length === UNDEFINED && t !== Tags.PixelData) vr = "SQ";
      }
      const valueAt = pos + header;
      if (t === Tags.PixelData) {
        pixelData = { valueOffset: base + valueAt, length, encapsulated: length === UNDEFINED };
        return { dataset: dataset2, pos: end };
      }
      if (vr === "SQ") {
        if (depth >= MAX_DEPTH) throw new SlideError(`${name}: corrupt DICOM file: sequences nested more than ${MAX_DEPTH} deep.`);
        const items = [];
        const seqEnd = length === UNDEFINED ? Infinity : valueAt + length;
        if (seqEnd !== Infinity && seqEnd > bytes.length) short(`sequence ${hex(t)}`);
        let p = valueAt;
        for (; ; ) {
          if (p >= seqEnd) break;
          if (p + 8 > bytes.length) short(`sequence ${hex(t)}`);
          const it = (view.getUint16(p, true) << 16 | view.getUint16(p + 2, true)) >>> 0;
          const itemLength = view.getUint32(p + 4, true);
          if (it === SEQUENCE_END) {
            p += 8;
            break;
          }
          if (it !== ITEM) throw new SlideError(`${name}: corrupt DICOM file: sequence ${hex(t)} holds ${hex(it)} where an item should be (byte ${base + p}).`);
          const itemEnd = itemLength === UNDEFINED ? Infinity : p + 8 + itemLength;
          if (itemEnd !== Infinity && itemEnd > bytes.length) short(`an item of ${hex(t)}`);
          const r2 = readElements(p + 8, itemEnd, depth + 1, itemLength === UNDEFINED);
          items.push(r2.dataset);
          p = itemEnd === Infinity ? r2.pos : itemEnd;
        }
        dataset2.set(t, { vr, offset: base + valueAt, length: p - valueAt, value: new Uint8Array(0), items });
        pos = p;
        continue;
      }
      if (length === UNDEFINED) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t)} has an undefined length.`);
      if (valueAt + length > bytes.length) short(`element ${hex(t)}`);
      dataset2.set(t, { vr, offset: base + valueAt, length, value: bytes.subarray(valueAt, valueAt + length) });
      pos = valueAt + length;
    }
    if (stopAtItemEnd && end === Infinity) short("an item");
    return { dataset: dataset2, pos };
  };
  const { dataset } = readElements(start, complete ? bytes.length : Infinity, 0, false);
  return { dataset, ...pixelData ? { pixelData } : {} };
}

// ../../tmp/ana/tags.ts
var b = new Uint8Array(readFileSync(process.argv[2]));
var metaLen = new DataView(b.buffer).getUint32(140, true);
var r = parseDataset(b.subarray(144 + metaLen), 144 + metaLen, 0, true, true, "x");
var hex2 = (t) => t.toString(16).padStart(8, "0");
var dump = (ds, ind) => {
  for (const [t, e] of ds) {
    console.log(ind + hex2(t), e.vr, e.length, e.items ? `items ${e.items.length}` : JSON.stringify(String.fromCharCode(...e.value.subarray(0, 50))));
    if (e.items?.[0] && ind.length < 6) dump(e.items[0], ind + "  ");
  }
};
dump(r.dataset, "");
