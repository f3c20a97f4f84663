import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/slide/types.ts
var SlideError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "SlideError";
  }
};
function throwIfAborted(signal) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException("Aborted", "AbortError");
}

// src/slide/dicom/dataset.ts
var tag = (group, element) => (group << 16 | element) >>> 0;
var Tags = {
  TransferSyntaxUID: tag(2, 16),
  ImageType: tag(8, 8),
  SOPClassUID: tag(8, 22),
  SOPInstanceUID: tag(8, 24),
  SeriesDescription: tag(8, 4158),
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
var hex = (t2) => `(${(t2 >>> 16).toString(16).padStart(4, "0")},${(t2 & 65535).toString(16).padStart(4, "0")})`.toUpperCase();
function parseDataset(bytes, base2, start, explicit, complete, name) {
  const view2 = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const short = (what) => {
    if (complete) throw new SlideError(`${name}: corrupt DICOM file: ${what} runs past the end of the file.`);
    throw new NeedMoreBytes(what);
  };
  let pixelData;
  const readElements = (pos, end, depth, stopAtItemEnd) => {
    const dataset2 = /* @__PURE__ */ new Map();
    while (pos < end) {
      if (pos + 8 > bytes.length) short("an element header");
      const t2 = (view2.getUint16(pos, true) << 16 | view2.getUint16(pos + 2, true)) >>> 0;
      if (t2 === ITEM_END) {
        if (!stopAtItemEnd) throw new SlideError(`${name}: corrupt DICOM file: an item delimiter outside an item at byte ${base2 + pos}.`);
        return { dataset: dataset2, pos: pos + 8 };
      }
      let vr = "";
      let length;
      let header;
      if (explicit && t2 !== ITEM && t2 !== SEQUENCE_END) {
        vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
        if (!/^[A-Z]{2}$/.test(vr)) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t2)} at byte ${base2 + pos} has no valid value representation.`);
        if (LONG_VRS.has(vr)) {
          if (pos + 12 > bytes.length) short("an element header");
          length = view2.getUint32(pos + 8, true);
          header = 12;
        } else {
          length = view2.getUint16(pos + 6, true);
          header = 8;
        }
      } else {
        length = view2.getUint32(pos + 4, true);
        header = 8;
        if (SEQUENCES.has(t2) || length === UNDEFINED && t2 !== Tags.PixelData) vr = "SQ";
      }
      const valueAt = pos + header;
      if (t2 === Tags.PixelData) {
        pixelData = { valueOffset: base2 + valueAt, length, encapsulated: length === UNDEFINED };
        return { dataset: dataset2, pos: end };
      }
      if (vr === "SQ") {
        if (depth >= MAX_DEPTH) throw new SlideError(`${name}: corrupt DICOM file: sequences nested more than ${MAX_DEPTH} deep.`);
        const items = [];
        const seqEnd = length === UNDEFINED ? Infinity : valueAt + length;
        if (seqEnd !== Infinity && seqEnd > bytes.length) short(`sequence ${hex(t2)}`);
        let p = valueAt;
        for (; ; ) {
          if (p >= seqEnd) break;
          if (p + 8 > bytes.length) short(`sequence ${hex(t2)}`);
          const it = (view2.getUint16(p, true) << 16 | view2.getUint16(p + 2, true)) >>> 0;
          const itemLength = view2.getUint32(p + 4, true);
          if (it === SEQUENCE_END) {
            p += 8;
            break;
          }
          if (it !== ITEM) throw new SlideError(`${name}: corrupt DICOM file: sequence ${hex(t2)} holds ${hex(it)} where an item should be (byte ${base2 + p}).`);
          const itemEnd = itemLength === UNDEFINED ? Infinity : p + 8 + itemLength;
          if (itemEnd !== Infinity && itemEnd > bytes.length) short(`an item of ${hex(t2)}`);
          const r = readElements(p + 8, itemEnd, depth + 1, itemLength === UNDEFINED);
          items.push(r.dataset);
          p = itemEnd === Infinity ? r.pos : itemEnd;
        }
        dataset2.set(t2, { vr, offset: base2 + valueAt, length: p - valueAt, value: new Uint8Array(0), items });
        pos = p;
        continue;
      }
      if (length === UNDEFINED) throw new SlideError(`${name}: corrupt DICOM file: element ${hex(t2)} has an undefined length.`);
      if (valueAt + length > bytes.length) short(`element ${hex(t2)}`);
      dataset2.set(t2, { vr, offset: base2 + valueAt, length, value: bytes.subarray(valueAt, valueAt + length) });
      pos = valueAt + length;
    }
    if (stopAtItemEnd && end === Infinity) short("an item");
    return { dataset: dataset2, pos };
  };
  const { dataset } = readElements(start, complete ? bytes.length : Infinity, 0, false);
  return { dataset, ...pixelData ? { pixelData } : {} };
}
function text(ds, t2) {
  const e = ds?.get(t2);
  if (!e) return void 0;
  let s2 = "";
  for (const b of e.value) s2 += String.fromCharCode(b);
  return s2.replace(/[\0 ]+$/, "").trim();
}
function integer(ds, t2) {
  const e = ds?.get(t2);
  if (!e) return void 0;
  const v = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  if (e.vr === "US" && e.length >= 2) return v.getUint16(0, true);
  if (e.vr === "UL" && e.length >= 4) return v.getUint32(0, true);
  if (e.vr === "SS" && e.length >= 2) return v.getInt16(0, true);
  if (e.vr === "SL" && e.length >= 4) return v.getInt32(0, true);
  if (e.vr === "IS" || e.vr === "") {
    const s2 = text(ds, t2) ?? "";
    if (/^[+-]?\d+$/.test(s2)) return Number(s2);
    if (e.vr === "" && e.length === 2) return v.getUint16(0, true);
    if (e.vr === "" && e.length === 4) return v.getUint32(0, true);
  }
  return void 0;
}
function decimals(ds, t2) {
  const e = ds?.get(t2);
  if (!e) return [];
  const v = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
  if (e.vr === "FD") return Array.from({ length: Math.floor(e.length / 8) }, (_, i) => v.getFloat64(i * 8, true));
  if (e.vr === "FL") return Array.from({ length: Math.floor(e.length / 4) }, (_, i) => v.getFloat32(i * 4, true));
  return (text(ds, t2) ?? "").split("\\").map(Number).filter(Number.isFinite);
}
function firstItem(ds, t2) {
  return ds?.get(t2)?.items?.[0];
}

// src/slide/jp2k/openjpeg.ts
function createJ2kDecoder(factory, locateFile) {
  const messages = [];
  const capture = (text2) => messages.push(String(text2));
  let module;
  return async function decodeJ2k(codestream, ycbcr) {
    module ??= factory({ print: capture, printErr: capture, ...locateFile ? { locateFile } : {} });
    const codec = await module;
    let decoder;
    try {
      decoder = new codec.J2KDecoder();
      messages.length = 0;
      decoder.getEncodedBuffer(codestream.length).set(codestream);
      decoder.decode();
      const error = messages.find((m) => m.includes("[ERROR]"));
      if (error) throw new SlideError(`JPEG 2000 tile failed to decode: ${error.replace("[ERROR]", "").trim()}`);
      const info = decoder.getFrameInfo();
      if (info.bitsPerSample !== 8 || info.componentCount !== 3 && info.componentCount !== 1) {
        throw new SlideError(`unsupported JPEG 2000 tile: ${info.componentCount} components of ${info.bitsPerSample} bits.`);
      }
      const pixels = decoder.getDecodedBuffer();
      const count = info.width * info.height;
      if (pixels.length < count * info.componentCount) throw new SlideError("JPEG 2000 tile failed to decode: short output.");
      const data = new Uint8ClampedArray(count * 4);
      if (info.componentCount === 1) {
        for (let i = 0; i < count; i++) {
          const v = pixels[i] ?? 0;
          data[i * 4] = v;
          data[i * 4 + 1] = v;
          data[i * 4 + 2] = v;
          data[i * 4 + 3] = 255;
        }
      } else if (ycbcr) {
        ycbcrToRgba(pixels, data, count);
      } else {
        for (let i = 0; i < count; i++) {
          data[i * 4] = pixels[i * 3] ?? 0;
          data[i * 4 + 1] = pixels[i * 3 + 1] ?? 0;
          data[i * 4 + 2] = pixels[i * 3 + 2] ?? 0;
          data[i * 4 + 3] = 255;
        }
      }
      return { width: info.width, height: info.height, data };
    } catch (err) {
      if (err instanceof SlideError) throw err;
      module = void 0;
      const what = err instanceof Error ? `${err.name}: ${err.message}` : `C++ exception ${String(err)}`;
      throw new SlideError(`JPEG 2000 tile failed to decode: the decoder aborted (${what}).`);
    } finally {
      try {
        decoder?.delete();
      } catch {
        module = void 0;
      }
    }
  };
}
function j2kFrameInfo(stream) {
  let at = 0;
  const limit = Math.min(stream.length - 4, 4096);
  while (at < limit && !(stream[at] === 255 && stream[at + 1] === 79 && stream[at + 2] === 255 && stream[at + 3] === 81)) at++;
  if (at >= limit || stream.length < at + 42) throw new SlideError("corrupt JPEG 2000 tile: no codestream header (SOC and SIZ markers).");
  const v = new DataView(stream.buffer, stream.byteOffset + at, 42);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  return { width, height, components: v.getUint16(40) };
}
function ycbcrToRgba(src, dst, count) {
  for (let i = 0; i < count; i++) {
    const y = src[i * 3] ?? 0;
    const cb = (src[i * 3 + 1] ?? 128) - 128;
    const cr = (src[i * 3 + 2] ?? 128) - 128;
    dst[i * 4] = y + 1.402 * cr;
    dst[i * 4 + 1] = y - 0.344136 * cb - 0.714136 * cr;
    dst[i * 4 + 2] = y + 1.772 * cb;
    dst[i * 4 + 3] = 255;
  }
}

// src/slide/jpeg/stream.ts
var SOI = 216;
var EOI = 217;
var SOS = 218;
var APP0 = 224;
var APP14 = 238;
function jpegSegments(stream) {
  if (stream[0] !== 255 || stream[1] !== SOI) throw new SlideError("corrupt JPEG tile: it does not start with an SOI marker.");
  const segments = [];
  let at = 2;
  while (at + 4 <= stream.length) {
    if (stream[at] !== 255) throw new SlideError(`corrupt JPEG tile: expected a marker at byte ${at}.`);
    const marker = stream[at + 1] ?? 0;
    if (marker === 255) {
      at++;
      continue;
    }
    if (marker === EOI) {
      segments.push({ marker, start: at, end: at + 2 });
      break;
    }
    const length = (stream[at + 2] ?? 0) << 8 | (stream[at + 3] ?? 0);
    if (length < 2) throw new SlideError(`corrupt JPEG tile: bad segment length at byte ${at}.`);
    if (at + 2 + length > stream.length) throw new SlideError(`corrupt JPEG tile: the marker segment at byte ${at} runs past the end of the tile.`);
    segments.push({ marker, start: at, end: at + 2 + length });
    if (marker === SOS) break;
    at += 2 + length;
  }
  return segments;
}
function spliceJpegTables(tables, tile) {
  if (!tables || tables.length <= 4) return tile;
  if (tables[0] !== 255 || tables[1] !== SOI) throw new SlideError("corrupt JPEGTables tag: it is not a JPEG stream.");
  if (tile[0] !== 255 || tile[1] !== SOI) throw new SlideError("corrupt JPEG tile: it does not start with an SOI marker.");
  let tablesEnd = tables.length;
  if (tables[tablesEnd - 2] === 255 && tables[tablesEnd - 1] === EOI) tablesEnd -= 2;
  const out = new Uint8Array(tablesEnd + tile.length - 2);
  out.set(tables.subarray(0, tablesEnd), 0);
  out.set(tile.subarray(2), tablesEnd);
  return out;
}
var ADOBE_RGB = Uint8Array.of(255, APP14, 0, 14, 65, 100, 111, 98, 101, 0, 100, 0, 0, 0, 0, 0);
function markAsRgb(stream) {
  const segments = jpegSegments(stream);
  if (segments.some((s2) => s2.marker === APP14)) return stream;
  const jfif = segments.find((s2) => s2.marker === APP0 && stream[s2.start + 4] === 74 && stream[s2.start + 5] === 70);
  const dropped = jfif ? jfif.end - jfif.start : 0;
  const out = new Uint8Array(stream.length + ADOBE_RGB.length - dropped);
  out.set(stream.subarray(0, 2), 0);
  out.set(ADOBE_RGB, 2);
  if (jfif) {
    out.set(stream.subarray(2, jfif.start), 2 + ADOBE_RGB.length);
    out.set(stream.subarray(jfif.end), 2 + ADOBE_RGB.length + (jfif.start - 2));
  } else {
    out.set(stream.subarray(2), 2 + ADOBE_RGB.length);
  }
  return out;
}
function hasJfif(stream) {
  return jpegSegments(stream).some((s2) => s2.marker === APP0 && stream[s2.start + 4] === 74 && stream[s2.start + 5] === 70);
}
function jpegFrameInfo(stream) {
  for (const s2 of jpegSegments(stream)) {
    const m = s2.marker;
    if (m >= 192 && m <= 207 && m !== 196 && m !== 200 && m !== 204) {
      const height = (stream[s2.start + 5] ?? 0) << 8 | (stream[s2.start + 6] ?? 0);
      const width = (stream[s2.start + 7] ?? 0) << 8 | (stream[s2.start + 8] ?? 0);
      return { width, height, components: stream[s2.start + 9] ?? 0 };
    }
  }
  throw new SlideError("corrupt JPEG tile: no frame header (SOF).");
}

// src/slide/limits.ts
var MiB = 1024 * 1024;
var LIMITS = {
  /** Largest width or height of a TIFF image: the biggest real slides are ~200,000 px; beyond is a corrupt file. */
  maxSide: 1 << 21,
  /** Tiles (or strips) in one TIFF image (their offsets alone take 128 MiB at 8 bytes each). */
  maxTilesPerImage: 1 << 24,
  /** Largest tile edge in pixels. */
  maxTileSide: 1 << 16,
  /** Largest tile or strip, decoded whole: 256 megapixels (1 GiB of RGBA), as for a plain image. */
  maxTilePixels: 256 * MiB,
  /** A tile's stored bytes may be at most twice its uncompressed size plus this: beyond, its byte count is corrupt. */
  tileBytesSlack: 1 * MiB,
  /** Image directories in the main chain (loops are refused whatever the count). */
  maxIfds: 4096,
  /** Entries in one image directory. */
  maxEntriesPerIfd: 1024,
  /** SubIFDs (OME-TIFF reduced levels) read from the first image. */
  maxSubIfds: 64,
  /** Largest tag value read, e.g. a tile offset array or an OME-XML description. */
  maxValueBytes: 128 * MiB,
  /** Plain images (PNG, JPEG, WebP, GIF, BMP) are decoded whole: at most 256 megapixels… */
  maxImagePixels: 256 * MiB,
  /** …from a file of at most 1 GiB. */
  maxImageFileBytes: 1024 * MiB,
  /** Largest region one readRegion call returns: 512 megapixels (2 GiB of RGBA). */
  maxRegionPixels: 512 * MiB
};

// src/slide/codecs.ts
function blankImage(width, height, value = 255) {
  const data = new Uint8ClampedArray(width * height * 4);
  data.fill(value);
  return { width, height, data };
}

// src/slide/lru.ts
var LruCache = class {
  constructor(maxBytes, sizeOf) {
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf;
  }
  maxBytes;
  sizeOf;
  map = /* @__PURE__ */ new Map();
  total = 0;
  get(key) {
    const hit = this.map.get(key);
    if (!hit) return void 0;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }
  set(key, value) {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.size;
      this.map.delete(key);
    }
    const size = this.sizeOf(value);
    if (size > this.maxBytes) return;
    this.map.set(key, { value, size });
    this.total += size;
    while (this.total > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      const entry = this.map.get(oldest.value);
      this.map.delete(oldest.value);
      this.total -= entry?.size ?? 0;
    }
  }
  delete(key) {
    const hit = this.map.get(key);
    if (!hit) return;
    this.map.delete(key);
    this.total -= hit.size;
  }
  get bytes() {
    return this.total;
  }
  get size() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
    this.total = 0;
  }
};

// src/slide/region.ts
function blit(dst, src, srcX, srcY, useWidth = src.width, useHeight = src.height) {
  const x0 = Math.max(0, srcX);
  const y0 = Math.max(0, srcY);
  const x1 = Math.min(dst.width, srcX + Math.min(src.width, useWidth));
  const y1 = Math.min(dst.height, srcY + Math.min(src.height, useHeight));
  if (x1 <= x0 || y1 <= y0) return;
  const rowBytes = (x1 - x0) * 4;
  for (let y = y0; y < y1; y++) {
    const from = ((y - srcY) * src.width + (x0 - srcX)) * 4;
    dst.data.set(src.data.subarray(from, from + rowBytes), (y * dst.width + x0) * 4);
  }
}
var MAX_REGION_PIXELS = 16 * 1024 * 1024;
function checkRegion(name, x, y, width, height) {
  if (![x, y, width, height].every(Number.isSafeInteger) || width < 1 || height < 1) {
    throw new SlideError(`${name}: invalid region ${width}\xD7${height} at (${x}, ${y}): whole pixels and a positive size are needed.`);
  }
  if (width * height > LIMITS.maxRegionPixels) {
    throw new SlideError(`${name}: a region of ${width}\xD7${height} pixels is more than the ${LIMITS.maxRegionPixels / 2 ** 20} megapixels read at once.`);
  }
}

// src/slide/tile-cache.ts
var EMPTY_TILE = { width: 0, height: 0, data: new Uint8ClampedArray(0) };
var TileCache = class {
  tiles;
  pending = /* @__PURE__ */ new Map();
  failed = new LruCache(1024, () => 1);
  constructor(maxBytes) {
    this.tiles = new LruCache(maxBytes, (t2) => t2.data.byteLength);
  }
  /** The tile under `key`, loaded by `load` once; undefined for an empty tile. */
  async get(key, load, signal) {
    const cached = this.tiles.get(key);
    if (cached) return cached.width === 0 ? void 0 : cached;
    const failure = this.failed.get(key);
    if (failure) throw failure;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = load();
      this.pending.set(key, pending);
      pending.then((tile2) => this.tiles.set(key, tile2), () => void 0).finally(() => this.pending.delete(key));
    }
    const tile = await pending;
    throwIfAborted(signal);
    return tile.width === 0 ? void 0 : tile;
  }
  /** Remembers a tile that cannot be decoded (a failed read may work next time and is not remembered). */
  remember(key, error) {
    this.failed.set(key, error);
  }
  clear() {
    this.tiles.clear();
    this.failed.clear();
  }
};
async function composeRegion(name, grid, x, y, width, height, tile) {
  checkRegion(name, x, y, width, height);
  const out = blankImage(width, height);
  const col0 = Math.max(0, Math.floor(x / grid.tileWidth));
  const row0 = Math.max(0, Math.floor(y / grid.tileHeight));
  const col1 = Math.min(grid.tilesAcross - 1, Math.floor((x + width - 1) / grid.tileWidth));
  const row1 = Math.min(grid.tilesDown - 1, Math.floor((y + height - 1) / grid.tileHeight));
  const jobs = [];
  for (let row = row0; row <= row1; row++) {
    for (let col = col0; col <= col1; col++) {
      jobs.push(
        tile(col, row).then((t2) => {
          const left = col * grid.tileWidth;
          const top = row * grid.tileHeight;
          if (t2) blit(out, t2, left - x, top - y, grid.width - left, grid.height - top);
        })
      );
    }
  }
  await Promise.all(jobs);
  return out;
}

// src/slide/dicom/dicom-slide.ts
var WSI_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.6";
var SYNTAXES = {
  "1.2.840.10008.1.2": { codec: "native", explicit: false, name: "uncompressed (implicit VR)" },
  "1.2.840.10008.1.2.1": { codec: "native", explicit: true, name: "uncompressed" },
  "1.2.840.10008.1.2.4.50": { codec: "jpeg", explicit: true, name: "JPEG baseline" },
  "1.2.840.10008.1.2.4.51": { codec: "jpeg", explicit: true, name: "JPEG extended" },
  "1.2.840.10008.1.2.4.90": { codec: "jp2k", explicit: true, name: "JPEG 2000 lossless" },
  "1.2.840.10008.1.2.4.91": { codec: "jp2k", explicit: true, name: "JPEG 2000" }
};
var MAX_HEADER_BYTES = 256 * 1024 * 1024;
async function isDicom(source, signal) {
  if (source.size < 132) return false;
  return String.fromCharCode(...await source.read(128, 4, signal)) === "DICM";
}
var DicomSlide = class _DicomSlide {
  constructor(info, levels, codecs) {
    this.info = info;
    this.levels = levels;
    this.codecs = codecs;
  }
  info;
  levels;
  codecs;
  tiles = new TileCache(96 * 1024 * 1024);
  /** One file: refused when it is a label or overview rather than tissue. */
  static async open(source, codecs, signal) {
    const instance = await readInstance(source, signal);
    if (instance.flavour === "LABEL" || instance.flavour === "OVERVIEW") {
      throw new SlideError(`${source.name}: this DICOM file is the slide's ${instance.flavour.toLowerCase()} image, not its tissue; open a VOLUME instance of the series.`);
    }
    return _DicomSlide.fromInstances(source.name, [instance], codecs);
  }
  /** The pyramid of a series' instances (all of one series): VOLUME ones by size; labels, overviews and thumbnails left out. */
  static fromInstances(name, instances, codecs) {
    const volumes = instances.filter((i) => i.flavour === "VOLUME").sort((a, b) => b.level.width - a.level.width || b.level.height - a.level.height);
    const base2 = volumes[0];
    if (!base2) throw new SlideError(`${name}: the series has no VOLUME image (only ${[...new Set(instances.map((i) => i.flavour.toLowerCase()))].join(", ")}).`);
    const warnings = [];
    const levels = [];
    for (const v of volumes) {
      const same = levels.find((l) => l.level.width === v.level.width && l.level.height === v.level.height);
      if (same) warnings.push(`${v.frames.name}: a second ${v.level.width}\xD7${v.level.height} instance (concatenation or another focal plane) is not read`);
      else levels.push(v);
    }
    const info = {
      name,
      format: "dicom",
      vendor: base2.manufacturer || "DICOM",
      compression: `${base2.syntaxName} (DICOM)`,
      levels: levels.map(({ level: l }) => ({ width: l.width, height: l.height, tileWidth: l.tileWidth, tileHeight: l.tileHeight, downsample: (base2.level.width / l.width + base2.level.height / l.height) / 2 })),
      byteLength: instances.reduce((n, i) => n + i.frames.size, 0),
      ...base2.mpp !== void 0 ? { mpp: base2.mpp } : {},
      ...warnings.length ? { warnings } : {}
    };
    return new _DicomSlide(info, levels, codecs);
  }
  async readRegion(level, x, y, width, height, signal) {
    const instance = this.levels[level];
    if (!instance) throw new SlideError(`${this.info.name}: no level ${level}.`);
    const l = instance.level;
    return composeRegion(this.info.name, l, x, y, width, height, (col, row) => {
      const frame = l.frameOf[row * l.tilesAcross + col];
      return frame < 0 ? Promise.resolve(void 0) : this.tiles.get(`${level}/${frame}`, () => this.load(instance, `${level}/${frame}`, frame), signal);
    });
  }
  async load(instance, key, frame) {
    const l = instance.level;
    const name = instance.frames.name;
    const fail = (err) => new SlideError(`${name}: frame ${frame + 1} failed to decode: ${err instanceof Error ? err.message.replace(`${name}: `, "") : String(err)}`);
    let bytes;
    try {
      bytes = await instance.frames.read(frame);
    } catch (err) {
      throw fail(err);
    }
    try {
      const codec = l.codec === "sniff" ? sniffCodec(bytes) : l.codec;
      if (codec === "jpeg") {
        checkFrame(jpegFrameInfo(bytes), l, "JPEG");
        return await this.codecs.jpeg(l.rgb && !hasJfif(bytes) ? markAsRgb(bytes) : bytes);
      }
      if (codec === "jp2k") {
        checkFrame(j2kFrameInfo(bytes), l, "JPEG 2000");
        return await this.codecs.jp2k(bytes, false);
      }
      return nativeToRgba(bytes, l);
    } catch (err) {
      const error = fail(err);
      this.tiles.remember(key, error);
      throw error;
    }
  }
  /** Where the levels are read from. */
  frameSources() {
    return this.levels.map((i) => i.frames);
  }
  close() {
    this.tiles.clear();
    for (const frames of this.frameSources()) frames.close();
  }
};
async function readInstance(source, signal) {
  const name = source.name;
  const fail = (why) => {
    throw new SlideError(`${name}: ${why}`);
  };
  const metaHead = await source.read(132, Math.min(12, source.size - 132), signal);
  if (metaHead.length < 12 || metaHead[0] !== 2 || metaHead[1] !== 0 || metaHead[2] !== 0 || metaHead[3] !== 0) fail("corrupt DICOM file: no file meta information group length.");
  const metaLength = new DataView(metaHead.buffer, metaHead.byteOffset).getUint32(8, true);
  const metaEnd = 144 + metaLength;
  if (metaEnd > source.size || metaLength > 1 << 20) fail("corrupt DICOM file: the file meta information runs past the end of the file.");
  const metaBytes = await source.read(144, metaLength, signal);
  const meta = parseDataset(metaBytes, 144, 0, true, true, name).dataset;
  const syntaxUid = text(meta, Tags.TransferSyntaxUID) ?? "";
  const syntax = SYNTAXES[syntaxUid];
  if (!syntax) fail(`unsupported DICOM transfer syntax ${syntaxUid || "(none)"}; supported: ${Object.values(SYNTAXES).map((s2) => s2.name).join(", ")}.`);
  let chunk = Math.min(source.size - metaEnd, 1 << 20);
  let parsed;
  for (; ; ) {
    const bytes = await source.read(metaEnd, chunk, signal);
    try {
      parsed = parseDataset(bytes, metaEnd, 0, syntax.explicit, metaEnd + chunk >= source.size, name);
      break;
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (chunk >= MAX_HEADER_BYTES) fail(`the DICOM header is larger than ${MAX_HEADER_BYTES / 2 ** 20} MiB.`);
      chunk = Math.min(source.size - metaEnd, chunk * 4, MAX_HEADER_BYTES);
    }
  }
  const ds = parsed.dataset;
  if (!parsed.pixelData) fail("corrupt DICOM file: no pixel data.");
  const samplesPerPixel = integer(ds, Tags.SamplesPerPixel) ?? 3;
  const frameCount = integer(ds, Tags.NumberOfFrames) ?? 1;
  if (frameCount < 1 || frameCount > LIMITS.maxTilesPerImage) fail(`corrupt DICOM file: ${frameCount} frames.`);
  const frameBytes = syntax.codec === "native" ? (integer(ds, Tags.Columns) ?? 0) * (integer(ds, Tags.Rows) ?? 0) * samplesPerPixel : 0;
  const locations = await frameLocations(source, parsed.pixelData, frameCount, frameBytes, signal);
  const frames = {
    name,
    size: source.size,
    read: (i, s2) => source.read(locations[i][0], locations[i][1], s2),
    close: () => source.close?.()
  };
  return instanceFromDataset(ds, frames, syntax, locations.map(([, length]) => length));
}
function instanceFromDataset(ds, frames, syntax, frameSizes) {
  const name = frames.name;
  const fail = (why) => {
    throw new SlideError(`${name}: ${why}`);
  };
  const sop = text(ds, Tags.SOPClassUID);
  if (sop !== WSI_SOP_CLASS) fail(`a DICOM file, but not a whole-slide image (SOP class ${sop ?? "missing"}, VL Whole Slide Microscopy is ${WSI_SOP_CLASS}).`);
  const flavour = (text(ds, Tags.ImageType) ?? "").split("\\")[2] ?? "";
  const tileWidth = integer(ds, Tags.Columns) ?? 0;
  const tileHeight = integer(ds, Tags.Rows) ?? 0;
  const width = integer(ds, Tags.TotalPixelMatrixColumns) ?? tileWidth;
  const height = integer(ds, Tags.TotalPixelMatrixRows) ?? tileHeight;
  const frameCount = integer(ds, Tags.NumberOfFrames) ?? 1;
  const samplesPerPixel = integer(ds, Tags.SamplesPerPixel) ?? 3;
  const bits = integer(ds, Tags.BitsAllocated) ?? 8;
  const photometric = text(ds, Tags.PhotometricInterpretation) ?? "";
  if (tileWidth < 1 || tileHeight < 1 || tileWidth > LIMITS.maxTileSide || tileHeight > LIMITS.maxTileSide) fail(`unsupported DICOM frame size ${tileWidth}\xD7${tileHeight}.`);
  if (width < 1 || height < 1 || width > LIMITS.maxSide || height > LIMITS.maxSide) fail(`unsupported image size ${width}\xD7${height}.`);
  if (bits !== 8) fail(`unsupported DICOM sample depth: ${bits} bits (8 supported).`);
  if (syntax.codec === "native" && !["RGB", "MONOCHROME2"].includes(photometric)) fail(`unsupported uncompressed colour space ${photometric || "(none)"} (RGB and MONOCHROME2 supported).`);
  if (frameCount < 1 || frameCount > LIMITS.maxTilesPerImage) fail(`corrupt DICOM file: ${frameCount} frames.`);
  const tilesAcross = Math.ceil(width / tileWidth);
  const tilesDown = Math.ceil(height / tileHeight);
  if (tilesAcross * tilesDown > LIMITS.maxTilesPerImage) fail(`too many tiles (${tilesAcross * tilesDown}).`);
  const frameOf = placeFrames(ds, frameCount, frameSizes, { width, height, tileWidth, tileHeight, tilesAcross, tilesDown }, fail);
  const mpp = micronsPerPixel(ds, width);
  return {
    frames,
    seriesUid: text(ds, Tags.SeriesInstanceUID) ?? "",
    flavour: flavour || "VOLUME",
    manufacturer: text(ds, Tags.Manufacturer) ?? "",
    syntaxName: syntax.name,
    ...mpp !== void 0 ? { mpp } : {},
    level: { width, height, tileWidth, tileHeight, tilesAcross, tilesDown, frameOf, codec: syntax.codec, rgb: photometric === "RGB", samplesPerPixel }
  };
}
function sniffCodec(bytes) {
  if (bytes[0] === 255 && bytes[1] === 216) return "jpeg";
  if (bytes[0] === 255 && bytes[1] === 79 || bytes[4] === 106 && bytes[5] === 80 && bytes[6] === 32 && bytes[7] === 32) return "jp2k";
  return "native";
}
async function openDicomSeries(name, sources, codecs, signal) {
  const instances = [];
  try {
    for (const source of sources) {
      if (!await isDicom(source, signal)) throw new SlideError(`${source.name}: not a DICOM file (no DICM preamble); a series is opened from its DICOM files only.`);
      instances.push(await readInstance(source, signal));
    }
    const series2 = [...new Set(instances.map((i) => i.seriesUid))];
    if (series2.length > 1) {
      const counts = series2.map((uid) => `${uid || "(no UID)"}: ${instances.filter((i) => i.seriesUid === uid).length} files`);
      throw new SlideError(`${name}: the files belong to ${series2.length} DICOM series (${counts.join("; ")}); open one series at a time.`);
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
function checkFrame(frame, l, what) {
  if (frame.width < 1 || frame.height < 1 || frame.width > l.tileWidth || frame.height > l.tileHeight) {
    throw new SlideError(`corrupt ${what} frame: ${frame.width}\xD7${frame.height} pixels in a ${l.tileWidth}\xD7${l.tileHeight} image.`);
  }
}
function placeFrames(ds, frameCount, frameSizes, g, fail) {
  const frameOf = new Int32Array(g.tilesAcross * g.tilesDown).fill(-1);
  const perFrame = ds.get(Tags.PerFrameFunctionalGroupsSequence)?.items;
  const positions = perFrame?.map((item) => {
    const p = firstItem(item, Tags.PlanePositionSlideSequence);
    return [integer(p, Tags.ColumnPositionInTotalImagePixelMatrix), integer(p, Tags.RowPositionInTotalImagePixelMatrix)];
  });
  if (positions && positions.length === frameCount && positions.every(([c, r]) => c !== void 0 && r !== void 0)) {
    for (let i = 0; i < frameCount; i++) {
      const [c, r] = positions[i];
      const col = (c - 1) / g.tileWidth;
      const row = (r - 1) / g.tileHeight;
      if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= g.tilesAcross || row >= g.tilesDown) {
        fail(`corrupt DICOM file: frame ${i + 1} is positioned at (${c}, ${r}), not on the ${g.tileWidth}\xD7${g.tileHeight} tile grid of the image.`);
      }
      const at = row * g.tilesAcross + col;
      if (frameOf[at] < 0) frameOf[at] = i;
    }
    return frameOf;
  }
  const organisation = text(ds, Tags.DimensionOrganizationType);
  if (organisation === "TILED_SPARSE") fail("corrupt DICOM file: TILED_SPARSE frames without per-frame positions.");
  if (frameCount < frameOf.length) fail(`corrupt DICOM file: ${frameCount} frames for ${frameOf.length} tiles (TILED_FULL).`);
  const byColumns = organisation !== "TILED_FULL" && frameSizes !== void 0 && storedByColumns(frameSizes, g);
  for (let i = 0; i < frameOf.length; i++) {
    frameOf[i] = byColumns ? i % g.tilesAcross * g.tilesDown + Math.floor(i / g.tilesAcross) : i;
  }
  return frameOf;
}
function storedByColumns(frameSizes, g) {
  const partialCol = g.width % g.tileWidth !== 0;
  const partialRow = g.height % g.tileHeight !== 0;
  if (!partialCol && !partialRow || g.tilesAcross < 2 || g.tilesDown < 2) return false;
  const edgeMean = (index) => {
    let sum = 0;
    let n = 0;
    for (let row = 0; row < g.tilesDown; row++)
      for (let col = 0; col < g.tilesAcross; col++) {
        if (partialCol && col === g.tilesAcross - 1 || partialRow && row === g.tilesDown - 1) {
          sum += frameSizes[index(col, row)];
          n++;
        }
      }
    return sum / n;
  };
  const byRows = edgeMean((col, row) => row * g.tilesAcross + col);
  const byCols = edgeMean((col, row) => col * g.tilesDown + row);
  return byCols < byRows / 2;
}
async function frameLocations(source, pixel, frameCount, nativeFrameBytes, signal) {
  const name = source.name;
  if (!pixel.encapsulated) {
    if (pixel.valueOffset + nativeFrameBytes * frameCount > source.size || pixel.length < nativeFrameBytes * frameCount) {
      throw new SlideError(`${name}: the file is truncated: its pixel data needs ${(nativeFrameBytes * frameCount).toLocaleString("en")} bytes.`);
    }
    return Array.from({ length: frameCount }, (_, i) => [pixel.valueOffset + i * nativeFrameBytes, nativeFrameBytes]);
  }
  const fragments = [];
  let pos = pixel.valueOffset;
  let table;
  for (let first = true; ; first = false) {
    if (pos + 8 > source.size) throw new SlideError(`${name}: the file is truncated: its pixel data ends early.`);
    const h = await source.read(pos, 8, signal);
    const v = new DataView(h.buffer, h.byteOffset, 8);
    const t2 = (v.getUint16(0, true) << 16 | v.getUint16(2, true)) >>> 0;
    const length = v.getUint32(4, true);
    if (t2 === tag(65534, 57565)) break;
    if (t2 !== tag(65534, 57344)) throw new SlideError(`${name}: corrupt DICOM file: no fragment item where one should be (byte ${pos}).`);
    if (pos + 8 + length > source.size) throw new SlideError(`${name}: the file is truncated: a frame of its pixel data runs past the end of the file.`);
    if (first) {
      if (length > 0 && length === 4 * frameCount) {
        const b = await source.read(pos + 8, length, signal);
        table = new Uint32Array(b.slice().buffer);
      }
    } else {
      fragments.push([pos + 8, length]);
      if (fragments.length > LIMITS.maxTilesPerImage) throw new SlideError(`${name}: corrupt DICOM file: too many fragments.`);
    }
    pos += 8 + length;
    if (fragments.length === frameCount && !table) break;
  }
  if (fragments.length === frameCount) return fragments;
  if (table && fragments.length > 0) {
    const base2 = fragments[0][0] - 8;
    return Array.from({ length: frameCount }, (_, i) => {
      const start = base2 + table[i];
      const end = i + 1 < frameCount ? base2 + table[i + 1] : pos;
      const own = fragments.filter(([o]) => o - 8 >= start && o - 8 < end);
      if (own.length !== 1) throw new SlideError(`${name}: frames made of several fragments are not supported yet (frame ${i + 1} has ${own.length}).`);
      return own[0];
    });
  }
  throw new SlideError(`${name}: corrupt DICOM file: ${fragments.length} fragments for ${frameCount} frames and no offset table to tell them apart.`);
}
function micronsPerPixel(ds, width) {
  const shared = firstItem(ds, Tags.SharedFunctionalGroupsSequence);
  const spacing = decimals(firstItem(shared, Tags.PixelMeasuresSequence), Tags.PixelSpacing);
  const mm = spacing[1] ?? spacing[0];
  if (mm !== void 0 && mm > 0 && mm < 1) return mm * 1e3;
  const volumeWidth = decimals(ds, Tags.ImagedVolumeWidth)[0];
  if (volumeWidth !== void 0 && volumeWidth > 0 && width > 0) return volumeWidth / width * 1e3;
  return void 0;
}
function nativeToRgba(raw, l) {
  const n = l.tileWidth * l.tileHeight;
  const data = new Uint8ClampedArray(n * 4);
  const spp = l.samplesPerPixel;
  for (let i = 0; i < n; i++) {
    const s2 = i * spp;
    data[i * 4] = raw[s2];
    data[i * 4 + 1] = raw[spp >= 3 ? s2 + 1 : s2];
    data[i * 4 + 2] = raw[spp >= 3 ? s2 + 2 : s2];
    data[i * 4 + 3] = 255;
  }
  return { width: l.tileWidth, height: l.tileHeight, data };
}

// src/slide/dicom/json-dataset.ts
var BINARY = {
  US: [2, (v, at, x) => v.setUint16(at, x, true)],
  SS: [2, (v, at, x) => v.setInt16(at, x, true)],
  UL: [4, (v, at, x) => v.setUint32(at, x, true)],
  SL: [4, (v, at, x) => v.setInt32(at, x, true)],
  FL: [4, (v, at, x) => v.setFloat32(at, x, true)],
  FD: [8, (v, at, x) => v.setFloat64(at, x, true)]
};
var enc = new TextEncoder();
function jsonToDataset(json, name, depth = 0) {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new SlideError(`${name}: the server's metadata is not a DICOM JSON object.`);
  if (depth > 16) throw new SlideError(`${name}: the server's metadata nests sequences more than 16 deep.`);
  const ds = /* @__PURE__ */ new Map();
  for (const [key, raw] of Object.entries(json)) {
    if (!/^[0-9A-Fa-f]{8}$/.test(key) || !raw || typeof raw !== "object") continue;
    const tag2 = Number.parseInt(key, 16) >>> 0;
    const vr = typeof raw.vr === "string" ? raw.vr : "";
    const values = Array.isArray(raw.Value) ? raw.Value : [];
    let element;
    if (vr === "SQ") {
      element = { vr, offset: 0, length: 0, value: new Uint8Array(0), items: values.map((item) => jsonToDataset(item, name, depth + 1)) };
    } else if (BINARY[vr]) {
      const [size, set] = BINARY[vr];
      const numbers = values.filter((x) => typeof x === "number");
      const value = new Uint8Array(size * numbers.length);
      const view2 = new DataView(value.buffer);
      numbers.forEach((x, i) => set(view2, i * size, x));
      element = { vr, offset: 0, length: value.length, value };
    } else if (vr === "PN" || vr === "OB" || vr === "OW" || vr === "UN") {
      continue;
    } else {
      const value = enc.encode(values.map((x) => typeof x === "string" || typeof x === "number" ? String(x) : "").join("\\"));
      element = { vr, offset: 0, length: value.length, value };
    }
    ds.set(tag2, element);
  }
  return ds;
}

// src/slide/dicom/dicomweb.ts
var FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
var UID = /^[0-9.]{1,64}$/;
var Gate = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  active = 0;
  waiting = [];
  async run(task) {
    if (this.active >= this.limit) await new Promise((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
};
var DicomWebClient = class {
  constructor(base2, token, options = {}) {
    this.base = base2;
    this.token = token;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.gate = new Gate(options.concurrency ?? 6);
    this.timeoutMs = options.timeoutMs ?? 3e4;
    this.retries = options.retries ?? 2;
  }
  base;
  token;
  fetch;
  gate;
  timeoutMs;
  retries;
  /** GET a path under the base; 5xx, time-outs and network errors are retried, other failures say what happened. */
  async get(path, accept, signal) {
    const url = `${this.base.replace(/\/+$/, "")}/${path}`;
    const headers = { Accept: accept };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    for (let attempt = 0; ; attempt++) {
      let response;
      let failure;
      try {
        const timeout = AbortSignal.timeout(this.timeoutMs);
        response = await this.gate.run(() => this.fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout }));
        if (response.ok) return response;
        failure = `${response.status} ${response.statusText}`.trim();
        if (response.status === 401 || response.status === 403) throw new SlideError(`${url}: the DICOMweb server refused access (${failure}); check the token.`);
        if (response.status === 404) throw new SlideError(`${url}: not found on the DICOMweb server (404).`);
        if (response.status < 500) throw new SlideError(`${url}: the DICOMweb server answered ${failure}.`);
      } catch (err) {
        if (err instanceof SlideError || signal?.aborted) throw err;
        failure = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${this.timeoutMs / 1e3} s` : `network error (${err instanceof Error ? err.message : String(err)}; is the server up, and does it allow this origin (CORS)?)`;
      }
      if (attempt >= this.retries) throw new SlideError(`${url}: ${failure}${attempt ? ` (after ${attempt + 1} tries)` : ""}.`);
      await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** attempt));
    }
  }
};
function firstPart(body, contentType, name) {
  const boundary = /boundary="?([^";,]+)"?/i.exec(contentType)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) {
    return body;
  }
  const find = (needle, from) => {
    outer: for (let i = from; i <= body.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (body[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };
  const enc2 = new TextEncoder();
  const start = find(enc2.encode(`--${boundary}`), 0);
  const headersEnd = start < 0 ? -1 : find(enc2.encode("\r\n\r\n"), start);
  const end = headersEnd < 0 ? -1 : find(enc2.encode(`\r
--${boundary}`), headersEnd + 4);
  if (headersEnd < 0 || end < 0) throw new SlideError(`${name}: the DICOMweb server's multipart answer is malformed.`);
  return body.subarray(headersEnd + 4, end);
}
async function openDicomWeb(ref, codecs, options = {}, signal) {
  if (!UID.test(ref.study) || !UID.test(ref.series)) throw new SlideError(`DICOMweb: study and series must be DICOM UIDs (digits and dots), not '${ref.study}' and '${ref.series}'.`);
  try {
    new URL(ref.base);
  } catch {
    throw new SlideError(`DICOMweb: '${ref.base}' is not a URL.`);
  }
  const client = new DicomWebClient(ref.base, ref.token, options);
  const seriesPath = `studies/${ref.study}/series/${ref.series}`;
  const response = await client.get(`${seriesPath}/metadata`, "application/dicom+json", signal);
  let json;
  try {
    json = await response.json();
  } catch {
    throw new SlideError(`${ref.base}/${seriesPath}/metadata: the DICOMweb server's answer is not JSON.`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new SlideError(`${ref.base}/${seriesPath}: the series has no instances.`);
  const instances = [];
  let description = "";
  for (const item of json) {
    const ds = jsonToDataset(item, `${ref.base}/${seriesPath}`);
    const sop = text(ds, Tags.SOPInstanceUID) ?? "";
    if (!UID.test(sop)) throw new SlideError(`${ref.base}/${seriesPath}: an instance has no valid SOP Instance UID.`);
    description ||= text(ds, Tags.SeriesDescription) ?? "";
    const instancePath = `${seriesPath}/instances/${sop}`;
    const frames = {
      name: `${ref.base}/${instancePath}`,
      size: 0,
      read: async (index, s2) => {
        const r = await client.get(`${instancePath}/frames/${index + 1}`, FRAME_ACCEPT, s2);
        return firstPart(new Uint8Array(await r.arrayBuffer()), r.headers.get("Content-Type") ?? "", `${ref.base}/${instancePath}`);
      },
      close: () => {
      }
    };
    instances.push(instanceFromDataset(ds, frames, { codec: "sniff", name: "DICOMweb, frames as stored" }));
  }
  return DicomSlide.fromInstances(description || `DICOMweb series \u2026${ref.series.slice(-12)}`, instances, codecs);
}

// src/slide/node.ts
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import sharp from "sharp";

// src/slide/bytes/blob-source.ts
var CHUNK_BYTES = 1 << 20;
function checkRange(source, offset, length) {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new SlideError(`${source.name}: invalid read at offset ${offset} (${length} bytes): the file is corrupt.`);
  }
  if (offset + length > source.size) {
    throw new SlideError(
      `${source.name}: the file is truncated or corrupt: data at bytes ${offset}\u2013${offset + length} lies past its end (${source.size} bytes).`
    );
  }
}

// src/slide/image/image-slide.ts
var MAX_IMAGE_PIXELS = LIMITS.maxImagePixels;
var SIGNATURES = [
  ["PNG", [137, 80, 78, 71]],
  ["JPEG", [255, 216, 255]],
  ["GIF", [71, 73, 70, 56]],
  ["BMP", [66, 77]]
];
function sniffImage(head) {
  for (const [kind, sig] of SIGNATURES) if (sig.every((b, i) => head[i] === b)) return kind;
  if (head[0] === 82 && head[1] === 73 && head[8] === 87 && head[9] === 69 && head[10] === 66 && head[11] === 80) return "WebP";
  return void 0;
}
function headerSize(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = sniffImage(bytes);
  if (kind === "PNG" && bytes.length >= 24) return { width: v.getUint32(16), height: v.getUint32(20) };
  if (kind === "GIF" && bytes.length >= 10) return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
  if (kind === "BMP" && bytes.length >= 26) return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  if (kind === "JPEG") {
    try {
      return jpegFrameInfo(bytes);
    } catch {
      return void 0;
    }
  }
  return void 0;
}
var ImageSlide = class _ImageSlide {
  constructor(info, pixels) {
    this.info = info;
    this.pixels = pixels;
  }
  info;
  pixels;
  static async open(source, codecs, signal) {
    if (source.size > LIMITS.maxImageFileBytes) {
      throw new SlideError(`${source.name}: a ${Math.round(source.size / 2 ** 20)} MiB plain image is more than the ${LIMITS.maxImageFileBytes / 2 ** 20} MiB read whole; convert it to a tiled pyramidal TIFF.`);
    }
    const bytes = await source.read(0, source.size, signal);
    const declared = headerSize(bytes);
    if (declared && declared.width * declared.height > MAX_IMAGE_PIXELS) {
      throw new SlideError(`${source.name}: ${declared.width}\xD7${declared.height} is too large for a plain image (at most ${MAX_IMAGE_PIXELS / 2 ** 20} megapixels); convert it to a tiled pyramidal TIFF.`);
    }
    let pixels;
    try {
      pixels = await codecs.image(bytes, signal);
    } catch (err) {
      throw new SlideError(`${source.name}: the ${sniffImage(bytes) ?? ""} image could not be decoded (${err instanceof Error ? err.message : String(err)}).`.replace("the  image", "the image"));
    }
    if (pixels.width * pixels.height > MAX_IMAGE_PIXELS) {
      throw new SlideError(`${source.name}: ${pixels.width}\xD7${pixels.height} is too large for a plain image; convert it to a tiled pyramidal TIFF.`);
    }
    const info = {
      name: source.name,
      format: "image",
      vendor: sniffImage(bytes) ?? "image",
      compression: sniffImage(bytes) ?? "unknown",
      levels: [{ width: pixels.width, height: pixels.height, tileWidth: pixels.width, tileHeight: pixels.height, downsample: 1 }],
      byteLength: source.size
    };
    return new _ImageSlide(info, pixels);
  }
  static fromPixels(name, pixels) {
    const level = { width: pixels.width, height: pixels.height, tileWidth: pixels.width, tileHeight: pixels.height, downsample: 1 };
    return new _ImageSlide({ name, format: "image", vendor: "image", compression: "none", levels: [level] }, pixels);
  }
  async readRegion(level, x, y, width, height) {
    if (level !== 0) throw new SlideError(`${this.info.name}: no level ${level}.`);
    checkRegion(this.info.name, x, y, width, height);
    const out = blankImage(width, height);
    blit(out, this.pixels, -x, -y);
    return out;
  }
  close() {
  }
};

// src/slide/tiff/lossless.ts
var CLEAR = 256;
var EOI2 = 257;
function lzwDecode(input, maxBytes) {
  const sink = new Output(maxBytes, input.length * 4);
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const totalBits = input.length * 8;
  let bitPos = 0;
  let width = 9;
  let next = 258;
  let old = -1;
  let n = 0;
  const emit = (code) => {
    const len = length[code];
    const out = sink.reserve(n + len);
    let c = code;
    for (let i = len - 1; i >= 0; i--) {
      if (n + i < maxBytes) out[n + i] = suffix[c];
      c = prefix[c];
    }
    n = Math.min(maxBytes, n + len);
  };
  while (n < maxBytes && bitPos + width <= totalBits) {
    const byte = bitPos >>> 3;
    const window = (input[byte] ?? 0) << 16 | (input[byte + 1] ?? 0) << 8 | (input[byte + 2] ?? 0);
    const code = window >>> 24 - (bitPos & 7) - width & (1 << width) - 1;
    bitPos += width;
    if (code === EOI2) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`corrupt LZW data: code ${code} right after a clear code`);
      sink.reserve(n + 1)[n++] = code;
      old = code;
      continue;
    }
    if (code > next || code === next && next >= 4096) throw new Error(`corrupt LZW data: code ${code} is not in the dictionary (${next} entries)`);
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = code === next ? first[old] : first[code];
      first[next] = first[old];
      length[next] = length[old] + 1;
      next++;
    }
    emit(code);
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return sink.result(n);
}
function packBitsDecode(input, maxBytes) {
  const sink = new Output(maxBytes, input.length * 4);
  let n = 0;
  let i = 0;
  while (i < input.length && n < maxBytes) {
    const header = input[i++] << 24 >> 24;
    if (header >= 0) {
      const run = Math.min(header + 1, input.length - i, maxBytes - n);
      sink.reserve(n + run).set(input.subarray(i, i + run), n);
      n += run;
      i += header + 1;
    } else if (header !== -128) {
      const run = Math.min(1 - header, maxBytes - n);
      sink.reserve(n + run).fill(input[i++] ?? 0, n, n + run);
      n += run;
    }
  }
  return sink.result(n);
}
function undoHorizontalPredictor(data, width, samplesPerPixel) {
  const row = width * samplesPerPixel;
  for (let start = 0; start + row <= data.length; start += row) {
    for (let i = start + samplesPerPixel; i < start + row; i++) data[i] = data[i] + data[i - samplesPerPixel] & 255;
  }
}
var Output = class {
  constructor(max, guess) {
    this.max = max;
    this.buffer = new Uint8Array(Math.min(max, Math.max(4096, guess)));
  }
  max;
  buffer;
  /** The buffer, grown to hold at least min(length, max) bytes. */
  reserve(length) {
    if (length > this.buffer.length && this.buffer.length < this.max) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(length, this.buffer.length * 2)));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    return this.buffer;
  }
  result(length) {
    return this.buffer.subarray(0, length);
  }
};
async function inflateDecode(input, maxBytes) {
  const reader = new Blob([input]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
  const out = new Uint8Array(maxBytes);
  let n = 0;
  try {
    for (; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, maxBytes - n);
      out.set(value.subarray(0, take), n);
      n += take;
      if (n >= maxBytes) {
        await reader.cancel();
        break;
      }
    }
  } catch (err) {
    throw new Error(`corrupt Deflate data: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return out.subarray(0, n);
}

// src/slide/tiff/tags.ts
var FIELD_TYPE_SIZE = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8
};
var Tag = {
  NewSubfileType: 254,
  SubfileType: 255,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SubIFDs: 330,
  ExtraSamples: 338,
  SampleFormat: 339,
  JPEGTables: 347,
  YCbCrSubsampling: 530,
  ImageDepth: 32997
};
var COMPRESSION_NAMES = {
  1: "none",
  2: "CCITT RLE",
  3: "CCITT Group 3 fax",
  4: "CCITT Group 4 fax",
  5: "LZW",
  6: "old-style JPEG",
  7: "JPEG",
  8: "Deflate",
  32773: "PackBits",
  32946: "Deflate",
  33003: "JPEG 2000 (Aperio YCbCr)",
  33005: "JPEG 2000 (Aperio RGB)",
  34712: "JPEG 2000",
  34887: "LERC",
  34925: "LZMA",
  5e4: "Zstandard",
  50001: "WebP",
  50002: "JPEG XL",
  52546: "JPEG XL"
};
function compressionName(code) {
  return `${COMPRESSION_NAMES[code] ?? "unknown"} (${code})`;
}

// src/slide/tiff/decode-tile.ts
var LOSSLESS = /* @__PURE__ */ new Set([1, 5, 8, 32773, 32946]);
var SUPPORTED = "JPEG (7), JPEG 2000 (33003, 33005, 34712), LZW (5), Deflate (8, 32946), PackBits (32773) and uncompressed (1)";
function unsupportedReason(image) {
  const c = image.compression;
  if (c !== 7 && c !== 33003 && c !== 33005 && c !== 34712 && !LOSSLESS.has(c)) {
    return `unsupported compression ${compressionName(c)}; supported: ${SUPPORTED}.`;
  }
  if (LOSSLESS.has(c)) {
    if (image.bitsPerSample !== 8) return `unsupported sample depth: ${image.bitsPerSample} bits per sample (8 supported).`;
    if (image.planar === 2 && image.samplesPerPixel > 1) return "unsupported layout: separate colour planes (PlanarConfiguration 2).";
    if (![0, 1, 2].includes(image.photometric)) return `unsupported colour space: photometric interpretation ${image.photometric} without JPEG.`;
    if (!Number.isInteger(image.samplesPerPixel) || image.samplesPerPixel < 1 || image.samplesPerPixel > 4) return `unsupported layout: ${image.samplesPerPixel} samples per pixel (1 to 4 supported).`;
    if (image.predictor !== 1 && image.predictor !== 2) return `unsupported predictor ${image.predictor} (none or horizontal differencing supported).`;
  }
  return void 0;
}
async function decodeTiffTile(image, bytes, codecs, signal) {
  const c = image.compression;
  if (c === 7) {
    let stream = spliceJpegTables(image.jpegTables, bytes);
    if (image.photometric === 2) stream = markAsRgb(stream);
    checkFrame2(image, jpegFrameInfo(stream), "JPEG");
    return codecs.jpeg(stream, signal);
  }
  if (c === 33003 || c === 33005 || c === 34712) {
    checkFrame2(image, j2kFrameInfo(bytes), "JPEG 2000");
    return codecs.jp2k(bytes, c === 33003, signal);
  }
  const reason = unsupportedReason(image);
  if (reason) throw new SlideError(reason);
  const size = image.tileWidth * image.tileHeight * image.samplesPerPixel;
  let raw;
  try {
    if (c === 5) raw = lzwDecode(bytes, size);
    else if (c === 32773) raw = packBitsDecode(bytes, size);
    else if (c === 1) raw = image.predictor === 2 ? bytes.slice(0, size) : bytes;
    else raw = await inflateDecode(bytes, size);
  } catch (err) {
    throw new SlideError(`tile failed to decode (${compressionName(c)}): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (image.predictor === 2) undoHorizontalPredictor(raw, image.tileWidth, image.samplesPerPixel);
  return samplesToRgba(raw, image);
}
function checkFrame2(image, frame, what) {
  if (frame.width < 1 || frame.height < 1 || frame.width > image.tileWidth || frame.height > image.tileHeight) {
    throw new SlideError(`corrupt ${what} tile: its frame is ${frame.width}\xD7${frame.height} pixels but the image's tiles are ${image.tileWidth}\xD7${image.tileHeight}.`);
  }
}
function samplesToRgba(raw, image) {
  const spp = image.samplesPerPixel;
  const width = image.tileWidth;
  const height = Math.min(image.tileHeight, Math.floor(raw.length / (width * spp)));
  if (height < 1) throw new SlideError("tile failed to decode: no pixel data.");
  const count = width * height;
  const data = new Uint8ClampedArray(count * 4);
  const invert = image.photometric === 0;
  for (let i = 0; i < count; i++) {
    const s2 = i * spp;
    if (spp >= 3) {
      data[i * 4] = raw[s2] ?? 0;
      data[i * 4 + 1] = raw[s2 + 1] ?? 0;
      data[i * 4 + 2] = raw[s2 + 2] ?? 0;
    } else {
      const v = invert ? 255 - (raw[s2] ?? 0) : raw[s2] ?? 0;
      data[i * 4] = v;
      data[i * 4 + 1] = v;
      data[i * 4 + 2] = v;
    }
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

// src/slide/tiff/ifd.ts
var TiffReader = class _TiffReader {
  constructor(source, littleEndian, bigTiff, firstIfd) {
    this.source = source;
    this.littleEndian = littleEndian;
    this.bigTiff = bigTiff;
    this.firstIfd = firstIfd;
  }
  source;
  littleEndian;
  bigTiff;
  firstIfd;
  cache = /* @__PURE__ */ new Map();
  static async open(source, signal) {
    if (source.size === 0) throw new SlideError(`${source.name}: the file is empty (0 bytes).`);
    if (source.size < 8) throw new SlideError(`${source.name}: not a TIFF file (only ${source.size} bytes).`);
    const head = await source.read(0, Math.min(16, source.size), signal);
    const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
    if (order !== "II" && order !== "MM") throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
    const le = order === "II";
    const view2 = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const magic = view2.getUint16(2, le);
    if (magic === 42) return new _TiffReader(source, le, false, view2.getUint32(4, le));
    if (magic === 43) {
      if (head.byteLength < 16) throw new SlideError(`${source.name}: the file is truncated (BigTIFF header incomplete).`);
      if (view2.getUint16(4, le) !== 8) throw new SlideError(`${source.name}: unsupported BigTIFF offset size.`);
      return new _TiffReader(source, le, true, toSafeNumber(view2.getBigUint64(8, le), source.name));
    }
    throw new SlideError(`${source.name}: not a TIFF file (byte order mark but magic number ${magic}).`);
  }
  async readIfd(offset, signal) {
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
      throw new SlideError(`${name}: corrupt image directory at byte ${offset} (${count} entries${count > LIMITS.maxEntriesPerIfd ? `, more than the ${LIMITS.maxEntriesPerIfd} supported` : ""}).`);
    }
    const tableLength = count * entrySize + offsetSize;
    if (offset + countSize + tableLength > this.source.size) {
      throw new SlideError(`${name}: the file is truncated: the image directory at byte ${offset} runs past the end of the file.`);
    }
    const table = await this.source.read(offset + countSize, tableLength, signal);
    const tv = view(table);
    const entries = /* @__PURE__ */ new Map();
    for (let i = 0; i < count; i++) {
      const at = i * entrySize;
      const tag2 = tv.getUint16(at, this.littleEndian);
      const type = tv.getUint16(at + 2, this.littleEndian);
      const n = this.bigTiff ? toSafeNumber(tv.getBigUint64(at + 4, this.littleEndian), name) : tv.getUint32(at + 4, this.littleEndian);
      const size = FIELD_TYPE_SIZE[type];
      if (size === void 0) continue;
      const valueAt = at + (this.bigTiff ? 12 : 8);
      const bytes = size * n;
      if (bytes <= offsetSize) {
        entries.set(tag2, { tag: tag2, type, count: n, inline: table.slice(valueAt, valueAt + bytes), offset: 0 });
      } else {
        const valueOffset = this.bigTiff ? toSafeNumber(tv.getBigUint64(valueAt, this.littleEndian), name) : tv.getUint32(valueAt, this.littleEndian);
        entries.set(tag2, { tag: tag2, type, count: n, offset: valueOffset });
      }
    }
    const next = this.bigTiff ? toSafeNumber(tv.getBigUint64(count * entrySize, this.littleEndian), name) : tv.getUint32(count * entrySize, this.littleEndian);
    return { offset, entries, next };
  }
  /** All IFDs of the main chain, refusing loops and runaway chains. */
  async readChain(signal) {
    const seen = /* @__PURE__ */ new Set();
    const ifds = [];
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
  async rawValue(ifd, entry, signal) {
    if (entry.inline) return entry.inline;
    const bytes = (FIELD_TYPE_SIZE[entry.type] ?? 1) * entry.count;
    if (bytes > LIMITS.maxValueBytes) {
      throw new SlideError(`${this.source.name}: corrupt image directory at byte ${ifd.offset}: tag ${entry.tag} claims ${entry.count} values (${bytes} bytes, more than the ${LIMITS.maxValueBytes / 2 ** 20} MiB limit).`);
    }
    return this.source.read(entry.offset, bytes, signal);
  }
  /** Numeric values of a tag (rationals as numerator/denominator), or undefined when absent. */
  async numbers(ifd, tag2, signal) {
    const entry = ifd.entries.get(tag2);
    if (!entry) return void 0;
    const key = `n${ifd.offset}:${tag2}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.rawValue(ifd, entry, signal).then((raw) => decodeNumbers(raw, entry.type, entry.count, this.littleEndian, this.source.name));
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }
  async number(ifd, tag2, signal) {
    return (await this.numbers(ifd, tag2, signal))?.[0];
  }
  async text(ifd, tag2, signal) {
    const entry = ifd.entries.get(tag2);
    if (!entry) return void 0;
    const raw = await this.rawValue(ifd, entry, signal);
    return new TextDecoder("utf-8").decode(raw).replace(/\0+$/, "");
  }
  async bytes(ifd, tag2, signal) {
    const entry = ifd.entries.get(tag2);
    return entry ? this.rawValue(ifd, entry, signal) : void 0;
  }
};
function view(bytes) {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
function toSafeNumber(value, name) {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new SlideError(`${name}: corrupt file: an offset or count is too large (${value}).`);
  return Number(value);
}
function decodeNumbers(raw, type, count, le, name) {
  const v = view(raw);
  const out = new Array(type === 5 || type === 10 ? count : count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 1:
      case 2:
      case 7:
        out[i] = v.getUint8(i);
        break;
      case 6:
        out[i] = v.getInt8(i);
        break;
      case 3:
        out[i] = v.getUint16(i * 2, le);
        break;
      case 8:
        out[i] = v.getInt16(i * 2, le);
        break;
      case 4:
      case 13:
        out[i] = v.getUint32(i * 4, le);
        break;
      case 9:
        out[i] = v.getInt32(i * 4, le);
        break;
      case 11:
        out[i] = v.getFloat32(i * 4, le);
        break;
      case 12:
        out[i] = v.getFloat64(i * 8, le);
        break;
      case 16:
      case 18:
        out[i] = toSafeNumber(v.getBigUint64(i * 8, le), name);
        break;
      case 17:
        out[i] = Number(v.getBigInt64(i * 8, le));
        break;
      case 5: {
        const d = v.getUint32(i * 8 + 4, le);
        out[i] = d === 0 ? 0 : v.getUint32(i * 8, le) / d;
        break;
      }
      case 10: {
        const d = v.getInt32(i * 8 + 4, le);
        out[i] = d === 0 ? 0 : v.getInt32(i * 8, le) / d;
        break;
      }
      default:
        out[i] = 0;
    }
  }
  return out;
}
function describeNonTiff(head) {
  const b = Array.from(head.subarray(0, 8));
  if (b[0] === 137 && b[1] === 80 && b[2] === 78 && b[3] === 71) return "not a slide: this is a PNG image, not a TIFF/SVS file (was it renamed?). Open it as an image or with Quick check.";
  if (b[0] === 255 && b[1] === 216) return "not a slide: this is a JPEG image, not a TIFF/SVS file (was it renamed?). Open it as an image or with Quick check.";
  if (b[0] === 37 && b[1] === 80 && b[2] === 68 && b[3] === 70) return "not a slide: this is a PDF document.";
  if (b[0] === 80 && b[1] === 75) return "not a slide: this is a ZIP archive (for MRXS/VSI-style multi-file slides, unpack and open the TIFF/SVS inside, if any).";
  return "not a slide: the file does not start with a TIFF header (II*/MM*), so it is not an SVS, TIFF or OME-TIFF file.";
}

// src/slide/tiff/pyramid.ts
function parseAperioDescription(description) {
  const fields = {};
  for (const part of description.split("|").slice(1)) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return fields;
}
function isAperio(description) {
  return description.startsWith("Aperio");
}
function parseOmeMpp(xml) {
  const pixels = /<(?:\w+:)?Pixels\b[^>]*>/.exec(xml)?.[0];
  if (!pixels) return void 0;
  const size = Number(/PhysicalSizeX="([^"]+)"/.exec(pixels)?.[1]);
  if (!Number.isFinite(size) || size <= 0) return void 0;
  const unit = /PhysicalSizeXUnit="([^"]+)"/.exec(pixels)?.[1] ?? "\xB5m";
  const toMicrons = { "\xB5m": 1, "um": 1, "\u03BCm": 1, "nm": 1e-3, "mm": 1e3, "cm": 1e4, "m": 1e6 };
  const factor = toMicrons[unit];
  return factor === void 0 ? void 0 : size * factor;
}
function resolutionMpp(image) {
  const { xResolution, resolutionUnit } = image;
  if (!xResolution || xResolution <= 0) return void 0;
  const micronsPerUnit = resolutionUnit === 3 ? 1e4 : resolutionUnit === 2 || resolutionUnit === void 0 ? 25400 : 0;
  if (!micronsPerUnit) return void 0;
  const mpp = micronsPerUnit / xResolution;
  return mpp >= 0.05 && mpp <= 100 ? mpp : void 0;
}
var ASSOCIATED_WORDS = /\b(label|macro|thumbnail|overview|barcode)\b/i;
function detectPyramid(main, subIfdLevels) {
  const first = main[0];
  if (!first) throw new Error("detectPyramid needs at least one image");
  const description = first.description;
  const aperio = isAperio(description);
  const ome = /<OME[\s>]/.test(description) || description.includes("openmicroscopy.org");
  const associated = [];
  let candidates;
  if (ome && subIfdLevels.length > 0) {
    candidates = [first, ...subIfdLevels];
    for (const image of main.slice(1)) associated.push({ image, kind: "other plane" });
  } else {
    candidates = [...main, ...subIfdLevels];
  }
  const base2 = candidates.reduce((a, b) => b.width * b.height > a.width * a.height && !isAssociated(b) ? b : a, first);
  const levels = [];
  for (const image of candidates) {
    const kind = classify(image, base2, aperio);
    if (kind) {
      if (!associated.some((a) => a.image === image)) associated.push({ image, kind });
    } else {
      levels.push(image);
    }
  }
  levels.sort((a, b) => b.width * b.height - a.width * a.height);
  let mpp;
  let magnification;
  let vendor = "generic";
  let format = levels.length > 1 ? "pyramidal-tiff" : "tiff";
  if (aperio) {
    const fields = parseAperioDescription(description);
    mpp = positive(fields.MPP);
    magnification = positive(fields.AppMag);
    vendor = "Aperio";
    format = "aperio-svs";
  } else if (ome) {
    mpp = parseOmeMpp(description);
    vendor = "OME";
    format = "ome-tiff";
  }
  mpp ??= resolutionMpp(base2);
  return { format, vendor, levels, associated, mpp, magnification };
}
function isAssociated(image) {
  return (image.newSubfileType & 4) !== 0 || ASSOCIATED_WORDS.test(image.description);
}
function classify(image, base2, aperio) {
  if (image === base2) return void 0;
  if (image.newSubfileType & 4) return "mask";
  const word = ASSOCIATED_WORDS.exec(image.description)?.[1]?.toLowerCase();
  if (word) return word;
  if (image.width > base2.width || image.height > base2.height) return "larger than level 0";
  if (base2.tiled && !image.tiled) return aperio ? "thumbnail" : "stripped image beside a tiled pyramid";
  const scaleX = base2.width / image.width;
  const expectedHeight = base2.height / scaleX;
  if (Math.abs(expectedHeight - image.height) > Math.max(2, scaleX * 0.02 + 1)) return "different aspect ratio (label or macro)";
  return void 0;
}
function positive(text2) {
  const value = Number(text2);
  return Number.isFinite(value) && value > 0 ? value : void 0;
}

// src/slide/tiff/tiff-image.ts
var isCount = (n) => Number.isInteger(n) && n >= 1;
var show = (n) => Number.isFinite(n) ? String(n) : "(not a number)";
async function readTiffImage(reader, ifd, signal) {
  const num = (tag2) => reader.number(ifd, tag2, signal);
  const width = await num(Tag.ImageWidth) ?? 0;
  const height = await num(Tag.ImageLength) ?? 0;
  const name = reader.source.name;
  if (!isCount(width) || !isCount(height)) throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: image size ${show(width)}\xD7${show(height)}.`);
  const max = LIMITS.maxSide;
  if (width > max || height > max) {
    throw new SlideError(`${name}: image size ${width}\xD7${height} exceeds the supported maximum of ${max}\xD7${max} pixels (corrupt file?).`);
  }
  const tiled = ifd.entries.has(Tag.TileWidth);
  const tileWidth = tiled ? await num(Tag.TileWidth) ?? 0 : width;
  const rowsPerStrip = await num(Tag.RowsPerStrip) ?? height;
  const tileHeight = tiled ? await num(Tag.TileLength) ?? 0 : Math.min(Math.max(rowsPerStrip, 1), height);
  if (!isCount(tileWidth) || !isCount(tileHeight) || tileWidth > LIMITS.maxTileSide || tiled && tileHeight > LIMITS.maxTileSide) {
    const tooBig = tileWidth > LIMITS.maxTileSide || tiled && tileHeight > LIMITS.maxTileSide;
    throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: tile size ${show(tileWidth)}\xD7${show(tileHeight)}${tooBig ? ` (at most ${LIMITS.maxTileSide} a side)` : ""}.`);
  }
  if (tileWidth * tileHeight > LIMITS.maxTilePixels) {
    throw new SlideError(`${name}: ${tiled ? "tiles" : "strips"} of ${tileWidth}\xD7${tileHeight} pixels exceed the supported maximum of ${LIMITS.maxTilePixels / 2 ** 20} megapixels.`);
  }
  const tilesAcross = Math.ceil(width / tileWidth);
  const tilesDown = Math.ceil(height / tileHeight);
  const offsetsTag = tiled ? Tag.TileOffsets : Tag.StripOffsets;
  const countsTag = tiled ? Tag.TileByteCounts : Tag.StripByteCounts;
  const samplesPerPixel = await num(Tag.SamplesPerPixel) ?? 1;
  const planar = await num(Tag.PlanarConfiguration) ?? 1;
  const expected = tilesAcross * tilesDown * (planar === 2 && isCount(samplesPerPixel) ? samplesPerPixel : 1);
  const offsets = ifd.entries.get(offsetsTag);
  const counts = ifd.entries.get(countsTag);
  if (!offsets || !counts) throw new SlideError(`${name}: corrupt image directory at byte ${ifd.offset}: no tile or strip offsets.`);
  if (expected > LIMITS.maxTilesPerImage) {
    throw new SlideError(`${name}: image ${width}\xD7${height} in ${tileWidth}\xD7${tileHeight} tiles needs ${expected} tiles, more than the supported ${LIMITS.maxTilesPerImage} (corrupt file?).`);
  }
  if (offsets.count < expected || counts.count < expected) {
    throw new SlideError(
      `${name}: corrupt image directory at byte ${ifd.offset}: ${offsets.count} tile offsets for ${expected} tiles of a ${width}\xD7${height} image.`
    );
  }
  const bits = await reader.numbers(ifd, Tag.BitsPerSample, signal) ?? [1];
  return {
    ifd,
    width,
    height,
    tiled,
    tileWidth,
    tileHeight,
    tilesAcross,
    tilesDown,
    compression: await num(Tag.Compression) ?? 1,
    photometric: await num(Tag.PhotometricInterpretation) ?? (samplesPerPixel >= 3 ? 2 : 1),
    samplesPerPixel,
    bitsPerSample: bits[0] ?? 8,
    planar,
    predictor: await num(Tag.Predictor) ?? 1,
    newSubfileType: await num(Tag.NewSubfileType) ?? 0,
    description: await reader.text(ifd, Tag.ImageDescription, signal) ?? "",
    jpegTables: await reader.bytes(ifd, Tag.JPEGTables, signal),
    subIfds: await reader.numbers(ifd, Tag.SubIFDs, signal) ?? [],
    xResolution: await num(Tag.XResolution),
    resolutionUnit: await num(Tag.ResolutionUnit)
  };
}
async function tileLocation(reader, image, index, signal) {
  const offsets = await reader.numbers(image.ifd, image.tiled ? Tag.TileOffsets : Tag.StripOffsets, signal);
  const counts = await reader.numbers(image.ifd, image.tiled ? Tag.TileByteCounts : Tag.StripByteCounts, signal);
  return [offsets?.[index] ?? 0, counts?.[index] ?? 0];
}

// src/slide/tiff/tiff-slide.ts
var TiffSlide = class _TiffSlide {
  constructor(info, reader, levelImages, codecs, options) {
    this.info = info;
    this.reader = reader;
    this.levelImages = levelImages;
    this.codecs = codecs;
    this.tiles = new TileCache(options.tileCacheBytes ?? 96 * 1024 * 1024);
  }
  info;
  reader;
  levelImages;
  codecs;
  tiles;
  static async open(source, codecs, options = {}, signal) {
    const reader = await TiffReader.open(source, signal);
    const chain = await reader.readChain(signal);
    const warnings = [];
    const main = [];
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
    const subIfds = [];
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
      if (reason) warnings.push(`level ${image.width}\xD7${image.height} skipped: ${reason}`);
      return !reason;
    });
    const base2 = levels[0];
    for (const image of levels) await checkTilesInsideFile(reader, image, signal);
    const info = {
      name: source.name,
      format: pyramid.format,
      vendor: pyramid.vendor,
      compression: compressionName(base2.compression),
      levels: levels.map((image) => ({
        width: image.width,
        height: image.height,
        tileWidth: image.tileWidth,
        tileHeight: image.tileHeight,
        downsample: (base2.width / image.width + base2.height / image.height) / 2
      })),
      byteLength: source.size,
      ...pyramid.mpp !== void 0 ? { mpp: pyramid.mpp } : {},
      ...pyramid.magnification !== void 0 ? { magnification: pyramid.magnification } : {},
      ...warnings.length ? { warnings } : {}
    };
    return new _TiffSlide(info, reader, levels, codecs, options);
  }
  async readRegion(level, x, y, width, height, signal) {
    const image = this.levelImages[level];
    if (!image) throw new SlideError(`${this.info.name}: no level ${level}.`);
    return composeRegion(this.info.name, image, x, y, width, height, (col, row) => this.tile(level, col, row, signal));
  }
  /** One decoded tile, or undefined for tiles the file leaves empty (byte count 0). Cached and de-duplicated. */
  async tile(level, col, row, signal) {
    const image = this.levelImages[level];
    if (!image) throw new SlideError(`${this.info.name}: no level ${level}.`);
    const key = `${level}/${col}/${row}`;
    return this.tiles.get(key, () => this.load(image, row * image.tilesAcross + col, key), signal);
  }
  async load(image, index, key) {
    const fail = (err) => {
      const message = (err instanceof Error ? err.message : String(err)).replace(`${this.info.name}: `, "");
      return new SlideError(`${this.info.name}: tile ${index} of the ${image.width}\xD7${image.height} level failed to decode: ${message}`);
    };
    let bytes;
    try {
      const [offset, count] = await tileLocation(this.reader, image, index);
      if (count === 0) return EMPTY_TILE;
      const most = 2 * image.tileWidth * image.tileHeight * Math.max(3, image.samplesPerPixel) + LIMITS.tileBytesSlack;
      if (count > most) throw new SlideError(`its byte count (${count}) is more than a ${image.tileWidth}\xD7${image.tileHeight} tile can need: the file is corrupt.`);
      bytes = await this.reader.source.read(offset, count);
    } catch (err) {
      throw fail(err);
    }
    try {
      return await decodeTiffTile(image, bytes, this.codecs);
    } catch (err) {
      const error = fail(err);
      this.tiles.remember(key, error);
      throw error;
    }
  }
  close() {
    this.tiles.clear();
    this.reader.source.close?.();
  }
};
async function checkTilesInsideFile(reader, image, signal) {
  const count = image.tilesAcross * image.tilesDown;
  const [offsets, byteCounts] = await Promise.all([
    reader.numbers(image.ifd, image.tiled ? Tag.TileOffsets : Tag.StripOffsets, signal),
    reader.numbers(image.ifd, image.tiled ? Tag.TileByteCounts : Tag.StripByteCounts, signal)
  ]);
  let end = 0;
  for (let i = 0; i < count; i++) {
    const bytes = byteCounts?.[i] ?? 0;
    if (bytes > 0) end = Math.max(end, (offsets?.[i] ?? 0) + bytes);
  }
  const size = reader.source.size;
  if (end > size) {
    throw new SlideError(
      `${reader.source.name}: the file is truncated: the ${image.width}\xD7${image.height} level needs ${end.toLocaleString("en")} bytes but the file has only ${size.toLocaleString("en")}.`
    );
  }
}

// src/slide/open.ts
async function openSlide(source, codecs, options = {}, signal) {
  if (source.size === 0) throw new SlideError(`${source.name}: the file is empty (0 bytes).`);
  const head = await source.read(0, Math.min(16, source.size), signal);
  const isTiff = head[0] === 73 && head[1] === 73 || head[0] === 77 && head[1] === 77;
  if (isTiff) return TiffSlide.open(source, codecs, options, signal);
  const kind = sniffImage(head);
  if (kind) {
    if (/\.(svs|tiff?|ndpi|scn|bif)$/i.test(source.name)) {
      throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
    }
    return ImageSlide.open(source, codecs, signal);
  }
  if (await isDicom(source, signal)) return DicomSlide.open(source, codecs, signal);
  throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
}
async function openSlides(name, sources, codecs, options = {}, signal) {
  if (sources.length === 0) throw new SlideError(`${name}: no files to open.`);
  if (sources.length === 1) return openSlide(sources[0], codecs, options, signal);
  return openDicomSeries(name, sources, codecs, signal);
}

// src/slide/node.ts
var require2 = createRequire(import.meta.url);
var NodeFileSource = class _NodeFileSource {
  constructor(handle, name, size) {
    this.handle = handle;
    this.name = name;
    this.size = size;
  }
  handle;
  name;
  size;
  static async open(path) {
    let handle;
    try {
      handle = await open(path, "r");
    } catch (err) {
      const code = err.code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : err.message;
      throw new SlideError(`${path}: ${why}`);
    }
    const stat2 = await handle.stat();
    if (!stat2.isFile()) {
      await handle.close();
      throw new SlideError(`${path}: is a directory`);
    }
    return new _NodeFileSource(handle, path, stat2.size);
  }
  async read(offset, length) {
    checkRange(this, offset, length);
    const buffer = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new SlideError(`${this.name}: short read at byte ${offset} (the file changed or is truncated).`);
    return buffer;
  }
  close() {
    void this.handle.close().catch(() => void 0);
  }
};
async function decodeWithSharp(bytes, what) {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: 1 << 30, failOn: "error" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`unexpected ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new SlideError(`${what} failed to decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}
var loadOpenJpeg = (options) => require2("@cornerstonejs/codec-openjpeg/decodewasmjs")(options);
var nodeCodecs = {
  jpeg: (stream) => decodeWithSharp(stream, "JPEG tile"),
  jp2k: createJ2kDecoder(loadOpenJpeg),
  image: (file) => decodeWithSharp(file, "image")
};
async function openSlideFile(path, options = {}) {
  if (await isDirectory(path)) return openDicomFolder(path);
  const source = await NodeFileSource.open(path);
  try {
    return await openSlide(source, nodeCodecs, options);
  } catch (err) {
    source.close();
    throw err;
  }
}
async function isDirectory(path) {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
async function openDicomFolder(path) {
  const names = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && e.name !== "DICOMDIR" && !e.name.startsWith(".")).map((e) => join(path, e.name)).sort();
  const sources = [];
  try {
    for (const name of names) {
      const source = await NodeFileSource.open(name);
      if (await isDicom(source)) sources.push(source);
      else source.close();
    }
    if (sources.length === 0) throw new SlideError(`${path}: a folder without DICOM files (a folder is opened as one DICOM series).`);
    return await openSlides(path, sources, nodeCodecs);
  } catch (err) {
    for (const s2 of sources) s2.close?.();
    throw err;
  }
}

// ../../tmp/ana/web.ts
var [base, study, series] = process.argv.slice(2);
var t0 = performance.now();
var s = await openDicomWeb({ base, study, series }, nodeCodecs);
console.log("opened in", (performance.now() - t0).toFixed(0), "ms", JSON.stringify(s.info));
var t = await openSlideFile("/work/shared/slides/derived/CMU-1-pyramid-jpeg.tif");
for (let level = 0; level < 5; level++) {
  const { width, height } = s.info.levels[level];
  const a = await s.readRegion(level, 0, 0, width, height);
  const b = await t.readRegion(level, 0, 0, width, height);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) d++;
  console.log("level", level, "differing bytes", d);
}
